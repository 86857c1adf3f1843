// DelayLine: how many steps it keeps, stored steps read exactly, the cubic interpolation's
// accuracy, the rule that history and solution are never mixed in one polynomial,
// population sums equal to the sums of the per-oscillator values, thread-count
// independence, and checkpoint state that restores exactly.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "check.hpp"
#include "eikura/delays.hpp"
#include "eikura/model.hpp"
#include "fixtures.hpp"

namespace {

using eikura::DelayLine;
using eikura::Model;

constexpr double dt = 0.01;

/// The fixture model on a network (per-oscillator tables) or all-to-all (population sums).
Model delayed_model(bool all_to_all, double delay) {
    Model model = eikura_test::make_model(0.0, false, nullptr);
    if (!all_to_all) {
        eikura::RandomBlocks rule = eikura_test::fixed_degree_rule(4, 2, 7);
        model.procedural = std::make_shared<eikura::RandomBlocks>(rule);
    }
    model.delays = {delay, delay, delay, delay};
    return model;
}

/// θ_j(s dt) for the test trajectory: smooth, and the same formula on both sides of 0.
double phase(const Model& model, const std::vector<double>& initial, std::size_t j, double t) {
    return initial[j] + model.omega[j] * t + 0.3 * std::sin(2.0 * t + double(j));
}

/// A DelayLine fed the test trajectory up to step `newest`; history the same trajectory.
/// `kink`: after t = 0 the phases also turn by this much per step (a kink at 0).
DelayLine fed_line(const Model& model, std::int64_t newest, int threads, double kink = 0.0) {
    const auto n = static_cast<std::size_t>(model.size());
    const std::vector<double> initial = eikura_test::initial_phases();
    const std::int64_t rows = DelayLine::slots(model.delays.longest(), dt);
    std::vector<double> history;
    for (std::int64_t row = -rows; row < 0; ++row)
        for (std::size_t j = 0; j < n; ++j) history.push_back(phase(model, initial, j, double(row) * dt));
    std::vector<double> at_zero(n);
    for (std::size_t j = 0; j < n; ++j) at_zero[j] = phase(model, initial, j, 0.0);
    DelayLine line(model, dt, at_zero, history, threads);
    std::vector<double> theta(n);
    for (std::int64_t step = 1; step <= newest; ++step) {
        for (std::size_t j = 0; j < n; ++j)
            theta[j] = phase(model, initial, j, double(step) * dt) + kink * double(step);
        line.push(theta.data());
    }
    return line;
}

void test_sizes() {
    CHECK_EQ(DelayLine::slots(0.0, dt), std::int64_t{0});
    CHECK_EQ(DelayLine::slots(0.01, dt), std::int64_t{4});
    CHECK_EQ(DelayLine::slots(0.3, dt), std::int64_t{33});    // 0.3 / 0.01 is 29.999…: snapped to 30
    CHECK_EQ(DelayLine::slots(0.305, dt), std::int64_t{34});  // 30.5 steps
    CHECK_EQ(DelayLine::steps_of(0.3, dt), 30.0);
    CHECK_EQ(DelayLine::steps_of(0.305, 0.01), 0.305 / 0.01);
    CHECK_EQ(DelayLine::estimate_bytes(1000, 0, false), std::int64_t{0});
    CHECK_EQ(DelayLine::estimate_bytes(1000, 10, false), std::int64_t{(10 * 2000 + 5000) * 8});
}

void test_reads() {
    for (bool all_to_all : {false, true}) {
        eikura_test::Context context(all_to_all ? "all-to-all" : "network");
        const Model model = delayed_model(all_to_all, 0.055);  // 5.5 steps
        const std::vector<double> initial = eikura_test::initial_phases();
        const std::int64_t n = model.size();
        DelayLine line = fed_line(model, 20, 1);
        for (double fraction : {0.0, 0.5, 1.0}) {
            line.set_stage(fraction);
            for (double steps : {5.5, 5.0, 1.0}) {
                const double t = (20.0 + fraction - steps) * dt;
                double exact[4] = {0.0, 0.0, 0.0, 0.0};
                std::vector<double> values(static_cast<std::size_t>(2 * n));
                for (std::int64_t j = 0; j < n; ++j) {
                    const double theta = phase(model, initial, static_cast<std::size_t>(j), t);
                    values[static_cast<std::size_t>(2 * j)] = std::sin(theta);
                    values[static_cast<std::size_t>(2 * j + 1)] = std::cos(theta);
                    exact[j < model.n_e ? 0 : 2] += std::cos(theta);
                    exact[j < model.n_e ? 1 : 3] += std::sin(theta);
                }
                const bool on_step = std::floor(20.0 + fraction - steps) == 20.0 + fraction - steps;
                // Cubic interpolation at dt = 0.01: error ~ dt^4 |d^4/dt^4 e^{iθ}| / 24.
                const double tolerance = on_step ? 1e-15 : 1e-7;
                if (all_to_all) {
                    double sums[4];
                    line.population_sums(steps, sums);
                    for (int c = 0; c < 4; ++c) CHECK_LE(std::abs(sums[c] - exact[c]), 50 * tolerance);
                } else {
                    std::vector<double> out(static_cast<std::size_t>(2 * n));
                    line.fill_sources(steps, 0, n, out.data());
                    for (std::size_t k = 0; k < out.size(); ++k)
                        CHECK_LE(std::abs(out[k] - values[k]), tolerance);
                }
            }
        }
    }
}

void test_history_and_solution_are_not_mixed() {
    // A kink at t = 0 (0.1 rad per step more after it): a read before 0 sees only the
    // history and step 0 (as if there were no kink), a read after 0 sees the solution.
    const Model model = delayed_model(false, 0.045);
    const std::int64_t n = model.size();
    std::vector<double> smooth(static_cast<std::size_t>(2 * n)), jumped(smooth.size());
    for (double fraction : {0.5, 1.0}) {
        DelayLine plain = fed_line(model, 3, 1), kinked = fed_line(model, 3, 1, 0.1);
        plain.set_stage(fraction);
        kinked.set_stage(fraction);
        plain.fill_sources(4.5, 0, n, smooth.data());  // t − τ = (3 + fraction − 4.5) dt < 0
        kinked.fill_sources(4.5, 0, n, jumped.data());
        CHECK(smooth == jumped);
        plain.fill_sources(2.5, 0, n, smooth.data());  // after 0: the kink shows
        kinked.fill_sources(2.5, 0, n, jumped.data());
        CHECK(smooth != jumped);
    }
}

void test_threads_and_restore() {
    for (bool all_to_all : {false, true}) {
        const Model model = delayed_model(all_to_all, 0.035);
        DelayLine one = fed_line(model, 12, 1), three = fed_line(model, 12, 3);
        CHECK(one.state() == three.state());
        DelayLine restored = fed_line(model, 0, 2);
        restored.restore(one.newest(), one.oldest(), one.state());
        for (DelayLine* line : {&one, &restored}) line->set_stage(0.5);
        if (all_to_all) {
            double a[4], b[4];
            one.population_sums(3.5, a);
            restored.population_sums(3.5, b);
            for (int c = 0; c < 4; ++c) CHECK_EQ(a[c], b[c]);
        } else {
            std::vector<double> a(static_cast<std::size_t>(2 * model.size())), b(a.size());
            one.fill_sources(3.5, 0, model.size(), a.data());
            restored.fill_sources(3.5, 0, model.size(), b.data());
            CHECK(a == b);
        }
        CHECK_THROWS(restored.restore(12, 0, std::vector<double>(3)), "delay history");
    }
}

void test_invalid() {
    const Model model = delayed_model(false, 0.055);
    const std::vector<double> initial = eikura_test::initial_phases();
    const auto n = static_cast<std::size_t>(model.size());
    CHECK_THROWS(DelayLine(model, dt, initial, std::vector<double>(5 * n), 1), "history");
    CHECK_THROWS(DelayLine(model, dt, initial, std::vector<double>(7 * n + 1), 1), "history");
}

}  // namespace

int main() {
    test_sizes();
    test_reads();
    test_history_and_solution_are_not_mixed();
    test_threads_and_restore();
    test_invalid();
    return eikura_test::report("delays");
}

// The adaptive integrator (dopri5): the tableau's order conditions, the step-size
// controller on its own, and runs that agree with a fine RK4 run, tighten with rtol, land
// on the output grid, do not depend on threads or batches, and refuse noise and restore.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <memory>
#include <vector>

#include "check.hpp"
#include "eikura/adaptive.hpp"
#include "eikura/simulation.hpp"
#include "fixtures.hpp"

namespace {

using eikura::Method;
using eikura::RunSettings;
using eikura::Simulation;
using eikura::StepController;
using eikura_test::initial_phases;
using eikura_test::make_model;
using eikura_test::make_settings;

bool close(double a, double b, double tolerance) { return std::abs(a - b) <= tolerance; }

void test_tableau_order_conditions() {
    namespace c = eikura::dopri5;
    // Rows sum to their stage time (the method sees t and θ consistently).
    CHECK(close(c::a21, c::c2, 1e-15));
    CHECK(close(c::a31 + c::a32, c::c3, 1e-15));
    CHECK(close(c::a41 + c::a42 + c::a43, c::c4, 1e-14));
    CHECK(close(c::a51 + c::a52 + c::a53 + c::a54, c::c5, 1e-14));
    CHECK(close(c::a61 + c::a62 + c::a63 + c::a64 + c::a65, 1.0, 1e-14));
    // Quadrature conditions Σ b_j c_j^(q-1) = 1/q up to q = 5 (fifth order), and the
    // error weights sum to 0 (both solutions are consistent).
    const double b[] = {c::b1, 0.0, c::b3, c::b4, c::b5, c::b6};
    const double stage_time[] = {0.0, c::c2, c::c3, c::c4, c::c5, 1.0};
    for (int q = 1; q <= 5; ++q) {
        double sum = 0.0;
        for (int j = 0; j < 6; ++j) sum += b[j] * std::pow(stage_time[j], q - 1);
        CHECK(close(sum, 1.0 / q, 1e-14));
    }
    CHECK(close(c::e1 + c::e3 + c::e4 + c::e5 + c::e6 + c::e7, 0.0, 1e-15));
}

void test_controller() {
    const StepController controller;
    CHECK(StepController::accepts(1.0));
    CHECK(StepController::accepts(0.0));
    CHECK(!StepController::accepts(1.0000001));
    CHECK(!StepController::accepts(std::numeric_limits<double>::quiet_NaN()));
    CHECK(!StepController::accepts(std::numeric_limits<double>::infinity()));
    // Error exactly at the tolerance: shrink by the safety factor.
    CHECK(close(controller.next_step(2.0, 1.0, false), 1.8, 1e-15));
    // Error 2^5 too large: halve (times safety).
    CHECK(close(controller.next_step(1.0, 32.0, false), 0.45, 1e-15));
    // Growth and shrinkage are clamped; no growth right after a rejection.
    CHECK_EQ(controller.next_step(1.0, 0.0, false), 5.0);
    CHECK_EQ(controller.next_step(1.0, 1e-30, false), 5.0);
    CHECK_EQ(controller.next_step(1.0, 1e-30, true), 1.0);
    CHECK_EQ(controller.next_step(1.0, 1e30, false), 0.2);
    CHECK_EQ(controller.next_step(1.0, std::numeric_limits<double>::quiet_NaN(), false), 0.2);
    CHECK_EQ(controller.next_step(1.0, std::numeric_limits<double>::infinity(), false), 0.2);
    // Smaller errors never give smaller steps.
    double previous = 0.0;
    for (double error = 1e3; error > 1e-8; error /= 3.0) {
        const double h = controller.next_step(1.0, error, false);
        CHECK_LE(previous, h);
        previous = h;
    }
}

RunSettings adaptive_settings(int threads, double rtol) {
    RunSettings settings = make_settings(false, threads);  // 157 steps of 0.01, records every 4
    settings.method = Method::dopri5;
    settings.rtol = rtol;
    settings.atol = rtol * 1e-2;
    return settings;
}

/// The largest |ΔZ| over all records of two runs with the same record times.
double record_distance(const Simulation& a, const Simulation& b) {
    double largest = 0.0;
    for (std::size_t k = 0; k < a.z_records().size() && k < b.z_records().size(); ++k)
        largest = std::max(largest, std::abs(a.z_records()[k] - b.z_records()[k]));
    return largest;
}

void test_agrees_with_fine_rk4(bool sparse) {
    std::shared_ptr<const eikura::CsrNetwork> network;
    if (sparse)
        network = std::make_shared<const eikura::CsrNetwork>(
            eikura::CsrNetwork::random(eikura_test::fixed_degree_rule(6, 2, 77), 1));
    // RK4 with a step 100 times smaller, recording at the same times.
    RunSettings fine = make_settings(false, 1);
    fine.dt /= 100;
    fine.n_steps *= 100;
    fine.record_every *= 100;
    fine.snapshot_every = 0;
    fine.frequency_from_step = -1;
    Simulation reference(make_model(0.0, true, network), fine, initial_phases());
    reference.advance(fine.n_steps);

    double previous_error = std::numeric_limits<double>::infinity();
    std::int64_t previous_steps = 0;
    for (double rtol : {1e-4, 1e-7, 1e-10}) {
        Simulation run(make_model(0.0, true, network), adaptive_settings(1, rtol), initial_phases());
        run.advance(run.settings().n_steps);
        CHECK(run.finished());
        CHECK_EQ(run.n_records(), reference.n_records());
        const double error = record_distance(run, reference);
        CHECK_LE(error, 100 * rtol);
        CHECK_LE(error, previous_error);
        CHECK_LE(previous_steps, run.accepted_steps());
        CHECK_EQ(run.evaluations(), 1 + 6 * (run.accepted_steps() + run.rejected_steps()));
        previous_error = error;
        previous_steps = run.accepted_steps();
    }
}

void test_threads_and_batches_do_not_matter() {
    Simulation one(make_model(0.0, true, nullptr), adaptive_settings(1, 1e-6), initial_phases());
    one.advance(one.settings().n_steps);
    Simulation two(make_model(0.0, true, nullptr), adaptive_settings(2, 1e-6), initial_phases());
    while (!two.finished()) two.advance(1);  // one segment at a time
    CHECK(one.phases() == two.phases());
    CHECK(one.z_records() == two.z_records());
    CHECK(one.snapshots() == two.snapshots());
    CHECK(one.mean_frequencies() == two.mean_frequencies());
    CHECK_EQ(one.accepted_steps(), two.accepted_steps());
    CHECK_EQ(one.rejected_steps(), two.rejected_steps());
}

void test_refusals() {
    RunSettings settings = adaptive_settings(1, 1e-6);
    CHECK_THROWS(Simulation(make_model(0.1, false, nullptr), settings, initial_phases()), "dopri5");
    settings.rtol = -1.0;
    CHECK_THROWS(Simulation(make_model(0.0, false, nullptr), settings, initial_phases()), "rtol");
    settings.rtol = 0.0;
    settings.atol = 0.0;
    CHECK_THROWS(Simulation(make_model(0.0, false, nullptr), settings, initial_phases()), "atol");
    Simulation run(make_model(0.0, false, nullptr), adaptive_settings(1, 1e-6), initial_phases());
    CHECK_THROWS(run.restore(0, initial_phases(), run.z_records(), {}, {}), "dopri5");
    // The memory estimate counts the extra stages.
    CHECK_LE(Simulation::estimate_bytes(1000, make_settings(false, 1)) + 3 * 1000 * 8,
             Simulation::estimate_bytes(1000, settings));
}

}  // namespace

int main() {
    test_tableau_order_conditions();
    test_controller();
    for (const bool sparse : {false, true}) test_agrees_with_fine_rk4(sparse);
    test_threads_and_batches_do_not_matter();
    test_refusals();
    return eikura_test::report("adaptive");
}

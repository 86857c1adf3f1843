// Unit tests of the pure C++ core, without any test framework or Python.
//
// Build and run (also under AddressSanitizer/UBSan with -DEIKURA_SANITIZE=ON):
//     cmake -S . -B build/cpp-tests -DEIKURA_CPP_TESTS=ON && cmake --build build/cpp-tests
//     ctest --test-dir build/cpp-tests --output-on-failure
//
// What is checked: every entry point refuses invalid input with std::invalid_argument
// (never a crash or a silent wrong answer), random networks and noisy runs do not depend
// on the thread count, and a run restored from a checkpoint continues bit-identically.
#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "eikura/model.hpp"
#include "eikura/rhs.hpp"
#include "eikura/network.hpp"
#include "eikura/parallel.hpp"
#include "eikura/random.hpp"
#include "eikura/schedule.hpp"
#include "eikura/simulation.hpp"
#include "eikura/sincos.hpp"

namespace {

int failures = 0;
int checks = 0;

void check(bool condition, const std::string& what, int line) {
    ++checks;
    if (!condition) {
        ++failures;
        std::fprintf(stderr, "FAILED (line %d): %s\n", line, what.c_str());
    }
}
#define CHECK(condition) check((condition), #condition, __LINE__)

/// `call` must throw std::invalid_argument whose message contains `expected`.
void check_throws(const std::function<void()>& call, const std::string& expected, int line) {
    ++checks;
    try {
        call();
    } catch (const std::invalid_argument& error) {
        if (std::string(error.what()).find(expected) == std::string::npos) {
            ++failures;
            std::fprintf(stderr, "FAILED (line %d): message '%s' lacks '%s'\n", line, error.what(),
                         expected.c_str());
        }
        return;
    } catch (const std::exception& error) {
        ++failures;
        std::fprintf(stderr, "FAILED (line %d): wrong exception type: %s\n", line, error.what());
        return;
    }
    ++failures;
    std::fprintf(stderr, "FAILED (line %d): no exception (expected '%s')\n", line, expected.c_str());
}
#define CHECK_THROWS(call, expected) check_throws([&] { call; }, (expected), __LINE__)

using eikura::BlockSpec;
using eikura::CsrNetwork;
using eikura::Method;
using eikura::Model;
using eikura::RandomBlocks;
using eikura::RunSettings;
using eikura::Schedule;
using eikura::Simulation;

constexpr std::int64_t n_e = 40, n_i = 10;

Model make_model(double noise, bool modulated, std::shared_ptr<const CsrNetwork> network) {
    Model model;
    model.n_e = n_e;
    model.n_i = n_i;
    for (std::int64_t i = 0; i < n_e + n_i; ++i) model.omega.push_back(std::sin(1.7 * double(i)));
    model.couplings = {modulated ? Schedule::sinusoid(3.0, 2.0, 0.7, 0.3) : Schedule::constant(3.0),
                       Schedule::constant(1.0),
                       modulated ? Schedule::piecewise_linear({0.0, 0.5, 1.0}, {0.0, 4.0, 1.0})
                                 : Schedule::constant(2.0),
                       Schedule::constant(0.5)};
    model.noise_e = noise;
    model.noise_i = noise / 2;
    model.network = std::move(network);
    return model;
}

RunSettings make_settings(bool noisy, int threads) {
    RunSettings settings;
    settings.method = noisy ? Method::heun : Method::rk4;
    settings.dt = 0.01;
    settings.n_steps = 157;
    settings.record_every = 4;
    settings.snapshot_every = 9;
    settings.frequency_from_step = 20;
    settings.seed = 12345678901234567ULL;
    settings.threads = threads;
    return settings;
}

std::vector<double> initial_phases() {
    std::vector<double> phases;
    for (std::int64_t i = 0; i < n_e + n_i; ++i) phases.push_back(std::fmod(2.3 * double(i), 6.0));
    return phases;
}

RandomBlocks fixed_degree_rule(std::int64_t k_e, std::int64_t k_i, std::uint64_t seed) {
    RandomBlocks rule;
    rule.n_e = n_e;
    rule.n_i = n_i;
    for (int b = 0; b < 4; ++b) {
        rule.blocks[b].fixed_degree = true;
        rule.blocks[b].in_degree = (b == 0 || b == 2) ? k_e : k_i;
    }
    rule.seed = seed;
    return rule;
}

bool same(const std::vector<double>& a, const std::vector<double>& b) { return a == b; }

// ------------------------------------------------------------------------------------
void test_schedules() {
    CHECK(Schedule::constant(2.5)(100.0) == 2.5);
    CHECK(Schedule::sinusoid(1.0, 2.0, 4.0, 0.0)(3.0) == 0.0);  // clipped at 0
    const Schedule ramp = Schedule::piecewise_linear({0.0, 1.0}, {1.0, 3.0});
    CHECK(ramp(-1.0) == 1.0 && ramp(0.5) == 2.0 && ramp(2.0) == 3.0);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS(Schedule::constant(-1.0), "constant");
    CHECK_THROWS(Schedule::constant(nan), "constant");
    CHECK_THROWS(Schedule::sinusoid(1.0, 1.0, 0.0, 0.0), "period");
    CHECK_THROWS(Schedule::sinusoid(1.0, nan, 1.0, 0.0), "sinusoid");
    CHECK_THROWS(Schedule::piecewise_linear({}, {}), "piecewise");
    CHECK_THROWS(Schedule::piecewise_linear({0.0, 1.0}, {1.0}), "piecewise");
    CHECK_THROWS(Schedule::piecewise_linear({1.0, 0.0}, {1.0, 1.0}), "increase");
    CHECK_THROWS(Schedule::piecewise_linear({0.0, 1.0}, {1.0, -1.0}), ">= 0");
}

void test_user_csr() {
    // 3 oscillators (2 E, 1 I); row 0 unsorted with an I source first.
    const CsrNetwork net = CsrNetwork::from_csr(2, 1, {0, 2, 3, 3}, {2, 1, 0}, {0.5, 2.0, 1.0});
    CHECK((net.indices == std::vector<std::int32_t>{1, 2, 0}));
    CHECK((net.weights == std::vector<double>{2.0, 0.5, 1.0}));  // weights follow the sort
    CHECK((net.e_end == std::vector<std::int64_t>{1, 3, 3}));
    CHECK(net.n_edges() == 3);

    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1}, {0}, {}), "indptr");          // N + 1
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 2, 1, 2}, {0, 1}, {}), "indptr");    // decreasing
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {1, 1, 1, 2}, {0, 1}, {}), "indptr");    // not from 0
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1, 1}, {3}, {}), "out of range");
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1, 1}, {-1}, {}), "out of range");
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 2, 2, 2}, {1, 1}, {}), "duplicate");
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1, 1}, {1}, {1.0, 2.0}), "weights");
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1, 1}, {1},
                                      {std::numeric_limits<double>::infinity()}),
                 "weights");
    CHECK_THROWS(CsrNetwork::from_csr(-1, 1, {0}, {}, {}), "population");
}

void test_random_networks() {
    const RandomBlocks rule = fixed_degree_rule(7, 3, 99);
    const CsrNetwork one = CsrNetwork::random(rule, 1);
    const CsrNetwork four = CsrNetwork::random(rule, 4);
    CHECK(one.indices == four.indices && one.indptr == four.indptr);  // thread-independent
    CHECK(one.n_edges() == 10 * (n_e + n_i));
    bool rows_ok = true;
    for (std::int64_t i = 0; i < n_e + n_i; ++i) {
        const auto begin = one.indptr[static_cast<std::size_t>(i)];
        const auto end = one.indptr[static_cast<std::size_t>(i + 1)];
        const auto split = one.e_end[static_cast<std::size_t>(i)];
        rows_ok = rows_ok && split - begin == 7 && end - split == 3;
        for (auto k = begin; k < end; ++k) {
            const auto j = one.indices[static_cast<std::size_t>(k)];
            rows_ok = rows_ok && j != i && j >= 0 && j < n_e + n_i;  // no self-connection
            if (k > begin) rows_ok = rows_ok && j > one.indices[static_cast<std::size_t>(k - 1)];
            rows_ok = rows_ok && ((k < split) == (j < n_e));
        }
    }
    CHECK(rows_ok);
    CHECK(CsrNetwork::estimate_random_bytes(rule) >= one.memory_bytes());

    CHECK_THROWS(CsrNetwork::random(fixed_degree_rule(n_e, 3, 1), 1), "k_ee");  // > n_e - 1
    CHECK_THROWS(CsrNetwork::random(fixed_degree_rule(-1, 3, 1), 1), "k_ee");
    RandomBlocks bad_probability = rule;
    bad_probability.blocks[3] = BlockSpec{false, 0, 1.5};
    CHECK_THROWS(CsrNetwork::random(bad_probability, 1), "p_ii");
    bad_probability.blocks[3] = BlockSpec{false, 0, std::numeric_limits<double>::quiet_NaN()};
    CHECK_THROWS(CsrNetwork::random(bad_probability, 1), "p_ii");

    // Absurd sizes saturate instead of wrapping around (the memory guard relies on it).
    RandomBlocks huge = fixed_degree_rule(0, 0, 1);
    huge.n_e = std::numeric_limits<std::int32_t>::max();
    huge.blocks[0].in_degree = std::numeric_limits<std::int32_t>::max() - 1;
    CHECK(CsrNetwork::estimate_random_bytes(huge) == std::numeric_limits<std::int64_t>::max());
}

void test_invalid_models_and_settings() {
    const auto phases = initial_phases();
    auto build = [&](Model model, RunSettings settings, std::vector<double> initial) {
        Simulation simulation(std::move(model), settings, std::move(initial));
    };
    Model short_omega = make_model(0.0, false, nullptr);
    short_omega.omega.pop_back();
    CHECK_THROWS(build(short_omega, make_settings(false, 1), phases), "frequencies");
    Model nan_omega = make_model(0.0, false, nullptr);
    nan_omega.omega[3] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS(build(nan_omega, make_settings(false, 1), phases), "frequencies");
    CHECK_THROWS(build(make_model(-0.1, false, nullptr), make_settings(true, 1), phases), "noise");
    CHECK_THROWS(build(make_model(0.2, false, nullptr), make_settings(false, 1), phases), "rk4");

    RunSettings settings = make_settings(false, 1);
    settings.dt = 0.0;
    CHECK_THROWS(build(make_model(0.0, false, nullptr), settings, phases), "dt");
    settings = make_settings(false, 1);
    settings.dt = std::numeric_limits<double>::infinity();
    CHECK_THROWS(build(make_model(0.0, false, nullptr), settings, phases), "dt");
    settings = make_settings(false, 1);
    settings.record_every = 0;
    CHECK_THROWS(build(make_model(0.0, false, nullptr), settings, phases), "record_every");
    settings = make_settings(false, 1);
    settings.snapshot_every = -1;
    CHECK_THROWS(build(make_model(0.0, false, nullptr), settings, phases), "snapshot_every");
    settings = make_settings(false, 1);
    settings.n_steps = -5;
    CHECK_THROWS(build(make_model(0.0, false, nullptr), settings, phases), "n_steps");
    settings = make_settings(false, 1);
    settings.frequency_from_step = settings.n_steps + 1;
    CHECK_THROWS(build(make_model(0.0, false, nullptr), settings, phases), "transient");
    // Recordings whose size overflows: refused, never a too-small allocation.
    settings = make_settings(false, 1);
    settings.n_steps = std::numeric_limits<std::int64_t>::max() / 2;
    settings.record_every = std::numeric_limits<std::int64_t>::max() / 4;
    settings.snapshot_every = 1;
    CHECK_THROWS(build(make_model(0.0, false, nullptr), settings, phases), "snapshot_every");

    auto short_phases = phases;
    short_phases.pop_back();
    CHECK_THROWS(build(make_model(0.0, false, nullptr), make_settings(false, 1), short_phases), "initial");
    auto nan_phases = phases;
    nan_phases[0] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS(build(make_model(0.0, false, nullptr), make_settings(false, 1), nan_phases), "initial");

    // A network of other sizes than the model.
    auto other = std::make_shared<const CsrNetwork>(CsrNetwork::from_csr(2, 1, {0, 0, 0, 0}, {}, {}));
    CHECK_THROWS(build(make_model(0.0, false, other), make_settings(false, 1), phases), "network");

    // Estimates saturate rather than overflow.
    RunSettings absurd;
    absurd.n_steps = std::numeric_limits<std::int64_t>::max() / 2;
    absurd.record_every = 1;
    absurd.snapshot_every = 1;
    CHECK(Simulation::estimate_bytes(std::numeric_limits<std::int32_t>::max(), absurd) ==
          std::numeric_limits<std::int64_t>::max());
    CHECK(Simulation::estimate_bytes(100, make_settings(false, 1)) > 0);
}

/// Run to the end in one go, or stop at `stop`, checkpoint, restore into a fresh
/// Simulation (other thread count) and finish: every output must be identical.
void test_restore_is_bit_identical(double noise, bool modulated, bool sparse) {
    std::shared_ptr<const CsrNetwork> network;
    if (sparse) network = std::make_shared<const CsrNetwork>(CsrNetwork::random(fixed_degree_rule(6, 2, 5), 1));
    const bool noisy = noise > 0;
    Simulation whole(make_model(noise, modulated, network), make_settings(noisy, 1), initial_phases());
    while (!whole.finished()) whole.advance(13);

    for (const std::int64_t stop : {std::int64_t{0}, std::int64_t{1}, std::int64_t{36}, std::int64_t{100},
                                    std::int64_t{157}}) {
        Simulation first(make_model(noise, modulated, network), make_settings(noisy, 2), initial_phases());
        first.advance(stop);
        const auto rows = static_cast<std::size_t>(3 * first.n_records());
        const std::vector<std::complex<double>> records(first.z_records().begin(),
                                                        first.z_records().begin() +
                                                            static_cast<std::ptrdiff_t>(rows));
        const auto snapshot_values = static_cast<std::size_t>(first.n_snapshots() * (n_e + n_i));
        const std::vector<double> snapshots(first.snapshots().begin(),
                                            first.snapshots().begin() +
                                                static_cast<std::ptrdiff_t>(snapshot_values));

        // A fresh simulation from different initial phases: restore must replace them.
        Simulation resumed(make_model(noise, modulated, network), make_settings(noisy, 3),
                           std::vector<double>(static_cast<std::size_t>(n_e + n_i), 1.0));
        resumed.restore(first.step(), first.phases(), records, snapshots, first.displacement());
        while (!resumed.finished()) resumed.advance(7);

        const std::string label = "noise=" + std::to_string(noise) + " modulated=" +
                                  std::to_string(modulated) + " sparse=" + std::to_string(sparse) +
                                  " stop=" + std::to_string(stop);
        check(resumed.phases() == whole.phases(), "phases identical, " + label, __LINE__);
        check(resumed.z_records() == whole.z_records(), "records identical, " + label, __LINE__);
        check(resumed.snapshots() == whole.snapshots(), "snapshots identical, " + label, __LINE__);
        check(resumed.mean_frequencies() == whole.mean_frequencies(),
              "mean frequencies identical, " + label, __LINE__);
    }
}

void test_restore_refuses_bad_checkpoints() {
    Simulation simulation(make_model(0.0, false, nullptr), make_settings(false, 1), initial_phases());
    simulation.advance(10);
    const auto phases = simulation.phases();
    const std::vector<std::complex<double>> records(
        simulation.z_records().begin(),
        simulation.z_records().begin() + 3 * static_cast<std::ptrdiff_t>(simulation.n_records()));
    const std::vector<double> snapshots(
        simulation.snapshots().begin(),
        simulation.snapshots().begin() +
            static_cast<std::ptrdiff_t>(simulation.n_snapshots() * (n_e + n_i)));
    const auto displacement = simulation.displacement();

    Simulation target(make_model(0.0, false, nullptr), make_settings(false, 1), initial_phases());
    CHECK_THROWS(target.restore(-1, phases, records, snapshots, displacement), "step");
    CHECK_THROWS(target.restore(10'000, phases, records, snapshots, displacement), "step");
    CHECK_THROWS(target.restore(12, phases, records, snapshots, displacement), "recordings");
    auto short_phases = phases;
    short_phases.pop_back();
    CHECK_THROWS(target.restore(10, short_phases, records, snapshots, displacement), "phases");
    auto nan_phases = phases;
    nan_phases[2] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS(target.restore(10, nan_phases, records, snapshots, displacement), "phases");
    auto unwrapped = phases;
    unwrapped[2] = 100.0;  // the run keeps phases wrapped
    CHECK_THROWS(target.restore(10, unwrapped, records, snapshots, displacement), "phases");
    auto extra = snapshots;
    extra.push_back(0.0);
    CHECK_THROWS(target.restore(10, phases, records, extra, displacement), "snapshots");
    CHECK_THROWS(target.restore(10, phases, records, snapshots, {}), "frequency");
    // The failed attempts left the target untouched and usable.
    CHECK(target.step() == 0);
    target.restore(10, phases, records, snapshots, displacement);
    CHECK(target.step() == 10 && same(target.phases(), phases));
}

void test_noise_does_not_depend_on_threads() {
    Simulation one(make_model(0.3, true, nullptr), make_settings(true, 1), initial_phases());
    Simulation many(make_model(0.3, true, nullptr), make_settings(true, 4), initial_phases());
    one.advance(1000);
    many.advance(1000);
    CHECK(one.phases() == many.phases() && one.z_records() == many.z_records());
    // Counter-based: the normal of (oscillator, step) is a pure function of the seed.
    const auto key = eikura::stream_key(7, eikura::Purpose::noise, 3);
    CHECK(eikura::standard_normal(key, 12) == eikura::standard_normal(key, 12));
    CHECK(std::isfinite(eikura::standard_normal(key, 0)));
}


// The tiled edge order (GatherTiles) must give the same network and, because every row
// still adds its sources in ascending order, bit-identical derivatives.
std::vector<double> derivative_of(const Model& model, int threads, bool float32_tables = false) {
    eikura::RightHandSide rhs(model, threads, float32_tables);
    std::vector<double> theta, out(static_cast<std::size_t>(model.size()));
    for (std::int64_t i = 0; i < model.size(); ++i) theta.push_back(std::fmod(2.3 * double(i) + 0.1 * double(i * i % 7), 6.0));
    rhs.evaluate(theta.data(), nullptr, 0.0, nullptr, 0.3, out.data());
    // A second evaluation must not see anything left over from the first (scratch sums).
    std::vector<double> again(out.size());
    rhs.evaluate(theta.data(), nullptr, 0.0, nullptr, 0.3, again.data());
    CHECK(again == out);
    return out;
}

void check_tiling(std::int64_t ne, std::int64_t ni, const CsrNetwork& plain, int row_bits, int source_bits) {
    CsrNetwork tiled = plain;
    tiled.tile(row_bits, source_bits, 2);
    CHECK(tiled.tiled() && !plain.tiled());
    CHECK(tiled.csr_indices() == plain.indices);
    CHECK(tiled.csr_weights() == plain.weights);
    CHECK(tiled.n_edges() == plain.n_edges());
    for (const auto normalization :
         {eikura::Normalization::in_degree, eikura::Normalization::population, eikura::Normalization::none}) {
        Model a = make_model(0.0, true, std::make_shared<CsrNetwork>(plain));
        Model b = make_model(0.0, true, std::make_shared<CsrNetwork>(tiled));
        for (Model* m : {&a, &b}) {
            m->n_e = ne;
            m->n_i = ni;
            m->omega.assign(static_cast<std::size_t>(ne + ni), 0.25);
            m->normalization = normalization;
        }
        const auto expected = derivative_of(a, 1);
        CHECK(derivative_of(b, 1) == expected);
        CHECK(derivative_of(b, 3) == expected);
        // float sin/cos tables: the same across layouts and threads, and within float
        // rounding (about 6e-8 relative per value) of the double result.
        const auto single = derivative_of(a, 1, true);
        CHECK(derivative_of(b, 3, true) == single);
        double worst = 0.0;
        for (std::size_t i = 0; i < single.size(); ++i) worst = std::max(worst, std::abs(single[i] - expected[i]));
        CHECK(worst < 1e-5 && (single != expected || plain.n_edges() == 0));
    }
}

void test_tiled_gather() {
    // A random network with blocks and tiles that do not divide N, an isolated row, an
    // ER block (rows of unequal length), and weights.
    const std::int64_t ne = 203, ni = 61;
    RandomBlocks rule;
    rule.n_e = ne;
    rule.n_i = ni;
    rule.blocks[0] = BlockSpec{true, 30, 0.0};
    rule.blocks[1] = BlockSpec{false, 0, 0.2};
    rule.blocks[2] = BlockSpec{true, 25, 0.0};
    rule.blocks[3] = BlockSpec{true, 9, 0.0};
    rule.seed = 5;
    const CsrNetwork drawn = CsrNetwork::random(rule, 2);
    CHECK(!drawn.tiled());  // small: stays in plain CSR order
    for (const auto& [row_bits, source_bits] : std::vector<std::pair<int, int>>{{3, 4}, {5, 6}, {1, 1}, {9, 9}})
        check_tiling(ne, ni, drawn, row_bits, source_bits);

    std::vector<double> weights;
    for (std::int64_t e = 0; e < drawn.n_edges(); ++e) weights.push_back(0.5 + std::sin(double(e)));
    const CsrNetwork weighted = CsrNetwork::from_csr(ne, ni, drawn.indptr, drawn.indices, weights);
    check_tiling(ne, ni, weighted, 4, 5);

    // One population only (no I tiles), and a network without edges.
    const CsrNetwork only_e = CsrNetwork::from_csr(3, 0, {0, 2, 2, 3}, {1, 2, 0}, {});
    check_tiling(3, 0, only_e, 1, 1);
    const CsrNetwork no_edges = CsrNetwork::from_csr(2, 2, {0, 0, 0, 0, 0}, {}, {});
    check_tiling(2, 2, no_edges, 1, 1);

    CsrNetwork twice = drawn;
    twice.tile(3, 4, 1);
    bool refused = false;
    try {
        twice.tile(3, 4, 1);
    } catch (const std::logic_error&) {
        refused = true;
    }
    CHECK(refused);
    CsrNetwork copy = drawn;
    CHECK_THROWS(copy.tile(20, 10, 1), "row_bits");  // 30 bits: 2·row and 2·source need 32
}

void test_sin_cos() {
    std::vector<double> x;
    for (int j = -20000; j <= 20000; ++j) x.push_back(0.0025 * j + 1e-7 * (j % 13));
    for (double v : {0.0, -0.0, M_PI / 4, M_PI / 2, M_PI, 2 * M_PI, 1e3, -12345.678, 1.5e6, 1.7e6, -3e7, 1e300})
        x.push_back(v);
    const auto n = static_cast<std::int64_t>(x.size());
    std::vector<double> out(2 * x.size());
    std::vector<float> out_float(2 * x.size());
    eikura::sin_cos(x.data(), n, out.data());
    eikura::sin_cos(x.data(), n, out_float.data());
    double worst = 0.0;
    bool large_exact = true, float_is_rounded_double = true;
    for (std::size_t j = 0; j < x.size(); ++j) {
        const double sin_error = std::abs(out[2 * j] - std::sin(x[j]));
        const double cos_error = std::abs(out[2 * j + 1] - std::cos(x[j]));
        worst = std::max({worst, sin_error, cos_error});
        if (std::abs(x[j]) > 1.6e6) large_exact = large_exact && sin_error == 0.0 && cos_error == 0.0;
        float_is_rounded_double = float_is_rounded_double &&
                                  out_float[2 * j] == static_cast<float>(out[2 * j]) &&
                                  out_float[2 * j + 1] == static_cast<float>(out[2 * j + 1]);
    }
    CHECK(worst <= 2.3e-16);  // about an ulp of values of size 1
    CHECK(large_exact);
    CHECK(float_is_rounded_double);
    const double odd[3] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
    double odd_out[6];
    eikura::sin_cos(odd, 3, odd_out);
    bool all_nan = true;
    for (double v : odd_out) all_nan = all_nan && std::isnan(v);
    CHECK(all_nan);  // a diverged run must stay visibly non-finite
}

}  // namespace

int main() {
    test_schedules();
    test_user_csr();
    test_random_networks();
    test_invalid_models_and_settings();
    for (const double noise : {0.0, 0.2})
        for (const bool modulated : {false, true})
            for (const bool sparse : {false, true}) test_restore_is_bit_identical(noise, modulated, sparse);
    test_restore_refuses_bad_checkpoints();
    test_noise_does_not_depend_on_threads();
    test_tiled_gather();
    test_sin_cos();
    std::printf("eikura C++ core: %d checks, %d failed\n", checks, failures);
    return failures == 0 ? 0 : 1;
}

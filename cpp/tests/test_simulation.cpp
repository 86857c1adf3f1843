// Integration: invalid settings are refused, noisy runs do not depend on the thread count,
// a run restored from a checkpoint continues bit-identically, and an ensemble advances
// each member exactly as a run on its own.
#include <complex>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "check.hpp"
#include "eikura/random.hpp"
#include "eikura/simulation.hpp"
#include "fixtures.hpp"

namespace {

using eikura::CsrNetwork;
using eikura::Method;
using eikura::Model;
using eikura::RunSettings;
using eikura::Simulation;
using eikura_test::fixed_degree_rule;
using eikura_test::initial_phases;
using eikura_test::make_model;
using eikura_test::make_settings;
using eikura_test::n_e;
using eikura_test::n_i;

void build(Model model, RunSettings settings, std::vector<double> initial) {
    Simulation simulation(std::move(model), settings, std::move(initial));
}

void test_invalid_settings() {
    const auto phases = initial_phases();
    CHECK_THROWS(build(make_model(0.2, false, nullptr), make_settings(false, 1), phases), "rk4");
    CHECK_THROWS(build(make_model(-0.1, false, nullptr), make_settings(true, 1), phases), "noise");

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

    // Estimates saturate rather than overflow.
    RunSettings absurd;
    absurd.n_steps = std::numeric_limits<std::int64_t>::max() / 2;
    absurd.record_every = 1;
    absurd.snapshot_every = 1;
    CHECK_EQ(Simulation::estimate_bytes(std::numeric_limits<std::int32_t>::max(), absurd),
             std::numeric_limits<std::int64_t>::max());
    CHECK_LE(1, Simulation::estimate_bytes(100, make_settings(false, 1)));
}

/// The recordings so far, cut to what has been recorded.
std::vector<std::complex<double>> records_of(const Simulation& simulation) {
    return {simulation.z_records().begin(),
            simulation.z_records().begin() + 3 * static_cast<std::ptrdiff_t>(simulation.n_records())};
}

std::vector<double> snapshots_of(const Simulation& simulation) {
    return {simulation.snapshots().begin(),
            simulation.snapshots().begin() + static_cast<std::ptrdiff_t>(simulation.n_snapshots() * (n_e + n_i))};
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
        const eikura_test::Context context("noise " + std::to_string(noise) + ", modulated " +
                                           std::to_string(modulated) + ", sparse " + std::to_string(sparse) +
                                           ", stopped at step " + std::to_string(stop));
        Simulation first(make_model(noise, modulated, network), make_settings(noisy, 2), initial_phases());
        first.advance(stop);
        // A fresh simulation from different initial phases: restore must replace them.
        Simulation resumed(make_model(noise, modulated, network), make_settings(noisy, 3),
                           std::vector<double>(static_cast<std::size_t>(n_e + n_i), 1.0));
        resumed.restore(first.step(), first.phases(), records_of(first), snapshots_of(first), first.displacement());
        while (!resumed.finished()) resumed.advance(7);

        CHECK_EQ(resumed.phases(), whole.phases());
        CHECK_EQ(resumed.z_records(), whole.z_records());
        CHECK_EQ(resumed.snapshots(), whole.snapshots());
        CHECK_EQ(resumed.mean_frequencies(), whole.mean_frequencies());
    }
}

void test_restore_refuses_bad_checkpoints() {
    Simulation simulation(make_model(0.0, false, nullptr), make_settings(false, 1), initial_phases());
    simulation.advance(10);
    const auto phases = simulation.phases();
    const auto records = records_of(simulation);
    const auto snapshots = snapshots_of(simulation);
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
    CHECK_EQ(target.step(), 0);
    target.restore(10, phases, records, snapshots, displacement);
    CHECK_EQ(target.step(), 10);
    CHECK_EQ(target.phases(), phases);
}

void test_noise_does_not_depend_on_threads() {
    Simulation one(make_model(0.3, true, nullptr), make_settings(true, 1), initial_phases());
    Simulation many(make_model(0.3, true, nullptr), make_settings(true, 4), initial_phases());
    one.advance(1000);
    many.advance(1000);
    CHECK_EQ(one.phases(), many.phases());
    CHECK_EQ(one.z_records(), many.z_records());
    // Counter-based: the normal of (oscillator, step) is a pure function of the seed.
    const auto key = eikura::stream_key(7, eikura::Purpose::noise, 3);
    CHECK_EQ(eikura::standard_normal(key, 12), eikura::standard_normal(key, 12));
    CHECK(std::isfinite(eikura::standard_normal(key, 0)));
}

void test_ensemble_equals_single_runs() {
    // Members of different cost and kind: all-to-all, sparse, noisy Euler.
    auto sparse = std::make_shared<const CsrNetwork>(CsrNetwork::random(fixed_degree_rule(6, 2, 5), 1));
    std::vector<std::unique_ptr<Simulation>> members, alone;
    for (auto* list : {&members, &alone}) {
        RunSettings euler = make_settings(true, 1);
        euler.method = Method::euler;
        list->push_back(std::make_unique<Simulation>(make_model(0.0, true, nullptr), make_settings(false, 1),
                                                     initial_phases()));
        list->push_back(std::make_unique<Simulation>(make_model(0.0, false, sparse), make_settings(false, 1),
                                                     initial_phases()));
        list->push_back(std::make_unique<Simulation>(make_model(0.4, false, nullptr), euler, initial_phases()));
    }
    std::vector<Simulation*> pointers;
    for (auto& member : members) pointers.push_back(member.get());
    eikura::advance_ensemble(pointers, 100, 2);
    eikura::advance_ensemble(pointers, 1000, 3);  // to the end (157 steps)
    for (std::size_t m = 0; m < members.size(); ++m) {
        const eikura_test::Context context("member " + std::to_string(m));
        alone[m]->advance(1000);
        CHECK(members[m]->finished());
        CHECK_EQ(members[m]->phases(), alone[m]->phases());
        CHECK_EQ(members[m]->z_records(), alone[m]->z_records());
    }
    auto threaded = std::make_unique<Simulation>(make_model(0.0, false, nullptr), make_settings(false, 2),
                                                 initial_phases());
    CHECK_THROWS(eikura::advance_ensemble({threaded.get()}, 10, 2), "single-threaded");
}

}  // namespace

int main() {
    test_invalid_settings();
    for (const double noise : {0.0, 0.2})
        for (const bool modulated : {false, true})
            for (const bool sparse : {false, true}) test_restore_is_bit_identical(noise, modulated, sparse);
    test_restore_refuses_bad_checkpoints();
    test_noise_does_not_depend_on_threads();
    test_ensemble_equals_single_runs();
    return eikura_test::report("simulation");
}

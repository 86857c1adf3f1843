#pragma once
/// Small models, runs and networks shared by the C++ tests of several modules.
#include <cmath>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "eikura/model.hpp"
#include "eikura/network.hpp"
#include "eikura/schedule.hpp"
#include "eikura/simulation.hpp"

namespace eikura_test {

constexpr std::int64_t n_e = 40, n_i = 10;

/// n_e + n_i oscillators, distinct frequencies; `modulated`: K_EE a sinusoid and K_IE a
/// ramp, so that time-dependent couplings are exercised.
inline eikura::Model make_model(double noise, bool modulated,
                                std::shared_ptr<const eikura::CsrNetwork> network) {
    using eikura::Schedule;
    eikura::Model model;
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

/// 157 steps recorded every 4, snapshots every 9, frequencies averaged from step 20.
inline eikura::RunSettings make_settings(bool noisy, int threads) {
    eikura::RunSettings settings;
    settings.method = noisy ? eikura::Method::heun : eikura::Method::rk4;
    settings.dt = 0.01;
    settings.n_steps = 157;
    settings.record_every = 4;
    settings.snapshot_every = 9;
    settings.frequency_from_step = 20;
    settings.seed = 12345678901234567ULL;
    settings.threads = threads;
    return settings;
}

inline std::vector<double> initial_phases(std::int64_t n = n_e + n_i) {
    std::vector<double> phases;
    for (std::int64_t i = 0; i < n; ++i) phases.push_back(std::fmod(2.3 * double(i), 6.0));
    return phases;
}

/// Fixed in-degree k_e from E and k_i from I onto every oscillator.
inline eikura::RandomBlocks fixed_degree_rule(std::int64_t k_e, std::int64_t k_i, std::uint64_t seed,
                                              std::int64_t e = n_e, std::int64_t i = n_i) {
    eikura::RandomBlocks rule;
    rule.n_e = e;
    rule.n_i = i;
    for (int b = 0; b < 4; ++b) {
        rule.blocks[b].fixed_degree = true;
        rule.blocks[b].in_degree = (b == 0 || b == 2) ? k_e : k_i;
    }
    rule.seed = seed;
    return rule;
}

/// Phases that are not evenly spread (so that no sum cancels by symmetry).
inline std::vector<double> irregular_phases(std::int64_t n) {
    std::vector<double> theta;
    for (std::int64_t i = 0; i < n; ++i) theta.push_back(std::fmod(2.3 * double(i) + 0.1 * double(i * i % 7), 6.0));
    return theta;
}

}  // namespace eikura_test

#pragma once
/// The EI-Kuramoto model (SPEC §1): what defines dθ/dt; RightHandSide (rhs.hpp) evaluates it.
#include <cstdint>
#include <memory>
#include <vector>

#include "eikura/network.hpp"
#include "eikura/schedule.hpp"

namespace eikura {

/// An external periodic drive F(t) sin(Ω t + φ − θ_i) on the oscillators it targets.
struct Drive {
    Schedule amplitude;                 // F(t) >= 0
    double frequency = 0.0;             // Ω
    double phase = 0.0;                 // φ
    std::vector<std::uint8_t> targets;  // 1 for a driven oscillator, size N (E first)
};

/// Everything that defines dθ/dt; oscillators stored E first, then I.
struct Model {
    std::int64_t n_e = 0;
    std::int64_t n_i = 0;
    std::vector<double> omega;     // natural frequencies ω_i, size N
    CouplingSchedules couplings;   // K_EE, K_EI, K_IE, K_II (post, pre), maybe time-varying
    PhaseLags phase_lags;          // α_EE, α_EI, α_IE, α_II; all 0: the plain model
    TransmissionDelays delays;     // τ_EE, τ_EI, τ_IE, τ_II; all 0: the plain model
    std::vector<Drive> drives;     // external drives (none: the plain model)
    double noise_e = 0.0;          // D_E
    double noise_i = 0.0;          // D_I
    std::shared_ptr<const CsrNetwork> network;     // stored sparse network, or
    std::shared_ptr<const RandomBlocks> procedural;  // one redrawn at every evaluation;
                                                      // both null: all-to-all (mean fields)
    Normalization normalization = Normalization::in_degree;

    std::int64_t size() const { return n_e + n_i; }
    bool all_to_all() const { return network == nullptr && procedural == nullptr; }
    bool has_noise() const { return noise_e > 0.0 || noise_i > 0.0; }

    /// Throws std::invalid_argument when the parts do not fit together.
    void validate() const;
};

}  // namespace eikura

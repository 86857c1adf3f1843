#pragma once
/// The model equation, written once: every way RightHandSide evaluates dθ/dt (rows of a
/// stored network, tiled or not, rows of a procedural network, all-to-all mean fields)
/// ends in the functions of this header.
///
/// For oscillator i in population X ∈ {E, I} (deterministic part; the integrator adds
/// the noise sqrt(2 D_X) ξ_i):
///
///     dθ_i/dt = ω_i + K_XE c_i^E − K_XI c_i^I
///     c_i^Y   = (1 / n_i^Y) Σ_{j ∈ Y, j→i} w_ij sin(θ_j − θ_i)
///             = (1 / n_i^Y) [ (Σ w_ij sin θ_j) cos θ_i − (Σ w_ij cos θ_j) sin θ_i ]
///
/// The second form is why an evaluation takes sin θ_j and cos θ_j once per oscillator:
/// a row then only sums precomputed values (no sin per edge). For all-to-all coupling the
/// sums are the same for every row, see phase_velocity_all_to_all.
///
/// With phase lags α_XY the coupling of block XY reads K_XY sin(θ_j − θ_i − α_XY): see
/// phase_velocity_lagged. Zero lags take the unlagged functions, bit for bit as before.
///
/// The order of the floating-point operations here fixes the bits of every result:
/// change it only on purpose (tools/golden_outputs.py records them).
#include <cmath>

#include "eikura/network.hpp"   // Normalization
#include "eikura/schedule.hpp"  // Couplings

namespace eikura::detail {

/// Σ_{j ∈ Y, j→i} w_ij sin θ_j and Σ w_ij cos θ_j over oscillator i's inputs, Y = E, I.
struct InputSums {
    double sin_e, cos_e, sin_i, cos_i;
};

/// 1 / n_i^E and 1 / n_i^I.
struct InverseNorms {
    double e, i;
};

/// The normalisation n_i^Y: the in-degree of i from Y (so that a sparse network has the
/// mean-field limit of the all-to-all one), the population size N_Y, or 1 (a raw
/// weighted sum, for users who bring their own weights). A row without inputs from Y
/// gets 1/n = 0: its sum is empty, and 0 keeps it from turning into 0/0.
inline InverseNorms inverse_norms(Normalization normalization, double in_degree_e,
                                  double in_degree_i, double n_e, double n_i) {
    double norm_e = 1.0, norm_i = 1.0;
    if (normalization == Normalization::in_degree) norm_e = in_degree_e, norm_i = in_degree_i;
    if (normalization == Normalization::population) norm_e = n_e, norm_i = n_i;
    return {norm_e > 0.0 ? 1.0 / norm_e : 0.0, norm_i > 0.0 ? 1.0 / norm_i : 0.0};
}

/// K_XE and K_XI: the strengths of the inputs from E and from I onto population X.
struct InputStrengths {
    double from_e, from_i;
};

inline InputStrengths strengths_onto(const Couplings& k, bool excitatory) {
    return excitatory ? InputStrengths{k.ee, k.ei} : InputStrengths{k.ie, k.ii};
}

/// dθ_i/dt = ω_i + K_XE c_i^E − K_XI c_i^I from the sums over i's inputs.
inline double phase_velocity(double omega_i, InputStrengths k, InverseNorms inverse_norm,
                             const InputSums& sums, double sin_theta_i, double cos_theta_i) {
    const double c_e = inverse_norm.e * (sums.sin_e * cos_theta_i - sums.cos_e * sin_theta_i);
    const double c_i = inverse_norm.i * (sums.sin_i * cos_theta_i - sums.cos_i * sin_theta_i);
    return omega_i + k.from_e * c_e - k.from_i * c_i;
}

/// All-to-all coupling: every oscillator of Y is an input of every i, so with the
/// (normalised) mean field Z_Y = (1 / n^Y) Σ_{j ∈ Y} e^{iθ_j}, c_i^Y = Im[Z_Y e^{−iθ_i}]
/// and
///
///     dθ_i/dt = ω_i + Im[H_X e^{−iθ_i}],   H_X = K_XE Z_E − K_XI Z_I,
///
/// one H_X per population: O(N) per evaluation instead of O(N²). (The same equation as
/// phase_velocity, with the sums taken once for all rows; its rounding differs.)
struct MeanField {
    double re, im;
};

/// H_X = K_XE Z_E − K_XI Z_I.
inline MeanField mean_field_drive(InputStrengths k, MeanField z_e, MeanField z_i) {
    return {k.from_e * z_e.re - k.from_i * z_i.re, k.from_e * z_e.im - k.from_i * z_i.im};
}

/// dθ_i/dt = ω_i + Im[H_X e^{−iθ_i}] = ω_i + Im(H_X) cos θ_i − Re(H_X) sin θ_i.
inline double phase_velocity_all_to_all(double omega_i, MeanField drive, double sin_theta_i,
                                        double cos_theta_i) {
    return omega_i + drive.im * cos_theta_i - drive.re * sin_theta_i;
}

/// An external drive F sin(Ωt + φ − θ_i) = Im[F e^{i(Ωt + φ)} e^{−iθ_i}]: the same form as
/// the mean-field term, with the forcing F e^{i(Ωt + φ)} in place of H_X.
inline double drive_term(MeanField forcing, double sin_theta_i, double cos_theta_i) {
    return forcing.im * cos_theta_i - forcing.re * sin_theta_i;
}

/// K_XY e^{−iα_XY} for the inputs from E and from I onto one population: a phase lag
/// only rotates each block's strength in the complex plane.
struct LaggedStrengths {
    MeanField from_e, from_i;
};

inline LaggedStrengths lagged_strengths_onto(const Couplings& k, const PhaseLags& lag,
                                             bool excitatory) {
    const InputStrengths s = strengths_onto(k, excitatory);
    const double lag_e = excitatory ? lag.ee : lag.ie, lag_i = excitatory ? lag.ei : lag.ii;
    return {{s.from_e * std::cos(lag_e), -s.from_e * std::sin(lag_e)},
            {s.from_i * std::cos(lag_i), -s.from_i * std::sin(lag_i)}};
}

/// H = K_XE e^{−iα_XE} Z_E − K_XI e^{−iα_XI} Z_I (complex products).
inline MeanField mean_field_drive(const LaggedStrengths& k, MeanField z_e, MeanField z_i) {
    const double re_e = k.from_e.re * z_e.re - k.from_e.im * z_e.im;
    const double im_e = k.from_e.re * z_e.im + k.from_e.im * z_e.re;
    const double re_i = k.from_i.re * z_i.re - k.from_i.im * z_i.im;
    const double im_i = k.from_i.re * z_i.im + k.from_i.im * z_i.re;
    return {re_e - re_i, im_e - im_i};
}

/// The model equation with phase lags:
///
///     dθ_i/dt = ω_i + K_XE c_i^E(α_XE) − K_XI c_i^I(α_XI),
///     c_i^Y(α) = (1 / n_i^Y) Σ w_ij sin(θ_j − θ_i − α) = Im[e^{−iα} Z_i^Y e^{−iθ_i}],
///
/// with the row's own mean field Z_i^Y = (1 / n_i^Y) Σ w_ij e^{iθ_j} (from the same sums
/// as phase_velocity). sin(x − α) = sin x cos α − cos x sin α costs a few products per
/// row, never a sin per edge.
inline double phase_velocity_lagged(double omega_i, const LaggedStrengths& k,
                                    InverseNorms inverse_norm, const InputSums& sums,
                                    double sin_theta_i, double cos_theta_i) {
    const MeanField z_e{inverse_norm.e * sums.cos_e, inverse_norm.e * sums.sin_e};
    const MeanField z_i{inverse_norm.i * sums.cos_i, inverse_norm.i * sums.sin_i};
    return phase_velocity_all_to_all(omega_i, mean_field_drive(k, z_e, z_i), sin_theta_i,
                                     cos_theta_i);
}

}  // namespace eikura::detail

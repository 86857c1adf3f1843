#pragma once
/// The adaptive, error-controlled integrator's two pieces that do not touch the model:
/// the Dormand–Prince 5(4) tableau and the step-size controller. Simulation runs the
/// stages (simulation.cpp); keeping these here lets the C++ tests check them alone.
///
/// Dormand & Prince (1980), "A family of embedded Runge-Kutta formulae", J. Comput.
/// Appl. Math. 6, 19-26; Hairer, Nørsett & Wanner, Solving ODEs I, §II.4-5.
#include <algorithm>
#include <cmath>

namespace eikura {

/// The Dormand–Prince 5(4) pair. Seven stages, of which the last is evaluated at the new
/// state (first same as last, FSAL): an accepted step costs six evaluations. The solution
/// advances with the fifth-order weights (local extrapolation); the difference to the
/// embedded fourth-order solution, h Σ_j e_j k_j, estimates the local error.
namespace dopri5 {

/// Stage times t + c_i h.
constexpr double c2 = 1.0 / 5, c3 = 3.0 / 10, c4 = 4.0 / 5, c5 = 8.0 / 9;

/// Stage j + 1 is evaluated at θ + h Σ_{m ≤ j} a_{j+1,m} k_m.
constexpr double a21 = 1.0 / 5;
constexpr double a31 = 3.0 / 40, a32 = 9.0 / 40;
constexpr double a41 = 44.0 / 45, a42 = -56.0 / 15, a43 = 32.0 / 9;
constexpr double a51 = 19372.0 / 6561, a52 = -25360.0 / 2187, a53 = 64448.0 / 6561,
                 a54 = -212.0 / 729;
constexpr double a61 = 9017.0 / 3168, a62 = -355.0 / 33, a63 = 46732.0 / 5247,
                 a64 = 49.0 / 176, a65 = -5103.0 / 18656;

/// Fifth-order weights (b2 = b7 = 0); the seventh stage is evaluated at this solution.
constexpr double b1 = 35.0 / 384, b3 = 500.0 / 1113, b4 = 125.0 / 192, b5 = -2187.0 / 6784,
                 b6 = 11.0 / 84;

/// e_j = b_j − b̂_j, the fifth- minus the fourth-order weights (e2 = 0).
constexpr double e1 = 71.0 / 57600, e3 = -71.0 / 16695, e4 = 71.0 / 1920,
                 e5 = -17253.0 / 339200, e6 = 22.0 / 525, e7 = -1.0 / 40;

/// The order that sets how the error scales with h (the embedded solution's, plus one).
constexpr double error_order = 5.0;

}  // namespace dopri5

/// The step-size controller of an embedded pair: accepts a step when the scaled error
/// norm is at most 1 and proposes the next step from it,
///
///     h_next = h · clamp(safety · err^(−1/5), min_factor, max_factor),
///
/// the classical elementary controller (Hairer, Nørsett & Wanner I, eq. II.4.13). The
/// safety factor aims a little below the tolerance, so most steps are accepted; the
/// clamp keeps one lucky (or unlucky) estimate from changing h by more than ×5 or ÷5;
/// right after a rejection the step may not grow, which stops accept/reject cycles.
/// Pure arithmetic on scalars: the same inputs give the same h on every thread count.
struct StepController {
    double safety = 0.9;
    double min_factor = 0.2;
    double max_factor = 5.0;

    /// A step with scaled error norm `error` is accepted iff error ≤ 1 (NaN: rejected).
    static bool accepts(double error) { return error <= 1.0; }

    /// The step to try after a step of size h with error norm `error`. A non-finite error
    /// (the stage phases overflowed) shrinks h as much as allowed.
    double next_step(double h, double error, bool after_rejection) const {
        const double most = after_rejection ? 1.0 : max_factor;
        if (!(error >= 0.0) || !std::isfinite(error)) return h * min_factor;
        if (error == 0.0) return h * most;
        const double factor = safety * std::pow(error, -1.0 / dopri5::error_order);
        return h * std::clamp(factor, min_factor, most);
    }
};

}  // namespace eikura

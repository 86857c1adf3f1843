#pragma once
/// Time-dependent coupling strengths K_XY(t) (SPEC §1), evaluated inside the integrator.
#include <algorithm>
#include <vector>

namespace eikura {

class Schedule {
  public:
    /// K(t) = value.
    static Schedule constant(double value);
    /// K(t) = max(0, mean + amplitude sin(2π t / period + phase)).
    static Schedule sinusoid(double mean, double amplitude, double period, double phase);
    /// Linear interpolation through (times[k], values[k]); constant outside the range.
    static Schedule piecewise_linear(std::vector<double> times, std::vector<double> values);

    double operator()(double t) const;
    bool is_constant() const { return kind_ == Kind::constant; }

  private:
    enum class Kind { constant, sinusoid, piecewise_linear };
    Kind kind_ = Kind::constant;
    double mean_ = 0.0, amplitude_ = 0.0, period_ = 1.0, phase_ = 0.0;
    std::vector<double> times_, values_;
};

/// The four strengths, K_post,pre.
struct Couplings {
    double ee = 0.0, ei = 0.0, ie = 0.0, ii = 0.0;
};

/// Phase lags α_XY (radians, K_post,pre order): block XY couples through
/// sin(θ_j − θ_i − α_XY).
struct PhaseLags {
    double ee = 0.0, ei = 0.0, ie = 0.0, ii = 0.0;
    bool any() const { return ee != 0.0 || ei != 0.0 || ie != 0.0 || ii != 0.0; }
};

/// Transmission delays τ_XY (time units, K_post,pre order): block XY couples through
/// sin(θ_j(t − τ_XY) − θ_i(t) − α_XY). DelayLine (delays.hpp) keeps the past they read.
struct TransmissionDelays {
    double ee = 0.0, ei = 0.0, ie = 0.0, ii = 0.0;
    bool any() const { return ee != 0.0 || ei != 0.0 || ie != 0.0 || ii != 0.0; }
    double longest() const { return std::max(std::max(ee, ei), std::max(ie, ii)); }
};

struct CouplingSchedules {
    Schedule ee, ei, ie, ii;
    Couplings at(double t) const { return {ee(t), ei(t), ie(t), ii(t)}; }
};

}  // namespace eikura

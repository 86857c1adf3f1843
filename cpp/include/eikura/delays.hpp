#pragma once
/// Transmission delays: the past phases that delayed couplings read.
///
/// With a delay τ_XY the coupling of block XY reads the sources at t − τ_XY:
///
///     K_XY sin(θ_j(t − τ_XY) − θ_i(t) − α_XY),
///
/// so by the identity of equation.hpp a row needs sin θ_j and cos θ_j at t − τ_XY, and
/// all-to-all coupling only the population sums Σ_{j∈Y} e^{iθ_j} at t − τ_XY. A DelayLine
/// keeps those of the last few steps in a ring (2N values per step for a network, 4 for
/// all-to-all: the O(N) mean-field path stays O(N)) and interpolates them to any stage
/// time t − τ with the cubic Lagrange polynomial through four consecutive stored steps.
/// The stencil never mixes steps before and after t = 0, where the history rule and the
/// solution join with a kink; a stage time on a stored step reads that step exactly.
#include <cstdint>
#include <vector>

#include "eikura/model.hpp"

namespace eikura {

class DelayLine {
  public:
    /// τ / dt, taken as the nearest whole number when within 1e-9 (relative) of it: a
    /// delay meant as a multiple of dt reads stored steps exactly.
    static double steps_of(double delay, double dt);
    /// Steps kept for a longest delay τ at step dt: ceil(τ / dt) + 3 (the newest step
    /// and the cubic stencil one step further back than τ; just after t = 0, while t − τ
    /// is still before 0, the stencil ends at step 0 and reaches three steps before it);
    /// 0 without delays.
    static std::int64_t slots(double longest, double dt);
    /// Bytes of the ring and of the scratch tables a run with these slots needs.
    static std::int64_t estimate_bytes(std::int64_t n, std::int64_t slots, bool all_to_all);

    DelayLine() = default;  // no delays
    /// `history`: the phases at t = −rows dt, …, −dt, row by row (rows × N); empty: the
    /// initial phases rotating at their natural frequencies, θ_j(t) = θ_j(0) + ω_j t.
    /// `initial` are the phases at t = 0.
    DelayLine(const Model& model, double dt, const std::vector<double>& initial,
              const std::vector<double>& history, int threads);

    bool active() const { return slots_ > 0; }
    std::int64_t newest() const { return newest_; }

    /// Store the phases of the step after the newest stored one.
    void push(const double* theta);
    /// The stage the next evaluations are at: t = (newest + fraction) dt, fraction in [0, 1].
    void set_stage(double fraction) { fraction_ = fraction; }

    /// out[2j], out[2j + 1] = sin θ_j, cos θ_j at t − delay_steps·dt, j in [begin, end)
    /// (network runs).
    void fill_sources(double delay_steps, std::int64_t begin, std::int64_t end, double* out) const;
    /// Σ cos θ_j, Σ sin θ_j over E, then over I, at t − delay_steps·dt (all-to-all runs).
    void population_sums(double delay_steps, double out[4]) const;

    /// For checkpoints: the stored steps, oldest first, and the first step with data.
    std::vector<double> state() const;
    std::int64_t oldest() const { return oldest_; }
    /// Restore what state() and oldest() gave, with `newest` the step the run is at.
    void restore(std::int64_t newest, std::int64_t oldest, const std::vector<double>& values);

  private:
    /// The stored steps first, …, first + count − 1 and their weights for the stage time
    /// t − delay_steps·dt.
    struct Stencil {
        std::int64_t first = 0;
        int count = 0;
        double weight[4] = {0.0, 0.0, 0.0, 0.0};
    };
    Stencil stencil(double delay_steps) const;
    const double* slot(std::int64_t step) const;
    double* slot(std::int64_t step);
    /// Write step `step`'s values (sin/cos table, or population sums) from its phases.
    void store(std::int64_t step, const double* theta);

    std::int64_t n_ = 0, n_e_ = 0;
    bool all_to_all_ = false;
    int threads_ = 1;
    std::int64_t slots_ = 0;   // steps kept
    std::int64_t width_ = 0;   // values per step: 2N (network) or 4 (all-to-all)
    std::int64_t newest_ = 0;  // the newest stored step
    std::int64_t oldest_ = 0;  // the first step with data (history may be shorter than the ring)
    double fraction_ = 0.0;
    std::vector<double> ring_;     // slots_ × width_
    std::vector<double> scratch_;  // all-to-all: sin/cos of one step's phases (2N)
    std::vector<double> chunk_sums_;  // all-to-all: 4 per reduction chunk
};

}  // namespace eikura

#pragma once
/// Integration of the model with recording: fixed-step Euler, Heun, RK4, and the
/// adaptive Dormand–Prince 5(4) pair for deterministic runs.
#include <complex>
#include <cstdint>
#include <vector>

#include "eikura/delays.hpp"
#include "eikura/model.hpp"
#include "eikura/rhs.hpp"

namespace eikura {

/// Deterministic: Euler, Heun, RK4. With noise, euler is Euler–Maruyama and heun is the
/// stochastic Heun scheme; rk4 is refused (it has no stochastic counterpart here).
/// dopri5: adaptive, error-controlled (adaptive.hpp); deterministic runs only. Its steps
/// are chosen to meet rtol/atol and clipped to land exactly on every output time (records,
/// snapshots, the start of frequency averaging, the end): dt then only sets the output
/// grid (a multiple of dt) and the first step tried.
enum class Method { euler, heun, rk4, dopri5 };

struct RunSettings {
    Method method = Method::rk4;
    double dt = 0.01;
    std::int64_t n_steps = 0;
    std::int64_t record_every = 1;        // Z_E, Z_I, Z after every this many steps
    std::int64_t snapshot_every = 0;      // phases after every this many steps; 0: none
    std::int64_t frequency_from_step = -1;  // average dθ/dt from this step on; < 0: off
    bool wrap = true;                     // keep phases in [0, 2π)
    bool float32_tables = false;          // sparse gathers read sin/cos in float (RightHandSide)
    std::uint64_t seed = 0;
    int threads = 0;                      // 0: all available
    // dopri5 only: a step is accepted when, for every oscillator, its local error estimate
    // is at most atol + rtol |Δθ_i| (Δθ_i: its change over the step). A phase's own size
    // means nothing (it depends on the origin and on wrapping), so the relative part is
    // taken relative to how far the phase moved.
    double rtol = 1e-6;
    double atol = 1e-8;
};

/// A run in progress. `advance` integrates a batch of steps so that the caller can
/// show progress, react to Ctrl-C or checkpoint between batches; where the batches end
/// never changes the result.
class Simulation {
  public:
    /// `history`: with delays, the phases at t = −rows dt, …, −dt (rows × N, see
    /// DelayLine); empty: the initial phases rotating at their natural frequencies.
    Simulation(Model model, RunSettings settings, std::vector<double> initial_phases,
               const std::vector<double>& history = {});
    // rhs_ refers to model_: a Simulation stays where it was built.
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    /// dθ/dt at phases `theta` and time t (deterministic part), for tests and benchmarks.
    /// Refused with delays: their right-hand side also reads the past.
    void derivative(const double* theta, double t, double* out);

    /// Integrate up to `max_steps` more steps (never past n_steps); returns steps done.
    /// dopri5 advances from one output time to the next (a segment, see next_stop) and
    /// never stops inside one, so that where batches end never changes its steps: it may
    /// do up to one segment more than max_steps.
    std::int64_t advance(std::int64_t max_steps);

    /// dopri5: steps accepted and rejected so far, evaluations of the right-hand side,
    /// and the step size the controller will try next.
    std::int64_t accepted_steps() const { return accepted_; }
    std::int64_t rejected_steps() const { return rejected_; }
    std::int64_t evaluations() const { return evaluations_; }
    double step_size() const { return step_size_; }

    std::int64_t step() const { return step_; }
    double time() const { return static_cast<double>(step_) * settings_.dt; }
    bool finished() const { return step_ >= settings_.n_steps; }
    const Model& model() const { return model_; }
    const RunSettings& settings() const { return settings_; }
    const std::vector<double>& phases() const { return theta_; }

    /// Recorded so far: n_records() rows of (Z_E, Z_I, Z).
    std::int64_t n_records() const { return n_records_; }
    const std::vector<std::complex<double>>& z_records() const { return z_records_; }
    std::int64_t n_snapshots() const { return n_snapshots_; }
    const std::vector<double>& snapshots() const { return snapshots_; }
    /// Mean dθ/dt since frequency_from_step (empty if off or no step averaged yet).
    std::vector<double> mean_frequencies() const;

    /// Memory a run of this size needs, in bytes (state, scratch, recordings; not the
    /// network, which is counted where it is built).
    /// `history_slots`: steps a DelayLine keeps (DelayLine::slots; 0 without delays).
    static std::int64_t estimate_bytes(std::int64_t n, const RunSettings& settings,
                                       std::int64_t history_slots = 0, bool all_to_all = false);

    /// Restore a checkpoint: step counter, phases, recordings and frequency sums. Refused
    /// for dopri5, whose step size and FSAL stage are state a checkpoint does not hold.
    void restore(std::int64_t step, std::vector<double> phases,
                 std::vector<std::complex<double>> z_records,
                 std::vector<double> snapshots, std::vector<double> displacement);
    const std::vector<double>& displacement() const { return displacement_; }
    /// Delays: the stored past (checkpoints save it; restore it after restore()).
    const DelayLine& delay_history() const { return history_; }
    void restore_delay_history(std::int64_t oldest, const std::vector<double>& values);

  private:
    void take_step();
    void record_if_due();
    /// dopri5: the next step (in units of dt) at which something is recorded or the
    /// run ends; adaptive steps are clipped to land there exactly.
    std::int64_t next_stop() const;
    /// dopri5: integrate from time() to next_stop() with error-controlled steps.
    void take_segment();
    /// dopri5: one trial step of size h from (θ, t); next_ gets the new phases, k7 the
    /// slope there. Returns the scaled error norm (≤ 1: accept).
    double trial_step(double t, double h);
    /// Advance the state to next_ after an accepted step (frequency sums, wrapping).
    void accept_state(bool averaging);
    void draw_noise_kicks();  // kick_[i] = sqrt(2 D_X dt) ξ_i for the current step

    Model model_;
    RunSettings settings_;
    RightHandSide rhs_;
    std::int64_t step_ = 0;
    std::vector<double> theta_, next_;
    std::vector<double> k1_, k2_, k3_, k4_, kick_;
    std::vector<double> k5_, k6_, k7_, stage_;  // dopri5 only
    std::vector<double> chunk_errors_;          // dopri5: error norm per reduction chunk
    double step_size_ = 0.0;                    // dopri5: the next step to try
    bool have_first_slope_ = false;             // dopri5: k1_ holds f(θ, t) (FSAL)
    std::int64_t accepted_ = 0, rejected_ = 0, evaluations_ = 0;
    DelayLine history_;                 // the past the delayed couplings read (inactive: none)
    std::vector<double> displacement_;  // Σ Δθ per oscillator since frequency_from_step
    std::vector<std::complex<double>> z_records_;  // 3 per record
    std::int64_t n_records_ = 0;
    std::vector<double> snapshots_;
    std::int64_t n_snapshots_ = 0;
    int threads_;
};

/// Advance many independent single-threaded simulations (an ensemble of small networks,
/// e.g. the points of a parameter sweep) with one OpenMP loop over members. Each member
/// is integrated exactly as on its own, so results equal one run per member.
void advance_ensemble(const std::vector<Simulation*>& members, std::int64_t max_steps, int threads);

}  // namespace eikura

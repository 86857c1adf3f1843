#pragma once
/// The right-hand side dθ/dt of a Model, evaluated for all oscillators at once. The
/// equation itself is in equation.hpp; this class only gathers what it needs, by one of
/// four strategies chosen by the network: all-to-all mean fields, a plain CSR gather, a
/// cache-tiled gather (large networks), or a procedural network redrawn per evaluation.
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "eikura/delays.hpp"
#include "eikura/equation.hpp"
#include "eikura/memory.hpp"
#include "eikura/model.hpp"
#include "eikura/parallel.hpp"
#include "eikura/schedule.hpp"

namespace eikura {

/// Evaluates the deterministic part of dθ/dt. Holds the scratch arrays (sin θ and cos θ,
/// per-chunk sums, 1/n_i^Y) so that an evaluation allocates nothing beyond the row
/// buffers of a procedural network, which reach their final size after a few rows.
class RightHandSide {
  public:
    /// float32_tables: keep sin θ_j, cos θ_j of the sparse gathers in single precision
    /// (sums still in double): half the bytes read per edge. All-to-all ignores it.
    RightHandSide(const Model& model, int threads, bool float32_tables = false);

    /// out[i] = dθ_i/dt at time t, evaluated at the stage phases
    ///     θ_i = base[i] + h * slope[i] + kick[i]
    /// (slope and kick may be null). Fusing the stage into this pass saves one sweep
    /// over memory per stage.
    void evaluate(const double* base, const double* slope, double h, const double* kick,
                  double t, double* out);

    /// Complex mean fields (Z_E, Z_I, Z) of the phases `theta`, summed in a fixed order.
    void order_parameters(const double* theta, double out[6]);

    /// While `out` is not null, each evaluate() also writes every row's local order
    /// parameter |Σ_j w_ij e^{iθ_j}| / Σ_j w_ij over its inputs j (E and I together;
    /// the modulus of the (weighted) mean phasor of its inputs) to out[0..N), NaN
    /// for a row without inputs. It reuses the (Σ sin, Σ cos) sums each row gathers
    /// anyway. All-to-all rows gather nothing and write nothing: every row's local order
    /// parameter is then |Z|. Set it for the evaluations to record only.
    void record_local_order(double* out);

    /// All-to-all: the local order parameter of every row onto E [0] and onto I [1] at
    /// the last evaluation, |Σ_j e^{iθ_j}| / N over the phases as those rows see them
    /// (delayed, with delays; |Z| without).
    double all_to_all_local_order(int onto) const { return all_to_all_local_order_[onto]; }

    std::int64_t scratch_bytes() const;

    /// Read the delayed sources from `history` (at its stage; see DelayLine), for a model
    /// with delays run at step dt. Double tables only.
    void attach_history(const DelayLine* history, double dt);

  private:
    /// evaluate() with the sin/cos table in double or float.
    template <class Table>
    void evaluate_with(Table* sc, const double* base, const double* slope, double h,
                       const double* kick, double t, double* out);
    /// sc[2j], sc[2j + 1] = sin, cos of the stage phase θ_j; for all-to-all also the
    /// per-chunk sums of the mean fields.
    template <class Table>
    void stage_sin_cos(Table* sc, const double* base, const double* slope, double h,
                       const double* kick);

    // The four strategies: each fills out[0..N) from the sin/cos table `sc` of the stage
    // phases (row i's own θ_i) and the table `sources` its inputs are read from (sc, or
    // the delayed sources of delayed_sources).
    /// All-to-all: two mean fields, then O(1) per row (always the double table).
    void all_to_all_rows(const Couplings& k, double* out);
    /// A stored network in plain CSR order, row by row.
    template <class Table>
    void csr_rows(const Table* sc, const Table* sources, const Couplings& k, double* out);
    /// A stored network in the tiled order of GatherTiles, block of rows by block.
    template <class Table>
    void tiled_rows(const Table* sc, const Table* sources, const Couplings& k, double* out);
    /// A procedural network, each row redrawn from its streams.
    template <class Table>
    void procedural_rows(const Table* sc, const Table* source_sc, const Couplings& k, double* out);
    /// The network strategy of the model, for one table of sources.
    template <class Table>
    void network_rows(const Table* sc, const Table* sources, const Couplings& k, double* out);
    /// Delays: the tables the rows onto E and onto I read their sources from (the same
    /// pointer when the delays depend only on the source population).
    void delayed_sources(const double* sc, const double* sources[2]);

    /// out[i] += F(t) sin(Ωt + φ − θ_i) for every drive that targets i.
    template <class Table>
    void add_drives(const Table* sc, double t, double* out);
    /// F(t) e^{i(Ωt + φ)} of each drive into forcings_ (all-to-all adds them in its pass).
    void drive_forcings(double t);
    /// dθ_i/dt from the sums over row i's inputs (the gather strategies end here).
    template <class Table>
    double finish_row(std::int64_t i, const Table* sc, const Couplings& k,
                      detail::InverseNorms inverse_norm, const detail::InputSums& sums) const;
    /// The sums over the inputs of row i of a procedural network, redrawn from the row's
    /// streams; also the numbers of E and I inputs.
    template <class Table>
    detail::InputSums procedural_row_sums(std::int64_t i, const Table* sc, double counts[2]);
    /// Per-chunk sums of (cos, sin) over E and over I of the phases in sincos_.
    void chunk_sums(std::int64_t chunk, double sums[4]) const;
    void add_chunks(double totals[4]) const;
    /// local_order_[i] from row i's sums and its input count (or Σ_j w_ij), if recording.
    void note_local_order(std::int64_t i, const detail::InputSums& sums, double inputs) const {
        if (local_order_)
            local_order_[i] = inputs > 0.0 ? std::hypot(sums.sin_e + sums.sin_i, sums.cos_e + sums.cos_i) / inputs
                                           : std::numeric_limits<double>::quiet_NaN();
    }
    /// A stored network's number of inputs of row i, or Σ_j w_ij when weighted.
    double stored_inputs(std::int64_t i) const;

    const Model& model_;
    int threads_;
    bool float_tables_;
    HugePageVector<double> sincos_;      // sin θ_j at 2j, cos θ_j at 2j + 1
    HugePageVector<float> sincos32_;     // the same in float (float32_tables only)
    std::vector<double> chunk_sums_;     // 4 per chunk: cos_E, sin_E, cos_I, sin_I
    std::vector<detail::InverseNorms> inverse_norms_;  // 1 / n_i^Y per row (stored sparse only)
    PerThread<DrawnBlock> thread_sources_;            // procedural: a block's drawn rows
    PerThread<std::vector<double>> thread_row_sums_;  // tiled, procedural: sums of a block's rows
    bool lagged_ = false;                    // some α_XY ≠ 0 (set per evaluation)
    detail::LaggedStrengths lagged_onto_[2]{};  // K_XY e^{−iα_XY} onto E, onto I
    const DelayLine* history_ = nullptr;        // null: no delays
    double delay_steps_[2][2]{};                // τ_XY / dt, [X][Y], X, Y = E (0), I (1)
    HugePageVector<double> delayed_[2];         // delayed sources onto E, onto I (networks)
    std::vector<double> second_pass_;           // rows onto I when their sources differ
    std::vector<double> second_local_order_;    // their local order parameters (recording)
    std::vector<detail::MeanField> forcings_;   // per drive, at the evaluation's t
    double* local_order_ = nullptr;          // where rows write their local order (recording)
    double all_to_all_local_order_[2]{};     // all-to-all: onto E, onto I (last evaluation)
    std::vector<double> input_weights_;      // Σ_j w_ij per row (weighted, local order only)
};

}  // namespace eikura

#pragma once
/// The right-hand side dθ/dt of a Model, evaluated over all oscillators at once (SPEC §1).
#include <cstdint>
#include <vector>

#include "eikura/memory.hpp"
#include "eikura/model.hpp"

namespace eikura {

/// Evaluates the deterministic part of dθ/dt. Holds the scratch arrays (sin θ and cos θ,
/// per-chunk sums, 1/n_i^Y) so that no evaluation allocates.
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

    std::int64_t scratch_bytes() const;

  private:
    /// Σ (sin θ_j, cos θ_j) over the E and the I sources of row i of a procedural network,
    /// redrawn from the row's streams; also returns the numbers of E and I sources.
    template <class Table>
    void procedural_row_sums(std::int64_t i, const Table* sc, double sums[4], double counts[2]);
    /// evaluate() with the sin/cos table in double or float.
    template <class Table>
    void evaluate_with(Table* sc, const double* base, const double* slope, double h, const double* kick,
                       double t, double* out);
    /// The sparse sums of a tiled network, block by block (inside the parallel region).
    template <class Table, class FinishRow>
    void evaluate_tiled(const CsrNetwork& net, const Table* sc, FinishRow& finish_row);
    /// Per-chunk sums of (cos, sin) over E and over I of the phases in sincos_.
    void chunk_sums(std::int64_t chunk, double sums[4]) const;
    void add_chunks(double totals[4]) const;

    const Model& model_;
    int threads_;
    bool float_tables_;
    HugePageVector<double> sincos_;      // sin θ_j at 2j, cos θ_j at 2j + 1
    HugePageVector<float> sincos32_;     // the same in float (float32_tables only)
    std::vector<double> chunk_sums_;     // 4 per chunk: cos_E, sin_E, cos_I, sin_I
    std::vector<double> inv_norm_e_, inv_norm_i_;  // 1 / n_i^Y per row (stored sparse only)
    std::vector<std::vector<std::int32_t>> thread_sources_;  // procedural: per-thread row buffer
    std::vector<std::vector<double>> thread_row_sums_;       // tiled: per-thread sums of a block
};

}  // namespace eikura

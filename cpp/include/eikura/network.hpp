#pragma once
/// Network topologies (SPEC §2): all-to-all is implicit (mean fields); sparse networks
/// are stored as CSR by target, each row split into its E-sources then its I-sources.
#include <cstdint>
#include <vector>

namespace eikura {

/// How the coupling sum from population Y onto oscillator i is normalised (n_i^Y).
enum class Normalization { in_degree, population, none };

/// One block X←Y of a random network: a fixed in-degree or a connection probability.
struct BlockSpec {
    bool fixed_degree = true;
    std::int64_t in_degree = 0;  // used when fixed_degree
    double probability = 0.0;    // used otherwise (Erdős–Rényi)
};

/// A sparse network in CSR form, rows = targets, populations stored E first.
///
/// Row i holds its sources in indices[indptr[i] .. indptr[i+1]), sorted, so that the
/// excitatory sources (index < n_e) come first and end at e_end[i]. Column indices are
/// int32 (4 bytes per edge); `weights` is empty when all weights are 1.
struct CsrNetwork {
    std::int64_t n_e = 0;
    std::int64_t n_i = 0;
    std::vector<std::int64_t> indptr;  // size N + 1
    std::vector<std::int64_t> e_end;   // size N
    std::vector<std::int32_t> indices;
    std::vector<double> weights;

    std::int64_t size() const { return n_e + n_i; }
    std::int64_t n_edges() const { return indptr.empty() ? 0 : indptr.back(); }
    bool weighted() const { return !weights.empty(); }

    /// Bytes held by the arrays.
    std::int64_t memory_bytes() const;

    /// Build from user CSR arrays (any order within rows): validates indices, sorts
    /// each row, rejects duplicates, and computes e_end.
    static CsrNetwork from_csr(std::int64_t n_e, std::int64_t n_i,
                               std::vector<std::int64_t> indptr,
                               std::vector<std::int32_t> indices,
                               std::vector<double> weights);

    /// Random network generated from `seed`; block order ee, ei, ie, ii (post, pre).
    /// Rows are generated in parallel, each from its own stream: the result does not
    /// depend on the number of threads.
    static CsrNetwork random(std::int64_t n_e, std::int64_t n_i, const BlockSpec blocks[4],
                             bool allow_self, std::uint64_t seed, int threads);

    /// Bytes a random network with these blocks would take (expected, for ER).
    static std::int64_t estimate_random_bytes(std::int64_t n_e, std::int64_t n_i,
                                              const BlockSpec blocks[4]);
};

}  // namespace eikura

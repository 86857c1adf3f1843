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

/// The rule of a random network (SPEC §2.2, §2.4): which sources each target row draws,
/// from streams of its own keyed by (seed, row). CsrNetwork::random stores the drawn
/// network; a procedural model redraws the same rows at every evaluation instead, so
/// both give the very same network for the same seed.
struct RandomBlocks {
    std::int64_t n_e = 0;
    std::int64_t n_i = 0;
    BlockSpec blocks[4];  // ee, ei, ie, ii (post, pre)
    bool allow_self = false;
    std::uint64_t seed = 0;

    /// Throws std::invalid_argument for impossible blocks (e.g. degree > sources).
    void validate() const;
    const BlockSpec& block_from_e(std::int64_t target) const;
    const BlockSpec& block_from_i(std::int64_t target) const;
    /// The sorted excitatory / inhibitory sources of row `target` (replaces `out`).
    void e_sources(std::int64_t target, std::vector<std::int32_t>& out) const;
    void i_sources(std::int64_t target, std::vector<std::int32_t>& out) const;
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

    /// Draw and store a random network. Rows are generated in parallel, each from its
    /// own streams: the result does not depend on the number of threads.
    static CsrNetwork random(const RandomBlocks& rule, int threads);

    /// Bytes a random network with these blocks would take (expected, for ER).
    static std::int64_t estimate_random_bytes(const RandomBlocks& rule);
};

}  // namespace eikura

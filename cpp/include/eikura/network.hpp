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
struct DrawnBlock;

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
    /// Rows per block of the procedural gather of a large network, as a power of 2: as
    /// many as keep a block within 2^20 edges (4 MiB of words per thread) or, for large
    /// N, within N edges; at most 2^17 rows (32-bit words) and N / 8.
    int procedural_row_bits() const;
    static constexpr int max_procedural_row_bits = 17;
    /// Sources per tile of the procedural gather, as a power of 2: 2^13 like a stored
    /// network, fewer (down to 2^8) where a row would draw more than 2 sources in a tile
    /// on average, so that ordering a row's words within a tile stays cheap.
    int procedural_source_bits() const;
    /// Bytes one thread of a procedural gather keeps from evaluation to evaluation: a
    /// block's edges tile by tile (each tile's buffer grown by doubling to its largest
    /// size, estimated as mean + 4 standard deviations), its row ends and row sums.
    std::int64_t procedural_thread_bytes() const;
    /// Draw rows [first_row, first_row + rows) and lay their edges out as one block of
    /// GatherTiles with tiles of 2^source_bits sources (rows <= 2^(30 - source_bits)): the
    /// procedural network's cache-blocked gather.
    void draw_tiled_block(std::int64_t first_row, std::int64_t rows, int source_bits,
                          DrawnBlock& out) const;
};

/// One block of rows of a procedural network, drawn and laid out tile by tile as in
/// GatherTiles (the buffers are reused from block to block).
struct DrawnBlock {
    std::vector<std::int64_t> tile_first;  // first source of each tile, then N
    /// Per tile, its edges (2·row << (source_bits + 1)) | 2·(source − tile_first): by row,
    /// each row's in ascending source order, as in a stored network. A tile's buffer is
    /// used up to tile_sizes[t] and keeps its size from block to block.
    std::vector<std::vector<std::uint32_t>> tile_words;
    std::vector<std::int64_t> tile_sizes;
    std::vector<std::int64_t> row_ends;  // per row: edges drawn up to its E, its I sources
    /// Rows (ascending) that drew a source twice: their words are not their sources (a
    /// row's first k draws are, unless two coincide), so the caller redraws them with
    /// e_sources/i_sources.
    std::vector<std::int64_t> redraw_rows;
    // scratch
    struct Cursor {
        std::uint32_t* next;
        std::uint32_t* end;
    };
    std::vector<Cursor> cursors;          // per tile: where its next word goes
    std::vector<std::uint32_t> draws;     // one block of one row's draws
    std::vector<std::int32_t> row;        // one row's sources
};

/// The edge order of a large network, laid out for a cache-blocked gather (see rhs.cpp).
///
/// At N = 10^6 the table of sin θ_j, cos θ_j (16 MB) is far larger than a core's L2
/// cache, so a plain row-by-row gather waits on the L3 cache at almost every edge. The
/// rows are therefore cut into blocks of 2^row_bits targets and the sources into tiles of
/// 2^source_bits (E tiles cover [0, n_e), I tiles [n_e, N)). A block's edges are stored
/// tile by tile. Within a sparse tile (rows with about one edge in it), row by row; within
/// a dense one, first every row's first edge, then every row's second edge, ... for the
/// ranks that a quarter of the rows reach, so that consecutive adds go to different rows,
/// then the remaining edges row by row (see encode_block in tiling.cpp).
/// Every row still adds its sources in ascending order, so the sums are bit-identical to
/// those of the plain CSR order.
///
/// Each edge is one 16-bit word, (code << 13) | (source − first source of tile). The row
/// follows from the previous edge's row (0 at the start of a segment): code c in 0..6
/// means row = previous row + c; code 7 means the row is the next entry of the segment's
/// escape list, the absolute rows (within the block) stored after its edge words: where
/// the row goes down (a new rank) or skips 7 rows or more. Rows with edges in a tile are
/// close together, so escapes are rare and the gather's branch is well predicted: about
/// 2.0 bytes per edge, against 4 for an int32 source.
struct GatherTiles {
    int row_bits = 0;     // 0: not tiled, indices are in plain CSR order
    int source_bits = 0;
    std::vector<std::int64_t> tile_first;  // first source of each tile, then N
    /// Edges of (block b, tile t) are edges [segments[b * tiles() + t], segments[... + 1])
    /// of the stored order (the order of `weights`); the last entry is n_edges.
    std::vector<std::int64_t> segments;
    /// Per segment, where its words start in its block's words: one word per edge, then
    /// its escape rows.
    std::vector<std::int64_t> word_starts;
    /// Per block, its segments' words.
    std::vector<std::vector<std::uint16_t>> block_words;

    static constexpr int offset_bits = 13;     // source offset within a tile
    static constexpr std::uint32_t escape = 7;   // code: the row is in the escape list
    static constexpr int max_row_bits = 16;    // escape rows are 16-bit words

    std::int64_t tiles() const { return static_cast<std::int64_t>(tile_first.size()) - 1; }
    std::int64_t blocks() const {
        return tile_first.empty() ? 0 : (static_cast<std::int64_t>(segments.size()) - 1) / tiles();
    }
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
    GatherTiles tiling;  // how indices and weights are ordered (default: plain CSR)

    /// Networks with at least this many oscillators are tiled when built: their sin/cos
    /// table (16 N bytes) no longer fits in a 2 MiB L2 cache. Below it the plain gather
    /// is as fast or faster.
    static constexpr std::int64_t tile_from_size = std::int64_t{1} << 17;
    static constexpr int default_row_bits = 14;     // 16384 rows: 256 KiB of E (or I) row sums
    static constexpr int default_source_bits = 13;  // 8192 sources: 128 KiB of sin/cos
    /// Rows per block for a network of n oscillators and `edges` edges, as a power of 2:
    /// 2^14, and up to 2^16 where a block of 2^14 rows would hold fewer than n edges
    /// (each block streams the whole sin/cos table, 16 n bytes), with 8 blocks at least.
    static int row_bits_for(std::int64_t n, double edges);

    std::int64_t size() const { return n_e + n_i; }
    std::int64_t n_edges() const { return indptr.empty() ? 0 : indptr.back(); }
    bool weighted() const { return !weights.empty(); }
    bool tiled() const { return tiling.row_bits > 0; }

    /// Reorder the edges (and weights) from CSR order into the tiled order of
    /// GatherTiles, block by block: the weights in place, the sources into 16-bit words
    /// (then `indices` is emptied). Requires 1 <= row_bits <= 16, 1 <= source_bits <= 13.
    /// If it throws after the checks (out of memory), the edges are partly reordered:
    /// the network must then be discarded.
    void tile(int row_bits, int source_bits, int threads);
    /// Draw the rule's rows block by block straight into the tiled order of the default
    /// sizes (row_bits_for), never holding all the int32 sources (indptr and e_end must
    /// be set).
    void draw_tiled(const RandomBlocks& rule, int threads);
    /// Tile with the default sizes (row_bits_for) when size() >= tile_from_size.
    void tile_if_large(int threads);
    /// The source indices / weights in plain CSR order (decodes a tiled network).
    std::vector<std::int32_t> csr_indices() const;
    std::vector<double> csr_weights() const;

    /// Bytes held by the arrays.
    std::int64_t memory_bytes() const;

    /// Build from user CSR arrays (any order within rows): validates indices, sorts
    /// each row, rejects duplicates, and computes e_end. Large networks are then tiled
    /// unless `tile` is false (benchmarks compare both orders).
    static CsrNetwork from_csr(std::int64_t n_e, std::int64_t n_i,
                               std::vector<std::int64_t> indptr,
                               std::vector<std::int32_t> indices,
                               std::vector<double> weights, bool tile = true);

    /// Draw and store a random network. Rows are generated in parallel, each from its
    /// own streams: the result does not depend on the number of threads.
    static CsrNetwork random(const RandomBlocks& rule, int threads);

    /// Bytes a random network with these blocks would take (expected, for ER).
    static std::int64_t estimate_random_bytes(const RandomBlocks& rule);
    /// Extra bytes that tiling a network of this size takes: the segment tables, the
    /// 16-bit words (built while the int32 sources still live), and one block of edges
    /// per thread while the edges are reordered.
    static double estimate_tiling_bytes(std::int64_t n_e, std::int64_t n_i, double edges, bool weighted);
    /// Expected 16-bit words per edge of a tiled network with this many edges spread
    /// evenly at random (each edge's word, plus the escape rows: GatherTiles).
    static double estimate_words_per_edge(std::int64_t n_e, std::int64_t n_i, double edges);
};

}  // namespace eikura

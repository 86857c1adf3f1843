// The tiled edge order of large networks (GatherTiles in network.hpp).
#include <algorithm>
#include <stdexcept>
#include <string>

#include "eikura/network.hpp"
#include "eikura/parallel.hpp"

namespace eikura {

namespace {

/// Rows [first, last) of block b.
struct BlockRows {
    std::int64_t first, last;
};

BlockRows block_rows(const GatherTiles& tiling, std::int64_t block, std::int64_t n) {
    const std::int64_t rows = std::int64_t{1} << tiling.row_bits;
    return {block * rows, std::min(n, (block + 1) * rows)};
}

/// Appends one segment's words to `out`: an edge word per edge (in stored order), then
/// the escape rows. `rows[m]`, `offsets[m]`: row within block, source offset in tile.
void encode_segment(const std::vector<std::uint32_t>& rows, const std::vector<std::uint32_t>& offsets,
                    std::vector<std::uint16_t>& escapes, std::vector<std::uint16_t>& out) {
    escapes.clear();
    std::uint32_t previous = 0;
    for (std::size_t m = 0; m < rows.size(); ++m) {
        const std::uint32_t step = rows[m] - previous;  // huge where the row goes down
        const std::uint32_t code = step < GatherTiles::escape ? step : GatherTiles::escape;
        if (code == GatherTiles::escape) escapes.push_back(static_cast<std::uint16_t>(rows[m]));
        out.push_back(static_cast<std::uint16_t>((code << GatherTiles::offset_bits) | offsets[m]));
        previous = rows[m];
    }
    out.insert(out.end(), escapes.begin(), escapes.end());
}

/// Calls visit(segment, row, offset, stored_position) for every edge of block b, in
/// stored order: row within the block, source offset within the tile.
template <class Visit>
void decode_block(const GatherTiles& tiling, std::int64_t block, Visit visit) {
    const std::int64_t tiles = tiling.tiles();
    const std::uint16_t* words = tiling.block_words[static_cast<std::size_t>(block)].data();
    const std::uint32_t offset_mask = (std::uint32_t{1} << GatherTiles::offset_bits) - 1;
    for (std::int64_t t = 0; t < tiles; ++t) {
        const auto segment = static_cast<std::size_t>(block * tiles + t);
        const std::int64_t first = tiling.segments[segment], count = tiling.segments[segment + 1] - first;
        const std::uint16_t* edge = words + tiling.word_starts[segment];
        const std::uint16_t* escape_row = edge + count;
        std::int64_t row = 0;
        for (std::int64_t m = 0; m < count; ++m) {
            const std::uint32_t code = edge[m] >> GatherTiles::offset_bits;
            row = code == GatherTiles::escape ? *escape_row++ : row + code;
            visit(t, row, edge[m] & offset_mask, first + m);
        }
    }
}

}  // namespace

namespace {

/// A thread's buffers for laying out one block after another (reused: resizing them may
/// throw bad_alloc, which parallel_for carries out of the parallel region).
struct BlockScratch {
    std::vector<std::int32_t> block_sources;  // the block's rows, in CSR order
    std::vector<double> block_weights;
    std::vector<std::int64_t> next, count;     // per row
    std::vector<std::int64_t> rank_start;      // per rank
    std::vector<std::uint32_t> rows, offsets;  // per edge of a segment, stored order
    std::vector<std::uint16_t> escapes, words;
    std::vector<std::int32_t> row;             // one drawn row
};

/// The tiles and (empty) segment tables of a network of n_e + n_i rows.
GatherTiles empty_layout(std::int64_t n_e, std::int64_t n_i, int row_bits, int source_bits) {
    if (row_bits < 1 || source_bits < 1 || row_bits > GatherTiles::max_row_bits ||
        source_bits > GatherTiles::offset_bits)
        throw std::invalid_argument("tiling: need 1 <= row_bits <= 16 and 1 <= source_bits <= 13");
    const std::int64_t n = n_e + n_i;
    const std::int64_t tile_size = std::int64_t{1} << source_bits;
    GatherTiles layout;
    layout.row_bits = row_bits;
    layout.source_bits = source_bits;
    for (std::int64_t s = 0; s < n_e; s += tile_size) layout.tile_first.push_back(s);
    for (std::int64_t s = n_e; s < n; s += tile_size) layout.tile_first.push_back(s);
    layout.tile_first.push_back(n);
    const std::int64_t rows_per_block = std::int64_t{1} << row_bits;
    const std::int64_t blocks = (n + rows_per_block - 1) / rows_per_block;
    layout.segments.assign(static_cast<std::size_t>(blocks * layout.tiles() + 1), 0);
    layout.word_starts.assign(static_cast<std::size_t>(blocks * layout.tiles()), 0);
    layout.block_words.resize(static_cast<std::size_t>(blocks));
    return layout;
}

/// Lays out block b from scratch.block_sources (and block_weights, when `weights` is not
/// null: they go to weights[stored position]) into layout.block_words[b] and its segments.
void encode_block(GatherTiles& layout, const std::vector<std::int64_t>& indptr, std::int64_t b,
                  BlockScratch& scratch, double* weights) {
    auto& [block_sources, block_weights, next, count, rank_start, seg_rows, seg_offsets, escapes, words, unused] = scratch;
    const std::int64_t n = static_cast<std::int64_t>(indptr.size()) - 1, tiles = layout.tiles();
    const std::int64_t rows_per_block = std::int64_t{1} << layout.row_bits;
    const std::int64_t r0 = b * rows_per_block, r1 = std::min(n, r0 + rows_per_block);
    const std::int64_t first = indptr[static_cast<std::size_t>(r0)];
    const std::int64_t rows = r1 - r0;
    next.resize(static_cast<std::size_t>(rows));
    count.resize(static_cast<std::size_t>(rows));
    words.clear();
    for (std::int64_t r = 0; r < rows; ++r) next[static_cast<std::size_t>(r)] = indptr[static_cast<std::size_t>(r0 + r)] - first;
    std::int64_t out = first;
    for (std::int64_t t = 0; t < tiles; ++t) {
        layout.segments[static_cast<std::size_t>(b * tiles + t)] = out;
        layout.word_starts[static_cast<std::size_t>(b * tiles + t)] = static_cast<std::int64_t>(words.size());
        const std::int64_t lo = layout.tile_first[static_cast<std::size_t>(t)];
        const std::int64_t hi = layout.tile_first[static_cast<std::size_t>(t + 1)];
        // Each row's sources in [lo, hi) follow its sources of earlier tiles.
        std::int64_t edges = 0, rows_with_edges = 0, most = 0;
        for (std::int64_t r = 0; r < rows; ++r) {
            const std::int64_t row_end = indptr[static_cast<std::size_t>(r0 + r + 1)] - first;
            std::int64_t m = next[static_cast<std::size_t>(r)];
            while (m < row_end && block_sources[static_cast<std::size_t>(m)] < hi) ++m;
            const std::int64_t c = m - next[static_cast<std::size_t>(r)];
            count[static_cast<std::size_t>(r)] = c;
            edges += c;
            rows_with_edges += c > 0;
            most = std::max(most, c);
        }
        // Rows with one edge in the tile or about (sparse): row by row, so that steps are
        // small and escapes rare. Rows with several (dense): the first `ranks` edges rank
        // by rank (every row's first edge, then every row's second edge, ...), so that
        // consecutive adds go to different rows instead of waiting on each other; the
        // ranks that fewer than a quarter of the rows reach (many gaps: escapes), row by row after.
        std::int64_t ranks = 0;
        if (edges >= 2 * rows_with_edges) {
            rank_start.assign(static_cast<std::size_t>(most), 0);
            for (std::int64_t r = 0; r < rows; ++r)
                for (std::int64_t q = 0; q < count[static_cast<std::size_t>(r)]; ++q) ++rank_start[static_cast<std::size_t>(q)];
            while (ranks < most && 4 * rank_start[static_cast<std::size_t>(ranks)] >= rows_with_edges) ++ranks;
        }
        rank_start.resize(static_cast<std::size_t>(ranks));
        std::int64_t start = 0;  // rank_start[q]: where rank q starts
        for (auto& slot : rank_start) {
            const std::int64_t size_of_rank = slot;
            slot = start;
            start += size_of_rank;
        }
        seg_rows.resize(static_cast<std::size_t>(edges));
        seg_offsets.resize(static_cast<std::size_t>(edges));
        std::int64_t position = start;  // the rest, row by row
        for (std::int64_t r = 0; r < rows; ++r) {
            const std::int64_t m0 = next[static_cast<std::size_t>(r)];
            for (std::int64_t q = 0; q < count[static_cast<std::size_t>(r)]; ++q) {
                const auto at = static_cast<std::size_t>(q < ranks ? rank_start[static_cast<std::size_t>(q)]++ : position++);
                seg_rows[at] = static_cast<std::uint32_t>(r);
                seg_offsets[at] = static_cast<std::uint32_t>(block_sources[static_cast<std::size_t>(m0 + q)] - lo);
                if (weights)
                    weights[static_cast<std::size_t>(out) + at] = block_weights[static_cast<std::size_t>(m0 + q)];
            }
            next[static_cast<std::size_t>(r)] = m0 + count[static_cast<std::size_t>(r)];
        }
        encode_segment(seg_rows, seg_offsets, escapes, words);
        out += edges;
    }
    layout.block_words[static_cast<std::size_t>(b)].assign(words.begin(), words.end());
}

}  // namespace

void CsrNetwork::tile(int row_bits, int source_bits, int threads) {
    if (tiled()) throw std::logic_error("network: already tiled");
    GatherTiles layout = empty_layout(n_e, n_i, row_bits, source_bits);
    layout.segments.back() = n_edges();
    const std::int64_t rows_per_block = std::int64_t{1} << row_bits;
    const bool has_weights = weighted();
    // Each block is laid out within its own range of edges, by one thread.
    PerThread<BlockScratch> scratch(threads);
    parallel_for(threads, layout.blocks(), [&](std::int64_t b) {
        BlockScratch& local = scratch.local();
        const std::int64_t first = indptr[static_cast<std::size_t>(b * rows_per_block)];
        const std::int64_t last = indptr[static_cast<std::size_t>(std::min(size(), (b + 1) * rows_per_block))];
        local.block_sources.assign(indices.begin() + first, indices.begin() + last);
        if (has_weights) local.block_weights.assign(weights.begin() + first, weights.begin() + last);
        encode_block(layout, indptr, b, local, has_weights ? weights.data() : nullptr);
    });
    tiling = std::move(layout);
    indices.clear();
    indices.shrink_to_fit();
}

int CsrNetwork::row_bits_for(std::int64_t n, double edges) {
    const double edges_per_row = n > 0 ? edges / double(n) : 0.0;
    int row_bits = default_row_bits;
    // (at N = 10^7, k = 100, 2^16 rows ran 2.3x faster than 2^14; at N = 10^6 0.9x)
    while (row_bits < GatherTiles::max_row_bits && double(std::int64_t{1} << row_bits) * edges_per_row < double(n) &&
           double(std::int64_t{2} << row_bits) <= double(n) / 8)
        ++row_bits;
    return row_bits;
}

void CsrNetwork::draw_tiled(const RandomBlocks& rule, int threads) {
    const int row_bits = row_bits_for(size(), double(n_edges()));
    GatherTiles layout = empty_layout(n_e, n_i, row_bits, default_source_bits);
    layout.segments.back() = n_edges();
    const std::int64_t rows_per_block = std::int64_t{1} << row_bits;
    PerThread<BlockScratch> scratch(threads);
    parallel_for(threads, layout.blocks(), [&](std::int64_t b) {
        BlockScratch& local = scratch.local();
        local.block_sources.clear();
        for (std::int64_t i = b * rows_per_block; i < std::min(size(), (b + 1) * rows_per_block); ++i) {
            rule.e_sources(i, local.row);
            local.block_sources.insert(local.block_sources.end(), local.row.begin(), local.row.end());
            rule.i_sources(i, local.row);
            local.block_sources.insert(local.block_sources.end(), local.row.begin(), local.row.end());
        }
        encode_block(layout, indptr, b, local, nullptr);
    });
    tiling = std::move(layout);
}

void CsrNetwork::tile_if_large(int threads) {
    if (size() >= tile_from_size) tile(row_bits_for(size(), double(n_edges())), default_source_bits, threads);
}

std::vector<std::int32_t> CsrNetwork::csr_indices() const {
    if (!tiled()) return indices;
    std::vector<std::int32_t> csr(static_cast<std::size_t>(n_edges()));
    std::vector<std::int64_t> cursor;
    for (std::int64_t b = 0; b < tiling.blocks(); ++b) {
        const BlockRows rows = block_rows(tiling, b, size());
        cursor.assign(indptr.begin() + rows.first, indptr.begin() + rows.last);
        decode_block(tiling, b, [&](std::int64_t t, std::int64_t row, std::uint32_t offset, std::int64_t) {
            csr[static_cast<std::size_t>(cursor[static_cast<std::size_t>(row)]++)] =
                static_cast<std::int32_t>(tiling.tile_first[static_cast<std::size_t>(t)] + offset);
        });
    }
    return csr;
}

std::vector<double> CsrNetwork::csr_weights() const {
    if (!tiled() || weights.empty()) return weights;
    std::vector<double> csr(weights.size());
    std::vector<std::int64_t> cursor;
    for (std::int64_t b = 0; b < tiling.blocks(); ++b) {
        const BlockRows rows = block_rows(tiling, b, size());
        cursor.assign(indptr.begin() + rows.first, indptr.begin() + rows.last);
        decode_block(tiling, b, [&](std::int64_t, std::int64_t row, std::uint32_t, std::int64_t e) {
            csr[static_cast<std::size_t>(cursor[static_cast<std::size_t>(row)]++)] = weights[static_cast<std::size_t>(e)];
        });
    }
    return csr;
}

}  // namespace eikura

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

/// Calls visit(csr_position, stored_position) for every edge of a tiled block: the CSR
/// position follows from the row in the word, because each row's edges appear in
/// ascending source order (tile after tile, rank after rank).
template <class Visit>
void decode_block(const CsrNetwork& net, std::int64_t block, std::vector<std::int64_t>& cursor, Visit visit) {
    const GatherTiles& tiling = net.tiling;
    const BlockRows rows = block_rows(tiling, block, net.size());
    cursor.assign(net.indptr.begin() + rows.first, net.indptr.begin() + rows.last);
    const std::int64_t tiles = tiling.tiles();
    const std::int64_t begin = tiling.segments[static_cast<std::size_t>(block * tiles)];
    const std::int64_t end = tiling.segments[static_cast<std::size_t>((block + 1) * tiles)];
    for (std::int64_t e = begin; e < end; ++e) {
        const auto row = static_cast<std::uint32_t>(net.indices[static_cast<std::size_t>(e)]) >> (tiling.source_bits + 2);
        visit(cursor[row]++, e);
    }
}

/// Source of the edge stored at position e of tile t.
std::int32_t decode_source(const CsrNetwork& net, std::int64_t t, std::int64_t e) {
    const auto word = static_cast<std::uint32_t>(net.indices[static_cast<std::size_t>(e)]);
    const std::uint32_t mask = (std::uint32_t{1} << (net.tiling.source_bits + 1)) - 1;
    return static_cast<std::int32_t>(net.tiling.tile_first[static_cast<std::size_t>(t)] + (word & mask) / 2);
}

}  // namespace

void CsrNetwork::tile(int row_bits, int source_bits, int threads) {
    if (tiled()) throw std::logic_error("network: already tiled");
    if (row_bits < 1 || source_bits < 1 || row_bits + source_bits > 29)
        throw std::invalid_argument("tiling: need row_bits, source_bits >= 1 and row_bits + source_bits <= 29");
    const std::int64_t n = size();
    const std::int64_t tile_size = std::int64_t{1} << source_bits;
    GatherTiles layout;
    layout.row_bits = row_bits;
    layout.source_bits = source_bits;
    for (std::int64_t s = 0; s < n_e; s += tile_size) layout.tile_first.push_back(s);
    for (std::int64_t s = n_e; s < n; s += tile_size) layout.tile_first.push_back(s);
    layout.tile_first.push_back(n);
    const std::int64_t tiles = layout.tiles();
    const std::int64_t rows_per_block = std::int64_t{1} << row_bits;
    const std::int64_t blocks = (n + rows_per_block - 1) / rows_per_block;
    layout.segments.assign(static_cast<std::size_t>(blocks * tiles + 1), n_edges());
    const bool has_weights = weighted();

    // Each block is reordered within its own range of edges, by one thread. The buffers
    // are reused from one block to the next; resizing them may throw bad_alloc, which
    // parallel_for carries out of the parallel region.
    struct Scratch {
        std::vector<std::int32_t> block_sources;
        std::vector<double> block_weights;
        std::vector<std::int64_t> next, count, by_rank;  // per row / per rank
    };
    PerThread<Scratch> scratch(threads);
    parallel_for(threads, blocks, [&](std::int64_t b) {
        auto& [block_sources, block_weights, next, count, by_rank] = scratch.local();
        const std::int64_t r0 = b * rows_per_block, r1 = std::min(n, r0 + rows_per_block);
        const std::int64_t first = indptr[static_cast<std::size_t>(r0)];
        const std::int64_t last = indptr[static_cast<std::size_t>(r1)];
        block_sources.assign(indices.begin() + first, indices.begin() + last);
        if (has_weights) block_weights.assign(weights.begin() + first, weights.begin() + last);
        const std::int64_t rows = r1 - r0;
        next.resize(static_cast<std::size_t>(rows));
        count.resize(static_cast<std::size_t>(rows));
        for (std::int64_t r = 0; r < rows; ++r) next[static_cast<std::size_t>(r)] = indptr[static_cast<std::size_t>(r0 + r)] - first;
        std::int64_t out = first;
        for (std::int64_t t = 0; t < tiles; ++t) {
            layout.segments[static_cast<std::size_t>(b * tiles + t)] = out;
            const std::int64_t lo = layout.tile_first[static_cast<std::size_t>(t)];
            const std::int64_t hi = layout.tile_first[static_cast<std::size_t>(t + 1)];
            // Each row's sources in [lo, hi) follow its sources of earlier tiles.
            by_rank.clear();
            for (std::int64_t r = 0; r < rows; ++r) {
                const std::int64_t row_end = indptr[static_cast<std::size_t>(r0 + r + 1)] - first;
                std::int64_t m = next[static_cast<std::size_t>(r)];
                while (m < row_end && block_sources[static_cast<std::size_t>(m)] < hi) ++m;
                const std::int64_t c = m - next[static_cast<std::size_t>(r)];
                count[static_cast<std::size_t>(r)] = c;
                if (static_cast<std::int64_t>(by_rank.size()) < c) by_rank.resize(static_cast<std::size_t>(c), 0);
                for (std::int64_t q = 0; q < c; ++q) ++by_rank[static_cast<std::size_t>(q)];
            }
            // by_rank[q]: rows with a (q+1)-th edge here -> where rank q starts.
            std::int64_t start = out;
            for (auto& slot : by_rank) {
                const std::int64_t size_of_rank = slot;
                slot = start;
                start += size_of_rank;
            }
            for (std::int64_t r = 0; r < rows; ++r) {
                const std::int64_t m0 = next[static_cast<std::size_t>(r)];
                for (std::int64_t q = 0; q < count[static_cast<std::size_t>(r)]; ++q) {
                    const std::int64_t position = by_rank[static_cast<std::size_t>(q)]++;
                    const std::int64_t source = block_sources[static_cast<std::size_t>(m0 + q)];
                    indices[static_cast<std::size_t>(position)] = static_cast<std::int32_t>(
                        (2 * static_cast<std::uint32_t>(r) << (source_bits + 1)) |
                        (2 * static_cast<std::uint32_t>(source - lo)));
                    if (has_weights) weights[static_cast<std::size_t>(position)] = block_weights[static_cast<std::size_t>(m0 + q)];
                }
                next[static_cast<std::size_t>(r)] = m0 + count[static_cast<std::size_t>(r)];
            }
            out = start;
        }
    });
    tiling = std::move(layout);
}

void CsrNetwork::tile_if_large(int threads) {
    if (size() >= tile_from_size) tile(default_row_bits, default_source_bits, threads);
}

std::vector<std::int32_t> CsrNetwork::csr_indices() const {
    if (!tiled()) return indices;
    std::vector<std::int32_t> csr(indices.size());
    std::vector<std::int64_t> cursor;
    const std::int64_t tiles = tiling.tiles();
    for (std::int64_t b = 0; b < tiling.blocks(); ++b) {
        std::int64_t t = 0;  // the tile of the edge being decoded
        decode_block(*this, b, cursor, [&](std::int64_t csr_position, std::int64_t e) {
            while (e >= tiling.segments[static_cast<std::size_t>(b * tiles + t + 1)]) ++t;
            csr[static_cast<std::size_t>(csr_position)] = decode_source(*this, t, e);
        });
    }
    return csr;
}

std::vector<double> CsrNetwork::csr_weights() const {
    if (!tiled() || weights.empty()) return weights;
    std::vector<double> csr(weights.size());
    std::vector<std::int64_t> cursor;
    for (std::int64_t b = 0; b < tiling.blocks(); ++b)
        decode_block(*this, b, cursor, [&](std::int64_t csr_position, std::int64_t e) {
            csr[static_cast<std::size_t>(csr_position)] = weights[static_cast<std::size_t>(e)];
        });
    return csr;
}

}  // namespace eikura

#include "eikura/network.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "eikura/parallel.hpp"
#include "eikura/random.hpp"

namespace eikura {

namespace {

const char* block_name(int block) {
    static const char* names[4] = {"ee", "ei", "ie", "ii"};
    return names[block];
}

/// Candidate sources of row `target` from a population [offset, offset + size):
/// all of them, except the target itself when self-connections are not allowed.
struct Candidates {
    std::int64_t offset;
    std::int64_t count;
    std::int64_t skipped;  // local index of the excluded target, or -1

    std::int32_t source(std::int64_t local) const {
        if (skipped >= 0 && local >= skipped) ++local;
        return static_cast<std::int32_t>(offset + local);
    }
};

Candidates candidates_for(std::int64_t target, std::int64_t offset, std::int64_t size,
                          bool allow_self) {
    const bool contains_target = target >= offset && target < offset + size;
    if (contains_target && !allow_self) return {offset, size - 1, target - offset};
    return {offset, size, -1};
}

/// Sort values spread uniformly over [offset, offset + span): a counting sort into one
/// bucket per value leaves them almost sorted, and an insertion sort finishes the job.
/// Rows of a few hundred sources (the common case) sort in stack buffers: a procedural
/// network sorts every row at every evaluation.
void sort_uniform(std::vector<std::int32_t>& values, std::int64_t offset, std::int64_t span) {
    const std::size_t count = values.size();
    if (count < 8) {
        std::sort(values.begin(), values.end());
        return;
    }
    constexpr std::size_t on_stack = 512;
    std::uint32_t stack_starts[on_stack + 1];
    std::int32_t stack_sorted[on_stack];
    std::vector<std::uint32_t> heap_starts;
    std::vector<std::int32_t> heap_sorted;
    if (count > on_stack) {
        heap_starts.resize(count + 1);
        heap_sorted.resize(count);
    }
    std::uint32_t* starts = count > on_stack ? heap_starts.data() : stack_starts;
    std::int32_t* sorted = count > on_stack ? heap_sorted.data() : stack_sorted;
    // bucket = (value − offset) · count / span in 32.32 fixed point (no division per value;
    // count <= span, so the bucket is < count)
    const std::uint64_t scale = (static_cast<std::uint64_t>(count) << 32) / static_cast<std::uint64_t>(span);
    auto bucket = [&](std::int32_t value) {
        return static_cast<std::size_t>((static_cast<std::uint64_t>(value - offset) * scale) >> 32);
    };
    std::fill(starts, starts + count + 1, 0U);
    std::int32_t* data = values.data();
    for (std::size_t m = 0; m < count; ++m) ++starts[bucket(data[m]) + 1];
    for (std::size_t b = 0; b < count; ++b) starts[b + 1] += starts[b];
    for (std::size_t m = 0; m < count; ++m) sorted[starts[bucket(data[m])]++] = data[m];
    // Insertion sort straight back into `values`: only values sharing a bucket move.
    data[0] = sorted[0];
    for (std::size_t m = 1; m < count; ++m) {
        const std::int32_t value = sorted[m];
        std::size_t position = m;
        for (; position > 0 && data[position - 1] > value; --position) data[position] = data[position - 1];
        data[position] = value;
    }
}

/// The sorted sources of one block of one row, drawn from that row's own stream.
void draw_block(const BlockSpec& spec, const Candidates& candidates, std::uint64_t key,
                std::vector<std::int32_t>& out) {
    out.clear();
    StreamGenerator stream(key);
    const auto n = static_cast<std::uint64_t>(candidates.count);
    if (n == 0) return;
    if (spec.fixed_degree) {
        const auto k = static_cast<std::size_t>(spec.in_degree);
        if (k == 0) return;
        if (4 * k >= n) {
            // Dense block: partial Fisher–Yates over all candidates.
            std::vector<std::int64_t> pool(n);
            std::iota(pool.begin(), pool.end(), 0);
            for (std::size_t m = 0; m < k; ++m) {
                const auto pick = m + stream.next_index(n - m);
                std::swap(pool[m], pool[pick]);
            }
            for (std::size_t m = 0; m < k; ++m) out.push_back(candidates.source(pool[m]));
            std::sort(out.begin(), out.end());
            return;
        }
        // Sparse block: draw with replacement until k distinct; every k-subset is
        // equally likely by symmetry. The first k draws are uniform, so a bucket sort
        // orders them in O(k) (a procedural network redraws rows at every step).
        out.resize(k);
        // (int32 and uint32 may alias: the draws land in `out`, then become sources)
        auto* draws = reinterpret_cast<std::uint32_t*>(out.data());
        draw_indices(key, static_cast<std::int64_t>(k), static_cast<std::uint32_t>(n), draws);
        for (std::size_t m = 0; m < k; ++m) out[m] = candidates.source(std::int64_t{draws[m]});
        stream.skip(k);
        sort_uniform(out, candidates.offset, candidates.count + 1);
        out.erase(std::unique(out.begin(), out.end()), out.end());
        while (out.size() < k) {  // replace duplicates: sort the few new draws, merge them in
            const std::size_t missing = k - out.size(), sorted_part = out.size();
            for (std::size_t m = 0; m < missing; ++m)
                out.push_back(candidates.source(static_cast<std::int64_t>(stream.next_index(n))));
            const auto middle = out.begin() + static_cast<std::ptrdiff_t>(sorted_part);
            std::sort(middle, out.end());
            std::inplace_merge(out.begin(), middle, out.end());
            out.erase(std::unique(out.begin(), out.end()), out.end());
        }
        return;
    }
    // Erdős–Rényi: geometric gaps between successive accepted candidates.
    const double p = spec.probability;
    if (p <= 0.0) return;
    if (p >= 1.0) {
        for (std::uint64_t m = 0; m < n; ++m) out.push_back(candidates.source(static_cast<std::int64_t>(m)));
        return;
    }
    const double log_q = std::log1p(-p);
    double position = -1.0;
    for (;;) {
        position += 1.0 + std::floor(std::log(stream.next_uniform_open()) / log_q);
        if (position >= static_cast<double>(n)) break;
        out.push_back(candidates.source(static_cast<std::int64_t>(position)));
    }
}

void validate_blocks(std::int64_t n_e, std::int64_t n_i, const BlockSpec blocks[4], bool allow_self) {
    const std::int64_t source_sizes[4] = {n_e, n_i, n_e, n_i};
    const std::int64_t target_sizes[4] = {n_e, n_e, n_i, n_i};
    for (int b = 0; b < 4; ++b) {
        const BlockSpec& spec = blocks[b];
        const bool same_population = b == 0 || b == 3;
        const std::int64_t available = source_sizes[b] - (same_population && !allow_self ? 1 : 0);
        if (spec.fixed_degree) {
            if (spec.in_degree < 0)
                throw std::invalid_argument(std::string("k_") + block_name(b) + ": in-degree must be >= 0");
            if (target_sizes[b] > 0 && spec.in_degree > std::max<std::int64_t>(available, 0))
                throw std::invalid_argument(
                    std::string("k_") + block_name(b) + ": in-degree " + std::to_string(spec.in_degree) +
                    " exceeds the " + std::to_string(std::max<std::int64_t>(available, 0)) +
                    " available sources");
        } else if (!(spec.probability >= 0.0 && spec.probability <= 1.0)) {
            throw std::invalid_argument(std::string("p_") + block_name(b) + ": must be in [0, 1]");
        }
    }
}

}  // namespace

std::int64_t CsrNetwork::memory_bytes() const {
    std::size_t words = 0;
    for (const auto& block : tiling.block_words) words += block.capacity();
    return static_cast<std::int64_t>(indptr.size() * sizeof(std::int64_t) +
                                     e_end.size() * sizeof(std::int64_t) +
                                     indices.capacity() * sizeof(std::int32_t) +
                                     weights.size() * sizeof(double) +
                                     (tiling.tile_first.size() + tiling.segments.size() +
                                      tiling.word_starts.size()) * sizeof(std::int64_t) +
                                     words * sizeof(std::uint16_t) +
                                     tiling.block_words.size() * sizeof(std::vector<std::uint16_t>));
}

double CsrNetwork::estimate_words_per_edge(std::int64_t n_e, std::int64_t n_i, double edges) {
    // A (row, tile) pair holds about Poisson(λ) edges, λ = edges per row · tile / N; a row
    // has edges in the tile with p = 1 − e^−λ. A row escapes when the rows with edges
    // before it, up to 7 back, have none: (1 − p)^6 (the first row of a segment, about).
    const double n = double(n_e + n_i);
    if (n <= 0.0 || edges <= 0.0) return 1.0;
    const double tile_size = double(std::int64_t{1} << default_source_bits);
    const double lambda = edges / n * std::min(tile_size, n) / n;
    const double p = -std::expm1(-lambda);
    return 1.0 + p * std::pow(1.0 - p, double(GatherTiles::escape) - 1.0) / lambda;
}

std::int64_t CsrNetwork::estimate_random_bytes(const RandomBlocks& rule) {
    const std::int64_t n_e = rule.n_e, n_i = rule.n_i;
    const BlockSpec* blocks = rule.blocks;
    const double source_sizes[4] = {double(n_e), double(n_i), double(n_e), double(n_i)};
    const double target_sizes[4] = {double(n_e), double(n_e), double(n_i), double(n_i)};
    double edges = 0.0;
    for (int b = 0; b < 4; ++b) {
        const double per_row = blocks[b].fixed_degree ? double(blocks[b].in_degree)
                                                      : blocks[b].probability * source_sizes[b];
        edges += per_row * target_sizes[b];
    }
    // indptr and e_end stay; a third int64 row array (E counts) lives while it is built.
    // Large networks are drawn straight into their tiled 16-bit words, small ones as int32.
    const double rows = double(n_e + n_i);
    double bytes = 3.0 * rows * sizeof(std::int64_t);
    if (n_e + n_i >= tile_from_size) bytes += estimate_tiling_bytes(n_e, n_i, edges, false);
    else bytes += edges * sizeof(std::int32_t);
    // Clamped: converting a double beyond the int64 range is undefined behaviour, and an
    // absurd request must read as "too much memory", not wrap around.
    const double most = static_cast<double>(std::numeric_limits<std::int64_t>::max());
    return bytes >= most ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(bytes);
}

double CsrNetwork::estimate_tiling_bytes(std::int64_t n_e, std::int64_t n_i, double edges, bool weighted) {
    const std::int64_t n = n_e + n_i;
    if (n < tile_from_size) return 0.0;
    const double tile_size = double(std::int64_t{1} << default_source_bits);
    const double block_rows = double(std::int64_t{1} << row_bits_for(n, edges));
    const double tiles = std::ceil(double(n_e) / tile_size) + std::ceil(double(n_i) / tile_size);
    const double blocks = std::ceil(double(n) / block_rows);
    const double per_edge = sizeof(std::int32_t) + (weighted ? sizeof(double) : 0);
    const double block_edges = std::min(edges, block_rows * edges / double(n));
    // The 16-bit words are built while the int32 sources still live (then freed).
    const double words = edges * estimate_words_per_edge(n_e, n_i, edges) + blocks;
    return (2 * blocks * tiles + tiles + 2) * sizeof(std::int64_t) + words * sizeof(std::uint16_t) +
           resolve_threads(0) * (block_edges * (per_edge + 2 * sizeof(std::uint16_t)) +
                                 block_edges / tiles * 2 * sizeof(std::uint32_t) + 3 * block_rows * sizeof(std::int64_t));
}

CsrNetwork CsrNetwork::from_csr(std::int64_t n_e, std::int64_t n_i, std::vector<std::int64_t> indptr,
                                std::vector<std::int32_t> indices, std::vector<double> weights, bool tile) {
    const std::int64_t n = n_e + n_i;
    if (n_e < 0 || n_i < 0) throw std::invalid_argument("population sizes must be >= 0");
    if (static_cast<std::int64_t>(indptr.size()) != n + 1)
        throw std::invalid_argument("indptr: expected length N + 1 = " + std::to_string(n + 1));
    if (indptr.front() != 0 || indptr.back() != static_cast<std::int64_t>(indices.size()))
        throw std::invalid_argument("indptr: must start at 0 and end at the number of edges");
    if (!weights.empty() && weights.size() != indices.size())
        throw std::invalid_argument("weights: expected one weight per edge");
    for (std::int64_t i = 0; i < n; ++i)
        if (indptr[i + 1] < indptr[i]) throw std::invalid_argument("indptr: must be non-decreasing");
    for (const auto j : indices)
        if (j < 0 || j >= n) throw std::invalid_argument("indices: source index out of range [0, N)");
    for (const auto w : weights)
        if (!std::isfinite(w)) throw std::invalid_argument("weights: must be finite");

    CsrNetwork net;
    net.n_e = n_e;
    net.n_i = n_i;
    net.e_end.resize(static_cast<std::size_t>(n));
    std::vector<std::int64_t> order;
    for (std::int64_t i = 0; i < n; ++i) {
        const auto begin = indptr[i], end = indptr[i + 1];
        // Sort the row by source (E sources, index < n_e, then come first).
        order.resize(static_cast<std::size_t>(end - begin));
        std::iota(order.begin(), order.end(), begin);
        std::sort(order.begin(), order.end(),
                  [&](std::int64_t a, std::int64_t b) { return indices[a] < indices[b]; });
        std::vector<std::int32_t> row_indices(order.size());
        std::vector<double> row_weights(weights.empty() ? 0 : order.size());
        for (std::size_t m = 0; m < order.size(); ++m) {
            row_indices[m] = indices[static_cast<std::size_t>(order[m])];
            if (!weights.empty()) row_weights[m] = weights[static_cast<std::size_t>(order[m])];
            if (m > 0 && row_indices[m] == row_indices[m - 1])
                throw std::invalid_argument("indices: duplicate edge " + std::to_string(row_indices[m]) +
                                            " -> " + std::to_string(i));
        }
        std::copy(row_indices.begin(), row_indices.end(), indices.begin() + begin);
        if (!weights.empty()) std::copy(row_weights.begin(), row_weights.end(), weights.begin() + begin);
        const auto first_i = std::lower_bound(row_indices.begin(), row_indices.end(),
                                              static_cast<std::int32_t>(n_e));
        net.e_end[static_cast<std::size_t>(i)] = begin + (first_i - row_indices.begin());
    }
    net.indptr = std::move(indptr);
    net.indices = std::move(indices);
    net.weights = std::move(weights);
    if (tile) net.tile_if_large(0);
    return net;
}

const BlockSpec& RandomBlocks::block_from_e(std::int64_t target) const {
    return blocks[target < n_e ? 0 : 2];  // ee or ie
}

const BlockSpec& RandomBlocks::block_from_i(std::int64_t target) const {
    return blocks[target < n_e ? 1 : 3];  // ei or ii
}

void RandomBlocks::validate() const {
    if (n_e < 0 || n_i < 0) throw std::invalid_argument("population sizes must be >= 0");
    if (n_e + n_i > std::numeric_limits<std::int32_t>::max())
        throw std::invalid_argument("N: at most 2^31 - 1 oscillators (int32 source indices)");
    validate_blocks(n_e, n_i, blocks, allow_self);
}

void RandomBlocks::e_sources(std::int64_t target, std::vector<std::int32_t>& out) const {
    draw_block(block_from_e(target), candidates_for(target, 0, n_e, allow_self),
               stream_key(seed, Purpose::network_e_sources, static_cast<std::uint64_t>(target)), out);
}

void RandomBlocks::i_sources(std::int64_t target, std::vector<std::int32_t>& out) const {
    draw_block(block_from_i(target), candidates_for(target, n_e, n_i, allow_self),
               stream_key(seed, Purpose::network_i_sources, static_cast<std::uint64_t>(target)), out);
}

namespace {

/// Mean sources a row of population `onto_e` draws from block b's population.
double row_size(const RandomBlocks& rule, int block) {
    const BlockSpec& spec = rule.blocks[block];
    const double sources = double(block == 0 || block == 2 ? rule.n_e : rule.n_i);
    return spec.fixed_degree ? double(spec.in_degree) : spec.probability * sources;
}

}  // namespace

int RandomBlocks::procedural_row_bits() const {
    const double edges_per_row =
        std::max({1.0, row_size(*this, 0) + row_size(*this, 1), row_size(*this, 2) + row_size(*this, 3)});
    // Each block streams the whole sin/cos table (16 N bytes) through the cache, so a
    // block holds up to N edges where N is large: at most 16 table bytes per edge (at
    // N = 10^7, k = 100, 2^16 rows ran 1.8x faster than 2^13).
    const double n = double(n_e + n_i), most_edges = std::max(0x1p20, n);
    int row_bits = 6;
    while (row_bits < max_procedural_row_bits && double(std::int64_t{2} << row_bits) * edges_per_row <= most_edges &&
           double(std::int64_t{2} << row_bits) <= n / 8)  // 8 blocks at least, for the threads
        ++row_bits;
    return row_bits;
}

int RandomBlocks::procedural_source_bits() const {
    double density = 0.0;  // the most edges a row draws per source of a population
    for (int block = 0; block < 4; ++block) {
        const double population = double(block == 0 || block == 2 ? n_e : n_i);
        if (population > 0) density = std::max(density, row_size(*this, block) / population);
    }
    int source_bits = CsrNetwork::default_source_bits;
    while (source_bits > 8 && double(std::int64_t{1} << source_bits) * density > 2.0) --source_bits;
    return source_bits;
}

std::int64_t RandomBlocks::procedural_thread_bytes() const {
    const std::int64_t n = n_e + n_i;
    const double row_bytes = sizeof(std::int32_t) *
                             std::max(row_size(*this, 0) + row_size(*this, 1), row_size(*this, 2) + row_size(*this, 3));
    if (n < CsrNetwork::tile_from_size) return static_cast<std::int64_t>(row_bytes);  // one row at a time
    const double rows = double(std::int64_t{1} << procedural_row_bits());
    const double tile_size = double(std::int64_t{1} << procedural_source_bits());
    // a row's sources and its draws, row ends, row sums
    double bytes = 2 * row_bytes + rows * (2 + 4) * sizeof(double);
    // Rows listed for a redraw: those whose k draws repeat a source (k^2 / 2n each), twice
    // for the buffer's doubling.
    double repeats = 0.0;
    for (int block = 0; block < 4; ++block) {
        const double population = double(block == 0 || block == 2 ? n_e : n_i), k = row_size(*this, block);
        if (population > 0) repeats = std::max(repeats, k * k / (2.0 * population));
    }
    bytes += 2.0 * rows * std::min(1.0, 2.0 * repeats) * sizeof(std::int64_t);
    for (const bool from_e : {true, false}) {
        const double population = double(from_e ? n_e : n_i);
        if (population == 0) continue;
        // A block of E or of I targets, whichever draws more from this population.
        const double per_row = std::max(row_size(*this, from_e ? 0 : 1), row_size(*this, from_e ? 2 : 3));
        for (double first = 0; first < population; first += tile_size) {
            const double mean = rows * per_row * std::min(tile_size, population - first) / population;
            const double largest = std::ceil(mean + 4.0 * std::sqrt(mean));
            double capacity = 256.0;  // a buffer starts at 256 words
            while (capacity < largest) capacity *= 2.0;
            bytes += capacity * sizeof(std::uint32_t) + sizeof(std::vector<std::uint32_t>) + 2 * sizeof(std::int64_t) +
                     sizeof(DrawnBlock::Cursor);
        }
    }
    return static_cast<std::int64_t>(bytes);
}

namespace {

/// Puts the words of each row of a tile in ascending order, and lists the rows that have
/// a word twice (a source drawn twice). Rows already ascend (they were drawn in order),
/// and a row has about k · tile / N words in a tile, below one: an out-of-order pair is
/// swapped without a branch (a row's words in a tile arrive in random order), and only a
/// word that must go further down takes the branch.
class RowOrder {
  public:
    RowOrder(std::uint32_t* words, std::int64_t count) : words_(words), count_(count), top_(count > 0 ? words[0] : 0) {}
    std::int64_t count() const { return count_; }

    /// Words [0, m] in order, given words [0, m) in order (m >= 1).
    void step(std::int64_t m, int row_shift, std::vector<std::int64_t>& repeated) {
        const std::uint32_t word = words_[m];
        // low = min(top, word), high = max(top, word), in integer arithmetic: compilers
        // turn a min/max pair into an unpredictable branch.
        const std::int64_t difference = std::int64_t{word} - std::int64_t{top_};
        const std::int64_t negative = difference & (difference >> 63);
        const auto low = static_cast<std::uint32_t>(std::int64_t{top_} + negative);
        const auto high = static_cast<std::uint32_t>(std::int64_t{word} - negative);
        if (std::int64_t{low} > below_ && word != top_) [[likely]] {
            words_[m - 1] = low;
            below_ = low;
            top_ = high;
            return;
        }
        // The word goes below `below`, or repeats a word: insertion, then a look at its
        // neighbours.
        words_[m - 1] = top_;
        std::int64_t position = m;
        for (; position > 0 && words_[position - 1] > word; --position) words_[position] = words_[position - 1];
        words_[position] = word;
        if ((position > 0 && words_[position - 1] == word) || (position < m && words_[position + 1] == word))
            repeated.push_back(word >> row_shift);
        top_ = words_[m];
        below_ = words_[m - 1];
    }

    void finish() {
        if (count_ > 0) words_[count_ - 1] = top_;
    }

  private:
    std::uint32_t* words_;
    std::int64_t count_;
    std::int64_t below_ = -1;  // the word before `top`, in its place
    std::uint32_t top_;        // the largest word so far, not yet written back
};

/// Orders two tiles side by side: each word's step waits on the one before, so two
/// independent tiles keep the core busier (1.2x faster than one at a time).
void order_rows(RowOrder a, RowOrder b, int row_shift, std::vector<std::int64_t>& repeated) {
    const std::int64_t both = std::min(a.count(), b.count());
    std::int64_t m = 1;
    for (; m < both; ++m) {
        a.step(m, row_shift, repeated);
        b.step(m, row_shift, repeated);
    }
    for (std::int64_t rest = m; rest < a.count(); ++rest) a.step(rest, row_shift, repeated);
    for (std::int64_t rest = m; rest < b.count(); ++rest) b.step(rest, row_shift, repeated);
    a.finish();
    b.finish();
}

}  // namespace

void RandomBlocks::draw_tiled_block(std::int64_t first_row, std::int64_t rows, int source_bits,
                                    DrawnBlock& out) const {
    const std::int64_t n = n_e + n_i, tile_size = std::int64_t{1} << source_bits;
    out.tile_first.clear();
    for (std::int64_t s = 0; s < n_e; s += tile_size) out.tile_first.push_back(s);
    const auto e_tiles = static_cast<std::int64_t>(out.tile_first.size());
    for (std::int64_t s = n_e; s < n; s += tile_size) out.tile_first.push_back(s);
    out.tile_first.push_back(n);
    const std::size_t tiles = out.tile_first.size() - 1;
    out.tile_words.resize(tiles);
    out.cursors.resize(tiles);
    for (std::size_t t = 0; t < tiles; ++t) {
        std::vector<std::uint32_t>& words = out.tile_words[t];
        out.cursors[t] = {words.data(), words.data() + words.size()};
    }
    out.row_ends.resize(static_cast<std::size_t>(2 * rows));
    out.redraw_rows.clear();

    // Every edge goes straight to the end of its tile's buffer, as it is drawn (rows come
    // in ascending order); order_rows then orders each row's words within a tile.
    auto put = [&](std::int64_t tile, std::uint32_t word) {
        DrawnBlock::Cursor& cursor = out.cursors[static_cast<std::size_t>(tile)];
        if (cursor.next == cursor.end) [[unlikely]] {  // full: double the buffer
            std::vector<std::uint32_t>& words = out.tile_words[static_cast<std::size_t>(tile)];
            const std::size_t used = words.size();
            words.resize(std::max<std::size_t>(256, 2 * used));
            cursor = {words.data() + used, words.data() + words.size()};
        }
        *cursor.next++ = word;
    };
    const std::uint32_t offset_mask = static_cast<std::uint32_t>(tile_size - 1);
    std::int64_t edges = 0;
    // The sources of one block of one row: a sparse fixed-degree block (the common case)
    // adds its first k draws, which are the row's sources unless two coincide (k² / 2n
    // per row; order_rows lists such rows). Other blocks are drawn whole by draw_block.
    auto add_block = [&](std::int64_t row, const BlockSpec& spec, const Candidates& candidates, Purpose purpose) {
        const std::int64_t target = first_row + row, first_tile = candidates.offset == 0 ? 0 : e_tiles;
        const auto row_word = static_cast<std::uint32_t>(2 * row) << (source_bits + 1);
        auto add = [&](std::int64_t local) {  // local: source - first of the population
            put(first_tile + (local >> source_bits), row_word | (2 * (static_cast<std::uint32_t>(local) & offset_mask)));
        };
        const std::int64_t k = spec.in_degree, available = candidates.count;
        if (spec.fixed_degree && k > 0 && 4 * k < available) {
            out.draws.resize(static_cast<std::size_t>(k));
            draw_indices(stream_key(seed, purpose, static_cast<std::uint64_t>(target)), k,
                         static_cast<std::uint32_t>(available), out.draws.data());
            const std::int64_t skipped = candidates.skipped >= 0 ? candidates.skipped : available;
            for (const std::uint32_t draw : out.draws) add(std::int64_t{draw} + (std::int64_t{draw} >= skipped));
            edges += k;
            return;
        }
        if (purpose == Purpose::network_e_sources) e_sources(target, out.row);
        else i_sources(target, out.row);
        for (const auto s : out.row) add(s - candidates.offset);
        edges += static_cast<std::int64_t>(out.row.size());
    };
    for (std::int64_t row = 0; row < rows; ++row) {
        const std::int64_t i = first_row + row;
        add_block(row, block_from_e(i), candidates_for(i, 0, n_e, allow_self), Purpose::network_e_sources);
        out.row_ends[static_cast<std::size_t>(2 * row)] = edges;
        add_block(row, block_from_i(i), candidates_for(i, n_e, n_i, allow_self), Purpose::network_i_sources);
        out.row_ends[static_cast<std::size_t>(2 * row + 1)] = edges;
    }
    out.tile_sizes.resize(tiles);
    for (std::size_t t = 0; t < tiles; ++t) out.tile_sizes[t] = out.cursors[t].next - out.tile_words[t].data();
    for (std::size_t t = 0; t < tiles; t += 2) {
        const std::size_t u = std::min(t + 1, tiles - 1);  // an odd last tile is paired with nothing
        const RowOrder second = u == t ? RowOrder(nullptr, 0) : RowOrder(out.tile_words[u].data(), out.tile_sizes[u]);
        order_rows(RowOrder(out.tile_words[t].data(), out.tile_sizes[t]), second, source_bits + 2, out.redraw_rows);
    }
    std::sort(out.redraw_rows.begin(), out.redraw_rows.end());
    out.redraw_rows.erase(std::unique(out.redraw_rows.begin(), out.redraw_rows.end()), out.redraw_rows.end());
}

CsrNetwork CsrNetwork::random(const RandomBlocks& rule, int threads) {
    rule.validate();
    threads = resolve_threads(threads);
    const std::int64_t n = rule.n_e + rule.n_i;

    // A fixed-degree block's row size is known without drawing it.
    auto count = [&](const BlockSpec& block, std::int64_t i, bool from_e,
                     std::vector<std::int32_t>& scratch) -> std::int64_t {
        if (block.fixed_degree) return block.in_degree;
        if (from_e) rule.e_sources(i, scratch);
        else rule.i_sources(i, scratch);
        return static_cast<std::int64_t>(scratch.size());
    };

    CsrNetwork net;
    net.n_e = rule.n_e;
    net.n_i = rule.n_i;
    net.indptr.assign(static_cast<std::size_t>(n + 1), 0);
    net.e_end.resize(static_cast<std::size_t>(n));
    std::vector<std::int64_t> e_counts(static_cast<std::size_t>(n));

    // Pass 1: row sizes. (Drawing a row allocates: parallel_for carries a bad_alloc out.)
    PerThread<std::vector<std::int32_t>> scratch(threads);
    parallel_for(threads, n, [&](std::int64_t i) {
        const std::int64_t e_count = count(rule.block_from_e(i), i, true, scratch.local());
        e_counts[static_cast<std::size_t>(i)] = e_count;
        net.indptr[static_cast<std::size_t>(i + 1)] =
            e_count + count(rule.block_from_i(i), i, false, scratch.local());
    });
    for (std::int64_t i = 0; i < n; ++i) {
        net.indptr[static_cast<std::size_t>(i + 1)] += net.indptr[static_cast<std::size_t>(i)];
        net.e_end[static_cast<std::size_t>(i)] =
            net.indptr[static_cast<std::size_t>(i)] + e_counts[static_cast<std::size_t>(i)];
    }
    if (n >= tile_from_size) {  // Pass 2: redraw the rows block by block, tiled
        net.draw_tiled(rule, threads);
        return net;
    }
    net.indices.resize(static_cast<std::size_t>(net.indptr.back()));

    // Pass 2: redraw each row from the same streams and write it in place.
    PerThread<std::vector<std::int32_t>> i_scratch(threads);
    parallel_for(threads, n, [&](std::int64_t i) {
        std::vector<std::int32_t>& e_sources = scratch.local();
        std::vector<std::int32_t>& i_sources = i_scratch.local();
        rule.e_sources(i, e_sources);
        rule.i_sources(i, i_sources);
        auto out = net.indices.begin() + net.indptr[static_cast<std::size_t>(i)];
        out = std::copy(e_sources.begin(), e_sources.end(), out);
        std::copy(i_sources.begin(), i_sources.end(), out);
    });
    return net;
}

}  // namespace eikura

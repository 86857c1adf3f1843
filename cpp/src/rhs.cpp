// RightHandSide: sin θ_j and cos θ_j of the stage phases once per evaluation, then, per
// strategy, the sums each row needs; every row ends in the model equation of equation.hpp
// (phase_velocity, or its mean-field form for all-to-all coupling). Each loop is a
// parallel_for over oscillators, chunks or blocks of rows: a row's sums are added in a
// fixed order by one thread, so the result never depends on the number of threads.
#include "eikura/rhs.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <type_traits>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "eikura/sincos.hpp"

namespace eikura {

namespace {

struct SinCosSum {
    double sin, cos;
};

/// Σ_m w_m (sin θ_j, cos θ_j), j = sources[m], over one row's inputs from one population
/// (w null: all weights 1), added in ascending source order. Stored and procedural
/// networks add a row's inputs in this same order, so they agree bit for bit, for any
/// number of threads.
template <class Table>
inline SinCosSum sum_inputs(const std::int32_t* sources, std::int64_t count, const double* w,
                            const Table* sc) {
    SinCosSum sum{0.0, 0.0};
    if (w) {
        for (std::int64_t m = 0; m < count; ++m) {
            sum.sin += w[m] * sc[2 * sources[m]];
            sum.cos += w[m] * sc[2 * sources[m] + 1];
        }
    } else {
#if defined(__SSE2__)
        if constexpr (std::is_same_v<Table, double>) {  // both sums in one 2-lane register
            __m128d pair = _mm_setzero_pd();
            for (std::int64_t m = 0; m < count; ++m) pair = _mm_add_pd(pair, _mm_loadu_pd(sc + 2 * sources[m]));
            double pair_sums[2];
            _mm_storeu_pd(pair_sums, pair);
            return {pair_sums[0], pair_sums[1]};
        }
#endif
        for (std::int64_t m = 0; m < count; ++m) {
            sum.sin += sc[2 * sources[m]];
            sum.cos += sc[2 * sources[m] + 1];
        }
    }
    return sum;
}

/// (Σ sin, Σ cos) += w (sin θ_j, cos θ_j) at sums = the row's pair, sc = the source's pair.
template <bool Weighted, class Table>
inline void add_pair(double* sums, const Table* sc, double w) {
    if constexpr (Weighted) {
        sums[0] += w * sc[0];
        sums[1] += w * sc[1];
    } else {
#if defined(__SSE2__)
        if constexpr (std::is_same_v<Table, double>) {
            // (Σ sin, Σ cos) += (sin θ_j, cos θ_j) as one 2-lane add: the same two IEEE
            // additions in half the loads, stores and adds (about 25 % faster).
            _mm_storeu_pd(sums, _mm_add_pd(_mm_loadu_pd(sums), _mm_loadu_pd(sc)));
            return;
        }
#endif
        sums[0] += sc[0];
        sums[1] += sc[1];
    }
}

/// Calls add_edge(m) for m in [0, count) while prefetching the next tile's sin/cos line
/// by line: streamed in order from L3 they arrive far sooner than the same lines fetched
/// later as scattered misses.
template <class Table, class AddEdge>
inline void add_edges_prefetching(std::int64_t count, const Table* next_sc, std::int64_t next_size,
                                  AddEdge add_edge) {
    constexpr std::int64_t values_per_line = 64 / sizeof(Table);
    const std::int64_t next_lines = 2 * next_size / values_per_line;
    std::int64_t m = 0;
    for (std::int64_t line = 0; m + 1 < count && line < next_lines; m += 2, ++line) {
        __builtin_prefetch(next_sc + values_per_line * line);
        add_edge(m);
        add_edge(m + 1);
    }
    for (; m < count; ++m) add_edge(m);
}

/// The edges of one (block, tile) segment.
template <class Table>
struct TileEdges {
    std::int64_t count;
    const Table* tile_sc;   // sin, cos of the tile's first source onwards
    double* sums;           // (Σ sin, Σ cos) of the block's rows, 2 per row
    const Table* next_sc;   // sin/cos of the tile that comes next, to prefetch
    std::int64_t next_size;
};

/// sums[row] += (sin θ_j, cos θ_j) over a tile of a procedural block, whose words are
/// (2·row in block << (source_bits + 1)) | 2·(source − first of tile), the offsets of the
/// row's and the source's pairs.
template <class Table>
inline void add_drawn_tile(const TileEdges<Table>& seg, const std::uint32_t* words, int source_bits) {
    const std::uint32_t source_mask = (std::uint32_t{1} << (source_bits + 1)) - 1;
    add_edges_prefetching(seg.count, seg.next_sc, seg.next_size, [&](std::int64_t m) {
        const std::size_t word = words[m];
        add_pair<false>(seg.sums + (word >> (source_bits + 1)), seg.tile_sc + (word & source_mask), 1.0);
    });
}

/// sums[row] += w (sin θ_j, cos θ_j) over a segment of a stored network (16-bit words,
/// GatherTiles): rows ascend by small steps; an escape (rare: a gap of 7 rows or more)
/// reads the row from the segment's escape list.
template <bool Weighted, class Table>
inline void add_stored_tile(const TileEdges<Table>& seg, const std::uint16_t* words, const double* weights) {
    constexpr int offset_bits = GatherTiles::offset_bits;
    constexpr std::uint32_t offset_mask = (std::uint32_t{1} << offset_bits) - 1;
    const std::uint16_t* escape_row = words + seg.count;
    std::size_t row = 0;
    add_edges_prefetching(seg.count, seg.next_sc, seg.next_size, [&](std::int64_t m) {
        const std::uint32_t word = words[m];
        const std::uint32_t code = word >> offset_bits;
        if (code == GatherTiles::escape) row = *escape_row++;
        else row += code;
        add_pair<Weighted>(seg.sums + 2 * row, seg.tile_sc + 2 * (word & offset_mask), Weighted ? weights[m] : 1.0);
    });
}

}  // namespace

RightHandSide::RightHandSide(const Model& model, int threads, bool float32_tables)
    : model_(model),
      threads_(resolve_threads(threads)),
      float_tables_(float32_tables && !model.all_to_all()),
      thread_sources_(threads_),
      thread_row_sums_(threads_) {
    model_.validate();
    forcings_.resize(model_.drives.size());
    const auto n = static_cast<std::size_t>(model_.size());
    sincos_.resize(2 * n);
    if (float_tables_) sincos32_.resize(2 * n);
    chunk_sums_.resize(4 * static_cast<std::size_t>(n_chunks(model_.size())));
    if (!model_.network) return;
    const CsrNetwork& net = *model_.network;
    if (net.tiled()) {
        const std::size_t rows = std::size_t{1} << net.tiling.row_bits;
        for (std::size_t thread = 0; thread < thread_row_sums_.size(); ++thread)
            thread_row_sums_[thread].assign(4 * rows, 0.0);
    }
    // 1/n_i^Y once per row: a stored network's in-degrees do not change.
    inverse_norms_.resize(n);
    const double n_e = static_cast<double>(model_.n_e), n_i = static_cast<double>(model_.n_i);
    for (std::size_t i = 0; i < n; ++i)
        inverse_norms_[i] = detail::inverse_norms(model_.normalization,
                                                  static_cast<double>(net.e_end[i] - net.indptr[i]),
                                                  static_cast<double>(net.indptr[i + 1] - net.e_end[i]),
                                                  n_e, n_i);
}

void RightHandSide::attach_history(const DelayLine* history, double dt) {
    if (float_tables_) throw std::invalid_argument("precision: 'float32' tables are not available with delays");
    history_ = history;
    const TransmissionDelays& tau = model_.delays;
    const double steps[2][2] = {{DelayLine::steps_of(tau.ee, dt), DelayLine::steps_of(tau.ei, dt)},
                                {DelayLine::steps_of(tau.ie, dt), DelayLine::steps_of(tau.ii, dt)}};
    for (int x = 0; x < 2; ++x)
        for (int y = 0; y < 2; ++y) delay_steps_[x][y] = steps[x][y];
    if (model_.all_to_all()) return;
    const auto n = static_cast<std::size_t>(model_.size());
    delayed_[0].resize(2 * n);
    delayed_[1].resize(2 * n);
    second_pass_.resize(n);
}

void RightHandSide::delayed_sources(const double* sc, const double* sources[2]) {
    const std::int64_t n = model_.size(), n_e = model_.n_e;
    const std::int64_t first[2] = {0, n_e}, end[2] = {n_e, n};
    for (int x = 0; x < 2; ++x) {
        const double* steps = delay_steps_[x];
        if (steps[0] == 0.0 && steps[1] == 0.0) {
            sources[x] = sc;  // no delay onto X: the stage's own table
            continue;
        }
        if (x == 1 && steps[0] == delay_steps_[0][0] && steps[1] == delay_steps_[0][1]) {
            sources[1] = sources[0];  // the same delays as onto E
            continue;
        }
        double* table = delayed_[x].data();
        for (int y = 0; y < 2; ++y) {
            if (steps[y] > 0.0) history_->fill_sources(steps[y], first[y], end[y], table);
            else std::copy(sc + 2 * first[y], sc + 2 * end[y], table + 2 * first[y]);
        }
        sources[x] = table;
    }
}

std::int64_t RightHandSide::scratch_bytes() const {
    std::size_t row_sums = 0, drawn = 0;
    for (std::size_t thread = 0; thread < thread_row_sums_.size(); ++thread) {
        row_sums += thread_row_sums_[thread].capacity();
        const DrawnBlock& block = thread_sources_[thread];
        drawn += block.row.capacity() * sizeof(std::int32_t) + block.row_ends.capacity() * sizeof(std::int64_t) +
                 block.redraw_rows.capacity() * sizeof(std::int64_t) + block.tile_first.capacity() * sizeof(std::int64_t);
        for (const auto& words : block.tile_words) drawn += words.capacity() * sizeof(std::uint32_t);
    }
    return static_cast<std::int64_t>((sincos_.size() + sincos32_.size() / 2 + chunk_sums_.size() +
                                      2 * inverse_norms_.size() + row_sums) *
                                         sizeof(double) +
                                     drawn);
}

void RightHandSide::chunk_sums(std::int64_t chunk, double sums[4]) const {
    const std::int64_t begin = chunk * reduction_chunk;
    const std::int64_t end = std::min(begin + reduction_chunk, model_.size());
    const std::int64_t split = std::min(std::max(begin, model_.n_e), end);
    sums[0] = sums[1] = sums[2] = sums[3] = 0.0;
    const double* sc = sincos_.data();
    for (std::int64_t j = begin; j < split; ++j) {
        sums[0] += sc[2 * j + 1];
        sums[1] += sc[2 * j];
    }
    for (std::int64_t j = split; j < end; ++j) {
        sums[2] += sc[2 * j + 1];
        sums[3] += sc[2 * j];
    }
}

void RightHandSide::add_chunks(double totals[4]) const {
    totals[0] = totals[1] = totals[2] = totals[3] = 0.0;
    const std::size_t chunks = chunk_sums_.size() / 4;
    for (std::size_t c = 0; c < chunks; ++c)
        for (std::size_t k = 0; k < 4; ++k) totals[k] += chunk_sums_[4 * c + k];
}

void RightHandSide::order_parameters(const double* theta, double out[6]) {
    const std::int64_t n = model_.size();
    parallel_for(threads_, n_chunks(n), [&](std::int64_t c) {
        const std::int64_t begin = c * reduction_chunk, end = std::min(begin + reduction_chunk, n);
        sin_cos(theta + begin, end - begin, sincos_.data() + 2 * begin);
        chunk_sums(c, &chunk_sums_[4 * static_cast<std::size_t>(c)]);
    });
    double totals[4];
    add_chunks(totals);
    const double n_e = static_cast<double>(model_.n_e), n_i = static_cast<double>(model_.n_i);
    out[0] = model_.n_e ? totals[0] / n_e : 0.0;
    out[1] = model_.n_e ? totals[1] / n_e : 0.0;
    out[2] = model_.n_i ? totals[2] / n_i : 0.0;
    out[3] = model_.n_i ? totals[3] / n_i : 0.0;
    out[4] = (totals[0] + totals[2]) / (n_e + n_i);
    out[5] = (totals[1] + totals[3]) / (n_e + n_i);
}

void RightHandSide::record_local_order(double* out) {
    local_order_ = out;
    // Weighted rows divide by Σ_j w_ij: summed once, when first asked for (CSR order).
    if (!out || !model_.network || !model_.network->weighted() || !input_weights_.empty()) return;
    const CsrNetwork& net = *model_.network;
    const std::vector<double> weights = net.csr_weights();
    input_weights_.assign(static_cast<std::size_t>(model_.size()), 0.0);
    for (std::size_t i = 0; i < input_weights_.size(); ++i)
        for (std::int64_t e = net.indptr[i]; e < net.indptr[i + 1]; ++e)
            input_weights_[i] += weights[static_cast<std::size_t>(e)];
}

double RightHandSide::stored_inputs(std::int64_t i) const {
    const auto row = static_cast<std::size_t>(i);
    if (!input_weights_.empty()) return input_weights_[row];
    return static_cast<double>(model_.network->indptr[row + 1] - model_.network->indptr[row]);
}

void RightHandSide::evaluate(const double* base, const double* slope, double h,
                             const double* kick, double t, double* out) {
    if (float_tables_) evaluate_with(sincos32_.data(), base, slope, h, kick, t, out);
    else evaluate_with(sincos_.data(), base, slope, h, kick, t, out);
}

template <class Table>
void RightHandSide::evaluate_with(Table* sc, const double* base, const double* slope, double h,
                                  const double* kick, double t, double* out) {
    const Couplings k = model_.couplings.at(t);
    // Phase lags rotate each block's strength: K_XY e^{−iα_XY}, once per evaluation.
    lagged_ = model_.phase_lags.any();
    if (lagged_)
        for (bool excitatory : {true, false})
            lagged_onto_[excitatory ? 0 : 1] = detail::lagged_strengths_onto(k, model_.phase_lags, excitatory);
    stage_sin_cos(sc, base, slope, h, kick);
    if (model_.all_to_all()) {
        drive_forcings(t);
        all_to_all_rows(k, out);  // (float_tables_ is off: sc is sincos_); adds the drives
        return;
    } else if (!history_) {
        network_rows(sc, sc, k, out);
    } else if constexpr (std::is_same_v<Table, double>) {  // (attach_history refuses float)
        const double* sources[2];
        delayed_sources(sc, sources);
        network_rows(sc, sources[0], k, out);
        if (sources[1] != sources[0]) {
            // Rows onto I read other delays: a second pass, whose I rows are kept (their
            // local order parameters too, when recorded).
            double* const local_order = local_order_;
            if (local_order) {
                second_local_order_.resize(second_pass_.size());
                local_order_ = second_local_order_.data();
            }
            struct Restore {
                double*& target;
                double* value;
                ~Restore() { target = value; }
            } restore{local_order_, local_order};
            network_rows(sc, sources[1], k, second_pass_.data());
            std::copy(second_pass_.begin() + model_.n_e, second_pass_.end(), out + model_.n_e);
            if (local_order)
                std::copy(second_local_order_.begin() + model_.n_e, second_local_order_.end(),
                          local_order + model_.n_e);
        }
    }
    if (!model_.drives.empty()) add_drives(sc, t, out);
}

template <class Table>
void RightHandSide::network_rows(const Table* sc, const Table* sources, const Couplings& k,
                                 double* out) {
    if (model_.procedural) procedural_rows(sc, sources, k, out);
    else if (model_.network->tiled()) tiled_rows(sc, sources, k, out);
    else csr_rows(sc, sources, k, out);
}

void RightHandSide::drive_forcings(double t) {
    for (std::size_t d = 0; d < model_.drives.size(); ++d) {
        const Drive& drive = model_.drives[d];
        const double amplitude = drive.amplitude(t), angle = drive.frequency * t + drive.phase;
        forcings_[d] = {amplitude * std::cos(angle), amplitude * std::sin(angle)};
    }
}

template <class Table>
void RightHandSide::add_drives(const Table* sc, double t, double* out) {
    drive_forcings(t);
    for (std::size_t d = 0; d < model_.drives.size(); ++d) {
        const detail::MeanField forcing = forcings_[d];
        const std::uint8_t* targets = model_.drives[d].targets.data();
        parallel_for(threads_, model_.size(), [&](std::int64_t i) {
            if (targets[i]) out[i] += detail::drive_term(forcing, sc[2 * i], sc[2 * i + 1]);
        });
    }
}

template <class Table>
void RightHandSide::stage_sin_cos(Table* sc, const double* base, const double* slope, double h,
                                  const double* kick) {
    const std::int64_t n = model_.size();
    const bool all_to_all = model_.all_to_all();
    // sc: sin θ_j, cos θ_j interleaved, so that one cache line serves a source.
    parallel_for(threads_, n_chunks(n), [&](std::int64_t c) {
        const std::int64_t begin = c * reduction_chunk, end = std::min(begin + reduction_chunk, n);
        double stage[reduction_chunk];  // the stage phases of this chunk
        for (std::int64_t j = begin; j < end; ++j) {
            double theta = base[j];
            if (slope) theta += h * slope[j];
            if (kick) theta += kick[j];
            stage[j - begin] = theta;
        }
        sin_cos(stage, end - begin, sc + 2 * begin);
        if (all_to_all) chunk_sums(c, &chunk_sums_[4 * static_cast<std::size_t>(c)]);
    });
}

template <class Table>
double RightHandSide::finish_row(std::int64_t i, const Table* sc, const Couplings& k,
                                 detail::InverseNorms inverse_norm,
                                 const detail::InputSums& sums) const {
    if (lagged_)
        return detail::phase_velocity_lagged(model_.omega[static_cast<std::size_t>(i)],
                                             lagged_onto_[i < model_.n_e ? 0 : 1], inverse_norm,
                                             sums, sc[2 * i], sc[2 * i + 1]);
    return detail::phase_velocity(model_.omega[static_cast<std::size_t>(i)],
                                  detail::strengths_onto(k, i < model_.n_e), inverse_norm, sums,
                                  sc[2 * i], sc[2 * i + 1]);
}

void RightHandSide::all_to_all_rows(const Couplings& k, double* out) {
    const std::int64_t n = model_.size(), n_e = model_.n_e;
    double totals[4];  // Σ cos θ_j, Σ sin θ_j over E, then over I, chunk by chunk in order
    add_chunks(totals);
    // All-to-all: the in-degree from Y is N_Y.
    const double size_e = static_cast<double>(n_e), size_i = static_cast<double>(n - n_e);
    const detail::InverseNorms scale =
        detail::inverse_norms(model_.normalization, size_e, size_i, size_e, size_i);
    // Z_E, Z_I as the rows onto E [0] and onto I [1] see them: now, or delayed.
    detail::MeanField z_e[2], z_i[2];
    for (int x = 0; x < 2; ++x) {
        double seen[4] = {totals[0], totals[1], totals[2], totals[3]};
        if (history_) {
            double past[4];
            if (delay_steps_[x][0] > 0.0) {
                history_->population_sums(delay_steps_[x][0], past);
                seen[0] = past[0], seen[1] = past[1];
            }
            if (delay_steps_[x][1] > 0.0) {
                history_->population_sums(delay_steps_[x][1], past);
                seen[2] = past[2], seen[3] = past[3];
            }
        }
        z_e[x] = {seen[0] * scale.e, seen[1] * scale.e};
        z_i[x] = {seen[2] * scale.i, seen[3] * scale.i};
        // Every row onto X sees all N oscillators (delayed as X sees them): its local
        // order parameter, |Σ_j e^{iθ_j}| / N, is |Z| without delays.
        all_to_all_local_order_[x] = std::hypot(seen[0] + seen[2], seen[1] + seen[3]) /
                                     static_cast<double>(n);
    }
    const detail::MeanField drive_e =
        lagged_ ? detail::mean_field_drive(lagged_onto_[0], z_e[0], z_i[0])
                : detail::mean_field_drive(detail::strengths_onto(k, true), z_e[0], z_i[0]);
    const detail::MeanField drive_i =
        lagged_ ? detail::mean_field_drive(lagged_onto_[1], z_e[1], z_i[1])
                : detail::mean_field_drive(detail::strengths_onto(k, false), z_e[1], z_i[1]);
    const double* omega = model_.omega.data();
    const double* sc = sincos_.data();
    // The drives in the same pass: the same additions, in the same order, as add_drives
    // makes in a pass of its own, without sweeping the N rows a second time.
    const std::size_t drives = model_.drives.size();
    parallel_for(threads_, n, [&](std::int64_t i) {
        double velocity = detail::phase_velocity_all_to_all(omega[i], i < n_e ? drive_e : drive_i,
                                                            sc[2 * i], sc[2 * i + 1]);
        for (std::size_t d = 0; d < drives; ++d)
            if (model_.drives[d].targets[static_cast<std::size_t>(i)])
                velocity += detail::drive_term(forcings_[d], sc[2 * i], sc[2 * i + 1]);
        out[i] = velocity;
    });
}

template <class Table>
void RightHandSide::csr_rows(const Table* sc, const Table* sources_sc, const Couplings& k,
                             double* out) {
    const CsrNetwork& net = *model_.network;
    const std::int64_t* indptr = net.indptr.data();
    const std::int64_t* e_end = net.e_end.data();
    const std::int32_t* sources = net.indices.data();
    const double* weights = net.weighted() ? net.weights.data() : nullptr;
    parallel_for(threads_, model_.size(), [&](std::int64_t i) {
        const std::int64_t first = indptr[i], split = e_end[i], last = indptr[i + 1];
        const double* w = weights ? weights + first : nullptr;
        const SinCosSum from_e = sum_inputs(sources + first, split - first, w, sources_sc);
        const SinCosSum from_i = sum_inputs(sources + split, last - split,
                                            w ? w + (split - first) : nullptr, sources_sc);
        const detail::InputSums sums{from_e.sin, from_e.cos, from_i.sin, from_i.cos};
        out[i] = finish_row(i, sc, k, inverse_norms_[static_cast<std::size_t>(i)], sums);
        note_local_order(i, sums, local_order_ ? stored_inputs(i) : 0.0);
    });
}

// The cache-blocked gather over a tiled network (GatherTiles in network.hpp). For each
// block of rows, the sources are visited tile by tile, so the sin/cos values being read
// (128 KiB per tile) stay in L2 while all the block's edges into that tile are added.
// Row r's (Σ sin, Σ cos) over E sources are at row_sums[2r], over I sources 2R further.
template <class Table>
void RightHandSide::tiled_rows(const Table* sc, const Table* sources, const Couplings& k,
                               double* out) {
    const CsrNetwork& net = *model_.network;
    const GatherTiles& tiling = net.tiling;
    const std::int64_t tiles = tiling.tiles(), n = model_.size(), n_e = model_.n_e;
    const std::int64_t rows_per_block = std::int64_t{1} << tiling.row_bits;
    const double* weights = net.weighted() ? net.weights.data() : nullptr;
    parallel_for(threads_, tiling.blocks(), [&](std::int64_t b) {
        double* row_sums = thread_row_sums_.local().data();
        const std::int64_t first_row = b * rows_per_block;
        const std::int64_t rows = std::min(rows_per_block, n - first_row);
        const std::uint16_t* words = tiling.block_words[static_cast<std::size_t>(b)].data();
        // row_sums are all 0 here: zero at construction, and reset below as each row is read.
        for (std::int64_t t = 0; t < tiles; ++t) {
            const auto segment = static_cast<std::size_t>(b * tiles + t);
            const std::int64_t tile_first = tiling.tile_first[static_cast<std::size_t>(t)];
            // E and I sums in separate halves: a tile touches only its population's.
            double* sums = row_sums + (tile_first < n_e ? 0 : 2 * rows_per_block);
            const std::int64_t begin = tiling.segments[segment];
            const std::int64_t next = t + 1 < tiles ? t + 1 : 0;
            const Table* next_sc = sources + 2 * tiling.tile_first[static_cast<std::size_t>(next)];
            const std::int64_t next_size = tiling.tile_first[static_cast<std::size_t>(next + 1)] -
                                           tiling.tile_first[static_cast<std::size_t>(next)];
            const TileEdges<Table> edges{tiling.segments[segment + 1] - begin, sources + 2 * tile_first, sums,
                                         next_sc, next_size};
            const std::uint16_t* segment_words = words + tiling.word_starts[segment];
            if (weights) add_stored_tile<true>(edges, segment_words, weights + begin);
            else add_stored_tile<false>(edges, segment_words, nullptr);
        }
        double* sums_e = row_sums;
        double* sums_i = row_sums + 2 * rows_per_block;
        for (std::int64_t r = 0; r < rows; ++r) {
            const std::int64_t i = first_row + r;
            const detail::InputSums sums{sums_e[2 * r], sums_e[2 * r + 1], sums_i[2 * r], sums_i[2 * r + 1]};
            out[i] = finish_row(i, sc, k, inverse_norms_[static_cast<std::size_t>(i)], sums);
            note_local_order(i, sums, local_order_ ? stored_inputs(i) : 0.0);
            sums_e[2 * r] = sums_e[2 * r + 1] = sums_i[2 * r] = sums_i[2 * r + 1] = 0.0;
        }
    });
}

// A procedural network redraws its rows at every evaluation. Small networks gather row
// by row (their sin/cos table fits in L2). Large ones are gathered like a tiled stored
// network: each block of rows is drawn, laid out tile by tile (RandomBlocks::
// draw_tiled_block) and added tile by tile, so that the sin/cos values being read stay in
// L2 instead of waiting on L3 at every edge. Rows are summed in ascending source order
// either way, the order of the stored network: the results agree bit for bit.
template <class Table>
void RightHandSide::procedural_rows(const Table* sc, const Table* source_sc, const Couplings& k,
                                    double* out) {
    const RandomBlocks& rule = *model_.procedural;
    const std::int64_t n = model_.size();
    const double n_e = static_cast<double>(model_.n_e), n_i = static_cast<double>(model_.n_i);
    // The per-thread buffers grow (and may throw bad_alloc) inside the parallel loops:
    // parallel_for carries that out of the parallel region.
    if (n < CsrNetwork::tile_from_size) {
        parallel_for(threads_, n, [&](std::int64_t i) {
            double counts[2];
            const detail::InputSums sums = procedural_row_sums(i, source_sc, counts);
            out[i] = finish_row(i, sc, k,
                                detail::inverse_norms(model_.normalization, counts[0], counts[1], n_e, n_i),
                                sums);
            note_local_order(i, sums, counts[0] + counts[1]);
        });
        return;
    }
    // Rows per block (procedural_row_bits): up to 2^20 edges (4 MiB of words per thread:
    // 2^13 rows at k = 100, 3 % faster than 2^14 on 2 threads, whose blocks and table
    // share L3), up to N edges for large N. Much smaller blocks are slower (2^12 rows at
    // N = 10^6, k = 100: 0.55x): each block streams the whole sin/cos table.
    const std::int64_t rows_per_block = std::int64_t{1} << rule.procedural_row_bits();
    const int source_bits = rule.procedural_source_bits();
    const std::int64_t blocks = (n + rows_per_block - 1) / rows_per_block;
    const std::int64_t n_e_rows = model_.n_e;
    parallel_for(threads_, blocks, [&](std::int64_t b) {
        DrawnBlock& block = thread_sources_.local();
        std::vector<double>& row_sums = thread_row_sums_.local();
        const std::int64_t first_row = b * rows_per_block;
        const std::int64_t rows = std::min(rows_per_block, n - first_row);
        rule.draw_tiled_block(first_row, rows, source_bits, block);
        // (Σ sin, Σ cos) of row r from E at row_sums[2r], from I at 2·rows_per_block further.
        row_sums.assign(static_cast<std::size_t>(4 * rows_per_block), 0.0);
        const std::vector<std::int64_t>& tile_first = block.tile_first;
        for (std::size_t t = 0; t + 1 < tile_first.size(); ++t) {
            double* sums = row_sums.data() + (tile_first[t] < n_e_rows ? 0 : 2 * rows_per_block);
            const std::size_t next = t + 2 < tile_first.size() ? t + 1 : 0;  // the tile to prefetch
            const TileEdges<Table> edges{block.tile_sizes[t], source_sc + 2 * tile_first[t], sums,
                                         source_sc + 2 * tile_first[next], tile_first[next + 1] - tile_first[next]};
            add_drawn_tile(edges, block.tile_words[t].data(), source_bits);
        }
        const double* sums_e = row_sums.data();
        const double* sums_i = row_sums.data() + 2 * rows_per_block;
        auto redraw = block.redraw_rows.begin();
        std::int64_t row_start = 0;
        for (std::int64_t r = 0; r < rows; ++r) {
            const std::int64_t i = first_row + r;
            const std::int64_t e_end = block.row_ends[static_cast<std::size_t>(2 * r)];
            const std::int64_t row_end = block.row_ends[static_cast<std::size_t>(2 * r + 1)];
            double counts[2] = {static_cast<double>(e_end - row_start), static_cast<double>(row_end - e_end)};
            row_start = row_end;
            detail::InputSums sums{sums_e[2 * r], sums_e[2 * r + 1], sums_i[2 * r], sums_i[2 * r + 1]};
            if (redraw != block.redraw_rows.end() && *redraw == r) {  // a source drawn twice
                sums = procedural_row_sums(i, source_sc, counts);
                while (redraw != block.redraw_rows.end() && *redraw == r) ++redraw;
            }
            out[i] = finish_row(i, sc, k,
                                detail::inverse_norms(model_.normalization, counts[0], counts[1], n_e, n_i),
                                sums);
            note_local_order(i, sums, counts[0] + counts[1]);
        }
    });
}

template <class Table>
detail::InputSums RightHandSide::procedural_row_sums(std::int64_t i, const Table* sc, double counts[2]) {
    std::vector<std::int32_t>& sources = thread_sources_.local().row;
    // The same draws, in the same order, as CsrNetwork::random: the stored and the
    // procedural network of a seed are one network, and their sums agree bit for bit.
    model_.procedural->e_sources(i, sources);
    const SinCosSum from_e = sum_inputs(sources.data(), static_cast<std::int64_t>(sources.size()), nullptr, sc);
    counts[0] = static_cast<double>(sources.size());
    model_.procedural->i_sources(i, sources);
    const SinCosSum from_i = sum_inputs(sources.data(), static_cast<std::int64_t>(sources.size()), nullptr, sc);
    counts[1] = static_cast<double>(sources.size());
    return {from_e.sin, from_e.cos, from_i.sin, from_i.cos};
}

}  // namespace eikura

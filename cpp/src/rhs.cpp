#include "eikura/model.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "eikura/parallel.hpp"

namespace eikura {

namespace {

struct SinCosSum {
    double sin, cos;
};

/// Σ_m w_m (sin θ_j, cos θ_j), j = sources[m], over one row's inputs from one population
/// (w null: all weights 1), added in ascending source order. Stored and procedural
/// networks add a row's inputs in this same order, so they agree bit for bit, for any
/// number of threads.
inline SinCosSum sum_inputs(const std::int32_t* sources, std::int64_t count, const double* w,
                            const double* sc) {
    SinCosSum sum{0.0, 0.0};
    if (w) {
        for (std::int64_t m = 0; m < count; ++m) {
            sum.sin += w[m] * sc[2 * sources[m]];
            sum.cos += w[m] * sc[2 * sources[m] + 1];
        }
    } else {
        for (std::int64_t m = 0; m < count; ++m) {
            sum.sin += sc[2 * sources[m]];
            sum.cos += sc[2 * sources[m] + 1];
        }
    }
    return sum;
}

}  // namespace

void Model::validate() const {
    if (n_e < 0 || n_i < 0) throw std::invalid_argument("n_e, n_i: must be >= 0");
    if (size() == 0) throw std::invalid_argument("n_e + n_i: the model has no oscillators");
    if (static_cast<std::int64_t>(omega.size()) != size())
        throw std::invalid_argument("frequencies: expected N = " + std::to_string(size()) + " values");
    for (double w : omega)
        if (!std::isfinite(w)) throw std::invalid_argument("frequencies: must be finite");
    if (!(noise_e >= 0.0) || !(noise_i >= 0.0) || !std::isfinite(noise_e) || !std::isfinite(noise_i))
        throw std::invalid_argument("noise: must be finite and >= 0");
    if (network && (network->n_e != n_e || network->n_i != n_i))
        throw std::invalid_argument("network: population sizes differ from the model's");
    if (network && procedural) throw std::invalid_argument("network: stored or procedural, not both");
    if (procedural) {
        if (procedural->n_e != n_e || procedural->n_i != n_i)
            throw std::invalid_argument("network: population sizes differ from the model's");
        procedural->validate();
    }
}

RightHandSide::RightHandSide(const Model& model, int threads)
    : model_(model), threads_(resolve_threads(threads)) {
    model_.validate();
    const auto n = static_cast<std::size_t>(model_.size());
    sincos_.resize(2 * n);
    chunk_sums_.resize(4 * static_cast<std::size_t>(n_chunks(model_.size())));
    if (model_.procedural) thread_sources_.resize(static_cast<std::size_t>(threads_));
    if (!model_.network) return;

    // n_i^Y per row; a row without inputs from Y gets 0 (its sum is empty anyway).
    const CsrNetwork& net = *model_.network;
    inv_norm_e_.resize(n);
    inv_norm_i_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        double n_from_e = 1.0, n_from_i = 1.0;
        if (model_.normalization == Normalization::in_degree) {
            n_from_e = static_cast<double>(net.e_end[i] - net.indptr[i]);
            n_from_i = static_cast<double>(net.indptr[i + 1] - net.e_end[i]);
        } else if (model_.normalization == Normalization::population) {
            n_from_e = static_cast<double>(model_.n_e);
            n_from_i = static_cast<double>(model_.n_i);
        }
        inv_norm_e_[i] = n_from_e > 0.0 ? 1.0 / n_from_e : 0.0;
        inv_norm_i_[i] = n_from_i > 0.0 ? 1.0 / n_from_i : 0.0;
    }
}

std::int64_t RightHandSide::scratch_bytes() const {
    return static_cast<std::int64_t>(
        (sincos_.size() + chunk_sums_.size() + inv_norm_e_.size() + inv_norm_i_.size()) *
        sizeof(double));
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
    const std::int64_t chunks = n_chunks(n);
#pragma omp parallel for schedule(static) num_threads(threads_)
    for (std::int64_t c = 0; c < chunks; ++c) {
        const std::int64_t begin = c * reduction_chunk, end = std::min(begin + reduction_chunk, n);
        double* sc = sincos_.data();
        for (std::int64_t j = begin; j < end; ++j) {
            sc[2 * j] = std::sin(theta[j]);
            sc[2 * j + 1] = std::cos(theta[j]);
        }
        chunk_sums(c, &chunk_sums_[4 * static_cast<std::size_t>(c)]);
    }
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

// The equation of SPEC §1, for oscillator i in population X:
//
//     dθ_i/dt = ω_i + K_XE c_i^E − K_XI c_i^I,
//     c_i^Y   = (1/n_i^Y) Σ_{j∈Y, j→i} w_ij sin(θ_j − θ_i)
//             = (1/n_i^Y) [ (Σ w_ij sin θ_j) cos θ_i − (Σ w_ij cos θ_j) sin θ_i ].
//
// sin θ_j and cos θ_j are computed once per evaluation, so a sparse row is a gather of
// precomputed values. All-to-all coupling collapses to the mean fields Z_Y:
//     dθ_i/dt = ω_i + Im[H_X e^{−iθ_i}],   H_X = K_XE Z_E − K_XI Z_I   (O(N)).
void RightHandSide::evaluate(const double* base, const double* slope, double h,
                             const double* kick, double t, double* out) {
    const Couplings k = model_.couplings.at(t);
    const std::int64_t n = model_.size(), n_e = model_.n_e;
    const std::int64_t chunks = n_chunks(n);
    const double* omega = model_.omega.data();
    double* sc = sincos_.data();  // sin θ_j, cos θ_j interleaved: one cache line per source
    const bool all_to_all = model_.all_to_all();

#pragma omp parallel num_threads(threads_)
    {
        // 1. stage phases -> sin, cos (and, for all-to-all, the per-chunk sums)
#pragma omp for schedule(static)
        for (std::int64_t c = 0; c < chunks; ++c) {
            const std::int64_t begin = c * reduction_chunk, end = std::min(begin + reduction_chunk, n);
            for (std::int64_t j = begin; j < end; ++j) {
                double theta = base[j];
                if (slope) theta += h * slope[j];
                if (kick) theta += kick[j];
                sc[2 * j] = std::sin(theta);
                sc[2 * j + 1] = std::cos(theta);
            }
            if (all_to_all) chunk_sums(c, &chunk_sums_[4 * static_cast<std::size_t>(c)]);
        }
        // (implicit barrier: every sin/cos is ready)

        if (all_to_all) {
            double totals[4];
            add_chunks(totals);  // every thread adds the chunks in the same order
            const bool sum_only = model_.normalization == Normalization::none;
            const double scale_e = (sum_only || n_e == 0) ? 1.0 : 1.0 / static_cast<double>(n_e);
            const double scale_i = (sum_only || n == n_e) ? 1.0 : 1.0 / static_cast<double>(n - n_e);
            const double ze_re = totals[0] * scale_e, ze_im = totals[1] * scale_e;
            const double zi_re = totals[2] * scale_i, zi_im = totals[3] * scale_i;
            // H_X = K_XE Z_E − K_XI Z_I
            const double he_re = k.ee * ze_re - k.ei * zi_re, he_im = k.ee * ze_im - k.ei * zi_im;
            const double hi_re = k.ie * ze_re - k.ii * zi_re, hi_im = k.ie * ze_im - k.ii * zi_im;
#pragma omp for schedule(static)
            for (std::int64_t i = 0; i < n; ++i) {
                const bool excitatory = i < n_e;
                const double h_re = excitatory ? he_re : hi_re, h_im = excitatory ? he_im : hi_im;
                // Im[H e^{−iθ}] = Im(H) cos θ − Re(H) sin θ
                out[i] = omega[i] + h_im * sc[2 * i + 1] - h_re * sc[2 * i];
            }
        } else if (model_.procedural) {
            const Normalization normalization = model_.normalization;
            const double n_from_e = static_cast<double>(n_e), n_from_i = static_cast<double>(n - n_e);
#pragma omp for schedule(static)
            for (std::int64_t i = 0; i < n; ++i) {
                double sums[4], counts[2];
                procedural_row_sums(i, sums, counts);
                double norm_e = 1.0, norm_i = 1.0;  // n_i^Y
                if (normalization == Normalization::in_degree) norm_e = counts[0], norm_i = counts[1];
                if (normalization == Normalization::population) norm_e = n_from_e, norm_i = n_from_i;
                const double inv_norm_e = norm_e > 0.0 ? 1.0 / norm_e : 0.0;
                const double inv_norm_i = norm_i > 0.0 ? 1.0 / norm_i : 0.0;
                const double sin_i = sc[2 * i], cos_i = sc[2 * i + 1];
                const double c_e = inv_norm_e * (sums[0] * cos_i - sums[1] * sin_i);
                const double c_i = inv_norm_i * (sums[2] * cos_i - sums[3] * sin_i);
                const bool excitatory = i < n_e;
                out[i] = omega[i] + (excitatory ? k.ee : k.ie) * c_e - (excitatory ? k.ei : k.ii) * c_i;
            }
        } else {
            const CsrNetwork& net = *model_.network;
            const std::int64_t* indptr = net.indptr.data();
            const std::int64_t* e_end = net.e_end.data();
            const std::int32_t* sources = net.indices.data();
            const double* weights = net.weighted() ? net.weights.data() : nullptr;
            const double* inv_norm_e = inv_norm_e_.data();
            const double* inv_norm_i = inv_norm_i_.data();
            // c_i^E, c_i^I from the sums over a row's E and I inputs (sums[0..3]).
            auto finish_row = [&](std::int64_t i, const double* sums) {
                const double sin_i = sc[2 * i], cos_i = sc[2 * i + 1];
                const double c_e = inv_norm_e[i] * (sums[0] * cos_i - sums[1] * sin_i);
                const double c_i = inv_norm_i[i] * (sums[2] * cos_i - sums[3] * sin_i);
                const bool excitatory = i < n_e;
                out[i] = omega[i] + (excitatory ? k.ee : k.ie) * c_e - (excitatory ? k.ei : k.ii) * c_i;
            };
#pragma omp for schedule(static)
            for (std::int64_t i = 0; i < n; ++i) {
                const std::int64_t first = indptr[i], split = e_end[i], last = indptr[i + 1];
                const double* w = weights ? weights + first : nullptr;
                const SinCosSum from_e = sum_inputs(sources + first, split - first, w, sc);
                const SinCosSum from_i =
                    sum_inputs(sources + split, last - split, w ? w + (split - first) : nullptr, sc);
                const double sums[4] = {from_e.sin, from_e.cos, from_i.sin, from_i.cos};
                finish_row(i, sums);
            }
        }
    }
}

void RightHandSide::procedural_row_sums(std::int64_t i, double sums[4], double counts[2]) {
    std::vector<std::int32_t>& sources = thread_sources_[static_cast<std::size_t>(thread_index())];
    const double* sc = sincos_.data();
    // The same draws, in the same order, as CsrNetwork::random: the stored and the
    // procedural network of a seed are one network, and their sums agree bit for bit.
    model_.procedural->e_sources(i, sources);
    const SinCosSum from_e = sum_inputs(sources.data(), static_cast<std::int64_t>(sources.size()), nullptr, sc);
    sums[0] = from_e.sin, sums[1] = from_e.cos;
    counts[0] = static_cast<double>(sources.size());
    model_.procedural->i_sources(i, sources);
    const SinCosSum from_i = sum_inputs(sources.data(), static_cast<std::int64_t>(sources.size()), nullptr, sc);
    sums[2] = from_i.sin, sums[3] = from_i.cos;
    counts[1] = static_cast<double>(sources.size());
}

}  // namespace eikura

// DelayLine: a ring of the last steps' sin/cos tables (or population sums) and the cubic
// interpolation that reads them at a delayed stage time. Every value is a sum in a fixed
// order per oscillator (or per chunk, then over chunks in order): the result does not
// depend on the number of threads.
#include "eikura/delays.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "eikura/parallel.hpp"
#include "eikura/sincos.hpp"

namespace eikura {

double DelayLine::steps_of(double delay, double dt) {
    const double steps = delay / dt;
    const double nearest = std::round(steps);
    return std::abs(steps - nearest) <= 1e-9 * std::max(1.0, steps) ? nearest : steps;
}

std::int64_t DelayLine::slots(double longest, double dt) {
    if (!(longest > 0.0)) return 0;
    const double steps = std::ceil(steps_of(longest, dt));
    if (!(steps < 1e15)) throw std::invalid_argument("delay: too many steps of dt to keep");
    return std::max<std::int64_t>(static_cast<std::int64_t>(steps) + 3, 4);
}

std::int64_t DelayLine::estimate_bytes(std::int64_t n, std::int64_t slots, bool all_to_all) {
    if (slots <= 0) return 0;
    // Ring; a network also needs the two delayed source tables (onto E, onto I) and a
    // second output for target-dependent delays, all-to-all one step's sin/cos.
    const long double per_step = all_to_all ? 4.0L : 2.0L * static_cast<long double>(n);
    const long double scratch = all_to_all ? 2.0L * n + 4.0L * static_cast<long double>(n_chunks(n))
                                           : 5.0L * n;
    const long double bytes = (static_cast<long double>(slots) * per_step + scratch) * sizeof(double);
    const auto most = static_cast<long double>(std::numeric_limits<std::int64_t>::max());
    return bytes >= most ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(bytes);
}

DelayLine::DelayLine(const Model& model, double dt, const std::vector<double>& initial,
                     const std::vector<double>& history, int threads)
    : n_(model.size()),
      n_e_(model.n_e),
      all_to_all_(model.all_to_all()),
      threads_(resolve_threads(threads)),
      slots_(slots(model.delays.longest(), dt)),
      width_(model.all_to_all() ? 4 : 2 * model.size()) {
    if (!active()) return;
    const auto n = static_cast<std::size_t>(n_);
    if (history.size() % n != 0)
        throw std::invalid_argument("history: expected rows of N = " + std::to_string(n) + " phases");
    const auto rows = static_cast<std::int64_t>(history.size() / n);
    for (double x : history)
        if (!std::isfinite(x)) throw std::invalid_argument("history: phases must be finite");
    // The earliest stage reads t − τ_max at step 0: the history must reach back that far.
    if (!history.empty() && static_cast<double>(rows) < steps_of(model.delays.longest(), dt))
        throw std::invalid_argument("history: " + std::to_string(rows) +
                                    " rows before t = 0 do not reach back to t = -" +
                                    std::to_string(model.delays.longest()));
    ring_.assign(static_cast<std::size_t>(slots_ * width_), 0.0);
    if (all_to_all_) {
        scratch_.resize(2 * n);
        chunk_sums_.resize(4 * static_cast<std::size_t>(n_chunks(n_)));
    }
    oldest_ = history.empty() ? -(slots_ - 1) : -std::min(rows, slots_ - 1);
    std::vector<double> phases(n);
    for (std::int64_t step = oldest_; step < 0; ++step) {
        if (history.empty()) {
            const double t = static_cast<double>(step) * dt;
            for (std::size_t j = 0; j < n; ++j) phases[j] = initial[j] + model.omega[j] * t;
        } else {
            const auto row = static_cast<std::size_t>(rows + step);
            std::copy_n(history.begin() + static_cast<std::ptrdiff_t>(row * n), n, phases.begin());
        }
        store(step, phases.data());
    }
    store(0, initial.data());
    newest_ = 0;
}

const double* DelayLine::slot(std::int64_t step) const {
    const std::int64_t index = ((step % slots_) + slots_) % slots_;
    return ring_.data() + index * width_;
}

double* DelayLine::slot(std::int64_t step) {
    const std::int64_t index = ((step % slots_) + slots_) % slots_;
    return ring_.data() + index * width_;
}

void DelayLine::store(std::int64_t step, const double* theta) {
    const std::int64_t n = n_;
    if (!all_to_all_) {
        double* out = slot(step);
        parallel_for(threads_, n_chunks(n), [&](std::int64_t c) {
            const std::int64_t begin = c * reduction_chunk, end = std::min(begin + reduction_chunk, n);
            sin_cos(theta + begin, end - begin, out + 2 * begin);
        });
        return;
    }
    // All-to-all: only the population sums, per chunk and then over chunks in order.
    double* sc = scratch_.data();
    parallel_for(threads_, n_chunks(n), [&](std::int64_t c) {
        const std::int64_t begin = c * reduction_chunk, end = std::min(begin + reduction_chunk, n);
        sin_cos(theta + begin, end - begin, sc + 2 * begin);
        const std::int64_t split = std::min(std::max(begin, n_e_), end);
        double* sums = &chunk_sums_[4 * static_cast<std::size_t>(c)];
        sums[0] = sums[1] = sums[2] = sums[3] = 0.0;
        for (std::int64_t j = begin; j < split; ++j) sums[0] += sc[2 * j + 1], sums[1] += sc[2 * j];
        for (std::int64_t j = split; j < end; ++j) sums[2] += sc[2 * j + 1], sums[3] += sc[2 * j];
    });
    double* out = slot(step);
    out[0] = out[1] = out[2] = out[3] = 0.0;
    for (std::size_t c = 0; c < chunk_sums_.size() / 4; ++c)
        for (std::size_t k = 0; k < 4; ++k) out[k] += chunk_sums_[4 * c + k];
}

void DelayLine::push(const double* theta) {
    store(newest_ + 1, theta);
    ++newest_;
}

DelayLine::Stencil DelayLine::stencil(double delay_steps) const {
    const double at = static_cast<double>(newest_) + fraction_ - delay_steps;
    const std::int64_t kept = std::max(oldest_, newest_ - slots_ + 1);
    // Before t = 0 the history, from t = 0 on the solution: never one polynomial over both.
    const std::int64_t low = at < 0.0 ? kept : std::max<std::int64_t>(kept, 0);
    const std::int64_t high = at < 0.0 ? std::min<std::int64_t>(0, newest_) : newest_;
    const double below = std::floor(at);
    if (!(below >= static_cast<double>(low) && at <= static_cast<double>(high)))
        throw std::logic_error("DelayLine: a delayed time outside the stored steps");
    Stencil s;
    if (at == below) {  // on a stored step: its value, exactly
        s.first = static_cast<std::int64_t>(below);
        s.count = 1;
        s.weight[0] = 1.0;
        return s;
    }
    std::int64_t first = static_cast<std::int64_t>(below) - 1;
    first = std::max(std::min(first, high - 3), low);
    s.first = first;
    s.count = static_cast<int>(std::min(first + 3, high) - first + 1);
    const double x = at - static_cast<double>(first);  // nodes at 0, 1, …, count − 1
    for (int k = 0; k < s.count; ++k) {
        double w = 1.0;
        for (int m = 0; m < s.count; ++m)
            if (m != k) w *= (x - m) / static_cast<double>(k - m);
        s.weight[k] = w;
    }
    return s;
}

void DelayLine::fill_sources(double delay_steps, std::int64_t begin, std::int64_t end,
                             double* out) const {
    const Stencil s = stencil(delay_steps);
    const double* values[4] = {};
    for (int k = 0; k < s.count; ++k) values[k] = slot(s.first + k);
    parallel_for(threads_, end - begin, [&](std::int64_t offset) {
        const std::int64_t j = begin + offset;
        double sin_j = 0.0, cos_j = 0.0;
        for (int k = 0; k < s.count; ++k) {
            sin_j += s.weight[k] * values[k][2 * j];
            cos_j += s.weight[k] * values[k][2 * j + 1];
        }
        out[2 * j] = sin_j;
        out[2 * j + 1] = cos_j;
    });
}

void DelayLine::population_sums(double delay_steps, double out[4]) const {
    const Stencil s = stencil(delay_steps);
    out[0] = out[1] = out[2] = out[3] = 0.0;
    for (int k = 0; k < s.count; ++k) {
        const double* values = slot(s.first + k);
        for (int c = 0; c < 4; ++c) out[c] += s.weight[k] * values[c];
    }
}

std::vector<double> DelayLine::state() const {
    std::vector<double> values;
    values.reserve(ring_.size());
    for (std::int64_t step = newest_ - slots_ + 1; step <= newest_; ++step) {
        const double* from = slot(step);
        values.insert(values.end(), from, from + width_);
    }
    return values;
}

void DelayLine::restore(std::int64_t newest, std::int64_t oldest, const std::vector<double>& values) {
    if (values.size() != ring_.size())
        throw std::invalid_argument("checkpoint: the delay history does not match the delays and dt");
    if (oldest > 0 || oldest < -(slots_ - 1))
        throw std::invalid_argument("checkpoint: the delay history's first step is out of range");
    for (double x : values)
        if (!std::isfinite(x)) throw std::invalid_argument("checkpoint: the delay history must be finite");
    newest_ = newest;
    oldest_ = oldest;
    for (std::int64_t k = 0; k < slots_; ++k)
        std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(k * width_), width_,
                    slot(newest_ - slots_ + 1 + k));
}

}  // namespace eikura

#include "eikura/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace eikura {

Schedule Schedule::constant(double value) {
    if (!(value >= 0.0) || !std::isfinite(value))
        throw std::invalid_argument("constant coupling must be finite and >= 0");
    Schedule s;
    s.kind_ = Kind::constant;
    s.mean_ = value;
    return s;
}

Schedule Schedule::sinusoid(double mean, double amplitude, double period, double phase) {
    if (!(period > 0.0) || !std::isfinite(mean) || !std::isfinite(amplitude) ||
        !std::isfinite(period) || !std::isfinite(phase))
        throw std::invalid_argument("sinusoid schedule needs finite values and period > 0");
    Schedule s;
    s.kind_ = Kind::sinusoid;
    s.mean_ = mean;
    s.amplitude_ = amplitude;
    s.period_ = period;
    s.phase_ = phase;
    return s;
}

Schedule Schedule::piecewise_linear(std::vector<double> times, std::vector<double> values) {
    if (times.empty() || times.size() != values.size())
        throw std::invalid_argument("piecewise-linear schedule needs as many values as times (>= 1)");
    for (std::size_t k = 0; k < times.size(); ++k) {
        if (!std::isfinite(times[k]) || !std::isfinite(values[k]) || values[k] < 0.0)
            throw std::invalid_argument("piecewise-linear schedule needs finite times, values >= 0");
        if (k > 0 && !(times[k] > times[k - 1]))
            throw std::invalid_argument("piecewise-linear schedule times must increase strictly");
    }
    Schedule s;
    s.kind_ = Kind::piecewise_linear;
    s.times_ = std::move(times);
    s.values_ = std::move(values);
    return s;
}

double Schedule::operator()(double t) const {
    switch (kind_) {
    case Kind::constant:
        return mean_;
    case Kind::sinusoid:
        return std::max(0.0, mean_ + amplitude_ * std::sin(2.0 * M_PI * t / period_ + phase_));
    case Kind::piecewise_linear: {
        if (t <= times_.front()) return values_.front();
        if (t >= times_.back()) return values_.back();
        // first knot strictly after t; t lies in [times_[k-1], times_[k])
        const auto k = static_cast<std::size_t>(
            std::upper_bound(times_.begin(), times_.end(), t) - times_.begin());
        const double fraction = (t - times_[k - 1]) / (times_[k] - times_[k - 1]);
        return values_[k - 1] + fraction * (values_[k] - values_[k - 1]);
    }
    }
    return 0.0;
}

}  // namespace eikura

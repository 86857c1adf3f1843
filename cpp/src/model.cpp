// The model description: checks that its parts fit together.
#include "eikura/model.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace eikura {

void Model::validate() const {
    if (n_e < 0 || n_i < 0) throw std::invalid_argument("n_e, n_i: must be >= 0");
    if (size() == 0) throw std::invalid_argument("n_e + n_i: the model has no oscillators");
    if (static_cast<std::int64_t>(omega.size()) != size())
        throw std::invalid_argument("frequencies: expected N = " + std::to_string(size()) + " values");
    for (double w : omega)
        if (!std::isfinite(w)) throw std::invalid_argument("frequencies: must be finite");
    for (double lag : {phase_lags.ee, phase_lags.ei, phase_lags.ie, phase_lags.ii})
        if (!std::isfinite(lag)) throw std::invalid_argument("phase_lag: must be finite");
    for (double delay : {delays.ee, delays.ei, delays.ie, delays.ii})
        if (!(delay >= 0.0) || !std::isfinite(delay)) throw std::invalid_argument("delay: must be finite and >= 0");
    if (!(noise_e >= 0.0) || !(noise_i >= 0.0) || !std::isfinite(noise_e) || !std::isfinite(noise_i))
        throw std::invalid_argument("noise: must be finite and >= 0");
    for (const Drive& drive : drives) {
        if (static_cast<std::int64_t>(drive.targets.size()) != size())
            throw std::invalid_argument("drive: expected a target mask of N = " + std::to_string(size()) + " values");
        if (!std::isfinite(drive.frequency) || !std::isfinite(drive.phase))
            throw std::invalid_argument("drive: frequency and phase must be finite");
    }
    if (network && (network->n_e != n_e || network->n_i != n_i))
        throw std::invalid_argument("network: population sizes differ from the model's");
    if (network && procedural) throw std::invalid_argument("network: stored or procedural, not both");
    if (procedural) {
        if (procedural->n_e != n_e || procedural->n_i != n_i)
            throw std::invalid_argument("network: population sizes differ from the model's");
        procedural->validate();
    }
}

}  // namespace eikura

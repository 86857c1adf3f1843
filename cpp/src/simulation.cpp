#include "eikura/simulation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "eikura/adaptive.hpp"
#include "eikura/parallel.hpp"
#include "eikura/random.hpp"

namespace eikura {

namespace {

constexpr double two_pi = 2.0 * M_PI;

/// θ mod 2π in [0, 2π], rounded exactly as NumPy's np.mod does.
inline double wrap_phase(double theta) {
    double r = std::fmod(theta, two_pi);
    if (r < 0.0) r += two_pi;
    return r;
}

/// Rows a recording taken every `every` steps (and at step 0) needs for `n_steps` steps.
std::int64_t recording_rows(std::int64_t n_steps, std::int64_t every) {
    return std::max<std::int64_t>(n_steps, 0) / std::max<std::int64_t>(every, 1) + 1;
}

/// rows * width as a size_t, or invalid_argument naming `what` if it would not even be
/// addressable (the Python layer's memory guard refuses such runs long before).
std::size_t checked_size(std::int64_t rows, std::int64_t width, const char* what) {
    const auto limit = static_cast<std::int64_t>(
        std::min<std::uint64_t>(std::numeric_limits<std::int64_t>::max(),
                                std::numeric_limits<std::size_t>::max() / sizeof(double) / 2));
    if (rows < 0 || width < 0 || (width > 0 && rows > limit / width))
        throw std::invalid_argument(std::string(what) + ": the recordings would not fit in memory");
    return static_cast<std::size_t>(rows * width);
}

void validate_settings(const RunSettings& s, const Model& model) {
    if (!(s.dt > 0.0) || !std::isfinite(s.dt)) throw std::invalid_argument("dt: must be finite and > 0");
    if (s.n_steps < 0) throw std::invalid_argument("n_steps: must be >= 0");
    if (s.record_every < 1) throw std::invalid_argument("record_every: must be >= 1");
    if (s.snapshot_every < 0) throw std::invalid_argument("snapshot_every: must be >= 0");
    if (s.frequency_from_step > s.n_steps)
        throw std::invalid_argument("transient: must be shorter than the run");
    if (model.has_noise() && s.method == Method::rk4)
        throw std::invalid_argument("method: 'rk4' has no stochastic version; use 'heun' or 'euler' with noise");
    if (model.has_noise() && s.method == Method::dopri5)
        throw std::invalid_argument(
            "method: 'dopri5' is for deterministic runs (its error control assumes a smooth "
            "solution); use 'heun' or 'euler' with noise");
    if (model.delays.any()) {
        if (s.method == Method::dopri5)
            throw std::invalid_argument("method: 'dopri5' is not available with delays; use 'rk4'");
        for (double delay : {model.delays.ee, model.delays.ei, model.delays.ie, model.delays.ii})
            if (delay > 0.0 && DelayLine::steps_of(delay, s.dt) < 1.0)
                throw std::invalid_argument("delay: " + std::to_string(delay) +
                                            " is shorter than one step dt = " + std::to_string(s.dt) +
                                            "; use dt <= the shortest non-zero delay");
    }
    if (s.method == Method::dopri5) {
        if (!(s.rtol >= 0.0) || !std::isfinite(s.rtol)) throw std::invalid_argument("rtol: must be finite and >= 0");
        if (!(s.atol >= 0.0) || !std::isfinite(s.atol)) throw std::invalid_argument("atol: must be finite and >= 0");
        if (!(s.rtol > 0.0 || s.atol > 0.0)) throw std::invalid_argument("atol: rtol and atol cannot both be 0");
    }
}

/// Means over E (out[0]) and over I (out[1]) of values[0..n), NaN entries left out (NaN
/// where nothing is left). Summed per fixed chunk, then over the chunks in order: the
/// same bits for any number of threads.
void population_means(const double* values, std::int64_t n, std::int64_t n_e, int threads,
                      std::vector<double>& chunk_sums, double out[2]) {
    chunk_sums.assign(4 * static_cast<std::size_t>(n_chunks(n)), 0.0);
    parallel_for(threads, n_chunks(n), [&](std::int64_t chunk) {
        double* sums = &chunk_sums[4 * static_cast<std::size_t>(chunk)];  // E sum, count, I sum, count
        const std::int64_t end = std::min(n, (chunk + 1) * reduction_chunk);
        for (std::int64_t i = chunk * reduction_chunk; i < end; ++i) {
            if (std::isnan(values[i])) continue;
            double* population = sums + (i < n_e ? 0 : 2);
            population[0] += values[i];
            population[1] += 1.0;
        }
    });
    double totals[4] = {0.0, 0.0, 0.0, 0.0};
    for (std::size_t c = 0; c < chunk_sums.size(); c += 4)
        for (std::size_t k = 0; k < 4; ++k) totals[k] += chunk_sums[c + k];
    const double nan = std::numeric_limits<double>::quiet_NaN();
    out[0] = totals[1] > 0.0 ? totals[0] / totals[1] : nan;
    out[1] = totals[3] > 0.0 ? totals[2] / totals[3] : nan;
}

/// Below this many times the time itself (or 1), a step no longer changes t in double
/// precision: the controller could not meet the tolerances.
constexpr double smallest_relative_step = 1e-13;

}  // namespace

std::int64_t Simulation::estimate_bytes(std::int64_t n, const RunSettings& s,
                                       std::int64_t history_slots, bool all_to_all) {
    // Summed in long double and clamped: an absurd request must come out as "too much
    // memory", never wrap around to a small or negative number that passes the guard.
    // θ, next, k1..k4, kick, displacement; sin, cos; margin. dopri5: θ, next, stage,
    // k1..k7, displacement.
    const long double state_arrays = (s.method == Method::dopri5 ? 11 : 8) + 2 + 4;
    const long double records = recording_rows(s.n_steps, s.record_every);
    const long double snapshots = s.snapshot_every > 0 ? recording_rows(s.n_steps, s.snapshot_every) : 0;
    // Observables: 2 values per record each. The local order parameter of a network also
    // needs per row: its value, Σ_j w_ij (weighted networks: counted for every network,
    // an upper bound), and with delays the second gather pass's values.
    const long double observables = (s.record_mean_frequency ? 2 : 0) + (s.record_local_order ? 2 : 0);
    const long double local_order_rows =
        s.record_local_order && !all_to_all ? (history_slots > 0 ? 3 : 2) : 0;
    const long double bytes = state_arrays * n * sizeof(double) +
                              static_cast<long double>(DelayLine::estimate_bytes(n, history_slots, all_to_all)) +
                              records * 3 * sizeof(std::complex<double>) +
                              snapshots * n * sizeof(double) +
                              (records * observables + local_order_rows * n) * sizeof(double);
    const auto most = static_cast<long double>(std::numeric_limits<std::int64_t>::max());
    return bytes >= most ? std::numeric_limits<std::int64_t>::max() : static_cast<std::int64_t>(bytes);
}

Simulation::Simulation(Model model, RunSettings settings, std::vector<double> initial_phases,
                       const std::vector<double>& history)
    : model_(std::move(model)),
      settings_(settings),
      rhs_(model_, settings.threads, settings.float32_tables),
      theta_(std::move(initial_phases)),
      threads_(resolve_threads(settings.threads)) {
    validate_settings(settings_, model_);
    const auto n = static_cast<std::size_t>(model_.size());
    if (theta_.size() != n)
        throw std::invalid_argument("initial: expected N = " + std::to_string(n) + " phases");
    for (double x : theta_)
        if (!std::isfinite(x)) throw std::invalid_argument("initial: phases must be finite");
    if (settings_.wrap)
        for (double& x : theta_) x = wrap_phase(x);
    if (model_.delays.any()) {
        history_ = DelayLine(model_, settings_.dt, theta_, history, settings_.threads);
        rhs_.attach_history(&history_, settings_.dt);
    } else if (!history.empty()) {
        throw std::invalid_argument("history: only a model with delays reads the past");
    }
    next_.resize(n);
    k1_.resize(n);
    if (settings_.method != Method::euler) k2_.resize(n);
    if (settings_.method == Method::rk4 || settings_.method == Method::dopri5) {
        k3_.resize(n);
        k4_.resize(n);
    }
    if (settings_.method == Method::dopri5) {
        k5_.resize(n);
        k6_.resize(n);
        k7_.resize(n);
        stage_.resize(n);
        chunk_errors_.resize(static_cast<std::size_t>(n_chunks(model_.size())));
        step_size_ = settings_.dt;  // the first step tried; the controller takes over
    }
    if (model_.has_noise()) kick_.resize(n);
    if (settings_.frequency_from_step >= 0) displacement_.assign(n, 0.0);

    z_records_.resize(
        checked_size(recording_rows(settings_.n_steps, settings_.record_every), 3, "record_every"));
    if (settings_.snapshot_every > 0)
        snapshots_.resize(checked_size(recording_rows(settings_.n_steps, settings_.snapshot_every),
                                       model_.size(), "snapshot_every"));
    const std::size_t observable_values =
        checked_size(recording_rows(settings_.n_steps, settings_.record_every), 2, "record_every");
    if (settings_.record_mean_frequency) frequency_records_.resize(observable_values);
    if (settings_.record_local_order) {
        local_order_records_.resize(observable_values);
        if (!model_.all_to_all()) row_local_order_.resize(n);
    }
    record_if_due();
}

void Simulation::restore(std::int64_t step, std::vector<double> phases,
                         std::vector<std::complex<double>> z_records, std::vector<double> snapshots,
                         std::vector<double> displacement,
                         const std::vector<double>& frequency_records,
                         const std::vector<double>& local_order_records) {
    const auto n = static_cast<std::size_t>(model_.size());
    if (settings_.method == Method::dopri5)
        throw std::invalid_argument("checkpoint: not supported with method 'dopri5' (its step "
                                    "size is state that checkpoints do not hold)");
    if (step < 0 || step > settings_.n_steps) throw std::invalid_argument("checkpoint: step out of range");
    if (phases.size() != n) throw std::invalid_argument("checkpoint: wrong number of phases");
    const std::int64_t records = step / settings_.record_every + 1;
    if (static_cast<std::int64_t>(z_records.size()) != 3 * records)
        throw std::invalid_argument("checkpoint: recordings do not match the step");
    const std::int64_t n_snapshots = settings_.snapshot_every > 0 ? step / settings_.snapshot_every + 1 : 0;
    if (n_snapshots * static_cast<std::int64_t>(n) != static_cast<std::int64_t>(snapshots.size()))
        throw std::invalid_argument("checkpoint: snapshots do not match the step");
    if (displacement.size() != displacement_.size())
        throw std::invalid_argument("checkpoint: frequency sums do not match the settings");
    const auto observable_values = static_cast<std::size_t>(2 * records);
    if (frequency_records.size() != (settings_.record_mean_frequency ? observable_values : 0) ||
        local_order_records.size() != (settings_.record_local_order ? observable_values : 0))
        throw std::invalid_argument("checkpoint: recorded observables do not match the step and settings");
    // A checkpoint is data from disk: refuse anything the integrator could not have produced.
    for (double x : phases)
        if (!std::isfinite(x) || (settings_.wrap && !(x >= 0.0 && x <= two_pi)))
            throw std::invalid_argument("checkpoint: phases must be finite (and in [0, 2pi] when wrapped)");
    for (double x : displacement)
        if (!std::isfinite(x)) throw std::invalid_argument("checkpoint: frequency sums must be finite");
    step_ = step;
    theta_ = std::move(phases);
    std::copy(z_records.begin(), z_records.end(), z_records_.begin());
    n_records_ = records;
    std::copy(snapshots.begin(), snapshots.end(), snapshots_.begin());
    n_snapshots_ = n_snapshots;
    displacement_ = std::move(displacement);
    std::copy(frequency_records.begin(), frequency_records.end(), frequency_records_.begin());
    std::copy(local_order_records.begin(), local_order_records.end(), local_order_records_.begin());
    k1_ready_ = false;  // evaluated again at the restored state: the same bits
}

void Simulation::restore_delay_history(std::int64_t oldest, const std::vector<double>& values) {
    if (!history_.active()) throw std::invalid_argument("checkpoint: a delay history, but the model has no delays");
    history_.restore(step_, oldest, values);
}

void Simulation::derivative(const double* theta, double t, double* out) {
    if (history_.active())
        throw std::invalid_argument("delay: a delayed right-hand side also reads the past phases; "
                                    "evaluate it inside simulate()");
    rhs_.evaluate(theta, nullptr, 0.0, nullptr, t, out);
}

std::int64_t Simulation::advance(std::int64_t max_steps) {
    std::int64_t done = 0;
    while (done < max_steps && !finished()) {
        if (settings_.method == Method::dopri5) {
            const std::int64_t before = step_;
            take_segment();
            done += step_ - before;
        } else {
            take_step();
            ++done;
        }
    }
    return done;
}

void Simulation::draw_noise_kicks() {
    const std::int64_t n = model_.size(), n_e = model_.n_e;
    const double kick_e = std::sqrt(2.0 * model_.noise_e * settings_.dt);
    const double kick_i = std::sqrt(2.0 * model_.noise_i * settings_.dt);
    const auto draw = static_cast<std::uint64_t>(step_);
    const std::uint64_t seed = settings_.seed;
    double* kick = kick_.data();
    parallel_for(threads_, n, [&](std::int64_t i) {
        const double amplitude = i < n_e ? kick_e : kick_i;
        kick[i] = amplitude == 0.0 ? 0.0
                                   : amplitude * standard_normal(stream_key(seed, Purpose::noise,
                                                                            static_cast<std::uint64_t>(i)),
                                                                 draw);
    });
}

void Simulation::take_step() {
    const double dt = settings_.dt;
    const double t = time();
    const std::int64_t n = model_.size();
    const double* theta = theta_.data();
    double* next = next_.data();
    double *k1 = k1_.data(), *k2 = k2_.data(), *k3 = k3_.data(), *k4 = k4_.data();
    const bool noisy = model_.has_noise();
    if (noisy) draw_noise_kicks();
    const double* kick = noisy ? kick_.data() : nullptr;
    // k1 = f(θ, t) (deterministic part) starts every method; recording observables may
    // have evaluated it already, at this very state and time (and the same past).
    // (Delays: each stage reads the sources at its own time, t, t + dt/2, t + dt.)
    history_.set_stage(0.0);
    if (!k1_ready_) rhs_.evaluate(theta, nullptr, 0.0, nullptr, t, k1);
    k1_ready_ = false;

    switch (settings_.method) {
    case Method::euler:  // Euler / Euler–Maruyama: θ + dt f(θ, t) + sqrt(2 D dt) ξ
        parallel_for(threads_, n, [&](std::int64_t i) {
            next[i] = theta[i] + dt * k1[i] + (kick ? kick[i] : 0.0);
        });
        break;
    case Method::heun:  // predictor θ̃ = θ + dt k1 (+ kick); θ + dt/2 (k1 + k2) (+ same kick)
        history_.set_stage(1.0);
        rhs_.evaluate(theta, k1, dt, kick, t + dt, k2);
        parallel_for(threads_, n, [&](std::int64_t i) {
            next[i] = theta[i] + dt / 2 * (k1[i] + k2[i]) + (kick ? kick[i] : 0.0);
        });
        break;
    case Method::rk4:
        history_.set_stage(0.5);
        rhs_.evaluate(theta, k1, dt / 2, nullptr, t + dt / 2, k2);
        rhs_.evaluate(theta, k2, dt / 2, nullptr, t + dt / 2, k3);
        history_.set_stage(1.0);
        rhs_.evaluate(theta, k3, dt, nullptr, t + dt, k4);
        parallel_for(threads_, n, [&](std::int64_t i) {
            next[i] = theta[i] + dt / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        });
        break;
    case Method::dopri5:
        throw std::logic_error("dopri5 advances by segments (take_segment)");
    }
    accept_state(settings_.frequency_from_step >= 0 && step_ >= settings_.frequency_from_step);
    if (history_.active()) history_.push(theta_.data());
    ++step_;
    record_if_due();
}

void Simulation::accept_state(bool averaging) {
    // Accumulate displacement for mean frequencies, then wrap.
    const std::int64_t n = model_.size();
    const double* next = next_.data();
    double* displacement = displacement_.data();
    double* state = theta_.data();
    const bool wrap = settings_.wrap;
    parallel_for(threads_, n, [&](std::int64_t i) {
        if (averaging) displacement[i] += next[i] - state[i];
        state[i] = wrap ? wrap_phase(next[i]) : next[i];
    });
}

std::int64_t Simulation::next_stop() const {
    const auto after = [this](std::int64_t every) { return (step_ / every + 1) * every; };
    std::int64_t stop = std::min(settings_.n_steps, after(settings_.record_every));
    if (settings_.snapshot_every > 0) stop = std::min(stop, after(settings_.snapshot_every));
    if (settings_.frequency_from_step > step_) stop = std::min(stop, settings_.frequency_from_step);
    return stop;
}

void Simulation::take_segment() {
    const std::int64_t stop = next_stop();
    // Both ends are grid times computed as time() computes them, so a segment ends on
    // exactly the t that is recorded, and the next one starts there.
    const double t_end = static_cast<double>(stop) * settings_.dt;
    double t = time();
    // The segment never crosses frequency_from_step (a stop), so one flag serves it all.
    const bool averaging = settings_.frequency_from_step >= 0 && step_ >= settings_.frequency_from_step;
    const StepController controller;
    bool after_rejection = false;
    if (!have_first_slope_) {
        rhs_.evaluate(theta_.data(), nullptr, 0.0, nullptr, t, k1_.data());
        ++evaluations_;
        have_first_slope_ = true;
    }
    while (t < t_end) {
        // Land on t_end exactly: clip a step that would pass it, and stretch one that
        // would leave a sliver (under 1% of a step) before it.
        const bool last = t_end - t <= 1.01 * step_size_;
        const double h = last ? t_end - t : step_size_;
        if (!(h > smallest_relative_step * std::max(1.0, std::abs(t))))
            throw std::runtime_error(
                "rtol: method 'dopri5' cannot meet rtol/atol at t = " + std::to_string(t) +
                " (the step size fell below 1e-13 t); the phases diverged or the tolerances are "
                "too tight for double precision");
        const double error = trial_step(t, h);
        const double proposal = controller.next_step(h, error, after_rejection);
        if (StepController::accepts(error)) {
            accept_state(averaging);
            std::swap(k1_, k7_);  // FSAL: the slope at the new state starts the next step
            t = last ? t_end : t + h;
            ++accepted_;
            // A step clipped to reach an output time says little about the step the
            // solution allows: keep the earlier proposal if it was larger.
            step_size_ = last && h < step_size_ ? std::max(step_size_, proposal) : proposal;
            after_rejection = false;
        } else {
            ++rejected_;
            step_size_ = proposal;
            after_rejection = true;
        }
    }
    step_ = stop;
    record_if_due();
}

double Simulation::trial_step(double t, double h) {
    namespace c = dopri5;
    const std::int64_t n = model_.size();
    const double* theta = theta_.data();
    const double *k1 = k1_.data(), *k2 = k2_.data(), *k3 = k3_.data(), *k4 = k4_.data(),
                 *k5 = k5_.data(), *k6 = k6_.data();
    double* stage = stage_.data();
    double* next = next_.data();

    rhs_.evaluate(theta, k1, c::a21 * h, nullptr, t + c::c2 * h, k2_.data());
    parallel_for(threads_, n, [&](std::int64_t i) {
        stage[i] = theta[i] + h * (c::a31 * k1[i] + c::a32 * k2[i]);
    });
    rhs_.evaluate(stage, nullptr, 0.0, nullptr, t + c::c3 * h, k3_.data());
    parallel_for(threads_, n, [&](std::int64_t i) {
        stage[i] = theta[i] + h * (c::a41 * k1[i] + c::a42 * k2[i] + c::a43 * k3[i]);
    });
    rhs_.evaluate(stage, nullptr, 0.0, nullptr, t + c::c4 * h, k4_.data());
    parallel_for(threads_, n, [&](std::int64_t i) {
        stage[i] = theta[i] + h * (c::a51 * k1[i] + c::a52 * k2[i] + c::a53 * k3[i] +
                                   c::a54 * k4[i]);
    });
    rhs_.evaluate(stage, nullptr, 0.0, nullptr, t + c::c5 * h, k5_.data());
    parallel_for(threads_, n, [&](std::int64_t i) {
        stage[i] = theta[i] + h * (c::a61 * k1[i] + c::a62 * k2[i] + c::a63 * k3[i] +
                                   c::a64 * k4[i] + c::a65 * k5[i]);
    });
    rhs_.evaluate(stage, nullptr, 0.0, nullptr, t + h, k6_.data());
    // The fifth-order solution is also the seventh stage (FSAL).
    parallel_for(threads_, n, [&](std::int64_t i) {
        next[i] = theta[i] + h * (c::b1 * k1[i] + c::b3 * k3[i] + c::b4 * k4[i] +
                                  c::b5 * k5[i] + c::b6 * k6[i]);
    });
    rhs_.evaluate(next, nullptr, 0.0, nullptr, t + h, k7_.data());
    evaluations_ += 6;

    // The error norm is a maximum over oscillators: per fixed chunk, then over the chunks
    // in order, so it is the same for any number of threads (max is exact anyway). The
    // estimate uses only slopes and the unwrapped change, never wrapped phases. NaN
    // counts as infinitely wrong, so that it can never compare as acceptable.
    const double *k7 = k7_.data();
    const double rtol = settings_.rtol, atol = settings_.atol;
    double* chunk_errors = chunk_errors_.data();
    parallel_for(threads_, n_chunks(n), [&](std::int64_t chunk) {
        const std::int64_t begin = chunk * reduction_chunk;
        const std::int64_t end = std::min(n, begin + reduction_chunk);
        double largest = 0.0;
        for (std::int64_t i = begin; i < end; ++i) {
            const double estimate = h * (c::e1 * k1[i] + c::e3 * k3[i] + c::e4 * k4[i] +
                                         c::e5 * k5[i] + c::e6 * k6[i] + c::e7 * k7[i]);
            const double scaled = std::abs(estimate) / (atol + rtol * std::abs(next[i] - theta[i]));
            largest = std::isnan(scaled) ? std::numeric_limits<double>::infinity()
                                         : std::max(largest, scaled);
        }
        chunk_errors[chunk] = largest;
    });
    double error = 0.0;
    for (double chunk_error : chunk_errors_) error = std::max(error, chunk_error);
    return error;
}

void Simulation::record_if_due() {
    const auto n = static_cast<std::size_t>(model_.size());
    if (step_ % settings_.record_every == 0) {
        double z[6];
        rhs_.order_parameters(theta_.data(), z);
        auto* row = &z_records_[static_cast<std::size_t>(3 * n_records_)];
        row[0] = {z[0], z[1]};
        row[1] = {z[2], z[3]};
        row[2] = {z[4], z[5]};
        if (settings_.record_mean_frequency || settings_.record_local_order) record_observables();
        ++n_records_;
    }
    if (settings_.snapshot_every > 0 && step_ % settings_.snapshot_every == 0) {
        std::copy(theta_.begin(), theta_.end(),
                  snapshots_.begin() + static_cast<std::ptrdiff_t>(static_cast<std::size_t>(n_snapshots_) * n));
        ++n_snapshots_;
    }
}

// One evaluation of the deterministic dθ/dt at the recorded state (θ, t): the first stage
// of the next step, so fixed-step methods keep it as their next k1 and the recording costs
// no extra evaluation (except at the last record). It is the velocity at the recorded
// phases themselves, not an average over the step's stages, and without the noise, whose
// increment has no derivative. dopri5 evaluates into its free stage buffer and keeps its
// own k1 (its FSAL slope at the unwrapped phases) untouched.
void Simulation::record_observables() {
    const bool adaptive = settings_.method == Method::dopri5;
    double* velocity = adaptive ? stage_.data() : k1_.data();
    // All-to-all: every row's inputs are the whole network (RightHandSide keeps the two
    // values, onto E and onto I, which differ only with delays).
    const bool gather_local_order = settings_.record_local_order && !model_.all_to_all();
    rhs_.record_local_order(gather_local_order ? row_local_order_.data() : nullptr);
    history_.set_stage(0.0);  // delays: the sources at the recorded time
    rhs_.evaluate(theta_.data(), nullptr, 0.0, nullptr, time(), velocity);
    rhs_.record_local_order(nullptr);
    k1_ready_ = !adaptive;
    const auto row = static_cast<std::size_t>(2 * n_records_);
    if (settings_.record_mean_frequency)
        population_means(velocity, model_.size(), model_.n_e, threads_, chunk_means_, &frequency_records_[row]);
    if (gather_local_order)
        population_means(row_local_order_.data(), model_.size(), model_.n_e, threads_, chunk_means_,
                         &local_order_records_[row]);
    else if (settings_.record_local_order)
        for (int onto = 0; onto < 2; ++onto)
            local_order_records_[row + static_cast<std::size_t>(onto)] = rhs_.all_to_all_local_order(onto);
}

std::vector<double> Simulation::mean_frequencies() const {
    if (settings_.frequency_from_step < 0 || step_ <= settings_.frequency_from_step) return {};
    const double elapsed = static_cast<double>(step_ - settings_.frequency_from_step) * settings_.dt;
    std::vector<double> out(displacement_.size());
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = displacement_[i] / elapsed;
    return out;
}

void advance_ensemble(const std::vector<Simulation*>& members, std::int64_t max_steps, int threads) {
    for (const Simulation* member : members)
        if (member->settings().threads != 1)
            throw std::invalid_argument("ensemble members must be single-threaded (threads=1)");
    const auto count = static_cast<std::int64_t>(members.size());
    // Members differ in cost (e.g. sparse vs dense parameter points): hand them out one
    // at a time, the one loop here that is not statically scheduled; which thread runs a
    // member never changes its result. A member can throw (a procedural network's row
    // buffer, out of memory): caught as parallel_for does, and the exception of the
    // lowest such member rethrown after the region.
    detail::LowestIndexException errors;
#pragma omp parallel for schedule(dynamic, 1) num_threads(resolve_threads(threads))
    for (std::int64_t m = 0; m < count; ++m) {
        try {
            members[static_cast<std::size_t>(m)]->advance(max_steps);
        } catch (...) {
            errors.capture(m);
        }
    }
    errors.rethrow_if_any();
}

}  // namespace eikura

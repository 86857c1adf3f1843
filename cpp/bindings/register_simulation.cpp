#include <pybind11/complex.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "eikura/simulation.hpp"
#include "register.hpp"

namespace eikura::bindings {

namespace {

using DoubleArray = py::array_t<double, py::array::c_style | py::array::forcecast>;
using MaskArray = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>;
/// A drive as Python passes it: (amplitude, frequency, phase, target mask).
using DriveTuple = std::tuple<Schedule, double, double, MaskArray>;

Method method_from_name(const std::string& name) {
    if (name == "euler") return Method::euler;
    if (name == "heun") return Method::heun;
    if (name == "rk4") return Method::rk4;
    if (name == "dopri5") return Method::dopri5;
    throw std::invalid_argument("method: expected 'euler', 'heun', 'rk4' or 'dopri5', got '" + name + "'");
}

Normalization normalization_from_name(const std::string& name) {
    if (name == "in-degree") return Normalization::in_degree;
    if (name == "population") return Normalization::population;
    if (name == "none") return Normalization::none;
    throw std::invalid_argument("normalization: expected 'in-degree', 'population' or 'none'");
}

std::unique_ptr<Simulation> make_simulation(
    std::int64_t n_e, std::int64_t n_i, const DoubleArray& omega,
    const std::vector<Schedule>& couplings, double noise_e, double noise_i,
    const py::object& network, const std::string& normalization,
    const std::string& method, double dt, std::int64_t n_steps, std::int64_t record_every,
    std::int64_t snapshot_every, std::int64_t frequency_from_step, bool wrap, std::uint64_t seed,
    int threads, const DoubleArray& initial, const std::string& precision, double rtol,
    double atol, const std::vector<double>& phase_lags, const std::vector<DriveTuple>& drives,
    const std::vector<double>& delays, const DoubleArray& history) {
    if (couplings.size() != 4) throw std::invalid_argument("couplings: expected 4 schedules (ee, ei, ie, ii)");
    Model model;
    model.n_e = n_e;
    model.n_i = n_i;
    model.omega = to_vector(omega);
    model.couplings = {couplings[0], couplings[1], couplings[2], couplings[3]};
    if (phase_lags.size() != 4) throw std::invalid_argument("phase_lag: expected 4 lags (ee, ei, ie, ii)");
    model.phase_lags = {phase_lags[0], phase_lags[1], phase_lags[2], phase_lags[3]};
    if (delays.size() != 4) throw std::invalid_argument("delay: expected 4 delays (ee, ei, ie, ii)");
    model.delays = {delays[0], delays[1], delays[2], delays[3]};
    for (const auto& [amplitude, frequency, phase, mask] : drives) {
        const auto* begin = mask.data();
        model.drives.push_back({amplitude, frequency, phase,
                                std::vector<std::uint8_t>(begin, begin + mask.size())});
    }
    model.noise_e = noise_e;
    model.noise_i = noise_i;
    // None: all-to-all; a CsrNetwork: stored; a RandomBlocks rule: procedural.
    if (py::isinstance<RandomBlocks>(network)) model.procedural = network.cast<std::shared_ptr<RandomBlocks>>();
    else if (!network.is_none()) model.network = network.cast<std::shared_ptr<CsrNetwork>>();
    model.normalization = normalization_from_name(normalization);

    RunSettings settings;
    settings.method = method_from_name(method);
    settings.dt = dt;
    settings.n_steps = n_steps;
    settings.record_every = record_every;
    settings.snapshot_every = snapshot_every;
    settings.frequency_from_step = frequency_from_step;
    settings.wrap = wrap;
    settings.seed = seed;
    settings.threads = threads;
    settings.rtol = rtol;
    settings.atol = atol;
    if (precision != "float64" && precision != "float32")
        throw std::invalid_argument("precision: expected 'float64' or 'float32', got '" + precision + "'");
    settings.float32_tables = precision == "float32";
    auto phases = to_vector(initial);
    const auto past = to_vector(history);
    py::gil_scoped_release release;  // allocation of the run's arrays touches only C++ data
    return std::make_unique<Simulation>(std::move(model), settings, std::move(phases), past);
}

}  // namespace

void register_simulation(py::module_& m) {
    py::class_<Simulation>(m, "Simulation")
        .def(py::init(&make_simulation), py::arg("n_e"), py::arg("n_i"), py::arg("omega"),
             py::arg("couplings"), py::arg("noise_e"), py::arg("noise_i"), py::arg("network"),
             py::arg("normalization"), py::arg("method"), py::arg("dt"), py::arg("n_steps"),
             py::arg("record_every"), py::arg("snapshot_every"), py::arg("frequency_from_step"),
             py::arg("wrap"), py::arg("seed"), py::arg("threads"), py::arg("initial"),
             py::arg("precision") = "float64", py::arg("rtol") = 1e-6, py::arg("atol") = 1e-8,
             py::arg("phase_lags") = std::vector<double>{0.0, 0.0, 0.0, 0.0},
             py::arg("drives") = std::vector<DriveTuple>{},
             py::arg("delays") = std::vector<double>{0.0, 0.0, 0.0, 0.0},
             py::arg("history") = DoubleArray(0))
        .def(
            "advance",
            [](Simulation& sim, std::int64_t max_steps) {
                // The integration reads and writes only the Simulation's own C++ arrays;
                // Python can run (and receive Ctrl-C) meanwhile.
                py::gil_scoped_release release;
                return sim.advance(max_steps);
            },
            py::arg("max_steps"), "Integrate up to max_steps more steps; returns the steps done.")
        .def(
            "derivative",
            [](Simulation& sim, const DoubleArray& theta, double t, std::optional<py::array> out) {
                const auto n = static_cast<py::ssize_t>(sim.model().size());
                if (theta.ndim() != 1 || theta.shape(0) != n)
                    throw std::invalid_argument("theta: expected shape (N,)");
                // `out` (optional) is written in place, never through a converted copy:
                // benchmarks time the evaluation alone.
                py::array result = out ? *out : py::array_t<double>(n);
                if (!result.dtype().is(py::dtype::of<double>()) || result.ndim() != 1 || result.shape(0) != n ||
                    !(result.flags() & py::array::c_style) || !result.writeable())
                    throw std::invalid_argument("out: expected a writable C-contiguous float64 array of shape (N,)");
                const double* in = theta.data();
                auto* values = static_cast<double*>(result.mutable_data());
                py::gil_scoped_release release;  // plain pointers into arrays we keep alive
                sim.derivative(in, t, values);
                return result;
            },
            py::arg("theta"), py::arg("t") = 0.0, py::arg("out") = py::none())
        .def_property_readonly("step", &Simulation::step)
        .def_property_readonly("time", &Simulation::time)
        .def_property_readonly("finished", &Simulation::finished)
        .def_property_readonly("n_records", &Simulation::n_records)
        .def_property_readonly("accepted_steps", &Simulation::accepted_steps)
        .def_property_readonly("rejected_steps", &Simulation::rejected_steps)
        .def_property_readonly("evaluations", &Simulation::evaluations)
        .def_property_readonly("step_size", &Simulation::step_size)
        .def_property_readonly("phases", [](const Simulation& sim) {
            return to_array(sim.phases(), {static_cast<py::ssize_t>(sim.phases().size())});
        })
        .def_property_readonly("z_records", [](const Simulation& sim) {
            // (n_records, 3): Z_E, Z_I, Z
            const auto rows = static_cast<py::ssize_t>(sim.n_records());
            py::array_t<std::complex<double>> out({rows, py::ssize_t{3}});
            std::copy_n(sim.z_records().begin(), 3 * rows, out.mutable_data());
            return out;
        })
        .def_property_readonly("last_record", [](const Simulation& sim) {
            // (Z_E, Z_I, Z) of the latest record: an O(1) look at the state after each
            // batch (a non-finite value means the integration diverged).
            const auto row = static_cast<std::size_t>(3 * (sim.n_records() - 1));
            const auto& z = sim.z_records();
            return py::make_tuple(z[row], z[row + 1], z[row + 2]);
        })
        .def_property_readonly("snapshots", [](const Simulation& sim) {
            const auto rows = static_cast<py::ssize_t>(sim.n_snapshots());
            const auto n = static_cast<py::ssize_t>(sim.model().size());
            py::array_t<double> out({rows, n});
            std::copy_n(sim.snapshots().begin(), rows * n, out.mutable_data());
            return out;
        })
        .def_property_readonly("mean_frequencies", [](const Simulation& sim) {
            const auto values = sim.mean_frequencies();
            return to_array(values, {static_cast<py::ssize_t>(values.size())});
        })
        .def_property_readonly("displacement", [](const Simulation& sim) {
            return to_array(sim.displacement(), {static_cast<py::ssize_t>(sim.displacement().size())});
        })
        .def(
            "restore",
            [](Simulation& sim, std::int64_t step, const DoubleArray& phases,
               const py::array_t<std::complex<double>, py::array::c_style | py::array::forcecast>& z_records,
               const DoubleArray& snapshots, const DoubleArray& displacement) {
                std::vector<std::complex<double>> z(z_records.data(), z_records.data() + z_records.size());
                std::vector<double> snaps(snapshots.data(), snapshots.data() + snapshots.size());
                sim.restore(step, to_vector(phases), std::move(z), std::move(snaps), to_vector(displacement));
            },
            py::arg("step"), py::arg("phases"), py::arg("z_records"), py::arg("snapshots"),
            py::arg("displacement"))
        .def_property_readonly("delay_history", [](const Simulation& sim) {
            // The stored past of a delayed run, oldest step first (empty without delays).
            const auto values = sim.delay_history().state();
            return to_array(values, {static_cast<py::ssize_t>(values.size())});
        })
        .def_property_readonly("delay_history_oldest",
                               [](const Simulation& sim) { return sim.delay_history().oldest(); })
        .def(
            "restore_delay_history",
            [](Simulation& sim, std::int64_t oldest, const DoubleArray& values) {
                sim.restore_delay_history(oldest, to_vector(values));
            },
            py::arg("oldest"), py::arg("values"))
        .def_static(
            "estimate_bytes",
            [](std::int64_t n, std::int64_t n_steps, std::int64_t record_every, std::int64_t snapshot_every,
               const std::string& method, std::int64_t history_slots, bool all_to_all) {
                RunSettings settings;
                settings.method = method_from_name(method);
                settings.n_steps = n_steps;
                settings.record_every = record_every;
                settings.snapshot_every = snapshot_every;
                return Simulation::estimate_bytes(n, settings, history_slots, all_to_all);
            },
            py::arg("n"), py::arg("n_steps"), py::arg("record_every"), py::arg("snapshot_every"),
            py::arg("method") = "rk4", py::arg("history_slots") = 0, py::arg("all_to_all") = false);

    m.def("delay_history_slots", &DelayLine::slots, py::arg("longest"), py::arg("dt"),
          "Steps of the past a run with this longest delay and step keeps (0: no delays).");

    m.def(
        "advance_ensemble",
        [](const std::vector<Simulation*>& members, std::int64_t max_steps, int threads) {
            // Members are C++ objects kept alive by the caller's list; no Python is touched.
            py::gil_scoped_release release;
            advance_ensemble(members, max_steps, threads);
        },
        py::arg("members"), py::arg("max_steps"), py::arg("threads"),
        "Advance single-threaded simulations in one parallel loop over members.");
}

}  // namespace eikura::bindings

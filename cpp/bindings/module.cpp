// eikura._core: the private extension module. It only converts arrays and releases
// the GIL; everything it exposes is implemented in the pure C++ core (cpp/src).
//
// Exceptions: the core throws std::invalid_argument for bad input, which pybind11
// turns into ValueError; type mismatches of the arguments become TypeError. No other
// translation happens anywhere else.
#include <pybind11/pybind11.h>

#include "eikura/parallel.hpp"
#include "register.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_core, m) {
    m.doc() = "eikura's C++ core (private; use the eikura package)";
    m.attr("has_openmp") = eikura::has_openmp();
    m.def("max_threads", [] { return eikura::resolve_threads(0); },
          "Threads a run uses when threads=None.");
    eikura::bindings::register_schedule(m);
    eikura::bindings::register_network(m);
    eikura::bindings::register_simulation(m);
}

#include <pybind11/stl.h>

#include "eikura/schedule.hpp"
#include "register.hpp"

namespace eikura::bindings {

void register_schedule(py::module_& m) {
    py::class_<Schedule>(m, "Schedule")
        .def_static("constant", &Schedule::constant, py::arg("value"))
        .def_static("sinusoid", &Schedule::sinusoid, py::arg("mean"), py::arg("amplitude"),
                    py::arg("period"), py::arg("phase"))
        .def_static("piecewise_linear", &Schedule::piecewise_linear, py::arg("times"),
                    py::arg("values"))
        .def("__call__", &Schedule::operator(), py::arg("t"));
}

}  // namespace eikura::bindings

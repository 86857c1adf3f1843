#pragma once
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <vector>

namespace eikura::bindings {

namespace py = pybind11;

void register_schedule(py::module_& m);
void register_network(py::module_& m);
void register_simulation(py::module_& m);

/// A 1-D NumPy array copied into a std::vector (the GIL is held by the caller).
template <typename T>
std::vector<T> to_vector(const py::array_t<T, py::array::c_style | py::array::forcecast>& array) {
    if (array.ndim() != 1) throw std::invalid_argument("expected a 1-D array");
    return std::vector<T>(array.data(), array.data() + array.size());
}

/// A std::vector copied into a new NumPy array of the given shape.
template <typename T>
py::array_t<T> to_array(const std::vector<T>& values, std::vector<py::ssize_t> shape) {
    py::array_t<T> out(shape);
    std::copy(values.begin(), values.end(), out.mutable_data());
    return out;
}

}  // namespace eikura::bindings

#include <pybind11/stl.h>

#include <memory>

#include "eikura/network.hpp"
#include "eikura/parallel.hpp"
#include "register.hpp"

namespace eikura::bindings {

namespace {

RandomBlocks rule_from(std::int64_t n_e, std::int64_t n_i, const std::vector<py::tuple>& blocks,
                       bool allow_self, std::uint64_t seed);

BlockSpec block_from_tuple(const py::tuple& spec) {
    // (fixed_degree, in_degree, probability)
    BlockSpec block;
    block.fixed_degree = spec[0].cast<bool>();
    block.in_degree = spec[1].cast<std::int64_t>();
    block.probability = spec[2].cast<double>();
    return block;
}

RandomBlocks rule_from(std::int64_t n_e, std::int64_t n_i, const std::vector<py::tuple>& blocks,
                       bool allow_self, std::uint64_t seed) {
    if (blocks.size() != 4) throw std::invalid_argument("blocks: expected 4 (ee, ei, ie, ii)");
    RandomBlocks rule;
    rule.n_e = n_e;
    rule.n_i = n_i;
    for (std::size_t b = 0; b < 4; ++b) rule.blocks[b] = block_from_tuple(blocks[b]);
    rule.allow_self = allow_self;
    rule.seed = seed;
    return rule;
}

}  // namespace

void register_network(py::module_& m) {
    py::class_<RandomBlocks, std::shared_ptr<RandomBlocks>>(m, "RandomBlocks",
                                                            "Rule of a random network (drawn per row from the seed)")
        .def(py::init([](std::int64_t n_e, std::int64_t n_i, const std::vector<py::tuple>& blocks,
                         bool allow_self, std::uint64_t seed) {
                 auto rule = std::make_shared<RandomBlocks>(rule_from(n_e, n_i, blocks, allow_self, seed));
                 rule->validate();
                 return rule;
             }),
             py::arg("n_e"), py::arg("n_i"), py::arg("blocks"), py::arg("allow_self"), py::arg("seed"))
        .def_static(
            "estimate_procedural_bytes",
            [](std::int64_t n_e, std::int64_t n_i, const std::vector<py::tuple>& blocks) {
                // Per thread, a procedural gather's buffers; on as many threads as a run takes by default.
                return resolve_threads(0) * rule_from(n_e, n_i, blocks, false, 0).procedural_thread_bytes();
            },
            py::arg("n_e"), py::arg("n_i"), py::arg("blocks"))
        .def_readonly("n_e", &RandomBlocks::n_e)
        .def_readonly("n_i", &RandomBlocks::n_i)
        .def_readonly("seed", &RandomBlocks::seed)
        .def(
            "sources",
            [](const RandomBlocks& rule, std::int64_t target) {
                if (target < 0 || target >= rule.n_e + rule.n_i)
                    throw std::invalid_argument("target: out of range [0, N)");
                std::vector<std::int32_t> e_sources, i_sources;
                rule.e_sources(target, e_sources);
                rule.i_sources(target, i_sources);
                e_sources.insert(e_sources.end(), i_sources.begin(), i_sources.end());
                return to_array(e_sources, {static_cast<py::ssize_t>(e_sources.size())});
            },
            py::arg("target"), "Sorted sources of one row (E sources first), drawn on demand.");

    py::class_<CsrNetwork, std::shared_ptr<CsrNetwork>>(m, "CsrNetwork")
        .def_static(
            "random",
            [](const RandomBlocks& rule, int threads) {
                // Generation touches only C++ data.
                py::gil_scoped_release release;
                return std::make_shared<CsrNetwork>(CsrNetwork::random(rule, threads));
            },
            py::arg("rule"), py::arg("threads"))
        .def_static(
            "from_csr",
            [](std::int64_t n_e, std::int64_t n_i,
               const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& indptr,
               const py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>& indices,
               const py::array_t<double, py::array::c_style | py::array::forcecast>& weights, bool tile) {
                auto indptr_v = to_vector(indptr);
                auto indices_v = to_vector(indices);
                auto weights_v = to_vector(weights);
                py::gil_scoped_release release;  // sorting rows touches only C++ data
                return std::make_shared<CsrNetwork>(CsrNetwork::from_csr(
                    n_e, n_i, std::move(indptr_v), std::move(indices_v), std::move(weights_v), tile));
            },
            py::arg("n_e"), py::arg("n_i"), py::arg("indptr"), py::arg("indices"), py::arg("weights"),
            py::arg("tile") = true)
        .def_static(
            "estimate_random_bytes",
            [](std::int64_t n_e, std::int64_t n_i, const std::vector<py::tuple>& blocks) {
                return CsrNetwork::estimate_random_bytes(rule_from(n_e, n_i, blocks, false, 0));
            })
        .def_static("estimate_tiling_bytes", &CsrNetwork::estimate_tiling_bytes, py::arg("n_e"), py::arg("n_i"),
                    py::arg("edges"), py::arg("weighted"))
        .def_readonly("n_e", &CsrNetwork::n_e)
        .def_readonly("n_i", &CsrNetwork::n_i)
        .def_property_readonly("n_edges", &CsrNetwork::n_edges)
        .def_property_readonly("memory_bytes", &CsrNetwork::memory_bytes)
        .def_property_readonly("weighted", &CsrNetwork::weighted)
        .def_property_readonly("indptr", [](const CsrNetwork& net) {
            return to_array(net.indptr, {static_cast<py::ssize_t>(net.indptr.size())});
        })
        .def_property_readonly("e_end", [](const CsrNetwork& net) {
            return to_array(net.e_end, {static_cast<py::ssize_t>(net.e_end.size())});
        })
        .def_property_readonly("tiled", &CsrNetwork::tiled)
        .def_property_readonly("indices", [](const CsrNetwork& net) {
            std::vector<std::int32_t> csr;
            {
                py::gil_scoped_release release;  // decoding a tiled network touches only C++ data
                csr = net.csr_indices();
            }
            return to_array(csr, {static_cast<py::ssize_t>(csr.size())});
        }, "Source indices in CSR order (sorted within each row).")
        .def_property_readonly("weights", [](const CsrNetwork& net) {
            std::vector<double> csr;
            {
                py::gil_scoped_release release;
                csr = net.csr_weights();
            }
            return to_array(csr, {static_cast<py::ssize_t>(csr.size())});
        }, "Weights in CSR order (empty when all are 1).");
}

}  // namespace eikura::bindings

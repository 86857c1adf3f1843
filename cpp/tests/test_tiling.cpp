// The tiled edge order of large networks (GatherTiles): decoding gives the plain CSR
// network back, and because every row still adds its sources in ascending order the
// derivatives are bit-identical to those of the plain order, for any thread count.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "check.hpp"
#include "eikura/network.hpp"
#include "eikura/rhs.hpp"
#include "fixtures.hpp"

namespace {

using eikura::BlockSpec;
using eikura::CsrNetwork;
using eikura::Model;
using eikura::RandomBlocks;

std::vector<double> derivative_of(const Model& model, int threads, bool float32_tables = false) {
    eikura::RightHandSide rhs(model, threads, float32_tables);
    const std::vector<double> theta = eikura_test::irregular_phases(model.size());
    std::vector<double> out(theta.size()), again(theta.size());
    rhs.evaluate(theta.data(), nullptr, 0.0, nullptr, 0.3, out.data());
    // A second evaluation must not see anything left over from the first (the row sums).
    rhs.evaluate(theta.data(), nullptr, 0.0, nullptr, 0.3, again.data());
    CHECK_EQ(again, out);
    return out;
}

void check_tiling(std::int64_t ne, std::int64_t ni, const CsrNetwork& plain, int row_bits, int source_bits) {
    const eikura_test::Context context("tiling " + std::to_string(ne) + " E + " + std::to_string(ni) +
                                       " I, row_bits " + std::to_string(row_bits) + ", source_bits " +
                                       std::to_string(source_bits) +
                                       (plain.weighted() ? ", weighted" : ""));
    CsrNetwork tiled = plain;
    tiled.tile(row_bits, source_bits, 2);
    CHECK(tiled.tiled());
    CHECK(!plain.tiled());
    CHECK_EQ(tiled.csr_indices(), plain.indices);
    CHECK_EQ(tiled.csr_weights(), plain.weights);
    CHECK_EQ(tiled.n_edges(), plain.n_edges());
    for (const auto normalization :
         {eikura::Normalization::in_degree, eikura::Normalization::population, eikura::Normalization::none}) {
        const eikura_test::Context normalized("normalization " + std::to_string(static_cast<int>(normalization)));
        Model a = eikura_test::make_model(0.0, true, std::make_shared<CsrNetwork>(plain));
        Model b = eikura_test::make_model(0.0, true, std::make_shared<CsrNetwork>(tiled));
        for (Model* m : {&a, &b}) {
            m->n_e = ne;
            m->n_i = ni;
            m->omega.assign(static_cast<std::size_t>(ne + ni), 0.25);
            m->normalization = normalization;
        }
        const auto expected = derivative_of(a, 1);
        CHECK_EQ(derivative_of(b, 1), expected);
        CHECK_EQ(derivative_of(b, 3), expected);
        // float sin/cos tables: the same across layouts and threads, and within float
        // rounding (about 6e-8 relative per value) of the double result.
        const auto single = derivative_of(a, 1, true);
        CHECK_EQ(derivative_of(b, 3, true), single);
        double worst = 0.0;
        for (std::size_t i = 0; i < single.size(); ++i) worst = std::max(worst, std::abs(single[i] - expected[i]));
        CHECK_LE(worst, 1e-5);
        CHECK(single != expected || plain.n_edges() == 0);
    }
}

void test_tiled_gather() {
    // A random network with blocks and tiles that do not divide N, an isolated row, an
    // ER block (rows of unequal length), and weights.
    const std::int64_t ne = 203, ni = 61;
    RandomBlocks rule;
    rule.n_e = ne;
    rule.n_i = ni;
    rule.blocks[0] = BlockSpec{true, 30, 0.0};
    rule.blocks[1] = BlockSpec{false, 0, 0.2};
    rule.blocks[2] = BlockSpec{true, 25, 0.0};
    rule.blocks[3] = BlockSpec{true, 9, 0.0};
    rule.seed = 5;
    const CsrNetwork drawn = CsrNetwork::random(rule, 2);
    CHECK(!drawn.tiled());  // small: stays in plain CSR order
    for (const auto& [row_bits, source_bits] : std::vector<std::pair<int, int>>{{3, 4}, {5, 6}, {1, 1}, {9, 9}})
        check_tiling(ne, ni, drawn, row_bits, source_bits);

    std::vector<double> weights;
    for (std::int64_t e = 0; e < drawn.n_edges(); ++e) weights.push_back(0.5 + std::sin(double(e)));
    const CsrNetwork weighted = CsrNetwork::from_csr(ne, ni, drawn.indptr, drawn.indices, weights);
    check_tiling(ne, ni, weighted, 4, 5);

    // One population only (no I tiles), and a network without edges.
    const CsrNetwork only_e = CsrNetwork::from_csr(3, 0, {0, 2, 2, 3}, {1, 2, 0}, {});
    check_tiling(3, 0, only_e, 1, 1);
    const CsrNetwork no_edges = CsrNetwork::from_csr(2, 2, {0, 0, 0, 0, 0}, {}, {});
    check_tiling(2, 2, no_edges, 1, 1);
}

void test_tiling_is_thread_independent() {
    const CsrNetwork drawn = CsrNetwork::random(eikura_test::fixed_degree_rule(17, 5, 8, 300, 90), 1);
    CsrNetwork one = drawn, three = drawn;
    one.tile(4, 5, 1);
    three.tile(4, 5, 3);
    CHECK_EQ(one.indices, three.indices);
    CHECK_EQ(one.tiling.segments, three.tiling.segments);
    CHECK_EQ(one.tiling.tile_first, three.tiling.tile_first);
}

void test_refused() {
    CsrNetwork twice = CsrNetwork::random(eikura_test::fixed_degree_rule(7, 3, 1), 1);
    twice.tile(3, 4, 1);
    CHECK_THROWS_AS(twice.tile(3, 4, 1), std::logic_error, "already tiled");
    CsrNetwork copy = CsrNetwork::random(eikura_test::fixed_degree_rule(7, 3, 1), 1);
    CHECK_THROWS(copy.tile(20, 10, 1), "row_bits");  // 30 bits: 2·row and 2·source need 32
    CHECK_THROWS(copy.tile(0, 4, 1), "row_bits");
}

}  // namespace

int main() {
    test_tiled_gather();
    test_tiling_is_thread_independent();
    test_refused();
    return eikura_test::report("tiling");
}

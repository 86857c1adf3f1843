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

/// A hand-made network whose 16-bit words are known: 12 E and 4 I oscillators, tiles of
/// 8 sources ([0, 8), [8, 12), [12, 16)). Row 0 starts a segment (step 0), row 9 is 9
/// rows on (an escape), row 10 one on, its second source in the tile the same row
/// (step 0), then in the I tile row 10 is the first (an escape), row 15 five on.
CsrNetwork hand_made(bool weighted) {
    std::vector<std::int64_t> indptr(17, 0);
    std::vector<std::int32_t> sources;
    const std::vector<std::pair<int, std::vector<std::int32_t>>> rows = {
        {0, {1, 9}}, {9, {2}}, {10, {3, 4, 13}}, {15, {14}}};
    for (const auto& [row, row_sources] : rows) {
        sources.insert(sources.end(), row_sources.begin(), row_sources.end());
        for (int later = row + 1; later <= 16; ++later)
            indptr[static_cast<std::size_t>(later)] += static_cast<std::int64_t>(row_sources.size());
    }
    std::vector<double> weights;
    for (std::size_t e = 0; weighted && e < sources.size(); ++e) weights.push_back(0.5 + 0.25 * double(e));
    return CsrNetwork::from_csr(12, 4, indptr, sources, weights, false);
}

void test_words_and_escapes() {
    for (const bool weighted : {false, true}) {
        const CsrNetwork plain = hand_made(weighted);
        CsrNetwork one_block = plain;
        one_block.tile(4, 3, 2);
        const std::uint16_t escape = 7 << 13;
        // Tile [0, 8): rows 0, 9 (escape), 10, 10; [8, 12): row 0; [12, 16): rows 10 (escape), 15.
        const std::vector<std::uint16_t> words = {1, escape | 2, (1 << 13) | 3, 4, 9,
                                                  1,
                                                  escape | 1, (5 << 13) | 2, 10};
        CHECK_EQ(one_block.tiling.block_words.at(0), words);
        CHECK_EQ(one_block.tiling.word_starts, (std::vector<std::int64_t>{0, 5, 6}));
        CHECK_EQ(one_block.tiling.segments, (std::vector<std::int64_t>{0, 4, 5, 7}));
        // Tiled twice over: the words above, and blocks of 8 rows where block 0 has no
        // edge from I (an empty segment); both decode back and gather bit for bit.
        CsrNetwork eight_rows = plain;
        eight_rows.tile(3, 3, 2);
        CHECK_EQ(eight_rows.tiling.segments[2], eight_rows.tiling.segments[3]);
        check_tiling(12, 4, plain, 4, 3);
        check_tiling(12, 4, plain, 3, 3);
        check_tiling(12, 4, plain, 1, 1);
    }
}

/// Rows whose gaps in a tile exceed the row steps of a word: sparse rows, many escapes.
void test_sparse_rows_escape() {
    // 2 E sources of 400 per row, tiles of 8: a row has an edge in a tile with p = 0.04.
    const CsrNetwork drawn = CsrNetwork::random(eikura_test::fixed_degree_rule(2, 1, 1, 400, 100), 1);
    std::int64_t words = 0;
    CsrNetwork tiled = drawn;
    tiled.tile(9, 3, 2);
    for (const auto& block : tiled.tiling.block_words) words += static_cast<std::int64_t>(block.size());
    CHECK(words > tiled.n_edges() + tiled.n_edges() / 4);  // more than a quarter escape
    check_tiling(400, 100, drawn, 9, 3);
}

void test_random_is_drawn_tiled() {
    // Above the tiling size a random network is drawn straight into its words: the same
    // words as drawing it plainly and tiling it.
    const RandomBlocks rule = eikura_test::fixed_degree_rule(3, 1, 5, 120'000, 20'000);
    const CsrNetwork direct = CsrNetwork::random(rule, 2);
    CHECK(direct.tiled());
    CHECK(direct.indices.empty());
    CsrNetwork plain;
    plain.n_e = rule.n_e;
    plain.n_i = rule.n_i;
    plain.indptr = direct.indptr;
    plain.e_end = direct.e_end;
    plain.indices = direct.csr_indices();
    plain.tile(CsrNetwork::row_bits_for(plain.size(), double(plain.n_edges())), CsrNetwork::default_source_bits, 2);
    CHECK(direct.tiling.block_words == plain.tiling.block_words);
    CHECK_EQ(direct.tiling.word_starts, plain.tiling.word_starts);
    CHECK_EQ(direct.tiling.segments, plain.tiling.segments);
    // Words per edge as CsrNetwork::estimate_words_per_edge expects (about 1.26 here).
    std::int64_t words = 0;
    for (const auto& block : direct.tiling.block_words) words += static_cast<std::int64_t>(block.size());
    const double expected = CsrNetwork::estimate_words_per_edge(rule.n_e, rule.n_i, double(direct.n_edges()));
    CHECK_LE(std::abs(double(words) / double(direct.n_edges()) / expected - 1.0), 0.03);
}

void test_tiling_is_thread_independent() {
    const CsrNetwork drawn = CsrNetwork::random(eikura_test::fixed_degree_rule(17, 5, 8, 300, 90), 1);
    CsrNetwork one = drawn, three = drawn;
    one.tile(4, 5, 1);
    three.tile(4, 5, 3);
    CHECK(one.tiling.block_words == three.tiling.block_words);
    CHECK_EQ(one.tiling.word_starts, three.tiling.word_starts);
    CHECK_EQ(one.tiling.segments, three.tiling.segments);
    CHECK_EQ(one.tiling.tile_first, three.tiling.tile_first);
}

void test_refused() {
    CsrNetwork twice = CsrNetwork::random(eikura_test::fixed_degree_rule(7, 3, 1), 1);
    twice.tile(3, 4, 1);
    CHECK_THROWS_AS(twice.tile(3, 4, 1), std::logic_error, "already tiled");
    CsrNetwork copy = CsrNetwork::random(eikura_test::fixed_degree_rule(7, 3, 1), 1);
    CHECK_THROWS(copy.tile(17, 4, 1), "row_bits");   // escape rows are 16-bit words
    CHECK_THROWS(copy.tile(4, 14, 1), "source_bits");  // source offsets have 13 bits
    CHECK_THROWS(copy.tile(0, 4, 1), "row_bits");
}

}  // namespace

/// Blocks grow from 2^14 to 2^16 rows where a block of 2^14 rows would hold fewer edges
/// than there are oscillators (each block streams the whole sin/cos table).
void test_block_rows_grow_with_n() {
    CHECK_EQ(CsrNetwork::row_bits_for(1'000'000, 1e8), 14);    // N = 10^6, k = 100
    CHECK_EQ(CsrNetwork::row_bits_for(10'000'000, 1e9), 16);   // N = 10^7, k = 100
    CHECK_EQ(CsrNetwork::row_bits_for(10'000'000, 1e10), 14);  // N = 10^7, k = 1000
    CHECK_EQ(CsrNetwork::row_bits_for(300'000, 1.2e6), 15);    // k = 4: 8 blocks at least
    CHECK_EQ(CsrNetwork::row_bits_for(140'000, 5.6e5), 14);
    const CsrNetwork net = CsrNetwork::random(eikura_test::fixed_degree_rule(3, 1, 5, 240'000, 60'000), 2);
    CHECK_EQ(net.tiling.row_bits, 15);
}

int main() {
    test_tiled_gather();
    test_words_and_escapes();
    test_sparse_rows_escape();
    test_random_is_drawn_tiled();
    test_tiling_is_thread_independent();
    test_refused();
    test_block_rows_grow_with_n();
    return eikura_test::report("tiling");
}

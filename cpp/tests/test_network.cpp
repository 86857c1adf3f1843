// Networks: user CSR input (sorting, checks), random networks (rows, thread-count
// independence, the same rows as a procedural network draws), memory estimates.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "check.hpp"
#include "eikura/network.hpp"
#include "eikura/random.hpp"
#include "fixtures.hpp"

namespace {

using eikura::BlockSpec;
using eikura::CsrNetwork;
using eikura::RandomBlocks;
using eikura_test::fixed_degree_rule;
using eikura_test::n_e;
using eikura_test::n_i;

void test_user_csr() {
    // 3 oscillators (2 E, 1 I); row 0 unsorted with an I source first.
    const CsrNetwork net = CsrNetwork::from_csr(2, 1, {0, 2, 3, 3}, {2, 1, 0}, {0.5, 2.0, 1.0});
    CHECK_EQ(net.indices, (std::vector<std::int32_t>{1, 2, 0}));
    CHECK_EQ(net.weights, (std::vector<double>{2.0, 0.5, 1.0}));  // weights follow the sort
    CHECK_EQ(net.e_end, (std::vector<std::int64_t>{1, 3, 3}));
    CHECK_EQ(net.n_edges(), 3);
    CHECK(!net.tiled());
    CHECK_EQ(net.csr_indices(), net.indices);

    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1}, {0}, {}), "indptr");        // N + 1
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 2, 1, 2}, {0, 1}, {}), "indptr");  // decreasing
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {1, 1, 1, 2}, {0, 1}, {}), "indptr");  // not from 0
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1, 1}, {3}, {}), "out of range");
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1, 1}, {-1}, {}), "out of range");
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 2, 2, 2}, {1, 1}, {}), "duplicate");
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1, 1}, {1}, {1.0, 2.0}), "weights");
    CHECK_THROWS(CsrNetwork::from_csr(2, 1, {0, 1, 1, 1}, {1}, {std::numeric_limits<double>::infinity()}),
                 "weights");
    CHECK_THROWS(CsrNetwork::from_csr(-1, 1, {0}, {}, {}), "population");
}

/// Every row: k_e sorted E sources then k_i sorted I sources, no self-connection.
void check_fixed_degree_rows(const CsrNetwork& net, std::int64_t k_e, std::int64_t k_i) {
    std::vector<std::string> bad_rows;
    for (std::int64_t i = 0; i < net.size(); ++i) {
        const auto begin = net.indptr[static_cast<std::size_t>(i)];
        const auto end = net.indptr[static_cast<std::size_t>(i + 1)];
        const auto split = net.e_end[static_cast<std::size_t>(i)];
        bool ok = split - begin == k_e && end - split == k_i;
        for (auto k = begin; k < end; ++k) {
            const auto j = net.indices[static_cast<std::size_t>(k)];
            ok = ok && j != i && j >= 0 && j < net.size();
            if (k > begin) ok = ok && j > net.indices[static_cast<std::size_t>(k - 1)];
            ok = ok && ((k < split) == (j < net.n_e));
        }
        if (!ok) bad_rows.push_back(std::to_string(i));
    }
    CHECK_EQ(bad_rows, std::vector<std::string>{});
}

void test_random_networks() {
    const RandomBlocks rule = fixed_degree_rule(7, 3, 99);
    const CsrNetwork one = CsrNetwork::random(rule, 1);
    const CsrNetwork four = CsrNetwork::random(rule, 4);
    CHECK_EQ(one.indices, four.indices);  // thread-independent
    CHECK_EQ(one.indptr, four.indptr);
    CHECK_EQ(one.n_edges(), 10 * (n_e + n_i));
    check_fixed_degree_rows(one, 7, 3);
    CHECK_LE(one.memory_bytes(), CsrNetwork::estimate_random_bytes(rule));

    // Dense blocks (drawn by partial Fisher–Yates) and Erdős–Rényi blocks.
    const RandomBlocks dense = fixed_degree_rule(n_e - 1, n_i - 1, 4);
    check_fixed_degree_rows(CsrNetwork::random(dense, 3), n_e - 1, n_i - 1);
    RandomBlocks er = rule;
    er.blocks[0] = BlockSpec{false, 0, 0.3};
    er.blocks[3] = BlockSpec{false, 0, 1.0};
    const CsrNetwork er_one = CsrNetwork::random(er, 1), er_three = CsrNetwork::random(er, 3);
    CHECK_EQ(er_one.indices, er_three.indices);
    CHECK_EQ(er_one.e_end, er_three.e_end);
    for (std::int64_t i = n_e; i < n_e + n_i; ++i)  // p_ii = 1: every other I oscillator
        CHECK_EQ(er_one.indptr[static_cast<std::size_t>(i + 1)] - er_one.e_end[static_cast<std::size_t>(i)],
                 n_i - 1);
}

void test_procedural_rows_are_the_stored_rows() {
    RandomBlocks rule = fixed_degree_rule(9, 4, 21);
    rule.blocks[1] = BlockSpec{false, 0, 0.25};
    const CsrNetwork net = CsrNetwork::random(rule, 2);
    std::vector<std::int32_t> redrawn, sources;
    for (std::int64_t i = 0; i < n_e + n_i; ++i) {
        rule.e_sources(i, sources);
        redrawn.insert(redrawn.end(), sources.begin(), sources.end());
        rule.i_sources(i, sources);
        redrawn.insert(redrawn.end(), sources.begin(), sources.end());
    }
    CHECK_EQ(redrawn, net.indices);
}

/// A block drawn tile by tile (the procedural gather of large networks) holds each row's
/// sources in ascending order, tile after tile, except the rows it lists for a redraw,
/// which are exactly the rows whose first draws repeated a source.
void test_tiled_block_holds_the_rows() {
    // Small tiles (2^3 and 2^5 sources) so that rows share tiles (about 1 and 5 words of a
    // row per tile: pairs to swap, and words that go further down), and degrees high
    // enough that some rows draw a source twice; one ER block takes the general path.
    RandomBlocks rule = fixed_degree_rule(50, 8, 5);
    rule.n_e = 400;
    rule.n_i = 100;
    rule.blocks[0].in_degree = 60;
    rule.blocks[2].in_degree = 60;
    rule.blocks[3] = BlockSpec{false, 0, 0.1};
    for (const int source_bits : {3, 5}) {
        eikura::DrawnBlock block;
        std::int64_t redrawn_rows = 0;
        for (const std::int64_t first_row : {std::int64_t{0}, std::int64_t{256}, std::int64_t{384}}) {
            const std::int64_t rows = first_row == 384 ? 116 : 128;
            rule.draw_tiled_block(first_row, rows, source_bits, block);
            std::vector<std::vector<std::int32_t>> decoded(static_cast<std::size_t>(rows));
            const std::uint32_t source_mask = (2U << source_bits) - 1;
            for (std::size_t t = 0; t + 1 < block.tile_first.size(); ++t) {
                const auto words = block.tile_words[t].begin();
                CHECK(std::is_sorted(words, words + block.tile_sizes[t]));  // by row, then by source
                for (std::int64_t m = 0; m < block.tile_sizes[t]; ++m) {
                    const std::uint32_t word = words[m];
                    decoded[word >> (source_bits + 2)].push_back(
                        static_cast<std::int32_t>(block.tile_first[t] + (word & source_mask) / 2));
                }
            }
            std::vector<std::int32_t> e_sources, i_sources;
            for (std::int64_t r = 0; r < rows; ++r) {
                rule.e_sources(first_row + r, e_sources);
                rule.i_sources(first_row + r, i_sources);
                e_sources.insert(e_sources.end(), i_sources.begin(), i_sources.end());
                const auto& row = decoded[static_cast<std::size_t>(r)];
                const bool listed = std::find(block.redraw_rows.begin(), block.redraw_rows.end(), r) !=
                                    block.redraw_rows.end();
                const bool repeated = std::adjacent_find(row.begin(), row.end()) != row.end();
                CHECK_EQ(listed, repeated);
                if (listed) ++redrawn_rows;
                else CHECK_EQ(row, e_sources);
            }
        }
        CHECK(redrawn_rows > 0);  // the redraw path is exercised
    }
}

/// A procedural block keeps about 2^20 edges (N for large N), and its tiles shrink where a row would draw
/// more than two sources per tile (so that ordering a row's words in a tile stays cheap).
void test_procedural_block_sizes() {
    const RandomBlocks sparse = fixed_degree_rule(80, 20, 1, 800000, 200000);  // N = 10^6, k = 100
    CHECK_EQ(sparse.procedural_row_bits(), 13);     // 8192 rows x 100 <= 2^20 edges
    CHECK_EQ(sparse.procedural_source_bits(), 13);  // 80 · 8192 / 800 000 = 0.8 per tile
    const RandomBlocks dense = fixed_degree_rule(800, 200, 1, 800000, 200000);  // k = 1000
    CHECK_EQ(dense.procedural_row_bits(), 10);
    CHECK_EQ(dense.procedural_source_bits(), 10);  // 800 · 1024 / 800 000 = 1.02
    // N = 10^7: a block holds up to N edges (each block streams the whole sin/cos table)
    CHECK_EQ(fixed_degree_rule(80, 20, 1, 8000000, 2000000).procedural_row_bits(), 16);
    CHECK_EQ(fixed_degree_rule(800, 200, 1, 8000000, 2000000).procedural_row_bits(), 13);
    CHECK_EQ(fixed_degree_rule(1, 1, 1, 8000000, 2000000).procedural_row_bits(), 17);  // 32-bit words
    CHECK_EQ(fixed_degree_rule(4, 1, 1, 160000, 40000).procedural_row_bits(), 14);     // 8 blocks at least
    const RandomBlocks densest = fixed_degree_rule(4000, 1000, 1, 200000, 50000);
    CHECK_EQ(densest.procedural_source_bits(), 8);  // never below 2^8
}

/// The vectorised draws are the stream's own: the same numbers as StreamGenerator.
void test_draw_indices_match_the_stream() {
    std::vector<std::uint32_t> draws(37);
    for (const std::uint32_t n : {1U, 2U, 3U, 1000U, 799999U, (1U << 31) - 1, 0xffffffffU}) {
        for (const std::uint64_t key : {std::uint64_t{0}, std::uint64_t{12345}, ~std::uint64_t{0}}) {
            eikura::draw_indices(key, static_cast<std::int64_t>(draws.size()), n, draws.data());
            eikura::StreamGenerator stream(key);
            for (const std::uint32_t draw : draws) CHECK_EQ(std::uint64_t{draw}, stream.next_index(n));
        }
    }
}

void test_invalid_rules() {
    CHECK_THROWS(CsrNetwork::random(fixed_degree_rule(n_e, 3, 1), 1), "k_ee");  // > n_e - 1
    CHECK_THROWS(CsrNetwork::random(fixed_degree_rule(-1, 3, 1), 1), "k_ee");
    RandomBlocks bad_probability = fixed_degree_rule(7, 3, 99);
    bad_probability.blocks[3] = BlockSpec{false, 0, 1.5};
    CHECK_THROWS(CsrNetwork::random(bad_probability, 1), "p_ii");
    bad_probability.blocks[3] = BlockSpec{false, 0, std::numeric_limits<double>::quiet_NaN()};
    CHECK_THROWS(CsrNetwork::random(bad_probability, 1), "p_ii");

    // Absurd sizes saturate instead of wrapping around (the memory guard relies on it).
    RandomBlocks huge = fixed_degree_rule(0, 0, 1);
    huge.n_e = std::numeric_limits<std::int32_t>::max();
    huge.blocks[0].in_degree = std::numeric_limits<std::int32_t>::max() - 1;
    CHECK_EQ(CsrNetwork::estimate_random_bytes(huge), std::numeric_limits<std::int64_t>::max());
}

}  // namespace

int main() {
    test_user_csr();
    test_random_networks();
    test_procedural_rows_are_the_stored_rows();
    test_tiled_block_holds_the_rows();
    test_draw_indices_match_the_stream();
    test_procedural_block_sizes();
    test_invalid_rules();
    return eikura_test::report("network");
}

// The right-hand side: every strategy (all-to-all mean fields, plain CSR, tiled, and
// procedural gathers) against the equation summed edge by edge with std::sin, and the
// bit-for-bit agreements the engine relies on (threads, stored vs procedural, fused
// stage phases).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "check.hpp"
#include "eikura/equation.hpp"
#include "eikura/model.hpp"
#include "eikura/network.hpp"
#include "eikura/rhs.hpp"
#include "fixtures.hpp"

namespace {

using eikura::BlockSpec;
using eikura::CsrNetwork;
using eikura::Model;
using eikura::Normalization;
using eikura::RandomBlocks;

constexpr Normalization normalizations[3] = {Normalization::in_degree, Normalization::population,
                                             Normalization::none};

/// The inputs of each row as (source, weight), whatever the topology.
struct EdgeList {
    std::vector<std::vector<std::int32_t>> sources;
    std::vector<std::vector<double>> weights;
};

EdgeList edges_of(const Model& model) {
    const std::int64_t n = model.size();
    EdgeList edges;
    edges.sources.resize(static_cast<std::size_t>(n));
    edges.weights.resize(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
        const auto row = static_cast<std::size_t>(i);
        auto& sources = edges.sources[row];
        auto& weights = edges.weights[row];
        if (model.all_to_all()) {
            for (std::int32_t j = 0; j < n; ++j) sources.push_back(j);
        } else if (model.procedural) {
            std::vector<std::int32_t> drawn;
            model.procedural->e_sources(i, drawn);
            sources = drawn;
            model.procedural->i_sources(i, drawn);
            sources.insert(sources.end(), drawn.begin(), drawn.end());
        } else {
            const CsrNetwork& net = *model.network;
            const std::vector<std::int32_t> indices = net.csr_indices();
            const std::vector<double> csr_weights = net.csr_weights();
            const auto first = static_cast<std::size_t>(net.indptr[row]);
            const auto last = static_cast<std::size_t>(net.indptr[row + 1]);
            for (std::size_t e = first; e < last; ++e) {
                sources.push_back(indices[e]);
                if (net.weighted()) weights.push_back(csr_weights[e]);
            }
        }
        if (weights.empty()) weights.assign(sources.size(), 1.0);
    }
    return edges;
}

/// dθ_i/dt = ω_i + K_XE c_i^E − K_XI c_i^I, c_i^Y = (1/n_i^Y) Σ w_ij sin(θ_j − θ_i),
/// summed term by term.
std::vector<double> oracle(const Model& model, const std::vector<double>& theta, double t) {
    const EdgeList edges = edges_of(model);
    const eikura::Couplings k = model.couplings.at(t);
    std::vector<double> out;
    for (std::int64_t i = 0; i < model.size(); ++i) {
        const auto row = static_cast<std::size_t>(i);
        double sum_e = 0.0, sum_i = 0.0, count_e = 0.0, count_i = 0.0;
        for (std::size_t m = 0; m < edges.sources[row].size(); ++m) {
            const auto j = edges.sources[row][m];
            const double difference = theta[static_cast<std::size_t>(j)] - theta[row];
            const double term = edges.weights[row][m] * std::sin(difference);
            if (j < model.n_e) sum_e += term, count_e += 1.0;
            else sum_i += term, count_i += 1.0;
        }
        double norm_e = 1.0, norm_i = 1.0;
        if (model.normalization == Normalization::in_degree) norm_e = count_e, norm_i = count_i;
        if (model.normalization == Normalization::population)
            norm_e = static_cast<double>(model.n_e), norm_i = static_cast<double>(model.n_i);
        const double c_e = norm_e > 0.0 ? sum_e / norm_e : 0.0;
        const double c_i = norm_i > 0.0 ? sum_i / norm_i : 0.0;
        const bool excitatory = i < model.n_e;
        const double k_from_e = excitatory ? k.ee : k.ie, k_from_i = excitatory ? k.ei : k.ii;
        out.push_back(model.omega[row] + k_from_e * c_e - k_from_i * c_i);
    }
    return out;
}

std::vector<double> evaluate(const Model& model, const std::vector<double>& theta, double t, int threads,
                             bool float32_tables = false) {
    eikura::RightHandSide rhs(model, threads, float32_tables);
    std::vector<double> out(theta.size());
    rhs.evaluate(theta.data(), nullptr, 0.0, nullptr, t, out.data());
    return out;
}

double worst_difference(const std::vector<double>& a, const std::vector<double>& b) {
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
}

/// The models of one size: all-to-all, stored (ER and fixed degree, weighted or not,
/// plain or tiled) and procedural, each named.
std::vector<std::pair<std::string, Model>> topologies(std::int64_t ne, std::int64_t ni) {
    RandomBlocks rule = eikura_test::fixed_degree_rule(std::min<std::int64_t>(12, ne - 1),
                                                       std::min<std::int64_t>(4, ni - 1), 31, ne, ni);
    rule.blocks[1] = BlockSpec{false, 0, 0.15};  // ER: rows of unequal length, some empty
    Model base = eikura_test::make_model(0.0, true, nullptr);
    base.n_e = ne;
    base.n_i = ni;
    base.omega.clear();
    for (std::int64_t i = 0; i < ne + ni; ++i) base.omega.push_back(std::cos(0.9 * double(i)));

    std::vector<std::pair<std::string, Model>> models;
    models.emplace_back("all-to-all", base);
    const CsrNetwork drawn = CsrNetwork::random(rule, 2);
    std::vector<double> weights;
    for (std::int64_t e = 0; e < drawn.n_edges(); ++e) weights.push_back(0.5 + std::sin(double(e)));
    const CsrNetwork weighted = CsrNetwork::from_csr(ne, ni, drawn.indptr, drawn.indices, weights);
    CsrNetwork tiled = drawn, tiled_weighted = weighted;
    tiled.tile(3, 4, 2);
    tiled_weighted.tile(4, 3, 2);
    for (const auto& [name, net] : {std::pair<std::string, const CsrNetwork*>{"csr", &drawn},
                                    {"csr weighted", &weighted},
                                    {"tiled", &tiled},
                                    {"tiled weighted", &tiled_weighted}}) {
        Model stored = base;
        stored.network = std::make_shared<const CsrNetwork>(*net);
        models.emplace_back(name, stored);
    }
    Model procedural = base;
    procedural.procedural = std::make_shared<const RandomBlocks>(rule);
    models.emplace_back("procedural", procedural);
    return models;
}

void test_every_strategy_against_the_equation() {
    for (const auto& [ne, ni] : std::vector<std::pair<std::int64_t, std::int64_t>>{{40, 10}, {150, 37}}) {
        const std::vector<double> theta = eikura_test::irregular_phases(ne + ni);
        for (auto [name, model] : topologies(ne, ni)) {
            for (const auto normalization : normalizations) {
                const eikura_test::Context context(name + ", N_E " + std::to_string(ne) + ", normalization " +
                                                   std::to_string(static_cast<int>(normalization)));
                model.normalization = normalization;
                const double t = 0.37;  // K_EE(t) and K_IE(t) are not at their base values
                const std::vector<double> expected = oracle(model, theta, t);
                const std::vector<double> one = evaluate(model, theta, t, 1);
                // Rounding only: a few ulps of the terms, times the strengths.
                CHECK_LE(worst_difference(one, expected), 1e-12 * static_cast<double>(ne + ni));
                CHECK_EQ(evaluate(model, theta, t, 2), one);
                CHECK_EQ(evaluate(model, theta, t, 3), one);
                if (model.all_to_all()) {
                    CHECK_EQ(evaluate(model, theta, t, 2, true), one);  // float tables: sparse only
                } else {
                    const std::vector<double> single = evaluate(model, theta, t, 2, true);
                    CHECK_LE(worst_difference(single, expected), 1e-5);
                    CHECK_EQ(evaluate(model, theta, t, 1, true), single);
                }
            }
        }
    }
}

void test_procedural_equals_stored() {
    // One seed, one network: redrawn at every evaluation or stored, the sums agree bit for bit.
    RandomBlocks rule = eikura_test::fixed_degree_rule(11, 6, 77);
    rule.blocks[2] = BlockSpec{false, 0, 0.3};
    Model stored = eikura_test::make_model(
        0.0, true, std::make_shared<const CsrNetwork>(CsrNetwork::random(rule, 3)));
    Model procedural = eikura_test::make_model(0.0, true, nullptr);
    procedural.procedural = std::make_shared<const RandomBlocks>(rule);
    const std::vector<double> theta = eikura_test::irregular_phases(stored.size());
    for (const auto normalization : normalizations) {
        stored.normalization = procedural.normalization = normalization;
        CHECK_EQ(evaluate(procedural, theta, 0.2, 2), evaluate(stored, theta, 0.2, 1));
    }
}

void test_stage_phases_are_fused_exactly() {
    // evaluate(base, slope, h, kick) is evaluate(base + h·slope + kick), bit for bit.
    for (auto [name, model] : topologies(40, 10)) {
        const eikura_test::Context context(name);
        const std::vector<double> base = eikura_test::irregular_phases(model.size());
        std::vector<double> slope, kick, stage;
        for (std::size_t i = 0; i < base.size(); ++i) {
            slope.push_back(std::cos(0.7 * double(i)));
            kick.push_back(0.01 * std::sin(double(i)));
            double theta = base[i];
            theta += 0.05 * slope[i];
            theta += kick[i];
            stage.push_back(theta);
        }
        eikura::RightHandSide rhs(model, 2);
        std::vector<double> fused(base.size());
        rhs.evaluate(base.data(), slope.data(), 0.05, kick.data(), 0.6, fused.data());
        CHECK_EQ(fused, evaluate(model, stage, 0.6, 1));
    }
}

void test_order_parameters() {
    const Model model = eikura_test::make_model(0.0, false, nullptr);
    const std::vector<double> theta = eikura_test::irregular_phases(model.size());
    eikura::RightHandSide rhs(model, 2);
    double z[6];
    rhs.order_parameters(theta.data(), z);
    double expected[6] = {0, 0, 0, 0, 0, 0};
    for (std::int64_t j = 0; j < model.size(); ++j) {
        const double phase = theta[static_cast<std::size_t>(j)];
        const double c = std::cos(phase), s = std::sin(phase);
        const int population = j < model.n_e ? 0 : 2;
        expected[population] += c / static_cast<double>(j < model.n_e ? model.n_e : model.n_i);
        expected[population + 1] += s / static_cast<double>(j < model.n_e ? model.n_e : model.n_i);
        expected[4] += c / static_cast<double>(model.size());
        expected[5] += s / static_cast<double>(model.size());
    }
    for (int k = 0; k < 6; ++k) CHECK_LE(std::abs(z[k] - expected[k]), 1e-14);
}

void test_equation_parts() {
    using eikura::detail::inverse_norms;
    const auto in_degree = inverse_norms(Normalization::in_degree, 4.0, 0.0, 80.0, 20.0);
    CHECK_EQ(in_degree.e, 0.25);
    CHECK_EQ(in_degree.i, 0.0);  // no inputs from I: an empty sum, not 0/0
    const auto population = inverse_norms(Normalization::population, 4.0, 0.0, 80.0, 20.0);
    CHECK_EQ(population.e, 1.0 / 80.0);
    CHECK_EQ(population.i, 1.0 / 20.0);
    const auto none = inverse_norms(Normalization::none, 4.0, 0.0, 80.0, 20.0);
    CHECK(none.e == 1.0 && none.i == 1.0);

    // θ_i = 0 with one input from E at θ_j = π/2, none from I: dθ/dt = ω + K_XE.
    using eikura::detail::phase_velocity;
    using eikura::detail::strengths_onto;
    const eikura::Couplings k{2.0, 3.0, 5.0, 7.0};
    const eikura::detail::InputSums sums{1.0, 0.0, 0.0, 0.0};  // sin θ_j = 1, cos θ_j = 0
    CHECK_EQ(phase_velocity(0.5, strengths_onto(k, true), {1.0, 0.0}, sums, 0.0, 1.0), 2.5);
    CHECK_EQ(phase_velocity(0.5, strengths_onto(k, false), {1.0, 0.0}, sums, 0.0, 1.0), 5.5);
    // All-to-all: H_X = K_XE Z_E − K_XI Z_I, dθ/dt = ω + Im(H e^{−iθ}).
    const auto drive = eikura::detail::mean_field_drive(strengths_onto(k, true), {0.0, 1.0}, {0.5, 0.0});
    CHECK(drive.re == -1.5 && drive.im == 2.0);
    CHECK_EQ(eikura::detail::phase_velocity_all_to_all(0.5, drive, 0.0, 1.0), 2.5);
}

}  // namespace

/// The buffers a large procedural gather keeps (its drawn edges, tile by tile) are
/// within the estimate the memory guard counts, and not far below it.
void test_procedural_buffers_within_estimate() {
    const std::int64_t e = 110000, i = 30000;  // above CsrNetwork::tile_from_size
    eikura::Model model;
    model.n_e = e;
    model.n_i = i;
    model.omega.assign(static_cast<std::size_t>(e + i), 0.3);
    model.couplings = {eikura::Schedule::constant(1.0), eikura::Schedule::constant(1.0),
                       eikura::Schedule::constant(1.0), eikura::Schedule::constant(1.0)};
    auto rule = std::make_shared<RandomBlocks>(eikura_test::fixed_degree_rule(40, 10, 3, e, i));
    model.procedural = rule;
    for (const int threads : {1, 2}) {
        eikura::RightHandSide rhs(model, threads);
        const std::int64_t before = rhs.scratch_bytes();
        const std::vector<double> theta = eikura_test::irregular_phases(e + i);
        std::vector<double> out(theta.size());
        rhs.evaluate(theta.data(), nullptr, 0.0, nullptr, 0.0, out.data());
        rhs.evaluate(theta.data(), nullptr, 0.0, nullptr, 0.0, out.data());
        const double grown = double(rhs.scratch_bytes() - before);
        const double estimate = double(threads) * double(rule->procedural_thread_bytes());
        CHECK_LE(grown, estimate);
        CHECK(grown >= 0.6 * estimate);
    }
}

int main() {
    test_every_strategy_against_the_equation();
    test_procedural_buffers_within_estimate();
    test_procedural_equals_stored();
    test_stage_phases_are_fused_exactly();
    test_order_parameters();
    test_equation_parts();
    return eikura_test::report("rhs");
}

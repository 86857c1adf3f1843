// Model::validate: a model whose parts do not fit together is refused with
// std::invalid_argument naming the part, before any work starts.
#include <limits>
#include <memory>

#include "check.hpp"
#include "eikura/model.hpp"
#include "eikura/network.hpp"
#include "eikura/rhs.hpp"
#include "fixtures.hpp"

namespace {

using eikura::CsrNetwork;
using eikura::Model;
using eikura::RandomBlocks;
using eikura_test::fixed_degree_rule;
using eikura_test::make_model;

void test_valid_models() {
    make_model(0.0, false, nullptr).validate();
    make_model(0.3, true, std::make_shared<const CsrNetwork>(
                              CsrNetwork::random(fixed_degree_rule(5, 2, 1), 1)))
        .validate();
    Model procedural = make_model(0.0, false, nullptr);
    procedural.procedural = std::make_shared<const RandomBlocks>(fixed_degree_rule(5, 2, 1));
    procedural.validate();
    CHECK(procedural.has_noise() == false && !procedural.all_to_all());
    CHECK(make_model(0.0, false, nullptr).all_to_all());
    CHECK_EQ(make_model(0.0, false, nullptr).size(), eikura_test::n_e + eikura_test::n_i);
}

void test_invalid_models() {
    Model empty;
    CHECK_THROWS(empty.validate(), "no oscillators");
    Model negative = make_model(0.0, false, nullptr);
    negative.n_i = -1;
    CHECK_THROWS(negative.validate(), "n_e, n_i");
    Model short_omega = make_model(0.0, false, nullptr);
    short_omega.omega.pop_back();
    CHECK_THROWS(short_omega.validate(), "frequencies");
    Model nan_omega = make_model(0.0, false, nullptr);
    nan_omega.omega[3] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS(nan_omega.validate(), "frequencies");
    CHECK_THROWS(make_model(-0.1, false, nullptr).validate(), "noise");
    CHECK_THROWS(make_model(std::numeric_limits<double>::infinity(), false, nullptr).validate(), "noise");

    // A network of other sizes than the model; stored and procedural at once.
    auto other = std::make_shared<const CsrNetwork>(CsrNetwork::from_csr(2, 1, {0, 0, 0, 0}, {}, {}));
    CHECK_THROWS(make_model(0.0, false, other).validate(), "network");
    Model both = make_model(0.0, false, std::make_shared<const CsrNetwork>(CsrNetwork::random(
                                            fixed_degree_rule(5, 2, 1), 1)));
    both.procedural = std::make_shared<const RandomBlocks>(fixed_degree_rule(5, 2, 1));
    CHECK_THROWS(both.validate(), "not both");
    Model wrong_rule = make_model(0.0, false, nullptr);
    wrong_rule.procedural =
        std::make_shared<const RandomBlocks>(fixed_degree_rule(5, 2, 1, 7, 3));
    CHECK_THROWS(wrong_rule.validate(), "network");
    Model impossible_rule = make_model(0.0, false, nullptr);
    impossible_rule.procedural =
        std::make_shared<const RandomBlocks>(fixed_degree_rule(eikura_test::n_e, 2, 1));
    CHECK_THROWS(impossible_rule.validate(), "k_ee");

    // The right-hand side refuses an invalid model too.
    CHECK_THROWS(eikura::RightHandSide(short_omega, 1), "frequencies");
}

}  // namespace

int main() {
    test_valid_models();
    test_invalid_models();
    return eikura_test::report("model");
}

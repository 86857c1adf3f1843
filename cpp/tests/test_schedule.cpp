// Coupling schedules K(t): values, clipping, and refusal of invalid parameters.
#include <limits>

#include "check.hpp"
#include "eikura/schedule.hpp"

namespace {

using eikura::Schedule;

void test_values() {
    CHECK_EQ(Schedule::constant(2.5)(100.0), 2.5);
    CHECK_EQ(Schedule::sinusoid(1.0, 2.0, 4.0, 0.0)(3.0), 0.0);  // 1 + 2 sin(3π/2) < 0: clipped
    const Schedule ramp = Schedule::piecewise_linear({0.0, 1.0}, {1.0, 3.0});
    CHECK_EQ(ramp(-1.0), 1.0);  // constant before the first point
    CHECK_EQ(ramp(0.5), 2.0);
    CHECK_EQ(ramp(2.0), 3.0);  // and after the last
    CHECK(Schedule::constant(1.0).is_constant());
    CHECK(!ramp.is_constant());
    const eikura::CouplingSchedules couplings{Schedule::constant(1.0), Schedule::constant(2.0), ramp,
                                              Schedule::constant(4.0)};
    const eikura::Couplings at = couplings.at(0.5);
    CHECK(at.ee == 1.0 && at.ei == 2.0 && at.ie == 2.0 && at.ii == 4.0);
}

void test_invalid() {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS(Schedule::constant(-1.0), "constant");
    CHECK_THROWS(Schedule::constant(nan), "constant");
    CHECK_THROWS(Schedule::sinusoid(1.0, 1.0, 0.0, 0.0), "period");
    CHECK_THROWS(Schedule::sinusoid(1.0, nan, 1.0, 0.0), "sinusoid");
    CHECK_THROWS(Schedule::piecewise_linear({}, {}), "piecewise");
    CHECK_THROWS(Schedule::piecewise_linear({0.0, 1.0}, {1.0}), "piecewise");
    CHECK_THROWS(Schedule::piecewise_linear({1.0, 0.0}, {1.0, 1.0}), "increase");
    CHECK_THROWS(Schedule::piecewise_linear({0.0, 1.0}, {1.0, -1.0}), ">= 0");
}

}  // namespace

int main() {
    test_values();
    test_invalid();
    return eikura_test::report("schedule");
}

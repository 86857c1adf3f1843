// The vectorised sin/cos of the rhs tables: accuracy, the fallback for large phases, the
// float tables, and non-finite input.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "check.hpp"
#include "eikura/sincos.hpp"

namespace {

void test_accuracy() {
    std::vector<double> x;
    for (int j = -20000; j <= 20000; ++j) x.push_back(0.0025 * j + 1e-7 * (j % 13));
    for (double v : {0.0, -0.0, M_PI / 4, M_PI / 2, M_PI, 2 * M_PI, 1e3, -12345.678, 1.5e6, 1.7e6, -3e7, 1e300})
        x.push_back(v);
    const auto n = static_cast<std::int64_t>(x.size());
    std::vector<double> out(2 * x.size());
    std::vector<float> out_float(2 * x.size());
    eikura::sin_cos(x.data(), n, out.data());
    eikura::sin_cos(x.data(), n, out_float.data());
    double worst = 0.0;
    std::vector<double> large_errors;  // beyond 1.6e6 the C library is called: exact
    std::vector<float> rounded(2 * x.size());
    for (std::size_t j = 0; j < x.size(); ++j) {
        const double sin_error = std::abs(out[2 * j] - std::sin(x[j]));
        const double cos_error = std::abs(out[2 * j + 1] - std::cos(x[j]));
        worst = std::max({worst, sin_error, cos_error});
        if (std::abs(x[j]) > 1.6e6) large_errors.push_back(sin_error + cos_error);
        rounded[2 * j] = static_cast<float>(out[2 * j]);
        rounded[2 * j + 1] = static_cast<float>(out[2 * j + 1]);
    }
    CHECK_LE(worst, 2.3e-16);  // about an ulp of values of size 1
    CHECK_EQ(large_errors, std::vector<double>(large_errors.size(), 0.0));
    CHECK_EQ(out_float, rounded);  // the float table is the double one, rounded
}

void test_non_finite() {
    const double odd[3] = {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::infinity(),
                           -std::numeric_limits<double>::infinity()};
    double odd_out[6];
    eikura::sin_cos(odd, 3, odd_out);
    for (double v : odd_out) CHECK(std::isnan(v));  // a diverged run must stay visibly non-finite
}

}  // namespace

int main() {
    test_accuracy();
    test_non_finite();
    return eikura_test::report("sincos");
}

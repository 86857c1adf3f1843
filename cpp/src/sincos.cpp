// Vectorised sin/cos for the tables of the right-hand side.
//
// With glibc, std::sin + std::cos of a random phase cost about 28 ns; at N = 10^6 that
// was 15 % of a sparse evaluation and nearly all of an all-to-all one. The loop below
// vectorises (about 5 ns per phase with SSE2, 2.5 ns with AVX2):
//   x = k π/2 + r, k = round(2x/π), |r| <= π/4, r by a three-part Cody–Waite reduction
//   (each k·p_i is exact for |k| < 2^20);
//   sin r, cos r by the minimax polynomials of fdlibm's __kernel_sin / __kernel_cos;
//   the quadrant k mod 4 swaps them and sets the signs.
// The AVX2 clone does the same IEEE operations as the baseline one (no FMA is enabled),
// so the result does not depend on the CPU that runs it.
#include "eikura/sincos.hpp"

#include <cmath>
#include <cstring>

namespace eikura {

namespace {

constexpr double largest_reduced = 1.6e6;  // |k| < 2^20: the Cody–Waite products stay exact

template <class Table>
inline void sin_cos_kernel(const double* x, std::int64_t n, Table* out) {
    constexpr double two_over_pi = 6.36619772367581382433e-01;
    // π/2 = p1 + p2 + p3, p1 and p2 with 33 significant bits.
    constexpr double p1 = 1.57079632673412561417e+00;
    constexpr double p2 = 6.07710050630396597660e-11;
    constexpr double p3 = 2.02226624871116645580e-21;
    constexpr double shifter = 6755399441055744.0;  // 1.5·2^52: (y + shifter) − shifter rounds y
    constexpr double s1 = -1.66666666666666324348e-01, s2 = 8.33333333332248946124e-03,
                     s3 = -1.98412698298579493134e-04, s4 = 2.75573137070700676789e-06,
                     s5 = -2.50507602534068634195e-08, s6 = 1.58969099521155010221e-10;
    constexpr double c1 = 4.16666666666666019037e-02, c2 = -1.38888888888741095749e-03,
                     c3 = 2.48015872894767294178e-05, c4 = -2.75573143513906633035e-07,
                     c5 = 2.08757232129817482790e-09, c6 = -1.13596475577881948265e-11;
#pragma omp simd
    for (std::int64_t j = 0; j < n; ++j) {
        const double shifted = x[j] * two_over_pi + shifter;
        const double k = shifted - shifter;
        // k mod 4 from the low bits of the shifted value (no float-to-int conversion,
        // which would be undefined for NaN).
        std::uint64_t bits;
        std::memcpy(&bits, &shifted, sizeof bits);
        const std::uint64_t quadrant = bits & 3;
        const double r = ((x[j] - k * p1) - k * p2) - k * p3;
        const double z = r * r;
        const double sin_r = r + r * z * (s1 + z * (s2 + z * (s3 + z * (s4 + z * (s5 + z * s6)))));
        const double cos_r = (1.0 - 0.5 * z) + z * z * (c1 + z * (c2 + z * (c3 + z * (c4 + z * (c5 + z * c6)))));
        const bool swap = quadrant & 1;
        const double sin_abs = swap ? cos_r : sin_r, cos_abs = swap ? sin_r : cos_r;
        out[2 * j] = static_cast<Table>((quadrant & 2) ? -sin_abs : sin_abs);
        out[2 * j + 1] = static_cast<Table>(((quadrant + 1) & 2) ? -cos_abs : cos_abs);
    }
    for (std::int64_t j = 0; j < n; ++j)
        if (std::abs(x[j]) > largest_reduced) {
            out[2 * j] = static_cast<Table>(std::sin(x[j]));
            out[2 * j + 1] = static_cast<Table>(std::cos(x[j]));
        }
}

}  // namespace

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__) && !defined(__clang__)
#define EIKURA_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define EIKURA_CLONES
#endif

EIKURA_CLONES void sin_cos(const double* x, std::int64_t n, double* out) { sin_cos_kernel(x, n, out); }
EIKURA_CLONES void sin_cos(const double* x, std::int64_t n, float* out) { sin_cos_kernel(x, n, out); }

}  // namespace eikura

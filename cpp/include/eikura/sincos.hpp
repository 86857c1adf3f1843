#pragma once
/// sin and cos of many phases at once, vectorised (see sincos.cpp).
#include <cstdint>

namespace eikura {

/// out[2j] = sin x[j], out[2j + 1] = cos x[j] for 0 <= j < n, within an ulp or so of the
/// C library. Phases beyond |x| = 1.6·10^6 fall back to std::sin and std::cos.
void sin_cos(const double* x, std::int64_t n, double* out);
/// The same, rounded to float.
void sin_cos(const double* x, std::int64_t n, float* out);

}  // namespace eikura

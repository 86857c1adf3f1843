#include "eikura/random.hpp"

namespace eikura {

// The row draws of a procedural network are redrawn at every evaluation. On x86-64 with
// GCC this loop is compiled three times (AVX-512: 8 draws at a time, AVX2: 4, plain
// x86-64) and the loader picks the clone the CPU runs: a wheel is built for plain x86-64.
// Integer arithmetic only, so every clone gives the same numbers.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)

__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
void draw_indices(std::uint64_t key, std::int64_t count, std::uint32_t n, std::uint32_t* out) {
    for (std::int64_t m = 0; m < count; ++m) {
        const std::uint64_t bits = random_bits(key, static_cast<std::uint64_t>(m));
        // uniform_index's (bits · n) >> 64 from 32-bit halves (vector units have no
        // 64 x 64 -> 128 multiply): bits · n = high · n · 2^32 + low · n, and the low
        // product's fraction of 2^32 cannot carry into the result.
        const std::uint64_t low = (bits & 0xffffffffU) * n, high = (bits >> 32) * n;
        out[m] = static_cast<std::uint32_t>((high + (low >> 32)) >> 32);
    }
}

#else

void draw_indices(std::uint64_t key, std::int64_t count, std::uint32_t n, std::uint32_t* out) {
    for (std::int64_t m = 0; m < count; ++m)
        out[m] = static_cast<std::uint32_t>(uniform_index(random_bits(key, static_cast<std::uint64_t>(m)), n));
}

#endif

}  // namespace eikura

#include "eikura/random.hpp"

namespace eikura {

// The row draws of a procedural network are redrawn at every evaluation, so they are
// computed eight at a time where the CPU has 64-bit vector multiplies: the compiler
// vectorises this loop in each clone, and the loader picks the clone the CPU can run
// (a wheel is built for plain x86-64). Integer arithmetic only: every clone gives the
// same numbers.
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define EIKURA_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define EIKURA_VECTOR_CLONES
#endif

EIKURA_VECTOR_CLONES
void draw_indices(std::uint64_t key, std::int64_t count, std::uint32_t n, std::uint32_t* out) {
    for (std::int64_t m = 0; m < count; ++m) {
        const std::uint64_t bits = random_bits(key, static_cast<std::uint64_t>(m));
        // (bits · n) >> 64 from 32-bit halves (vector units have no 64 x 64 -> 128 multiply):
        // bits · n = high · n · 2^32 + low · n, and the low product's fraction of 2^32
        // cannot carry into the result.
        const std::uint64_t low = (bits & 0xffffffffU) * n, high = (bits >> 32) * n;
        out[m] = static_cast<std::uint32_t>((high + (low >> 32)) >> 32);
    }
}

}  // namespace eikura

#pragma once
/// The one place that knows about OpenMP: thread counts and deterministic reductions.
#include <cstdint>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace eikura {

constexpr bool has_openmp() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

/// Threads to use: `requested` if > 0, else all the machine offers.
inline int resolve_threads(int requested) {
#ifdef _OPENMP
    return requested > 0 ? requested : omp_get_max_threads();
#else
    (void)requested;
    return 1;
#endif
}

/// Index of the calling thread inside a parallel region (0 outside): selects scratch
/// buffers only, never what is computed.
inline int thread_index() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/// Sums are taken over fixed chunks of this many oscillators and the chunk sums are
/// added in order, so the rounding never depends on the number of threads.
constexpr std::int64_t reduction_chunk = 2048;

inline std::int64_t n_chunks(std::int64_t n) {
    return (n + reduction_chunk - 1) / reduction_chunk;
}

}  // namespace eikura

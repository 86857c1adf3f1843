#pragma once
/// The one place that knows about OpenMP: thread counts, parallel loops that carry
/// exceptions out of the parallel region, and deterministic reductions.
#include <cstddef>
#include <cstdint>
#include <exception>
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

/// Bytes per cache line on the CPUs eikura runs on (x86-64, most ARM cores).
constexpr std::size_t cache_line = 64;

namespace detail {

/// The exception of the lowest failing index of a parallel loop.
///
/// An exception must not leave an OpenMP region (the runtime calls std::terminate, which
/// would take the Python interpreter down), so each iteration catches and hands its
/// exception here. Keeping the lowest index, not the first in time, makes the exception
/// that reaches the caller the same for any number of threads.
class LowestIndexException {
  public:
    /// Call from inside a catch block.
    void capture(std::int64_t index) noexcept {
#pragma omp critical(eikura_lowest_index_exception)
        {
            if (!error_ || index < index_) {
                error_ = std::current_exception();
                index_ = index;
            }
        }
    }
    void rethrow_if_any() const {
        if (error_) std::rethrow_exception(error_);
    }

  private:
    std::exception_ptr error_;
    std::int64_t index_ = 0;
};

}  // namespace detail

/// Runs body(i) for every i in [0, count) on `threads` threads (resolve_threads), each
/// thread taking one contiguous range (a static schedule, so that the same thread touches
/// the same memory in every call). The body must not depend on which thread runs it:
/// per-thread scratch only (PerThread). If a body throws, the thread skips the rest of
/// its range, the others finish theirs, and the exception of the lowest failing index
/// is rethrown here, after the region.
///
/// With one thread the loop runs here, without a parallel region: opening one costs
/// about 0.3 µs, a quarter of an all-to-all evaluation of 100 oscillators (ensembles of
/// small single-threaded runs open several per step).
template <class Body>
void parallel_for(int threads, std::int64_t count, const Body& body) {
    threads = resolve_threads(threads);
    if (threads == 1) {
        for (std::int64_t i = 0; i < count; ++i) body(i);
        return;
    }
    detail::LowestIndexException errors;
#pragma omp parallel num_threads(threads)
    {
        bool failed = false;  // this thread's own flag: no shared state read per index
#pragma omp for schedule(static)
        for (std::int64_t i = 0; i < count; ++i) {
            if (failed) continue;
            try {
                body(i);
            } catch (...) {
                failed = true;
                errors.capture(i);
            }
        }
    }
    errors.rethrow_if_any();
}

/// One T per thread of a parallel_for, e.g. a buffer reused from one index to the next.
/// Picked by thread_index(), so it decides where scratch lives, never what is computed.
/// Each T has cache lines of its own: a vector's size changes with every push_back, and
/// two threads writing to one line would pass it back and forth (false sharing).
template <class T>
class PerThread {
  public:
    explicit PerThread(int threads) : slots_(static_cast<std::size_t>(resolve_threads(threads))) {}
    /// The calling thread's item. With one slot always that one: a one-thread
    /// parallel_for opens no region, so thread_index() may then be the index of the
    /// caller in an enclosing region (advance_ensemble).
    T& local() {
        return slots_[slots_.size() == 1 ? 0 : static_cast<std::size_t>(thread_index())].item;
    }
    std::size_t size() const { return slots_.size(); }
    T& operator[](std::size_t thread) { return slots_[thread].item; }
    const T& operator[](std::size_t thread) const { return slots_[thread].item; }

  private:
    struct alignas(cache_line) Slot {
        T item;
    };
    std::vector<Slot> slots_;
};

/// Sums are taken over fixed chunks of this many oscillators and the chunk sums are
/// added in order, so the rounding never depends on the number of threads.
constexpr std::int64_t reduction_chunk = 2048;

inline std::int64_t n_chunks(std::int64_t n) {
    return (n + reduction_chunk - 1) / reduction_chunk;
}

}  // namespace eikura

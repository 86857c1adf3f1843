// parallel_for and PerThread: every index exactly once, exceptions carried out of the
// OpenMP region (the lowest failing index's, whatever the thread count), and one-slot
// scratch used from inside an enclosing parallel region.
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "check.hpp"
#include "eikura/parallel.hpp"

namespace {

using eikura::parallel_for;
using eikura::PerThread;

void test_every_index_once() {
    for (const std::int64_t count : {0, 1, 7, 1000})
        for (const int threads : {1, 2, 3, 4}) {
            const eikura_test::Context context("count " + std::to_string(count) + ", threads " +
                                               std::to_string(threads));
            std::vector<int> visits(static_cast<std::size_t>(count), 0);
            parallel_for(threads, count, [&](std::int64_t i) { ++visits[static_cast<std::size_t>(i)]; });
            CHECK_EQ(visits, std::vector<int>(static_cast<std::size_t>(count), 1));
        }
}

void test_exceptions_reach_the_caller() {
    for (const int threads : {1, 2, 3, 4}) {
        const eikura_test::Context context("threads " + std::to_string(threads));
        // Throws at 37, 500 and 900: index 37 is the one reported, whoever ran first.
        CHECK_THROWS_AS(parallel_for(threads, 1000,
                                     [](std::int64_t i) {
                                         if (i == 37 || i == 500 || i == 900)
                                             throw std::runtime_error("index " + std::to_string(i));
                                     }),
                        std::runtime_error, "index 37");
        // The type survives: invalid_argument becomes Python's ValueError at the boundary.
        CHECK_THROWS(parallel_for(threads, 10,
                                  [](std::int64_t i) {
                                      if (i == 9) throw std::invalid_argument("rows: the last one");
                                  }),
                     "rows: the last one");
        CHECK_THROWS_AS(parallel_for(threads, 10, [](std::int64_t) { throw std::bad_alloc(); }),
                        std::bad_alloc, "");
        // Indices before the failure all ran; the region ended normally.
        std::vector<int> visits(100, 0);
        try {
            parallel_for(threads, 100, [&](std::int64_t i) {
                if (i == 99) throw std::runtime_error("last");
                ++visits[static_cast<std::size_t>(i)];
            });
        } catch (const std::runtime_error&) {
        }
        std::vector<int> expected(100, 1);
        expected[99] = 0;
        CHECK_EQ(visits, expected);
    }
}

void test_per_thread_items() {
    // Each thread finds its own item: per-thread sums add up to the total.
    PerThread<std::int64_t> partial(3);
    CHECK_EQ(partial.size(), std::size_t{3});
    parallel_for(3, 3000, [&](std::int64_t i) { partial.local() += i; });
    CHECK_EQ(partial[0] + partial[1] + partial[2], std::int64_t{3000 * 2999 / 2});

    // A one-thread loop inside a region of 4 threads (an ensemble member): its one-slot
    // scratch must be the one used, whatever the enclosing thread's index.
    std::vector<std::int64_t> sums(4, 0);
#pragma omp parallel num_threads(4)
    {
        PerThread<std::vector<std::int64_t>> scratch(1);
        parallel_for(1, 10, [&](std::int64_t i) { scratch.local().push_back(i); });
        std::int64_t sum = 0;
        for (const auto value : scratch[0]) sum += value;
        sums[static_cast<std::size_t>(eikura::thread_index())] = sum;
    }
    for (const auto sum : sums) CHECK(sum == 45 || sum == 0);  // 0: fewer than 4 threads started
    CHECK_EQ(sums[0], 45);
}

}  // namespace

int main() {
    test_every_index_once();
    test_exceptions_reach_the_caller();
    test_per_thread_items();
    return eikura_test::report("parallel");
}

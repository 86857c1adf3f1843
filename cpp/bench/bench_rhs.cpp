// Times one evaluation of the sparse right-hand side (edge-terms per second) for a
// fixed in-degree network, by N, k and threads (EIKURA_PROCEDURAL=1: regenerated at
// every evaluation instead of stored; EIKURA_FLOAT32=1: float sin/cos tables). Build with
// -DEIKURA_CPP_BENCH=ON:
//     ./eikura_bench_rhs [N] [k] [threads] [repeats]
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

#include "eikura/model.hpp"
#include "eikura/rhs.hpp"
#include "eikura/random.hpp"

int main(int argc, char** argv) {
    using namespace eikura;
    const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 1000000;
    const std::int64_t k = argc > 2 ? std::atoll(argv[2]) : 100;
    const int threads = argc > 3 ? std::atoi(argv[3]) : 0;
    const int repeats = argc > 4 ? std::atoi(argv[4]) : 10;

    Model model;
    model.n_e = n * 4 / 5;
    model.n_i = n - model.n_e;
    model.omega.assign(static_cast<std::size_t>(n), 0.5);
    model.couplings = {Schedule::constant(5.0), Schedule::constant(1.0), Schedule::constant(12.0),
                       Schedule::constant(2.0)};
    RandomBlocks rule;
    rule.n_e = model.n_e;
    rule.n_i = model.n_i;
    rule.seed = 1;
    for (int b = 0; b < 4; ++b) {
        rule.blocks[b].fixed_degree = true;
        rule.blocks[b].in_degree = (b == 0 || b == 2) ? k * 4 / 5 : k - k * 4 / 5;
    }
    const bool procedural = std::getenv("EIKURA_PROCEDURAL") != nullptr;
    if (procedural) model.procedural = std::make_shared<RandomBlocks>(rule);
    else model.network = std::make_shared<CsrNetwork>(CsrNetwork::random(rule, threads));

    std::vector<double> theta(static_cast<std::size_t>(n)), out(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) theta[static_cast<std::size_t>(i)] = 6.283 * uniform(random_bits(7, static_cast<std::uint64_t>(i)));
    RightHandSide rhs(model, threads, std::getenv("EIKURA_FLOAT32") != nullptr);
    rhs.evaluate(theta.data(), nullptr, 0.0, nullptr, 0.0, out.data());  // warm up
    // Wall time, and process CPU time per thread (less sensitive to a busy machine).
    double best = 1e30, best_cpu = 1e30, checksum = 0.0;
    for (int r = 0; r < repeats; ++r) {
        const auto start = std::chrono::steady_clock::now();
        const std::clock_t cpu_start = std::clock();
        rhs.evaluate(theta.data(), nullptr, 0.0, nullptr, 0.0, out.data());
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC /
                           (threads > 0 ? threads : 1);
        best = seconds < best ? seconds : best;
        best_cpu = cpu < best_cpu ? cpu : best_cpu;
        checksum += out[static_cast<std::size_t>(r)];
    }
    const double edges = static_cast<double>(n) * static_cast<double>(k);
    std::printf("N=%lld k=%lld threads=%d  best %.4f s  %.3g edge-terms/s (wall), %.3g per CPU-second"
                " x threads  (checksum %.6f)\n",
                static_cast<long long>(n), static_cast<long long>(k), threads, best, edges / best,
                edges / best_cpu, checksum);
    return 0;
}

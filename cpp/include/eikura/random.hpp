#pragma once
/// Counter-based random numbers (SplitMix64 finaliser).
///
/// Every random number is a pure function of (seed, purpose, index, counter), so the
/// value an oscillator or a network row gets never depends on which thread computes it
/// or in what order: results are bit-identical for any number of threads, and a run can
/// be resumed at any step. `tests/reference.py` mirrors these formulas in NumPy.
#include <cmath>
#include <cstdint>

namespace eikura {

/// What a random stream is used for; part of the stream key so uses never overlap.
enum class Purpose : std::uint64_t {
    noise = 1,            // per oscillator, counter = 2 * step (+1)
    network_e_sources = 2,  // per target row: its excitatory inputs
    network_i_sources = 3,  // per target row: its inhibitory inputs
};

namespace detail {
constexpr std::uint64_t golden = 0x9E3779B97F4A7C15ULL;

constexpr std::uint64_t finalize(std::uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

constexpr std::uint64_t hash(std::uint64_t z) { return finalize(z + golden); }
}  // namespace detail

/// The key of one independent stream: a seed, a purpose and an index (oscillator/row).
constexpr std::uint64_t stream_key(std::uint64_t seed, Purpose purpose, std::uint64_t index) {
    return detail::hash(detail::hash(seed) ^ (static_cast<std::uint64_t>(purpose) << 56) ^ index);
}

/// The `counter`-th 64 random bits of the stream `key`.
constexpr std::uint64_t random_bits(std::uint64_t key, std::uint64_t counter) {
    return detail::finalize(key + (counter + 1) * detail::golden);
}

/// Uniform in [0, 1).
inline double uniform(std::uint64_t bits) {
    return static_cast<double>(bits >> 11) * 0x1.0p-53;
}

/// Uniform in (0, 1]: safe for log().
inline double uniform_open(std::uint64_t bits) {
    return static_cast<double>((bits >> 11) + 1) * 0x1.0p-53;
}

/// Uniform integer in [0, n) by multiply-shift (Lemire), no modulo bias worth the name.
inline std::uint64_t uniform_index(std::uint64_t bits, std::uint64_t n) {
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(bits) * n) >> 64);
}

/// Standard normal number `draw` of stream `key` (Box–Muller, cosine branch).
inline double standard_normal(std::uint64_t key, std::uint64_t draw) {
    const double u1 = uniform_open(random_bits(key, 2 * draw));
    const double u2 = uniform(random_bits(key, 2 * draw + 1));
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

/// The first `count` values of StreamGenerator(key).next_index(n) (below), computed
/// several at a time where the CPU has vector units: a procedural network's rows.
void draw_indices(std::uint64_t key, std::int64_t count, std::uint32_t n, std::uint32_t* out);

/// A sequential generator over one stream (used for network rows).
class StreamGenerator {
  public:
    explicit StreamGenerator(std::uint64_t key) : key_(key) {}
    std::uint64_t next_bits() { return random_bits(key_, counter_++); }
    double next_uniform_open() { return uniform_open(next_bits()); }
    std::uint64_t next_index(std::uint64_t n) { return uniform_index(next_bits(), n); }
    void skip(std::uint64_t draws) { counter_ += draws; }

  private:
    std::uint64_t key_;
    std::uint64_t counter_ = 0;
};

}  // namespace eikura

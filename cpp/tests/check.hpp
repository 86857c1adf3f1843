#pragma once
/// The checks of eikura's C++ tests: no framework, this one header.
///
/// A failed check prints file:line, what was checked and the values involved, then the
/// test goes on (one run shows every failure). Each test executable ends with
///     return eikura_test::report("module");
/// which prints a summary and returns non-zero if anything failed, the exit status that
/// CTest reads. A Context names the case being checked in every failure inside its scope.
#include <complex>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace eikura_test {

namespace detail {

struct Tally {
    int checks = 0;
    int failures = 0;
    std::vector<std::string> contexts;
};

inline Tally& tally() {
    static Tally instance;
    return instance;
}

/// Shortest text that reads back as the same value (17 digits for a double).
template <class T>
std::string show(const T& value) {
    std::ostringstream text;
    text.precision(17);
    text << value;
    return text.str();
}
inline std::string show(bool value) { return value ? "true" : "false"; }
inline std::string show(const std::string& value) { return '"' + value + '"'; }

inline bool record(bool passed, const char* file, int line, const std::string& what) {
    Tally& t = tally();
    ++t.checks;
    if (passed) return true;
    ++t.failures;
    std::string where;
    for (const std::string& context : t.contexts) where += "\n    in: " + context;
    std::fprintf(stderr, "%s:%d: FAILED %s%s\n", file, line, what.c_str(), where.c_str());
    return false;
}

template <class A, class B>
bool check_equal(const A& left, const B& right, const char* left_text, const char* right_text,
                 const char* file, int line) {
    if (left == right) return record(true, file, line, "");
    return record(false, file, line,
                  std::string(left_text) + " == " + right_text + "\n    left:  " + show(left) +
                      "\n    right: " + show(right));
}

/// Vectors: the sizes, or how many elements differ and the first of them.
template <class T>
bool check_equal(const std::vector<T>& left, const std::vector<T>& right, const char* left_text,
                 const char* right_text, const char* file, int line) {
    if (left == right) return record(true, file, line, "");
    std::string what = std::string(left_text) + " == " + right_text;
    if (left.size() != right.size()) {
        what += "\n    sizes: " + show(left.size()) + " and " + show(right.size());
    } else {
        std::size_t first = left.size(), differing = 0;
        for (std::size_t k = 0; k < left.size(); ++k)
            if (!(left[k] == right[k])) {
                if (differing++ == 0) first = k;
            }
        what += "\n    " + show(differing) + " of " + show(left.size()) + " elements differ; first at [" +
                show(first) + "]: " + show(left[first]) + " vs " + show(right[first]);
    }
    return record(false, file, line, what);
}

template <class A, class B>
bool check_less_equal(const A& left, const B& right, const char* left_text, const char* right_text,
                      const char* file, int line) {
    if (left <= right) return record(true, file, line, "");
    return record(false, file, line,
                  std::string(left_text) + " <= " + right_text + "\n    left:  " + show(left) +
                      "\n    right: " + show(right));
}

/// `call` must throw `Expected` (or a type derived from it) whose message contains `words`.
template <class Expected, class Call>
bool check_throws(const Call& call, const std::string& words, const char* call_text,
                  const char* type_text, const char* file, int line) {
    const std::string what = std::string(call_text) + " throws " + type_text + " containing " + show(words);
    try {
        call();
    } catch (const Expected& error) {
        const std::string message = error.what();
        if (message.find(words) != std::string::npos) return record(true, file, line, "");
        return record(false, file, line, what + "\n    message: " + show(message));
    } catch (const std::exception& error) {
        return record(false, file, line, what + "\n    threw another type: " + show(std::string(error.what())));
    } catch (...) {
        return record(false, file, line, what + "\n    threw something not derived from std::exception");
    }
    return record(false, file, line, what + "\n    threw nothing");
}

}  // namespace detail

/// Names the case under test in the failures reported while it lives.
class Context {
  public:
    explicit Context(std::string description) {
        detail::tally().contexts.push_back(std::move(description));
    }
    ~Context() { detail::tally().contexts.pop_back(); }
    Context(const Context&) = delete;
    Context& operator=(const Context&) = delete;
};

/// Prints "<module>: N checks, M failed" and returns the exit status for CTest.
inline int report(const char* module) {
    const detail::Tally& t = detail::tally();
    std::printf("%s: %d checks, %d failed\n", module, t.checks, t.failures);
    return t.failures == 0 && t.checks > 0 ? 0 : 1;
}

}  // namespace eikura_test

#define CHECK(condition) \
    ::eikura_test::detail::record(static_cast<bool>(condition), __FILE__, __LINE__, #condition)
#define CHECK_EQ(left, right) \
    ::eikura_test::detail::check_equal((left), (right), #left, #right, __FILE__, __LINE__)
#define CHECK_LE(left, right) \
    ::eikura_test::detail::check_less_equal((left), (right), #left, #right, __FILE__, __LINE__)
/// `call` (a statement) must throw std::invalid_argument whose message contains `words`.
#define CHECK_THROWS(call, words) CHECK_THROWS_AS(call, std::invalid_argument, words)
#define CHECK_THROWS_AS(call, type, words)                                                 \
    ::eikura_test::detail::check_throws<type>([&] { call; }, (words), #call, #type, __FILE__, \
                                              __LINE__)

#pragma once
// What every fuzz target shares: the one rule for a finding. A reader of
// outside input may refuse it only with ss::InputError (a message naming the
// file and the problem); any other exception, a crash or a sanitizer report is
// a bug. libFuzzer treats an escaping exception as a crash (std::terminate).
#include "core/Error.h"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace ss::fuzz {

inline std::string text(const std::uint8_t* data, std::size_t size)
{
    return std::string(reinterpret_cast<const char*>(data), size);
}

// Runs f; InputError is the expected refusal, everything else escapes.
template <typename F>
void refusedOnlyWithInputError(F&& f)
{
    try {
        f();
    } catch (const InputError&) {
    }
}

// Runs f, which must not refuse: what the program read it must be able to
// write and read back. An InputError here is a finding (abort).
template <typename F>
auto mustAccept(F&& f) -> decltype(f())
{
    try {
        return f();
    } catch (const InputError& e) {
        std::fprintf(stderr, "refused what was accepted before: %s\n", e.what());
        std::abort();
    }
}

} // namespace ss::fuzz

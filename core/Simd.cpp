#include "core/Simd.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace ss::simd {

namespace {

bool cpuHas(Level level)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    switch (level) {
    case Level::Portable: return true;
    case Level::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Level::Avx512:
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw") &&
               __builtin_cpu_supports("fma");
    }
    return false;
#else
    return level == Level::Portable;
#endif
}

const Kernels* tableFor(Level level)
{
    switch (level) {
    case Level::Portable: return nullptr;
    case Level::Avx2: return avx2Kernels();
    case Level::Avx512: return avx512Kernels();
    }
    return nullptr;
}

bool available(Level level) { return cpuHas(level) && (level == Level::Portable || tableFor(level)); }

Level fromEnvironment(Level best)
{
    const char* v = std::getenv("SCORESCOPE_SIMD");
    if (!v) return best;
    Level cap = best;
    if (!std::strcmp(v, "portable")) cap = Level::Portable;
    else if (!std::strcmp(v, "avx2")) cap = Level::Avx2;
    return int(cap) < int(best) ? cap : best;
}

// Set once, before main's first product (a static initialiser), and changed
// only by setActive (tests). Relaxed loads: a kernel call reads it once.
std::atomic<int>& activeSlot()
{
    static std::atomic<int> slot{int(fromEnvironment(best()))};
    return slot;
}

} // namespace

const char* name(Level level)
{
    switch (level) {
    case Level::Portable: return "portable";
    case Level::Avx2: return "avx2";
    case Level::Avx512: return "avx512";
    }
    return "?";
}

Level best()
{
    static const Level b = available(Level::Avx512) ? Level::Avx512
                           : available(Level::Avx2) ? Level::Avx2
                                                    : Level::Portable;
    return b;
}

Level active() { return Level(activeSlot().load(std::memory_order_relaxed)); }

bool setActive(Level level)
{
    if (!available(level)) return false;
    activeSlot().store(int(level), std::memory_order_relaxed);
    return true;
}

const Kernels* kernels()
{
    // Cached per level: this is on every product's path.
    static const Kernels* const tables[3] = {nullptr, avx2Kernels(), avx512Kernels()};
    return tables[activeSlot().load(std::memory_order_relaxed)];
}

} // namespace ss::simd

#pragma once
// Deterministic random numbers: the same seed gives the same stream on every
// platform and compiler (std:: distributions are implementation-defined, so
// none are used). xoshiro256** seeded through splitmix64; normals by
// Box–Muller (normal()) or in pairs by the polar method (normalPair(), for hot
// loops). Not thread-safe: give each thread its own Rng (see split()).
#include <array>
#include <cmath>
#include <cstdint>

namespace ss {

// Everything that determines an Rng's future output (for saving and resuming
// a stream exactly). An all-zero `words` is not a valid state: xoshiro would
// return zeros forever; readers of saved states must refuse it.
struct RngState {
    std::array<std::uint64_t, 4> words{};
    double spare = 0.0;    // the second Box–Muller value, when hasSpare
    bool hasSpare = false;
    bool operator==(const RngState&) const = default;
};

class Rng {
public:
    explicit Rng(std::uint64_t seed = 0) { reseed(seed); }

    void reseed(std::uint64_t seed)
    {
        std::uint64_t x = seed;
        for (auto& word : s_) word = splitmix64(x);
        hasSpare_ = false;
    }

    RngState state() const { return {{s_[0], s_[1], s_[2], s_[3]}, spare_, hasSpare_}; }
    // Precondition: state.words is not all zero (see RngState).
    void setState(const RngState& state)
    {
        for (int i = 0; i < 4; ++i) s_[i] = state.words[std::size_t(i)];
        spare_ = state.spare;
        hasSpare_ = state.hasSpare;
    }

    std::uint64_t next()
    {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform on [0, 1), 53 random bits.
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }

    // Uniform on [lo, hi).
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    // Uniform integer in [0, n); n > 0. Lemire's multiply-shift (bias < 2^-32 for n < 2^32).
    int uniformInt(int n)
    {
        return int((std::uint64_t(std::uint32_t(next() >> 32)) * std::uint64_t(n)) >> 32);
    }

    // Standard normal (Box–Muller, both values used).
    double normal()
    {
        if (hasSpare_) {
            hasSpare_ = false;
            return spare_;
        }
        double u1;
        do u1 = uniform(); while (u1 <= 0.0);
        const double u2 = uniform();
        const double r = std::sqrt(-2.0 * std::log(u1));
        const double a = 6.283185307179586476925 * u2;
        spare_ = r * std::sin(a);
        hasSpare_ = true;
        return r * std::cos(a);
    }

    // Two independent standard normals by Marsaglia's polar method: a point
    // drawn uniformly in the unit disc, scaled. No sine or cosine (glibc's
    // sincos was most of a normal() pair); a stream of its own, apart from
    // normal() and its spare. For the hot loops: the samplers' noise and the
    // training draw.
    void normalPair(double& a, double& b)
    {
        double u, v, s;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double f = std::sqrt(-2.0 * std::log(s) / s);
        a = u * f;
        b = v * f;
    }

    // +1 or -1 with equal probability.
    double rademacher() { return (next() >> 63) ? 1.0 : -1.0; }

    // An independent stream derived from this one's seed state and a stream id
    // (for per-thread or per-purpose generators); does not advance *this.
    Rng split(std::uint64_t stream) const
    {
        std::uint64_t x = s_[0] ^ (s_[3] + 0x9E3779B97F4A7C15ull * (stream + 1));
        return Rng(splitmix64(x));
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix64(std::uint64_t& x)
    {
        std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    std::uint64_t s_[4];
    double spare_ = 0.0;
    bool hasSpare_ = false;
};

} // namespace ss

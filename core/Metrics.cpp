#include "core/Metrics.h"

#include "core/Error.h"
#include "core/Rng.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <unordered_set>

namespace ss {

namespace {

constexpr double kPi = 3.14159265358979323846;
// Larger coordinates could overflow a squared distance (or a squared 1D gap) to inf.
constexpr double kMaxCoordinate = 1e150;
constexpr int kMaxProjections = 1'000'000;
constexpr int kMedianPoints = 1024; // at most ~520k distances for the median

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// what: "sliced Wasserstein", ...; which: "first set", ...
void checkPoints(const Eigen::Ref<const Eigen::Matrix2Xd>& p, const char* what, const char* which,
                 int minPoints)
{
    if (p.cols() == 0) throw InputError(std::string(what) + ": the " + which + " is empty");
    if (p.cols() < minPoints)
        throw InputError(std::string(what) + ": the " + which + " has " + std::to_string(p.cols()) +
                         " point(s); at least " + std::to_string(minPoints) + " are needed");
    for (Eigen::Index j = 0; j < p.cols(); ++j) {
        for (int r = 0; r < 2; ++r) {
            const double v = p(r, j);
            if (!std::isfinite(v))
                throw InputError(std::string(what) + ": point " + std::to_string(j) + " of the " + which +
                                 " is not finite (" + num(v) + ")");
            if (std::abs(v) > kMaxCoordinate)
                throw InputError(std::string(what) + ": point " + std::to_string(j) + " of the " + which +
                                 " has a coordinate beyond 1e150 (" + num(v) + ")");
        }
    }
}

// k distinct indices in [0, n), sorted (Floyd's algorithm: O(k) draws, no O(n) memory).
std::vector<int> chooseIndices(int n, int k, Rng& rng)
{
    std::vector<int> out;
    if (k >= n) {
        out.resize(n);
        for (int i = 0; i < n; ++i) out[i] = i;
        return out;
    }
    std::unordered_set<int> taken;
    taken.reserve(std::size_t(k) * 2);
    out.reserve(k);
    for (int j = n - k; j < n; ++j) {
        const int t = rng.uniformInt(j + 1);
        const int pick = taken.count(t) ? j : t;
        taken.insert(pick);
        out.push_back(pick);
    }
    std::sort(out.begin(), out.end()); // memory order for the pair loops; the draw order is fixed anyway
    return out;
}

// A point set as two contiguous coordinate arrays, so pair loops stream plain doubles.
struct Soa {
    std::vector<double> x, y;
    int size() const { return int(x.size()); }
};

// The set, or a seeded subsample of kMaxPairwisePoints of its points when larger.
Soa toSoa(const Eigen::Ref<const Eigen::Matrix2Xd>& p, Rng rng)
{
    const std::vector<int> idx = chooseIndices(int(p.cols()), kMaxPairwisePoints, rng);
    Soa s;
    s.x.resize(idx.size());
    s.y.resize(idx.size());
    for (std::size_t i = 0; i < idx.size(); ++i) {
        s.x[i] = p(0, idx[i]);
        s.y[i] = p(1, idx[i]);
    }
    return s;
}

// Pair loops work on chunks of this many squared distances (a few KiB: L1-resident).
constexpr int kChunk = 256;

// Sum over pairs of chunkSum(d2, len), where d2 holds up to kChunk squared distances
// |p_i - q_j|^2 for one i: all (i, j) when `within` is false, j > i when true (p and q
// the same set). Plain loops over contiguous doubles that the compiler vectorises;
// no n x m temporary. The order of additions is fixed, so results are reproducible.
template <class ChunkSum>
double sumOverPairs(const Soa& p, const Soa& q, bool within, ChunkSum chunkSum)
{
    const int np = p.size(), nq = q.size();
    double d2[kChunk];
    double total = 0.0;
    for (int i = 0; i < np; ++i) {
        const double xi = p.x[i], yi = p.y[i];
        for (int j0 = within ? i + 1 : 0; j0 < nq; j0 += kChunk) {
            const int len = std::min(kChunk, nq - j0);
            const double* const qx = q.x.data() + j0;
            const double* const qy = q.y.data() + j0;
            for (int j = 0; j < len; ++j) {
                const double dx = xi - qx[j], dy = yi - qy[j];
                d2[j] = dx * dx + dy * dy;
            }
            total += chunkSum(d2, len);
        }
    }
    return total;
}

// exp(x) for x in [-708, 0] (the caller clamps): x = k ln2 + r, |r| <= ln2 / 2,
// e^r by its Taylor polynomial of degree 12 (truncation < 2e-16 relative), 2^k
// written into the exponent bits. Branch-free, so loops calling it vectorise
// (glibc's exp does not). Relative error < 2.5 ulp on [-708, 0] against std::exp,
// with or without FMA contraction. Wrong outside about [-708.4, 709] (2^k leaves
// the exponent range): clamp first.
inline double expClamped(double x)
{
    constexpr double kLog2e = 1.4426950408889634074;
    constexpr double kLn2Hi = 0.693145751953125;         // 16 significant bits: k * kLn2Hi is exact
    constexpr double kLn2Lo = 1.42860682030941723212e-6; // ln 2 - kLn2Hi
    constexpr double kShift = 0x1.8p52; // t + kShift rounds t to an integer held in the low bits
    const double s = x * kLog2e + kShift;
    const double k = s - kShift;
    const double r = (x - k * kLn2Hi) - k * kLn2Lo;
    double e = 1.0 / 479001600.0;
    e = e * r + 1.0 / 39916800.0;
    e = e * r + 1.0 / 3628800.0;
    e = e * r + 1.0 / 362880.0;
    e = e * r + 1.0 / 40320.0;
    e = e * r + 1.0 / 5040.0;
    e = e * r + 1.0 / 720.0;
    e = e * r + 1.0 / 120.0;
    e = e * r + 1.0 / 24.0;
    e = e * r + 1.0 / 6.0;
    e = e * r + 0.5;
    e = e * r + 1.0;
    e = e * r + 1.0;
    // The low bits of s hold k (two's complement, |k| < 2^51); k + 1023 shifted into the exponent is 2^k.
    const double scale = std::bit_cast<double>((std::bit_cast<std::uint64_t>(s) + 1023) << 52);
    return e * scale;
}

// How the MMD kernel's terms exp(-c_h d2) are evaluated: a term whose c_h is exactly
// 2^s times an earlier one's is that term squared s times (the default bandwidths
// 0.1/0.2 and 0.5/1/2 x median are such ladders: 3 exps instead of 6 per pair).
struct KernelStep {
    double coef;   // c_h = 1 / (2 h^2)
    int from;      // -1: exp(-coef d2); else the index of an earlier step
    int squarings; // with from >= 0: value[from]^(2^squarings)
    double floor;  // with from >= 0: exp(-708 / 2^squarings)
};

std::vector<KernelStep> kernelPlan(const std::vector<double>& bandwidths)
{
    std::vector<double> coef;
    for (const double h : bandwidths) coef.push_back(0.5 / (h * h));
    std::sort(coef.begin(), coef.end());
    std::vector<KernelStep> plan;
    for (const double c : coef) {
        KernelStep step{c, -1, 0, 0.0};
        for (int s = 1; s <= 8 && step.from < 0; ++s)
            for (std::size_t f = 0; f < plan.size(); ++f)
                if (std::ldexp(plan[f].coef, s) == c) {
                    step.from = int(f);
                    step.squarings = s;
                    step.floor = std::exp(std::ldexp(-708.0, -s));
                    break;
                }
        plan.push_back(step);
    }
    return plan;
}

// Sum over the chunk of k(x, y) = sum_h exp(-c_h d2). work: plan.size() * kChunk doubles.
double kernelChunkSum(const std::vector<KernelStep>& plan, const double* d2, int len, double* work)
{
    double total = 0.0;
    for (std::size_t s = 0; s < plan.size(); ++s) {
        double* const v = work + s * kChunk;
        const KernelStep& step = plan[s];
        if (step.from < 0) {
            // Clamp d2, not the product: GCC's jump threading splits the loop on a constant
            // clamp, and then it no longer vectorises. Beyond the clamp the term is
            // exp(-708) ~ 3e-308 instead of its true, tinier value: harmless.
            const double c = step.coef, dmax = 708.0 / c;
            for (int j = 0; j < len; ++j) v[j] = expClamped(-c * std::min(d2[j], dmax));
        } else {
            // Raise tiny values to exp(-708 / 2^s) first, so the result is >= exp(-708):
            // subnormals are very slow on x86, and a flush-to-zero select does not vectorise.
            const double* const u = work + step.from * kChunk;
            const double floor = step.floor;
            for (int j = 0; j < len; ++j) v[j] = std::max(u[j], floor);
            for (int q = 0; q < step.squarings; ++q)
                for (int j = 0; j < len; ++j) v[j] *= v[j];
        }
        total += Eigen::Map<const Eigen::ArrayXd>(v, len).sum();
    }
    return total;
}

// Median pairwise distance of the pooled sets, on a seeded subsample of at most
// kMedianPoints points. Falls back to the largest distance when the median is 0
// (more than half the pairs coincide), and to 1 when every point is the same.
double medianPairwiseDistance(const Soa& a, const Soa& b, Rng rng)
{
    const int n = a.size(), total = a.size() + b.size();
    const std::vector<int> idx = chooseIndices(total, kMedianPoints, rng);
    Soa s;
    for (const int i : idx) {
        s.x.push_back(i < n ? a.x[i] : b.x[i - n]);
        s.y.push_back(i < n ? a.y[i] : b.y[i - n]);
    }
    std::vector<double> d2;
    d2.reserve(std::size_t(s.size()) * (s.size() - 1) / 2);
    for (int i = 0; i < s.size(); ++i)
        for (int j = i + 1; j < s.size(); ++j) {
            const double dx = s.x[i] - s.x[j], dy = s.y[i] - s.y[j];
            d2.push_back(dx * dx + dy * dy);
        }
    if (d2.empty()) return 1.0;
    auto mid = d2.begin() + std::ptrdiff_t(d2.size() / 2);
    std::nth_element(d2.begin(), mid, d2.end());
    double med = std::sqrt(*mid);
    if (!(med > 0.0)) med = std::sqrt(*std::max_element(d2.begin(), d2.end()));
    return med > 0.0 ? med : 1.0;
}

// The unbiased MMD^2 of prepared sets.
double mmdOf(const Soa& a, const Soa& b, const std::vector<double>& bandwidths)
{
    const std::vector<KernelStep> plan = kernelPlan(bandwidths);
    std::vector<double> work(plan.size() * kChunk);
    const auto kernel = [&](const double* d2, int len) { return kernelChunkSum(plan, d2, len, work.data()); };
    const double n = a.size(), m = b.size();
    const double kaa = sumOverPairs(a, a, true, kernel); // i < j: half of the i != j sum
    const double kbb = sumOverPairs(b, b, true, kernel);
    const double kab = sumOverPairs(a, b, false, kernel);
    return 2.0 * kaa / (n * (n - 1.0)) + 2.0 * kbb / (m * (m - 1.0)) - 2.0 * kab / (n * m);
}

double energyOf(const Soa& a, const Soa& b)
{
    const auto distances = [](const double* d2, int len) {
        return Eigen::Map<const Eigen::ArrayXd>(d2, len).sqrt().sum();
    };
    const double n = a.size(), m = b.size();
    const double daa = sumOverPairs(a, a, true, distances);
    const double dbb = sumOverPairs(b, b, true, distances);
    const double dab = sumOverPairs(a, b, false, distances);
    return 2.0 * dab / (n * m) - 2.0 * daa / (n * (n - 1.0)) - 2.0 * dbb / (m * (m - 1.0));
}

// Independent streams per purpose, so e.g. the subsample of b does not depend on a's size.
enum Stream : std::uint64_t { kDirections = 1, kSubsampleA = 2, kSubsampleB = 3, kMedian = 4 };

// The given bandwidths, or the defaults times the pooled median distance.
std::vector<double> mmdBandwidths(const Soa& a, const Soa& b, const std::vector<double>& bandwidths,
                                  const Rng& root)
{
    if (!bandwidths.empty()) return bandwidths;
    const double med = medianPairwiseDistance(a, b, root.split(kMedian));
    std::vector<double> h;
    for (const double f : defaultMmdBandwidthFactors()) h.push_back(f * med);
    return h;
}

void checkBandwidths(const std::vector<double>& bandwidths)
{
    for (std::size_t k = 0; k < bandwidths.size(); ++k) {
        const double h = bandwidths[k];
        // 1e-150 .. 1e150: 1 / (2 h^2) stays finite and nonzero.
        if (!std::isfinite(h) || !(h >= 1e-150) || h > 1e150)
            throw InputError("MMD: bandwidth " + std::to_string(k) + " is " + num(h) +
                             "; bandwidths must be positive and finite");
    }
}

} // namespace

double slicedWasserstein2(const Eigen::Ref<const Eigen::Matrix2Xd>& a,
                          const Eigen::Ref<const Eigen::Matrix2Xd>& b, int projections, std::uint64_t seed)
{
    const char* what = "sliced Wasserstein";
    if (projections < 1 || projections > kMaxProjections)
        throw InputError(std::string(what) + ": the number of projections must be in [1, " +
                         std::to_string(kMaxProjections) + "] (got " + std::to_string(projections) + ")");
    checkPoints(a, what, "first set", 1);
    checkPoints(b, what, "second set", 1);
    const int n = int(a.cols()), m = int(b.cols());
    Rng rng = Rng(seed).split(kDirections);
    std::vector<double> pa(n), pb(m);
    double sum = 0.0;
    for (int k = 0; k < projections; ++k) {
        const double theta = kPi * (k + rng.uniform()) / projections;
        const double c = std::cos(theta), s = std::sin(theta);
        for (int i = 0; i < n; ++i) pa[i] = c * a(0, i) + s * a(1, i);
        for (int j = 0; j < m; ++j) pb[j] = c * b(0, j) + s * b(1, j);
        std::sort(pa.begin(), pa.end());
        std::sort(pb.begin(), pb.end());
        // Quantile levels in units of 1 / (n m): pa[i] covers (i m, (i + 1) m], pb[j]
        // covers (j n, (j + 1) n]. Integer steps, so equal sizes pair i with i exactly.
        std::int64_t pos = 0;
        double w2 = 0.0;
        int i = 0, j = 0;
        while (i < n && j < m) {
            const std::int64_t endA = std::int64_t(i + 1) * m, endB = std::int64_t(j + 1) * n;
            const std::int64_t end = std::min(endA, endB);
            const double d = pa[i] - pb[j];
            w2 += double(end - pos) * d * d;
            pos = end;
            if (endA == end) ++i;
            if (endB == end) ++j;
        }
        sum += w2 / (double(n) * double(m));
    }
    return std::sqrt(sum / projections);
}

const std::vector<double>& defaultMmdBandwidthFactors()
{
    static const std::vector<double> factors{0.1, 0.2, 0.5, 1.0, 2.0, 5.0};
    return factors;
}

double mmdSquared(const Eigen::Ref<const Eigen::Matrix2Xd>& a, const Eigen::Ref<const Eigen::Matrix2Xd>& b,
                  const std::vector<double>& bandwidths, std::uint64_t seed)
{
    checkPoints(a, "MMD", "first set", 2);
    checkPoints(b, "MMD", "second set", 2);
    checkBandwidths(bandwidths);
    const Rng root(seed);
    const Soa sa = toSoa(a, root.split(kSubsampleA)), sb = toSoa(b, root.split(kSubsampleB));
    return mmdOf(sa, sb, mmdBandwidths(sa, sb, bandwidths, root));
}

double energyDistance(const Eigen::Ref<const Eigen::Matrix2Xd>& a,
                      const Eigen::Ref<const Eigen::Matrix2Xd>& b, std::uint64_t seed)
{
    checkPoints(a, "energy distance", "first set", 2);
    checkPoints(b, "energy distance", "second set", 2);
    const Rng root(seed);
    return energyOf(toSoa(a, root.split(kSubsampleA)), toSoa(b, root.split(kSubsampleB)));
}

std::vector<double> modeWeights(const Eigen::Ref<const Eigen::Matrix2Xd>& points,
                                const GaussianMixture& mixture)
{
    checkPoints(points, "mode weights", "point set", 1);
    const int K = mixture.size();
    // Per component: mean, precision (p00, p01, p11) and log det C, as plain doubles.
    std::vector<double> mx(K), my(K), p00(K), p01(K), p11(K), logDet(K);
    for (int k = 0; k < K; ++k) {
        const Eigen::Matrix2d& C = mixture.covariances()[k];
        const double det = C(0, 0) * C(1, 1) - C(0, 1) * C(1, 0); // > 0: checked by the mixture
        mx[k] = mixture.means()(0, k);
        my[k] = mixture.means()(1, k);
        p00[k] = C(1, 1) / det;
        p01[k] = -C(0, 1) / det;
        p11[k] = C(0, 0) / det;
        logDet[k] = std::log(det);
    }
    std::vector<std::int64_t> counts(K, 0);
    for (Eigen::Index j = 0; j < points.cols(); ++j) {
        const double x = points(0, j), y = points(1, j);
        int best = 0;
        double bestScore = -std::numeric_limits<double>::infinity();
        for (int k = 0; k < K; ++k) {
            const double dx = x - mx[k], dy = y - my[k];
            // -2 log N_k up to a shared constant: Mahalanobis^2 + log det; smaller wins.
            const double score =
                -(dx * (p00[k] * dx + p01[k] * dy) + dy * (p01[k] * dx + p11[k] * dy) + logDet[k]);
            if (score > bestScore) {
                bestScore = score;
                best = k;
            }
        }
        ++counts[best];
    }
    std::vector<double> w(K);
    for (int k = 0; k < K; ++k) w[k] = double(counts[k]) / double(points.cols());
    return w;
}

SampleMetrics compareSamples(const Eigen::Ref<const Eigen::Matrix2Xd>& a,
                             const Eigen::Ref<const Eigen::Matrix2Xd>& b, const GaussianMixture* mixture,
                             int projections, std::uint64_t seed, int k)
{
    SampleMetrics out;
    out.sw2 = slicedWasserstein2(a, b, projections, seed);
    // Same streams as mmdSquared / energyDistance with this seed, subsampled once.
    checkPoints(a, "MMD and energy distance", "first set", 2);
    checkPoints(b, "MMD and energy distance", "second set", 2);
    const Rng root(seed);
    const Soa sa = toSoa(a, root.split(kSubsampleA)), sb = toSoa(b, root.split(kSubsampleB));
    out.mmd2 = mmdOf(sa, sb, mmdBandwidths(sa, sb, {}, root));
    out.energy = energyOf(sa, sb);
    const PrecisionRecall pr = precisionRecall(a, b, k, seed);
    out.precision = pr.precision;
    out.recall = pr.recall;
    if (mixture) {
        out.modeWeights = modeWeights(a, *mixture);
        const MeanLogDensity ld = meanLogDensity(a, *mixture);
        out.logDensity = ld.mean;
        out.logDensityStdErr = ld.standardError;
    }
    return out;
}

} // namespace ss

#include "core/Presets.h"

#include "core/Error.h"

#include <cmath>
#include <cstdio>
#include <functional>

// Every preset draws from one ss::Rng(seed) in a fixed order, so (id, n, seed,
// params) always gives the same points on every platform. Changing the order of
// draws in a generator changes every saved scene that names a seed: don't.
// Scale: all presets but ncsn keep their data roughly inside [-4, 4]^2 at the
// default parameters (noise tails may step slightly outside).

namespace ss {

namespace {

constexpr double kPi = 3.14159265358979323846;
using Params = std::map<std::string, double>; // every key present, validated

std::string num(double v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

Dataset labelledPoints(Eigen::Matrix2Xd points, std::vector<int> labels, int numClasses)
{
    Dataset d;
    d.points = std::move(points);
    d.labels = std::move(labels);
    d.numClasses = numClasses;
    return d;
}

// Analytic presets: isotropic components, labels = component index.
Dataset fromMixture(GaussianMixture mix, int n, Rng& rng, bool labelled)
{
    Dataset d;
    std::vector<int> labels;
    d.points = mix.sample(n, rng, &labels);
    if (labelled) {
        d.labels = std::move(labels);
        d.numClasses = mix.size();
    }
    d.mixture.emplace(std::move(mix));
    return d;
}

GaussianMixture isotropic(std::vector<double> w, Eigen::Matrix2Xd means, double std)
{
    const std::vector<Eigen::Matrix2d> covs(w.size(), std * std * Eigen::Matrix2d::Identity());
    return GaussianMixture(std::move(w), std::move(means), covs);
}

Dataset gaussian(int n, Rng& rng, const Params& p)
{
    Eigen::Matrix2Xd mu(2, 1);
    mu << p.at("mean_x"), p.at("mean_y");
    return fromMixture(isotropic({1.0}, mu, p.at("std")), n, rng, false);
}

Dataset eightGaussians(int n, Rng& rng, const Params& p)
{
    Eigen::Matrix2Xd mu(2, 8);
    for (int k = 0; k < 8; ++k)
        mu.col(k) = p.at("radius") * Eigen::Vector2d(std::cos(kPi * k / 4), std::sin(kPi * k / 4));
    return fromMixture(isotropic(std::vector<double>(8, 1.0), mu, p.at("std")), n, rng, true);
}

Dataset grid25(int n, Rng& rng, const Params& p)
{
    Eigen::Matrix2Xd mu(2, 25);
    for (int k = 0; k < 25; ++k) mu.col(k) = p.at("spacing") * Eigen::Vector2d(k % 5 - 2, k / 5 - 2);
    return fromMixture(isotropic(std::vector<double>(25, 1.0), mu, p.at("std")), n, rng, true);
}

Dataset ncsn(int n, Rng& rng, const Params& p)
{
    const double o = p.at("offset");
    Eigen::Matrix2Xd mu(2, 2);
    mu << o, -o, o, -o; // columns (o, o) and (-o, -o)
    return fromMixture(isotropic({p.at("weight"), 1.0 - p.at("weight")}, mu, p.at("std")), n, rng, true);
}

// sklearn's two moons, centred and doubled: x in [-3, 3], y in [-1.5, 1.5].
Dataset moons(int n, Rng& rng, const Params& p)
{
    Eigen::Matrix2Xd x(2, n);
    std::vector<int> labels(n);
    for (int i = 0; i < n; ++i) {
        const int c = rng.uniformInt(2);
        const double t = kPi * rng.uniform();
        Eigen::Vector2d q = c == 0 ? Eigen::Vector2d(std::cos(t), std::sin(t))
                                   : Eigen::Vector2d(1.0 - std::cos(t), 0.5 - std::sin(t));
        q = 2.0 * (q - Eigen::Vector2d(0.5, 0.25));
        const double z0 = rng.normal(), z1 = rng.normal();
        x.col(i) = q + p.at("noise") * Eigen::Vector2d(z0, z1);
        labels[i] = c;
    }
    return labelledPoints(std::move(x), std::move(labels), 2);
}

// The 2D swiss roll t (cos t, sin t), t in [1.5 pi, 4.5 pi], scaled so the
// outermost turn has radius `scale`.
Dataset swissroll(int n, Rng& rng, const Params& p)
{
    Dataset d;
    d.points.resize(2, n);
    for (int i = 0; i < n; ++i) {
        const double t = 1.5 * kPi * (1.0 + 2.0 * rng.uniform());
        const double r = p.at("scale") * t / (4.5 * kPi);
        const double z0 = rng.normal(), z1 = rng.normal();
        d.points.col(i) = Eigen::Vector2d(r * std::cos(t) + p.at("noise") * z0, r * std::sin(t) + p.at("noise") * z1);
    }
    return d;
}

// Concentric rings, equally likely; ring k (0 = innermost) has radius
// radii[k]. Used by circles (2 rings) and rings (count rings).
Dataset ringsOf(const std::vector<double>& radii, double noise, int n, Rng& rng)
{
    Eigen::Matrix2Xd x(2, n);
    std::vector<int> labels(n);
    const int count = int(radii.size());
    for (int i = 0; i < n; ++i) {
        const int k = rng.uniformInt(count);
        const double a = 2.0 * kPi * rng.uniform();
        const double z0 = rng.normal(), z1 = rng.normal();
        x.col(i) = radii[k] * Eigen::Vector2d(std::cos(a), std::sin(a)) + noise * Eigen::Vector2d(z0, z1);
        labels[i] = k;
    }
    return labelledPoints(std::move(x), std::move(labels), count);
}

// Label 0 = outer circle, 1 = inner (as in sklearn's make_circles).
Dataset circles(int n, Rng& rng, const Params& p)
{
    const double r = p.at("radius");
    return ringsOf({r, p.at("factor") * r}, p.at("noise"), n, rng);
}

Dataset rings(int n, Rng& rng, const Params& p)
{
    const int count = int(std::lround(p.at("count")));
    std::vector<double> radii(count);
    for (int k = 0; k < count; ++k) radii[k] = p.at("radius") * (k + 1) / count;
    return ringsOf(radii, p.at("noise"), n, rng);
}

// Two Archimedean arms r = radius * s, angle = 2 pi turns s (s = sqrt(u), so the
// density per unit area is roughly even); arm 1 is arm 0 turned by pi.
Dataset spirals(int n, Rng& rng, const Params& p)
{
    Eigen::Matrix2Xd x(2, n);
    std::vector<int> labels(n);
    for (int i = 0; i < n; ++i) {
        const int arm = rng.uniformInt(2);
        const double s = std::sqrt(rng.uniform());
        const double a = 2.0 * kPi * p.at("turns") * s + kPi * arm;
        const double z0 = rng.normal(), z1 = rng.normal();
        x.col(i) = p.at("radius") * s * Eigen::Vector2d(std::cos(a), std::sin(a))
            + p.at("noise") * Eigen::Vector2d(z0, z1);
        labels[i] = arm;
    }
    return labelledPoints(std::move(x), std::move(labels), 2);
}

// Uniform on the 8 dark squares ((row + col) even) of a 4x4 board on [-size, size]^2.
Dataset checkerboard(int n, Rng& rng, const Params& p)
{
    const double size = p.at("size"), cell = size / 2.0;
    Dataset d;
    d.points.resize(2, n);
    for (int i = 0; i < n; ++i) {
        const int idx = rng.uniformInt(8);
        const int row = idx / 2, col = 2 * (idx % 2) + row % 2;
        const double u = rng.uniform(), v = rng.uniform();
        d.points.col(i) = Eigen::Vector2d(-size + (col + u) * cell, -size + (row + v) * cell);
    }
    return d;
}

// Johnson et al.'s pinwheel (as in FFJORD): arm k is a Gaussian at (1, 0)
// stretched radially, turned by 2 pi k / arms + rate * exp(radial coordinate).
Dataset pinwheel(int n, Rng& rng, const Params& p)
{
    const int arms = int(std::lround(p.at("arms")));
    Eigen::Matrix2Xd x(2, n);
    std::vector<int> labels(n);
    for (int i = 0; i < n; ++i) {
        const int k = rng.uniformInt(arms);
        const double z0 = rng.normal(), z1 = rng.normal();
        const double f0 = 1.0 + p.at("radial_std") * z0, f1 = p.at("tangential_std") * z1;
        const double a = 2.0 * kPi * k / arms + p.at("rate") * std::exp(f0);
        const double c = std::cos(a), s = std::sin(a);
        x.col(i) = p.at("scale") * Eigen::Vector2d(c * f0 - s * f1, s * f0 + c * f1);
        labels[i] = k;
    }
    return labelledPoints(std::move(x), std::move(labels), arms);
}

using Generator = std::function<Dataset(int, Rng&, const Params&)>;

struct Entry {
    PresetInfo info;
    Generator make;
};

const std::vector<Entry>& entries()
{
    static const std::vector<Entry> list = {
        {{"gaussian", "Single Gaussian", "One isotropic Gaussian: the simplest exact score, a linear field.", true,
          false,
          {{"mean_x", "Mean, x coordinate", 0.0, -4.0, 4.0},
           {"mean_y", "Mean, y coordinate", 0.0, -4.0, 4.0},
           {"std", "Standard deviation", 1.0, 0.01, 4.0}}},
         gaussian},
        {{"8gaussians", "8 Gaussians on a circle",
          "Eight equal, well-separated modes: shows mode coverage and the score between modes.", true, true,
          {{"radius", "Radius of the circle of means", 2.0, 0.5, 4.0},
           {"std", "Standard deviation of each component", 0.1, 0.01, 1.0}}},
         eightGaussians},
        {{"25gaussians", "25 Gaussians on a grid",
          "A 5x5 grid of equal modes centred at the origin: many modes, uneven coverage shows.", true, true,
          {{"spacing", "Distance between neighbouring means", 1.5, 0.25, 2.0},
           {"std", "Standard deviation of each component", 0.1, 0.01, 1.0}}},
         grid25},
        {{"moons", "Two moons", "Two interleaved half circles, labelled by moon (x in [-3, 3]).", false, true,
          {{"noise", "Standard deviation of the added Gaussian noise", 0.1, 0.0, 1.0}}},
         moons},
        {{"swissroll", "Swiss roll", "A 2D spiral sheet: a thin curved manifold the score must wrap around.", false,
          false,
          {{"noise", "Standard deviation of the added Gaussian noise", 0.1, 0.0, 1.0},
           {"scale", "Radius of the outermost turn", 3.5, 0.5, 4.0}}},
         swissroll},
        {{"circles", "Two circles", "Two concentric circles, labelled outer (0) and inner (1).", false, true,
          {{"factor", "Inner radius as a fraction of the outer", 0.5, 0.05, 0.95},
           {"radius", "Radius of the outer circle", 3.0, 0.5, 4.0},
           {"noise", "Standard deviation of the added Gaussian noise", 0.1, 0.0, 1.0}}},
         circles},
        {{"rings", "Concentric rings", "Equally likely rings with evenly spaced radii, labelled by ring (0 = inner).",
          false, true,
          {{"count", "Number of rings (whole number)", 4.0, 1.0, 8.0},
           {"radius", "Radius of the outermost ring", 3.5, 0.5, 4.0},
           {"noise", "Standard deviation of the added Gaussian noise", 0.08, 0.0, 1.0}}},
         rings},
        {{"spirals", "Two spirals", "Two interleaved spiral arms, labelled by arm.", false, true,
          {{"turns", "Turns of each arm", 1.5, 0.25, 3.0},
           {"radius", "Radius at the tip of each arm", 3.5, 0.5, 4.0},
           {"noise", "Standard deviation of the added Gaussian noise", 0.1, 0.0, 1.0}}},
         spirals},
        {{"checkerboard", "Checkerboard",
          "Uniform on the dark squares of a 4x4 board: sharp edges and flat density.", false, false,
          {{"size", "Half-width of the board (it spans [-size, size])", 4.0, 0.5, 8.0}}},
         checkerboard},
        {{"pinwheel", "Pinwheel", "Curved arms of a pinwheel, labelled by arm.", false, true,
          {{"arms", "Number of arms (whole number)", 5.0, 1.0, 12.0},
           {"radial_std", "Spread along each arm (before scaling)", 0.3, 0.01, 1.0},
           {"tangential_std", "Spread across each arm (before scaling)", 0.1, 0.01, 1.0},
           {"rate", "How strongly the arms bend", 0.25, 0.0, 1.0},
           {"scale", "Overall scale", 2.0, 0.25, 4.0}}},
         pinwheel},
        {{"ncsn", "NCSN two-mode mixture",
          "0.8 N((5,5), I) + 0.2 N((-5,-5), I): plain Langevin gets the mode weights wrong, annealing fixes it.",
          true, true,
          {{"weight", "Weight of the mode at (offset, offset)", 0.8, 0.01, 0.99},
           {"offset", "The modes sit at (offset, offset) and (-offset, -offset)", 5.0, 0.5, 10.0},
           {"std", "Standard deviation of each mode", 1.0, 0.05, 5.0}}},
         ncsn},
    };
    return list;
}

// Fills in defaults and refuses unknown keys and out-of-range values.
Params resolve(const PresetInfo& info, const std::map<std::string, double>& given)
{
    Params out;
    for (const PresetParam& p : info.params) out[p.key] = p.defaultValue;
    for (const auto& [key, value] : given) {
        const auto it = out.find(key);
        if (it == out.end()) {
            std::string known;
            for (const PresetParam& p : info.params) known += (known.empty() ? "" : ", ") + p.key;
            throw InputError("preset '" + info.id + "': unknown parameter '" + key + "' (known: " + known + ")");
        }
        for (const PresetParam& p : info.params)
            if (p.key == key && !(value >= p.min && value <= p.max)) // also refuses NaN
                throw InputError("preset '" + info.id + "': parameter '" + key + "' = " + num(value)
                                 + " is outside [" + num(p.min) + ", " + num(p.max) + "]");
        it->second = value;
    }
    return out;
}

} // namespace

const std::vector<PresetInfo>& presetCatalogue()
{
    static const std::vector<PresetInfo> catalogue = [] {
        std::vector<PresetInfo> c;
        for (const Entry& e : entries()) c.push_back(e.info);
        return c;
    }();
    return catalogue;
}

Dataset makePreset(const std::string& id, int n, std::uint64_t seed, const std::map<std::string, double>& params)
{
    const Entry* entry = nullptr;
    std::string known;
    for (const Entry& e : entries()) {
        if (e.info.id == id) entry = &e;
        known += (known.empty() ? "" : ", ") + e.info.id;
    }
    if (!entry) throw InputError("unknown preset '" + id + "'; known presets: " + known);
    if (n < 1 || n > 10'000'000)
        throw InputError("preset '" + id + "': n = " + std::to_string(n) + " points is outside [1, 10000000]");
    const Params p = resolve(entry->info, params);
    Rng rng(seed);
    Dataset d = entry->make(n, rng, p);
    d.name = id;
    return d;
}

} // namespace ss

#include "state/TargetProfile.h"

#include <algorithm>
#include <cstdio>
#include <optional>

namespace ss::app {

Marginal runEndMarginal(const SamplingSetup& setup)
{
    if (setup.sampler.kind == SamplerKind::Langevin) return Marginal{1.0, setup.sampler.langevinStd};
    const NoiseSchedule& s = setup.schedule;
    return s.isDiscrete() ? s.level(1).marginal : s.sdeMarginal(s.tEpsilon()).marginal;
}

namespace {

std::string labelOf(int fixed, double a, double smoothing)
{
    char text[160];
    std::snprintf(text, sizeof text, "p(x%d | x%d = %.4g), exact", 2 - fixed, fixed + 1, a);
    std::string label = text;
    if (smoothing > 0) {
        std::snprintf(text, sizeof text, " (points smoothed by σ = %.3g)", smoothing);
        label += text;
    }
    return label;
}

// The law's largest density, for the curve's scale: at the components' means
// when they are few, else on a grid fine against the narrowest component
// (a point set smoothed by a wide noise keeps thousands of components).
double peakDensity(const Mixture1D& law)
{
    double peak = 0;
    if (law.size() <= 256) {
        for (double m : law.means()) peak = std::max(peak, law.pdf(m));
        return peak;
    }
    double lo = law.means()[0], hi = lo, narrowest = law.stds()[0];
    for (int k = 0; k < law.size(); ++k) {
        lo = std::min(lo, law.means()[std::size_t(k)]);
        hi = std::max(hi, law.means()[std::size_t(k)]);
        narrowest = std::min(narrowest, law.stds()[std::size_t(k)]);
    }
    const int n = std::clamp(int((hi - lo) / (0.25 * narrowest)) + 1, 2, 4096);
    for (int i = 0; i < n; ++i) peak = std::max(peak, law.pdf(lo + (hi - lo) * i / (n - 1)));
    return peak;
}

} // namespace

TargetPtr targetProfile(const SamplingSetup& setup)
{
    const SamplerConfig& c = setup.sampler;
    if (c.fixCoordinate < 0 || !setup.data || setup.data->size() == 0) return nullptr;
    const Marginal end = runEndMarginal(setup);
    const Dataset& data = *setup.data;
    double smoothing = 0;
    std::optional<Mixture1D> law;
    if (data.mixture) {
        law = conditionalDensity(*data.mixture, c.fixCoordinate, c.fixValue, end);
    } else {
        // The points as the run sees them at its end: scaled by the marginal's mean, smoothed by its noise.
        smoothing = std::max(end.std, kMinPointSmoothing);
        law = conditionalDensity(end.mean * data.points, c.fixCoordinate, c.fixValue, smoothing);
    }
    const double peak = peakDensity(*law);
    return std::make_shared<const TargetProfile>(
        TargetProfile{c.fixCoordinate, c.fixValue, *law, peak, smoothing, labelOf(c.fixCoordinate, c.fixValue, smoothing)});
}

} // namespace ss::app

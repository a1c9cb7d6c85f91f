#include "state/TiltedTarget.h"

#include "state/TargetProfile.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace ss::app {

std::shared_ptr<const ExactClassifier> guidanceClassifier(const SamplingSetup& setup)
{
    if (setup.guidance.kind == GuidanceKind::None || !setup.data) return nullptr;
    return std::make_shared<const ExactClassifier>(*setup.data);
}

TiltedMapPtr tiltedMap(const SamplingSetup& setup, const ExactClassifier& classifier, int resolution)
{
    const GuidanceConfig& g = setup.guidance;
    if (g.kind == GuidanceKind::None || !setup.data || setup.data->size() == 0) return nullptr;
    Marginal end = runEndMarginal(setup);
    if (classifier.needsNoise()) end.std = std::max(end.std, kMinPointSmoothing); // points have no density at 0
    // The data as the run sees it at its end, with room for its noise.
    const Eigen::Matrix2Xd& pts = setup.data->points;
    const Eigen::Vector2d lo = end.mean * pts.rowwise().minCoeff(), hi = end.mean * pts.rowwise().maxCoeff();
    const double pad = 0.1 * (hi - lo).maxCoeff() + 4 * end.std + 1e-6;
    auto map = std::make_shared<TiltedMap>();
    map->box = QRectF(lo.x() - pad, lo.y() - pad, hi.x() - lo.x() + 2 * pad, hi.y() - lo.y() + 2 * pad);
    map->resolution = resolution;
    const int n = resolution * resolution;
    Eigen::Matrix2Xd x(2, n);
    for (int i = 0; i < resolution; ++i)
        for (int j = 0; j < resolution; ++j)
            x.col(i * resolution + j) = Eigen::Vector2d(map->box.left() + (j + 0.5) * map->box.width() / resolution,
                                                        map->box.top() + (i + 0.5) * map->box.height() / resolution);
    Eigen::VectorXd logp(n);
    classifier.tiltedLogDensity(x, end, g.label, g.gamma, logp);
    const double peak = logp.maxCoeff();
    map->density.resize(std::size_t(n));
    for (int k = 0; k < n; ++k)
        map->density[std::size_t(k)] = std::isfinite(logp(k)) ? float(std::exp(logp(k) - peak)) : 0.0f;
    char text[200];
    std::snprintf(text, sizeof text, "exact target p(x) p(y=%d | x)^γ, γ = %.3g (w = %.3g), at σ = %.3g", g.label,
                  g.gamma, guidanceW(g.gamma), end.std);
    map->label = text;
    return map;
}

} // namespace ss::app

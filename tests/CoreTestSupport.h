#pragma once
// What the core tests share: a small analytic data set whose density and
// score are known in closed form.
#include "core/Dataset.h"
#include "core/Rng.h"

#include <memory>

namespace coretest {

// Three Gaussian components of different weights, shapes and orientations,
// with n samples: not symmetric, so a sign or factor error in a flow or a
// divergence shows (tst_likelihood, tst_model_density).
inline std::shared_ptr<const ss::Dataset> threeGaussians(int n)
{
    Eigen::Matrix2Xd means(2, 3);
    means << -1.5, 1.0, 0.5, 0.0, 1.0, -1.2;
    Eigen::Matrix2d a, b, c;
    a << 0.30, 0.10, 0.10, 0.20;
    b << 0.15, -0.05, -0.05, 0.40;
    c << 0.25, 0.0, 0.0, 0.25;
    auto d = std::make_shared<ss::Dataset>();
    d->name = "three gaussians";
    d->mixture = ss::GaussianMixture({0.5, 0.3, 0.2}, means, {a, b, c});
    ss::Rng rng(1);
    d->points = d->mixture->sample(n, rng);
    return d;
}

} // namespace coretest

#include "core/FastSamplers.h"

#include "core/Parametrisation.h"

#include <algorithm>
#include <cmath>

namespace ss {

double edmSigma(const NoiseLevel& level) { return level.marginal.std / level.marginal.mean; }
double logSnrHalf(const NoiseLevel& level) { return std::log(level.marginal.mean / level.marginal.std); }

namespace {

// The t in [tLo, 1] where increasing(t) = target; value must increase with t.
template <typename F>
NoiseLevel bisect(const NoiseSchedule& schedule, double target, double tLo, F value)
{
    double a = tLo, b = 1.0;
    if (value(schedule.sdeMarginal(a)) >= target) return schedule.sdeMarginal(a);
    if (value(schedule.sdeMarginal(b)) <= target) return schedule.sdeMarginal(b);
    for (int i = 0; i < 80 && b - a > 1e-17; ++i) {
        const double m = 0.5 * (a + b);
        (value(schedule.sdeMarginal(m)) < target ? a : b) = m;
    }
    return schedule.sdeMarginal(0.5 * (a + b));
}

} // namespace

NoiseLevel levelAtSigma(const NoiseSchedule& schedule, double sigma, double tLo)
{
    return bisect(schedule, sigma, tLo, [](const NoiseLevel& l) { return edmSigma(l); });
}

NoiseLevel levelAtLambda(const NoiseSchedule& schedule, double lambda, double tLo)
{
    // lambda falls as t grows: bisect on -lambda.
    return bisect(schedule, -lambda, tLo, [](const NoiseLevel& l) { return -logSnrHalf(l); });
}

std::vector<double> edmSigmas(int n, double sigmaMin, double sigmaMax, double rho)
{
    std::vector<double> out;
    const double a = std::pow(sigmaMax, 1.0 / rho), b = std::pow(sigmaMin, 1.0 / rho);
    for (int i = 0; i < n; ++i) out.push_back(std::pow(a + (n > 1 ? double(i) / (n - 1) : 0.0) * (b - a), rho));
    out.push_back(0.0);
    return out;
}

std::vector<NoiseLevel> dpmLevels(const NoiseSchedule& schedule, int steps, DpmSpacing spacing, double tStart,
                                  double tEnd)
{
    std::vector<NoiseLevel> out;
    const NoiseLevel first = schedule.sdeMarginal(tStart), last = schedule.sdeMarginal(tEnd);
    const double l0 = logSnrHalf(first), l1 = logSnrHalf(last);
    for (int i = 0; i <= steps; ++i) {
        const double u = double(i) / steps;
        if (i == 0) out.push_back(first);
        else if (i == steps) out.push_back(last);
        else if (spacing == DpmSpacing::Time) out.push_back(schedule.sdeMarginal(tStart + u * (tEnd - tStart)));
        else out.push_back(levelAtLambda(schedule, l0 + u * (l1 - l0), tEnd));
    }
    return out;
}

// The conversions' one home is core/Parametrisation (quantityAffine).
Eigen::Matrix2Xd epsFromScore(const Eigen::Matrix2Xd& score, const NoiseLevel& level)
{
    const Affine a = quantityAffine(Quantity::Epsilon, level.marginal); // alpha 0
    return a.beta * score;
}

Eigen::Matrix2Xd x0FromScore(const Eigen::Matrix2Xd& x, const Eigen::Matrix2Xd& score, const NoiseLevel& level)
{
    const Affine a = quantityAffine(Quantity::X0, level.marginal);
    return a.alpha * x + a.beta * score;
}

double edmGamma(const SamplerConfig& c, double sigma)
{
    if (!(c.edmChurn > 0) || sigma < c.edmTmin || sigma > c.edmTmax) return 0.0;
    return std::min(c.edmChurn / c.edmSteps, std::sqrt(2.0) - 1.0);
}

Eigen::Matrix2Xd edmStep(Eigen::Matrix2Xd& x, const NoiseLevel& from, const NoiseLevel& hat, const NoiseLevel& to,
                         double sNoise, const Eigen::Matrix2Xd& z, const ModelFn& x0)
{
    const double sigma = edmSigma(from), sHat = edmSigma(hat), sNext = edmSigma(to);
    Eigen::Matrix2Xd xh = x / from.marginal.mean; // x_hat at sigma_i
    Eigen::Matrix2Xd noise = Eigen::Matrix2Xd::Zero(2, x.cols());
    if (sHat > sigma) {
        // Algorithm 2, lines 5-6: x_hat at sigma_hat = sigma_i (1 + gamma).
        const Eigen::Matrix2Xd add = (sNoise * std::sqrt(sHat * sHat - sigma * sigma)) * z;
        xh += add;
        noise = from.marginal.mean * add;
    }
    // d = (x_hat - D) / sigma; the denoiser sees x = mean x_hat at its level.
    const auto slope = [&](const Eigen::Matrix2Xd& y, const NoiseLevel& level, double s) -> Eigen::Matrix2Xd {
        return (y - x0(level.marginal.mean * y, level)) / s;
    };
    const Eigen::Matrix2Xd d = slope(xh, hat, sHat);
    Eigen::Matrix2Xd next = xh + (sNext - sHat) * d;
    if (sNext > 0) next = xh + (0.5 * (sNext - sHat)) * (d + slope(next, to, sNext)); // Heun's correction
    x = to.marginal.mean * next;
    return noise;
}

Eigen::Matrix2Xd dpmSinglestep(int order, bool dataPrediction, const NoiseSchedule& schedule, const NoiseLevel& from,
                               const NoiseLevel& to, const Eigen::Matrix2Xd& x, const Eigen::Matrix2Xd& m0,
                               const ModelFn& model)
{
    const double ls = logSnrHalf(from), h = logSnrHalf(to) - ls;
    const double as = from.marginal.mean, ss = from.marginal.std;
    // The order-1 update from `from` to level l over lambda step hl, plus correction terms.
    const auto base = [&](const NoiseLevel& l, double hl) -> Eigen::Matrix2Xd {
        const double a = l.marginal.mean, s = l.marginal.std;
        return dataPrediction ? Eigen::Matrix2Xd((s / ss) * x - (a * std::expm1(-hl)) * m0)
                              : Eigen::Matrix2Xd((a / as) * x - (s * std::expm1(hl)) * m0);
    };
    const double at = to.marginal.mean, st = to.marginal.std;
    if (order == 1) return base(to, h);
    // The level at lambda_s + r h (the schedule's own, so a network sees a level it knows).
    const double tLo = std::min(from.t, to.t);
    const auto mid = [&](double r) { return levelAtLambda(schedule, ls + r * h, tLo); };
    if (order == 2) {
        const double r1 = 0.5;
        const NoiseLevel s1 = mid(r1);
        const Eigen::Matrix2Xd m1 = model(base(s1, r1 * h), s1);
        const double c = dataPrediction ? -(0.5 / r1) * at * std::expm1(-h) : -(0.5 / r1) * st * std::expm1(h);
        return base(to, h) + c * (m1 - m0);
    }
    const double r1 = 1.0 / 3.0, r2 = 2.0 / 3.0;
    const NoiseLevel s1 = mid(r1), s2 = mid(r2);
    const Eigen::Matrix2Xd m1 = model(base(s1, r1 * h), s1);
    const double a2 = s2.marginal.mean, sd2 = s2.marginal.std;
    const double c2 = dataPrediction ? (r2 / r1) * a2 * (std::expm1(-r2 * h) / (r2 * h) + 1.0)
                                     : -(r2 / r1) * sd2 * (std::expm1(r2 * h) / (r2 * h) - 1.0);
    const Eigen::Matrix2Xd m2 = model(base(s2, r2 * h) + c2 * (m1 - m0), s2);
    const double c = dataPrediction ? (1.0 / r2) * at * (std::expm1(-h) / h + 1.0)
                                    : -(1.0 / r2) * st * (std::expm1(h) / h - 1.0);
    return base(to, h) + c * (m2 - m0);
}

Eigen::Matrix2Xd dpmMultistep(int order, bool dataPrediction, const std::vector<NoiseLevel>& levels,
                              const std::vector<Eigen::Matrix2Xd>& models, const NoiseLevel& to,
                              const Eigen::Matrix2Xd& x)
{
    const std::size_t n = levels.size();
    const NoiseLevel& p0 = levels[n - 1];
    const Eigen::Matrix2Xd& m0 = models[n - 1];
    const double l0 = logSnrHalf(p0), h = logSnrHalf(to) - l0;
    const double at = to.marginal.mean, st = to.marginal.std;
    // x_t = lin x - k phi1 m0 + (correction); k = alpha_t (++) or sigma_t, phi1 = expm1(-h) or expm1(h).
    const double lin = dataPrediction ? st / p0.marginal.std : at / p0.marginal.mean;
    const double k = dataPrediction ? at : st;
    const double phi1 = dataPrediction ? std::expm1(-h) : std::expm1(h);
    Eigen::Matrix2Xd out = lin * x - (k * phi1) * m0;
    if (order == 1) return out;
    const double r0 = (l0 - logSnrHalf(levels[n - 2])) / h;
    const Eigen::Matrix2Xd d10 = (m0 - models[n - 2]) / r0;
    if (order == 2) return out - (0.5 * k * phi1) * d10;
    const double r1 = (logSnrHalf(levels[n - 2]) - logSnrHalf(levels[n - 3])) / h;
    const Eigen::Matrix2Xd d11 = (models[n - 2] - models[n - 3]) / r1;
    const Eigen::Matrix2Xd d1 = d10 + (r0 / (r0 + r1)) * (d10 - d11);
    const Eigen::Matrix2Xd d2 = (d10 - d11) / (r0 + r1);
    if (dataPrediction) {
        const double phi2 = phi1 / h + 1.0, phi3 = phi2 / h - 0.5;
        return out + (k * phi2) * d1 - (k * phi3) * d2;
    }
    const double phi2 = phi1 / h - 1.0, phi3 = phi2 / h - 0.5;
    return out - (k * phi2) * d1 - (k * phi3) * d2;
}

} // namespace ss

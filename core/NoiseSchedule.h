#pragma once
// Noise schedules (docs/reference/schedules.md): the value the user edits and the trainer and
// samplers read at step boundaries. A schedule is immutable once made; the
// factories validate their input and throw InputError with a message that names
// the problem (non-monotone, non-positive, non-finite, beta >= 1, ...), so an
// invalid schedule never exists.
//
// One time convention for all kinds: noise grows with the index/time.
//  - Discrete kinds have levels k = 1..N (k = N noisiest). For NCSN levels this
//    is the reverse of the lecture's sigma_1 > ... > sigma_L numbering:
//    level(k).std = sigma_{N+1-k}; sigmas() returns the lecture's order.
//  - Continuous kinds have t in [0, 1] (t = 1 noisiest); at(t) gives the marginal.
// Every level has a normalised time t in [0, 1] for time conditioning.
#include "core/ExactScore.h"

#include <string>
#include <vector>

namespace ss {

enum class ScheduleKind {
    Geometric,   // NCSN: L sigma levels, geometric from sigma_max down to sigma_min
    SigmaLevels, // user-edited VE levels (strictly decreasing list of sigmas)
    VeContinuous,// sigma(t) = sigma_min (sigma_max/sigma_min)^t
    DdpmLinear,  // discrete beta_t linear from beta_1 to beta_T
    DdpmCosine,  // discrete betas from the cosine abar (Nichol & Dhariwal)
    DdpmBetas,   // user-edited discrete betas
    Vp,          // continuous VP SDE, beta(t) = beta_min + t (beta_max - beta_min)
    SubVp,       // continuous sub-VP SDE, same beta(t)
    CustomCurve  // VE: log sigma piecewise linear through control points (u, log sigma)
};

// One noise level: the marginal it produces and its normalised time.
struct NoiseLevel {
    Marginal marginal; // x = mean * x0 + std * eps
    double t = 0.0;    // in [0, 1], noise increasing
};

// A control point of a user-drawn curve: u in [0, 1] (normalised level or time,
// noise increasing), logSigma = natural log of sigma at u.
struct CurvePoint {
    double u;
    double logSigma;
};

class NoiseSchedule {
public:
    // Factories. Each throws InputError on invalid input.
    static NoiseSchedule geometric(double sigmaMin, double sigmaMax, int levels);
    static NoiseSchedule sigmaLevels(std::vector<double> decreasingSigmas);
    static NoiseSchedule veContinuous(double sigmaMin, double sigmaMax);
    // Linear betas from beta1 to betaT. With rescale = true the defaults
    // (1e-4, 0.02 for T = 1000) are scaled by 1000/T so abar_T stays comparable.
    static NoiseSchedule ddpmLinear(int T, double beta1 = 1e-4, double betaT = 0.02, bool rescale = true);
    static NoiseSchedule ddpmCosine(int T, double s = 0.008);
    static NoiseSchedule ddpmBetas(std::vector<double> betas);
    static NoiseSchedule vp(double betaMin = 0.1, double betaMax = 20.0);
    static NoiseSchedule subVp(double betaMin = 0.1, double betaMax = 20.0);
    // levels = 0: continuous VE curve; levels >= 1: that many discrete levels
    // sampled from the curve at u = (k-1)/(levels-1). Control points need u
    // strictly increasing from 0 to 1 and logSigma strictly increasing.
    static NoiseSchedule customCurve(std::vector<CurvePoint> points, int levels = 0);

    NoiseSchedule(); // geometric(0.01, 10, 10): the NCSN default for unit-scale data

    ScheduleKind kind() const { return kind_; }
    std::string name() const; // "geometric", "ddpm-linear", ...
    bool isDiscrete() const;
    bool isVarianceExploding() const;  // mean == 1 at every level (Geometric, SigmaLevels, VeContinuous, CustomCurve)
    int numLevels() const;             // N for discrete kinds, 0 for continuous

    // Discrete: k in [1, N]. Throws std::out_of_range otherwise.
    NoiseLevel level(int k) const;
    // Continuous: t in [0, 1] (clamped). For discrete kinds, the level nearest t.
    NoiseLevel at(double t) const;
    // Smallest t a continuous trainer/sampler should use (1e-5 for VP/sub-VP,
    // 0 for VE, whose sigma_min is already positive).
    double tEpsilon() const;

    // VE kinds: the sigmas largest first (the lecture's sigma_1 > ... > sigma_L).
    // Continuous VE: {sigma_max, sigma_min}. VP kinds: empty.
    std::vector<double> sigmas() const;

    // Discrete DDPM quantities, index t = 1..T (entry 0 unused: beta=0, abar=1).
    const std::vector<double>& betas() const { return betas_; }
    double alpha(int t) const;      // 1 - beta_t
    double alphaBar(int t) const;   // prod_{s<=t} alpha_s; alphaBar(0) = 1
    double betaTilde(int t) const;  // beta_t (1 - abar_{t-1}) / (1 - abar_t)

    // SDE view (docs/reference/schedules.md#sde-view), for continuous kinds and for VE levels viewed as
    // the continuous VE between their end points:
    // dx = f(t) x dt + g(t) dw. driftCoefficient(t) = f(t) (0 for VE, -beta(t)/2 for VP),
    // diffusionSquared(t) = g(t)^2.
    double driftCoefficient(double t) const;
    double diffusionSquared(double t) const;
    double beta(double t) const;          // VP/sub-VP beta(t); 0 for VE kinds
    double integratedBeta(double t) const;// int_0^t beta(s) ds for VP/sub-VP
    // The marginal of that SDE at t in [0, 1] (clamped), for every kind: equal
    // to at(t) for continuous kinds; discrete VE levels give the continuous VE
    // between their end sigmas, DDPM betas the VP whose integrated beta passes
    // through -log abar_k at t = k/T (so level k is hit exactly) with a
    // continuous beta(t) ~ T beta_k (no jumps for the ODE solvers; the rule is
    // at the top of NoiseSchedule.cpp). The reverse-SDE
    // and ODE samplers and the likelihood integrate with it.
    NoiseLevel sdeMarginal(double t) const;

    // The noisiest marginal (level N or t = 1) and the prior a sampler starts
    // from: N(0, I) for VP kinds, N(0, sigma_max^2 I) for VE kinds.
    NoiseLevel noisiest() const;
    double priorStd() const;

    // KL( N(mean*mu, mean^2 Sigma + std^2 I) || N(0, priorStd^2 I) ) at the
    // noisiest level: how far the final marginal of data with mean mu and
    // covariance Sigma is from the prior (exact for Gaussian data, the Gaussian
    // moment match otherwise). 0 means the sampler starts from the right place.
    double priorMismatchKl(const Eigen::Vector2d& dataMean, const Eigen::Matrix2d& dataCov) const;

    // Annealed-Langevin step sizes alpha_l = eps sigma_l^2 / sigma_L^2, for the
    // VE levels in sigmas() order. Empty for VP kinds.
    std::vector<double> annealedStepSizes(double eps) const;

    // The parameters the schedule was made from (for display and files).
    double sigmaMin() const { return sigmaMin_; }
    double sigmaMax() const { return sigmaMax_; }
    double betaMin() const { return betaMin_; }
    double betaMax() const { return betaMax_; }
    double cosineS() const { return cosineS_; }
    bool ddpmRescaled() const { return rescaled_; } // ddpmLinear's rescale flag
    const std::vector<CurvePoint>& curvePoints() const { return curve_; }

private:
    // The factories fill an empty schedule of a kind, then validate it; the
    // public default constructor delegates to geometric(), so it cannot be used.
    explicit NoiseSchedule(ScheduleKind kind) : kind_(kind) {}
    double levelTime(int k) const;        // t of discrete level k (k in [1, N])
    int nearestLevel(double t) const;     // discrete: the k whose level time is nearest t
    double curveLogSigma(double u) const; // custom curve: log sigma at u in [0, 1]
    double curveSlope(double u) const;    // custom curve: d log sigma / du at u (right segment)

    ScheduleKind kind_ = ScheduleKind::Geometric;
    std::vector<double> sigmasIncreasing_; // VE discrete levels, k = 1..N (index k-1)
    std::vector<double> betas_;            // DDPM, index 0 unused
    std::vector<double> alphaBars_;        // DDPM, alphaBars_[0] = 1
    std::vector<double> ddpmRates_;        // DDPM SDE view: beta(k/T), k = 0..T (NoiseSchedule.cpp)
    std::vector<CurvePoint> curve_;
    int curveLevels_ = 0;
    double sigmaMin_ = 0, sigmaMax_ = 0, betaMin_ = 0, betaMax_ = 0, cosineS_ = 0;
    bool rescaled_ = false;
};

} // namespace ss

// Noise schedules (docs/reference/schedules.md). Conventions are in NoiseSchedule.h; the ones
// this file decides, and callers may rely on:
//  - VE discrete levels (Geometric, SigmaLevels, discrete CustomCurve) have
//    t = log(sigma/sigma_min) / log(sigma_max/sigma_min), t = 1 when there is a
//    single level. geometric(min, max, 1) is the single level sigma_max.
//    Discrete CustomCurve levels sit at u = (k-1)/(L-1) on the curve (u = 1 for
//    L = 1), but their t is the log formula above, not u, so that t agrees with
//    the continuous VE between the end sigmas used by the SDE view.
//  - DDPM levels have t = k/T. The SDE view of a DDPM schedule is the VP SDE
//    (docs/reference/schedules.md#sde-view: f = -1/2 beta(t) x, g^2 = beta(t)) with a continuous beta(t),
//    the continuous limit beta(k/T) ~ T beta_k of Song et al. 2021, built so
//    that levels stay exact: the integrated beta B(t) = int_0^t beta is the C^1
//    cubic Hermite interpolant through B(k/T) = -log abar_k. On ((k-1)/T, k/T]
//    its mean rate is d_k = -T log(1 - beta_k) (~ T beta_k), so
//    exp(-integratedBeta(k/T)) = abar_k: the SDE marginal at a level time equals
//    the discrete marginal. Its knot rates beta(k/T) = m_k are the mean of the
//    neighbouring d's (end knots extrapolated linearly), limited to
//    [0, 3 min(d_k, d_k+1)] (Fritsch–Carlson), so beta(t) >= 0 and B increases.
//    A linear DDPM schedule thus gets (up to the log1p's curvature) a linear
//    beta(t), as the continuous VP has. Why not the piecewise-constant rate
//    d_k itself: the probability-flow velocity would jump at every one of the
//    T level times and the adaptive ODE solver of the likelihood shrank its
//    step at each jump (~4x the evaluations of a VP/VE flow).
//  - btilde_1 = beta_1 (1 - abar_0) / (1 - abar_1) = 0 (abar_0 = 1): the last
//    reverse step from x_1 to x_0 adds no noise.
//  - DDPM betas are not required to be monotone (only in (0, 1)); abar is then
//    strictly decreasing, so the std grows with k (it rounds to exactly 1 once
//    abar < 1e-16, which only extreme user betas reach).
#include "core/NoiseSchedule.h"

#include "core/Error.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <numbers>
#include <sstream>
#include <stdexcept>

namespace ss {
namespace {

constexpr int kMaxLevels = 10000;      // VE levels (geometric, user list, curve)
constexpr int kMaxSteps = 100000;      // DDPM T
constexpr double kCosineBetaClip = 0.999;
constexpr double kVpBetaLimit = 1000.0; // beyond this exp(-int beta) leaves double range
constexpr double kCurveLogSigmaLimit = 700.0; // exp(+-700) stays a normal double
constexpr double kVpTEpsilon = 1e-5;

// %g-like with 10 significant digits: short for round values, enough to tell
// neighbouring user values apart in a message.
std::string num(double v)
{
    std::ostringstream os;
    os.precision(10);
    os << v;
    return os.str();
}

[[noreturn]] void refuse(const std::string& message) { throw InputError(message); }

bool positiveFinite(double v) { return std::isfinite(v) && v > 0.0; }

void checkLevelCount(long long n, const char* what)
{
    if (n < 1) refuse(std::string("need at least 1 ") + what + " (got " + std::to_string(n) + ")");
    if (n > kMaxLevels)
        refuse(std::string("at most ") + std::to_string(kMaxLevels) + " " + what + "s are supported (got "
               + std::to_string(n) + ")");
}

void checkStepCount(long long T)
{
    if (T < 1 || T > kMaxSteps)
        refuse("number of steps T must be in [1, " + std::to_string(kMaxSteps) + "] (got " + std::to_string(T) + ")");
}

// allowEqual: a single level may have sigma_min == sigma_max.
void checkSigmaRange(double sigmaMin, double sigmaMax, bool allowEqual)
{
    if (!positiveFinite(sigmaMin)) refuse("sigma_min must be positive and finite (got " + num(sigmaMin) + ")");
    if (!positiveFinite(sigmaMax)) refuse("sigma_max must be positive and finite (got " + num(sigmaMax) + ")");
    if (sigmaMin > sigmaMax || (!allowEqual && sigmaMin == sigmaMax))
        refuse("sigma_min (" + num(sigmaMin) + ") must be below sigma_max (" + num(sigmaMax) + ")");
}

void checkVpBetas(double betaMin, double betaMax)
{
    if (!positiveFinite(betaMin)) refuse("beta_min must be positive and finite (got " + num(betaMin) + ")");
    if (!std::isfinite(betaMax) || betaMax <= betaMin)
        refuse("beta_max (" + num(betaMax) + ") must be finite and above beta_min (" + num(betaMin) + ")");
    if (betaMax > kVpBetaLimit)
        refuse("beta_max (" + num(betaMax) + ") must be at most " + num(kVpBetaLimit)
               + ": larger values wipe out the signal below double precision");
}

// Generated VE levels (geometric, sampled curve) are strictly increasing in
// exact arithmetic; this catches the ones that round together.
void checkGeneratedLevels(const std::vector<double>& increasing)
{
    for (std::size_t i = 1; i < increasing.size(); ++i)
        if (!(increasing[i] > increasing[i - 1]))
            refuse("levels " + std::to_string(i) + " and " + std::to_string(i + 1) + " have the same sigma ("
                   + num(increasing[i]) + "): the sigma range is too narrow for " + std::to_string(increasing.size())
                   + " levels");
}

} // namespace

// ---- factories -------------------------------------------------------------

NoiseSchedule::NoiseSchedule() : NoiseSchedule(geometric(0.01, 10.0, 10)) {}

NoiseSchedule NoiseSchedule::geometric(double sigmaMin, double sigmaMax, int levels)
{
    checkLevelCount(levels, "level");
    checkSigmaRange(sigmaMin, sigmaMax, levels == 1);
    NoiseSchedule s(ScheduleKind::Geometric);
    s.sigmaMin_ = sigmaMin;
    s.sigmaMax_ = sigmaMax;
    if (levels == 1) {
        s.sigmasIncreasing_ = {sigmaMax};
        return s;
    }
    // Ends exact, so level 1 has t = 0 and level N has t = 1 without rounding.
    const double logRatio = std::log(sigmaMax / sigmaMin);
    s.sigmasIncreasing_.resize(levels);
    for (int k = 1; k <= levels; ++k)
        s.sigmasIncreasing_[k - 1] = sigmaMin * std::exp(logRatio * double(k - 1) / double(levels - 1));
    s.sigmasIncreasing_.front() = sigmaMin;
    s.sigmasIncreasing_.back() = sigmaMax;
    checkGeneratedLevels(s.sigmasIncreasing_);
    return s;
}

NoiseSchedule NoiseSchedule::sigmaLevels(std::vector<double> decreasingSigmas)
{
    checkLevelCount(static_cast<long long>(decreasingSigmas.size()), "level");
    // Messages number the sigmas as the user gave them (lecture order, 1-based).
    for (std::size_t i = 0; i < decreasingSigmas.size(); ++i) {
        const double v = decreasingSigmas[i];
        if (!positiveFinite(v))
            refuse("sigma_" + std::to_string(i + 1) + " = " + num(v) + " must be positive and finite");
        if (i > 0 && !(v < decreasingSigmas[i - 1]))
            refuse("sigma levels must be strictly decreasing: sigma_" + std::to_string(i + 1) + " = " + num(v)
                   + " is not below sigma_" + std::to_string(i) + " = " + num(decreasingSigmas[i - 1]));
    }
    NoiseSchedule s(ScheduleKind::SigmaLevels);
    s.sigmasIncreasing_.assign(decreasingSigmas.rbegin(), decreasingSigmas.rend());
    s.sigmaMin_ = s.sigmasIncreasing_.front();
    s.sigmaMax_ = s.sigmasIncreasing_.back();
    return s;
}

NoiseSchedule NoiseSchedule::veContinuous(double sigmaMin, double sigmaMax)
{
    checkSigmaRange(sigmaMin, sigmaMax, false);
    NoiseSchedule s(ScheduleKind::VeContinuous);
    s.sigmaMin_ = sigmaMin;
    s.sigmaMax_ = sigmaMax;
    return s;
}

// The knot rates m_k = beta(k/T), k = 0..T, of the DDPM SDE view (see the top
// of this file), from the mean rates d_k = -T log(1 - beta_k) of the intervals.
static std::vector<double> ddpmKnotRates(const std::vector<double>& betas)
{
    const int T = int(betas.size()) - 1;
    std::vector<double> d(std::size_t(T) + 2, 0.0); // d[1..T]
    for (int k = 1; k <= T; ++k) d[std::size_t(k)] = -double(T) * std::log1p(-betas[std::size_t(k)]);
    std::vector<double> m(std::size_t(T) + 1);
    if (T == 1) {
        m[0] = m[1] = d[1]; // one interval: constant rate
        return m;
    }
    for (int k = 1; k < T; ++k) {
        const double left = d[std::size_t(k)], right = d[std::size_t(k) + 1];
        m[std::size_t(k)] = std::min(0.5 * (left + right), 3.0 * std::min(left, right));
    }
    m[0] = std::clamp(d[1] - 0.5 * (d[2] - d[1]), 0.0, 3.0 * d[1]);
    m[std::size_t(T)] = std::clamp(d[std::size_t(T)] + 0.5 * (d[std::size_t(T)] - d[std::size_t(T) - 1]), 0.0,
                                   3.0 * d[std::size_t(T)]);
    return m;
}

// Fills alphaBars_ from betas_ (entry 0: beta 0, abar 1) and refuses betas that
// are outside (0, 1) or that make abar stop decreasing / underflow: every level
// must keep some signal (mean > 0) and differ from the one before.
static void finishDdpm(std::vector<double>& betas, std::vector<double>& alphaBars)
{
    alphaBars.assign(betas.size(), 1.0);
    for (std::size_t t = 1; t < betas.size(); ++t) {
        const double b = betas[t];
        if (!(b > 0.0 && b < 1.0)) refuse("beta_" + std::to_string(t) + " = " + num(b) + " must be in (0, 1)");
        alphaBars[t] = alphaBars[t - 1] * (1.0 - b);
        if (!(alphaBars[t] < alphaBars[t - 1]))
            refuse("beta_" + std::to_string(t) + " = " + num(b) + " is too small to change abar in double precision");
        if (alphaBars[t] < DBL_MIN)
            refuse("abar_" + std::to_string(t) + " underflows to 0: the betas destroy the signal entirely"
                   " (use fewer steps or smaller betas)");
    }
}

NoiseSchedule NoiseSchedule::ddpmLinear(int T, double beta1, double betaT, bool rescale)
{
    checkStepCount(T);
    if (!positiveFinite(beta1)) refuse("beta_1 must be positive and finite (got " + num(beta1) + ")");
    if (!positiveFinite(betaT)) refuse("beta_T must be positive and finite (got " + num(betaT) + ")");
    if (beta1 > betaT) refuse("beta_1 (" + num(beta1) + ") must not exceed beta_T (" + num(betaT) + ")");
    const double scale = rescale ? 1000.0 / double(T) : 1.0;
    const double b1 = beta1 * scale, bT = betaT * scale;
    const std::string how = rescale ? " (rescaled by 1000/T for T = " + std::to_string(T) + ")" : "";
    if (!(b1 < 1.0)) refuse("beta_1 = " + num(b1) + how + " must be in (0, 1)");
    if (!(bT < 1.0)) refuse("beta_T = " + num(bT) + how + " must be in (0, 1)");

    NoiseSchedule s(ScheduleKind::DdpmLinear);
    s.betaMin_ = beta1; // the parameters as given (before rescaling), for display and files
    s.betaMax_ = betaT;
    s.rescaled_ = rescale;
    s.betas_.assign(T + 1, 0.0);
    for (int t = 1; t < T; ++t) s.betas_[t] = b1 + (bT - b1) * double(t - 1) / double(T - 1);
    s.betas_[T] = bT; // exact end; T = 1: the single step is beta_T (the noisiest end)
    finishDdpm(s.betas_, s.alphaBars_);
    s.ddpmRates_ = ddpmKnotRates(s.betas_);
    return s;
}

NoiseSchedule NoiseSchedule::ddpmCosine(int T, double s)
{
    checkStepCount(T);
    if (!positiveFinite(s)) refuse("cosine offset s must be positive and finite (got " + num(s) + ")");
    NoiseSchedule out(ScheduleKind::DdpmCosine);
    out.cosineS_ = s;
    out.betas_.assign(T + 1, 0.0);
    // f(t) = cos^2(theta_t), theta_t = ((t/T + s)/(1 + s)) pi/2, and
    // 1 - f(t)/f(t-1) = sin(theta_t - theta_{t-1}) sin(theta_t + theta_{t-1}) / cos^2(theta_{t-1}),
    // which avoids the cancellation of 1 - ratio when beta is tiny (large T).
    const auto theta = [&](int t) { return (double(t) / double(T) + s) / (1.0 + s) * (std::numbers::pi / 2.0); };
    for (int t = 1; t <= T; ++t) {
        const double a = theta(t - 1), b = theta(t);
        const double c = std::cos(a);
        const double beta = std::sin(b - a) * std::sin(b + a) / (c * c);
        out.betas_[t] = std::min(beta, kCosineBetaClip);
    }
    finishDdpm(out.betas_, out.alphaBars_); // abar = product of the clipped alphas
    out.ddpmRates_ = ddpmKnotRates(out.betas_);
    return out;
}

NoiseSchedule NoiseSchedule::ddpmBetas(std::vector<double> betas)
{
    if (betas.empty()) refuse("need at least 1 beta (got 0)");
    checkStepCount(static_cast<long long>(betas.size()));
    NoiseSchedule s(ScheduleKind::DdpmBetas);
    s.betas_.reserve(betas.size() + 1);
    s.betas_.push_back(0.0);
    s.betas_.insert(s.betas_.end(), betas.begin(), betas.end());
    finishDdpm(s.betas_, s.alphaBars_);
    s.ddpmRates_ = ddpmKnotRates(s.betas_);
    s.betaMin_ = *std::min_element(betas.begin(), betas.end());
    s.betaMax_ = *std::max_element(betas.begin(), betas.end());
    return s;
}

NoiseSchedule NoiseSchedule::vp(double betaMin, double betaMax)
{
    checkVpBetas(betaMin, betaMax);
    NoiseSchedule s(ScheduleKind::Vp);
    s.betaMin_ = betaMin;
    s.betaMax_ = betaMax;
    return s;
}

NoiseSchedule NoiseSchedule::subVp(double betaMin, double betaMax)
{
    checkVpBetas(betaMin, betaMax);
    NoiseSchedule s(ScheduleKind::SubVp);
    s.betaMin_ = betaMin;
    s.betaMax_ = betaMax;
    return s;
}

NoiseSchedule NoiseSchedule::customCurve(std::vector<CurvePoint> points, int levels)
{
    if (points.size() < 2) refuse("a curve needs at least 2 control points (got " + std::to_string(points.size()) + ")");
    if (levels < 0 || levels > kMaxLevels)
        refuse("curve levels must be 0 (continuous) or in [1, " + std::to_string(kMaxLevels) + "] (got "
               + std::to_string(levels) + ")");
    for (std::size_t i = 0; i < points.size(); ++i) {
        const CurvePoint& p = points[i];
        const std::string at = "curve point " + std::to_string(i + 1);
        if (!std::isfinite(p.u)) refuse(at + ": u must be finite (got " + num(p.u) + ")");
        if (!std::isfinite(p.logSigma) || std::abs(p.logSigma) > kCurveLogSigmaLimit)
            refuse(at + ": log sigma must be finite and within [-700, 700] (got " + num(p.logSigma) + ")");
        if (i == 0 && p.u != 0.0) refuse(at + ": u must be 0 at the first point (got " + num(p.u) + ")");
        if (i + 1 == points.size() && p.u != 1.0)
            refuse(at + ": u must be 1 at the last point (got " + num(p.u) + ")");
        if (i > 0 && !(p.u > points[i - 1].u))
            refuse("curve u must be strictly increasing: " + at + " (u = " + num(p.u) + ") is not above point "
                   + std::to_string(i) + " (u = " + num(points[i - 1].u) + ")");
        if (i > 0 && !(p.logSigma > points[i - 1].logSigma))
            refuse("curve log sigma must be strictly increasing: " + at + " (log sigma = " + num(p.logSigma)
                   + ") is not above point " + std::to_string(i) + " (log sigma = " + num(points[i - 1].logSigma)
                   + ")");
    }
    NoiseSchedule s(ScheduleKind::CustomCurve);
    s.curve_ = std::move(points);
    s.curveLevels_ = levels;
    s.sigmaMin_ = std::exp(s.curve_.front().logSigma);
    s.sigmaMax_ = std::exp(s.curve_.back().logSigma);
    if (levels >= 1) {
        s.sigmasIncreasing_.resize(levels);
        for (int k = 1; k <= levels; ++k) {
            const double u = levels == 1 ? 1.0 : double(k - 1) / double(levels - 1);
            s.sigmasIncreasing_[k - 1] = std::exp(s.curveLogSigma(u));
        }
        checkGeneratedLevels(s.sigmasIncreasing_);
    }
    return s;
}

// ---- kind queries ----------------------------------------------------------

std::string NoiseSchedule::name() const
{
    switch (kind_) {
    case ScheduleKind::Geometric: return "geometric";
    case ScheduleKind::SigmaLevels: return "sigma-levels";
    case ScheduleKind::VeContinuous: return "ve";
    case ScheduleKind::DdpmLinear: return "ddpm-linear";
    case ScheduleKind::DdpmCosine: return "ddpm-cosine";
    case ScheduleKind::DdpmBetas: return "ddpm-betas";
    case ScheduleKind::Vp: return "vp";
    case ScheduleKind::SubVp: return "sub-vp";
    case ScheduleKind::CustomCurve: return "custom-curve";
    }
    return "unknown";
}

bool NoiseSchedule::isDiscrete() const { return numLevels() > 0; }

bool NoiseSchedule::isVarianceExploding() const
{
    return kind_ == ScheduleKind::Geometric || kind_ == ScheduleKind::SigmaLevels
        || kind_ == ScheduleKind::VeContinuous || kind_ == ScheduleKind::CustomCurve;
}

int NoiseSchedule::numLevels() const
{
    if (!sigmasIncreasing_.empty()) return int(sigmasIncreasing_.size()); // VE discrete kinds
    if (!betas_.empty()) return int(betas_.size()) - 1;                   // DDPM kinds
    return 0;
}

// ---- levels and marginals --------------------------------------------------

double NoiseSchedule::levelTime(int k) const
{
    if (!betas_.empty()) return double(k) / double(numLevels());
    if (!(sigmaMax_ > sigmaMin_)) return 1.0; // a single level
    const double t = std::log(sigmasIncreasing_[k - 1] / sigmaMin_) / std::log(sigmaMax_ / sigmaMin_);
    return std::clamp(t, 0.0, 1.0);
}

int NoiseSchedule::nearestLevel(double t) const
{
    const int n = numLevels();
    // Level times increase with k: find the first level at or after t, then
    // step back when the one before is at least as near.
    int lo = 1, hi = n;
    while (lo < hi) {
        const int mid = lo + (hi - lo) / 2;
        if (levelTime(mid) < t) lo = mid + 1;
        else hi = mid;
    }
    if (lo > 1 && t - levelTime(lo - 1) <= levelTime(lo) - t) --lo;
    return lo;
}

NoiseLevel NoiseSchedule::level(int k) const
{
    const int n = numLevels();
    if (k < 1 || k > n)
        throw std::out_of_range("NoiseSchedule::level: k = " + std::to_string(k) + " is outside [1, "
                                + std::to_string(n) + "] for a " + name() + " schedule");
    NoiseLevel out;
    out.t = levelTime(k);
    if (!betas_.empty()) {
        out.marginal.mean = std::sqrt(alphaBars_[k]);
        out.marginal.std = std::sqrt(1.0 - alphaBars_[k]);
    } else {
        out.marginal.mean = 1.0;
        out.marginal.std = sigmasIncreasing_[k - 1];
    }
    return out;
}

NoiseLevel NoiseSchedule::at(double t) const
{
    // NaN is a caller bug, not something to clamp silently.
    if (std::isnan(t)) throw std::invalid_argument("NoiseSchedule::at: t is NaN");
    t = std::clamp(t, 0.0, 1.0);
    if (isDiscrete()) return level(nearestLevel(t));

    NoiseLevel out;
    out.t = t;
    switch (kind_) {
    case ScheduleKind::VeContinuous:
        // t = 1 exactly sigma_max, so noisiest() matches priorStd().
        out.marginal.std = t >= 1.0 ? sigmaMax_ : sigmaMin_ * std::pow(sigmaMax_ / sigmaMin_, t);
        break;
    case ScheduleKind::CustomCurve: out.marginal.std = std::exp(curveLogSigma(t)); break;
    case ScheduleKind::Vp:
    case ScheduleKind::SubVp: {
        const double B = integratedBeta(t);
        const double oneMinusE = -std::expm1(-B); // 1 - exp(-B), accurate near t = 0
        out.marginal.mean = std::exp(-0.5 * B);
        out.marginal.std = kind_ == ScheduleKind::Vp ? std::sqrt(oneMinusE) : oneMinusE;
        break;
    }
    default: break; // discrete kinds handled above
    }
    return out;
}

double NoiseSchedule::tEpsilon() const
{
    if (kind_ == ScheduleKind::Vp || kind_ == ScheduleKind::SubVp) return kVpTEpsilon;
    if (isDiscrete()) return levelTime(1); // 0 for VE levels, 1/T for DDPM
    return 0.0;                            // continuous VE: sigma_min > 0 already
}

std::vector<double> NoiseSchedule::sigmas() const
{
    if (!isVarianceExploding()) return {};
    if (!isDiscrete()) return {sigmaMax_, sigmaMin_};
    return {sigmasIncreasing_.rbegin(), sigmasIncreasing_.rend()};
}

// ---- DDPM quantities -------------------------------------------------------

double NoiseSchedule::alpha(int t) const { return 1.0 - betas_.at(std::size_t(t)); }

double NoiseSchedule::alphaBar(int t) const { return alphaBars_.at(std::size_t(t)); }

double NoiseSchedule::betaTilde(int t) const
{
    if (t < 1 || t >= int(betas_.size()))
        throw std::out_of_range("NoiseSchedule::betaTilde: t = " + std::to_string(t) + " is outside [1, T]");
    // Denominator > 0: finishDdpm guarantees abar_t < abar_{t-1} <= 1.
    return betas_[t] * (1.0 - alphaBars_[t - 1]) / (1.0 - alphaBars_[t]);
}

// ---- SDE view --------------------------------------------------------------

double NoiseSchedule::beta(double t) const
{
    t = std::clamp(t, 0.0, 1.0);
    if (kind_ == ScheduleKind::Vp || kind_ == ScheduleKind::SubVp) return betaMin_ + t * (betaMax_ - betaMin_);
    if (!betas_.empty()) {
        // Derivative of integratedBeta's cubic: T d h01' + m_{k-1} h10' + m_k h11'
        // in the interval's s = tT - (k-1), with d the interval's mean rate.
        const int T = numLevels();
        const int k = std::clamp(int(std::ceil(t * T)), 1, T);
        const double u = t * T - double(k - 1);
        const double d = -double(T) * std::log1p(-betas_[k]);
        return d * 6.0 * u * (1.0 - u) + ddpmRates_[k - 1] * (1.0 - u) * (1.0 - 3.0 * u)
             + ddpmRates_[k] * u * (3.0 * u - 2.0);
    }
    return 0.0;
}

double NoiseSchedule::integratedBeta(double t) const
{
    t = std::clamp(t, 0.0, 1.0);
    if (kind_ == ScheduleKind::Vp || kind_ == ScheduleKind::SubVp)
        return betaMin_ * t + 0.5 * t * t * (betaMax_ - betaMin_);
    if (!betas_.empty()) {
        // Cubic Hermite in u = tT - (k-1) from B_{k-1} = -log abar_{k-1} to
        // B_k = B_{k-1} - log(1 - beta_k), with slopes m_{k-1}/T and m_k/T.
        const int T = numLevels();
        const int k = std::clamp(int(std::ceil(t * T)), 1, T);
        const double u = t * T - double(k - 1);
        const double rise = -std::log1p(-betas_[k]);
        const double h01 = u * u * (3.0 - 2.0 * u), h10 = u * (1.0 - u) * (1.0 - u), h11 = u * u * (u - 1.0);
        return -std::log(alphaBars_[k - 1]) + rise * h01 + (ddpmRates_[k - 1] * h10 + ddpmRates_[k] * h11) / double(T);
    }
    return 0.0;
}

NoiseLevel NoiseSchedule::sdeMarginal(double t) const
{
    if (std::isnan(t)) throw std::invalid_argument("NoiseSchedule::sdeMarginal: t is NaN");
    t = std::clamp(t, 0.0, 1.0);
    if (!isDiscrete()) return at(t);
    NoiseLevel out;
    out.t = t;
    if (isVarianceExploding()) {
        out.marginal.std = !(sigmaMax_ > sigmaMin_) || t >= 1.0 ? sigmaMax_
                                                                 : sigmaMin_ * std::pow(sigmaMax_ / sigmaMin_, t);
        return out;
    }
    const double B = integratedBeta(t);
    out.marginal.mean = std::exp(-0.5 * B);
    out.marginal.std = std::sqrt(-std::expm1(-B));
    return out;
}

double NoiseSchedule::driftCoefficient(double t) const
{
    return isVarianceExploding() ? 0.0 : -0.5 * beta(t);
}

double NoiseSchedule::diffusionSquared(double t) const
{
    t = std::clamp(t, 0.0, 1.0);
    if (kind_ == ScheduleKind::CustomCurve && !isDiscrete()) {
        const double sigma = std::exp(curveLogSigma(t));
        return 2.0 * sigma * sigma * curveSlope(t); // d sigma^2/dt, right derivative at a knot
    }
    if (isVarianceExploding()) {
        // Discrete VE levels: the continuous VE between the end sigmas (0 for one level).
        if (!(sigmaMax_ > sigmaMin_)) return 0.0;
        const double logRatio = std::log(sigmaMax_ / sigmaMin_);
        const double sigma = sigmaMin_ * std::exp(t * logRatio);
        return 2.0 * sigma * sigma * logRatio;
    }
    if (kind_ == ScheduleKind::SubVp) return beta(t) * -std::expm1(-2.0 * integratedBeta(t));
    return beta(t); // VP and DDPM kinds
}

// ---- prior -----------------------------------------------------------------

NoiseLevel NoiseSchedule::noisiest() const { return isDiscrete() ? level(numLevels()) : at(1.0); }

double NoiseSchedule::priorStd() const { return isVarianceExploding() ? sigmaMax_ : 1.0; }

double NoiseSchedule::priorMismatchKl(const Eigen::Vector2d& dataMean, const Eigen::Matrix2d& dataCov) const
{
    if (!dataMean.allFinite() || !dataCov.allFinite()) refuse("data mean and covariance must be finite");
    const double a = dataCov(0, 0), d = dataCov(1, 1), b = dataCov(0, 1), c = dataCov(1, 0);
    const double scale = std::abs(a) + std::abs(d) + std::abs(b) + std::abs(c);
    if (std::abs(b - c) > 1e-9 * scale)
        refuse("data covariance must be symmetric (got off-diagonal entries " + num(b) + " and " + num(c) + ")");
    // Eigenvalues of the symmetrised Sigma; the small one as det / large one,
    // which does not cancel for a thin (nearly singular) Sigma.
    const double off = 0.5 * (b + c);
    const double half = std::hypot(0.5 * (a - d), off);
    const double muHi = 0.5 * (a + d) + half;
    const double muLo = muHi > 0.0 ? (a * d - off * off) / muHi : 0.5 * (a + d) - half;
    if (muLo < -1e-12 * scale)
        refuse("data covariance must be positive semi-definite (smallest eigenvalue " + num(muLo) + ")");

    // S0 = mean^2 Sigma + std^2 I shares Sigma's eigenvectors, so with Sigma's
    // eigenvalues mu_i and delta_i = (mean^2 mu_i + std^2 - p^2) / p^2:
    //   KL = 1/2 [ sum_i (delta_i - log(1 + delta_i)) + mean^2 |mu|^2 / p^2 ].
    // This form keeps its relative accuracy when KL is tiny (the prior nearly
    // right), where tr - 2 + log det ratios would cancel to ~1e-15 absolute.
    const Marginal m = noisiest().marginal;
    const double p2 = priorStd() * priorStd();
    const double m2 = m.mean * m.mean, s2 = m.std * m.std;
    double kl = m2 * dataMean.squaredNorm() / p2;
    for (const double mu : {muHi, muLo}) {
        const double delta = (m2 * mu + (s2 - p2)) / p2;
        // 1 + delta > 0 since std > 0 at the noisiest level and mu >= -tiny.
        kl += delta - std::log1p(delta);
    }
    kl *= 0.5;
    return std::max(kl, 0.0); // rounding can leave -1e-16 when the prior matches exactly
}

std::vector<double> NoiseSchedule::annealedStepSizes(double eps) const
{
    if (!positiveFinite(eps)) refuse("Langevin step size eps must be positive and finite (got " + num(eps) + ")");
    std::vector<double> out = sigmas();
    if (out.empty()) return out;
    const double smallest = out.back();
    for (double& v : out) v = eps * (v / smallest) * (v / smallest);
    return out;
}

// ---- custom curve ----------------------------------------------------------

namespace {
// Index i of the segment [u_i, u_{i+1}] holding u (the right one at a knot).
std::size_t curveSegment(const std::vector<CurvePoint>& curve, double u)
{
    const auto it = std::upper_bound(curve.begin(), curve.end(), u,
                                     [](double value, const CurvePoint& p) { return value < p.u; });
    const std::ptrdiff_t i = std::distance(curve.begin(), it) - 1;
    return std::size_t(std::clamp<std::ptrdiff_t>(i, 0, std::ptrdiff_t(curve.size()) - 2));
}
} // namespace

double NoiseSchedule::curveLogSigma(double u) const
{
    // Ends exact so that sigma(0) = sigma_min and sigma(1) = sigma_max bit for bit.
    if (u <= 0.0) return curve_.front().logSigma;
    if (u >= 1.0) return curve_.back().logSigma;
    const std::size_t i = curveSegment(curve_, u);
    const CurvePoint& p = curve_[i];
    const CurvePoint& q = curve_[i + 1];
    return p.logSigma + (u - p.u) / (q.u - p.u) * (q.logSigma - p.logSigma);
}

double NoiseSchedule::curveSlope(double u) const
{
    const std::size_t i = curveSegment(curve_, std::clamp(u, 0.0, 1.0));
    return (curve_[i + 1].logSigma - curve_[i].logSigma) / (curve_[i + 1].u - curve_[i].u);
}

} // namespace ss

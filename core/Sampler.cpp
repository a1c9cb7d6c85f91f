#include "core/Sampler.h"

#include "core/Error.h"
#include "core/FastSamplers.h"
#include "core/SamplerDefaults.h"
#include "core/StepParts.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace ss {

namespace {

NoiseLevel cleanLevel() { return NoiseLevel{{1.0, 0.0}, 0.0}; }

// DDIM's subsequence tau_1 < ... < tau_S of {1..T} (increasing).
std::vector<int> ddimTimes(int T, int S, DdimSpacing spacing)
{
    std::vector<int> taus;
    for (int i = 1; i <= S; ++i) {
        int tau = 1;
        switch (spacing) {
        case DdimSpacing::Uniform: tau = 1 + int((std::int64_t(i - 1) * T) / S); break;
        case DdimSpacing::Trailing: tau = int(std::lround(double(i) * T / S)); break;
        case DdimSpacing::Quadratic: {
            const double u = S > 1 ? double(i - 1) / (S - 1) : 0.0;
            tau = 1 + int(u * u * 0.8 * T);
            break;
        }
        }
        // Strictly increasing and inside [1, T], whatever the rounding did.
        if (!taus.empty()) tau = std::max(tau, taus.back() + 1);
        taus.push_back(std::clamp(tau, 1, T));
    }
    taus.erase(std::unique(taus.begin(), taus.end()), taus.end());
    return taus;
}

// Forward transition between two marginals of one process: x_from = r x_to +
// sqrt(G2) z with r = mean_from / mean_to, G2 = std_from^2 - r^2 std_to^2.
struct Transition {
    double r, g2;
};
Transition transition(const NoiseLevel& from, const NoiseLevel& to)
{
    const double r = from.marginal.mean / to.marginal.mean;
    const double g2 = from.marginal.std * from.marginal.std - r * r * to.marginal.std * to.marginal.std;
    return {r, std::max(g2, 0.0)};
}

double meanColumnNorm(const Eigen::Matrix2Xd& m) { return m.cols() ? m.colwise().norm().mean() : 0.0; }

} // namespace

Sampler::Sampler(const SamplerConfig& config, const NoiseSchedule& schedule,
                 std::shared_ptr<const ScoreSource> source, int threads)
    : config_(config), schedule_(schedule), source_(std::move(source)), pool_(threads), rng_(config.seed),
      trajectory_(config.recordEvery, config.recordBytes)
{
    config_.validate();
    if (!source_) throw InputError("sampler: no score source");
    check(schedule_, *source_);
    reset();
}

void Sampler::check(const NoiseSchedule& schedule, const ScoreSource& source) const
{
    const std::string name = samplerKindName(config_.kind);
    switch (config_.kind) {
    case SamplerKind::AnnealedLangevin:
        if (!schedule.isVarianceExploding())
            throw InputError("annealed Langevin needs a VE schedule (sigma levels), not '" + schedule.name() + "'");
        break;
    case SamplerKind::Ddpm:
    case SamplerKind::Ddim:
        if (schedule.betas().empty())
            throw InputError(name + " needs a discrete DDPM schedule (ddpm-linear, ddpm-cosine or ddpm-betas), not '" +
                             schedule.name() + "'");
        if (config_.kind == SamplerKind::Ddim && config_.ddimSteps > schedule.numLevels())
            throw InputError("DDIM steps (" + std::to_string(config_.ddimSteps) + ") exceed the schedule's T = " +
                             std::to_string(schedule.numLevels()));
        break;
    case SamplerKind::Edm: {
        const double lo = edmSigmaRange(schedule, source, false), hi = edmSigmaRange(schedule, source, true);
        const double sLo = edmSigma(schedule.sdeMarginal(0.0)), sHi = edmSigma(schedule.sdeMarginal(1.0));
        if (hi > sHi * (1 + 1e-9) || lo < sLo * (1 - 1e-9))
            throw InputError("EDM sigma range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                             "] (sigma = std/mean) is outside the schedule's [" + std::to_string(sLo) + ", " +
                             std::to_string(sHi) + "]");
        if (levelAtSigma(schedule, lo).marginal.std < source.minimumStd())
            throw InputError("EDM sigma_min " + std::to_string(lo) + " is below the smallest noise the score " +
                             source.describe() + " is defined at");
        break;
    }
    default: break;
    }
    // The run is planned step by step (~64 bytes a step): bound it.
    long long planned = 0;
    switch (config_.kind) {
    case SamplerKind::Langevin: planned = config_.steps; break;
    case SamplerKind::AnnealedLangevin:
        planned = (long long)(schedule.isDiscrete() ? schedule.numLevels() : config_.annealedLevels) *
                  config_.stepsPerLevel;
        break;
    case SamplerKind::Ddpm: planned = schedule.numLevels(); break;
    case SamplerKind::Ddim: planned = config_.ddimSteps; break;
    case SamplerKind::ReverseSde:
    case SamplerKind::PredictorCorrector: planned = config_.steps; break;
    case SamplerKind::ProbabilityFlow: break;
    case SamplerKind::Edm: planned = config_.edmSteps; break;
    case SamplerKind::DpmSolver:
    case SamplerKind::DpmSolverPp: planned = config_.dpmSteps; break;
    }
    if (planned > kMaxPlannedSteps)
        throw InputError("the run would take " + std::to_string(planned) + " steps; at most " +
                         std::to_string(kMaxPlannedSteps) + " are allowed");
    if (config_.kind == SamplerKind::Langevin && config_.langevinStd < source.minimumStd())
        throw InputError("the score " + source.describe() +
                         " is not defined on clean data: set the Langevin noise level above 0");
}

NoiseLevel Sampler::langevinLevel() const
{
    const double sd = config_.langevinStd;
    if (sd <= 0) return cleanLevel();
    // The schedule's own level with that std (its t, and its mean for VP), so a
    // time-conditioned or VP-trained network sees a level it was trained on.
    const double lo = schedule_.sdeMarginal(0.0).marginal.std, hi = schedule_.sdeMarginal(1.0).marginal.std;
    if (sd < lo || sd > hi) {
        if (!schedule_.isVarianceExploding())
            throw InputError("Langevin noise level " + std::to_string(sd) + " is outside the schedule's range [" +
                             std::to_string(lo) + ", " + std::to_string(hi) + "]");
        return NoiseLevel{{1.0, sd}, sd < lo ? 0.0 : 1.0}; // VE: mean 1 anyway; t clamped
    }
    double a = 0.0, b = 1.0; // std grows with t: bisection
    for (int i = 0; i < 60; ++i) {
        const double m = 0.5 * (a + b);
        (schedule_.sdeMarginal(m).marginal.std < sd ? a : b) = m;
    }
    NoiseLevel level = schedule_.sdeMarginal(0.5 * (a + b));
    level.marginal.std = sd;
    return level;
}

double Sampler::odeEnd(const NoiseSchedule& schedule)
{
    // Continuous VP/sub-VP: stop at t = 1e-3 (std ~ 0.04), as Song et al. sample;
    // closer to 0 the score grows like 1/std and fixed steps blow up.
    const bool vp = schedule.kind() == ScheduleKind::Vp || schedule.kind() == ScheduleKind::SubVp;
    return vp ? 1e-3 : schedule.tEpsilon();
}

std::vector<Sampler::Stage> Sampler::plan(double tStart) const
{
    std::vector<Stage> out;
    const bool encode = config_.direction == Direction::DataToNoise;
    const auto fromLevel = [&](int k) { return k > 0 ? schedule_.level(k) : cleanLevel(); };
    const int T = schedule_.numLevels();
    const int kStart = std::clamp(int(std::lround(tStart * T)), 1, std::max(T, 1));
    switch (config_.kind) {
    case SamplerKind::Langevin: {
        const NoiseLevel level = langevinLevel();
        out.assign(std::size_t(config_.steps), Stage{level, level, config_.stepSize, false});
        break;
    }
    case SamplerKind::AnnealedLangevin: {
        std::vector<NoiseLevel> levels; // largest sigma first
        if (schedule_.isDiscrete()) {
            for (int k = T; k >= 1; --k) levels.push_back(schedule_.level(k));
        } else {
            const int L = config_.annealedLevels;
            for (int i = 0; i < L; ++i) levels.push_back(schedule_.sdeMarginal(L > 1 ? 1.0 - double(i) / (L - 1) : 1.0));
        }
        const double smallest = levels.back().marginal.std;
        for (const NoiseLevel& level : levels) {
            if (level.t > tStart + 1e-12) continue; // SDEdit / live re-plan: start lower
            const double ratio = level.marginal.std / smallest;
            const double alpha = config_.stepSize * ratio * ratio;
            for (int i = 0; i < config_.stepsPerLevel; ++i) out.push_back({level, level, alpha, false});
        }
        break;
    }
    case SamplerKind::Ddpm:
        for (int k = kStart; k >= 1; --k) out.push_back({fromLevel(k), fromLevel(k - 1), 0.0, k == 1});
        break;
    case SamplerKind::Ddim: {
        std::vector<int> taus = ddimTimes(T, config_.ddimSteps, config_.spacing);
        if (encode) {
            int previous = 0;
            for (int tau : taus) {
                if (schedule_.level(tau).t >= tStart - 1e-12) out.push_back({fromLevel(previous), fromLevel(tau)});
                previous = tau;
            }
        } else {
            std::erase_if(taus, [&](int tau) { return tau > kStart; });
            if (taus.empty()) taus.push_back(kStart);
            for (std::size_t i = taus.size(); i-- > 0;)
                out.push_back({fromLevel(taus[i]), fromLevel(i > 0 ? taus[i - 1] : 0), 0.0, i == 0});
        }
        break;
    }
    case SamplerKind::ReverseSde:
    case SamplerKind::PredictorCorrector: {
        const double tEnd = odeEnd();
        const double span = std::max(tStart - tEnd, 0.0);
        const int n = std::max(1, int(std::ceil(config_.steps * span / (1.0 - tEnd) - 1e-9)));
        for (int i = 0; i < n; ++i) {
            const double ta = tStart - span * i / n;
            const double tb = i + 1 == n ? tEnd : tStart - span * (i + 1) / n;
            out.push_back({schedule_.sdeMarginal(ta), schedule_.sdeMarginal(tb), 0.0, i + 1 == n});
        }
        break;
    }
    case SamplerKind::ProbabilityFlow: break; // steps its own time
    case SamplerKind::Edm: {
        // EDM's grid, from the level at tStart down (SDEdit and a re-plan start lower).
        const double hi = std::min(edmSigmaRange(schedule_, *source_, true), edmSigma(schedule_.sdeMarginal(tStart)));
        const double lo = std::min(edmSigmaRange(schedule_, *source_, false), hi);
        const std::vector<double> sigmas = edmSigmas(config_.edmSteps, lo, hi, config_.edmRho);
        for (std::size_t i = 0; i + 1 < sigmas.size(); ++i) {
            const NoiseLevel from = i == 0 ? levelAtSigma(schedule_, sigmas[0]) : out.back().to;
            const bool last = i + 2 == sigmas.size();
            out.push_back({from, last ? cleanLevel() : levelAtSigma(schedule_, sigmas[i + 1]), 0.0, last});
        }
        break;
    }
    case SamplerKind::DpmSolver:
    case SamplerKind::DpmSolverPp: {
        const double tEnd = odeEnd();
        const std::vector<NoiseLevel> levels =
            dpmLevels(schedule_, config_.dpmSteps, config_.dpmSpacing, std::max(tStart, tEnd), tEnd);
        for (std::size_t i = 0; i + 1 < levels.size(); ++i)
            out.push_back({levels[i], levels[i + 1], 0.0, i + 2 == levels.size()});
        break;
    }
    }
    return out;
}

void Sampler::startRun(double tStart)
{
    plan_ = plan(tStart);
    stage_ = 0;
    dpmLevels_.clear();
    dpmModels_.clear();
    if (config_.kind != SamplerKind::ProbabilityFlow) return;
    const bool encode = config_.direction == Direction::DataToNoise;
    const double tEnd = odeEnd();
    t_ = std::clamp(tStart, tEnd, 1.0);
    tTarget_ = encode ? 1.0 : tEnd;
    ode_.emplace(config_.ode, config_.rtol, config_.atol);
    odeSteps_ = std::max(1, int(std::ceil(config_.steps * std::abs(tTarget_ - t_) / (1.0 - tEnd) - 1e-9)));
    h_ = (tTarget_ - t_) / (config_.ode == OdeMethod::Rk45 ? 100 : odeSteps_);
}

void Sampler::reset()
{
    divergence_.reset();
    rng_.reseed(config_.seed);
    steps_ = 0;
    nfe_ = 0;
    trajectory_.clear();
    terms_ = {};
    const bool encode = config_.direction == Direction::DataToNoise;
    startRun(encode ? 0.0 : 1.0);
    if (encode) {
        x_.resize(2, 0); // the data come from resetFrom()
        return;
    }
    x_.resize(2, config_.particles);
    if (config_.start == StartKind::UniformBox) {
        for (Eigen::Index j = 0; j < x_.cols(); ++j)
            for (int i = 0; i < 2; ++i) x_(i, j) = rng_.uniform(config_.boxMin, config_.boxMax);
    } else {
        const double std = startStd();
        for (Eigen::Index j = 0; j < x_.cols(); ++j)
            for (int i = 0; i < 2; ++i) x_(i, j) = std * rng_.normal();
    }
    setRunawayBound();
    trajectory_.offer(0, level(), x_);
}

double Sampler::startStd() const
{
    // EDM's grid may start below the schedule's largest sigma: at that level.
    const bool edmBelow = config_.kind == SamplerKind::Edm && !plan_.empty() &&
                          edmSigma(plan_.front().from) < edmSigma(schedule_.sdeMarginal(1.0)) * (1 - 1e-9);
    return edmBelow ? plan_.front().from.marginal.std : schedule_.priorStd();
}

void Sampler::setRunawayBound()
{
    const double start = x_.cols() ? x_.cwiseAbs().maxCoeff() : 0.0;
    runaway_ = kRunaway * std::max({1.0, schedule_.priorStd(), start});
}

namespace {
void checkPoints(const Eigen::Matrix2Xd& points, const char* what)
{
    if (points.cols() == 0) throw InputError(std::string(what) + ": no points given");
    if (!points.allFinite()) throw InputError(std::string(what) + ": the points contain NaN or infinite coordinates");
}
} // namespace

void Sampler::resetFrom(const Eigen::Matrix2Xd& points)
{
    checkPoints(points, "sampler start");
    reset();
    x_ = points;
    setRunawayBound();
    trajectory_.clear();
    trajectory_.offer(0, level(), x_);
}

void Sampler::sdedit(const Eigen::Matrix2Xd& points, double t0)
{
    checkPoints(points, "SDEdit");
    if (config_.direction == Direction::DataToNoise) throw InputError("SDEdit runs from noise to data only");
    if (!(t0 > 0 && t0 <= 1)) throw InputError("SDEdit start level t0 must be in (0, 1] (got " + std::to_string(t0) + ")");
    const bool timeGrid = config_.kind == SamplerKind::ReverseSde || config_.kind == SamplerKind::PredictorCorrector ||
                          config_.kind == SamplerKind::ProbabilityFlow || config_.kind == SamplerKind::Edm ||
                          config_.kind == SamplerKind::DpmSolver || config_.kind == SamplerKind::DpmSolverPp;
    if (timeGrid && t0 <= odeEnd())
        throw InputError("SDEdit start level t0 = " + std::to_string(t0) + " must be above the sampler's end time t = " +
                         std::to_string(odeEnd()));
    reset();
    startRun(t0);
    if (!timeGrid && plan_.empty()) throw InputError("SDEdit: the schedule has no level at or below t0 = " + std::to_string(t0));
    const Marginal m = level().marginal;
    x_.resize(2, points.cols());
    for (Eigen::Index j = 0; j < x_.cols(); ++j)
        for (int i = 0; i < 2; ++i) x_(i, j) = m.mean * points(i, j) + m.std * rng_.normal();
    setRunawayBound();
    trajectory_.clear();
    trajectory_.offer(0, level(), x_);
}

void Sampler::setScoreSource(std::shared_ptr<const ScoreSource> source)
{
    if (!source) throw InputError("sampler: no score source");
    check(schedule_, *source);
    source_ = std::move(source);
}

void Sampler::setSchedule(const NoiseSchedule& schedule)
{
    check(schedule, *source_);
    const double t = timeNow();
    const NoiseSchedule previous = schedule_;
    schedule_ = schedule;
    try {
        startRun(t);
    } catch (...) {
        schedule_ = previous; // refused: the run goes on as it was
        startRun(t);
        throw;
    }
}

NoiseLevel Sampler::level() const
{
    if (config_.kind == SamplerKind::ProbabilityFlow) return schedule_.sdeMarginal(t_);
    if (plan_.empty()) return cleanLevel();
    return stage_ == 0 ? plan_.front().from : plan_[stage_ - 1].to;
}

double Sampler::timeNow() const { return level().t; }

bool Sampler::done() const
{
    if (x_.cols() == 0 || divergence_) return true;
    if (config_.kind == SamplerKind::ProbabilityFlow) return t_ == tTarget_;
    return stage_ >= plan_.size();
}

int Sampler::totalSteps() const
{
    if (config_.kind == SamplerKind::ProbabilityFlow)
        return config_.ode != OdeMethod::Rk45 ? odeSteps_ : done() ? steps_ : -1;
    return steps_ - int(stage_) + int(plan_.size());
}

bool Sampler::step()
{
    if (done()) return false;
    // Kept for undoing a step that goes non-finite: one copy of the particles,
    // small beside the step's score evaluations.
    before_ = x_;
    trace_ = {};
    const std::size_t stage = stage_;
    const double t0 = t_, h0 = h_;
    bool nonFinite = false;
    if (config_.kind == SamplerKind::ProbabilityFlow) {
        odeNonFinite_ = false;
        try {
            odeStep();
        } catch (const InputError&) {
            if (!odeNonFinite_) throw; // not a divergence (e.g. RK45's step underflow): the caller reports it
            nonFinite = true;
        }
    } else {
        runStage(plan_[stage_++]);
    }
    // allFinite() first: a NaN compares false, so the bound alone would miss it.
    if (nonFinite || !x_.allFinite() || (x_.cols() && x_.cwiseAbs().maxCoeff() > runaway_)) {
        // Undo the step: the last finite particles stay, at the level they were at.
        x_.swap(before_);
        stage_ = stage;
        t_ = t0;
        h_ = h0;
        terms_.drift.setZero(2, x_.cols());
        terms_.score.setZero(2, x_.cols());
        terms_.noise.setZero(2, x_.cols());
        trace_ = {};
        divergence_ = describeStep(config_.kind == SamplerKind::ProbabilityFlow ? nullptr : &plan_[stage], h0);
        trajectory_.offer(steps_, level(), x_, true);
        return true;
    }
    ++steps_;
    if (tracing()) trace_.step = steps_;
    trajectory_.offer(steps_, level(), x_, done());
    return true;
}

int Sampler::run(int maxSteps)
{
    int taken = 0;
    while (taken < maxSteps && step()) ++taken;
    return taken;
}

// ---- primitives ------------------------------------------------------------------

void Sampler::evalScore(const Eigen::Matrix2Xd& x, const NoiseLevel& level, Eigen::Matrix2Xd& out)
{
    out.resize(2, x.cols());
    scoreParallel(*source_, x, level, out, pool_);
    ++nfe_;
}

void Sampler::drawNoise(Eigen::Matrix2Xd& z)
{
    // In pieces of kNoisePiece particles, each from its own stream split off
    // the sampler's generator (which then advances once): the pieces are drawn
    // on every core (serial, the normals were a sixth of a Langevin step with
    // the network), and the noise depends on the seed alone, not on the
    // number of threads or on which core drew which piece.
    constexpr int kNoisePiece = 2048;
    z.resize(2, x_.cols());
    const Rng base = rng_;
    rng_.next();
    pool_.parallelForBalanced(int(z.cols()), kNoisePiece, [&](int begin, int end) {
        for (int start = begin; start < end; start += kNoisePiece) {
            Rng piece = base.split(std::uint64_t(start / kNoisePiece));
            for (int j = start; j < std::min(end, start + kNoisePiece); ++j) piece.normalPair(z(0, j), z(1, j));
        }
    });
}

void Sampler::runStage(const Stage& s)
{
    const bool conditioned = config_.fixCoordinate >= 0;
    const bool moves = s.from.marginal.std != s.to.marginal.std;
    const int rounds = conditioned && moves ? config_.resampleRounds : 1;
    for (int u = 0; u < rounds; ++u) {
        if (u > 0) {
            renoise(s.from, s.to);
            trace_.parts.clear(); // the step-through shows the last round
        }
        switch (config_.kind) {
        case SamplerKind::Langevin:
        case SamplerKind::AnnealedLangevin:
            evalScore(x_, s.from, s_);
            drawNoise(z_);
            terms_.drift.setZero(2, x_.cols());
            terms_.score = (0.5 * s.stepSize) * s_;
            terms_.noise = std::sqrt(s.stepSize) * z_;
            if (tracing())
                record(parts::langevin(config_.kind == SamplerKind::AnnealedLangevin, s.stepSize, config_.stepSize, s.from,
                                       s_, z_),
                       x_);
            x_ += terms_.score + terms_.noise;
            break;
        case SamplerKind::Ddpm:
        case SamplerKind::Ddim: predictor(s, Predictor::Ancestral); break; // DDIM: its own branch inside
        case SamplerKind::ReverseSde: predictor(s, Predictor::EulerMaruyama); break;
        case SamplerKind::PredictorCorrector: {
            predictor(s, config_.predictor);
            const double r = s.from.marginal.mean / s.to.marginal.mean;
            for (int m = 0; m < config_.correctorSteps; ++m) corrector(s.to, r * r, m + 1);
            break;
        }
        case SamplerKind::ProbabilityFlow: break;
        case SamplerKind::Edm: edmRun(s); break;
        case SamplerKind::DpmSolver:
        case SamplerKind::DpmSolverPp: dpmRun(s); break;
        }
        if (conditioned) replaceFixed(s.to);
    }
}

void Sampler::predictor(const Stage& s, Predictor kind)
{
    const Marginal from = s.from.marginal, to = s.to.marginal;
    const auto n = x_.cols();
    const bool encode = config_.direction == Direction::DataToNoise;
    // DDIM encoding from clean data evaluates eps at the target level (eps is
    // undefined at std 0); every other step at the level the particles are at.
    const NoiseLevel& at = encode && from.std <= 0 ? s.to : s.from;
    evalScore(x_, at, s_);
    double noiseStd = 0;
    // The step-through's part, built once the noise is drawn (only while following).
    std::function<PartSpec()> part;
    const char* pc = config_.kind == SamplerKind::PredictorCorrector ? "predictor: " : ""; // the title's prefix
    if (config_.kind == SamplerKind::Ddim) {
        const double cx = to.mean / from.mean;
        terms_.drift = (cx - 1.0) * x_;
        if (encode) {
            // x_to = cx (x - std_from eps) + std_to eps: the inverse of decoding.
            terms_.score = (to.std - cx * from.std) * -at.marginal.std * s_;
            if (tracing())
                part = [&] { return parts::ddim(true, 0.0, s.from, s.to, at.marginal.std, to.std, 0.0, x_, s_, z_); };
        } else {
            const double ratio = from.mean / to.mean;
            const double sigma = config_.eta * (to.std / from.std) * std::sqrt(std::max(0.0, 1.0 - ratio * ratio));
            const double keep = std::sqrt(std::max(0.0, to.std * to.std - sigma * sigma));
            terms_.score = (cx * from.std * from.std - keep * from.std) * s_;
            noiseStd = sigma;
            if (tracing())
                part = [&, keep, sigma] {
                    return parts::ddim(false, config_.eta, s.from, s.to, from.std, keep, sigma, x_, s_, z_);
                };
        }
    } else if (kind == Predictor::EulerMaruyama) {
        const double t = s.from.t, dt = s.from.t - s.to.t;
        const double f = schedule_.driftCoefficient(t), g2 = schedule_.diffusionSquared(t);
        terms_.drift = (-f * dt) * x_;
        terms_.score = (g2 * dt) * s_;
        noiseStd = std::sqrt(g2 * dt);
        if (tracing())
            part = [&, t, dt, f, g2] {
                return parts::eulerMaruyama(*pc ? std::string(pc) + "Euler–Maruyama" : "reverse SDE (Euler–Maruyama)", t, dt, f,
                                            g2, x_, s_, z_);
            };
    } else if (kind == Predictor::ReverseDiffusion) {
        const Transition tr = transition(s.from, s.to);
        terms_.drift = (1.0 - tr.r) * x_;
        terms_.score = tr.g2 * s_;
        noiseStd = std::sqrt(tr.g2);
        if (tracing())
            part = [&, tr] { return parts::reverseDiffusion(std::string(pc) + "reverse diffusion", s.from.t, tr.r, tr.g2, x_, s_, z_); };
    } else {
        // Ancestral: the Gaussian posterior q(x_to | x_from, x0) at Tweedie's
        // x0_hat = (x + std^2 s) / mean; DDPM's step for DDPM levels.
        const Transition tr = transition(s.from, s.to);
        const double from2 = from.std * from.std, to2 = to.std * to.std;
        const double cx = (tr.r * to2 + tr.g2 * to.mean / from.mean) / from2;
        terms_.drift = (cx - 1.0) * x_;
        terms_.score = (tr.g2 * to.mean / from.mean) * s_;
        const bool tilde = config_.kind != SamplerKind::Ddpm || config_.ddpmVariance == DdpmVariance::BetaTilde;
        noiseStd = s.last ? 0.0 : std::sqrt(tilde ? to2 * tr.g2 / from2 : tr.g2);
        if (tracing())
            part = [&, tr, cx, noiseStd] {
                const std::string title = config_.kind == SamplerKind::Ddpm ? "DDPM (ancestral)" : std::string(pc) + "ancestral";
                return parts::ancestral(title, s.from, tr.r, tr.g2, cx, tr.g2 * to.mean / from.mean, noiseStd, x_, s_, z_);
            };
    }
    if (noiseStd > 0) {
        drawNoise(z_);
        terms_.noise = noiseStd * z_;
    } else {
        terms_.noise.setZero(2, n);
        if (part) z_.setZero(2, n); // the part's noise column (no draw: the random stream stays the same)
    }
    if (part) record(part(), x_);
    x_ += terms_.drift + terms_.score + terms_.noise;
}

void Sampler::corrector(const NoiseLevel& level, double alpha, int m)
{
    // Song et al.'s Langevin corrector: the step makes the noise norm snr times
    // the score norm (norms averaged over the particles).
    evalScore(x_, level, s_);
    drawNoise(z_);
    const double sNorm = meanColumnNorm(s_), zNorm = meanColumnNorm(z_);
    if (!(sNorm > 0)) return;
    const double ratio = config_.snr * zNorm / sNorm;
    const double e = 2.0 * alpha * ratio * ratio;
    terms_.score += e * s_;
    terms_.noise += std::sqrt(2.0 * e) * z_;
    if (tracing()) record(parts::corrector(m, config_.correctorSteps, level, config_.snr, alpha, sNorm, zNorm, e, s_, z_), x_);
    x_ += e * s_ + std::sqrt(2.0 * e) * z_;
}

void Sampler::odeStep()
{
    // v(x, t) = f(t) x - 1/2 g(t)^2 s(x, t) (docs/reference/samplers.md#probability-flow-ode).
    const int stages = ode_->stagesPerStep();
    odeVelocities_.clear();
    const OdeRhs velocity = [&](double t, const Eigen::MatrixXd& y, Eigen::MatrixXd& dy) {
        Eigen::Matrix2Xd sc;
        evalScore(y, schedule_.sdeMarginal(t), sc);
        const double f = schedule_.driftCoefficient(t), g2 = schedule_.diffusionSquared(t);
        dy = f * y - (0.5 * g2) * sc;
        if (!dy.allFinite()) odeNonFinite_ = true; // the solver throws next: step() reads it as divergence
        if (!tracing()) return;
        if (int(odeVelocities_.size()) == stages) { // RK45 retries with a smaller h: stages 2.. again
            odeVelocities_.resize(1);
            trace_.parts.resize(1);
        }
        odeVelocities_.push_back(dy);
        const int i = int(odeVelocities_.size());
        trace_.parts.push_back(tracePart(parts::odeStage(i, stages, t, f, g2, sc, dy), y, followed_));
    };
    const double t0 = t_;
    const Eigen::Matrix2Xd x0 = x_;
    Eigen::MatrixXd y = x_;
    double h = h_;
    // Fixed steps: land on the target in the planned count, never a sliver after.
    if (config_.ode != OdeMethod::Rk45 && std::abs(tTarget_ - t_) < 1.5 * std::abs(h_)) h = tTarget_ - t_;
    double hNext = h;
    t_ = ode_->step(velocity, t_, tTarget_, h, y, hNext);
    if (config_.ode == OdeMethod::Rk45) h_ = hNext;
    x_ = y;
    terms_.drift = ((t_ - t0) * schedule_.driftCoefficient(t0)) * x0;
    terms_.score = x_ - x0 - terms_.drift;
    terms_.noise.setZero(2, x_.cols());
    if (tracing())
        record(parts::odeSum(odeMethodName(config_.ode), t_ - t0, OdeSolver::weights(config_.ode), odeVelocities_), x0);
    if (config_.fixCoordinate >= 0) replaceFixed(level());
}

void Sampler::replaceFixed(const NoiseLevel& level)
{
    const int c = config_.fixCoordinate;
    const Eigen::Matrix2Xd before = tracing() ? x_ : Eigen::Matrix2Xd();
    const bool pinned = config_.fixPinned;
    for (Eigen::Index j = 0; j < x_.cols(); ++j)
        x_(c, j) = level.marginal.mean * config_.fixValue + (pinned ? 0.0 : level.marginal.std * rng_.normal());
    if (!tracing()) return;
    const std::string x = c == 0 ? "x₁" : "x₂";
    PartSpec spec;
    spec.title = "inpainting: " + x + (pinned ? " pinned" : " replaced");
    spec.equation = pinned ? x + "′ = m·a  (the fixed value a, scaled to this level, no noise: the conditional score)"
                           : x + "′ = m·a + σ·z  (the fixed value a, noised to this level)";
    spec.constants = {{"a", config_.fixValue}, {"m", level.marginal.mean}, {"σ", level.marginal.std}};
    const Eigen::Matrix2Xd moved = x_ - before;
    spec.terms = {{x + " replaced", TermKind::Replace, Combo(1.0, moved)}};
    record(spec, before);
}

void Sampler::follow(std::vector<Eigen::Index> columns)
{
    std::vector<Eigen::Index> kept;
    for (Eigen::Index j : columns)
        if (j >= 0 && std::find(kept.begin(), kept.end(), j) == kept.end()) kept.push_back(j);
    followed_ = std::move(kept);
    if (!tracing()) trace_ = {};
}

void Sampler::renoise(const NoiseLevel& from, const NoiseLevel& to)
{
    const Transition tr = transition(from, to);
    drawNoise(z_);
    x_ = tr.r * x_ + std::sqrt(tr.g2) * z_;
}

Divergence Sampler::describeStep(const Stage* s, double h) const
{
    Divergence d;
    d.step = steps_ + 1;
    d.totalSteps = totalSteps();
    d.kind = config_.kind;
    d.level = s ? s->from : level();
    const double std = d.level.marginal.std;
    switch (config_.kind) {
    case SamplerKind::Langevin:
    case SamplerKind::AnnealedLangevin:
        d.stepSize = s->stepSize;
        d.limitStd = std;
        if (std <= 0) {
            // Clean data: no bound from the level; an exact mixture's -Hessian of
            // log p is at most the inverse of its narrowest component's variance
            // (the responsibility term only lowers it), so its std sets the limit.
            const auto* exact = dynamic_cast<const ExactScoreSource*>(source_.get());
            if (exact && exact->data().mixture) {
                double narrowest = 0;
                for (const Eigen::Matrix2d& c : exact->data().mixture->covariances()) {
                    const double v = Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d>(c).eigenvalues()(0);
                    narrowest = narrowest > 0 ? std::min(narrowest, v) : v;
                }
                if (narrowest > 0) {
                    d.limitStd = std::sqrt(narrowest);
                    d.limitFromData = true;
                }
            }
        }
        if (d.limitStd > 0) d.stableLimit = langevinStepLimit(d.limitStd);
        // alpha_l = eps (sigma_l / sigma_min)^2: the eps whose alpha_l is the limit at this level.
        if (config_.kind == SamplerKind::AnnealedLangevin && d.stableLimit > 0 && s->stepSize > 0)
            d.epsLimit = config_.stepSize * d.stableLimit / s->stepSize;
        break;
    case SamplerKind::ReverseSde:
    case SamplerKind::PredictorCorrector: d.stepSize = s->from.t - s->to.t; break;
    case SamplerKind::ProbabilityFlow: d.stepSize = std::abs(h); break;
    case SamplerKind::Edm: d.stepSize = edmSigma(s->from) - (s->last ? 0.0 : edmSigma(s->to)); break;
    case SamplerKind::DpmSolver:
    case SamplerKind::DpmSolverPp: d.stepSize = logSnrHalf(s->to) - logSnrHalf(s->from); break;
    case SamplerKind::Ddpm:
    case SamplerKind::Ddim: break;
    }
    return d;
}

std::string Divergence::describe(bool unicode) const
{
    const char* sigma = unicode ? "\u03c3" : "sigma";
    const char* approx = unicode ? "\u2248" : "~";
    const auto g = [](double v) {
        char b[32];
        std::snprintf(b, sizeof b, "%.3g", v);
        return std::string(b);
    };
    std::string out = "the sampler diverged at step " + std::to_string(step);
    if (totalSteps > 0) out += " of " + std::to_string(totalSteps);
    out += ", at " + std::string(sigma) + " = " + g(level.marginal.std) + ": ";
    const std::string checkModel = "check the model, or compare with the exact score";
    switch (kind) {
    case SamplerKind::Langevin:
    case SamplerKind::AnnealedLangevin: {
        const bool annealed = kind == SamplerKind::AnnealedLangevin;
        const std::string name = annealed ? (unicode ? "\u03b1" : "alpha") : (unicode ? "\u03b7" : "eta");
        if (stableLimit <= 0) {
            out += "the step size " + name + " = " + g(stepSize) + " is too large for the score of the clean data (its " +
                   "stable limit is 4 times the data's smallest local variance); lower it, or follow the score at " +
                   sigma + " > 0";
        } else if (stepSize > stableLimit) {
            const std::string sq = unicode ? "\u00b2" : "^2";
            out += "the step size " + name + " = " + g(stepSize) + " is above the stable limit " + approx + " " +
                   g(stableLimit) +
                   (limitFromData ? " (4w" + sq + ", w = " + g(limitStd) + " the narrowest mode's std)"
                                  : " (4" + std::string(sigma) + sq + ")");
            if (annealed && epsLimit > 0)
                out += "; set the step size " + std::string(unicode ? "\u03b5" : "eps") + " below " + g(epsLimit);
            else out += "; set it below " + g(stableLimit);
        } else {
            out += "the step size " + name + " = " + g(stepSize) + " is within the stable limit " + approx + " " +
                   g(stableLimit) + ", so the score itself is not finite or far off there; " + checkModel;
        }
        break;
    }
    case SamplerKind::ReverseSde:
        out += "the particles ran away with time steps dt = " + g(stepSize) + "; use more time steps, or " + checkModel;
        break;
    case SamplerKind::PredictorCorrector:
        out += "the particles ran away with time steps dt = " + g(stepSize) +
               "; use more time steps or a lower corrector SNR, or " + checkModel;
        break;
    case SamplerKind::ProbabilityFlow:
        out += "the probability-flow velocity went non-finite (step h = " + g(stepSize) +
               "); use RK45 or more time steps, or " + checkModel;
        break;
    case SamplerKind::Edm:
        out += "the particles ran away on a sigma step of " + g(stepSize) + "; use more EDM steps, or " + checkModel;
        break;
    case SamplerKind::DpmSolver:
    case SamplerKind::DpmSolverPp:
        out += "the particles ran away on a lambda step of " + g(stepSize) +
               "; use more steps or a lower order, or " + checkModel;
        break;
    case SamplerKind::Ddpm:
    case SamplerKind::Ddim:
        out += "the particles ran away at this level (the step has no size to lower), so the score is not finite "
               "or far off there; " + checkModel;
        break;
    }
    return out;
}

} // namespace ss

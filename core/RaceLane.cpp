// RaceLane: one configuration at one step count (core/Race.h: what "steps"
// means, the shared start), and the respaced DDPM it runs at S < T.
#include "core/Race.h"

#include "core/Error.h"
#include "core/Rng.h"
#include "core/SamplerDefaults.h"
#include "core/ScheduleDefaults.h"

#include <algorithm>
#include <cmath>

namespace ss {

namespace {

std::string quoted(const std::string& name) { return "configuration '" + name + "'"; }

// Respaced DDPM (Nichol & Dhariwal 2021): the levels round(i T / S) of the
// schedule, i = 1..S (the last is T, where the prior is), as a DDPM schedule
// of S levels with betas 1 - abar_i / abar_(i-1). Its level i has the
// marginal of original level tau_i; times[i - 1] = tau_i / T is the time the
// original gives it (the network's time input).
NoiseSchedule respacedDdpm(const NoiseSchedule& s, int steps, std::vector<double>& times)
{
    const int T = s.numLevels();
    std::vector<double> betas;
    int previous = 0;
    for (int i = 1; i <= steps; ++i) {
        const int tau = std::max(previous + 1, int(std::lround(double(i) * T / steps)));
        betas.push_back(1.0 - s.alphaBar(tau) / s.alphaBar(previous));
        times.push_back(s.level(tau).t);
        previous = tau;
    }
    return NoiseSchedule::ddpmBetas(std::move(betas));
}

// A score source seen through a respaced schedule: level i of the respaced
// schedule (time i / S) is shown to the source with its original time, so a
// time-conditioned network sees the level it was trained on (the marginal is
// already the original's).
class RetimedSource final : public ScoreSource {
public:
    RetimedSource(std::shared_ptr<const ScoreSource> inner, std::vector<double> times)
        : inner_(std::move(inner)), times_(std::move(times))
    {
    }
    void score(const Eigen::Ref<const Eigen::Matrix2Xd>& x, const NoiseLevel& level,
               Eigen::Ref<Eigen::Matrix2Xd> out) const override
    {
        inner_->score(x, retimed(level), out);
    }
    double minimumStd() const override { return inner_->minimumStd(); }
    DataExtent dataExtent() const override { return inner_->dataExtent(); }
    std::string describe() const override { return inner_->describe(); }

private:
    NoiseLevel retimed(NoiseLevel level) const
    {
        const int S = int(times_.size());
        const int i = int(std::lround(level.t * S));
        if (i >= 1 && i <= S) level.t = times_[std::size_t(i - 1)];
        return level;
    }
    std::shared_ptr<const ScoreSource> inner_;
    std::vector<double> times_;
};

// The configuration's sampler at S steps (Race.h: what "steps" means).
SamplerConfig atSteps(SamplerConfig c, int steps, const NoiseSchedule& schedule)
{
    switch (c.kind) {
    case SamplerKind::Langevin:
    case SamplerKind::ReverseSde:
    case SamplerKind::PredictorCorrector:
    case SamplerKind::ProbabilityFlow: c.steps = steps; break;
    case SamplerKind::Ddim: c.ddimSteps = steps; break;
    case SamplerKind::Edm: c.edmSteps = steps; break;
    case SamplerKind::DpmSolver:
    case SamplerKind::DpmSolverPp: c.dpmSteps = steps; break;
    case SamplerKind::Ddpm: break; // the schedule is respaced instead
    case SamplerKind::AnnealedLangevin: {
        const int levels = schedule.isDiscrete() ? schedule.numLevels() : c.annealedLevels;
        c.stepsPerLevel = std::max(1, int(std::lround(double(steps) / levels)));
        break;
    }
    }
    return c;
}

} // namespace

NoiseSchedule defaultRaceSchedule(SamplerKind kind, const Dataset& data)
{
    switch (kind) {
    case SamplerKind::Ddpm:
    case SamplerKind::Ddim: return NoiseSchedule::ddpmLinear(1000);
    case SamplerKind::Langevin:
    case SamplerKind::AnnealedLangevin: return NoiseSchedule::geometric(0.01, derivedSigmaMax(dataDiameter(data), 0.01), 10);
    default: return NoiseSchedule::vp();
    }
}

Eigen::Matrix2Xd raceNoise(std::uint64_t seed, int particles)
{
    Rng rng(seed);
    Eigen::Matrix2Xd z(2, particles);
    for (Eigen::Index j = 0; j < z.cols(); ++j)
        for (int i = 0; i < 2; ++i) z(i, j) = rng.normal();
    return z;
}

bool raceAdaptive(const SamplerConfig& c) { return c.kind == SamplerKind::ProbabilityFlow && c.ode == OdeMethod::Rk45; }

RaceLane::RaceLane(const RaceScores& scores, const RaceEntry& entry, int steps, int particles, std::uint64_t seed,
                   int threads)
{
    const std::string where = quoted(entry.name) + ": ";
    try {
        std::shared_ptr<const ScoreSource> source = entry.score == RaceScore::Learned ? scores.learned : scores.exact;
        if (!source)
            throw InputError(entry.score == RaceScore::Learned
                                 ? "score: 'learned' needs a model (scorescope-cli race --model M.json)"
                                 : "score: 'exact' needs the data");
        if (entry.schedule) schedule_ = *entry.schedule;
        else if (scores.modelSchedule) schedule_ = *scores.modelSchedule;
        else schedule_ = defaultRaceSchedule(entry.sampler.kind, *scores.data);
        scheduleName_ = schedule_.name();

        SamplerConfig c = atSteps(entry.sampler, steps, schedule_);
        c.particles = particles;
        c.seed = seed;
        c.recordEvery = 0;
        if (c.kind == SamplerKind::Ddpm) {
            if (schedule_.betas().empty())
                throw InputError("ddpm needs a discrete DDPM schedule (ddpm-linear, ddpm-cosine or ddpm-betas), not '" +
                                 schedule_.name() + "'");
            if (steps > schedule_.numLevels())
                throw InputError("ddpm steps (" + std::to_string(steps) + ") exceed the schedule's T = " +
                                 std::to_string(schedule_.numLevels()));
            if (steps < schedule_.numLevels()) {
                scheduleName_ += " respaced to " + std::to_string(steps);
                std::vector<double> times;
                schedule_ = respacedDdpm(schedule_, steps, times);
                source = std::make_shared<RetimedSource>(source, std::move(times));
            }
        }
        const double dataVariance = dataCurvatureVariance(scores.data.get());
        if (c.kind == SamplerKind::Langevin && !entry.langevinStdGiven)
            c.langevinStd = defaultLangevinStd(schedule_, entry.score == RaceScore::Learned ? scores.modelSigma : 0.0);
        // 0 where the schedule does not fit the sampler: the Sampler then says why.
        if (const double derived = defaultStepSize(c, schedule_, dataVariance); !entry.stepSizeGiven && derived > 0)
            c.stepSize = derived;
        sampler_ = std::make_unique<Sampler>(c, schedule_, source, threads);
        // The prior's std, or EDM's first level's below the schedule's largest sigma.
        sampler_->resetFrom(sampler_->startStd() * raceNoise(seed, particles));
    } catch (const InputError& e) {
        throw InputError(where + e.what());
    }
}

} // namespace ss

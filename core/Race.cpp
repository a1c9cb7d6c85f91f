#include "core/Race.h"

#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/NoiseFloor.h"
#include "core/Presets.h"
#include "core/Rng.h"
#include "core/SamplerDefaults.h"
#include "core/ScheduleDefaults.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

namespace ss {

namespace {

template <typename E, std::size_t N>
E fromName(const std::string& name, const std::pair<E, const char*> (&names)[N], const char* what)
{
    std::string known;
    for (const auto& [value, text] : names) {
        if (name == text) return value;
        known += (known.empty() ? "" : ", ") + std::string(text);
    }
    throw InputError("unknown " + std::string(what) + " '" + name + "' (" + known + ")");
}

template <typename E, std::size_t N>
std::string toName(E value, const std::pair<E, const char*> (&names)[N])
{
    for (const auto& [v, text] : names)
        if (v == value) return text;
    return "?";
}

constexpr std::pair<RaceScore, const char*> kScores[] = {{RaceScore::Learned, "learned"}, {RaceScore::Exact, "exact"}};
constexpr std::pair<RaceMetric, const char*> kMetrics[] = {
    {RaceMetric::Sw2, "sw2"}, {RaceMetric::Mmd, "mmd"}, {RaceMetric::Energy, "energy"}, {RaceMetric::Modes, "modes"}};
constexpr std::pair<RaceStatus, const char*> kStatuses[] = {{RaceStatus::Ok, "ok"}, {RaceStatus::Diverged, "diverged"}};

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

std::string raceScoreName(RaceScore s) { return toName(s, kScores); }
RaceScore raceScoreFromName(const std::string& name) { return fromName(name, kScores, "score source"); }
std::string raceMetricName(RaceMetric m) { return toName(m, kMetrics); }
RaceMetric raceMetricFromName(const std::string& name) { return fromName(name, kMetrics, "metric"); }
std::string raceStatusName(RaceStatus s) { return toName(s, kStatuses); }

bool RaceEntry::operator==(const RaceEntry& o) const
{
    const auto same = [](const std::optional<NoiseSchedule>& a, const std::optional<NoiseSchedule>& b) {
        return a.has_value() == b.has_value() && (!a || toJson(*a) == toJson(*b));
    };
    return name == o.name && sampler == o.sampler && score == o.score && same(schedule, o.schedule) &&
           stepSizeGiven == o.stepSizeGiven && langevinStdGiven == o.langevinStdGiven;
}

std::vector<int> defaultRaceSteps() { return {5, 10, 20, 50, 100, 200, 500, 1000}; }

void RaceSpec::validate(int maxEntries) const
{
    if (entries.empty() || int(entries.size()) > maxEntries)
        throw InputError("configurations: give 1 to " + std::to_string(maxEntries) + " (got " +
                         std::to_string(entries.size()) + ")");
    std::set<std::string> names;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const RaceEntry& e = entries[i];
        const std::string where = "configurations[" + std::to_string(i) + "]";
        if (e.name.empty()) throw InputError(where + ".name: empty (every configuration needs a name)");
        if (!names.insert(e.name).second) throw InputError(where + ".name: '" + e.name + "' is used twice");
        const SamplerConfig& c = e.sampler;
        const std::string at = "" + quoted(e.name) + ": sampler.";
        if (c.direction != Direction::NoiseToData)
            throw InputError(at + "direction: a race samples from noise to data (got " + directionName(c.direction) + ")");
        if (c.start != StartKind::Prior)
            throw InputError(at + "start: every configuration starts from the same prior draw (got " +
                             startKindName(c.start) + ")");
        if (c.fixCoordinate >= 0)
            throw InputError(at + "fixCoordinate: a race judges unconditioned samples against the data");
        try {
            c.validate();
        } catch (const InputError& err) {
            throw InputError(quoted(e.name) + ": sampler: " + err.what());
        }
    }
    if (steps.empty() || int(steps.size()) > kRaceMaxStepCounts)
        throw InputError("steps: give 1 to " + std::to_string(kRaceMaxStepCounts) + " step counts");
    for (std::size_t i = 0; i < steps.size(); ++i) {
        if (steps[i] < 1 || steps[i] > kRaceMaxSteps)
            throw InputError("steps: " + std::to_string(steps[i]) + " is outside [1, " +
                             std::to_string(kRaceMaxSteps) + "]");
        if (i > 0 && steps[i] <= steps[i - 1]) throw InputError("steps: must increase (" +
                                                                std::to_string(steps[i - 1]) + " then " +
                                                                std::to_string(steps[i]) + ")");
    }
    if (particles < 10 || particles > 1'000'000)
        throw InputError("particles: " + std::to_string(particles) + " is outside [10, 1000000]");
    if (projections < 1 || projections > 100'000)
        throw InputError("projections: " + std::to_string(projections) + " is outside [1, 100000]");
    if (metrics.empty()) throw InputError("metrics: name at least one (sw2, mmd, energy, modes)");
}

RaceScores RaceScores::ofData(std::shared_ptr<const Dataset> data, std::string presetId)
{
    if (!data) throw InputError("race: no data");
    RaceScores s;
    s.exact = std::make_shared<ExactScoreSource>(data);
    s.data = std::move(data);
    s.presetId = std::move(presetId);
    return s;
}

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
        sampler_->resetFrom(schedule_.priorStd() * raceNoise(seed, particles));
    } catch (const InputError& e) {
        throw InputError(where + e.what());
    }
}

namespace {

// 1/2 sum_k |w_k - true w_k|: the share of mass on the wrong modes.
double modeTv(const std::vector<double>& w, const GaussianMixture& mixture)
{
    double tv = 0;
    for (std::size_t k = 0; k < w.size(); ++k) tv += std::abs(w[k] - mixture.weights()[k]);
    return 0.5 * tv;
}

bool wants(const RaceSpec& spec, RaceMetric m)
{
    return std::find(spec.metrics.begin(), spec.metrics.end(), m) != spec.metrics.end();
}

RaceFloor raceFloor(const RaceSpec& spec, const RaceScores& scores)
{
    const Dataset& data = *scores.data;
    const GaussianMixture* mixture = data.mixture ? &*data.mixture : nullptr;
    RaceFloor f;
    SampleMetrics m;
    if (!scores.presetId.empty()) {
        m = presetNoiseFloor(scores.presetId, spec.particles, scores.floorSeed, data.points, mixture, spec.projections,
                             spec.seed);
        f.kind = "independent preset draw";
    } else {
        m = splitNoiseFloor(data.points, mixture, spec.projections, spec.seed);
        f.kind = "two halves of the data";
    }
    if (wants(spec, RaceMetric::Sw2)) f.sw2 = m.sw2;
    if (wants(spec, RaceMetric::Mmd)) f.mmd2 = m.mmd2;
    if (wants(spec, RaceMetric::Energy)) f.energy = m.energy;
    if (wants(spec, RaceMetric::Modes) && mixture) f.modeTv = modeTv(m.modeWeights, *mixture);
    return f;
}

void measure(RaceRow& row, const RaceSpec& spec, const Dataset& data)
{
    const Eigen::Matrix2Xd& p = row.particles;
    if (wants(spec, RaceMetric::Sw2)) row.sw2 = slicedWasserstein2(p, data.points, spec.projections, spec.seed);
    if (wants(spec, RaceMetric::Mmd)) row.mmd2 = mmdSquared(p, data.points, {}, spec.seed);
    if (wants(spec, RaceMetric::Energy)) row.energy = energyDistance(p, data.points, spec.seed);
    if (wants(spec, RaceMetric::Modes) && data.mixture) row.modeTv = modeTv(modeWeights(p, *data.mixture), *data.mixture);
}

} // namespace

RaceResult runRace(const RaceSpec& spec, const RaceScores& scores, const RaceOptions& options)
{
    json::located("race", [&] {
        spec.validate();
        return 0;
    });
    if (!scores.data || !scores.exact) throw InputError("race: no data (RaceScores::ofData)");
    // Every configuration must run at the smallest step count before any runs.
    for (const RaceEntry& e : spec.entries) RaceLane(scores, e, spec.steps.front(), spec.particles, spec.seed, 1);

    const auto start = std::chrono::steady_clock::now();
    RaceResult result;
    result.floor = raceFloor(spec, scores);
    int total = 0;
    for (const RaceEntry& e : spec.entries) total += raceAdaptive(e.sampler) ? 1 : int(spec.steps.size());
    RaceProgress progress;
    progress.rows = total;
    for (std::size_t i = 0; i < spec.entries.size() && !result.cancelled; ++i) {
        const RaceEntry& e = spec.entries[i];
        const bool adaptive = raceAdaptive(e.sampler);
        for (int steps : adaptive ? std::vector<int>{spec.steps.back()} : spec.steps) {
            std::optional<RaceLane> lane;
            try {
                lane.emplace(scores, e, steps, spec.particles, spec.seed, options.threads);
            } catch (const InputError& err) {
                result.skipped.push_back(quoted(e.name) + " skips " + std::to_string(steps) + " steps: " +
                                         std::string(err.what()).substr(quoted(e.name).size() + 2));
                --progress.rows;
                continue;
            }
            progress.entry = &e;
            progress.steps = adaptive ? 0 : steps;
            const auto t0 = std::chrono::steady_clock::now();
            while (lane->step()) {
                if (options.cancel && options.cancel->load()) {
                    result.cancelled = true;
                    break;
                }
                if (options.progress) {
                    progress.stepsTaken = lane->sampler().stepsTaken();
                    progress.totalSteps = lane->sampler().totalSteps();
                    options.progress(progress);
                }
            }
            if (result.cancelled) break;
            RaceRow row;
            row.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            row.entry = int(i);
            row.name = e.name;
            row.sampler = samplerKindName(e.sampler.kind);
            row.score = raceScoreName(e.score);
            row.schedule = lane->scheduleName();
            row.steps = adaptive ? 0 : steps;
            row.stepsTaken = lane->sampler().stepsTaken();
            row.evaluations = lane->evaluations();
            row.particles = lane->particles();
            if (lane->sampler().diverged()) {
                row.status = RaceStatus::Diverged;
                row.note = lane->sampler().divergence()->describe();
            } else {
                measure(row, spec, *scores.data);
            }
            result.rows.push_back(std::move(row));
            ++progress.row;
        }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace ss

#include "core/Race.h"

#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/NoiseFloor.h"

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
        const std::string at = quoted(e.name) + ": sampler.";
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

} // namespace

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

RaceQuality raceQuality(const Eigen::Matrix2Xd& p, const RaceSpec& spec, const Dataset& data)
{
    RaceQuality q;
    if (wants(spec, RaceMetric::Sw2)) q.sw2 = slicedWasserstein2(p, data.points, spec.projections, spec.seed);
    if (wants(spec, RaceMetric::Mmd)) q.mmd2 = mmdSquared(p, data.points, {}, spec.seed);
    if (wants(spec, RaceMetric::Energy)) q.energy = energyDistance(p, data.points, spec.seed);
    if (wants(spec, RaceMetric::Modes) && data.mixture) q.modeTv = modeTv(modeWeights(p, *data.mixture), *data.mixture);
    return q;
}

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
            std::string failure; // a step the sampler refused (RK45's step size underflowing): the run's end
            try {
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
            } catch (const InputError& err) {
                failure = err.what();
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
            if (lane->sampler().diverged() || !failure.empty()) {
                row.status = RaceStatus::Diverged;
                row.note = failure.empty() ? lane->sampler().divergence()->describe() : failure;
            } else {
                static_cast<RaceQuality&>(row) = raceQuality(row.particles, spec, *scores.data);
            }
            result.rows.push_back(std::move(row));
            ++progress.row;
        }
    }
    result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
}

} // namespace ss

#pragma once
// A sampler race (docs/reference/samplers.md#sampler-race): several sampler
// configurations, each with the learned or the exact score, run from the same
// noise over a sweep of step counts, and judged against the data with the
// sample metrics beside their noise floors. Quality against cost (NFE) per
// configuration; the learned and exact curves of one sampler tell the
// discretisation error (the exact curve's distance to the floor) from the
// estimation error (the gap between the two curves).
//
// What "steps" means (the sweep's S replaces the configuration's own count,
// so that stepsTaken() of the run is S, NFE being counted separately):
//   langevin  S steps;   em, pc, ode (euler/heun/rk4)  S time steps
//   ddim      S steps on the subsequence (ddimSteps = S)
//   ddpm      ancestral sampling on S of the schedule's T levels (the
//             "respaced" DDPM of Nichol & Dhariwal 2021): levels
//             round(i T / S), i = 1..S, with betas 1 - abar_i / abar_(i-1),
//             so S = T is plain DDPM; S > T cannot run
//   annealed  levels x stepsPerLevel with stepsPerLevel = max(1, round(S / L))
//             over the schedule's L levels (S below L: one step per level)
//   ode rk45  adaptive: one run, whatever the sweep (a single row)
//   edm       S sigma levels (edmSteps = S): S steps, the last an Euler step to sigma = 0
//   dpm-solver, dpm-solver++  S steps of the lambda grid (dpmSteps = S)
// NFE is the Sampler's own count of score evaluations per particle
// (Sampler::evaluations()): pc adds its corrector steps, Heun 2 and RK4 4
// per step, RK45 its rejected steps too; edm 2S - 1 (Heun but the last
// step); dpm-solver S multistep, order x S single-step.
//
// Shared noise: every run of a race starts from the same standard-normal draw
// z (raceNoise: Rng(seed), column by column, as Sampler::reset draws), scaled
// by its schedule's prior std (so identical particles wherever the priors
// agree), and its Sampler is seeded with the race's seed, so its noise draws
// come from the same stream: two identical configurations give bit-identical
// particles, and configurations differ only by what they do with the noise.
//
// Threads: a RaceLane belongs to one thread; runRace runs on the caller's
// (the window's worker) and checks the cancel flag between steps. Errors:
// InputError naming the configuration and the field; a run that diverges (or
// whose step the sampler refuses, e.g. RK45's step size underflowing) is a row
// marked diverged with the reason in its note, not an error.
#include "core/Dataset.h"
#include "core/Metrics.h"
#include "core/NoiseSchedule.h"
#include "core/Sampler.h"
#include "core/SamplerConfig.h"
#include "core/ScoreSource.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ss {

enum class RaceScore { Learned, Exact };
std::string raceScoreName(RaceScore s); // learned, exact
RaceScore raceScoreFromName(const std::string& name);

enum class RaceMetric { Sw2, Mmd, Energy, Modes };
std::string raceMetricName(RaceMetric m); // sw2, mmd, energy, modes
RaceMetric raceMetricFromName(const std::string& name);

// Configurations per race: the CLI takes up to kRaceMaxEntries, the window's
// small multiples kRaceWindowMaxEntries.
inline constexpr int kRaceMaxEntries = 12;
inline constexpr int kRaceWindowMaxEntries = 6;
inline constexpr int kRaceMaxStepCounts = 32;
inline constexpr int kRaceMaxSteps = 100'000;

// One configuration of a race.
struct RaceEntry {
    std::string name;        // shown in captions, rows and messages; unique within the race
    SamplerConfig sampler;   // particles, seed and the step count are the race's
    RaceScore score = RaceScore::Exact;
    // None: the model's schedule when there is a model (learned configurations
    // always, exact ones too so that their curves pair up), else the sampler's
    // own default (defaultRaceSchedule).
    std::optional<NoiseSchedule> schedule;
    // Langevin/annealed: without them the step size (and Langevin's noise
    // level) are derived per step count by core/SamplerDefaults, as `sample` does.
    bool stepSizeGiven = false;
    bool langevinStdGiven = false;
    bool operator==(const RaceEntry&) const; // schedules compared by their JSON form
};

std::vector<int> defaultRaceSteps(); // 5, 10, 20, 50, 100, 200, 500, 1000

struct RaceSpec {
    std::string name;
    std::vector<RaceEntry> entries;
    std::vector<int> steps = defaultRaceSteps(); // increasing, each in [1, kRaceMaxSteps]
    int particles = 1000;
    std::uint64_t seed = 0;
    std::vector<RaceMetric> metrics = {RaceMetric::Sw2, RaceMetric::Mmd, RaceMetric::Energy, RaceMetric::Modes};
    int projections = 128; // sliced W2 directions

    // Throws InputError naming the field: entries 1..maxEntries with unique,
    // non-empty names; steps and particles in range; samplers that run from
    // noise to data, from the prior, unconditioned.
    void validate(int maxEntries = kRaceMaxEntries) const;
    bool operator==(const RaceSpec&) const = default;
};

// What a race runs against: the data (the exact score and the reference the
// samples are judged with), and optionally a trained model.
struct RaceScores {
    // The data and their exact score (ExactScoreSource); ofData sets both.
    std::shared_ptr<const Dataset> data;
    std::shared_ptr<const ScoreSource> exact;
    // The preset the data were drawn from ("" for a file): its noise floor is
    // an independent draw (floorSeed, which must differ from the data's seed);
    // a file's floor is two halves of it (NoiseFloor.h).
    std::string presetId;
    std::uint64_t floorSeed = 2; // the CLI draws presets with seed 1 by default
    std::shared_ptr<const ScoreSource> learned; // null: no model
    std::optional<NoiseSchedule> modelSchedule;  // the model's (with `learned`)
    double modelSigma = 0;                       // a single-sigma model's sigma (Langevin's default level)

    static RaceScores ofData(std::shared_ptr<const Dataset> data, std::string presetId = {});
};

// The schedule a configuration runs with when it names none and there is no
// model: ddpm-linear (T = 1000) for ddpm/ddim, NCSN's geometric levels
// (sigma_max from the data's diameter) for langevin/annealed, VP otherwise.
NoiseSchedule defaultRaceSchedule(SamplerKind kind, const Dataset& data);

// z: 2 x particles standard normals from Rng(seed), in Sampler::reset's order.
Eigen::Matrix2Xd raceNoise(std::uint64_t seed, int particles);

// True for configurations that pick their own steps (ode rk45).
bool raceAdaptive(const SamplerConfig& c);

// One configuration at one step count, stepped by its owner (runRace, or the
// window's small multiples, one lane per scene).
class RaceLane {
public:
    // Throws InputError "configuration 'NAME': ..." when it cannot run (no
    // model for a learned score, a schedule the sampler refuses, S > T for
    // ddpm/ddim, ...).
    RaceLane(const RaceScores& scores, const RaceEntry& entry, int steps, int particles, std::uint64_t seed,
             int threads = 0);

    bool step() { return sampler_->step(); }
    bool done() const { return sampler_->done(); }
    const Sampler& sampler() const { return *sampler_; }
    const Eigen::Matrix2Xd& particles() const { return sampler_->particles(); }
    long long evaluations() const { return sampler_->evaluations(); }
    const NoiseSchedule& schedule() const { return schedule_; } // as run (ddpm: respaced)
    const std::string& scheduleName() const { return scheduleName_; } // "ddpm-linear respaced to 50"

private:
    NoiseSchedule schedule_;
    std::string scheduleName_;
    std::unique_ptr<Sampler> sampler_;
};

inline constexpr double kRaceNaN = std::numeric_limits<double>::quiet_NaN();

enum class RaceStatus { Ok, Diverged };
std::string raceStatusName(RaceStatus s); // ok, diverged

// The metrics of one set of particles against the data (NaN: not asked for
// in RaceSpec::metrics, or not available: mode weights without a mixture).
// modeTv = 1/2 sum_k |w_hat_k - w_k| against the mixture's true weights.
struct RaceQuality {
    double sw2 = kRaceNaN, mmd2 = kRaceNaN, energy = kRaceNaN, modeTv = kRaceNaN;
};

// One (configuration, step count); a diverged run's metrics are NaN.
struct RaceRow : RaceQuality {
    int entry = 0;           // index into RaceSpec::entries
    std::string name, sampler, score, schedule;
    int steps = 0;           // the sweep's S (0: adaptive)
    int stepsTaken = 0;
    long long evaluations = 0; // NFE per particle, counted
    double seconds = 0;        // sampling wall time (metrics not included)
    RaceStatus status = RaceStatus::Ok;
    std::string note;          // why it diverged
    Eigen::Matrix2Xd particles; // the final particles (the last finite ones when diverged)
};

// The metrics of a perfect sampler with as many particles (NoiseFloor.h).
struct RaceFloor : RaceQuality {
    std::string kind; // "independent preset draw" or "two halves of the data"
};

// spec.metrics of these particles against scores.data (sliced W2 with
// spec.projections; every estimate seeded with spec.seed), and their floor for
// spec.particles points. The window's captions measure live lanes with them.
RaceQuality raceQuality(const Eigen::Matrix2Xd& particles, const RaceSpec& spec, const Dataset& data);
RaceFloor raceFloor(const RaceSpec& spec, const RaceScores& scores);

struct RaceResult {
    std::vector<RaceRow> rows; // configuration by configuration, steps increasing
    RaceFloor floor;
    std::vector<std::string> skipped; // "configuration 'X' skips S steps: <why>"
    bool cancelled = false;    // rows then hold what finished
    double seconds = 0;
};

struct RaceProgress {
    int row = 0, rows = 0;     // the run under way and how many in all
    const RaceEntry* entry = nullptr;
    int steps = 0, stepsTaken = 0, totalSteps = 0; // totalSteps -1: adaptive
};

struct RaceOptions {
    int threads = 0;                            // score evaluation (0: all cores)
    const std::atomic<bool>* cancel = nullptr;  // set: stops between steps, result.cancelled
    std::function<void(const RaceProgress&)> progress; // after every step (on the racing thread)
};

// Validates spec, checks every configuration can run at the sweep's smallest
// step count (InputError before anything runs), then runs them all.
// A step count a configuration cannot take (ddim/ddpm: S > T) is left out of
// its rows and said in result.skipped.
RaceResult runRace(const RaceSpec& spec, const RaceScores& scores, const RaceOptions& options = {});

} // namespace ss

#pragma once
// Every sampler of docs/reference/samplers.md behind one step-wise interface,
// driven by any score source: advance one step, read the particles, the noise level they are
// at, the score evaluations so far, and the step's decomposition into drift,
// score and noise terms per particle (x_new = x + drift + score + noise).
//
// A run is planned as a list of stages, each taking the particles from one
// noise level to the next (Langevin: the same level; annealed Langevin: one
// stage per step at each VE level; DDPM/DDIM: one per (sub)sequence step;
// em/pc: one per step of the time grid; edm: one per step of its sigma grid;
// dpm-solver: one per step of its lambda grid). The probability-flow ODE steps
// its own time t, adaptively with RK45.
//
// Determinism: all noise comes from one Rng seeded by config.seed, drawn on the
// owning thread in particle order, so a seed gives the same particles whatever
// the number of threads (scores are evaluated over a pool, column by column).
// Ownership: a Sampler belongs to one thread; setScoreSource/setSchedule apply
// between steps.
//
// Divergence: after every step the particles are checked; a step that leaves
// any of them NaN or infinite, or farther out than kRunaway times the scale
// they started at (or an ODE step whose velocity is not finite) is undone
// (the particles go back to the last finite ones), the run is marked diverged
// and done() holds from then on, so a caller notices it at the step it
// happens. reset(), resetFrom() and sdedit() clear the mark.
#include "core/NoiseSchedule.h"
#include "core/Rng.h"
#include "core/SamplerConfig.h"
#include "core/ScoreSource.h"
#include "core/StepTrace.h"
#include "core/ThreadPool.h"
#include "core/Trajectory.h"

#include <memory>
#include <optional>
#include <vector>

namespace ss {

// One step's parts, 2 x particles each; for pc the predictor and corrector
// parts are summed, for RePaint rounds the last round is shown.
struct StepTerms {
    Eigen::Matrix2Xd drift, score, noise;
};

// Where and why a run diverged (Sampler::divergence()).
struct Divergence {
    int step = 0;           // the step that went non-finite or ran away (1: the first), undone
    int totalSteps = -1;    // the run's planned steps (-1: adaptive)
    NoiseLevel level;       // the level that step started from
    SamplerKind kind = SamplerKind::Langevin;
    double stepSize = 0;    // Langevin: eta; annealed: alpha_l; em/pc: dt; ode: h; ddpm/ddim: 0 (none)
    double stableLimit = 0; // Langevin/annealed: langevinStepLimit(limitStd) (0: not known)
    double limitStd = 0;    // the level's std; on clean data (std 0) an exact mixture's narrowest component std
    bool limitFromData = false; // limitStd is the mixture's, not the level's
    double epsLimit = 0;    // annealed: the eps giving alpha_l = stableLimit at every level
    // One line: "the sampler diverged at step k of N, at sigma = s: <why>; <what to change>".
    // unicode: sigma and approximately as σ and ≈ (the window), else ASCII (the CLI).
    std::string describe(bool unicode = false) const;
};

class Sampler {
public:
    static constexpr long long kMaxPlannedSteps = 2'000'000;
    // A particle beyond kRunaway x max(1, prior std, largest start coordinate)
    // has run away: no sampler of a 2D data set goes there and comes back.
    static constexpr double kRunaway = 1e6;

    // Throws InputError when the config is invalid or does not fit the
    // schedule (ddpm/ddim need discrete DDPM betas, annealed Langevin a VE
    // schedule) or the source (a point set's exact score needs noise > 0), or
    // the run would take more than kMaxPlannedSteps steps. Plain Langevin runs
    // at the schedule's level with std langevinStd (its t and mean; clean data
    // at 0).
    // threads <= 0: one per hardware thread. Starts with reset().
    Sampler(const SamplerConfig& config, const NoiseSchedule& schedule, std::shared_ptr<const ScoreSource> source,
            int threads = 0);

    const SamplerConfig& config() const { return config_; }
    const NoiseSchedule& schedule() const { return schedule_; }
    const ScoreSource& source() const { return *source_; }

    // Fresh particles from the start distribution and seed; step 0. In the
    // data-to-noise direction there are no particles until resetFrom().
    void reset();
    // The std of the Gaussian reset() draws the particles from: the schedule's
    // prior std, or for EDM with a sigma_max below the schedule's largest (its
    // default on data of known diameter) the std of that first level.
    double startStd() const;
    // Starts from the given points (2 x n, n replaces config.particles): the
    // data for data-to-noise runs, or a noisiest-level sample otherwise.
    void resetFrom(const Eigen::Matrix2Xd& points);
    // SDEdit: noises the points to level t0 in (0, 1] (forward process), then
    // the run denoises from there to the end. Throws InputError when t0 is at
    // or below the run's end (no step would be left).
    void sdedit(const Eigen::Matrix2Xd& points, double t0);

    // Between steps. The new schedule is validated like the constructor's and
    // the remaining run re-planned from the current noise level.
    void setScoreSource(std::shared_ptr<const ScoreSource> source);
    void setSchedule(const NoiseSchedule& schedule);

    // True when the run is over: finished, or diverged.
    bool done() const;
    bool diverged() const { return divergence_.has_value(); }
    const std::optional<Divergence>& divergence() const { return divergence_; }
    // One step; false (and nothing changes) when done. A step that goes
    // non-finite is undone and returns true with diverged() set.
    bool step();
    // Steps until done or maxSteps taken; returns the steps taken.
    int run(int maxSteps = 1 << 30);

    const Eigen::Matrix2Xd& particles() const { return x_; }
    NoiseLevel level() const;          // the level the particles are at now
    int stepsTaken() const { return steps_; }
    int totalSteps() const;            // -1 when adaptive (rk45) and not done
    long long evaluations() const { return nfe_; } // score evaluations per particle
    const StepTerms& lastStep() const { return terms_; }
    const Trajectory& trajectory() const { return trajectory_; }

    // Step-through: each step records the followed particles' update as the
    // sampler's equation with its numbers (StepTrace.h). Columns at or beyond
    // the particle count are ignored; duplicates dropped; the order kept. The
    // choice survives reset(). Following nothing (the default) costs nothing.
    void follow(std::vector<Eigen::Index> columns);
    const std::vector<Eigen::Index>& followed() const { return followed_; }
    const StepTrace& trace() const { return trace_; } // of the last step (empty before one, or after a divergence)

private:
    struct Stage {
        NoiseLevel from, to;
        double stepSize = 0; // Langevin/annealed step
        bool last = false;   // the final stage (DDPM adds no noise there)
    };
    void check(const NoiseSchedule& schedule, const ScoreSource& source) const;
    std::vector<Stage> plan(double tStart) const;
    double odeEnd() const { return odeEnd(schedule_); } // the t the ODE run ends at
    static double odeEnd(const NoiseSchedule& schedule);
    NoiseLevel langevinLevel() const; // plain Langevin's level (throws InputError outside a VP range)
    double timeNow() const;  // normalised time of level()
    void startRun(double tStart);

    void evalScore(const Eigen::Matrix2Xd& x, const NoiseLevel& level, Eigen::Matrix2Xd& out);
    void drawNoise(Eigen::Matrix2Xd& z);
    void runStage(const Stage& s);
    void predictor(const Stage& s, Predictor kind);
    void corrector(const NoiseLevel& level, double alpha, int m); // m: 1..M (the step-through's title)
    void odeStep();
    void edmRun(const Stage& s);   // SamplerFast.cpp
    void dpmRun(const Stage& s);   // SamplerFast.cpp
    // The sigma grid's end: the config's, else the default (the schedule's
    // smallest; SamplerDefaults edmDefaultSigmaMax with the source's data diameter).
    double edmSigmaRange(const NoiseSchedule& schedule, const ScoreSource& source, bool largest) const;
    void replaceFixed(const NoiseLevel& level);
    void renoise(const NoiseLevel& from, const NoiseLevel& to); // forward transition to -> from
    Divergence describeStep(const Stage* s, double h) const;    // the step about to be taken

    SamplerConfig config_;
    NoiseSchedule schedule_;
    std::shared_ptr<const ScoreSource> source_;
    ThreadPool pool_;
    Rng rng_;

    Eigen::Matrix2Xd x_, s_, z_;
    StepTerms terms_;
    std::vector<Stage> plan_;
    std::size_t stage_ = 0;
    double t_ = 0, tTarget_ = 0, h_ = 0; // probability-flow ODE state
    int odeSteps_ = 0;                   // fixed-step ODE: steps of the run
    std::optional<OdeSolver> ode_;
    // DPM-Solver multistep: the last points' levels and model outputs, oldest first.
    std::vector<NoiseLevel> dpmLevels_;
    std::vector<Eigen::Matrix2Xd> dpmModels_;
    int steps_ = 0;
    long long nfe_ = 0;
    Trajectory trajectory_;
    Eigen::Matrix2Xd before_;               // the particles before the step being taken
    std::optional<Divergence> divergence_;
    bool odeNonFinite_ = false;             // the ODE's velocity went non-finite in this step
    double runaway_ = 0;                    // |coordinate| beyond this: diverged (set with the start)
    void setRunawayBound();

    std::vector<Eigen::Index> followed_;
    StepTrace trace_;
    std::vector<Eigen::MatrixXd> odeVelocities_; // the ODE step's stage velocities (only while following)
    bool tracing() const { return !followed_.empty(); }
    void record(const PartSpec& spec, const Eigen::Matrix2Xd& x) { trace_.parts.push_back(tracePart(spec, x, followed_)); }
};

} // namespace ss

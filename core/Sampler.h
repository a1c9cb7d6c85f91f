#pragma once
// Every sampler of MATH.md §5 behind one step-wise interface, driven by any
// score source: advance one step, read the particles, the noise level they are
// at, the score evaluations so far, and the step's decomposition into drift,
// score and noise terms per particle (x_new = x + drift + score + noise).
//
// A run is planned as a list of stages, each taking the particles from one
// noise level to the next (Langevin: the same level; annealed Langevin: one
// stage per step at each VE level; DDPM/DDIM: one per (sub)sequence step;
// em/pc: one per step of the time grid). The probability-flow ODE steps its own
// time t, adaptively with RK45.
//
// Determinism: all noise comes from one Rng seeded by config.seed, drawn on the
// owning thread in particle order, so a seed gives the same particles whatever
// the number of threads (scores are evaluated over a pool, column by column).
// Ownership: a Sampler belongs to one thread; setScoreSource/setSchedule apply
// between steps.
#include "NoiseSchedule.h"
#include "Rng.h"
#include "SamplerConfig.h"
#include "ScoreSource.h"
#include "ThreadPool.h"
#include "Trajectory.h"

#include <memory>
#include <optional>
#include <vector>

namespace ss {

// One step's parts, 2 x particles each; for pc the predictor and corrector
// parts are summed, for RePaint rounds the last round is shown.
struct StepTerms {
    Eigen::Matrix2Xd drift, score, noise;
};

class Sampler {
public:
    static constexpr long long kMaxPlannedSteps = 2'000'000;

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

    bool done() const;
    // One step; false (and nothing changes) when done.
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

private:
    struct Stage {
        NoiseLevel from, to;
        double stepSize = 0; // Langevin/annealed step
        bool last = false;   // the final stage (DDPM adds no noise there)
    };
    void check(const NoiseSchedule& schedule, const ScoreSource& source) const;
    std::vector<Stage> plan(double tStart) const;
    double odeEnd() const;   // the t the ODE run ends at
    NoiseLevel langevinLevel() const; // plain Langevin's level (throws InputError outside a VP range)
    double timeNow() const;  // normalised time of level()
    void startRun(double tStart);

    void evalScore(const Eigen::Matrix2Xd& x, const NoiseLevel& level, Eigen::Matrix2Xd& out);
    void drawNoise(Eigen::Matrix2Xd& z);
    void runStage(const Stage& s);
    void predictor(const Stage& s, Predictor kind);
    void corrector(const NoiseLevel& level, double alpha);
    void odeStep();
    void replaceFixed(const NoiseLevel& level);
    void renoise(const NoiseLevel& from, const NoiseLevel& to); // forward transition to -> from

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
    int steps_ = 0;
    long long nfe_ = 0;
    Trajectory trajectory_;
};

} // namespace ss

#pragma once
// The model measurements of the Measurements dock, one job per network
// (engine/ModelMeasureWorker runs them on its thread): plain functions over
// core/Likelihood, core/FisherProfile and core/Elbo, with cancellation and
// progress, and the values the dock draws (ModelMeasureSnapshot). No Qt here.
//
// What is compared (docs/guide/measurements.md):
//  - NLL: -mean log p_eps(x) over the held-out points by the PF-ODE flow of
//    the learned score, of the exact score (the floor: what a perfect network
//    scores through the same flow) and, for a mixture, the closed form of the
//    same marginal p_eps (the flow's t_eps marginal, m x0 + s eps, as
//    `scorescope-cli nll` scores it). The exact flow is the analytic value up
//    to the ODE's and the prior's error.
//  - Fisher: core/FisherProfile, learned against exact, kFisherLevels levels.
//  - ELBO (DDPM schedules only): core/Elbo on the same points; beside it the
//    learned NLL above and the mixture's clean -log p(x0), which the bound bounds.
#include "core/Elbo.h"
#include "core/FisherProfile.h"
#include "core/MeanEstimate.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ss {
class ThreadPool;
}

namespace ss::app {

// The dock's settings (its refresh and trace controls).
struct ModelMeasureSettings {
    int refreshSteps = 2000;  // a new job once the network is this many steps past the last one measured
    bool hutchinson = false;  // the NLL's divergence: Hutchinson's estimate (else the exact 2x2 trace)
    int points = 256;         // held-out points scored by the NLL and the ELBO
    int fisherSamples = 400;  // samples per Fisher level
    bool operator==(const ModelMeasureSettings&) const = default;
};
constexpr int kFisherLevels = 12;
constexpr int kNllBlock = 64; // points per flow solve: the granularity of cancellation and progress
// The dock's flow tolerance (rk45): looser than the CLI's 1e-5, a third of
// the evaluations; the exact score's flow stays within 0.05 nats of the closed
// form (tst_app_model_measure).
constexpr double kNllTolerance = 1e-4;

// Where the scored points come from. A mixture: an independent draw of it
// (the trainer's points are another draw, so these are held out). A point
// set: a fixed subset of the very points the trainer uses (it trains on all
// of them), so heldOut is false and the dock says so.
struct HeldOutPoints {
    Eigen::Matrix2Xd points;
    bool heldOut = false;
};
HeldOutPoints heldOutPoints(const Dataset& data, int count);

struct NllPoint {
    std::int64_t step = 0;
    std::optional<MeanEstimate> learned, exact, analytic; // nats; missing: not computed (see the errors)
};

struct FisherTrendPoint {
    std::int64_t step = 0;
    std::vector<double> divergence; // per level, as ModelMeasureSnapshot::fisher
};

// What the dock draws; published after each stage of a job (never changed after).
struct ModelMeasureSnapshot {
    std::int64_t step = -1;   // the network measured last (-1: none yet)
    std::int64_t run = 0;     // increases when the history starts again (new data, model, schedule, settings)
    int points = 0;
    bool heldOut = false;
    bool hutchinson = false;
    std::string schedule;     // its name
    double scoredStd = 0, scoredMean = 1; // the NLL's marginal at t_eps: m x0 + s eps
    // Likelihood: this run's values, one per job (the last is the newest).
    std::vector<NllPoint> nll;
    std::string nllError;     // why a value is missing
    // Fisher divergence per level of the newest network, and the run's trend.
    std::vector<FisherLevel> fisher;
    std::vector<FisherTrendPoint> fisherTrend;
    std::string fisherError;
    // ELBO of the newest network (DDPM schedules), or why there is none.
    std::optional<ElboResult> elbo;
    std::optional<MeanEstimate> cleanNll; // the mixture's -log p(x0) of the same points
    std::string elboWhyNot;
    double cpuSeconds = 0;    // the last complete job's CPU time on its thread (likelihood, Fisher and ELBO)
    std::int64_t serial = 0;
};

using Cancel = const std::atomic<bool>*;
using Progress = std::function<void(double fraction)>;

// -mean log p_eps over the points by the PF-ODE of `source`, solved in blocks
// of kNllBlock (cancel read, progress reported after each). nullopt: cancelled.
// Throws InputError as core/Likelihood does.
std::optional<MeanEstimate> flowNll(const ScoreSource& source, const NoiseSchedule& schedule,
                                    const Eigen::Matrix2Xd& points, bool hutchinson, ThreadPool& pool, Cancel cancel,
                                    const Progress& progress);

// The mixture's -mean log density of the points at marginal m (closed form).
MeanEstimate mixtureNll(const GaussianMixture& mixture, const Eigen::Matrix2Xd& points, Marginal m);

// CPU seconds the calling thread has used (its own clock; 0 where there is none).
double threadCpuSeconds();

} // namespace ss::app

#pragma once
// What the flow worker (engine/CnfWorker: a continuous normalizing flow trained
// by maximum likelihood beside the score model) is set with, and what it hands
// out: plain values shared by the worker, the Flow dock, the lessons and the
// tests. No Qt object, widget or GL here.
#include "state/SamplingSetup.h"

#include "core/Cnf.h"
#include "core/MeanEstimate.h"
#include "core/Optimizer.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ss::app {

// The Flow dock's settings. Defaults: the CLI's flow (64 x 3 SiLU, exact trace,
// adjoint, RK4 with 8 steps, Adam 5e-3) at batch 128, which on two busy cores
// learns 8gaussians' modes within about half a minute.
struct FlowSettings {
    CnfConfig model;
    CnfSolveConfig solve;
    OptimizerConfig optimizer = defaultOptimizer();
    int batchSize = 128;
    int sampleSteps = 40;   // RK4 steps of the sample run drawn in the scene (4 NFE each)
    int particles = 2000;   // of the sample run (at most 20,000)
    int evalPoints = 512;   // held-out points of the NLL curve (exact trace)
    int evalEvery = 50;     // training steps between two held-out NLLs
    std::uint64_t seed = 0; // batches, probes, base draws
    // Throws InputError naming the field (the core's checks, and the dock's
    // ranges), or when one step would hold over kMaxStepBytes or take over
    // kMaxStepFlops (a setting that would take the machine down or hold the
    // flow's thread for minutes).
    void validate() const;
    static constexpr double kMaxStepBytes = 1.5e9;
    // The dock's ranges (its fields show six decimals): the lesson reader keeps to them.
    static constexpr double kMinLearningRate = 1e-6, kMinTolerance = 1e-6, kMaxTolerance = 0.1;
    static constexpr double kMaxStepFlops = 2e11;
    static OptimizerConfig defaultOptimizer()
    {
        OptimizerConfig o;
        o.learningRate = 5e-3;
        return o;
    }
    bool operator==(const FlowSettings&) const = default;
};

// One training step as the charts draw it.
struct FlowStepRecord {
    std::int64_t step = 0;
    double loss = 0;                 // batch-mean NLL, nats
    long long forwardNfe = 0, backwardNfe = 0;
    double hutchinsonVariance = std::numeric_limits<double>::quiet_NaN(); // NaN: exact trace
    double seconds = 0;
    std::int64_t bytesStored = 0;
    bool skipped = false;
};

// The NLL of the held-out points under the EMA flow (exact trace, RK45 at 1e-5).
struct FlowEval {
    std::int64_t step = 0;
    MeanEstimate nll;
    long long nfe = 0;
};

struct FlowSnapshot {
    FlowSettings settings;
    std::vector<FlowStepRecord> history; // every step of this run (the oldest thinned past kMaxHistory)
    std::vector<FlowEval> evals;
    std::optional<MeanEstimate> exactNll; // of the same points, in closed form (mixtures only)
    bool heldOut = false;                 // the points are a fresh draw (mixtures), else a subset of the data
    std::int64_t step = 0;
    int skipped = 0;
    bool running = false;
    double stepsPerSecond = 0;            // of the last second of training
    // The sample run drawn in the scene while "samples in the scene" is on
    // (null otherwise): a ParticleSnapshot whose `flow` says what it is.
    ParticlesPtr samples;
    std::int64_t serial = 0;
    static constexpr std::size_t kMaxHistory = 4000; // each publication copies it (about 64 bytes a record)
};
using FlowPtr = std::shared_ptr<const FlowSnapshot>;

} // namespace ss::app

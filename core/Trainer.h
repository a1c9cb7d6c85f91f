#pragma once
// The training loop around one model: draws batches, computes the objective's
// gradient (split over a thread pool in cache-sized chunks), clips, updates with
// Adam, tracks the EMA, and keeps statistics.
//
// Failure handling: a step whose loss or gradient norm is NaN/Inf is not
// applied. The weights and optimiser state are restored to the last snapshot
// known to be finite (taken every kSnapshotInterval good steps), the learning
// rate is halved, and the event is reported in StepStats/TrainStats instead of
// training on with garbage.
//
// Threads: a Trainer is used by one thread at a time (the app's training
// worker owns it); setters are meant to be called by that thread between steps.
#include "core/Dataset.h"
#include "core/NoiseSchedule.h"
#include "core/Objective.h"
#include "core/Optimizer.h"
#include "core/Rng.h"
#include "core/ScoreNet.h"
#include "core/ThreadPool.h"

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace ss {

struct TrainerConfig {
    int batchSize = 512;
    int threads = 0;         // worker threads (0: all hardware threads)
    int chunk = 128;         // columns per forward/backward pass (cache-sized)
    int minColumnsPerThread = 64; // below this a batch is not split over threads
    std::uint64_t seed = 0;  // the batch-drawing stream
};

struct StepStats {
    std::int64_t step = 0;  // updates applied after this call
    double loss = 0;        // batch-mean loss of this step
    double gradNorm = 0;    // before clipping
    double learningRate = 0;
    bool restored = false;  // true when this step was non-finite and the weights were restored
};

struct TrainStats {
    std::int64_t step = 0;
    double loss = 0;          // last step's loss
    double smoothedLoss = std::numeric_limits<double>::quiet_NaN(); // exponential average (NaN until a step)
    double gradNorm = 0;
    double stepsPerSecond = 0; // over recent steps
    std::vector<double> levelLoss; // running mean loss per objective bin (NaN until seen)
    std::vector<double> levelStd;  // noise std of each bin
    std::vector<double> levelMean; // signal scale of each bin (sqrt(alpha-bar); 1 for VE)
    int restores = 0;
    // Steps applied by this trainer (finite loss and gradient). Still 0 after
    // a run: every step diverged and the weights are the initial ones, which
    // a front end must not save or report as trained.
    std::int64_t finiteSteps = 0;
    std::string lastEvent;     // human-readable, e.g. the last restore
};

class Trainer {
public:
    static constexpr int kSnapshotInterval = 100;

    // Throws InputError for an invalid combination (see Objective::validate,
    // ModelConfig::validate, OptimizerConfig::validate) or an empty data set.
    Trainer(std::shared_ptr<const Dataset> data, const ModelConfig& model, const ObjectiveConfig& objective,
            const NoiseSchedule& schedule, const OptimizerConfig& optimizer = {}, const TrainerConfig& config = {});

    StepStats step();
    // The CPU priority of the pool's worker threads (ThreadPool::setNiceness).
    void setThreadNiceness(int niceness) { pool_.setNiceness(niceness); }
    // Runs n steps; returns the last step's statistics.
    StepStats run(int n);

    const ScoreNet& net() const { return net_; }
    // The same network with the EMA weights.
    ScoreNet emaNet() const;
    const Adam& optimizer() const { return adam_; }
    const Objective& objective() const { return objective_; }
    const TrainStats& stats() const { return stats_; }
    const TrainerConfig& config() const { return config_; }
    const Dataset& data() const { return *data_; }

    // Live changes, applied from the next step on. Each validates first and
    // throws InputError, leaving the trainer as it was, when refused.
    void setSchedule(const NoiseSchedule& schedule);
    void setLearningRate(double lr);
    void setOptimizer(const OptimizerConfig& config);
    void setBatchSize(int batch);
    void setData(std::shared_ptr<const Dataset> data);
    // New weights from the model config's seed (or the one given); optimiser
    // state, statistics and step count start again.
    void resetWeights(std::uint64_t seed);

    // Restores a saved training state (weights, optimiser state incl. EMA and
    // step). Throws InputError when sizes do not match the model.
    void restore(const Eigen::VectorXf& params, const AdamState& state);

    // The stream batches are drawn from. Saved with the weights and set back
    // after restore(), the next batches are the ones the saved run would have
    // drawn, so training resumes bit-exactly (given the same batch size, chunk
    // and thread count, which fix the order of the gradient sums). Not carried:
    // the divergence snapshot, which restore() retakes at the restored weights.
    RngState batchRngState() const { return rng_.state(); }
    void setBatchRngState(const RngState& state) { rng_.setState(state); } // precondition: see RngState

private:
    void resizeWorkers();
    void takeSnapshot();
    void updateStats(const StepStats& s);

    std::shared_ptr<const Dataset> data_;
    TrainerConfig config_;
    ScoreNet net_;
    Objective objective_;
    Adam adam_;
    Rng rng_;
    ThreadPool pool_;
    BatchT<float> batch_;
    std::vector<ObjectiveWorkspace<float>> workspaces_;
    std::vector<Eigen::VectorXf> grads_;
    std::vector<Eigen::MatrixXf> transposes_; // W^T per layer for this step's backward passes
    Eigen::VectorXf snapshotParams_;
    AdamState snapshotState_;
    int goodStepsSinceSnapshot_ = 0;
    TrainStats stats_;
    std::chrono::steady_clock::time_point rateStart_;
    std::int64_t rateSteps_ = 0;
};

} // namespace ss

#include "core/Trainer.h"

#include "core/Error.h"
#include "core/GradientSum.h"
#include "core/Simd.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

namespace ss {

namespace {
constexpr double kLossSmoothing = 0.02;  // weight of the newest step in smoothedLoss
constexpr double kLevelSmoothing = 0.05; // weight of the newest batch in a bin's running loss

int checkedThreads(int threads)
{
    if (threads < 0 || threads > 256)
        throw InputError("threads must be in [0, 256] (0: one per core; got " + std::to_string(threads) + ")");
    return threads;
}
} // namespace

Trainer::Trainer(std::shared_ptr<const Dataset> data, const ModelConfig& model, const ObjectiveConfig& objective,
                 const NoiseSchedule& schedule, const OptimizerConfig& optimizer, const TrainerConfig& config)
    : data_(std::move(data)), config_(config),
      net_(data_ ? Objective::withDataDefaults(model, objective, *data_) : model), // EDM's sigma_data
      objective_(objective, schedule, net_.config()),
      adam_(optimizer), rng_(config.seed), pool_(checkedThreads(config.threads))
{
    setData(data_); // the same checks as a live change: not empty, labels fit the model
    setBatchSize(config.batchSize);
    if (config_.chunk < 1 || config_.chunk > 65536)
        throw InputError("chunk size must be in [1, 65536] (got " + std::to_string(config_.chunk) + ")");
    if (config_.minColumnsPerThread < 1)
        throw InputError("columns per thread must be at least 1 (got " + std::to_string(config_.minColumnsPerThread) + ")");
    resetWeights(model.seed);
}

void Trainer::resizeWorkers()
{
    workspaces_.resize(pool_.size());
    grads_.resize(pool_.size());
    for (auto& g : grads_) g.setZero(net_.mlp().numParams());
}

void Trainer::resetWeights(std::uint64_t seed)
{
    ModelConfig c = net_.config();
    c.seed = seed;
    net_ = ScoreNet(c);
    adam_.reset(net_.mlp().params());
    resizeWorkers();
    stats_ = TrainStats{};
    stats_.levelStd = objective_.binStd();
    stats_.levelMean = objective_.binMean();
    stats_.levelLoss.assign(stats_.levelStd.size(), std::numeric_limits<double>::quiet_NaN());
    takeSnapshot();
    rateStart_ = std::chrono::steady_clock::now();
    rateSteps_ = 0;
}

void Trainer::restore(const Eigen::VectorXf& params, const AdamState& state)
{
    const Eigen::Index n = net_.mlp().numParams();
    if (params.size() != n || state.m.size() != n || state.v.size() != n || state.ema.size() != n)
        throw InputError("saved training state has " + std::to_string(params.size()) + " parameters, the model " +
                         std::to_string(n));
    net_.mlp().params() = params;
    adam_.setState(state);
    // Statistics describe this run from here on.
    stats_.step = state.step;
    stats_.smoothedLoss = std::numeric_limits<double>::quiet_NaN();
    stats_.levelLoss.assign(stats_.levelLoss.size(), std::numeric_limits<double>::quiet_NaN());
    takeSnapshot();
}

ScoreNet Trainer::emaNet() const
{
    ScoreNet ema = net_;
    ema.mlp().params() = adam_.state().ema;
    return ema;
}

void Trainer::takeSnapshot()
{
    snapshotParams_ = net_.mlp().params();
    snapshotState_ = adam_.state();
    goodStepsSinceSnapshot_ = 0;
}

void Trainer::setSchedule(const NoiseSchedule& schedule)
{
    objective_.setSchedule(schedule);
    stats_.levelStd = objective_.binStd();
    stats_.levelMean = objective_.binMean();
    stats_.levelLoss.assign(stats_.levelStd.size(), std::numeric_limits<double>::quiet_NaN());
}

void Trainer::setLearningRate(double lr)
{
    OptimizerConfig c = adam_.config();
    c.learningRate = lr;
    adam_.setConfig(c);
}

void Trainer::setOptimizer(const OptimizerConfig& config) { adam_.setConfig(config); }

void Trainer::setBatchSize(int batch)
{
    if (batch < 1 || batch > 1'000'000)
        throw InputError("batch size must be in [1, 1000000] (got " + std::to_string(batch) + ")");
    config_.batchSize = batch;
}

void Trainer::setData(std::shared_ptr<const Dataset> data)
{
    if (!data || data->size() == 0) throw InputError("the data set is empty: nothing to train on");
    const int classes = net_.config().numClasses;
    if (classes > 0 && !data->labelled())
        throw InputError("the model takes class labels but the new data set has none");
    if (classes > 0 && data->numClasses > classes)
        throw InputError("the new data set has " + std::to_string(data->numClasses) + " classes, the model takes " +
                         std::to_string(classes));
    data_ = std::move(data);
}

StepStats Trainer::step()
{
    // Each worker draws its own examples (the draw is a tenth of a batch-128
    // step): from the streams of this step's generator, so the batch does not
    // depend on the split.
    objective_.prepare(*data_, net_, config_.batchSize, batch_);
    const Rng streams = rng_;
    rng_.next();
    const int B = batch_.size;
    const int parts = std::clamp(B / std::max(1, config_.minColumnsPerThread), 1, pool_.size());
    // Wide chunks back-propagate through W^T; make it once for all workers.
    // (Measured, 2 threads: with the AVX2 kernels from 48 columns a worker;
    // with AVX-512's the A^T B kernel reads W in place as fast, and the copy,
    // serial before the workers start, cost batch 128 a sixth of its speed.)
    const int shareFrom = simd::active() == simd::Level::Avx512 ? std::numeric_limits<int>::max() : 48;
    const bool shareTransposes = std::min(B / parts, config_.chunk) >= shareFrom;
    if (shareTransposes) net_.mlp().transposeWeights(transposes_);
    for (auto& ws : workspaces_) ws.tape.transposes = shareTransposes ? &transposes_ : nullptr;
    std::vector<double> partLoss(parts, 0.0);
    auto work = [&](int w) {
        if (w >= parts) return;
        const int begin = int(std::int64_t(B) * w / parts), end = int(std::int64_t(B) * (w + 1) / parts);
        objective_.drawExamples(*data_, net_, streams, batch_, begin, end);
        grads_[w].setZero();
        for (int c = begin; c < end; c += config_.chunk)
            partLoss[w] += objective_.accumulate(net_, batch_, c, std::min(c + config_.chunk, end), workspaces_[w],
                                                 grads_[w]);
    };
    if (parts == 1) work(0);
    else pool_.run(work);

    // Sum the workers' gradients and the squared norm, split over parameter
    // ranges (deterministic: each entry adds the workers in order), warming
    // Adam's arrays on the core that updates that range next (GradientSum.h).
    // A batch too small to split keeps these passes on this thread too, with
    // its arrays already in this core's cache: waking the workers would cost
    // more than the passes.
    const int n = int(net_.mlp().numParams());
    constexpr int kGrain = 4096;
    auto forRanges = [&](const std::function<void(int, int, int)>& fn) {
        if (parts == 1) fn(0, n, 0);
        else pool_.parallelFor(n, kGrain, fn);
    };
    std::vector<double> normPart(pool_.size(), 0.0);
    std::vector<const float*> others;
    for (int w = 1; w < parts; ++w) others.push_back(grads_[std::size_t(w)].data());
    const AdamState& adamState = adam_.state();
    const float* const warm[] = {net_.mlp().params().data(), adamState.m.data(), adamState.v.data(),
                                 adamState.ema.data()};
    forRanges([&](int begin, int end, int worker) {
        normPart[worker] = sumGradients(grads_[0].data(), others.data(), int(others.size()), warm, parts > 1 ? 4 : 0,
                                        begin, end);
    });

    StepStats s;
    for (double l : partLoss) s.loss += l;
    s.learningRate = adam_.currentLearningRate();
    double norm2 = 0;
    for (double p : normPart) norm2 += p;
    const double norm = std::sqrt(norm2);
    if (!std::isfinite(s.loss) || !std::isfinite(norm)) {
        // Do not apply it: go back to the last finite snapshot with half the rate.
        net_.mlp().params() = snapshotParams_;
        adam_.setState(snapshotState_);
        OptimizerConfig c = adam_.config();
        c.learningRate = std::max(c.learningRate * 0.5, OptimizerConfig::kMinLearningRate);
        adam_.setConfig(c);
        s.restored = true;
        s.step = adam_.state().step;
        s.gradNorm = norm;
        stats_.restores += 1;
        stats_.lastEvent = "training diverged (non-finite " + std::string(std::isfinite(s.loss) ? "gradient" : "loss") +
                           ") at step " + std::to_string(stats_.step + 1) + ": restored the weights of step " +
                           std::to_string(s.step) + " and halved the learning rate to " +
                           std::to_string(c.learningRate);
        goodStepsSinceSnapshot_ = 0;
        stats_.step = s.step;
        stats_.gradNorm = norm;
        return s;
    }
    const AdamStep update = adam_.beginUpdate(norm);
    float* params = net_.mlp().params().data();
    float* grads = grads_[0].data();
    forRanges([&](int begin, int end, int) { adam_.applyRange(update, params, grads, begin, end); });
    s.gradNorm = norm;
    s.step = adam_.state().step;
    if (++goodStepsSinceSnapshot_ >= kSnapshotInterval) takeSnapshot();
    updateStats(s);
    return s;
}

StepStats Trainer::run(int n)
{
    StepStats s;
    for (int i = 0; i < n; ++i) s = step();
    return s;
}

void Trainer::updateStats(const StepStats& s)
{
    stats_.step = s.step;
    stats_.finiteSteps += 1;
    stats_.loss = s.loss;
    stats_.gradNorm = s.gradNorm;
    stats_.smoothedLoss = std::isnan(stats_.smoothedLoss)
                              ? s.loss
                              : (1 - kLossSmoothing) * stats_.smoothedLoss + kLossSmoothing * s.loss;

    // Per-bin means of this batch folded into each bin's running mean.
    const int bins = int(stats_.levelLoss.size());
    std::vector<double> sum(bins, 0.0);
    std::vector<int> count(bins, 0);
    for (int j = 0; j < batch_.size; ++j) {
        const int b = batch_.bin[j];
        if (b >= 0 && b < bins) {
            sum[b] += batch_.loss[j];
            ++count[b];
        }
    }
    for (int b = 0; b < bins; ++b) {
        if (!count[b]) continue;
        const double mean = sum[b] / count[b];
        double& l = stats_.levelLoss[b];
        l = std::isnan(l) ? mean : (1 - kLevelSmoothing) * l + kLevelSmoothing * mean;
    }

    ++rateSteps_;
    const auto now = std::chrono::steady_clock::now();
    const double elapsed = std::chrono::duration<double>(now - rateStart_).count();
    if (elapsed >= 0.5) {
        stats_.stepsPerSecond = rateSteps_ / elapsed;
        rateStart_ = now;
        rateSteps_ = 0;
    }
}

} // namespace ss

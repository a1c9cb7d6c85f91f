#include "core/CnfTrainer.h"

#include "core/Error.h"

#include <algorithm>
#include <chrono>
#include <cmath>

namespace ss {

void CnfTrainerConfig::validate() const
{
    if (batchSize < 1 || batchSize > 65536)
        throw InputError("batch size must be in [1, 65536] (got " + std::to_string(batchSize) + ")");
}

CnfTrainer::CnfTrainer(std::shared_ptr<const Dataset> data, const CnfConfig& model, const CnfSolveConfig& solve,
                       const OptimizerConfig& optimizer, const CnfTrainerConfig& config)
    : data_(std::move(data)), solve_(solve), config_(config), net_(model), adam_(optimizer), rng_(config.seed)
{
    if (!data_ || data_->size() == 0) throw InputError("the data set is empty: nothing to train on");
    solve_.validate();
    config_.validate();
    adam_.reset(net_.mlp().params());
}

CnfNet CnfTrainer::emaNet() const
{
    CnfNet n = net_;
    n.mlp().params() = adam_.state().ema;
    return n;
}

CnfStepStats CnfTrainer::step()
{
    const auto start = std::chrono::steady_clock::now();
    const int B = config_.batchSize;
    Eigen::Matrix2Xd x(2, B);
    for (int j = 0; j < B; ++j) x.col(j) = data_->points.col(Eigen::Index(rng_.next() % std::uint64_t(data_->size())));
    const TraceProbes probes = makeProbes(solve_, B, rng_);
    CnfStepStats s;
    CnfGradientResult g;
    try {
        g = cnfLossGradient(net_, x, solve_, probes);
    } catch (const InputError&) {
        g.loss = std::numeric_limits<double>::quiet_NaN(); // the solve diverged: skip below
    }
    s.loss = g.loss;
    s.forwardEvaluations = g.forwardEvaluations;
    s.backwardEvaluations = g.backwardEvaluations;
    s.bytesStored = g.bytesStored;
    if (!std::isfinite(g.loss) || !g.gradient.allFinite() || g.gradient.size() != net_.mlp().numParams()) {
        // Not applied: halve the rate so the next step is gentler.
        ++skipped_;
        s.skipped = true;
        OptimizerConfig c = adam_.config();
        c.learningRate = std::max(c.learningRate / 2, OptimizerConfig::kMinLearningRate);
        adam_.setConfig(c);
    } else {
        Eigen::VectorXf grads = g.gradient.cast<float>();
        s.gradNorm = adam_.update(net_.mlp().params(), grads);
    }
    if (solve_.trace == TraceEstimator::Hutchinson) {
        const Eigen::Matrix4Xd J = net_.jacobian(x, 0.0);
        double sum = 0;
        for (int j = 0; j < B; ++j) sum += hutchinsonVariance(J.col(j), solve_.probe, solve_.probes);
        s.hutchinsonVariance = sum / B;
    }
    s.step = adam_.state().step;
    s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return s;
}

} // namespace ss

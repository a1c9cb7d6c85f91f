#include "core/ModelDensity.h"

#include "core/Error.h"
#include "core/Likelihood.h"
#include "core/ThreadPool.h"

#include <chrono>
#include <cmath>
#include <string>

namespace ss {

namespace {

constexpr int kChunk = 256; // points per batch: the network's cache-sized chunk

// The flow at one value of l = log(std / mean): its time, the level there and dt/dl.
struct Stage {
    double t = 0, scale = 0;
    NoiseLevel level;
};

// The RK4 steps of one flow: stages at l0 + m dl / 2, m = 0 .. 2 steps (RK4
// reads each step's ends and midpoint), dl = (l(1) - l0) / steps.
struct StepTable {
    std::vector<Stage> stages;
    double dl = 0;
    int steps() const { return stages.empty() ? 0 : int(stages.size() - 1) / 2; }
};

StepTable stepTable(const NoiseSchedule& schedule, double t0, int steps)
{
    const auto logRatio = [&](double t) {
        const Marginal m = schedule.sdeMarginal(t).marginal;
        return std::log(m.std / m.mean);
    };
    const double l0 = logRatio(t0), l1 = logRatio(1.0);
    StepTable table;
    table.dl = (l1 - l0) / steps;
    table.stages.resize(std::size_t(2 * steps + 1));
    for (int m = 0; m <= 2 * steps; ++m) {
        Stage& s = table.stages[std::size_t(m)];
        const double l = l0 + (l1 - l0) * m / (2.0 * steps);
        s.t = m == 0 ? t0 : m == 2 * steps ? 1.0 : flowTime(schedule, NoiseLevel{{1.0, std::exp(l)}, 0.0});
        s.level = schedule.sdeMarginal(s.t);
        const double g2 = schedule.diffusionSquared(s.t);
        if (!(g2 > 0.0)) throw InputError("model density: the schedule adds no noise at t = " + std::to_string(s.t));
        s.scale = 2.0 * s.level.marginal.std * s.level.marginal.std / g2; // dt/dl = 1 / (g^2 / (2 std^2))
    }
    return table;
}

// The score and its trace at a chunk of points. A network gives both from one
// tangent pass (its output is [s | J e1 | J e2]), a quarter cheaper than
// score() and then divergence(), which repeats the primal pass; any other
// source answers the two calls.
void scoreAndTrace(const ScoreSource& source, const NetworkScoreSource* network, const Eigen::Matrix2Xd& x,
                   const NoiseLevel& level, Eigen::Matrix2Xd& s, Eigen::VectorXd& trace)
{
    if (!network) {
        source.score(x, level, s);
        source.divergence(x, level, trace);
        return;
    }
    const ScoreNet& net = network->net();
    const Eigen::Index n = x.cols();
    thread_local ScoreNet::Matrix in, directions; // kept: allocating per call costs page faults
    thread_local Mlp::Tape tape;
    in.resize(net.inputDim(), n);
    for (Eigen::Index j = 0; j < n; ++j) net.encode(float(x(0, j)), float(x(1, j)), level, network->label(), in, j);
    // score = a x + b F(inScale x) (core/Parametrisation.h): tr J = 2a + b inScale tr J_F.
    const OutputMap map = net.outputMap(level.marginal);
    directions.setZero(net.inputDim(), 2 * n);
    directions.block(0, 0, 1, n).setConstant(float(map.inScale));
    directions.block(1, n, 1, n).setConstant(float(map.inScale));
    net.mlp().forward(in, directions, 2, tape);
    s = map.b * tape.output.leftCols(n).cast<double>() + map.a * x;
    trace = (map.b * (tape.output.block(0, n, 1, n) + tape.output.block(1, 2 * n, 1, n)).transpose().cast<double>())
                .array() + 2 * map.a;
}

// Integrates the 3 x n states (x1, x2, accumulated divergence) through the
// stages by RK4; false when cancelled between two steps.
bool integrateChunk(const ScoreSource& source, const NoiseSchedule& schedule, const StepTable& table,
                    Eigen::MatrixXd& y, const std::atomic<bool>* cancel)
{
    const Eigen::Index n = y.cols();
    const auto* network = dynamic_cast<const NetworkScoreSource*>(&source);
    Eigen::Matrix2Xd x(2, n), s(2, n);
    Eigen::VectorXd trace(n);
    Eigen::MatrixXd k1(3, n), k2(3, n), k3(3, n), k4(3, n), tmp(3, n);
    const auto velocity = [&](int m, const Eigen::MatrixXd& state, Eigen::MatrixXd& d) {
        const Stage& st = table.stages[std::size_t(m)];
        x = state.topRows(2);
        scoreAndTrace(source, network, x, st.level, s, trace);
        flowVelocity(schedule, st.t, st.scale, x, s, trace, d);
    };
    const double dl = table.dl;
    for (int k = 0; k < table.steps(); ++k) {
        if (cancel && cancel->load(std::memory_order_relaxed)) return false;
        velocity(2 * k, y, k1);
        tmp = y + 0.5 * dl * k1;
        velocity(2 * k + 1, tmp, k2);
        tmp = y + 0.5 * dl * k2;
        velocity(2 * k + 1, tmp, k3);
        tmp = y + dl * k3;
        velocity(2 * k + 2, tmp, k4);
        y += (dl / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
    }
    return true;
}

void validate(const DensityRegion& r, const ModelDensityConfig& c)
{
    if (!(std::isfinite(r.xMin) && std::isfinite(r.xMax) && std::isfinite(r.yMin) && std::isfinite(r.yMax)) ||
        !(r.xMax > r.xMin) || !(r.yMax > r.yMin))
        throw InputError("model density: the region must be finite and not empty");
    if (c.sizes.empty()) throw InputError("model density: no grid sizes given");
    for (std::size_t k = 0; k < c.sizes.size(); ++k) {
        const int n = c.sizes[k];
        if (n < 2 || n > 1025)
            throw InputError("model density: a grid needs 2 to 1025 nodes per side (got " + std::to_string(n) + ")");
        if (k > 0 && n != 2 * c.sizes[k - 1] - 1)
            throw InputError("model density: grid sizes must nest, each 2 n - 1 of the one before (got " +
                             std::to_string(c.sizes[k - 1]) + " then " + std::to_string(n) + ")");
    }
    if (c.steps < 1 || c.steps > 1000)
        throw InputError("model density: steps must be in [1, 1000] (got " + std::to_string(c.steps) + ")");
}

} // namespace

Eigen::Vector2d densityNode(const DensityRegion& r, int n, int i, int j)
{
    return {r.xMin + (r.xMax - r.xMin) * j / (n - 1), r.yMin + (r.yMax - r.yMin) * i / (n - 1)};
}

ModelDensityResult computeModelDensity(const ScoreSource& source, const NoiseSchedule& schedule,
                                       const NoiseLevel& level, const DensityRegion& region,
                                       const ModelDensityConfig& config, ThreadPool& pool,
                                       const std::atomic<bool>* cancel,
                                       const std::function<void(const DensityLevel&)>& onLevel)
{
    validate(region, config);
    const auto start = std::chrono::steady_clock::now();
    ModelDensityResult result;
    result.flowTime = flowTime(schedule, level);
    if (schedule.sdeMarginal(result.flowTime).marginal.std < source.minimumStd())
        throw InputError("model density: the score " + source.describe() + " is not defined at this noise level");
    const bool atPrior = result.flowTime >= 1.0; // the level is the noisiest: the prior itself
    const StepTable table = atPrior ? StepTable{} : stepTable(schedule, result.flowTime, config.steps);
    result.evaluations = atPrior ? 0 : 4LL * config.steps;

    DensityLevel previous;
    for (const int n : config.sizes) {
        // The nodes this level adds: all of the first; then those off the previous level's (an odd index).
        std::vector<std::pair<int, int>> nodes;
        for (int i = 0; i < n; ++i)
            for (int j = 0; j < n; ++j)
                if (previous.size == 0 || i % 2 || j % 2) nodes.emplace_back(i, j);
        const int count = int(nodes.size());
        Eigen::MatrixXd state(3, count);
        for (int p = 0; p < count; ++p) {
            state.col(p).head<2>() = densityNode(region, n, nodes[std::size_t(p)].first, nodes[std::size_t(p)].second);
            state(2, p) = 0.0;
        }
        std::atomic<bool> stopped{false};
        if (!atPrior)
            pool.parallelForBalanced((count + kChunk - 1) / kChunk, 1, [&](int first, int end) {
                for (int c = first; c < end; ++c) {
                    const int begin = c * kChunk, size = std::min(kChunk, count - begin);
                    Eigen::MatrixXd y = state.middleCols(begin, size);
                    if (!integrateChunk(source, schedule, table, y, cancel)) {
                        stopped = true;
                        return;
                    }
                    state.middleCols(begin, size) = y;
                }
            });
        if (stopped || (cancel && cancel->load())) {
            result.cancelled = true;
            return result;
        }
        const Eigen::VectorXd logp = flowLogDensity(schedule, state);
        if (!logp.allFinite())
            throw InputError("model density: the flow gave a non-finite density (a diverging score?)");

        DensityLevel current;
        current.size = n;
        current.logDensity.resize(n, n);
        for (int i = 0; i < previous.size; ++i)
            for (int j = 0; j < previous.size; ++j) current.logDensity(2 * i, 2 * j) = previous.logDensity(i, j);
        for (int p = 0; p < count; ++p) current.logDensity(nodes[std::size_t(p)].first, nodes[std::size_t(p)].second) = logp(p);
        current.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (onLevel) onLevel(current);
        previous = std::move(current);
    }
    result.finest = std::move(previous);
    return result;
}

} // namespace ss

#pragma once
// The model's density on a grid of the scene (the "Model density" layer):
// log p_t(x) of the perturbed marginal at the shown noise level, by the
// probability-flow ODE of Likelihood.h (its flowVelocity and flowLogDensity)
// started at that level's time instead of t_eps, with the exact 2x2 trace
// (docs/reference/measurements.md#model-density-on-a-grid).
//
// Built for speed, not for one point: every point of a chunk takes the same
// fixed RK4 steps, uniform in l = log(std / mean) from the level to t = 1
// (dt/dl = 2 std^2 / g^2), so the score and trace of a whole chunk are one
// batch per stage and the chunks share one table of stage times. In l the flow
// is smooth at every noise level (the velocity is std^2 times the score, the
// size of a denoising step), where uniform steps in t would waste most of
// them on the noisy end.
//
// Progressive: the grid is computed in levels of n0 < n1 < ... nodes per
// side, each n_{k+1} = 2 n_k - 1, so every node of a level is a node of the
// next; a finer level integrates only its new nodes and copies the rest, and
// each finished level is handed to a callback. A cancel flag (set by another
// thread: the model or the level changed) is read between steps; a cancelled
// computation returns early with `cancelled` set and no further level.
#include "core/ScoreSource.h"

#include <atomic>
#include <functional>
#include <vector>

namespace ss {

class ThreadPool;

// 24 steps (96 evaluations of score and trace per point): the full 129^2
// grid of the default network in 9.3 CPU-seconds (~5 s on 2 free cores). Against the exact
// density (tst_model_density) within 0.021 nats where the colour range shows,
// at every level; the largest errors are at the least noise, in the tails of
// the modes where the flow is stiff
// (docs/reference/measurements.md#model-density-on-a-grid; uniform steps in
// t or EDM's rho = 3, 7 spacing were worse).
inline constexpr int kModelDensitySteps = 24;

// The layer's colour range: log p from its maximum down to this many nats
// (lower values show as the bottom colour).
inline constexpr double kModelDensityRange = 12.0;

struct DensityRegion {
    double xMin = -3, xMax = 3, yMin = -3, yMax = 3; // world units; nodes lie on the edges too
};

struct ModelDensityConfig {
    std::vector<int> sizes{17, 33, 65, 129}; // nodes per side, coarse to fine, each 2 n - 1 of the one before
    int steps = kModelDensitySteps;          // RK4 steps from the level to t = 1
};

struct DensityLevel {
    int size = 0;               // nodes per side
    Eigen::ArrayXXd logDensity; // size x size, nats; (i, j) = node (x_j, y_i), i counting up from yMin
    double seconds = 0;         // since the computation started
};

struct ModelDensityResult {
    DensityLevel finest;        // the last finished level (size 0 when none finished)
    bool cancelled = false;     // the flag was set: later levels were not computed
    double flowTime = 0;        // where the flow started (flowTime of the level)
    long long evaluations = 0;  // score-and-trace evaluations per point (4 per step)
};

// Node (i, j) of an n-node level: (xMin + j dx, yMin + i dy), dx = (xMax - xMin) / (n - 1).
Eigen::Vector2d densityNode(const DensityRegion& region, int n, int i, int j);

// Throws InputError for an empty or non-finite region, sizes that are not
// nested (or below 2, or above 1025), steps outside [1, 1000], a score not
// defined at the level's noise, or a flow that gives a non-finite density.
// onLevel runs on the calling thread, once per finished level.
ModelDensityResult computeModelDensity(const ScoreSource& source, const NoiseSchedule& schedule,
                                       const NoiseLevel& level, const DensityRegion& region,
                                       const ModelDensityConfig& config, ThreadPool& pool,
                                       const std::atomic<bool>* cancel = nullptr,
                                       const std::function<void(const DensityLevel&)>& onLevel = {});

} // namespace ss

#pragma once
// The field worker: evaluates what the scene draws on grids over the visible
// region, on its own thread, so the GUI never waits for it:
//  - score arrows on an n x n grid: the exact score and the learned one;
//  - heat maps on an m x m grid: the log density of the exact perturbed
//    marginal, and the density-weighted score error p(x) |s_learned - s_exact|^2;
//  - the noised data at the level: mean x0 + std eps, with one fixed eps per
//    point (drawn once per data set), so scrubbing the level moves each point
//    continuously instead of redrawing it.
// Requests (view, level) and networks arrive as messages; only the newest
// request is computed (older pending ones are dropped), at most once per
// minIntervalMs; new networks are taken at most every networkIntervalMs, so a
// training run publishing weights at display rate does not swamp it.
#include "Dataset.h"
#include "NoiseSchedule.h"
#include "ScoreNet.h"

#include "WorkerThread.h"

#include <QObject>
#include <QThread>
#include <QTimer>

#include <memory>
#include <mutex>

namespace ss::app {

struct FieldRequest {
    double xMin = -3, xMax = 3, yMin = -3, yMax = 3; // the region (world units)
    NoiseLevel level{{1.0, 0.1}, 0.0};
    int arrows = 32; // arrows per side
    int heat = 128;  // heat-map cells per side
    bool error = false; // also the score-error map (one more network pass over the heat grid)
    bool operator==(const FieldRequest& o) const
    {
        return xMin == o.xMin && xMax == o.xMax && yMin == o.yMin && yMax == o.yMax && arrows == o.arrows &&
               heat == o.heat && error == o.error && level.marginal.mean == o.level.marginal.mean &&
               level.marginal.std == o.level.marginal.std && level.t == o.level.t;
    }
};

struct FieldSnapshot {
    FieldRequest request;
    Eigen::Matrix2Xd grid;          // arrow positions, row-major over y then x
    Eigen::Matrix2Xd exact, learned; // scores at grid (learned: empty without a network)
    Eigen::ArrayXXf logDensity;     // heat x heat, (row = y index from yMin, col = x index)
    Eigen::ArrayXXf error;          // same shape; empty without a network
    Eigen::Matrix2Xd noised;        // the first kMaxNoised data points, noised to the level
    bool hasNetwork = false;
    std::int64_t serial = 0;
};
using FieldPtr = std::shared_ptr<const FieldSnapshot>;

// One field computation, on the calling thread (the worker's, or an export's):
// arrows, density, noised data (noise: one standard-normal column per shown
// point) and, with a network and r.error, the error map.
FieldSnapshot computeField(const FieldRequest& r, const Dataset& data, const ExactScore& exact, const ScoreNet* net,
                           const Eigen::Matrix2Xd& noise);
// The noised layer's eps for `count` points (at most kMaxNoised), keeping the
// columns of `kept` and drawing the rest from a fixed seed.
Eigen::Matrix2Xd noisedDataNoise(Eigen::Index count, const Eigen::Matrix2Xd& kept = {});

class FieldWorker : public QObject {
    Q_OBJECT
public:
    static constexpr Eigen::Index kMaxNoised = 20000; // points drawn by the noised-data layer

    FieldWorker(std::shared_ptr<const Dataset> data, int minIntervalMs = 30, int networkIntervalMs = 250);

    FieldPtr latest() const; // null until the first computation

    void postRequest(const FieldRequest& request);
    void postNetwork(std::shared_ptr<const ScoreNet> net);
    void postData(std::shared_ptr<const Dataset> data);

signals:
    void snapshotReady();
    void message(const QString& text, bool isError);

private:
    void schedule();
    void compute();
    void extendNoise(); // eps for every shown data point; existing columns are kept

    std::shared_ptr<const Dataset> data_;
    std::shared_ptr<const ExactScore> exact_;
    std::shared_ptr<const ScoreNet> net_;
    Eigen::Matrix2Xd noise_; // standard normal, one column per shown data point
    FieldRequest request_;
    bool haveRequest_ = false, dirty_ = false;
    QTimer* throttle_ = nullptr;
    QTimer* networkThrottle_ = nullptr;
    bool networkPending_ = false;
    mutable std::mutex mutex_;
    FieldPtr latest_;
    std::int64_t serial_ = 0;
};

// The worker on its own thread (see WorkerThread.h).
class FieldThread : public WorkerThread<FieldWorker> {
public:
    template <typename... Args>
    explicit FieldThread(Args&&... args) : WorkerThread("fields", std::forward<Args>(args)...)
    {
    }
};

} // namespace ss::app

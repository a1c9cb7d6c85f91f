#pragma once
// The field worker: evaluates what the scene draws on grids over the visible
// region, on its own thread, so the GUI never waits for it:
//  - score arrows on an n x n grid: the exact score and the learned one;
//  - heat maps on an m x m grid: the log density of the exact perturbed
//    marginal, and the density-weighted score error p(x) |s_learned - s_exact|^2;
//  - the noised data at the level: mean x0 + std eps, with one fixed eps per
//    point (drawn once per data set), so scrubbing the level moves each point
//    continuously instead of redrawing it.
// The values and the computation itself live in FieldCompute.h (state).
// Requests (view, level) and networks arrive as messages; only the newest
// request is computed (older pending ones are dropped), at most once per
// minIntervalMs; new networks are taken at most every networkIntervalMs, so a
// training run publishing weights at display rate does not swamp it.
#include "state/FieldCompute.h"
#include "engine/Mailbox.h"
#include "engine/WorkerThread.h"

#include <QObject>
#include <QThread>
#include <QTimer>

#include <functional>
#include <memory>

namespace ss::app {

class FieldWorker : public QObject {
    Q_OBJECT
public:
    static constexpr Eigen::Index kMaxNoised = app::kMaxNoised; // points drawn by the noised-data layer

    FieldWorker(std::shared_ptr<const Dataset> data, int minIntervalMs = 30, int networkIntervalMs = 250);

    FieldPtr latest() const; // null until the first computation

    void postRequest(const FieldRequest& request);
    void postNetwork(std::shared_ptr<const ScoreNet> net);
    void postData(std::shared_ptr<const Dataset> data);

signals:
    void snapshotReady();
    void message(const QString& text, bool isError);

private:
    void post(std::function<void()> apply); // postGuarded (Boundary.h); errors become message()
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
    Mailbox<FieldSnapshot> latest_;
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

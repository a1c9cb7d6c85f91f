#pragma once
// The density worker: the model-density layer's log p_theta on a progressive
// grid over the view (core/ModelDensity.h), on its own thread, beside the
// exact log density of the noised data at the same nodes. Each finished level
// (17^2, 33^2, 65^2, 129^2 nodes) is published at once, so a coarse picture
// shows within a fraction of a second and finer ones replace it.
//
// What to compute is one wanted state (view, level, schedule, network, data,
// enabled), written by the post* calls under a mutex from the GUI thread and
// read by the worker when it starts a run. A change of view, level, schedule
// or data, or disabling, cancels a running computation at once (an atomic
// flag read between ODE steps); a new network cancels it only once it has run
// for kStaleMs, else it is taken when the grid is done. So while training
// publishes weights at display rate the picture is at most a few seconds
// behind the model, at the finest level reached in that time (with training
// on both cores, the 17^2 and 33^2 ones), and with training paused the grid
// completes. Nothing is computed while the layer is hidden (enabled false) or
// before a network.
//
// The pool's threads and this one run at a lower priority (niceness), so on a
// 2-core machine the layer yields to training instead of halving it.
#include "engine/Mailbox.h"
#include "engine/WorkerThread.h"
#include "state/DensityLayer.h"

#include "core/ThreadPool.h"

#include <QObject>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace ss::app {

class DensityWorker : public QObject {
    Q_OBJECT
public:
    static constexpr int kStaleMs = 4000;
    explicit DensityWorker(std::shared_ptr<const Dataset> data);

    DensityPtr latest() const; // null until the first level

    // Any one thread (the GUI's). An unchanged request is ignored.
    void postRequest(const DensityRequest& request);
    void postNetwork(std::shared_ptr<const ScoreNet> net);
    void postData(std::shared_ptr<const Dataset> data);
    void postEnabled(bool on);
    void stop(); // cancels the running grid and starts no other (before the thread ends)

signals:
    void snapshotReady();
    void message(const QString& text, bool isError);

private:
    struct Wanted {
        DensityRequest request;
        bool haveRequest = false, enabled = false;
        std::shared_ptr<const ScoreNet> net;
        std::shared_ptr<const Dataset> data;
    };
    // Applies change to the wanted state; cancel: stop a running grid now.
    template <typename Change>
    void want(Change&& change, bool cancel);
    void runIfWanted(); // this thread: one progressive grid for the wanted state, unless it was done
    void run(const Wanted& w);

    std::mutex mutex_;
    Wanted wanted_;                 // guarded by mutex_
    std::uint64_t version_ = 0;     // guarded by mutex_: bumped by every change
    std::uint64_t done_ = 0;        // this thread: the version the last run started from
    std::atomic<bool> cancel_{false}, stopped_{false};
    std::atomic<qint64> runStartedMs_{-1}; // steady clock ms when the running grid started; -1: none runs
    std::unique_ptr<ThreadPool> pool_; // made on this thread at the first run
    std::shared_ptr<const ExactScore> exact_;
    const Dataset* exactOf_ = nullptr;
    Mailbox<DensitySnapshot> latest_;
};

// The worker on its own thread; stops a running grid before joining it.
class DensityThread : public WorkerThread<DensityWorker> {
public:
    template <typename... Args>
    explicit DensityThread(Args&&... args) : WorkerThread("density", std::forward<Args>(args)...)
    {
    }
    ~DensityThread() { worker()->stop(); }
};

} // namespace ss::app

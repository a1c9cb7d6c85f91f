#pragma once
// The model measurement worker: the Measurements dock's held-out NLL, Fisher
// divergence per level and DDPM ELBO of the newest network (engine/
// ModelMeasureJob.h), on its own low-priority thread, one job at a time.
//
// When a job runs: while enabled (the dock is shown), for the first network of
// a run at once, then whenever the newest network is refreshSteps past the one
// measured last. A newer network of the same run supersedes, it does not
// cancel: the job in flight finishes (its numbers are a true measurement of
// its step) and the next job takes the newest network. A job in flight IS
// cancelled, from the posting thread through an atomic flag the core loops
// read, when its inputs go stale: new data, a new model or a reset (a network
// whose step went back, or another schedule), other settings, or the dock hidden.
//
// Cost (bench/measure.sh): one thread at niceness 10 (SceneController) and a
// one-thread pool, so under contention it takes a small share of a core;
// default sizes (ModelMeasureSettings) keep a job to ~1-2 s of one core for
// the default model. And it rests: a job that took W seconds (wall clock, so
// a loaded machine rests longer) is followed by at least kRestFactor x W
// without one, so the thread is runnable at most 1 / (1 + kRestFactor) of
// the time whatever the refresh interval (on a busy 2-core machine, niceness
// alone left training at ~0.75 of its speed: the CPU is shared per session,
// and within it by weight).
#include "engine/Mailbox.h"
#include "engine/ModelMeasureJob.h"
#include "engine/WorkerThread.h"

#include "core/ScoreNet.h"

#include <QObject>
#include <QString>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

class QTimer;

namespace ss::app {

using ModelMeasurePtr = std::shared_ptr<const ModelMeasureSnapshot>;

class ModelMeasureWorker : public QObject {
    Q_OBJECT
public:
    static constexpr double kRestFactor = 3;
    explicit ModelMeasureWorker(std::shared_ptr<const Dataset> data, ModelMeasureSettings settings = {});
    ~ModelMeasureWorker() override;

    ModelMeasurePtr latest() const; // never null (step -1 before the first job)

    // Messages, applied on the worker's thread; call them from one thread (the GUI's).
    void postNetwork(std::shared_ptr<const ScoreNet> net, const NoiseSchedule& schedule, std::int64_t step);
    void postData(std::shared_ptr<const Dataset> data); // a new run
    void postNewRun();                                   // a new model or objective
    void postSettings(const ModelMeasureSettings& settings);
    void postEnabled(bool on);                           // off: no job runs (the dock is hidden)
    // A lesson step shows the ELBO (LessonMeasure::Elbo): jobs run while
    // either this or postEnabled is on, so the hidden dock still measures.
    void postLessonWants(bool on);
    void cancelForever();                                // any thread: the job in flight stops (shutdown)

signals:
    void snapshotReady();
    // percent of the stage in flight; stage empty: idle (no job runs).
    void progress(int percent, const QString& stage);
    void message(const QString& text, bool isError);

private:
    struct Network {
        std::shared_ptr<const ScoreNet> net;
        NoiseSchedule schedule;
        std::int64_t step = 0;
    };
    // Marks the job in flight stale now (calling thread); apply() runs on the
    // worker's thread and then clears the mark once no other stale message waits.
    void post(bool invalidates, std::function<void()> apply);
    void startRun();  // a new history (worker thread)
    void schedule();  // starts a job when one is due
    void runJob();
    void publish(const ModelMeasureSnapshot& s);
    bool cancelled() const { return cancel_.load(); }

    std::shared_ptr<const Dataset> data_;
    ModelMeasureSettings settings_;
    std::optional<Network> pending_;  // the newest network
    std::int64_t measuredStep_ = -1;  // this run's last measured network (-1: none)
    bool enabled_ = true;
    std::int64_t run_ = 0;
    ModelMeasureSnapshot state_;      // what the next publication starts from
    HeldOutPoints points_;            // of data_ (fixed for the run)
    std::optional<MeanEstimate> exactNll_, analyticNll_; // cached for the run: they do not depend on the network
    std::string exactError_;
    QTimer* kick_ = nullptr;
    std::chrono::steady_clock::time_point restUntil_{}; // no job starts before (kRestFactor x the last job)
    std::unique_ptr<ThreadPool> pool_;
    Mailbox<ModelMeasureSnapshot> latest_;
    // Cancellation: stale_ counts posted messages that invalidate the job and
    // are not applied yet; cancel_ = stale_ > 0, read by the core loops.
    std::mutex staleMutex_;
    int stale_ = 0;
    std::atomic<bool> cancel_{false};
    // The posting thread's view, to tell a new run from a newer network.
    std::int64_t postedStep_ = -1;
    std::string postedSchedule_;
    bool postedShown_ = true, postedLessonWants_ = false; // enabled_ = either
    void postActive();
};

class ModelMeasureThread : public WorkerThread<ModelMeasureWorker> {
public:
    template <typename... Args>
    explicit ModelMeasureThread(Args&&... args) : WorkerThread("model-measure", std::forward<Args>(args)...)
    {
    }
    ~ModelMeasureThread() { worker()->cancelForever(); } // before the join: a job in flight returns
};

} // namespace ss::app

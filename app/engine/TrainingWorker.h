#pragma once
// The training worker: a QObject living on its own QThread that alone owns the
// Trainer (model, optimiser, batches). The GUI never calls into the trainer:
//  - settings travel as messages (post*), applied between slices of steps;
//  - results come back as immutable snapshots (weights of the EMA network,
//    statistics, the schedule), published at most every publishIntervalMs, so
//    the GUI is never flooded however fast training runs.
// The GUI reads latest() (a shared_ptr copy under a mutex, never waiting on a
// training step) when snapshotReady() arrives.
//
// Running: a zero-delay timer runs slices of steps of ~sliceMs each, then
// returns to the event loop, so messages and quit() are served within a slice.
// Shutdown: TrainingThread (WorkerThread.h) interrupts the slice and joins.
#include "engine/Mailbox.h"
#include "state/TrainingSetup.h"
#include "engine/WorkerThread.h"

#include <QObject>
#include <QString>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <chrono>
#include <memory>

namespace ss::app {

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    // Throws InputError when the setup cannot train (the Trainer's checks).
    explicit TrainingWorker(const TrainingSetup& setup, int publishIntervalMs = 40, int sliceMs = 15);

    // Thread-safe: the newest snapshot (never null after construction).
    SnapshotPtr latest() const;
    // Thread-safe: whether training runs once the messages posted so far are
    // applied (latest()->running lags behind a postStart still in the queue:
    // a model replaced twice in quick succession read it and left the newest
    // trainer paused at step 0, lecture 8).
    bool runningRequested() const { return requested_.load(); }
    // Worker thread (WorkerThread::setNiceness): the trainer's pool threads' priority.
    void setPoolNiceness(int niceness) { trainer_.setThreadNiceness(niceness); }

    // Thread-safe messages, applied on the worker thread between slices. A
    // refused setting (InputError) leaves training as it was and is reported
    // through message().
    void postStart();
    void postPause();
    void postStep(int steps = 1);
    void postResetWeights();
    void postSchedule(const NoiseSchedule& schedule);
    void postLearningRate(double lr);
    void postBatchSize(int batch);
    void postData(std::shared_ptr<const Dataset> data);
    void postEmaDecay(double decay); // 0: the EMA follows the weights
    void postPublishEma(bool ema);   // snapshots carry the EMA (true) or the raw weights
    // Writes the model file (ModelFile.h) between steps; the outcome comes back
    // through message() ("model saved to ..." or the reason it was not).
    void postSaveModel(const QString& path);
    // Completes the window's part of a scene (data, history, sampling, app state)
    // with the trainer's settings and state (captureTraining) and writes it
    // atomically between steps. Success: sceneSaved(path, autosave), and a
    // message unless it was an autosave; failure: message(reason, true).
    void postSaveScene(SceneDocument scene, const QString& path, bool autosave = false);

signals:
    void snapshotReady();           // latest() changed
    void message(const QString& text, bool isError); // refused settings, restores
    void sceneSaved(const QString& path, bool autosave);

private:
    void runSlice();
    void publish();
    template <typename F>
    void post(F&& apply); // postGuarded (Boundary.h), then a snapshot: the GUI sees every applied change at once

    Trainer trainer_;
    QTimer* loop_ = nullptr;
    bool running_ = false;
    std::atomic<bool> requested_{false}; // running_ as the posted messages will leave it
    bool publishEma_ = true;
    int publishIntervalMs_, sliceMs_;
    std::chrono::steady_clock::time_point lastPublish_{};
    int lastRestores_ = 0;
    Mailbox<TrainingSnapshot> latest_;
};

// The worker on its own thread (see WorkerThread.h).
class TrainingThread : public WorkerThread<TrainingWorker> {
public:
    template <typename... Args>
    explicit TrainingThread(Args&&... args) : WorkerThread("training", std::forward<Args>(args)...)
    {
    }
};

} // namespace ss::app

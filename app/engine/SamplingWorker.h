#pragma once
// The sampling worker: a QObject on its own QThread that owns a Sampler and
// plays it (steps per tick within a time budget), publishing immutable
// particle snapshots at display rate. Like the training worker, it is driven by
// messages (post*) applied between steps, and read through latest().
//
// The score source is either the exact score of the data or the learned one;
// with the learned source, each training snapshot handed in (postNetwork) is
// swapped in between steps, so particles follow the model as it trains.
// With looping on, a finished run starts again (seed + run number), so the
// default scene keeps flowing. A run that diverges (Sampler::divergence) stops
// there and stays on screen with its last finite particles until Play, Reset
// or new settings start a fresh one (playing again if it was playing); it is
// reported once as a message and described in every snapshot.
//
// Errors: every posted change and every tick runs through guarded()
// (Boundary.h): whatever it throws is reported as message(text, true), after
// the snapshot that shows the state kept (a refused change leaves the previous
// settings running, and the snapshot's setup says which).
#include "engine/Mailbox.h"
#include "state/SamplingSetup.h"
#include "core/ScoreNet.h"
#include "engine/WorkerThread.h"

#include <QObject>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>

namespace ss::app {

class SamplingWorker : public QObject {
    Q_OBJECT
public:
    // Longest a display tick keeps stepping before it publishes and serves messages.
    static constexpr int kTickBudgetMs = 40;
    // Throws InputError when the setup cannot sample. A learned source has no
    // network until postNetwork(); until then it samples with the exact score.
    explicit SamplingWorker(const SamplingSetup& setup, int tickMs = 16);

    ParticlesPtr latest() const; // thread-safe, never null
    // Thread-safe: whether it plays once the messages posted so far are
    // applied (latest()->playing lags behind a postPlay still in the queue).
    bool playRequested() const { return playRequested_.load(); }
    // Thread-safe: a settings change posted (postSetup, postSource) is not yet
    // applied or refused. An error reported meanwhile is about the settings
    // before it: SceneController keeps the request, whose own answer follows.
    bool setupPending() const { return latest()->setupRequest != setupsPosted_.load(); }

    void postPlay();
    void postPause();
    void postStep();   // one step, paused
    void postReset();  // new particles from the seed
    void postSetup(const SamplingSetup& setup); // new sampler settings; refused ones are reported
    void postSchedule(const NoiseSchedule& schedule);
    void postNetwork(std::shared_ptr<const ScoreNet> net);
    void postSource(SourceKind kind);
    // The step-through: follow these particle columns (empty: none). Kept
    // across resets and new settings; the snapshot carries their last step.
    void postFollow(std::vector<Eigen::Index> columns);
    // Runs f on the worker's thread between steps, guarded like every post*
    // (scripts and tests; the window does not use it).
    void postCall(std::function<void()> f);

signals:
    void snapshotReady();
    void message(const QString& text, bool isError);

private:
    void tick();
    void stepOnce();
    void stop(); // playing off, timer off
    void publish();
    void restartTrail(); // the trail is the current particles alone
    void extendTrail();  // the current particles appended, the oldest beyond trailLength dropped
    std::unique_ptr<Sampler> makeSampler(const SamplerConfig& config) const; // encoding: from the data
    void rebuild(const SamplingSetup& setup); // throws InputError, leaves the old sampler on failure
    std::shared_ptr<const ScoreSource> currentSource() const;
    template <typename F>
    void post(F&& apply); // postGuarded (Boundary.h), the snapshot before the error message

    SamplingSetup setup_;
    std::shared_ptr<const TargetProfile> target_; // of setup_ (null: nothing conditioned)
    std::shared_ptr<const ExactClassifier> classifier_; // of setup_'s data while guidance is on
    std::shared_ptr<const TiltedMap> tilted_;           // of setup_ (null: not guided)
    std::shared_ptr<const Eigen::Matrix2Xd> posterior_;     // SDEdit: exact draws for this run's noised start
    Eigen::Matrix2Xd sdeditStart_;                          // SDEdit: this run's noised start, at sdeditLevel_
    Marginal sdeditLevel_;
    std::shared_ptr<const TargetDistance> targetDistance_; // the last finished guided or SDEdit run's
    void startedRun();    // a run has just started: SDEdit's exact posterior draws for it
    void measureTarget(); // a run has just ended: its distance to exact draws of its target
    std::vector<Eigen::Index> followed_;
    std::shared_ptr<const ScoreNet> net_;
    std::unique_ptr<Sampler> sampler_;
    std::deque<Eigen::Matrix2Xd> trail_;
    std::deque<TrailMark> trailMarks_; // the step and level of each trail entry
    QTimer* timer_ = nullptr;
    bool playing_ = false;
    std::atomic<bool> playRequested_{false}; // playing_ as the posted messages will leave it
    std::atomic<std::int64_t> setupsPosted_{0}; // settings changes posted (numbered from 1)
    std::int64_t setupsHandled_ = 0;            // the last one handled (worker thread)
    int run_ = 0;
    int held_ = 0; // ticks the finished run has been shown
    bool resumeAfterDivergence_ = false; // playing stopped at a divergence: new settings or Reset play again
    Mailbox<ParticleSnapshot> latest_;
};

// The worker on its own thread (see WorkerThread.h).
class SamplingThread : public WorkerThread<SamplingWorker> {
public:
    template <typename... Args>
    explicit SamplingThread(Args&&... args) : WorkerThread("sampling", std::forward<Args>(args)...)
    {
    }
};

} // namespace ss::app

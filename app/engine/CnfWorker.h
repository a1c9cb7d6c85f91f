#pragma once
// The flow worker: a continuous normalizing flow (core/CnfTrainer, FFJORD)
// trained by maximum likelihood on the scene's data, on its own thread, beside
// the score model. Like the training worker it is driven by messages (post*)
// applied between steps and read through latest() (FlowSnapshot, state/FlowSetup.h).
//
// While running, each slice takes one training step (a step solves the ODE
// forward and back: tens of milliseconds), every evalEvery steps the held-out
// NLL with the exact trace, and while samples are shown one piece of the
// sample run (N(0, I) carried from t = 1 to t = 0 by the EMA flow, RK4,
// sampleSteps pieces; the run restarts with the newest weights after a hold).
// A step whose solve diverges is skipped by the trainer (the learning rate
// halves); settings the core refuses come back as message(text, true) and the
// old flow keeps running.
#include "engine/Mailbox.h"
#include "engine/WorkerThread.h"
#include "state/FlowSetup.h"

#include "core/CnfTrainer.h"
#include "core/Dataset.h"

#include <QObject>
#include <QTimer>

#include <chrono>
#include <deque>
#include <memory>

namespace ss::app {

class CnfWorker : public QObject {
    Q_OBJECT
public:
    static constexpr int kTickMs = 16;
    static constexpr int kHoldMs = 1500;        // a finished sample run stays on screen this long
    static constexpr int kPublishMs = 40;
    static constexpr double kEvalTolerance = 1e-5; // RK45 of the held-out NLL
    // Throws InputError when the settings or the data cannot train.
    CnfWorker(std::shared_ptr<const Dataset> data, const FlowSettings& settings = {});

    FlowPtr latest() const { return latest_.latest(); } // thread-safe, never null

    void postStart();
    void postPause();
    void postStep(); // one training step, paused (scripts and tests)
    void postSettings(const FlowSettings& settings); // a fresh flow with these (refused: the old one stays)
    void postReset();                                // a fresh flow with the same settings
    void postData(std::shared_ptr<const Dataset> data); // a fresh flow on the new points
    void postShowSamples(bool on);
    // Writes the EMA flow as a CNF model file (core/CnfFile.h) between steps;
    // the outcome comes back through message().
    // (scorescope-cli cnf-sample / cnf-nll read it.)
    void postSave(const QString& path);

signals:
    void snapshotReady();
    void message(const QString& text, bool isError);

private:
    void tick();
    void trainStep();
    void evaluate();        // the held-out NLL of the newest EMA flow
    void advanceSamples();  // one piece of the sample run (restarts a finished one after the hold)
    void startSampleRun();
    void rebuild(std::shared_ptr<const Dataset> data, const FlowSettings& settings); // throws; keeps the old on failure
    void publish();
    void updateTimer();
    template <typename F>
    void post(F&& apply);

    std::shared_ptr<const Dataset> data_;
    FlowSettings settings_;
    std::unique_ptr<CnfTrainer> trainer_;
    Eigen::Matrix2Xd heldOut_;
    bool heldOutFresh_ = false;
    std::optional<MeanEstimate> exactNll_;
    std::vector<FlowStepRecord> history_;
    std::vector<FlowEval> evals_;
    std::int64_t lastEvalStep_ = -1;
    bool running_ = false, showSamples_ = false;
    // The sample run: particles at piece samplePiece_ of sampleSteps, the trail of the last pieces.
    Eigen::Matrix2Xd samples_;
    std::deque<Eigen::Matrix2Xd> trail_;
    int samplePiece_ = 0, sampleRun_ = 0, held_ = 0;
    long long sampleNfe_ = 0;
    bool sampleDiverged_ = false;
    std::int64_t sampleStep_ = 0; // the training step whose EMA flow this run uses
    std::int64_t sampleSerial_ = 0; // the snapshots' own serials, negative: never a sampler's
    CnfNet sampleNet_;
    std::deque<std::chrono::steady_clock::time_point> stepTimes_; // of the last second
    std::chrono::steady_clock::time_point lastPublish_{};
    std::chrono::steady_clock::time_point runEnded_{}; // when the sample run finished (the hold starts)
    std::chrono::steady_clock::time_point lastPiece_{};
    QTimer* timer_ = nullptr;
    Mailbox<FlowSnapshot> latest_;
};

class CnfThread : public WorkerThread<CnfWorker> {
public:
    template <typename... Args>
    explicit CnfThread(Args&&... args) : WorkerThread("flow", std::forward<Args>(args)...)
    {
    }
};

// "CNF flow, RK4 40 steps" — what a sample run is, for the caption and the measurements.
std::string flowSamplerName(const FlowSettings& s);

} // namespace ss::app

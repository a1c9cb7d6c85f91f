#pragma once
// The running scene: owns the three workers (training, sampling, fields), each
// on its own thread, and the live setup, and applies the user's edits to them
// (data, drawn points, schedule, a new model or objective, sampler settings,
// score source, training knobs). It routes snapshots: each new network goes to
// the sampler and the field worker, and the newest is kept for exports. It
// lives on the GUI thread and never waits on a worker.
//
// No widgets: the window listens to its signals and updates the docks. An
// edit a worker cannot take is refused with a reason (message), and the setup
// keeps what runs: a refused model or schedule leaves the old one, a refused
// sampler change is taken back from the sampler's own snapshot.
#include "engine/DensityWorker.h"
#include "engine/FieldWorker.h"
#include "engine/MeasureWorker.h"
#include "engine/ModelMeasureWorker.h"
#include "engine/SamplingWorker.h"
#include "state/SceneSetup.h"
#include "engine/TrainingWorker.h"

#include <QObject>

#include <cstdint>
#include <memory>

class QTimer;

namespace ss::app {

class SceneController : public QObject {
    Q_OBJECT
public:
    // Starts the three threads on `setup` (paused). Throws InputError when a
    // worker refuses it (a programming error in the presets).
    explicit SceneController(const SceneSetup& setup, QObject* parent = nullptr);
    ~SceneController() override; // joins the threads

    const SceneSetup& setup() const { return setup_; }
    TrainingWorker* training() const { return training_->worker(); } // changes with each new model
    SamplingWorker* sampling() const { return sampling_->worker(); }
    FieldWorker* fields() const { return fields_->worker(); }
    MeasureWorker* measure() const { return measure_->worker(); }
    ModelMeasureWorker* modelMeasure() const { return modelMeasure_->worker(); } // NLL, Fisher, ELBO
    DensityWorker* density() const { return density_->worker(); } // the model-density layer
    std::shared_ptr<const ScoreNet> latestNet() const { return lastNet_; } // null before the first snapshot

    void startAll(); // training and sampling run

    // A new data set for every worker; the sampler restarts on it. A schedule
    // still derived from the data follows it (followData).
    void setData(std::shared_ptr<const Dataset> data, const QString& title);
    // Draw mode: the workers get the newest drawn points at most every
    // kDrawFlushMs during a stroke, and at its end (the sampler restarts then).
    // An empty set is refused (the workers keep the last points).
    void setDrawnPoints(std::shared_ptr<const Dataset> data, bool strokeDone);
    void flushDrawnPoints(); // a pending drawn edit goes out now (before a save)
    static constexpr int kDrawFlushMs = 200;
    // Live, after checking it fits the objective; false: refused (message), old one kept.
    bool setSchedule(const NoiseSchedule& schedule);
    // A new trainer (new model or objective). false: refused (message), the old
    // one keeps training. keepRunning: the new one runs if the old one did.
    bool rebuildTraining(const TrainingSetup& setup, bool keepRunning = true);
    // Replaces the whole setup (trainer paused, sampler restarted on it); false: refused, old one kept.
    bool replaceScene(const SceneSetup& scene);
    void setSampling(const SamplingSetup& sampling); // the Sampler dock's settings (data and schedule stay)
    void setSource(SourceKind kind);
    // Training knobs, kept in the setup too so a new model starts with them.
    void setLearningRate(double lr);
    void setBatchSize(int batch);
    void setEmaDecay(double decay);
    void setPublishEma(bool ema);
    // While the Flow dock's samples are in the scene, the sampler's particles
    // do not reach the measurements (the window posts the flow's instead).
    void setFlowShown(bool on) { flowShown_ = on; }

signals:
    void trainingSnapshotReady(); // training()->latest() changed (its network already routed)
    void particlesReady();        // sampling()->latest() changed
    void fieldReady();            // fields()->latest() changed
    void measureReady();          // measure()->latest() changed
    void modelMeasureReady();     // modelMeasure()->latest() changed
    void densityReady();          // density()->latest() changed (a level of the model-density grid)
    void trainingReplaced();      // a new trainer runs setup().training (its history starts empty)
    // New points reached the workers; restartSampler: the sampler restarts on
    // them (emitted before it is told, so derived step sizes can follow).
    void dataPosted(std::shared_ptr<const Dataset> data, bool restartSampler);
    void titleChanged(); // setup().title
    // The schedule followed the data (followData): setup()'s schedule is new
    // and already posted; the docks show it.
    void scheduleDerived();
    // The sampler refused a change (or stopped): setup().sampling is again what
    // it runs (the reason follows as a message).
    void samplerReverted();
    void message(const QString& text, bool isError);
    void sceneSaved(const QString& path, bool autosave); // from the training thread

private:
    static constexpr int kTrainingNiceness = 2; // see the constructor
    void connectTraining();
    void onTrainingSnapshot();
    void postData(std::shared_ptr<const Dataset> data, bool restartSampler);
    void postDrawnPoints(bool strokeDone);
    bool adoptRunningSampler(); // true: the request differed from what runs
    // Guidance that needs the data's classes goes off (said) when new data has
    // none, or not the guided class, instead of the sampler refusing the data.
    void keepGuidanceFor(const Dataset& data);
    // Re-derives a derived sigma_max for `data` (before it is posted) when the
    // rule's value is off the schedule's by more than the factor `tolerance`;
    // returns what it did, or why not, for the data's message (empty: nothing
    // to say).
    QString followData(const Dataset& data, double tolerance);
    void resetDerivedSigmaMax(); // a new scene: what the rule gives for its own data

    // The sigma_max the rule last gave (core/ScheduleDefaults): the schedule
    // follows the data while its sigma_max is this one (sigmaMaxIs); once set
    // by hand (the Noise schedule dock, a lecture, a scene file that chose
    // another) it stays until the user sets the rule's value again.
    double derivedSigmaMax_ = 0;
    bool flowShown_ = false;
    SceneSetup setup_;
    std::unique_ptr<TrainingThread> training_;
    std::unique_ptr<SamplingThread> sampling_;
    std::unique_ptr<FieldThread> fields_;
    std::unique_ptr<MeasureThread> measure_;
    std::unique_ptr<ModelMeasureThread> modelMeasure_;
    std::unique_ptr<DensityThread> density_;
    std::int64_t lastNetworkSerial_ = -1;
    std::shared_ptr<const ScoreNet> lastNet_;
    QTimer* drawFlush_;                           // single shot: the throttle of drawn edits
    std::shared_ptr<const Dataset> drawnPending_; // the newest drawn edit the workers have not had
};

} // namespace ss::app

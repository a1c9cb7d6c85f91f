#pragma once
// The main window: the scene in the middle, the noise scrubber under it, the
// Training, Sampler and Layers docks around it (layout remembered with
// QSettings), errors in a banner over the scene and in the status bar. It owns
// the three workers (training, sampling, fields), each on its own thread, and
// routes snapshots between them: training snapshots go to the sampler and the
// field worker; particles and fields go to the scene. The GUI thread never
// waits on any of them.
//
// What it shows is what runs: the caption is built from the sampler's
// snapshot, a dock whose change is refused goes back to the running value,
// and a diverged run keeps a standing banner until a new run starts.
//
// Scene files (File menu: Open, Open Recent, Save, Save As): the window fills
// a SceneDocument with what it owns (data, history, sampler settings, layers,
// view) and the training thread adds the trainer's state and writes it; a file
// is opened on the GUI thread, all or nothing. An opened scene samples at once
// and keeps training paused (the weights stay those saved until Start).
// Autosave: the current scene every two minutes to the application's data
// folder, in this instance's own file under its own session lock
// (AutosaveStore); a clean exit removes both. At start-up the autosaves of
// sessions whose process is gone (never a running instance's) are offered.
#include "AnimationExport.h"
#include "DataPanel.h"
#include "FieldWorker.h"
#include "LayersPanel.h"
#include "ModelPanel.h"
#include "SchedulePanel.h"
#include "NoiseScrubber.h"
#include "SamplerPanel.h"
#include "SceneFile.h"
#include "SceneView.h"
#include "TrainingPanel.h"
#include "TrainingWorker.h"

#include <QElapsedTimer>
#include <QMainWindow>
#include <QStringList>

#include <memory>
#include <string>

class QLabel;
class QMenu;
class QTimer;

namespace ss::window {

class AutosaveStore;

struct SceneSetup {
    app::TrainingSetup training;
    app::SamplingSetup sampling;
    QString title; // the data set's title for the caption
    std::string presetId = "8gaussians"; // where the data came from (the Data dock shows it)
    int points = 2000;
    std::uint64_t dataSeed = 0;
};

// 8 Gaussians, NCSN training, annealed Langevin with the learned score.
SceneSetup defaultScene();

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // useSettings: restore and save the dock layout (off in tests).
    explicit MainWindow(const SceneSetup& scene = defaultScene(), bool useSettings = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    view::SceneView* scene() const { return scene_; }
    TrainingPanel* trainingPanel() const { return trainingPanel_; }
    SamplerPanel* samplerPanel() const { return samplerPanel_; }
    LayersPanel* layersPanel() const { return layersPanel_; }
    DataPanel* dataPanel() const { return dataPanel_; }
    ModelPanel* modelPanel() const { return modelPanel_; }
    SchedulePanel* schedulePanel() const { return schedulePanel_; }
    NoiseScrubber* scrubber() const { return scrubber_; }
    app::TrainingWorker* training() const { return training_->worker(); }
    app::SamplingWorker* sampling() const { return sampling_->worker(); }
    app::FieldWorker* fields() const { return fields_->worker(); }

    // Starts training and sampling (the default scene's first impression).
    void startAll();
    // Replaces the whole scene (data, model, schedule, sampler, layers) and
    // starts it; a lecture preset's one click. false: refused (message shown,
    // the old scene stays).
    bool loadScene(const SceneSetup& scene, const view::LayerSettings& layers, double scrubber);

    // Scene files (public for scripts and tests). openScene: false, with the
    // reason in the status bar, when the file is refused; the current scene is
    // then untouched. saveScene is asynchronous: the training thread writes the
    // file (atomically) and reports in the status bar; sceneFile() changes once
    // it is written.
    bool openScene(const QString& path);
    void saveScene(const QString& path);
    QString sceneFile() const { return sceneFile_; } // empty: never saved or opened
    QStringList recentScenes() const { return recent_; } // newest first, at most kMaxRecent
    static constexpr int kMaxRecent = 8;

    // Autosave of the current scene into dir every intervalMs (0 stops it),
    // in this instance's own file, guarded by its session lock
    // (AutosaveStore); started by the window itself only when it uses
    // settings. Tests point it at a temporary folder.
    void setAutosave(const QString& dir, int intervalMs);
    QString autosavePath() const;    // this instance's autosave (empty: autosave off)
    QString sessionLockPath() const; // its session lock (empty: autosave off)
    // The autosaves in dir of sessions that did not end cleanly and whose
    // process is gone, newest first (never a running instance's).
    static QStringList crashedAutosaves(const QString& dir);
    static constexpr int kAutosaveMs = 2 * 60 * 1000;
    // Shows the layers (and field resolution) in the view and the Layers dock.
    void applyLayers(const view::LayerSettings& layers);

    // The File menu's exports (public for scripts and tests). Each reports in
    // the status bar; false when refused (nothing written).
    bool exportPicture(const QString& path, QSize size); // .png, .svg, .pdf
    bool exportSamplesCsv(const QString& path);          // the particles: x,y
    bool exportTrajectoriesCsv(const QString& path);     // the trails: particle,step,x,y
    void exportModel(const QString& path);               // JSON, written by the training thread
    bool exportLossCsv(const QString& path);             // step,loss,level_1..level_L
    // An animation of the current scene (sampler, network, layers, view) with
    // the dialog's settings in `settings`; runs on its own thread with a
    // progress dialog (cancel removes the partial file). false: refused at once.
    app::AnimationJob animationJob() const; // the scene's part of a job
    bool exportAnimation(const app::AnimationJob& job, const QString& path);
    app::AnimationExport* runningExport() const { return export_.get(); }

protected:
    void closeEvent(QCloseEvent* e) override;

private:
    void onTrainingSnapshot(); // guarded: an error is shown, never thrown into the event loop
    void showTrainingSnapshot();
    void onParticles();        // guarded, as above
    void showParticles();
    // The Sampler dock and setup_.sampling go back to the settings the worker
    // runs (after it refused a change); true when they differed (a refusal).
    bool showRunningSampler();
    void onField();
    void requestField();
    void showMessage(const QString& text, bool isError); // errors also in the scene's banner
    // Writes an export atomically; reports `done` (and remembers the folder)
    // or the write's error in the status bar. false: nothing written.
    bool saveExportedText(const QString& path, const std::string& text, const QString& done);
    void updateCaption();
    void setData(std::shared_ptr<const Dataset> data, const QString& title); // to every worker and the view
    // To the workers only (the view keeps its frame); the sampler restarts on
    // it only with restartSampler.
    void postData(std::shared_ptr<const Dataset> data, bool restartSampler);
    // Draw mode: the view shows each edit at once; the workers get the newest
    // at most every kDrawFlushMs during a stroke, and at its end.
    void showDrawnPoints(std::shared_ptr<const Dataset> data, bool strokeDone);
    void postDrawnPoints(bool strokeDone);
    void setSchedule(const NoiseSchedule& schedule); // live, after checking it fits the objective
    // A new trainer (new model or objective); keeps the old one when refused.
    // keepRunning: the new trainer runs if the old one did.
    bool rebuildTraining(const app::TrainingSetup& setup, bool keepRunning = true); // false: refused, old one kept
    void buildLectureMenu();
    void buildFileMenu();
    QString exportPath(const QString& name) const; // beside the last export
    void connectTraining();
    // Scene files.
    SceneDocument windowPartOfScene(); // what the GUI owns; the training thread adds the rest
    bool replaceScene(const SceneSetup& scene, const view::LayerSettings& layers, double scrubber);
    bool openSceneFile(const QString& path, bool restoringAutosave);
    void onSceneSaved(const QString& path, bool autosave);
    void rememberRecent(const QString& path);
    void rebuildRecentMenu();
    void updateTitle();
    void offerCrashRestore(const QString& dir); // start-up: a question per dead session's autosave
    void endAutosave();                         // a clean end: this instance's autosave and lock go

    SceneSetup setup_;
    bool useSettings_;
    view::SceneView* scene_;
    NoiseScrubber* scrubber_;
    TrainingPanel* trainingPanel_;
    SamplerPanel* samplerPanel_;
    LayersPanel* layersPanel_;
    DataPanel* dataPanel_;
    ModelPanel* modelPanel_;
    SchedulePanel* schedulePanel_;
    QLabel* permanent_;
    std::unique_ptr<app::TrainingThread> training_;
    std::unique_ptr<app::SamplingThread> sampling_;
    std::unique_ptr<app::FieldThread> fields_;
    std::int64_t lastNetworkSerial_ = -1;
    QString modeLine_;           // live mode weights for mixture data (caption)
    QElapsedTimer modeClock_;
    QString lastExportDir_;
    std::shared_ptr<const ScoreNet> lastNet_; // the newest network snapshot (for exports)
    std::unique_ptr<app::AnimationExport> export_; // at most one at a time
    static constexpr int kDrawFlushMs = 200;
    QTimer* drawFlush_ = nullptr;                 // single shot: the throttle of drawn edits
    std::shared_ptr<const Dataset> drawnPending_; // the newest drawn edit the workers have not had
    QString sceneFile_;          // the scene's file (Save writes there); empty: none yet
    QStringList recent_;         // Open Recent, newest first
    QMenu* recentMenu_ = nullptr;
    QTimer* autosave_ = nullptr;
    std::unique_ptr<AutosaveStore> autosaveStore_; // null: no autosave
};

} // namespace ss::window

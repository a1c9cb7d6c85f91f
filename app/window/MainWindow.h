#pragma once
// The main window: a shell of docks and connections. The scene view in the
// middle, the noise scrubber under it, the Data, Model, Schedule, Training,
// Sampler and Layers docks around it (layout remembered with QSettings),
// errors in a banner over the view and in the status bar.
//
// Who owns what: the SceneController runs the scene (three worker threads and
// the live setup) and applies the docks' edits; SceneDocuments owns the scene
// file (open, save, recent, autosave, crash restore, the title); ExportActions
// writes the File menu's exports. The window connects them to the docks and
// shows what runs: the caption is built from the sampler's snapshot, a dock
// whose change is refused goes back to the running value, and a diverged run
// keeps a standing banner until a new run starts. The GUI thread never waits
// on a worker.
#include "export/AnimationExport.h"
#include "window/Caption.h"
#include "window/DataPanel.h"
#include "window/Docks.h"
#include "window/EditHistory.h"
#include "window/ExportActions.h"
#include "window/LayersPanel.h"
#include "window/ModelPanel.h"
#include "window/NoiseScrubber.h"
#include "window/PresentationKeys.h"
#include "window/PresentationMode.h"
#include "window/SamplerPanel.h"
#include "engine/SceneController.h"
#include "window/SceneDocuments.h"
#include "core/SceneFile.h"
#include "state/SceneSetup.h"
#include "view/SceneView.h"
#include "window/SchedulePanel.h"
#include "window/TrainingPanel.h"

#include <QMainWindow>
#include <QStringList>

#include <memory>

class QLabel;

namespace ss::window {

class HelpMenu;
class ViewMenu;
class LessonPanel;
class StepThrough;
class MeasurementsPanel;
class RaceDock;
class FlowDock;
struct LecturePreset;

using app::defaultScene; // the setup's home is engine/SceneSetup.h
using app::SceneSetup;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // useSettings: restore and save the dock layout, remember recent scenes,
    // autosave (off in tests). Throws InputError when the workers refuse scene.
    explicit MainWindow(const SceneSetup& scene = defaultScene(), bool useSettings = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    view::SceneView* scene() const { return scene_; }
    TrainingPanel* trainingPanel() const { return docks_.training; }
    SamplerPanel* samplerPanel() const { return docks_.sampler; }
    LayersPanel* layersPanel() const { return docks_.layers; }
    DataPanel* dataPanel() const { return docks_.data; }
    ModelPanel* modelPanel() const { return docks_.model; }
    SchedulePanel* schedulePanel() const { return docks_.schedule; }
    NoiseScrubber* scrubber() const { return scrubber_; }
    ViewMenu* viewMenu() const { return viewMenu_; } // View: docks, default layout (others add to its menu())
    HelpMenu* helpMenu() const { return helpMenu_; }
    PresentationMode* presentation() const { return presentation_; } // View → Presentation
    PresentationKeys* teachingKeys() const { return teachingKeys_; }
    StepThrough* stepThrough() const { return stepThrough_; }
    MeasurementsPanel* measurementsPanel() const { return measurements_; }
    RaceDock* raceDock() const { return race_; }
    FlowDock* flowDock() const { return flow_; }
    // The Flow dock's "Samples in the scene": while on, the scene draws (and the
    // Measurements dock measures) the flow's samples, and the sampler pauses;
    // off, the sampler's particles come back (and it plays again if it played).
    void setFlowSamplesShown(bool on);
    bool flowSamplesShown() const { return flowShown_; }
    app::ParticlesPtr flowParticles() const { return flowParticles_; } // the newest shown (null: none)
    void showFlowSamples(app::ParticlesPtr samples); // a new piece of the flow's sample run
    app::SceneController* controller() const { return controller_.get(); }
    EditHistory* history() const { return history_; } // the Edit menu's undo stack
    app::TrainingWorker* training() const { return controller_->training(); }
    app::SamplingWorker* sampling() const { return controller_->sampling(); }
    app::FieldWorker* fields() const { return controller_->fields(); }

    // Starts training and sampling (the default scene's first impression).
    void startAll();
    // Replaces the whole scene (data, model, schedule, sampler, layers) and
    // starts it; a lecture preset's one click. false: refused (message shown,
    // the old scene stays).
    bool startScene(const SceneSetup& scene, const view::LayerSettings& layers, double scrubber);
    // A lecture preset: its scene started, its lesson in the Lesson dock (LessonPanel.h).
    bool startLecture(const LecturePreset& preset);
    LessonPanel* lessonPanel() const { return lesson_; }

    // Scene files (SceneDocuments; public for scripts and tests).
    bool openScene(const QString& path) { return documents_->open(path); }
    void saveScene(const QString& path) { documents_->save(path); }
    QString sceneFile() const { return documents_->file(); }
    QStringList recentScenes() const { return documents_->recent(); }
    static constexpr int kMaxRecent = SceneDocuments::kMaxRecent;
    void setAutosave(const QString& dir, int intervalMs) { documents_->setAutosave(dir, intervalMs); }
    QString autosavePath() const { return documents_->autosavePath(); }
    QString sessionLockPath() const { return documents_->sessionLockPath(); }
    static QStringList crashedAutosaves(const QString& dir) { return SceneDocuments::crashedAutosaves(dir); }
    static constexpr int kAutosaveMs = SceneDocuments::kAutosaveMs;
    // Shows the layers (and field resolution) in the view and the Layers dock.
    void applyLayers(const view::LayerSettings& layers);

    // The File menu's exports (ExportActions; public for scripts and tests).
    // Each reports in the status bar; false when refused (nothing written).
    bool exportPicture(const QString& path, QSize size) { return exports_->exportPicture(path, size); }
    bool exportSamplesCsv(const QString& path) { return exports_->exportSamplesCsv(path); }
    bool exportTrajectoriesCsv(const QString& path) { return exports_->exportTrajectoriesCsv(path); }
    void exportModel(const QString& path) { exports_->exportModel(path); }
    bool exportLossCsv(const QString& path) { return exports_->exportLossCsv(path); }
    app::AnimationJob animationJob() const; // the scene's part of an animation job
    bool exportAnimation(const app::AnimationJob& job, const QString& path) { return exports_->exportAnimation(job, path); }
    app::AnimationExport* runningExport() const { return exports_->runningExport(); }

protected:
    void closeEvent(QCloseEvent* e) override;

private:
    void buildDocks();
    void showSetup(const SceneSetup& s); // the docks, the scrubber and the view show s
    void connectDocks();
    void connectController();
    void buildMenus();
    void showTrainingSnapshot();
    void showParticles();
    void requestField();
    void showMessage(const QString& text, bool isError); // errors also in the view's banner
    void updateCaption();
    void setData(std::shared_ptr<const Dataset> data, const QString& title); // the Data dock's new set
    void showDrawnPoints(std::shared_ptr<const Dataset> data, bool strokeDone);
    void setSchedule(const NoiseSchedule& schedule);
    bool replaceScene(const SceneSetup& scene, const view::LayerSettings& layers, double scrubber);
    // SceneDocuments' two hooks: the window's part of a scene to save, and an opened scene shown.
    SceneDocument windowPartOfScene();
    bool showOpenedScene(const SceneSetup& scene, const state::AppState& app, const std::vector<LossRecord>& history);

    bool useSettings_;
    std::unique_ptr<app::SceneController> controller_;
    view::SceneView* scene_;
    NoiseScrubber* scrubber_;
    Docks docks_{}; // the panels (their docks own them)
    QLabel* permanent_;
    SceneDocuments* documents_ = nullptr;
    EditHistory* history_ = nullptr;
    ExportActions* exports_ = nullptr;
    ViewMenu* viewMenu_ = nullptr;
    HelpMenu* helpMenu_ = nullptr;
    PresentationMode* presentation_ = nullptr;
    PresentationKeys* teachingKeys_ = nullptr;
    StepThrough* stepThrough_ = nullptr;
    MeasurementsPanel* measurements_ = nullptr; // the Measurements dock's panel
    RaceDock* race_ = nullptr;                  // Compare samplers (hidden until the View menu shows it)
    FlowDock* flow_ = nullptr;                  // Continuous flow (CNF), hidden until shown
    bool flowShown_ = false;                    // the scene shows the flow's samples (flowParticles_)
    bool samplerPlayedBeforeFlow_ = false;
    app::ParticlesPtr flowParticles_;
    ModeLine modeLine_; // live mode weights for mixture data (caption)
    LessonPanel* lesson_ = nullptr; // the Lesson dock's panel (LessonDock.h)
};

} // namespace ss::window

#pragma once
// The main window: the scene in the middle, the noise scrubber under it, the
// Training, Sampler and Layers docks around it (layout remembered with
// QSettings), errors in the status bar. It owns the three workers (training,
// sampling, fields), each on its own thread, and routes snapshots between them:
// training snapshots go to the sampler and the field worker; particles and
// fields go to the scene. The GUI thread never waits on any of them.
#include "AnimationExport.h"
#include "DataPanel.h"
#include "FieldWorker.h"
#include "LayersPanel.h"
#include "ModelPanel.h"
#include "SchedulePanel.h"
#include "NoiseScrubber.h"
#include "SamplerPanel.h"
#include "SceneView.h"
#include "TrainingPanel.h"
#include "TrainingWorker.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <memory>

class QLabel;
class QTimer;

namespace ss::window {

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
    // starts it; a lecture preset's one click.
    void loadScene(const SceneSetup& scene, const view::LayerSettings& layers, double scrubber);
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
    void onTrainingSnapshot();
    void onParticles();
    void onField();
    void requestField();
    void showMessage(const QString& text, bool isError);
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
    bool rebuildTraining(const app::TrainingSetup& setup); // false: refused, old one kept
    void buildLectureMenu();
    void buildFileMenu();
    QString exportPath(const QString& name) const; // beside the last export
    void connectTraining();

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
};

} // namespace ss::window

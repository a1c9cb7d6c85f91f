#pragma once
// The File menu's exports: the picture (PNG, SVG, PDF), the particles and
// their trails as CSV, the model (JSON, written by the training thread), the
// loss history as CSV, and the animation (its own thread, with a progress
// dialog; at most one at a time). Each reports through message(); the folder
// of the last export is where the next file dialog starts.
#include "export/AnimationExport.h"
#include "engine/SceneController.h"

#include <QObject>
#include <QSize>
#include <QString>

#include <functional>
#include <memory>
#include <string>

class QMenu;
class QWidget;

namespace ss::view {
class SceneView;
}

namespace ss::window {

class TrainingPanel;

class ExportActions : public QObject {
    Q_OBJECT
public:
    // The view, the controller and the Training dock (the loss history) must
    // outlive this; dialogs open over `parent`. `job` gives the scene's part
    // of an animation job (MainWindow::animationJob).
    ExportActions(QWidget* parent, view::SceneView* view, app::SceneController* controller, TrainingPanel* training,
                  std::function<app::AnimationJob()> job);
    ~ExportActions() override; // a running animation export is cancelled and joined

    void addToMenu(QMenu* menu); // the six export entries
    QString pathBeside(const QString& name) const; // beside the last export (name alone before any)

    // Each false when refused (nothing written; the reason in message()).
    bool exportPicture(const QString& path, QSize size); // .png, .svg, .pdf
    bool exportSamplesCsv(const QString& path);          // the particles: x,y
    bool exportTrajectoriesCsv(const QString& path);     // the trails: particle,step,x,y
    void exportModel(const QString& path);               // the training thread writes it and reports
    bool exportLossCsv(const QString& path);             // step,loss,level_1..level_L
    bool exportAnimation(const app::AnimationJob& job, const QString& path);
    app::AnimationExport* runningExport() const { return export_.get(); }

signals:
    void message(const QString& text, bool isError);

private:
    // Writes atomically; reports `done` (and remembers the folder) or the error.
    bool saveText(const QString& path, const std::string& text, const QString& done);

    QWidget* parent_;
    view::SceneView* view_;
    app::SceneController* controller_;
    TrainingPanel* training_;
    std::function<app::AnimationJob()> job_;
    QString lastDir_;
    std::unique_ptr<app::AnimationExport> export_; // at most one at a time
};

} // namespace ss::window

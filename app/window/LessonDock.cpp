#include "window/LessonDock.h"

#include "window/Docks.h"
#include "window/FlowDock.h"
#include "window/LessonApplier.h"
#include "window/LessonPanel.h"
#include "window/MainWindow.h"

#include <QDockWidget>

namespace ss::window {

LessonPanel* addLessonDock(MainWindow* w)
{
    LessonPanel::Hooks hooks;
    hooks.apply = [w](const LessonStep& step) { applyLessonStep(*w, step); };
    hooks.currentScene = [w] { return runningLectureScene(*w); };
    hooks.measureInput = [w] {
        // The particles the scene shows: the flow's while they are in it.
        app::ParticlesPtr particles = w->flowSamplesShown() && w->flowParticles() ? w->flowParticles()
                                                                                  : w->sampling()->latest();
        app::FlowPtr flow = w->flowDock() ? w->flowDock()->worker()->latest() : nullptr;
        return MeasureInput{particles, w->training()->latest(), w->controller()->setup().training.data, flow,
                            w->controller()->modelMeasure()->latest()};
    };
    hooks.wantModelMeasure = [w](bool on) { w->controller()->modelMeasure()->postLessonWants(on); };
    auto* panel = new LessonPanel(std::move(hooks));
    QDockWidget* dock = addScrolledDock(w, panel, MainWindow::tr("Lesson"), "lessonDock", Qt::RightDockWidgetArea);
    dock->setMinimumWidth(400); // the right column keeps the Sampler dock's width
    // Tabbed with Training: the Sampler dock stays in view beside the lesson.
    // Training stays in front until a lecture starts (LessonPanel::setLesson
    // raises the lesson): without one the card only says "No lesson".
    if (auto* training = w->findChild<QDockWidget*>("trainingDock")) {
        w->tabifyDockWidget(training, dock);
        training->raise();
    }
    app::SceneController* c = w->controller();
    QObject::connect(c, &app::SceneController::particlesReady, panel, &LessonPanel::refreshMeasure);
    QObject::connect(c, &app::SceneController::trainingSnapshotReady, panel, &LessonPanel::refreshMeasure);
    QObject::connect(c, &app::SceneController::modelMeasureReady, panel, &LessonPanel::refreshMeasure);
    return panel;
}

} // namespace ss::window

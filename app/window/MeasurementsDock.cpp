#include "window/MeasurementsDock.h"

#include "window/Docks.h"
#include "window/MainWindow.h"
#include "window/MeasurementsPanel.h"

#include <QDockWidget>

namespace ss::window {

MeasurementsPanel* addMeasurementsDock(MainWindow* w)
{
    auto* panel = new MeasurementsPanel;
    QDockWidget* dock =
        addScrolledDock(w, panel, MainWindow::tr("Measurements"), "measurementsDock", Qt::RightDockWidgetArea);
    if (auto* training = w->findChild<QDockWidget*>("trainingDock")) {
        w->tabifyDockWidget(training, dock);
        training->raise();
    }
    app::SceneController* c = w->controller();
    QObject::connect(c, &app::SceneController::measureReady, panel,
                     [panel, c] { panel->showMeasure(c->measure()->latest()); });
    QObject::connect(dock, &QDockWidget::visibilityChanged, c, [c](bool shown) { c->measure()->postEnabled(shown); });
    c->measure()->postEnabled(false); // until the dock is shown
    return panel;
}

} // namespace ss::window

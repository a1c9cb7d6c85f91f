#include "window/MeasurementsDock.h"

#include "window/Docks.h"
#include "window/MainWindow.h"
#include "window/MeasurementsPanel.h"
#include "window/ModelMeasurePanel.h"

#include <QDockWidget>
#include <QTabWidget>
#include <QVBoxLayout>

namespace ss::window {

MeasurementsPanel* addMeasurementsDock(MainWindow* w)
{
    // Tabs: the particles' table (Samples), then the model's pages; the
    // model strip (refresh, trace, progress) under them.
    auto* container = new QWidget;
    container->setObjectName("measurementsContainer");
    auto* layout = new QVBoxLayout(container);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* tabs = new QTabWidget(container);
    tabs->setObjectName("measureTabs");
    auto* panel = new MeasurementsPanel;
    tabs->addTab(panel, MainWindow::tr("Samples"));
    auto* model = new ModelMeasurePanel(tabs, container);
    model->setObjectName("modelMeasurePanel");
    layout->addWidget(tabs, 1);
    layout->addWidget(model);
    QDockWidget* dock =
        addScrolledDock(w, container, MainWindow::tr("Measurements"), "measurementsDock", Qt::RightDockWidgetArea);
    if (auto* training = w->findChild<QDockWidget*>("trainingDock")) {
        w->tabifyDockWidget(training, dock);
        training->raise();
    }
    app::SceneController* c = w->controller();
    // The charts are redrawn only where they can be seen (QtCharts took 10-30
    // ms of the GUI thread a snapshot): behind another tab (a lesson's ELBO
    // step measures there) the dock shows the newest snapshot when it comes
    // forward.
    QObject::connect(c, &app::SceneController::measureReady, panel, [panel, container, c] {
        if (container->isVisible()) panel->showMeasure(c->measure()->latest());
    });
    QObject::connect(c, &app::SceneController::modelMeasureReady, model, [model, container, c] {
        if (container->isVisible()) model->showSnapshot(c->modelMeasure()->latest());
    });
    QObject::connect(dock, &QDockWidget::visibilityChanged, panel, [panel, model, c](bool shown) {
        if (!shown) return;
        if (auto m = c->measure()->latest()) panel->showMeasure(m);
        if (auto m = c->modelMeasure()->latest()) model->showSnapshot(m);
    });
    QObject::connect(c->modelMeasure(), &app::ModelMeasureWorker::progress, model, &ModelMeasurePanel::showProgress);
    QObject::connect(model, &ModelMeasurePanel::settingsChanged, c,
                     [c](const app::ModelMeasureSettings& s) { c->modelMeasure()->postSettings(s); });
    QObject::connect(model, &ModelMeasurePanel::message, panel, &MeasurementsPanel::message); // the window shows it
    QObject::connect(dock, &QDockWidget::visibilityChanged, c, [c](bool shown) {
        c->measure()->postEnabled(shown);
        c->modelMeasure()->postEnabled(shown);
    });
    c->measure()->postEnabled(false); // until the dock is shown
    c->modelMeasure()->postEnabled(false);
    return panel;
}

} // namespace ss::window

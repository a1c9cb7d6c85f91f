#include "window/Docks.h"

#include <QDockWidget>
#include <QMainWindow>
#include <QScrollArea>

namespace ss::window {

QDockWidget* addScrolledDock(QMainWindow* window, QWidget* panel, const QString& title, const char* name,
                             Qt::DockWidgetArea area)
{
    auto* d = new QDockWidget(title, window);
    d->setObjectName(name);
    auto* scroll = new QScrollArea(d);
    scroll->setWidget(panel);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    d->setWidget(scroll);
    window->addDockWidget(area, d);
    return d;
}

Docks addDocks(QMainWindow* window, const view::LayerSettings& layers)
{
    auto dock = [window](QWidget* w, const QString& title, const char* name, Qt::DockWidgetArea area) {
        return addScrolledDock(window, w, title, name, area);
    };
    Docks p{new TrainingPanel, new SamplerPanel, new LayersPanel(layers), new DataPanel, new ModelPanel,
            new SchedulePanel};
    auto* dataDock = dock(p.data, QMainWindow::tr("Data"), "dataDock", Qt::LeftDockWidgetArea);
    auto* modelDock = dock(p.model, QMainWindow::tr("Model"), "modelDock", Qt::LeftDockWidgetArea);
    auto* scheduleDock = dock(p.schedule, QMainWindow::tr("Noise schedule"), "scheduleDock", Qt::LeftDockWidgetArea);
    window->tabifyDockWidget(dataDock, modelDock);
    window->tabifyDockWidget(modelDock, scheduleDock);
    dataDock->raise();
    dock(p.training, QMainWindow::tr("Training"), "trainingDock", Qt::RightDockWidgetArea);
    dock(p.sampler, QMainWindow::tr("Sampler"), "samplerDock", Qt::RightDockWidgetArea);
    auto* layersDock = dock(p.layers, QMainWindow::tr("Layers"), "layersDock", Qt::LeftDockWidgetArea);
    layersDock->setMinimumWidth(260);
    return p;
}

} // namespace ss::window

#pragma once
// The main window's six docks, created and laid out in one place: Data, Model
// and Noise schedule tabbed on the left above Layers, Training and Sampler on
// the right. Each dock's object name keys the layout QSettings remembers, so
// renaming one forgets the user's layout once.
#include "window/DataPanel.h"
#include "window/LayersPanel.h"
#include "window/ModelPanel.h"
#include "window/SamplerPanel.h"
#include "window/SchedulePanel.h"
#include "window/TrainingPanel.h"

class QDockWidget;
class QMainWindow;

namespace ss::window {

struct Docks {
    TrainingPanel* training;
    SamplerPanel* sampler;
    LayersPanel* layers;
    DataPanel* data;
    ModelPanel* model;
    SchedulePanel* schedule;
};

// The panels are owned by their docks, the docks by window.
Docks addDocks(QMainWindow* window, const view::LayerSettings& layers);

// One dock holding `panel` in a frameless scroll area (every dock's form), added
// to `area`; `name` keys the remembered layout.
QDockWidget* addScrolledDock(QMainWindow* window, QWidget* panel, const QString& title, const char* name,
                             Qt::DockWidgetArea area);

} // namespace ss::window

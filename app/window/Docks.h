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

} // namespace ss::window

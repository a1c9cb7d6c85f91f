#pragma once
// The Layers dock: a visibility toggle and an opacity slider per scene layer,
// and the resolution of the score field (arrows per side) and the heat maps.
#include "state/LayerSettings.h"

#include <QWidget>

#include <functional>
#include <vector>

namespace ss::window {

class LayersPanel : public QWidget {
    Q_OBJECT
public:
    explicit LayersPanel(const view::LayerSettings& initial, QWidget* parent = nullptr);
    const view::LayerSettings& layers() const { return layers_; }
    void showLayers(const view::LayerSettings& layers); // without emitting
    void restore(const view::LayerSettings& layers);    // undo, redo: shows, then layersChanged()

signals:
    void layersChanged(const view::LayerSettings& layers);

private:
    view::LayerSettings layers_;
    std::vector<std::function<void(const view::LayerSettings&)>> showRows_; // set each row's widgets
};

} // namespace ss::window

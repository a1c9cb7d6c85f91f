#pragma once
// The Layers dock: a visibility toggle and an opacity slider per scene layer.
#include "SceneView.h"

#include <QWidget>

namespace ss::window {

class LayersPanel : public QWidget {
    Q_OBJECT
public:
    explicit LayersPanel(const view::LayerSettings& initial, QWidget* parent = nullptr);
    const view::LayerSettings& layers() const { return layers_; }

signals:
    void layersChanged(const view::LayerSettings& layers);

private:
    view::LayerSettings layers_;
};

} // namespace ss::window

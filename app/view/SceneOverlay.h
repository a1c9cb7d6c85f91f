#pragma once
// SceneView's overlay (private to the view): a transparent child widget over
// the GL surface, painted by the raster engine (QPainter's GL engine on a
// core-profile context drew nothing here), composed by Qt over the GL image and
// included in grab(). It only calls back into SceneView::drawOverlay().
#include "view/SceneView.h"

#include <QWidget>

namespace ss::view {

class SceneView::Overlay : public QWidget {
public:
    explicit Overlay(SceneView* view) : QWidget(view), view_(view)
    {
        setAttribute(Qt::WA_TransparentForMouseEvents);
        setAttribute(Qt::WA_NoSystemBackground);
    }

protected:
    void paintEvent(QPaintEvent*) override { view_->drawOverlay(); }

private:
    SceneView* view_;
};

} // namespace ss::view

// SceneView's overlay: axes with ticks and labels, caption, legend, colour bar
// and frame counter, painted by the raster engine over the GL image.
#include "view/SceneOverlay.h"

#include "paint/ScenePainter.h"

#include <QPainter>


namespace ss::view {

void SceneView::drawOverlay()
{
    QPainter p(overlay_);
    if (!glUsable_) {
        p.setPen(Qt::darkRed);
        p.drawText(rect(), Qt::AlignCenter,
                   tr("The scene needs OpenGL 3.3 core.\n%1").arg(glDescription_.isEmpty() ? tr("No context.")
                                                                                           : glDescription_));
    } else {
        ScenePicture s = picture();
        s.corner = QStringLiteral("%1 fps").arg(fps_, 0, 'f', 0);
        paintOverlay(p, s, size());
    }
    // On screen only (exports carry the caption, not the banner).
    const bool timed = !banner_.isEmpty();
    paintBanner(p, timed ? banner_ : standingBanner_, timed ? bannerError_ : true, size());
}

ScenePicture SceneView::picture() const
{
    ScenePicture s;
    s.data = data_;
    s.particles = particles_;
    s.field = field_;
    s.layers = layers_;
    s.world = visibleRect();
    s.caption = caption_;
    return s;
}

} // namespace ss::view

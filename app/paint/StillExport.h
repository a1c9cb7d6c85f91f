#pragma once
// Stills of the scene: PNG at any pixel size, SVG and PDF with points, arrows
// and trails as vector shapes (heat maps embedded as images). The format comes
// from the file's extension. Written atomically (QSaveFile): a failed export
// leaves any earlier file of that name as it was. Throws InputError naming the
// path and the problem (unknown extension, bad size, unwritable).
#include "paint/ScenePainter.h"

#include <QSize>
#include <QString>

namespace ss::view {

// Text and line scale for a picture of this size: the screen's at ~900 px
// high, growing with the height so labels stay readable on a 4K still.
double exportScale(QSize size);

// The world rectangle widened on its short side to the aspect of size (the
// picture is never stretched).
QRectF fitWorld(const QRectF& world, QSize size);

void exportStill(const ScenePicture& picture, const QString& path, QSize size);

// The picture as a raster image (for PNG and video frames).
QImage renderImage(const ScenePicture& picture, QSize size);

} // namespace ss::view

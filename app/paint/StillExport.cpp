#include "paint/StillExport.h"

#include "core/AtomicFile.h"
#include "core/Error.h"

#include <QBuffer>
#include <QFileInfo>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>

namespace ss::view {

namespace {
[[noreturn]] void fail(const QString& path, const QString& why)
{
    throw InputError(QStringLiteral("cannot export %1: %2").arg(path, why).toStdString());
}

// The encoded picture into the temporary file, then the rename. Every write
// error must stop the commit: QSaveFile (Qt 6.4) misses a short write (a full
// disk takes what fits and reports no error) and a failed flush of its buffer
// at commit, so a full disk replaced the old file with a truncated one and
// reported success. The whole picture is therefore encoded in memory first,
// written in one call whose count is checked, and flushed before commit.
void writeAndCommit(QSaveFile& file, const QByteArray& bytes, const QString& path)
{
    if (file.write(bytes) != bytes.size() || !file.flush() || file.error() != QFileDevice::NoError) {
        const QString why = file.error() != QFileDevice::NoError ? file.errorString()
                                                                 : QStringLiteral("the disk is full or the write failed");
        file.cancelWriting(); // the temporary goes; the old file stays
        fail(path, why);
    }
    if (!file.commit()) fail(path, file.errorString());
}
} // namespace

QRectF fitWorld(const QRectF& world, QSize size)
{
    QRectF w = world;
    const double aspect = double(size.width()) / size.height();
    if (w.width() / w.height() < aspect) {
        const double width = w.height() * aspect;
        w.adjust(-(width - w.width()) / 2, 0, (width - w.width()) / 2, 0);
    } else {
        const double height = w.width() / aspect;
        w.adjust(0, -(height - w.height()) / 2, 0, (height - w.height()) / 2);
    }
    return w;
}

double exportScale(QSize size) { return std::max(1.0, size.height() / 900.0); }

QImage renderImage(const ScenePicture& picture, QSize size)
{
    QImage image(size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    paintScene(p, picture, QSizeF(size));
    p.end();
    return image;
}

void exportStill(const ScenePicture& picture, const QString& path, QSize size)
{
    if (size.width() < 16 || size.height() < 16 || size.width() > 16384 || size.height() > 16384)
        fail(path, QStringLiteral("the size %1 x %2 is outside 16..16384 pixels").arg(size.width()).arg(size.height()));
    if (!(picture.world.width() > 0 && picture.world.height() > 0)) fail(path, QStringLiteral("the view is empty"));
    ScenePicture s = picture;
    s.world = fitWorld(s.world, size);
    const QString ext = QFileInfo(path).suffix().toLower();
    QSaveFile file(path);
    if (ext != "png" && ext != "svg" && ext != "pdf")
        fail(path, QStringLiteral("unknown format '.%1' (use .png, .svg or .pdf)").arg(ext));
    atomicWriteTarget(path.toStdString()); // refuses a device or pipe (QSaveFile would replace it)
    if (!file.open(QIODevice::WriteOnly)) fail(path, file.errorString());
    s.scale = exportScale(size);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    if (ext == "png") {
        const QImage image = renderImage(s, size);
        if (!image.save(&buffer, "PNG")) fail(path, QStringLiteral("PNG encoding failed"));
    } else if (ext == "svg") {
        QSvgGenerator svg;
        svg.setOutputDevice(&buffer);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(QStringLiteral("ScoreScope"));
        svg.setDescription(s.caption);
        QPainter p(&svg);
        paintScene(p, s, QSizeF(size));
    } else {
        QPdfWriter pdf(&buffer);
        pdf.setTitle(QStringLiteral("ScoreScope"));
        pdf.setCreator(QStringLiteral("ScoreScope"));
        // One page the picture's size at 96 dpi; drawn in those pixel units.
        pdf.setResolution(96);
        pdf.setPageSize(QPageSize(QSizeF(size.width() / 96.0 * 72.0, size.height() / 96.0 * 72.0), QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        QPainter p(&pdf);
        paintScene(p, s, QSizeF(size));
    }
    buffer.close();
    writeAndCommit(file, bytes, path);
}

} // namespace ss::view

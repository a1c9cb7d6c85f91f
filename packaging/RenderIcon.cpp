// scorescope_render_icon: the icon's PNG sizes, drawn from its SVG at build
// time with Qt's SVG renderer (packaging/CMakeLists.txt runs it).
//   scorescope_render_icon ICON.svg OUT_DIR NAME SIZE...
// writes OUT_DIR/<SIZE>x<SIZE>/apps/NAME.png for each SIZE (the hicolor
// theme's layout, installed as it is). Exit status 2 with one line on stderr
// for an unreadable SVG, a bad size or a file that cannot be written.
#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QSaveFile>
#include <QSvgRenderer>

#include <cstdio>

namespace {

int fail(const QString& message)
{
    std::fprintf(stderr, "scorescope_render_icon: %s\n", qPrintable(message));
    return 2;
}

} // namespace

int main(int argc, char** argv)
{
    // The offscreen platform: no display is needed to draw into a QImage.
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QGuiApplication app(argc, argv);
    const QStringList args = app.arguments().mid(1);
    if (args.size() < 4) return fail("usage: scorescope_render_icon ICON.svg OUT_DIR NAME SIZE...");
    QSvgRenderer svg(args[0]);
    if (!svg.isValid()) return fail(QString("cannot read the SVG %1").arg(args[0]));
    for (const QString& sizeText : args.mid(3)) {
        bool ok = false;
        const int size = sizeText.toInt(&ok);
        if (!ok || size < 1 || size > 4096) return fail(QString("bad size '%1'").arg(sizeText));
        QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
        image.fill(Qt::transparent);
        QPainter painter(&image);
        painter.setRenderHint(QPainter::Antialiasing);
        svg.render(&painter, QRectF(0, 0, size, size));
        painter.end();
        const QString dir = QString("%1/%2x%2/apps").arg(args[1]).arg(size);
        if (!QDir().mkpath(dir)) return fail(QString("cannot create %1").arg(dir));
        // Written whole or not at all: a build stopped half-way leaves no broken PNG.
        QSaveFile file(QString("%1/%2.png").arg(dir, args[2]));
        if (!file.open(QIODevice::WriteOnly) || !image.save(&file, "PNG") || !file.commit())
            return fail(QString("cannot write %1").arg(file.fileName()));
    }
    return 0;
}

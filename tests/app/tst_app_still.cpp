// Stills of the scene (ScenePainter + exportStill, no GL): a PNG puts the
// particles and the heat map where the data says; SVG and PDF hold points and
// arrows as vector shapes; bad paths and formats are refused and an earlier
// file of the same name survives a failed export.
#include "AppTestSupport.h"
#include "paint/ScenePainter.h"
#include "paint/StillExport.h"

#include "core/Error.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <zlib.h>

using namespace ss;
using namespace ss::view;

namespace {
// World [-2, 2]^2 on a 400 x 400 picture: (x, y) is pixel (200 + 100 x, 200 - 100 y).
ScenePicture knownPicture(int particles)
{
    ScenePicture s;
    s.world = QRectF(-2, -2, 4, 4);
    s.layers.trails.visible = false;
    s.layers.data.visible = false;
    s.layers.learnedField.visible = false;
    s.layers.exactField.visible = true;
    auto p = std::make_shared<app::ParticleSnapshot>();
    p->particles = Eigen::Matrix2Xd::Constant(2, particles, 1.0);
    p->trail.push_back(p->particles);
    s.particles = p;
    auto f = std::make_shared<app::FieldSnapshot>();
    f->request.xMin = f->request.yMin = -2;
    f->request.xMax = f->request.yMax = 2;
    f->request.arrows = 4;
    f->logDensity = apptest::bumpLogDensity(64);
    f->grid.resize(2, 16);
    for (int iy = 0; iy < 4; ++iy)
        for (int ix = 0; ix < 4; ++ix) f->grid.col(iy * 4 + ix) << -1.5 + ix, -1.5 + iy;
    f->exact = -f->grid; // towards the origin
    s.field = f;
    s.caption = QStringLiteral("known picture");
    return s;
}

// The inflated content streams of a PDF (Qt compresses them with Flate).
QByteArray pdfContent(const QByteArray& pdf)
{
    QByteArray out;
    qsizetype at = 0;
    while ((at = pdf.indexOf("stream", at)) >= 0) {
        qsizetype begin = at + 6;
        if (pdf.mid(begin, 2) == "\r\n") begin += 2;
        else if (pdf.mid(begin, 1) == "\n") begin += 1;
        const qsizetype end = pdf.indexOf("endstream", begin);
        if (end < 0) break;
        const QByteArray packed = pdf.mid(begin, end - begin);
        std::vector<unsigned char> buffer(std::size_t(packed.size()) * 50 + 1024);
        uLongf size = uLongf(buffer.size());
        if (uncompress(buffer.data(), &size, reinterpret_cast<const Bytef*>(packed.data()), uLong(packed.size())) == Z_OK)
            out.append(reinterpret_cast<const char*>(buffer.data()), qsizetype(size));
        at = end + 9;
    }
    return out;
}
} // namespace

class TestAppStill : public QObject {
    Q_OBJECT
private slots:
    void pngPutsThingsWhereTheDataSays();
    void svgAndPdfAreVector();
    void refusalsKeepTheEarlierFile();
};

void TestAppStill::pngPutsThingsWhereTheDataSays()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("scene.png");
    exportStill(knownPicture(50), path, QSize(400, 400));
    QImage image(path);
    QCOMPARE(image.size(), QSize(400, 400));
    image = image.convertToFormat(QImage::Format_RGB32);
    const QRgb particle = image.pixel(300, 100), bump = image.pixel(100, 300), empty = image.pixel(215, 185); // world (0.15, 0.15): between arrows, off the grid lines
    QVERIFY2(qRed(particle) > 150 && qGreen(particle) < 120 && qBlue(particle) < 120, qPrintable(QString::number(particle, 16)));
    QVERIFY2(qRed(bump) > 180 && qGreen(bump) > 180 && qBlue(bump) < 120, qPrintable(QString::number(bump, 16)));
    QVERIFY2(qRed(empty) > 230 && qGreen(empty) > 230 && qBlue(empty) > 225, qPrintable(QString::number(empty, 16)));
    // A wider picture keeps the world's aspect: the view widens, the particle stays round and in place vertically.
    exportStill(knownPicture(50), path, QSize(800, 400));
    image = QImage(path).convertToFormat(QImage::Format_RGB32);
    QCOMPARE(image.size(), QSize(800, 400));
    const QRgb wide = image.pixel(400 + 100, 100); // x = 1 is 100 px right of the centre
    QVERIFY2(qRed(wide) > 150 && qGreen(wide) < 120, qPrintable(QString::number(wide, 16)));
}

void TestAppStill::svgAndPdfAreVector()
{
    QTemporaryDir dir;
    const int n = 40;
    exportStill(knownPicture(n), dir.filePath("scene.svg"), QSize(600, 600));
    QFile svg(dir.filePath("scene.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray text = svg.readAll();
    QVERIFY(text.startsWith("<?xml"));
    QVERIFY(text.contains("<image")); // the heat map, embedded
    // Particles as ellipses and 16 arrows as polygons (paths).
    QVERIFY2(text.count("<ellipse") + text.count("<circle") >= n, qPrintable(QString::number(text.count("<ellipse"))));
    QVERIFY2(text.count("<path") + text.count("<polygon") >= 16, qPrintable(QString::number(text.count("<path"))));

    exportStill(knownPicture(n), dir.filePath("scene.pdf"), QSize(600, 600));
    QFile pdf(dir.filePath("scene.pdf"));
    QVERIFY(pdf.open(QIODevice::ReadOnly));
    const QByteArray bytes = pdf.readAll();
    QVERIFY(bytes.startsWith("%PDF-"));
    const QByteArray content = pdfContent(bytes);
    // Ellipses are Bezier curves ('c'), arrows filled polygons (m ... l ... h f).
    QVERIFY2(content.count(" c\n") >= 4 * n, qPrintable(QString::number(content.count(" c\n"))));
    QVERIFY2(content.count(" l\n") >= 6 * 16, qPrintable(QString::number(content.count(" l\n"))));
}

void TestAppStill::refusalsKeepTheEarlierFile()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("keep.png");
    exportStill(knownPicture(5), path, QSize(200, 200));
    const QByteArray before = [&] { QFile f(path); f.open(QIODevice::ReadOnly); return f.readAll(); }();
    auto refused = [&](const QString& p, QSize size, const char* words) {
        try {
            exportStill(knownPicture(5), p, size);
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains(words), e.what());
            return;
        }
        QFAIL("not refused");
    };
    refused(path, QSize(5, 200), "size");
    refused(dir.filePath("scene.bmp"), QSize(200, 200), "unknown format");
    refused(dir.filePath("no/such/dir/scene.png"), QSize(200, 200), "cannot export");
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(f.readAll(), before);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"keep.png"}); // no temporary files left
}

QTEST_MAIN(TestAppStill)
#include "tst_app_still.moc"

// The colour bar's ticks and title (paint/ColourBar): the values each colour
// means, checked as numbers and as pixels; and the overlay's text growing with
// the picture's scale (presentation mode), on the raster engine.
#include "AppTestSupport.h"
#include "paint/ColourBar.h"
#include "paint/ScenePainter.h"

#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QtTest>

#include <cmath>

using namespace ss;
using namespace ss::view;

namespace {
bool dark(QRgb c) { return qGray(c) < 110; }

// Dark pixels in [x0, x1) x [y0, y1).
int darkPixels(const QImage& image, int x0, int x1, int y0, int y1)
{
    int n = 0;
    for (int y = std::max(0, y0); y < std::min(image.height(), y1); ++y)
        for (int x = std::max(0, x0); x < std::min(image.width(), x1); ++x) n += dark(image.pixel(x, y));
    return n;
}

// The height of the box around the pixels that are dark in a and not in b.
int darkDifferenceHeight(const QImage& a, const QImage& b)
{
    int top = a.height(), bottom = -1;
    for (int y = 0; y < a.height(); ++y)
        for (int x = 0; x < a.width(); ++x)
            if (dark(a.pixel(x, y)) && !dark(b.pixel(x, y))) {
                top = std::min(top, y);
                bottom = std::max(bottom, y);
            }
    return bottom - top + 1;
}
} // namespace

class TestAppColourBar : public QObject {
    Q_OBJECT
private slots:
    void ticksAreNiceValuesUpToTheMaximum();
    void barOfTheHeatMapShown();
    void tickLabelsArePaintedAtTheirValues();
    void overlayTextGrowsWithTheScale();
};

void TestAppColourBar::ticksAreNiceValuesUpToTheMaximum()
{
    auto texts = [](double max) {
        QStringList t;
        for (const ColourBarTick& tick : colourBarTicks(max)) t << tick.text;
        return t;
    };
    QCOMPARE(texts(0.13), QStringList({"0", "0.05", "0.1"}));
    QCOMPARE(texts(0.9), QStringList({"0", "0.2", "0.4", "0.6", "0.8"}));
    QCOMPARE(texts(1.0), QStringList({"0", "0.2", "0.4", "0.6", "0.8", "1"}));
    QCOMPARE(texts(37.0), QStringList({"0", "10", "20", "30"}));
    QCOMPARE(texts(0.0), QStringList({"0"}));
    QCOMPARE(texts(std::nan("")), QStringList({"0"}));
    // Every maximum over six decades: 3 to 6 ticks, at value / max of the bar, none above it.
    for (double max = 1e-4; max < 1e2; max *= 1.07) {
        const auto ticks = colourBarTicks(max);
        QVERIFY2(ticks.size() >= 3 && ticks.size() <= 6, qPrintable(QString::number(max)));
        for (const ColourBarTick& t : ticks) {
            QCOMPARE(t.fraction, t.value / max);
            QVERIFY(t.fraction <= 1 + 1e-9);
            QCOMPARE(t.text.toDouble(), t.value);
        }
    }
}

void TestAppColourBar::barOfTheHeatMapShown()
{
    app::FieldSnapshot f;
    f.logDensity = apptest::bumpLogDensity(32);
    f.logDensity += float(std::log(0.4)); // p_max = 0.4 (the grid's cells miss the bump's centre a little)
    LayerSettings layers;
    auto bar = colourBarOf(f, layers);
    QVERIFY(bar);
    QCOMPARE(bar->kind, ColourMapKind::Density);
    QVERIFY(std::abs(bar->max - std::exp(double(f.logDensity.maxCoeff()))) < 1e-6);
    QVERIFY(bar->max > 0.3 && bar->max <= 0.4);
    QVERIFY(bar->title.contains("density"));
    // The error map, when shown and computed, wins (heatValues' choice).
    f.error = Eigen::ArrayXXf::Constant(32, 32, 0.5f);
    layers.error.visible = true;
    bar = colourBarOf(f, layers);
    QVERIFY(bar);
    QCOMPARE(bar->kind, ColourMapKind::Error);
    QCOMPARE(bar->max, 0.5);
    QVERIFY(bar->title.contains("error"));
    layers.error.visible = layers.density.visible = false;
    QVERIFY(!colourBarOf(f, layers));
}

void TestAppColourBar::tickLabelsArePaintedAtTheirValues()
{
    QImage image(360, 320, QImage::Format_RGB32);
    image.fill(Qt::white);
    const QRectF rect(300, 60, 14, 220);
    ColourBar bar;
    bar.max = 0.9; // ticks 0, 0.2, ..., 0.8
    bar.title = "density p";
    {
        QPainter p(&image);
        paintColourBar(p, bar, rect, 1.0);
    }
    if (qEnvironmentVariableIsSet("SCORESCOPE_TEST_SHOTS"))
        image.save(qEnvironmentVariable("SCORESCOPE_TEST_SHOTS") + "/colourbar.png");
    const auto ticks = colourBarTicks(bar.max);
    QCOMPARE(int(ticks.size()), 5);
    for (const ColourBarTick& t : ticks) { // a label left of the bar at each tick's height
        const int y = int(std::lround(rect.bottom() - t.fraction * rect.height()));
        QVERIFY2(darkPixels(image, 200, 292, y - 4, y + 4) > 8, qPrintable(t.text));
    }
    // Nothing between two labels (halfway from 0.4 to 0.6), the title above the bar.
    const int between = int(std::lround(rect.bottom() - 0.5 / 0.9 * rect.height()));
    QCOMPARE(darkPixels(image, 200, 292, between - 2, between + 2), 0);
    QVERIFY(darkPixels(image, 200, 320, 0, int(rect.top()) - 2) > 10);
}

void TestAppColourBar::overlayTextGrowsWithTheScale()
{
    // The caption's dark pixels: the overlay with it minus the overlay without.
    auto captionHeight = [](double scale) {
        ScenePicture s;
        s.world = QRectF(-2, -2, 4, 4);
        s.scale = scale;
        auto paint = [&](const QString& caption) {
            QImage image(800, 600, QImage::Format_RGB32);
            image.fill(kBackground);
            s.caption = caption;
            QPainter p(&image);
            paintOverlay(p, s, QSizeF(800, 600));
            return image;
        };
        return darkDifferenceHeight(paint("Hg σ = 0.351"), paint(QString()));
    };
    const int plain = captionHeight(1.0), presented = captionHeight(1.8);
    QVERIFY2(plain > 6, qPrintable(QString::number(plain)));
    const double ratio = double(presented) / plain;
    QVERIFY2(ratio > 1.6 && ratio < 2.0, qPrintable(QString("%1 -> %2 px").arg(plain).arg(presented)));
}

QTEST_MAIN(TestAppColourBar)
#include "tst_app_colourbar.moc"

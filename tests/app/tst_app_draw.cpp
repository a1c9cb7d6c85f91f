// Drawing data with the mouse (offscreen, the window built but not shown):
// the scene view reports left-button strokes in world coordinates, the Data
// dock turns them into a drawn (empirical, labelled) data set, and the main
// window shows each edit at once and hands it to the workers, throttled.
//
// The scene is given a fixed size and mouse events are sent to it directly;
// pixel <-> world goes through visibleRect(), so one pixel is
// visibleRect().width() / width() world units. To add a case: build a
// DrawWindow, pick a tool with useTool(), then press / drag / release.
#include "AppTestSupport.h"
#include "window/MainWindow.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QMouseEvent>
#include <QPushButton>
#include <QSpinBox>
#include <QStatusBar>
#include <QtTest>

using namespace ss;
using namespace ss::window;
using apptest::eventually;
using apptest::smallScene;

namespace {
// The main window with its scene at a known size, and mouse helpers.
struct DrawWindow {
    MainWindow w{smallScene(), false};
    view::SceneView* scene = w.scene();
    DataPanel* data = w.dataPanel();

    DrawWindow()
    {
        scene->resize(800, 600);
        scene->resetView();
    }
    void useTool(view::DrawTool tool, double radius = 0.25, int spray = 6, int label = 0)
    {
        data->findChild<QDoubleSpinBox*>("brushRadius")->setValue(radius);
        data->findChild<QSpinBox*>("sprayDensity")->setValue(spray);
        data->findChild<QSpinBox*>("drawLabel")->setValue(label);
        auto* tools = data->findChild<QComboBox*>("drawTool");
        tools->setCurrentIndex(tools->findData(int(tool)));
    }
    double pixel() const { return scene->visibleRect().width() / scene->width(); } // world units
    QPointF world(QPointF px) const
    {
        const QRectF r = scene->visibleRect();
        return {r.left() + px.x() * pixel(), r.bottom() - px.y() * pixel()};
    }
    QPointF toPixel(QPointF world) const
    {
        const QRectF r = scene->visibleRect();
        return {(world.x() - r.left()) / pixel(), (r.bottom() - world.y()) / pixel()};
    }
    void send(QEvent::Type type, QPointF px, Qt::MouseButton button, Qt::MouseButtons held)
    {
        QMouseEvent e(type, px, scene->mapToGlobal(px), button, held, Qt::NoModifier);
        QCoreApplication::sendEvent(scene, &e);
    }
    void press(QPointF px, Qt::MouseButton b = Qt::LeftButton) { send(QEvent::MouseButtonPress, px, b, b); }
    void move(QPointF px, Qt::MouseButtons held = Qt::LeftButton)
    {
        send(QEvent::MouseMove, px, Qt::NoButton, held);
    }
    void release(QPointF px, Qt::MouseButton b = Qt::LeftButton)
    {
        send(QEvent::MouseButtonRelease, px, b, {});
    }
    void click(QPointF px)
    {
        press(px);
        release(px);
    }
};

Eigen::Vector2d vec(QPointF p) { return {p.x(), p.y()}; }
} // namespace

class TestAppDraw : public QObject {
    Q_OBJECT
private slots:
    void clickAddsOnePointWithTheLabel();
    void dragSpraysWithinTheRadius();
    void eraseRemovesExactlyThePointsUnderTheBrush();
    void clearLeavesWorkersRunning();
    void workersReceiveTheDrawnData();
    void panningStillWorksInDrawMode();
    void tooManyPointsAreRefused();
};

void TestAppDraw::clickAddsOnePointWithTheLabel()
{
    DrawWindow d;
    const int before = d.data->current()->size();
    QVERIFY(d.data->current()->mixture); // 8 Gaussians: an analytic preset
    d.useTool(view::DrawTool::Add, 0.25, 6, 3);
    const QRectF frame = d.scene->visibleRect();
    const QPointF at(313, 222);
    d.click(at);
    auto data = d.data->current();
    QCOMPARE(data->size(), before + 1);
    QVERIFY(!data->mixture); // drawn on: the density is now the empirical one
    QCOMPARE(data->name, std::string("drawn"));
    const QPointF expected = d.world(at);
    QVERIFY2((data->points.col(before) - vec(expected)).norm() <= d.pixel(),
             qPrintable(QString("added at (%1, %2), clicked (%3, %4)")
                            .arg(data->points(0, before))
                            .arg(data->points(1, before))
                            .arg(expected.x())
                            .arg(expected.y())));
    QCOMPARE(int(data->labels.size()), before + 1);
    QCOMPARE(data->labels.back(), 3);
    QVERIFY(data->numClasses >= 4);
    QCOMPARE(d.scene->visibleRect(), frame); // drawing does not re-frame the view
    QVERIFY(d.data->findChild<QLabel*>("dataInfo")->text().contains(QString::number(before + 1)));
}

void TestAppDraw::dragSpraysWithinTheRadius()
{
    DrawWindow d;
    const double radius = 0.3;
    d.useTool(view::DrawTool::Add, radius, 7, 1);
    const int before = d.data->current()->size();
    const std::vector<QPointF> path = {{400, 300}, {410, 305}, {420, 310}, {430, 318}};
    d.press(path[0]);
    for (std::size_t i = 1; i < path.size(); ++i) d.move(path[i]);
    d.release(path.back());
    auto data = d.data->current();
    QCOMPARE(data->size(), before + 1 + 3 * 7); // the click's point, then 7 per move
    for (int k = 0; k < 3; ++k)
        for (int j = 0; j < 7; ++j) {
            const int col = before + 1 + 7 * k + j;
            const double r = (data->points.col(col) - vec(d.world(path[std::size_t(k) + 1]))).norm();
            QVERIFY2(r <= radius + d.pixel(), qPrintable(QString("sprayed %1 from the cursor").arg(r)));
            QCOMPARE(data->labels[std::size_t(col)], 1);
        }
    // A spray, not a pile: the points spread over the disc.
    const Eigen::Matrix2Xd last = data->points.rightCols(7);
    QVERIFY((last.colwise() - last.rowwise().mean()).norm() > 0.1 * radius);
}

void TestAppDraw::eraseRemovesExactlyThePointsUnderTheBrush()
{
    DrawWindow d;
    const double radius = 0.5;
    auto before = d.data->current();
    // On a mode of the 8 Gaussians (a data point's pixel).
    const QPointF p0 = d.toPixel(QPointF(before->points(0, 0), before->points(1, 0)));
    const QPointF cursorPx(std::round(p0.x()), std::round(p0.y()));
    const Eigen::Vector2d centre = vec(d.world(cursorPx));
    // The expected survivors, decided away from the edge (a pixel of slack).
    int inside = 0, outside = 0, near = 0;
    for (Eigen::Index i = 0; i < before->points.cols(); ++i) {
        const double r = (before->points.col(i) - centre).norm();
        if (std::abs(r - radius) < d.pixel())
            ++near;
        else if (r < radius)
            ++inside;
        else
            ++outside;
    }
    QVERIFY2(inside > 10, "the test needs points under the brush");
    d.useTool(view::DrawTool::Erase, radius);
    d.click(cursorPx);
    auto after = d.data->current();
    QVERIFY(after->size() >= outside && after->size() <= outside + near);
    QCOMPARE(int(after->labels.size()), after->size());
    for (Eigen::Index i = 0; i < after->points.cols(); ++i)
        QVERIFY((after->points.col(i) - centre).norm() > radius - d.pixel());
    // Every survivor is one of the old points, with its old label.
    std::map<std::pair<double, double>, int> old;
    for (Eigen::Index i = 0; i < before->points.cols(); ++i)
        old[{before->points(0, i), before->points(1, i)}] = before->labels[std::size_t(i)];
    for (Eigen::Index i = 0; i < after->points.cols(); ++i) {
        const auto it = old.find({after->points(0, i), after->points(1, i)});
        QVERIFY(it != old.end());
        QCOMPARE(after->labels[std::size_t(i)], it->second);
    }
    // Erasing where nothing is changes nothing (and announces nothing).
    QSignalSpy edits(d.data, &DataPanel::pointsEdited);
    d.click(d.toPixel(QPointF(centre.x(), centre.y())));
    QCOMPARE(edits.count(), 0);
}

void TestAppDraw::clearLeavesWorkersRunning()
{
    DrawWindow d;
    d.w.samplerPanel()->findChild<QComboBox*>("scoreSource")->setCurrentIndex(1); // exact: needs points
    d.w.startAll();
    QVERIFY(eventually([&] { return d.w.training()->latest()->step > 3; }));
    QTest::mouseClick(d.data->findChild<QPushButton*>("clearPoints"), Qt::LeftButton);
    QCOMPARE(d.data->current()->size(), 0);
    QVERIFY(d.w.statusBar()->currentMessage().contains("no points"));
    // Erase on the empty set, then a second of training and sampling.
    d.useTool(view::DrawTool::Erase, 1.0);
    d.press({400, 300});
    d.move({420, 300});
    d.release({420, 300});
    const std::int64_t step = d.w.training()->latest()->step;
    const std::int64_t particles = d.w.sampling()->latest()->serial;
    QTest::qWait(1000);
    QVERIFY(d.w.training()->latest()->step > step);        // still training (on the last points)
    QVERIFY(d.w.sampling()->latest()->serial > particles); // still sampling
    QVERIFY(d.w.training()->latest()->running);
    // Drawing again gives the workers the new points.
    d.useTool(view::DrawTool::Add, 0.2);
    d.click({400, 300});
    d.click({450, 320});
    QCOMPARE(d.data->current()->size(), 2);
    QVERIFY(d.w.statusBar()->currentMessage().contains("2 points"));
    QVERIFY(eventually([&] { return d.w.sampling()->latest()->source.find("drawn") != std::string::npos; }));
    QTest::qWait(300);
    QVERIFY(d.w.training()->latest()->running);
}

void TestAppDraw::workersReceiveTheDrawnData()
{
    DrawWindow d;
    d.w.samplerPanel()->findChild<QComboBox*>("scoreSource")->setCurrentIndex(1); // exact: of the drawn data
    QTest::qWait(50);
    QVERIFY(d.w.sampling()->latest()->source.find("drawn") == std::string::npos);
    d.useTool(view::DrawTool::Add, 0.2, 5);
    QTest::mouseClick(d.data->findChild<QPushButton*>("clearPoints"), Qt::LeftButton);
    // A long stroke: the field worker gets the drawn points during it (the
    // throttle), the sampler once it ends.
    d.press({300, 300});
    QElapsedTimer t;
    t.start();
    for (int i = 1; t.elapsed() < 700; ++i) {
        d.move({300.0 + (i % 200), 300.0 + 40 * std::sin(i * 0.1)});
        QTest::qWait(5);
    }
    const int drawn = d.data->current()->size();
    QVERIFY(drawn > 10 && drawn < 2000); // fewer than the preset had
    // The field worker noises the data it has (one column per point, up to
    // 20000): a drawn prefix, not the 2000 preset points.
    QVERIFY(eventually([&] {
        auto f = d.w.fields()->latest();
        return f && f->noised.cols() > 0 && f->noised.cols() <= d.data->current()->size();
    }));
    QVERIFY(d.w.sampling()->latest()->source.find("drawn") == std::string::npos); // not restarted mid-stroke
    d.release({300, 300});
    QVERIFY(eventually([&] { return d.w.sampling()->latest()->source.find("drawn") != std::string::npos; }));
    QVERIFY(d.w.statusBar()->currentMessage().contains(QString::number(d.data->current()->size())));
    QVERIFY(d.w.scene()->caption().contains("Drawn"));
    // Training steps on them (an empty or refused set would report an error).
    d.w.training()->postStep(3);
    QVERIFY(eventually([&] { return d.w.training()->latest()->step >= 3; }));
}

void TestAppDraw::panningStillWorksInDrawMode()
{
    DrawWindow d;
    d.useTool(view::DrawTool::Add);
    const int before = d.data->current()->size();
    const QRectF frame = d.scene->visibleRect();
    for (Qt::MouseButton b : {Qt::RightButton, Qt::MiddleButton}) {
        const QRectF start = d.scene->visibleRect();
        d.press({400, 300}, b);
        d.move({450, 300}, b);
        d.move({500, 300}, b);
        d.release({500, 300}, b);
        QVERIFY(std::abs((start.left() - d.scene->visibleRect().left()) - 100 * d.pixel()) < 1e-9);
    }
    QCOMPARE(d.data->current()->size(), before); // panning drew nothing
    QVERIFY(d.scene->visibleRect() != frame);
    // Tool off: the left button pans again, and draws nothing.
    d.useTool(view::DrawTool::Off);
    const QRectF start = d.scene->visibleRect();
    d.press({400, 300});
    d.move({400, 350});
    d.release({400, 350});
    QVERIFY(std::abs((d.scene->visibleRect().top() - start.top()) - 50 * d.pixel()) < 1e-9);
    QCOMPARE(d.data->current()->size(), before);
}

void TestAppDraw::tooManyPointsAreRefused()
{
    DrawWindow d;
    d.data->findChild<QSpinBox*>("pointCount")->setValue(DataPanel::kMaxDrawnPoints);
    d.data->applyPreset();
    d.useTool(view::DrawTool::Add);
    d.press({400, 300});
    d.move({410, 300});
    d.release({410, 300});
    QCOMPARE(d.data->current()->size(), DataPanel::kMaxDrawnPoints);
    QVERIFY(d.w.statusBar()->currentMessage().contains("at most"));
}

QTEST_MAIN(TestAppDraw)
#include "tst_app_draw.moc"

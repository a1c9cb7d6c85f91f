// The step-through in the window (window/StepThrough, paint/StepThroughPaint):
// a click on a particle follows it, Shift+click adds and removes, a click on
// empty scene and the dock's Stop button stop; a step then carries that
// particle's update (ending where the particle is); the F key toggles; the
// picture gains the card and the arrows; short steps are magnified by a
// stated 1-2-5 factor.
#include "AppTestSupport.h"
#include "paint/ScenePainter.h"
#include "paint/StepThroughPaint.h"
#include "window/MainWindow.h"
#include "window/StepThrough.h"

#include <QLabel>
#include <QPushButton>
#include <QtTest>

using namespace ss;
using namespace ss::window;
using apptest::eventually;
using apptest::smallScene;

namespace {

// The pixel where the scene draws world point (x, y).
QPoint pixelOf(const view::SceneView* scene, double x, double y)
{
    const QRectF r = scene->visibleRect();
    return QPoint(int(std::lround((x - r.left()) / r.width() * scene->width())),
                  int(std::lround((r.bottom() - y) / r.height() * scene->height())));
}

// A pixel with no particle within the pick radius (the scene's left edge, searched downwards).
QPoint emptyPixel(const view::SceneView* scene)
{
    for (int y = 5; y < scene->height(); y += 5)
        for (int x = 5; x < scene->width(); x += 40)
            if (scene->particleAt(QPointF(x, y), view::SceneView::kPickRadius) < 0) return QPoint(x, y);
    return QPoint(-1, -1);
}

} // namespace

class TestAppStepThrough : public QObject {
    Q_OBJECT
private slots:
    void clickFollowsAndStepShowsTheUpdate();
    void shiftClickAddsAndRemoves();
    void keyFTogglesFollowing();
    void pictureGainsTheCard();
    void magnificationIsOneTwoFive();
};

void TestAppStepThrough::clickFollowsAndStepShowsTheUpdate()
{
    MainWindow w(smallScene(), false);
    w.resize(1400, 900);
    w.show();
    view::SceneView* scene = w.scene();
    app::SamplingWorker* s = w.sampling();
    s->postReset(); // a snapshot for the view (the workers are paused)
    QVERIFY(eventually([&] { return s->latest()->particles.cols() == 200 && scene->particleAt(QPointF(0, 0), 1e9) >= 0; }));
    const Eigen::Matrix2Xd& x = s->latest()->particles;
    const QPoint at = pixelOf(scene, x(0, 17), x(1, 17));
    const qint64 expected = scene->particleAt(at, view::SceneView::kPickRadius);
    QVERIFY(expected >= 0); // particle 17, or one drawn over it
    QTest::mouseClick(scene, Qt::LeftButton, Qt::NoModifier, at);
    QCOMPARE(w.stepThrough()->followed(), (std::vector<Eigen::Index>{Eigen::Index(expected)}));
    QVERIFY(eventually([&] { return s->latest()->followed.size() == 1; }));
    auto* text = w.findChild<QLabel*>("stepThroughText");
    QVERIFY(text && text->text().contains(QString("particle %1").arg(expected)));

    // One step: the snapshot holds the particle's update, ending where it now is.
    s->postStep();
    QVERIFY(eventually([&] { return s->latest()->trace.step == 1; }));
    const app::ParticlesPtr snap = s->latest();
    QCOMPARE(snap->trace.parts.size(), std::size_t(1)); // annealed Langevin: one part
    const TracedParticle& p = snap->trace.parts[0].particles.at(0);
    QCOMPARE(p.index, Eigen::Index(expected));
    QVERIFY((p.next - snap->particles.col(expected)).norm() < 1e-12);

    // A click on empty scene stops; so does the dock's button.
    const QPoint empty = emptyPixel(scene);
    QVERIFY(empty.x() >= 0);
    QTest::mouseClick(scene, Qt::LeftButton, Qt::NoModifier, empty);
    QVERIFY(w.stepThrough()->followed().empty());
    QVERIFY(eventually([&] { return s->latest()->followed.empty(); }));
    QTest::qWait(QApplication::doubleClickInterval() + 50); // two quick clicks are a double click (it re-frames)
    const QPoint now = pixelOf(scene, snap->particles(0, expected), snap->particles(1, expected)); // it moved
    QTest::mouseClick(scene, Qt::LeftButton, Qt::NoModifier, now);
    QCOMPARE(w.stepThrough()->followed().size(), std::size_t(1));
    auto* stop = w.findChild<QPushButton*>("stepThroughStop");
    QVERIFY(stop && stop->isEnabled());
    stop->click();
    QVERIFY(w.stepThrough()->followed().empty());
    QVERIFY(!stop->isEnabled());
    // A drag pans, it does not pick.
    const QRectF before = scene->visibleRect();
    QTest::mousePress(scene, Qt::LeftButton, Qt::NoModifier, at);
    QMouseEvent move(QEvent::MouseMove, at + QPoint(40, 0), scene->mapToGlobal(at + QPoint(40, 0)), Qt::NoButton,
                     Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(scene, &move);
    QTest::mouseRelease(scene, Qt::LeftButton, Qt::NoModifier, at + QPoint(40, 0));
    QVERIFY(scene->visibleRect() != before);
    QVERIFY(w.stepThrough()->followed().empty());
}

void TestAppStepThrough::shiftClickAddsAndRemoves()
{
    MainWindow w(smallScene(), false);
    w.resize(1400, 900);
    w.show();
    view::SceneView* scene = w.scene();
    app::SamplingWorker* s = w.sampling();
    s->postReset(); // a snapshot for the view (the workers are paused)
    QVERIFY(eventually([&] { return scene->particleAt(QPointF(0, 0), 1e9) >= 0; }));
    StepThrough* st = w.stepThrough();
    st->follow({3});
    const Eigen::Matrix2Xd x = s->latest()->particles;
    // Particles whose pick is themselves (none drawn over them within the radius).
    std::vector<Eigen::Index> pickable;
    for (Eigen::Index j = 0; j < x.cols() && pickable.size() < 2; ++j) {
        const QPoint at = pixelOf(scene, x(0, j), x(1, j));
        if (j != 3 && scene->rect().contains(at) && scene->particleAt(at, view::SceneView::kPickRadius) == j)
            pickable.push_back(j);
    }
    QCOMPARE(pickable.size(), std::size_t(2));
    const QPoint a = pixelOf(scene, x(0, pickable[0]), x(1, pickable[0]));
    const QPoint b = pixelOf(scene, x(0, pickable[1]), x(1, pickable[1]));
    QTest::mouseClick(scene, Qt::LeftButton, Qt::ShiftModifier, a);
    QCOMPARE(st->followed(), (std::vector<Eigen::Index>{3, pickable[0]}));
    QTest::mouseClick(scene, Qt::LeftButton, Qt::ControlModifier, b);
    QCOMPARE(st->followed(), (std::vector<Eigen::Index>{3, pickable[0], pickable[1]}));
    QTest::mouseClick(scene, Qt::LeftButton, Qt::ShiftModifier, a);
    QCOMPARE(st->followed(), (std::vector<Eigen::Index>{3, pickable[1]}));
    // A plain click follows that one alone; at most kMaxFollowed, the newest kept.
    QTest::mouseClick(scene, Qt::LeftButton, Qt::NoModifier, b);
    QCOMPARE(st->followed(), (std::vector<Eigen::Index>{pickable[1]}));
    st->follow({1, 2, 3, 4, 5, 6});
    QCOMPARE(st->followed(), (std::vector<Eigen::Index>{3, 4, 5, 6}));
    QVERIFY(eventually([&] { return s->latest()->followed.size() == 4; }));
    s->postStep();
    QVERIFY(eventually([&] { return s->latest()->trace.step == 1; }));
    QCOMPARE(s->latest()->trace.parts.at(0).particles.size(), std::size_t(4));
}

void TestAppStepThrough::keyFTogglesFollowing()
{
    MainWindow w(smallScene(), false);
    w.resize(1400, 900);
    w.show();
    w.activateWindow();
    if (!QTest::qWaitForWindowActive(&w)) QSKIP("the window cannot be activated on this platform");
    view::SceneView* scene = w.scene();
    scene->setFocus();
    w.sampling()->postReset(); // a snapshot for the view (the workers are paused)
    QVERIFY(eventually([&] { return scene->particleAt(QPointF(0, 0), 1e9) >= 0; }));
    QTest::keyClick(scene, Qt::Key_F);
    QCOMPARE(w.stepThrough()->followed().size(), std::size_t(1));
    // The particle nearest the scene's centre.
    QCOMPARE(w.stepThrough()->followed().front(),
             Eigen::Index(scene->particleAt(scene->rect().center(), std::numeric_limits<double>::infinity())));
    QTest::keyClick(scene, Qt::Key_F);
    QVERIFY(w.stepThrough()->followed().empty());
}

void TestAppStepThrough::pictureGainsTheCard()
{
    // The same picture with and without a followed particle's step: the card
    // (bottom left) and the arrows change pixels; nothing followed, nothing drawn.
    MainWindow w(smallScene(), false);
    w.resize(1400, 900);
    w.show();
    app::SamplingWorker* s = w.sampling();
    w.stepThrough()->follow({0});
    QVERIFY(eventually([&] { return s->latest()->followed.size() == 1; }));
    s->postStep();
    QVERIFY(eventually([&] { return s->latest()->trace.step == 1; }));
    view::ScenePicture withTrace = w.scene()->picture();
    withTrace.particles = s->latest();
    auto plain = std::make_shared<app::ParticleSnapshot>(*s->latest());
    plain->followed.clear();
    plain->trace = {};
    view::ScenePicture without = withTrace;
    without.particles = plain;
    const QSize size(900, 700);
    auto draw = [&](const view::ScenePicture& pic) {
        QImage image(size, QImage::Format_RGB32);
        QPainter p(&image);
        view::paintScene(p, pic, QSizeF(size));
        return image;
    };
    const QImage a = draw(withTrace), b = draw(without);
    int changedInCard = 0;
    for (int y = size.height() / 2; y < size.height(); ++y)
        for (int x = 0; x < size.width() / 3; ++x) changedInCard += a.pixel(x, y) != b.pixel(x, y);
    QVERIFY2(changedInCard > 5000, qPrintable(QString::number(changedInCard)));
    QVERIFY(draw(without) == b); // drawing is deterministic: the difference is the step-through's
}

void TestAppStepThrough::magnificationIsOneTwoFive()
{
    QCOMPARE(view::stepMagnification(100), 1.0);
    QCOMPARE(view::stepMagnification(60), 1.0);
    QCOMPARE(view::stepMagnification(30), 2.0);
    QCOMPARE(view::stepMagnification(13), 5.0);
    QCOMPARE(view::stepMagnification(6), 10.0);
    QCOMPARE(view::stepMagnification(0.0061), 10000.0);
    QCOMPARE(view::stepMagnification(0), 1.0);
}

QTEST_MAIN(TestAppStepThrough)
#include "tst_app_step_through.moc"

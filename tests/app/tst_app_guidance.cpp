// Guidance and SDEdit in the window (issue 15, section 1): the sampling
// worker's guided and SDEdit runs with their exact targets, the Sampler
// dock's rows, and the picture.
//  - guidedRunMeetsTarget: classifier guidance (exact classifier, gamma 1)
//    with DDPM on 8gaussians publishes the tilted map and, at the run's end,
//    the distance to exact draws of the target: within 2.5 x its floor.
//  - refusedWithMessage: classifier-free guidance on points without classes
//    is refused with a message naming the problem; the old run goes on.
//  - newDataWithoutClassesTurnsGuidanceOff: in the window, a data set without
//    classes while classifier guidance is on turns guidance off with a
//    message, and the sampler runs on the new data (not the old one).
//  - sdeditRunMeetsPosterior: a stroke as SDEdit start publishes exact
//    posterior draws and ends within 2.5 x the floor of them.
//  - dockRows: the guidance rows show only with guidance on, the hint names
//    both conventions (gamma 3 = w 2); the SDEdit rows only with a stroke.
//  - pictureDrawsTheTiltedMap: target-coloured pixels at the guided class's
//    mode, none at another mode, none with the layer off.
#include "engine/SamplingWorker.h"
#include "paint/ScenePainter.h"
#include "state/TiltedTarget.h"
#include "window/DataPanel.h"
#include "window/MainWindow.h"
#include "window/SamplerPanel.h"

#include "AppTestSupport.h"

#include "core/Presets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QImage>
#include <QLabel>
#include <QPainter>
#include <QSignalSpy>
#include <QtTest>

using namespace ss;
using namespace ss::app;

namespace {

SamplingSetup guided(int label, double gamma)
{
    SamplingSetup s;
    s.data = std::make_shared<const Dataset>(makePreset("8gaussians", 1000, 1));
    s.schedule = NoiseSchedule::ddpmLinear(200);
    s.sampler.kind = SamplerKind::Ddpm;
    s.sampler.particles = 1000;
    s.source = SourceKind::Exact;
    s.stepsPerTick = 50;
    s.loop = false;
    s.guidance = {GuidanceKind::Classifier, label, gamma};
    return s;
}

} // namespace

class TestAppGuidance : public QObject {
    Q_OBJECT
private slots:
    void guidedRunMeetsTarget();
    void refusedWithMessage();
    void newDataWithoutClassesTurnsGuidanceOff();
    void sdeditRunMeetsPosterior();
    void dockRows();
    void pictureDrawsTheTiltedMap();
};

void TestAppGuidance::guidedRunMeetsTarget()
{
    SamplingThread thread(guided(2, 1.0), 5);
    SamplingWorker* w = thread.worker();
    QVERIFY(w->latest()->tilted);
    QVERIFY(QString::fromStdString(w->latest()->tilted->label).contains("γ = 1 (w = 0)"));
    QVERIFY(QString::fromStdString(w->latest()->source).contains("classifier guidance"));
    w->postPlay();
    QVERIFY(apptest::eventually([&] { return w->latest()->targetDistance != nullptr; }, 20000));
    const TargetDistance d = *w->latest()->targetDistance;
    qInfo("guided DDPM against the exact tilted target: sliced W2 %.4f (floor %.4f)", d.sw2, d.floor);
    QVERIFY2(d.sw2 < 2.5 * d.floor, qPrintable(QString("%1 vs %2").arg(d.sw2).arg(d.floor)));
    // Guidance off: no map, no distance.
    SamplingSetup off = w->latest()->setup;
    off.guidance.kind = GuidanceKind::None;
    w->postSetup(off);
    QVERIFY(apptest::eventually([&] { return !w->latest()->tilted && !w->latest()->targetDistance; }));
}

void TestAppGuidance::refusedWithMessage()
{
    SamplingThread thread(guided(1, 2.0), 5);
    SamplingWorker* w = thread.worker();
    QSignalSpy messages(w, &SamplingWorker::message);
    SamplingSetup points = w->latest()->setup;
    auto unlabelled = std::make_shared<Dataset>(*points.data);
    unlabelled->mixture.reset();
    unlabelled->labels.clear();
    unlabelled->numClasses = 0;
    points.data = unlabelled;
    points.guidance.kind = GuidanceKind::ClassifierFree;
    w->postSetup(points);
    QVERIFY(apptest::eventually([&] { return messages.count() > 0; }));
    QVERIFY2(messages.first().first().toString().contains("no classes to guide by"),
             qPrintable(messages.first().first().toString()));
    QVERIFY(w->latest()->setup.guidance.kind == GuidanceKind::Classifier); // the old run stays
    QVERIFY(w->latest()->tilted);
}

void TestAppGuidance::newDataWithoutClassesTurnsGuidanceOff()
{
    window::SceneSetup scene = apptest::smallScene();
    scene.training.data = scene.sampling.data = std::make_shared<const Dataset>(makePreset("8gaussians", 500, 1));
    scene.sampling.guidance = {GuidanceKind::Classifier, 3, 2.0};
    scene.sampling.source = SourceKind::Exact;
    window::MainWindow w(scene, false);
    QVERIFY(apptest::eventually([&] { return w.sampling()->latest()->setup.guidance.kind == GuidanceKind::Classifier; }));
    QSignalSpy messages(w.controller(), &SceneController::message);
    auto roll = std::make_shared<const Dataset>(makePreset("swissroll", 500, 1)); // no classes
    emit w.dataPanel()->dataChanged(roll, "Swiss roll");
    QVERIFY(apptest::eventually([&] { return w.sampling()->latest()->setup.data == roll; }));
    QVERIFY(w.sampling()->latest()->setup.guidance.kind == GuidanceKind::None);
    QVERIFY(w.controller()->setup().sampling.guidance.kind == GuidanceKind::None);
    bool said = false;
    for (const QList<QVariant>& m : messages) said = said || m.at(0).toString().contains("guidance turned off");
    QVERIFY(said);
}

void TestAppGuidance::sdeditRunMeetsPosterior()
{
    SamplingSetup s = guided(0, 1.0);
    s.guidance.kind = GuidanceKind::None;
    s.schedule = NoiseSchedule::ddpmLinear(500);
    s.sdedit.points = std::make_shared<const Eigen::Matrix2Xd>(
        (Eigen::Matrix2Xd(2, 3) << 0.0, 0.5, 1.0, 1.0, 1.2, 1.4).finished());
    s.sdedit.t0 = 0.4;
    s.sdedit.on = true;
    SamplingThread thread(s, 5);
    SamplingWorker* w = thread.worker();
    QVERIFY(w->latest()->posterior);
    QCOMPARE(w->latest()->posterior->cols(), Eigen::Index(1000));
    QVERIFY(std::abs(w->latest()->level.t - 0.4) < 0.01); // the run starts at t0
    w->postPlay();
    QVERIFY(apptest::eventually([&] { return w->latest()->targetDistance != nullptr; }, 20000));
    const TargetDistance d = *w->latest()->targetDistance;
    qInfo("SDEdit against exact posterior draws: sliced W2 %.4f (floor %.4f)", d.sw2, d.floor);
    QVERIFY(QString::fromStdString(d.what).contains("posterior"));
    QVERIFY2(d.sw2 < 2.5 * d.floor, qPrintable(QString("%1 vs %2").arg(d.sw2).arg(d.floor)));
}

void TestAppGuidance::dockRows()
{
    window::SamplerPanel panel;
    panel.show();
    SamplingSetup s = guided(3, 3.0);
    s.guidance.kind = GuidanceKind::None;
    panel.showSetup(s);
    auto* scale = panel.findChild<QDoubleSpinBox*>("guidanceScale");
    auto* hint = panel.findChild<QLabel*>("guidanceConvention");
    QVERIFY(scale && hint);
    QVERIFY(!scale->isVisibleTo(&panel));
    QVERIFY(!panel.findChild<QWidget*>("sdeditT0")->isVisibleTo(&panel));
    s.guidance.kind = GuidanceKind::ClassifierFree;
    panel.showSetup(s);
    QVERIFY(scale->isVisibleTo(&panel) && hint->isVisibleTo(&panel));
    QCOMPARE(scale->value(), 3.0);
    QVERIFY2(hint->text().contains("γ = 3") && hint->text().contains("w = 2"), qPrintable(hint->text()));
    QCOMPARE(panel.apply(SamplingSetup{}).guidance, s.guidance);
    // SDEdit rows with a stroke; unticking ends SDEdit.
    s.sdedit.points = std::make_shared<const Eigen::Matrix2Xd>(Eigen::Matrix2Xd::Zero(2, 2));
    s.sdedit.on = true;
    panel.showSetup(s);
    auto* box = panel.findChild<QCheckBox*>("sdedit");
    QVERIFY(box && box->isVisibleTo(&panel) && box->isChecked());
    QVERIFY(panel.findChild<QWidget*>("sdeditT0")->isVisibleTo(&panel));
    box->click(); // off: the stroke stays for later, the t0 row goes
    QVERIFY(!panel.apply(s).sdedit.on && panel.apply(s).sdedit.points);
    QVERIFY(!panel.findChild<QWidget*>("sdeditT0")->isVisibleTo(&panel));
}

void TestAppGuidance::pictureDrawsTheTiltedMap()
{
    const SamplingSetup s = guided(0, 3.0);
    const ExactClassifier classifier(*s.data);
    auto particles = std::make_shared<ParticleSnapshot>();
    particles->particles = Eigen::Matrix2Xd::Constant(2, 1, 100.0); // out of view
    particles->tilted = tiltedMap(s, classifier);
    particles->setup = s;
    view::ScenePicture pic;
    pic.data = s.data;
    pic.particles = particles;
    pic.world = QRectF(-4, -4, 8, 8);
    pic.layers.particles.visible = false;
    pic.layers.data.visible = false;
    const QSize size(400, 400);
    auto draw = [&](const view::ScenePicture& picture) {
        QImage image(size, QImage::Format_RGB32);
        image.fill(Qt::white);
        QPainter p(&image);
        view::paintScene(p, picture, QSizeF(size));
        return image;
    };
    const auto tinted = [&](const QImage& image, Eigen::Vector2d at) {
        at += Eigen::Vector2d(0.06, 0.09); // off the axes' grid lines
        const QColor c = image.pixelColor(int((at.x() + 4) / 8 * size.width()), int((4 - at.y()) / 8 * size.height()));
        return c.red() < 200 || c.green() < 200 || c.blue() < 200;
    };
    const Eigen::Matrix2Xd& means = s.data->mixture->means();
    const QImage on = draw(pic);
    QVERIFY(tinted(on, means.col(0)));
    QVERIFY(!tinted(on, means.col(4))); // the opposite mode: p(y = 0 | x)^3 ~ 0 there
    pic.layers.target.visible = false;
    QVERIFY(!tinted(draw(pic), means.col(0)));
}

QTEST_MAIN(TestAppGuidance)
#include "tst_app_guidance.moc"

// The noise-schedule curve and its panel (offscreen): the curve draws the
// schedule it was given (handles map back to its sigmas or betas), a drag with
// the mouse turns into a schedule the panel applies (scheduleRequested), drags
// are clamped so the edit stays valid, points can be added and removed, and an
// invalid edit is refused with a message and the curve goes back to the last
// applied schedule.
//
// How to add a case: build a SchedulePanel with shownPanel(schedule), find the
// handles with curve()->handlePositions() (widget pixels) and drag them with
// drag(); the applied schedule is the last scheduleRequested argument.
// With SCORESCOPE_SCHEDULE_SHOTS=<dir> set, pictures() saves the panel as PNGs.
#include "AppTestSupport.h"
#include "window/MainWindow.h"
#include "window/NoiseScrubber.h"
#include "window/SchedulePanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QtTest>

#include <cmath>
#include <memory>

using namespace ss;
using namespace ss::window;
using apptest::eventually;

namespace {

std::unique_ptr<SchedulePanel> shownPanel(const NoiseSchedule& s)
{
    auto panel = std::make_unique<SchedulePanel>();
    panel->resize(300, 820);
    panel->showSchedule(s);
    panel->QWidget::show();
    if (!QTest::qWaitForWindowExposed(panel.get())) qWarning("panel not exposed");
    return panel;
}

QPoint pixel(QPointF p) { return p.toPoint(); }

// A left-button drag in a few moves, as a hand would make it.
void drag(QWidget* w, QPointF from, QPointF to)
{
    QTest::mousePress(w, Qt::LeftButton, {}, pixel(from));
    for (int i = 1; i <= 4; ++i) QTest::mouseMove(w, pixel(from + (to - from) * (i / 4.0)));
    QTest::mouseRelease(w, Qt::LeftButton, {}, pixel(to));
}

NoiseSchedule lastRequested(const QSignalSpy& spy) { return spy.last().at(0).value<NoiseSchedule>(); }

bool strictlyDecreasing(const std::vector<double>& v)
{
    for (std::size_t i = 1; i < v.size(); ++i)
        if (!(v[i] < v[i - 1])) return false;
    return true;
}

CurvePoint point(double u, double sigma) { return {u, std::log(sigma)}; }

} // namespace

class TestAppSchedule : public QObject {
    Q_OBJECT
private slots:
    void curveShowsTheSchedule();
    void dragVeHandleMakesCustomCurve();
    void dragIsClampedByNeighbours();
    void endPointsMoveOnlyVertically();
    void betaHandles();
    void addAndRemovePoints();
    void invalidEditIsRefused();
    void formAndViews();
    void everyKindRoundTrips();
    void dragAppliesToTheRunningTrainer();
    void pictures();
};

void TestAppSchedule::curveShowsTheSchedule()
{
    struct Case {
        const char* name;
        NoiseSchedule schedule;
        ScheduleCurve::View view;
        std::vector<QPointF> expected; // (u or t, sigma or beta) at each handle
    };
    const auto geo = [](double lo, double hi, double u) { return lo * std::pow(hi / lo, u); };
    const NoiseSchedule ddpm = NoiseSchedule::ddpmLinear(1000);
    const std::vector<Case> cases = {
        {"geometric, 10 levels: 5 sampled handles",
         NoiseSchedule::geometric(0.05, 4, 10),
         ScheduleCurve::View::Sigma,
         {{0, 0.05},
          {0.25, geo(0.05, 4, 0.25)},
          {0.5, geo(0.05, 4, 0.5)},
          {0.75, geo(0.05, 4, 0.75)},
          {1, 4}}},
        {"geometric, 4 levels: one handle per level",
         NoiseSchedule::geometric(0.1, 10, 4),
         ScheduleCurve::View::Sigma,
         {{0, 0.1}, {1 / 3.0, geo(0.1, 10, 1 / 3.0)}, {2 / 3.0, geo(0.1, 10, 2 / 3.0)}, {1, 10}}},
        {"continuous VE",
         NoiseSchedule::veContinuous(0.01, 50),
         ScheduleCurve::View::Sigma,
         {{0, 0.01},
          {0.25, geo(0.01, 50, 0.25)},
          {0.5, geo(0.01, 50, 0.5)},
          {0.75, geo(0.01, 50, 0.75)},
          {1, 50}}},
        {"custom curve: its own points",
         NoiseSchedule::customCurve({point(0, 0.1), point(0.3, 0.5), point(1, 8)}, 0),
         ScheduleCurve::View::Sigma,
         {{0, 0.1}, {0.3, 0.5}, {1, 8}}},
        {"VP in the beta view", NoiseSchedule::vp(0.1, 20), ScheduleCurve::View::Beta, {{0, 0.1}, {1, 20}}},
        {"DDPM linear in the beta view",
         ddpm,
         ScheduleCurve::View::Beta,
         {{1e-3, ddpm.betas()[1]}, {1, ddpm.betas()[1000]}}},
        {"cosine DDPM: no handles", NoiseSchedule::ddpmCosine(1000), ScheduleCurve::View::Beta, {}},
        {"VP in the sigma view: no handles", NoiseSchedule::vp(), ScheduleCurve::View::Sigma, {}},
    };
    ScheduleCurve curve;
    curve.resize(300, 240);
    for (const Case& c : cases) {
        curve.setView(c.view);
        curve.setSchedule(c.schedule);
        const std::vector<QPointF> h = curve.handlePositions();
        QVERIFY2(h.size() == c.expected.size(), c.name);
        for (std::size_t i = 0; i < h.size(); ++i) {
            QVERIFY2(curve.rect().contains(h[i].toPoint()), c.name);
            const QPointF v = curve.valueAt(h[i]);
            QVERIFY2(std::abs(v.x() - c.expected[i].x()) < 1e-6, c.name);
            QVERIFY2(std::abs(v.y() / c.expected[i].y() - 1) < 1e-6, c.name);
            if (i > 0)
                QVERIFY2(h[i].x() > h[i - 1].x() && h[i].y() < h[i - 1].y(), c.name); // up = more noise
        }
    }
    // The last case says why it has nothing to drag.
    QVERIFY(curve.hint().contains("no handles", Qt::CaseInsensitive));
}

void TestAppSchedule::dragVeHandleMakesCustomCurve()
{
    const NoiseSchedule geometric = NoiseSchedule::geometric(0.05, 4, 10);
    auto panel = shownPanel(geometric);
    ScheduleCurve* curve = panel->curve();
    QSignalSpy requests(panel.get(), &SchedulePanel::scheduleRequested);
    const std::vector<QPointF> h = curve->handlePositions();
    QCOMPARE(h.size(), std::size_t(5));
    drag(curve, h[2], h[2] + QPointF(0, -15)); // the middle point (u = 0.5) up: more noise there
    QCOMPARE(requests.count(), 1);
    const NoiseSchedule s = lastRequested(requests);
    QCOMPARE(s.kind(), ScheduleKind::CustomCurve);
    QCOMPARE(s.numLevels(), 10); // the geometric levels are kept
    QVERIFY(strictlyDecreasing(s.sigmas()));
    const std::vector<CurvePoint>& p = s.curvePoints();
    QCOMPARE(p.size(), std::size_t(5));
    QVERIFY(p[2].logSigma > std::log(0.05 * std::sqrt(4 / 0.05)) + 0.05);
    QCOMPARE(p[2].u, 0.5); // straight up stays at u = 0.5
    QVERIFY(std::abs(p[1].logSigma - std::log(0.05 * std::pow(80.0, 0.25))) < 1e-9); // the others stay
    // Levels 5 and 6 (u = 4/9, 5/9) are noisier than before, the ends are not.
    QVERIFY(s.level(5).marginal.std > geometric.level(5).marginal.std * 1.05);
    QCOMPARE(s.sigmas().front(), 4.0);
    // The panel shows what it applied: the custom kind, and the handle where it was dropped.
    QCOMPARE(panel->findChild<QComboBox*>("scheduleKind")->currentText(),
             QString("Custom curve (drag the points)"));
    QVERIFY(std::abs(curve->handlePositions()[2].y() - (h[2].y() - 15)) < 1.5);

    // A continuous VE becomes a continuous curve.
    panel->showSchedule(NoiseSchedule::veContinuous(0.01, 10));
    const std::vector<QPointF> hc = curve->handlePositions();
    drag(curve, hc[1], hc[1] + QPointF(0, 10)); // down: less noise at u = 0.25
    QCOMPARE(requests.count(), 2);
    const NoiseSchedule c = lastRequested(requests);
    QCOMPARE(c.kind(), ScheduleKind::CustomCurve);
    QCOMPARE(c.numLevels(), 0);
    QVERIFY(c.at(0.25).marginal.std < 0.01 * std::pow(1000.0, 0.25) * 0.95);
}

void TestAppSchedule::dragIsClampedByNeighbours()
{
    auto panel = shownPanel(NoiseSchedule::geometric(0.05, 4, 10));
    ScheduleCurve* curve = panel->curve();
    QSignalSpy requests(panel.get(), &SchedulePanel::scheduleRequested),
        messages(panel.get(), &SchedulePanel::message);
    const std::vector<QPointF> h = curve->handlePositions();
    // Far past the next point (u = 0.75) to the right and above it.
    drag(curve, h[2], h[3] + QPointF(40, -40));
    QCOMPARE(requests.count(), 1);
    QCOMPARE(messages.count(), 0);
    const NoiseSchedule clamped = lastRequested(requests);
    const std::vector<CurvePoint>& p = clamped.curvePoints();
    QCOMPARE(p.size(), std::size_t(5));
    QVERIFY(p[2].u > 0.5 && p[2].u < p[3].u);
    QVERIFY(p[2].logSigma > p[1].logSigma && p[2].logSigma < p[3].logSigma);
    QCOMPARE(p[3].u, 0.75); // the neighbour did not move
    // Down below the previous point: clamped above it.
    const std::vector<QPointF> h2 = curve->handlePositions();
    drag(curve, h2[3], h2[1] + QPointF(0, 60));
    QCOMPARE(requests.count(), 2);
    const NoiseSchedule below = lastRequested(requests);
    const std::vector<CurvePoint>& q = below.curvePoints();
    QVERIFY(q[3].logSigma > q[2].logSigma && q[3].u > q[2].u);
    QVERIFY(strictlyDecreasing(lastRequested(requests).sigmas()));
}

void TestAppSchedule::endPointsMoveOnlyVertically()
{
    auto panel = shownPanel(NoiseSchedule::geometric(0.05, 4, 10));
    ScheduleCurve* curve = panel->curve();
    QSignalSpy requests(panel.get(), &SchedulePanel::scheduleRequested);
    const std::vector<QPointF> h = curve->handlePositions();
    drag(curve, h[4], h[4] + QPointF(-70, -20)); // left and up: sigma_max grows, u stays 1
    QCOMPARE(requests.count(), 1);
    const NoiseSchedule s = lastRequested(requests);
    QCOMPARE(s.curvePoints().back().u, 1.0);
    QVERIFY(s.sigmaMax() > 4.5);
    QCOMPARE(panel->findChild<QDoubleSpinBox*>("sigmaMax")->value(), std::round(s.sigmaMax() * 1000) / 1000);
    drag(curve, curve->handlePositions()[0], curve->handlePositions()[0] + QPointF(80, 15)); // sigma_min down
    const NoiseSchedule t = lastRequested(requests);
    QCOMPARE(t.curvePoints().front().u, 0.0);
    QVERIFY(t.sigmaMin() < 0.05);
}

void TestAppSchedule::betaHandles()
{
    auto panel = shownPanel(NoiseSchedule::vp(0.1, 20));
    ScheduleCurve* curve = panel->curve();
    auto* view = panel->findChild<QComboBox*>("scheduleView");
    QVERIFY(curve->handlePositions().empty()); // the sigma view of VP has none
    view->setCurrentIndex(view->findData(int(ScheduleCurve::View::Beta)));
    QCOMPARE(curve->shownView(), ScheduleCurve::View::Beta);
    QSignalSpy requests(panel.get(), &SchedulePanel::scheduleRequested);
    std::vector<QPointF> h = curve->handlePositions();
    QCOMPARE(h.size(), std::size_t(2));
    drag(curve, h[1], h[1] + QPointF(0, 40)); // beta_max down
    QCOMPARE(requests.count(), 1);
    NoiseSchedule s = lastRequested(requests);
    QCOMPARE(s.kind(), ScheduleKind::Vp);
    QVERIFY(s.betaMax() < 18);
    QCOMPARE(s.betaMin(), 0.1);
    QCOMPARE(panel->findChild<QDoubleSpinBox*>("betaMax")->value(), std::round(s.betaMax() * 100) / 100);
    QCOMPARE(curve->shownView(), ScheduleCurve::View::Beta); // the view survives the apply

    // sub-VP stays sub-VP; beta_min cannot be dragged above beta_max.
    panel->showSchedule(NoiseSchedule::subVp(0.1, 5));
    h = curve->handlePositions();
    drag(curve, h[0], QPointF(h[0].x(), curve->rect().top()));
    s = lastRequested(requests);
    QCOMPARE(s.kind(), ScheduleKind::SubVp);
    QVERIFY(s.betaMin() > 0.1 && s.betaMin() < s.betaMax());
    QCOMPARE(s.betaMax(), 5.0);

    // DDPM linear: beta_T up gives the unrescaled linear betas drawn.
    panel->showSchedule(NoiseSchedule::ddpmLinear(1000));
    h = curve->handlePositions();
    QCOMPARE(h.size(), std::size_t(2));
    drag(curve, h[1], h[1] + QPointF(0, -20));
    s = lastRequested(requests);
    QCOMPARE(s.kind(), ScheduleKind::DdpmLinear);
    QCOMPARE(s.numLevels(), 1000);
    QVERIFY(!s.ddpmRescaled());
    QVERIFY(s.betas()[1000] > 0.021);
    QCOMPARE(s.betas()[1], 1e-4);
    // Apply from the form keeps the dragged betas at a new T.
    panel->findChild<QSpinBox*>("ddpmT")->setValue(500);
    QTest::mouseClick(panel->findChild<QPushButton*>("applySchedule"), Qt::LeftButton);
    QCOMPARE(lastRequested(requests).numLevels(), 500);
    QCOMPARE(lastRequested(requests).betas()[500], s.betas()[1000]);
}

void TestAppSchedule::addAndRemovePoints()
{
    auto panel = shownPanel(NoiseSchedule::customCurve({point(0, 0.1), point(0.5, 1), point(1, 10)}, 8));
    ScheduleCurve* curve = panel->curve();
    QSignalSpy requests(panel.get(), &SchedulePanel::scheduleRequested);
    std::vector<QPointF> h = curve->handlePositions();
    QTest::mouseDClick(curve, Qt::LeftButton, {}, pixel((h[0] + h[1]) / 2)); // on the segment, between points
    QCOMPARE(requests.count(), 1);
    NoiseSchedule s = lastRequested(requests);
    QCOMPARE(s.curvePoints().size(), std::size_t(4));
    QVERIFY(std::abs(s.curvePoints()[1].u - 0.25) < 0.02);
    QCOMPARE(s.numLevels(), 8);
    QCOMPARE(curve->handlePositions().size(), std::size_t(4));
    // Right-click removes an inner point; the ends stay.
    h = curve->handlePositions();
    QTest::mouseClick(curve, Qt::RightButton, {}, pixel(h[2]));
    QCOMPARE(requests.count(), 2);
    QCOMPARE(lastRequested(requests).curvePoints().size(), std::size_t(3));
    QTest::mouseClick(curve, Qt::RightButton, {}, pixel(curve->handlePositions().back()));
    QCOMPARE(requests.count(), 2);
    QCOMPARE(curve->handlePositions().size(), std::size_t(3));
}

void TestAppSchedule::invalidEditIsRefused()
{
    auto panel = shownPanel(NoiseSchedule::geometric(0.05, 4, 10));
    ScheduleCurve* curve = panel->curve();
    QSignalSpy requests(panel.get(), &SchedulePanel::scheduleRequested),
        messages(panel.get(), &SchedulePanel::message);
    const std::vector<QPointF> before = curve->handlePositions();
    // Not monotone in sigma: the mouse cannot make it, the path is the same.
    CurveEdit bad;
    bad.points = {point(0, 0.05), point(0.4, 2), point(0.6, 1), point(1, 4)};
    bad.levels = 10;
    curve->submitEdit(bad);
    QCOMPARE(requests.count(), 0);
    QCOMPARE(messages.count(), 1);
    QVERIFY(messages.last().at(0).toString().contains("refused"));
    QVERIFY(messages.last().at(1).toBool());
    QCOMPARE(curve->schedule().kind(), ScheduleKind::Geometric);
    const std::vector<QPointF> after = curve->handlePositions();
    QCOMPARE(after.size(), before.size()); // 5 again, not the edit's 4
    for (std::size_t i = 0; i < after.size(); ++i) QVERIFY(QLineF(after[i], before[i]).length() < 1e-9);

    // VP betas out of order, through the same path.
    panel->showSchedule(NoiseSchedule::vp(0.1, 20));
    panel->findChild<QComboBox*>("scheduleView")->setCurrentIndex(1);
    CurveEdit betas;
    betas.kind = CurveEdit::Kind::Vp;
    betas.low = 5;
    betas.high = 2;
    curve->submitEdit(betas);
    QCOMPARE(requests.count(), 0);
    QCOMPARE(messages.count(), 2);
    QCOMPARE(curve->schedule().betaMax(), 20.0);
    QCOMPARE(curve->valueAt(curve->handlePositions()[1]).y(), 20.0);
}

void TestAppSchedule::formAndViews()
{
    auto panel = shownPanel(NoiseSchedule::geometric(0.05, 4, 10));
    auto* kind = panel->findChild<QComboBox*>("scheduleKind");
    auto* view = panel->findChild<QComboBox*>("scheduleView");
    auto* model = qobject_cast<QStandardItemModel*>(view->model());
    QVERIFY(!model->item(1)->isEnabled()); // beta(t) makes no sense for VE
    QVERIFY(!panel->findChild<QLabel*>("scheduleHint")->text().isEmpty());
    // "Custom curve" from the form: the points are the curve's, the sigma fields show the ends.
    kind->setCurrentIndex(kind->findText("Custom curve (drag the points)"));
    QVERIFY(!panel->findChild<QDoubleSpinBox*>("sigmaMin")->isEnabled());
    QCOMPARE(panel->findChild<QDoubleSpinBox*>("sigmaMin")->value(), 0.05);
    QSignalSpy requests(panel.get(), &SchedulePanel::scheduleRequested);
    panel->findChild<QSpinBox*>("levels")->setValue(0); // continuous
    QTest::mouseClick(panel->findChild<QPushButton*>("applySchedule"), Qt::LeftButton);
    QCOMPARE(requests.count(), 1);
    const NoiseSchedule s = lastRequested(requests);
    QCOMPARE(s.kind(), ScheduleKind::CustomCurve);
    QCOMPARE(s.numLevels(), 0);
    QCOMPARE(s.curvePoints().size(), std::size_t(5));
    QCOMPARE(panel->schedule().kind(), ScheduleKind::CustomCurve);

    // The window's showSchedule() (a lecture preset) moves the curve too; the beta view
    // is offered for VP and given up for a VE schedule.
    panel->showSchedule(NoiseSchedule::vp(0.2, 10));
    QVERIFY(model->item(1)->isEnabled());
    view->setCurrentIndex(1);
    QCOMPARE(panel->curve()->handlePositions().size(), std::size_t(2));
    panel->showSchedule(NoiseSchedule::geometric(0.1, 2, 3));
    QCOMPARE(view->currentIndex(), 0);
    QCOMPARE(panel->curve()->handlePositions().size(), std::size_t(3));
    QCOMPARE(panel->curve()->valueAt(panel->curve()->handlePositions()[2]).y(), 2.0);
    // Cosine DDPM has nothing to drag and says so.
    panel->showSchedule(NoiseSchedule::ddpmCosine(200));
    view->setCurrentIndex(1);
    QVERIFY(panel->curve()->handlePositions().empty());
    QVERIFY(panel->findChild<QLabel*>("scheduleHint")->text().contains("Cosine"));
    QCOMPARE(requests.count(), 1); // showSchedule() never emits
}

void TestAppSchedule::everyKindRoundTrips()
{
    // Every kind the dock lists builds a schedule from its fields that the
    // dock shows back as the same kind, with the same fields to edit.
    auto panel = shownPanel(NoiseSchedule::geometric(0.05, 4, 10));
    auto* kind = panel->findChild<QComboBox*>("scheduleKind");
    const QStringList fields = {"sigmaMin", "sigmaMax", "levels", "ddpmT", "betaMin", "betaMax"};
    QCOMPARE(kind->count(), 7);
    for (int i = 0; i < kind->count(); ++i) {
        kind->setCurrentIndex(i);
        QString enabled;
        for (const QString& f : fields) enabled += panel->findChild<QWidget*>(f)->isEnabled() ? "1" : "0";
        const NoiseSchedule s = panel->schedule();
        panel->showSchedule(s);
        QVERIFY2(kind->currentIndex() == i, qPrintable(kind->itemText(i)));
        QCOMPARE(panel->schedule().name(), s.name());
        QString after;
        for (const QString& f : fields) after += panel->findChild<QWidget*>(f)->isEnabled() ? "1" : "0";
        QVERIFY2(after == enabled || kind->itemText(i).startsWith("Custom"), qPrintable(kind->itemText(i)));
    }
}

void TestAppSchedule::dragAppliesToTheRunningTrainer()
{
    SceneSetup scene = defaultScene(); // NCSN on geometric levels
    scene.training.model.hidden = {32, 32};
    scene.sampling.sampler.particles = 200;
    MainWindow w(scene, false);
    w.startAll();
    ScheduleCurve* curve = w.schedulePanel()->curve();
    curve->resize(300, 240); // the window is not shown (GL): lay the curve out by hand
    curve->setSchedule(curve->schedule());
    const std::vector<QPointF> h = curve->handlePositions();
    QCOMPARE(h.size(), std::size_t(5));
    drag(curve, h[1], h[1] + QPointF(0, -12));
    QVERIFY(eventually([&] { return w.training()->latest()->schedule.kind() == ScheduleKind::CustomCurve; }));
    const NoiseSchedule applied = w.training()->latest()->schedule;
    QCOMPARE(applied.numLevels(), scene.training.schedule.numLevels());
    QVERIFY(applied.level(3).marginal.std > scene.training.schedule.level(3).marginal.std);
    QCOMPARE(w.scrubber()->slider()->maximum(), applied.numLevels());
}

void TestAppSchedule::pictures()
{
    const QString dir = qEnvironmentVariable("SCORESCOPE_SCHEDULE_SHOTS");
    struct Shot {
        const char* file;
        NoiseSchedule schedule;
        int view;
    };
    const std::vector<Shot> shots = {
        {"geometric", NoiseSchedule::geometric(0.05, 4, 10), 0},
        {"custom",
         NoiseSchedule::customCurve({point(0, 0.02), point(0.3, 0.1), point(0.7, 2), point(1, 6)}, 20), 0},
        {"vp-sigma", NoiseSchedule::vp(), 0},
        {"vp-beta", NoiseSchedule::vp(), 1},
        {"ddpm-abar", NoiseSchedule::ddpmCosine(1000), 2},
        {"ddpm-beta", NoiseSchedule::ddpmLinear(50), 1},
    };
    auto panel = shownPanel(NoiseSchedule());
    panel->resize(290, 820);
    for (const Shot& s : shots) {
        panel->showSchedule(s.schedule);
        panel->findChild<QComboBox*>("scheduleView")->setCurrentIndex(s.view);
        const QPixmap picture = panel->grab();
        QVERIFY(!picture.isNull());
        if (!dir.isEmpty()) QVERIFY(picture.save(dir + "/schedule-" + s.file + ".png"));
    }
}

QTEST_MAIN(TestAppSchedule)
#include "tst_app_schedule.moc"

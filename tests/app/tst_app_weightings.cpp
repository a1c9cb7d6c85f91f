// The Model dock's parametrisations and weightings (offscreen): a new model
// predicting x0 with min-SNR trains and reaches the worker with both; an EDM
// model gets sigma_data from the data; "Weightings…" shows the chart of every
// weighting over log-SNR, the model's own highlighted and the schedule's range
// marked, and it follows the dock's settings before Apply.
#include "AppTestSupport.h"
#include "window/MainWindow.h"
#include "window/WeightingChart.h"

#include "core/Parametrisation.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QPushButton>
#include <QtTest>

#include <cmath>

using namespace ss;
using namespace ss::window;
using apptest::eventually;
using apptest::smallScene;

namespace {
void choose(QWidget* panel, const char* name, int value)
{
    auto* c = panel->findChild<QComboBox*>(name);
    QVERIFY(c);
    const int i = c->findData(value);
    QVERIFY(i >= 0);
    c->setCurrentIndex(i);
}
} // namespace

class TestAppWeightings : public QObject {
    Q_OBJECT
private slots:
    void newParametrisationAndWeightingTrain();
    void chartFollowsTheDock();
};

void TestAppWeightings::newParametrisationAndWeightingTrain()
{
    MainWindow w(smallScene(), false);
    w.startAll();
    QVERIFY(eventually([&] { return w.training()->latest()->step > 5; })); // running: a new model trains on
    auto* panel = w.modelPanel();
    choose(panel, "parametrisation", int(Parametrisation::X0));
    choose(panel, "weighting", int(Weighting::MinSnr));
    panel->findChild<QDoubleSpinBox*>("minSnrGamma")->setValue(3.0);
    QTest::mouseClick(panel->findChild<QPushButton*>("applyModel"), Qt::LeftButton);
    QVERIFY(eventually([&] {
        const auto s = w.training()->latest();
        return s->model.parametrisation == Parametrisation::X0 && s->step > 20;
    }));
    const auto snapshot = w.training()->latest();
    QCOMPARE(snapshot->model.parametrisation, Parametrisation::X0);
    QCOMPARE(snapshot->objective.weighting, Weighting::MinSnr);
    QCOMPARE(snapshot->objective.minSnrGamma, 3.0);
    QVERIFY(std::isfinite(snapshot->stats.smoothedLoss));
    // EDM: sigma_data from the data when the model starts.
    choose(panel, "parametrisation", int(Parametrisation::Edm));
    choose(panel, "weighting", int(Weighting::Natural));
    QTest::mouseClick(panel->findChild<QPushButton*>("applyModel"), Qt::LeftButton);
    QVERIFY(eventually([&] {
        const auto s = w.training()->latest();
        return s->model.parametrisation == Parametrisation::Edm && s->step > 20;
    }));
    const auto edm = w.training()->latest();
    QVERIFY(std::abs(edm->model.sigmaData - dataSigma(w.controller()->setup().training.data->points)) < 1e-12);
    QVERIFY(std::isfinite(edm->stats.smoothedLoss));
}

void TestAppWeightings::chartFollowsTheDock()
{
    MainWindow w(smallScene(), false);
    auto* panel = w.modelPanel();
    auto* chart = panel->weightingChart();
    QVERIFY(!chart->isVisibleTo(panel));
    panel->findChild<QPushButton*>("showWeightings")->click();
    QVERIFY(chart->isVisibleTo(panel));
    // Default scene: NCSN with score / sigma, natural -> NCSN's sigma^2.
    QCOMPARE(chart->highlighted(), Weighting::Ncsn);
    // simple and sigma^2 are one curve (the same loss); + the schedule's two edges.
    QCOMPARE(int(chart->curves().size()), int(explicitWeightings().size()) - 1 + 2);
    QVERIFY(chart->curves().front().name.endsWith(QStringLiteral("◀"))); // simple = sigma^2, highlighted
    const NoiseSchedule& schedule = w.controller()->setup().training.schedule;
    QCOMPARE(chart->scheduleRange().first, logSnr(schedule.at(schedule.tEpsilon()).marginal));
    QCOMPARE(chart->scheduleRange().second, logSnr(schedule.noisiest().marginal));
    // Live, before Apply: the v output's natural weighting, then min-SNR.
    choose(panel, "parametrisation", int(Parametrisation::V));
    QCOMPARE(chart->highlighted(), Weighting::V);
    choose(panel, "weighting", int(Weighting::MinSnr));
    QCOMPARE(chart->highlighted(), Weighting::MinSnr);
    QVERIFY(panel->findChild<QDoubleSpinBox*>("minSnrGamma")->isEnabled());
    // The highlighted curve is the core's weight: at lambda = 0, min(1, gamma).
    const Curve* mine = nullptr;
    for (const Curve& c : chart->curves())
        if (c.name.endsWith(QStringLiteral("◀"))) mine = &c;
    QVERIFY(mine);
    for (const QPointF& p : mine->points)
        QVERIFY(std::abs(p.y() - epsWeight(Weighting::MinSnr, p.x(), {1.0, 5.0})) < 1e-12 * p.y());
    if (qEnvironmentVariableIsSet("WEIGHTING_SHOT")) {
        panel->resize(380, 900);
        panel->grab().save(qEnvironmentVariable("WEIGHTING_SHOT"));
    }
    // A one-sigma objective has no weighting: the chart says so, the combo is off.
    choose(panel, "objective", int(ObjectiveKind::Dsm));
    QVERIFY(!chart->reason().isEmpty());
    QVERIFY(!panel->findChild<QComboBox*>("weighting")->isEnabled());
}

QTEST_MAIN(TestAppWeightings)
#include "tst_app_weightings.moc"

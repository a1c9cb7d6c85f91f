// The Measurements dock's model pages (engine/ModelMeasureWorker,
// window/ModelMeasurePanel, window/MeasureChart): the held-out NLL beside the
// exact score's and the closed form, the Fisher divergence per level and its
// trend, a DDPM's ELBO; jobs off the GUI thread, superseded and restarted as
// the issue says; the charts' CSV, hover values and fonts; the ELBO's reason
// for a model it does not apply to; the trace toggle.
#include "AppTestSupport.h"
#include "engine/ModelMeasureWorker.h"
#include "window/ChartCsv.h"
#include "window/MainWindow.h"
#include "window/MeasureChart.h"
#include "window/ModelMeasurePanel.h"

#include "core/Presets.h"
#include "core/Trainer.h"

#include <QChart>
#include <QDockWidget>
#include <QFile>
#include <QLineSeries>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QValueAxis>
#include <QtTest>

using namespace ss;
using apptest::eventually;

namespace {

// A small DDPM network on 8 Gaussians after a few hundred steps.
struct Ddpm {
    std::shared_ptr<const Dataset> data = std::make_shared<const Dataset>(makePreset("8gaussians", 1000, 1));
    NoiseSchedule schedule = NoiseSchedule::ddpmLinear(100);
    std::shared_ptr<const ScoreNet> net;
    explicit Ddpm(int steps)
    {
        ModelConfig mc;
        mc.hidden = {32, 32};
        mc.parametrisation = Parametrisation::Epsilon;
        mc.conditioning = NoiseConditioning::Time;
        mc.embeddingFrequencies = 4;
        ObjectiveConfig oc;
        oc.kind = ObjectiveKind::Ddpm;
        TrainerConfig tc;
        tc.batchSize = 128;
        tc.threads = 1;
        Trainer trainer(data, mc, oc, schedule, OptimizerConfig{}, tc);
        trainer.run(steps);
        net = std::make_shared<const ScoreNet>(trainer.emaNet());
    }
};

app::ModelMeasureSettings small()
{
    app::ModelMeasureSettings s;
    s.points = 64;
    s.fisherSamples = 200;
    s.refreshSteps = 100;
    return s;
}

} // namespace

class TestAppModelMeasure : public QObject {
    Q_OBJECT
private slots:
    void heldOutPoints();
    void ddpmJobAgainstClosedForms();
    void newerNetworksSupersedeResetsRestart();
    void csvWriter();
    void chartFollowsARunWithoutRebuilding();
    void dockChartsFromTheWindow();
};

void TestAppModelMeasure::heldOutPoints()
{
    // A mixture: its own fresh draw; a point set: a fixed subset of its points, said to be not held out.
    const Dataset mixture = makePreset("8gaussians", 500, 1);
    const app::HeldOutPoints a = app::heldOutPoints(mixture, 100);
    QVERIFY(a.heldOut);
    QCOMPARE(int(a.points.cols()), 100);
    QVERIFY(a.points.col(0) != mixture.points.col(0));
    const Dataset moons = makePreset("moons", 300, 1);
    const app::HeldOutPoints b = app::heldOutPoints(moons, 100), c = app::heldOutPoints(moons, 100);
    QVERIFY(!b.heldOut);
    QVERIFY(b.points == c.points); // fixed: every job scores the same points
    for (int j = 0; j < 100; ++j) {
        bool found = false;
        for (int i = 0; i < moons.size() && !found; ++i) found = moons.points.col(i) == b.points.col(j);
        QVERIFY(found);
    }
    QCOMPARE(int(app::heldOutPoints(moons, 1000).points.cols()), 300); // no more than there are
}

void TestAppModelMeasure::ddpmJobAgainstClosedForms()
{
    const Ddpm model(300);
    app::ModelMeasureThread thread(model.data, small());
    app::ModelMeasureWorker* w = thread.worker();
    std::atomic<int> reports{0}, lastPercent{-1}; // written on the job's thread
    QObject::connect(
        w, &app::ModelMeasureWorker::progress, w,
        [&](int p, const QString&) {
            ++reports;
            lastPercent = p;
        },
        Qt::DirectConnection);
    w->postNetwork(model.net, model.schedule, 300);
    QVERIFY(eventually([&] { return w->latest()->elbo.has_value(); }, 120000));
    const app::ModelMeasurePtr m = w->latest();
    QCOMPARE(m->step, std::int64_t(300));
    QVERIFY(m->heldOut);
    QCOMPARE(m->points, 64);
    QCOMPARE(int(m->nll.size()), 1);
    const app::NllPoint& nll = m->nll.front();
    QVERIFY2(nll.learned && nll.exact && nll.analytic, m->nllError.c_str());
    // The closed form: -mean log of the mixture's t_eps marginal at the same points.
    const Eigen::Matrix2Xd x = app::heldOutPoints(*model.data, 64).points;
    const Marginal scored = model.schedule.sdeMarginal(model.schedule.tEpsilon()).marginal;
    QCOMPARE(m->scoredStd, scored.std);
    Eigen::VectorXd logp(x.cols());
    model.data->mixture->logDensity(x, scored, logp);
    QVERIFY(std::abs(nll.analytic->mean + logp.mean()) < 1e-12);
    // The exact score's flow is the analytic value up to the ODE's and the prior's error.
    qInfo("NLL: learned %.4f, exact score %.4f, analytic %.4f", nll.learned->mean, nll.exact->mean, nll.analytic->mean);
    QVERIFY2(std::abs(nll.exact->mean - nll.analytic->mean) < 0.05,
             qPrintable(QString("%1 vs %2").arg(nll.exact->mean).arg(nll.analytic->mean)));
    QVERIFY(nll.learned->mean > nll.analytic->mean - 0.1); // a young model is no better than the truth
    // Fisher: every level measured (fewer than 12 distinct DDPM levels are never asked for), positive.
    QCOMPARE(int(m->fisher.size()), app::kFisherLevels);
    for (const FisherLevel& l : m->fisher) QVERIFY(l.value.divergence > 0 && std::isfinite(l.value.divergence));
    QVERIFY(m->fisher.front().sigma < m->fisher.back().sigma);
    QCOMPARE(int(m->fisherTrend.size()), 1);
    // ELBO: its terms add up, it bounds the clean NLL (a young model: well above), its curve ends at the total.
    const ElboResult& e = *m->elbo;
    QVERIFY(std::abs(e.prior.mean + e.diffusion.mean + e.decoder.mean - e.total.mean) < 1e-9);
    QVERIFY(m->cleanNll);
    QVERIFY(e.total.mean > m->cleanNll->mean - 3 * e.total.standardError);
    QVERIFY(std::abs(e.prior.mean + e.cumulative.back() - e.total.mean) < 1e-9);
    QVERIFY(m->elboWhyNot.empty());
    // Progress came from the job (on its thread), up to 100.
    QVERIFY(reports > 3);
    QVERIFY(eventually([&] { return lastPercent == 100; })); // emitted just after the last publication
}

void TestAppModelMeasure::newerNetworksSupersedeResetsRestart()
{
    const Ddpm model(50);
    app::ModelMeasureSettings s = small();
    app::ModelMeasureThread thread(model.data, s);
    app::ModelMeasureWorker* w = thread.worker();
    w->postEnabled(false); // hidden: nothing runs
    w->postNetwork(model.net, model.schedule, 1000);
    QTest::qWait(400);
    QCOMPARE(w->latest()->step, std::int64_t(-1));
    w->postEnabled(true);
    QVERIFY(eventually([&] { return w->latest()->elbo && w->latest()->step == 1000; }, 120000));
    const std::int64_t run = w->latest()->run;
    // Within the refresh interval: not measured again; past it: measured, the history grows.
    w->postNetwork(model.net, model.schedule, 1050);
    QTest::qWait(400);
    QCOMPARE(w->latest()->step, std::int64_t(1000));
    w->postNetwork(model.net, model.schedule, 1100);
    QVERIFY(eventually([&] { return w->latest()->step == 1100 && w->latest()->elbo; }, 120000));
    QCOMPARE(int(w->latest()->nll.size()), 2);
    QCOMPARE(int(w->latest()->fisherTrend.size()), 2);
    QCOMPARE(w->latest()->run, run);
    // A step that went back (a reset): a new run, its history starts again.
    w->postNetwork(model.net, model.schedule, 10);
    QVERIFY(eventually([&] { return w->latest()->run > run && w->latest()->elbo; }, 120000));
    QCOMPARE(int(w->latest()->nll.size()), 1);
    QCOMPARE(w->latest()->nll.front().step, std::int64_t(10));
    // Hutchinson's trace: another job (a new run), near the exact trace's value.
    const double exactTrace = w->latest()->nll.front().learned->mean;
    const std::int64_t run2 = w->latest()->run;
    s.hutchinson = true;
    w->postSettings(s);
    QVERIFY(eventually([&] { return w->latest()->run > run2 && !w->latest()->nll.empty(); }, 120000));
    QVERIFY(w->latest()->hutchinson);
    const double hutchinson = w->latest()->nll.front().learned->mean;
    qInfo("NLL exact trace %.4f, Hutchinson %.4f", exactTrace, hutchinson);
    QVERIFY(hutchinson != exactTrace);
    QVERIFY(std::abs(hutchinson - exactTrace) < 0.5);
    // A geometric (NCSN) schedule: no ELBO, and the reason says why.
    w->postNetwork(model.net, NoiseSchedule::geometric(0.05, 3, 10), 5);
    QVERIFY(eventually([&] { return !w->latest()->elboWhyNot.empty() && w->latest()->step == 5; }, 120000));
    QVERIFY(QString::fromStdString(w->latest()->elboWhyNot).contains("DDPM"));
}

void TestAppModelMeasure::csvWriter()
{
    const QString text = window::chartCsv("sigma", "nats", {{"a, b", {QPointF(1, 2.5), QPointF(2, std::nan(""))}}},
                                          {{"L_T \"prior\"", 0.25, 0.01}});
    QCOMPARE(text, QString("series,sigma,nats,standard_error\n\"a, b\",1,2.5,\n\"a, b\",2,nan,\n"
                           "\"L_T \"\"prior\"\"\",,0.25,0.01\n"));
}

// A chart following a run (new points, same curves) keeps its series and,
// while the values fit, its axis range; a changed curve gets a new series.
void TestAppModelMeasure::chartFollowsARunWithoutRebuilding()
{
    window::MeasureChart chart("loss", "loss.csv");
    chart.setAxes("step", window::MeasureChart::Scale::Linear, "loss", window::MeasureChart::Scale::Linear, "step",
                  "loss");
    chart.resize(600, 400);
    chart.show();
    auto run = [](int n) {
        window::Curve c{"batch", {}};
        for (int i = 1; i <= n; ++i) c.points.append({double(i), 3.0 / i});
        c.markers = false;
        return c;
    };
    auto range = [&] {
        auto* x = qobject_cast<QValueAxis*>(chart.chart()->axes(Qt::Horizontal).front());
        return std::pair(x->min(), x->max());
    };
    chart.setCurves({run(100)});
    QCOMPARE(chart.chart()->series().size(), 1);
    chart.chart()->series().front()->setObjectName("first"); // an address can be reused; a name cannot
    auto sameSeries = [&] { return chart.chart()->series().front()->objectName() == "first"; };
    const auto range100 = range();
    QVERIFY(range100.first <= 1 && range100.second >= 100);

    chart.setCurves({run(101)}); // one step more: same series, same axis
    QVERIFY(sameSeries());
    QCOMPARE(qobject_cast<QLineSeries*>(chart.chart()->series().front())->count(), 101);
    QCOMPARE(range(), range100);
    chart.setCurves({run(70)}); // still over half the axis: the axis stays
    QCOMPARE(range(), range100);

    chart.setCurves({run(1000)}); // out of the range: the axis follows, the series stays
    QVERIFY(sameSeries());
    QVERIFY(range().second >= 1000);
    QVERIFY(range().second <= 2000);
    chart.setCurves({run(5)}); // a fresh run far inside: the axis shrinks to it
    QVERIFY(range().second < 100);

    window::Curve dashed = run(5);
    dashed.dashed = true; // a new look: a new series drawn dashed
    chart.setCurves({run(5), dashed});
    QCOMPARE(chart.chart()->series().size(), 2);
    QVERIFY(!sameSeries());
    QCOMPARE(qobject_cast<QLineSeries*>(chart.chart()->series().back())->pen().style(), Qt::DashLine);
    QCOMPARE(chart.csv().count('\n'), 11); // header and 2 x 5 points
}

void TestAppModelMeasure::dockChartsFromTheWindow()
{
    window::MainWindow w(apptest::smallScene(), false); // NCSN, geometric levels: no ELBO
    w.resize(1600, 1000);
    w.show();
    auto* dock = w.findChild<QDockWidget*>("measurementsDock");
    QVERIFY(dock);
    dock->raise();
    auto* panel = w.findChild<window::ModelMeasurePanel*>("modelMeasurePanel");
    QVERIFY(panel);
    auto* tabs = w.findChild<QTabWidget*>("measureTabs");
    QCOMPARE(tabs->count(), 5);
    QCOMPARE(tabs->tabText(3), QString("Trend"));
    tabs->setCurrentIndex(2); // Fisher
    w.startAll();
    app::ModelMeasureWorker* worker = w.controller()->modelMeasure();
    QVERIFY(eventually([&] { return !worker->latest()->fisher.empty(); }, 120000));
    QTest::qWait(50); // the snapshot's signal reaches the panel
    window::MeasureChart* fisher = panel->fisherChart();
    QVERIFY(eventually([&] { return !fisher->curves().empty(); }));
    // Held: the worker goes on measuring, and a reference into a released snapshot would dangle.
    const app::ModelMeasurePtr snapshot = worker->latest();
    const auto& levels = snapshot->fisher;
    QCOMPARE(fisher->curves().front().points.size(), qsizetype(levels.size()));
    QVERIFY(fisher->reason().isEmpty());
    QVERIFY(!panel->nllChart()->curves().empty());
    QVERIFY(panel->nllChart()->curves().size() == 3); // learned, exact score, analytic (a mixture)
    // The ELBO page says why it is empty.
    QVERIFY(panel->elboChart()->curves().empty());
    QVERIFY2(panel->elboChart()->reason().contains("DDPM"), qPrintable(panel->elboChart()->reason()));
    // Hover: the newest curve's first point reads out its value.
    auto* series = qobject_cast<QLineSeries*>(fisher->chart()->series().front());
    const QPointF p = series->points().front();
    const QPoint at = fisher->mapFromScene(fisher->chart()->mapToPosition(p, series) + fisher->chart()->pos());
    const QString hover = fisher->valueAt(at);
    QVERIFY2(hover.contains(QString::number(p.y(), 'g', 4)), qPrintable(hover));
    QVERIFY(fisher->valueAt(QPoint(2, 2)).isEmpty()); // far from every point
    // CSV: every level's value, then the standard errors.
    QTemporaryDir dir;
    QString error;
    QVERIFY2(fisher->exportCsv(dir.filePath("f.csv"), &error), qPrintable(error));
    QFile f(dir.filePath("f.csv"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).trimmed().split('\n');
    QCOMPARE(lines.front(), QString("series,sigma,fisher_divergence,standard_error"));
    int rows = 0;
    for (const auto& c : fisher->curves()) rows += int(c.points.size());
    QCOMPARE(lines.size(), 1 + rows + int(levels.size()));
    // The chart's own values at full precision (the chart may show a newer measure than `snapshot`).
    const QPointF first = fisher->curves().front().points.front();
    QVERIFY2(lines[1].endsWith(QString::number(first.y(), 'g', 17) + ","), qPrintable(lines[1]));
    QVERIFY(!fisher->exportCsv("/proc/nope/f.csv", &error));
    // Larger text (presentation mode) reaches the chart's own fonts.
    const double before = fisher->chart()->titleFont().pointSizeF();
    QFont big = fisher->font();
    big.setPointSizeF(big.pointSizeF() * 2);
    fisher->setFont(big);
    QVERIFY(fisher->chart()->titleFont().pointSizeF() > 1.5 * before);
    QVERIFY(fisher->chart()->axes().front()->labelsFont().pointSizeF() > 1.5 * before);
    // The trace toggle: the worker's next job uses Hutchinson's estimate.
    panel->setHutchinson(true);
    QVERIFY(eventually([&] { return worker->latest()->hutchinson && !worker->latest()->nll.empty(); }, 120000));
    // Hidden: the job in flight stops and no other starts.
    dock->hide();
    QTest::qWait(300);
    const std::int64_t serial = worker->latest()->serial;
    QTest::qWait(1500);
    QCOMPARE(worker->latest()->serial, serial);
}

QTEST_MAIN(TestAppModelMeasure)
#include "tst_app_model_measure.moc"

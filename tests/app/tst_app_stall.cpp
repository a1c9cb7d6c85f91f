// Issue 11, "Freeze": with the "DDPM vs DDIM" lecture (200 levels) the loss
// chart drew one series per level and appended every snapshot to each, so the
// GUI thread stalled for seconds and then minutes. Here every lecture preset
// runs with training and sampling going while a StallMonitor measures the
// longest time the GUI thread's event loop was blocked, and the loss chart must
// show at most TrainingPanel::kMaxBands bands + the total, decimated to its width.
//
// Offscreen, as the other window tests: the window is built but not shown (the
// GL scene needs a display), so the scene's own frames are not in the
// measurement (bench/frames.sh measures those, shown under Xvfb); the chart's
// geometry work, where the old code stalled, runs whether shown or not. The
// loss panel alone is shown (raster), so its painting counts.
//
// The bound: the target is 30 ms (bench/frames.sh reports that one).
// A test on a loaded CI machine (2 cores shared with the training, sampling
// and field threads and with another test) sees OS scheduling delays that are
// not this program's stalls, so it checks kBoundMs; see its comment.
#include "AppTestSupport.h"
#include "window/Application.h"
#include "window/LecturePresets.h"
#include "window/LessonApplier.h"
#include "window/MainWindow.h"
#include "window/MeasureChart.h"
#include "window/ModelMeasurePanel.h"
#include "window/StallMonitor.h"
#include "window/EventCost.h"
#include "window/TrainingPanel.h"

#include <QChart>
#include <QChartView>
#include <QDockWidget>
#include <QTabWidget>
#include <QLabel>
#include <QLineSeries>
#include <QSpinBox>
#include <QtTest>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

using namespace ss;
using namespace ss::window;

namespace {
// kBoundMs: on a 2-core machine at load average 11-15 (six builds beside the
// test) the longest stall per lecture was 20-80 ms with this chart, and still
// 55 ms on the DDPM lecture with the chart switched off altogether: OS
// scheduling (perf: the GUI thread used ~1-2% of a core), one run even reached
// 120 ms on the predictor-corrector lecture. 250 ms leaves 2x headroom for a
// loaded CI machine. The old chart stalled 289 ms on the DDPM lecture's first
// snapshot (making its 200 series) and for seconds after ~20 s.
constexpr double kBoundMs = 250;

QChart* lossChart(TrainingPanel* panel) { return panel->findChild<QChartView*>()->chart(); }
} // namespace

class TestAppStall : public QObject {
    Q_OBJECT
private slots:
    void monitorSeesABlockedLoop();
    void lossChartStaysSmall();
    void everyLectureRunsWithoutStalling();
    void measurementsRunWithoutStalling();
};

// The monitor itself: a 120 ms busy GUI thread reads as ~120 ms, an idle one as
// little; the CPU time in the stall tells a busy thread from a sleeping one.
void TestAppStall::monitorSeesABlockedLoop()
{
    StallMonitor monitor;
    QTest::qWait(100);
    monitor.reset();
    QTest::qWait(100);
    QVERIFY(monitor.pings() > 5); // it pings every few ms
    QElapsedTimer busy;
    busy.start();
    while (busy.elapsed() < 120) {
    }
    QTest::qWait(20);
    QVERIFY2(monitor.longestMs() >= 110 && monitor.longestMs() < 120 + 200,
             qPrintable(QString::number(monitor.longestMs())));
    QCOMPARE(monitor.countOver(100), 1);
    // Busy: the stall was the GUI thread's own work (its CPU time, less any
    // time a loaded machine took the core away).
    QVERIFY2(monitor.longestCpuMs() >= 60 && monitor.longestCpuMs() <= monitor.longestMs() + 1,
             qPrintable(QString::number(monitor.longestCpuMs())));
    // Asleep (as when waiting for a core or a lock): a stall with no work in it.
    monitor.reset();
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    QTest::qWait(20);
    QVERIFY2(monitor.longestMs() >= 110, qPrintable(QString::number(monitor.longestMs())));
    QVERIFY2(monitor.longestCpuMs() < 20, qPrintable(QString::number(monitor.longestCpuMs())));
}

// 200 levels and a long history: at most kMaxBands + 1 series, each labelled
// with its σ range, ~2 points per pixel, and the unthinned history kept.
void TestAppStall::lossChartStaysSmall()
{
    TrainingPanel panel;
    panel.resize(420, 600);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    const int levels = 200;
    app::TrainingSnapshot s;
    s.schedule = NoiseSchedule::ddpmLinear(levels, 5e-4, 0.1, false);
    for (int k = 1; k <= levels; ++k) {
        s.stats.levelStd.push_back(s.schedule.level(k).marginal.std);
        s.stats.levelMean.push_back(s.schedule.level(k).marginal.mean);
    }
    s.stats.levelLoss.assign(levels, 1.0);
    s.stats.levelLoss[0] = std::nan(""); // a level not seen yet: its band is the mean of the rest
    StallMonitor monitor;
    QElapsedTimer clock;
    clock.start();
    const int records = 6000;
    for (int i = 1; i <= records; ++i) {
        s.step = 10 * i;
        s.stats.smoothedLoss = 1.0 + 1.0 / i;
        for (int k = 1; k < levels; ++k) s.stats.levelLoss[std::size_t(k)] = 0.5 + double(k) / levels + 1.0 / i;
        panel.showSnapshot(s);
        if (i % 25 == 0) QTest::qWait(1); // serve events as the window would between snapshots
        // The first chart, early: the old one had a series per level.
        if (i == 10) {
            QTest::qWait(TrainingPanel::kRefreshMs + 50);
            QVERIFY2(lossChart(&panel)->series().size() <= TrainingPanel::kMaxBands + 1,
                     qPrintable(QString("%1 series").arg(lossChart(&panel)->series().size())));
        }
        QVERIFY2(clock.elapsed() < 60000, "6000 snapshots took over a minute");
    }
    QTest::qWait(TrainingPanel::kRefreshMs + 50);
    const double stall = monitor.longestMs();
    QVERIFY2(stall < kBoundMs, qPrintable(QString("longest stall %1 ms").arg(stall)));
    QCOMPARE(panel.history().size(), std::size_t(records));
    QChart* chart = lossChart(&panel);
    const auto series = chart->series();
    QCOMPARE(int(series.size()), TrainingPanel::kMaxBands + 1);
    const double width = chart->plotArea().width();
    QStringList names;
    for (QAbstractSeries* a : series) {
        auto* line = qobject_cast<QLineSeries*>(a);
        QVERIFY(line->count() > 10);
        QVERIFY2(line->count() <= 2 * std::max(width, 100.0) + 1,
                 qPrintable(QString("%1 points on a %2 px plot").arg(line->count()).arg(width)));
        QCOMPARE(line->points().back().x(), 10.0 * records); // the newest record is drawn
        names << line->name();
    }
    QCOMPARE(names.front(), QString("total"));
    // Bands in noise order, from the smallest noise (level 1) to the largest,
    // labelled by σ/√ᾱ: DDPM's σ itself crowds against 1 at the top.
    const QString first = QString::number(s.stats.levelStd.front() / s.stats.levelMean.front(), 'g', 2);
    const QString vp = QStringLiteral("σ/√ᾱ ");
    QVERIFY2(names.at(1).startsWith(vp + first), qPrintable(names.join(" | ")));
    for (int b = 1; b < names.size(); ++b) QVERIFY2(names.at(b).startsWith(vp), qPrintable(names.at(b)));
    QVERIFY2(!names.back().contains("0.99"), qPrintable(names.back())); // the top band spreads
    QVERIFY2(!names.join(' ').contains("e+"), qPrintable(names.join(" | "))); // 180, not 1.8e+02
    // The legend under the chart names every series.
    const auto entries = panel.findChild<QWidget*>("lossLegend")->findChildren<QLabel*>();
    QCOMPARE(int(entries.size()), TrainingPanel::kMaxBands + 1);
    for (int i = 0; i < names.size(); ++i)
        QVERIFY2(entries.at(i)->text().endsWith(names.at(i).toHtmlEscaped()), qPrintable(entries.at(i)->text()));
    names.removeDuplicates();
    QCOMPARE(names.size(), TrainingPanel::kMaxBands + 1); // every label tells its band apart
    // The first band's value is the mean of its finite levels (1..19 of 0..19).
    auto* band0 = qobject_cast<QLineSeries*>(series.at(1));
    double mean = 0;
    for (int k = 1; k < levels / TrainingPanel::kMaxBands; ++k) mean += 0.5 + double(k) / levels + 1.0 / records;
    mean /= levels / TrainingPanel::kMaxBands - 1;
    QVERIFY(std::abs(band0->points().back().y() - mean) < 1e-9);
}

void TestAppStall::everyLectureRunsWithoutStalling()
{
    const std::vector<LecturePreset> presets = lecturePresets();
    QCOMPARE(int(presets.size()), 12);
    MainWindow w(defaultScene(), false);
    w.startAll();
    StallMonitor monitor;
    QStringList table;
    bool allUnder = true;
    for (const LecturePreset& p : presets) {
        QVERIFY(w.startScene(p.scene, p.layers, p.scrubber));
        if (p.flow) { // the Flow dock trains, charts and draws its samples in the scene too
            FlowLesson flow = *p.flow;
            flow.samples = true;
            applyFlow(w, flow);
        }
        QTest::qWait(300); // the load's own work (a new model, the first field) is not what is measured
        monitor.reset();
        const std::int64_t startStep = w.training()->latest()->step;
        // The lecture with 200 levels longer: the old chart's cost grew with its history.
        const int runMs = p.scene.training.schedule.numLevels() > 50 ? 15000 : 5000;
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < runMs && monitor.longestMs() < kBoundMs) QTest::qWait(50);
        const double stall = monitor.longestMs();
        const int series = int(lossChart(w.trainingPanel())->series().size());
        table << QString("%1: longest stall %2 ms (%3 over 30 ms), %4 training steps, %5 chart series")
                     .arg(p.title)
                     .arg(stall, 0, 'f', 1)
                     .arg(monitor.countOver(30))
                     .arg(w.training()->latest()->step - startStep)
                     .arg(series);
        qInfo("%s", qPrintable(table.back()));
        if (stall < kBoundMs) // a stall ends the run early; otherwise it must have trained
            QVERIFY2(w.training()->latest()->step > startStep, qPrintable(p.title + ": training did not run"));
        QVERIFY2(series <= TrainingPanel::kMaxBands + 1, qPrintable(table.back()));
        allUnder = allUnder && stall < kBoundMs;
    }
    QVERIFY2(allUnder, qPrintable(QString("a GUI-thread stall over %1 ms:\n").arg(kBoundMs) + table.join("\n")));
}

// Issue 14: every measurement at once — particles sampling and measured
// (the Samples table), training, and the model's NLL, Fisher divergence and
// ELBO jobs (the DDPM lecture, so the ELBO applies) — while the Measurements
// dock is shown (the window shown offscreen, the dock in front) and its charts redraw.
// The jobs run on their own thread: the GUI thread only draws their results.
void TestAppStall::measurementsRunWithoutStalling()
{
    const std::vector<LecturePreset> presets = lecturePresets();
    const auto ddpm = std::find_if(presets.begin(), presets.end(), [](const LecturePreset& p) {
        return p.scene.training.objective.kind == ObjectiveKind::Ddpm;
    });
    QVERIFY(ddpm != presets.end());
    MainWindow w(defaultScene(), false);
    QVERIFY(w.startScene(ddpm->scene, ddpm->layers, ddpm->scrubber));
    w.resize(1600, 1000);
    w.show(); // the dock in front (as in the window): both measure workers run, its charts paint
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* dock = w.findChild<QDockWidget*>("measurementsDock");
    dock->raise();
    auto* tabs = w.findChild<QTabWidget*>("measureTabs");
    auto* panel = w.findChild<ModelMeasurePanel*>("modelMeasurePanel");
    panel->findChild<QSpinBox*>("measureRefresh")->setValue(100); // jobs back to back: the worst case
    w.startAll();
    QTest::qWait(300); // the scene's own start is not what is measured
    EventCost& cost = Application::instance()->eventCost();
    cost.enable();
    cost.reset();
    QString stage; // the model job's last progress, for the report
    connect(w.controller()->modelMeasure(), &app::ModelMeasureWorker::progress, &w,
            [&](int percent, const QString& name) { stage = QString("%1 %2%").arg(name).arg(percent); });
    StallMonitor monitor;
    QElapsedTimer clock;
    clock.start();
    int tab = 0;
    auto done = [&] {
        return !panel->nllChart()->curves().empty() && !panel->fisherChart()->curves().empty() &&
               !panel->elboChart()->curves().empty() && w.controller()->measure()->latest();
    };
    // Until every chart has a result and at least 10 s passed (turning the
    // tabs, so each chart is painted), or a stall ends it.
    while ((clock.elapsed() < 10000 || !done()) && clock.elapsed() < 150000) {
        QTest::qWait(250);
        tabs->setCurrentIndex(++tab % tabs->count());
    }
    const double stall = monitor.longestMs();
    const double work = cost.longestMs();
    qInfo("all measurements: longest GUI-thread work %.1f ms (%s); longest stall %.1f ms (%d over 30 ms) in %.1f s, "
          "%lld training steps, %d NLL points, model job: %s",
          work, qPrintable(cost.longestWhat()), stall, monitor.countOver(30), clock.elapsed() / 1000.0,
          (long long)w.training()->latest()->step, int(w.controller()->modelMeasure()->latest()->nll.size()),
          qPrintable(stage));
    // The bound on the GUI thread's own work (CPU time per event,
    // whatever the machine's load): the charts only draw finished results.
    QVERIFY2(work < 30, qPrintable(QString("%1 ms in one event: %2").arg(work).arg(cost.longestWhat())));
    // The wall-clock stall also counts the waits for a core on a loaded
    // 2-core machine (the lecture above: up to 120 ms; here 160-560 ms at
    // load average 8-10, other builds beside it; the program itself on the
    // DDPM lecture at 1920x1080, `--benchmark-frames 300`, stalled 143 ms
    // with the dock hidden and 155 ms with it measuring, its longest event
    // 9 ms). A freeze is what it must catch.
    QVERIFY2(stall < 4 * kBoundMs, qPrintable(QString("longest stall %1 ms").arg(stall)));
    QVERIFY2(done(), "the charts did not all get a result");
}

// Under ss::window::Application, as the program runs, so its per-event GUI
// work can be measured (EventCost.h).
int main(int argc, char** argv)
{
    Application app(argc, argv);
    TestAppStall test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_app_stall.moc"

// The continuous normalizing flow in the window (engine/CnfWorker,
// window/FlowDock, FlowPanel, FlowCharts; lecture key "flow"):
//  - the worker trains by maximum likelihood: the held-out NLL (exact trace)
//    falls from the untrained flow's towards the mixture's closed form, each
//    step records its NFE (RK4 8 steps: 32 forward + 32 backward), Hutchinson
//    runs record the estimate's variance, RK45 runs their adaptive NFE;
//  - refused settings keep the old flow and say why; new data starts a fresh one;
//  - the sample run carries N(0, I) to t = 0 piece by piece (4 NFE a piece) and
//    starts again after its hold;
//  - in the window: the dock is hidden at first; "Samples in the scene" puts
//    the flow's samples in the scene, the caption and the measurements, and
//    pauses the sampler; off, the sampler's particles come back;
//  - the panel round-trips its settings and refuses a bad width; the charts
//    say why the variance tab is empty for the exact trace;
//  - lecture 12 reads, its steps set the flow, and applying it shows the dock.
#include "AppTestSupport.h"
#include "engine/CnfWorker.h"
#include "engine/MeasureWorker.h"
#include "window/FlowCharts.h"
#include "window/FlowDock.h"
#include "window/FlowPanel.h"
#include "window/LecturePresets.h"
#include "window/LessonApplier.h"
#include "window/LessonMeasure.h"
#include "window/MainWindow.h"
#include "window/MeasureChart.h"

#include "core/CnfFile.h"
#include "core/Error.h"
#include "core/Presets.h"

#include <QAbstractAxis>
#include <QChart>
#include <QDockWidget>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace ss;
using apptest::eventually;

namespace {

app::FlowSettings smallFlow()
{
    app::FlowSettings s;
    s.model.hidden = {32, 32};
    s.batchSize = 64;
    s.evalPoints = 256;
    s.evalEvery = 10;
    s.sampleSteps = 5;
    s.particles = 300;
    return s;
}

std::shared_ptr<const Dataset> eightGaussians() { return std::make_shared<const Dataset>(makePreset("8gaussians", 1000, 0)); }

} // namespace

class TestAppFlow : public QObject {
    Q_OBJECT
private slots:
    void nllFallsTowardsTheExactValue();
    void hutchinsonAndAdaptiveSolverAreRecorded();
    void refusedSettingsKeepTheFlow();
    void newDataStartsAFreshFlow();
    void sampleRunGoesPieceByPiece();
    void savedFlowReadsBack();
    void windowShowsTheFlowSamples();
    void panelRoundTripsItsSettings();
    void chartsSayWhyTheVarianceIsEmpty();
    void lectureSetsTheFlow();
};

void TestAppFlow::nllFallsTowardsTheExactValue()
{
    app::CnfThread thread(eightGaussians(), smallFlow());
    app::CnfWorker* w = thread.worker();
    w->postStart();
    QVERIFY(eventually([&] { return w->latest()->evals.size() >= 9; }, 60000));
    w->postPause();
    const app::FlowPtr s = w->latest();
    QVERIFY(s->exactNll && s->heldOut);
    const double first = s->evals.front().nll.mean, last = s->evals.back().nll.mean, exact = s->exactNll->mean;
    // 8gaussians (radius 2, std 0.1): the untrained flow (a random v) scores
    // about 3.8 nats (N(0, I) itself: 2.84 + E|x|^2 / 2 = 4.8); the exact NLL is about 0.34.
    QCOMPARE(s->evals.front().step, std::int64_t(0));
    QVERIFY2(first > 3.0 && first < 6.0, qPrintable(QString::number(first)));
    QVERIFY2(last < first - 1.0, qPrintable(QStringLiteral("%1 -> %2").arg(first).arg(last)));
    QVERIFY2(last > exact - 0.1, qPrintable(QStringLiteral("%1 below the exact %2").arg(last).arg(exact)));
    for (const app::FlowStepRecord& r : s->history) {
        QCOMPARE(r.forwardNfe, 32LL); // RK4, 8 steps
        QCOMPARE(r.backwardNfe, 32LL);
        QVERIFY(std::isnan(r.hutchinsonVariance)); // the exact trace has none
    }
    QCOMPARE(s->history.back().step, s->step);
}

void TestAppFlow::hutchinsonAndAdaptiveSolverAreRecorded()
{
    app::FlowSettings h = smallFlow();
    h.solve.trace = TraceEstimator::Hutchinson;
    h.solve.probe = ProbeKind::Rademacher;
    {
        app::CnfThread thread(eightGaussians(), h);
        thread.worker()->postStart();
        QVERIFY(eventually([&] { return thread.worker()->latest()->history.size() >= 5; }, 30000));
        for (const app::FlowStepRecord& r : thread.worker()->latest()->history)
            QVERIFY2(std::isfinite(r.hutchinsonVariance) && r.hutchinsonVariance >= 0,
                     qPrintable(QString::number(r.hutchinsonVariance)));
    }
    app::FlowSettings a = smallFlow();
    a.solve.method = OdeMethod::Rk45;
    a.solve.rtol = a.solve.atol = 1e-3;
    app::CnfThread thread(eightGaussians(), a);
    thread.worker()->postStart();
    QVERIFY(eventually([&] { return thread.worker()->latest()->history.size() >= 5; }, 30000));
    for (const app::FlowStepRecord& r : thread.worker()->latest()->history) {
        // Dormand-Prince: 6 evaluations per attempted step (FSAL aside), at least one step.
        QVERIFY2(r.forwardNfe >= 6 && r.backwardNfe >= 6, qPrintable(QString::number(r.forwardNfe)));
    }
}

void TestAppFlow::refusedSettingsKeepTheFlow()
{
    app::CnfThread thread(eightGaussians(), smallFlow());
    app::CnfWorker* w = thread.worker();
    QSignalSpy messages(w, &app::CnfWorker::message);
    app::FlowSettings bad = smallFlow();
    bad.model.activation = Activation::ReLU;
    w->postSettings(bad);
    QVERIFY(eventually([&] { return messages.size() >= 1; }));
    QVERIFY(messages.front().at(1).toBool());
    QVERIFY2(messages.front().at(0).toString().contains("ReLU"), qPrintable(messages.front().at(0).toString()));
    QVERIFY(w->latest()->settings == smallFlow());
    bad = smallFlow();
    bad.solve.gradient = CnfGradient::Backprop;
    bad.solve.method = OdeMethod::Rk45;
    w->postSettings(bad);
    QVERIFY(eventually([&] { return messages.size() >= 2; }));
    QVERIFY2(messages.back().at(0).toString().contains("fixed-step"), qPrintable(messages.back().at(0).toString()));
    QVERIFY(w->latest()->settings == smallFlow());
    QVERIFY_THROWS_EXCEPTION(InputError, app::CnfWorker(std::make_shared<const Dataset>(), smallFlow()));
    // A step that would take the machine down is refused before it runs, naming the cause.
    app::FlowSettings huge = smallFlow();
    huge.model.hidden = std::vector<int>(8, 1024);
    huge.batchSize = 65536;
    try {
        huge.validate();
        QFAIL("a step holding tens of GB was accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString(e.what()).contains("GB"), e.what());
    }
    huge = smallFlow();
    huge.solve.method = OdeMethod::Rk4;
    huge.solve.steps = 1000;
    huge.model.hidden = {512, 512, 512};
    huge.batchSize = 4096;
    QVERIFY_THROWS_EXCEPTION(InputError, huge.validate());
    QVERIFY(eventually([&] { return w->latest()->settings == smallFlow(); })); // nothing of it reached the worker

}

void TestAppFlow::newDataStartsAFreshFlow()
{
    app::CnfThread thread(eightGaussians(), smallFlow());
    app::CnfWorker* w = thread.worker();
    w->postStart();
    QVERIFY(eventually([&] { return w->latest()->step >= 3; }, 30000));
    w->postPause();
    auto moons = std::make_shared<const Dataset>(makePreset("moons", 500, 0));
    w->postData(moons);
    QVERIFY(eventually([&] { return w->latest()->step == 0 && w->latest()->history.empty(); }));
    QVERIFY(!w->latest()->exactNll); // two moons have no closed-form density
    QVERIFY(!w->latest()->heldOut);  // scored on a subset of the points themselves
}

void TestAppFlow::sampleRunGoesPieceByPiece()
{
    app::CnfThread thread(eightGaussians(), smallFlow());
    app::CnfWorker* w = thread.worker();
    QVERIFY(!w->latest()->samples);
    w->postShowSamples(true);
    QVERIFY(eventually([&] {
        const app::FlowPtr s = w->latest();
        return s->samples && s->samples->done;
    }));
    app::ParticlesPtr p = w->latest()->samples;
    QCOMPARE(p->step, 5);
    QCOMPARE(p->totalSteps, 5);
    QCOMPARE(p->evaluations, 20LL); // RK4: 4 per piece
    QCOMPARE(p->particles.cols(), Eigen::Index(300));
    QVERIFY(p->particles.allFinite());
    QCOMPARE(p->flow, app::flowSamplerName(smallFlow()));
    QVERIFY(eventually([&] { return w->latest()->samples->run >= 1; })); // after the hold, a new run
    w->postShowSamples(false);
    QVERIFY(eventually([&] { return !w->latest()->samples; }));
}

void TestAppFlow::savedFlowReadsBack()
{
    app::CnfThread thread(eightGaussians(), smallFlow());
    app::CnfWorker* w = thread.worker();
    QSignalSpy messages(w, &app::CnfWorker::message);
    w->postStep();
    QTemporaryDir dir;
    const QString path = dir.filePath("flow.json");
    w->postSave(path);
    QVERIFY(eventually([&] { return messages.size() >= 1; }));
    QVERIFY2(!messages.back().at(1).toBool(), qPrintable(messages.back().at(0).toString()));
    const CnfModel m = loadCnfModel(path.toStdString()); // the CLI's reader
    QCOMPARE(m.model.hidden, smallFlow().model.hidden);
    QCOMPARE(m.step, w->latest()->step);
    QCOMPARE(m.dataName, std::string("8gaussians"));
    w->postSave(dir.filePath("no/such/folder/flow.json")); // unwritable: said, nothing thrown at the window
    QVERIFY(eventually([&] { return messages.size() >= 2; }));
    QVERIFY(messages.back().at(1).toBool());
}

void TestAppFlow::windowShowsTheFlowSamples()
{
    window::MainWindow w(apptest::smallScene(), false);
    window::FlowDock* dock = w.flowDock();
    QVERIFY(dock && dock->isHidden());
    w.resize(1500, 950);
    w.show(); // the Measurements dock measures only while shown
    if (auto* measurements = w.findChild<QDockWidget*>("measurementsDock")) measurements->raise();
    w.startAll();
    QVERIFY(eventually([&] { return w.sampling()->latest()->playing; }));
    dock->apply(smallFlow());
    dock->setSamplesShown(true);
    QVERIFY(w.flowSamplesShown());
    QVERIFY(eventually([&] { return w.flowParticles() != nullptr; }));
    QVERIFY(eventually([&] { return !w.sampling()->latest()->playing; })); // paused while the flow is shown
    QVERIFY2(w.scene()->caption().contains("CNF flow"), qPrintable(w.scene()->caption()));
    QVERIFY(eventually(
        [&] {
            const app::MeasurePtr m = w.controller()->measure()->latest();
            return m && m->sampler == app::flowSamplerName(smallFlow());
        },
        60000)); // a loaded CI machine: the worker runs at low priority
    dock->setSamplesShown(false);
    QVERIFY(!w.flowSamplesShown());
    QVERIFY(eventually([&] { return w.sampling()->latest()->playing; })); // it played before: it plays again
    QVERIFY(eventually([&] { return !w.scene()->caption().contains("CNF"); }));
}

void TestAppFlow::panelRoundTripsItsSettings()
{
    window::FlowPanel panel;
    app::FlowSettings s = smallFlow();
    s.model.hidden = {16, 24, 8};
    s.model.activation = Activation::Tanh;
    s.solve.trace = TraceEstimator::Hutchinson;
    s.solve.probes = 4;
    s.solve.probe = ProbeKind::Rademacher;
    s.solve.gradient = CnfGradient::Backprop;
    s.solve.method = OdeMethod::Heun;
    s.solve.steps = 12;
    s.batchSize = 200;
    s.optimizer.learningRate = 0.002;
    s.sampleSteps = 30;
    s.seed = s.model.seed = 7;
    panel.showSettings(s);
    const app::FlowSettings back = panel.settings(smallFlow());
    QCOMPARE(back.model.hidden, s.model.hidden);
    QVERIFY(back == s);
    auto* hidden = panel.findChild<QLineEdit*>("flowHidden");
    QVERIFY(hidden);
    hidden->setText("64, x");
    QVERIFY_THROWS_EXCEPTION(InputError, panel.settings(smallFlow()));
    hidden->setText("64, 2000");
    QVERIFY_THROWS_EXCEPTION(InputError, panel.settings(smallFlow()));
}

void TestAppFlow::chartsSayWhyTheVarianceIsEmpty()
{
    window::FlowCharts charts;
    app::FlowSnapshot s;
    s.settings = smallFlow();
    charts.showSnapshot(s);
    QVERIFY(charts.nll()->reason().contains("Not trained"));
    app::FlowStepRecord r;
    r.step = 1;
    r.loss = 3;
    r.forwardNfe = r.backwardNfe = 32;
    s.history = {r};
    s.evals = {{1, {2.5, 0.1}, 32}};
    s.exactNll = MeanEstimate{0.34, 0.01};
    charts.showSnapshot(s);
    // Only the chart in front is drawn; another is drawn when it comes forward.
    QCOMPARE(charts.chartName(), std::string("nll"));
    QVERIFY(!charts.variance()->reason().contains("exact")); // not drawn yet
    charts.showChart("variance");
    QVERIFY(charts.variance()->reason().contains("exact"));
    charts.showChart("nll");
    const QList<QAbstractAxis*> before = charts.nll()->chart()->axes();
    charts.showSnapshot(s); // again: the same two axes, reused (rebuilt ones were drawn over the new ones)
    QCOMPARE(charts.nll()->chart()->axes(), before);
    QCOMPARE(int(charts.nll()->curves().size()), 3); // batch, held-out, exact (dashed)
    QVERIFY(charts.nll()->curves()[2].dashed);
    s.settings.solve.trace = TraceEstimator::Hutchinson;
    s.history[0].hutchinsonVariance = 2.5;
    charts.showSnapshot(s);
    charts.showChart("variance");
    QVERIFY(charts.variance()->reason().isEmpty());
    QCOMPARE(charts.variance()->curves().front().points.front().y(), 2.5);
    // The lesson's live line.
    window::MeasureInput in;
    in.flow = std::make_shared<const app::FlowSnapshot>(s);
    const QString line = window::measureText(window::LessonMeasure::FlowNll, in);
    QVERIFY2(line.contains("NLL 2.50") && line.contains("exact 0.34") && line.contains("32 + 32"), qPrintable(line));
}

void TestAppFlow::lectureSetsTheFlow()
{
    const std::vector<window::LecturePreset> all = window::lecturePresets();
    auto it = std::find_if(all.begin(), all.end(), [](const auto& p) { return p.file == "12-cnf.json"; });
    QVERIFY(it != all.end());
    QCOMPARE(it - all.begin(), std::ptrdiff_t(all.size()) - 1); // numbered last: "12-" sorts after "7-"
    const window::LecturePreset& p = *it;
    QVERIFY(p.flow && p.flow->train && !p.flow->samples);
    QVERIFY(p.lesson.steps[1].flow->samples);
    QCOMPARE(p.lesson.steps[2].flow->settings.solve.trace, TraceEstimator::Hutchinson);
    QVERIFY(!p.lesson.steps[2].flow->samples);
    QCOMPARE(p.lesson.steps[3].flow->settings.solve.method, OdeMethod::Rk45);
    QCOMPARE(p.lesson.steps[3].flow->settings.solve.trace, TraceEstimator::Exact);
    // A typo or a refused setting names the place.
    QByteArray text = p.document.dump().c_str();
    text.replace("\"flow\":{\"samples\":false,\"train\":true}", "\"flow\":{\"train\":true,\"activaton\":\"silu\"}");
    try {
        (void)window::lecturePresetFromJson(text, "typo.json");
        QFAIL("an unknown flow key was accepted");
    } catch (const InputError& e) {
        QVERIFY2(QString(e.what()).contains("flow.activaton"), e.what());
    }
    text = p.document.dump().c_str();
    text.replace("\"flow\":{\"samples\":false,\"train\":true}", "\"flow\":{\"activation\":\"relu\"}");
    QVERIFY_THROWS_EXCEPTION(InputError, window::lecturePresetFromJson(text, "relu.json"));

    window::MainWindow w(apptest::smallScene(), false);
    window::LecturePreset small = p;
    small.flow->settings = smallFlow();
    for (window::LessonStep& step : small.lesson.steps) {
        const app::FlowSettings given = step.flow->settings;
        step.flow->settings = smallFlow();
        step.flow->settings.solve = given.solve;
    }
    QVERIFY(w.startLecture(small));
    QVERIFY(!w.flowDock()->isHidden());
    QVERIFY(eventually([&] { return w.flowDock()->worker()->latest()->running; }));
    QVERIFY(eventually([&] { return w.flowDock()->worker()->latest()->settings == smallFlow(); }));
    window::applyLessonStep(w, small.lesson.steps[1]);
    QVERIFY(w.flowSamplesShown());
    QVERIFY(eventually([&] { return w.flowParticles() != nullptr; }));
    const window::LectureScene running = window::runningLectureScene(w);
    QVERIFY(running.flow && running.flow->samples && running.flow->settings == smallFlow());
}

QTEST_MAIN(TestAppFlow)
#include "tst_app_flow.moc"

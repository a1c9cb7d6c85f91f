// The window survives what a curious student does, and never claims what is
// not running (issue 11's reproductions):
//  - stepSize99999: default scene, Sampler dock step size 99999 + Enter: the
//    process lives, the run stops at its last finite particles, the snapshot
//    says diverged, the banner names the step and the stable limit.
//  - probabilityFlowLectureThenLangevin: the same from the "Probability-flow
//    ODE" lecture switched to Langevin (its exact score), and from that scene
//    saved and reopened.
//  - refusedSamplerReverts: DDPM with the default geometric schedule is
//    refused: the dock goes back to the running sampler, the caption still
//    names it, and a banner says why.
//  - refusedModelAndScheduleRevert: the Model and Noise schedule docks show
//    the running values after a refusal, with a banner.
//  - extremeSamplerValues: every Sampler dock spin box at its minimum and its
//    maximum: a message or a run, never a crash; the particles stay finite.
//  - workerExceptionIsReported: a non-InputError thrown inside a worker's
//    posted call is reported and the worker goes on.
//  - guiExceptionIsCaught: an exception escaping a GUI-thread timer reaches
//    Application::notify and is shown, not fatal.
// Runs under its own main with ss::window::Application, as the program does.
// With SCORESCOPE_SHOT_DIR set (and a real display: xvfb-run, QT_QPA_PLATFORM=xcb)
// each case saves the window as it is checked, to look at.
#include "AppTestSupport.h"
#include "window/Application.h"
#include "window/LecturePresets.h"
#include "core/SamplerDefaults.h"

#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>

#include <stdexcept>

using namespace ss;
using namespace ss::window;
using apptest::eventually;

namespace {

void shot(QWidget& w, const QString& name)
{
    const QString dir = qEnvironmentVariable("SCORESCOPE_SHOT_DIR");
    if (!dir.isEmpty()) w.grab().save(QDir(dir).filePath(name + ".png"));
}

// Shown only to be looked at (offscreen, showing a GL widget crashes Qt 6.4's
// backing-store flush); nothing here needs the window on screen.
void present(QWidget& w)
{
    if (qEnvironmentVariableIsSet("SCORESCOPE_SHOT_DIR")) w.show();
}

// As a user does: select the field, type, press Enter.
void typeInto(QDoubleSpinBox* box, const QString& text)
{
    box->setFocus();
    box->selectAll();
    QTest::keyClicks(box, text);
    QTest::keyClick(box, Qt::Key_Return);
}

void chooseSampler(MainWindow& w, SamplerKind kind)
{
    auto* c = w.samplerPanel()->findChild<QComboBox*>("samplerKind");
    c->setCurrentIndex(c->findData(int(kind)));
}

// Sets the step size to 99999 and checks the run stops diverged, finite, with
// the banner and caption saying so; returns the divergence.
Divergence expectDivergence(MainWindow& w)
{
    auto* step = w.samplerPanel()->findChild<QDoubleSpinBox*>("stepSize");
    typeInto(step, "99999");
    const double eta = step->value();
    if (!eventually([&] { return w.sampling()->latest()->divergence.has_value(); }, 30000)) {
        const app::ParticlesPtr p = w.sampling()->latest();
        qInfo("no divergence: %s, eta %g, step %d of %d, run %d, playing %d, done %d, status '%s'",
              samplerKindName(p->setup.sampler.kind).c_str(), p->setup.sampler.stepSize, p->step, p->totalSteps,
              p->run, int(p->playing), int(p->done), qPrintable(w.statusBar()->currentMessage()));
        QTest::qFail("the run did not diverge (or it was not noticed)", __FILE__, __LINE__);
        return {};
    }
    const app::ParticlesPtr p = w.sampling()->latest();
    QTest::qWait(600); // the window keeps serving events: the mode-weights caption (the old crash) runs
    const app::ParticlesPtr later = w.sampling()->latest();
    const Divergence d = *later->divergence;
    [&] {
        QVERIFY(p->particles.allFinite());
        QVERIFY(!later->playing);                            // stopped, not looping into the next run
        QCOMPARE(later->particles, p->particles);            // the last finite state stays on screen
        QCOMPARE(later->setup.sampler.stepSize, eta);
        QVERIFY2(d.stepSize >= eta, qPrintable(QString::number(d.stepSize))); // annealed: alpha_l >= eps
        QVERIFY(d.stableLimit > 0 && d.stepSize > d.stableLimit);
        const QString banner = w.scene()->banner();
        QVERIFY2(banner.contains(QString("diverged at step %1").arg(d.step)), qPrintable(banner));
        QVERIFY2(banner.contains(QString::fromUtf8("is above the stable limit ≈ %1").arg(d.stableLimit, 0, 'g', 3)),
                 qPrintable(banner));
        QVERIFY2(w.scene()->caption().contains(QString("diverged at step %1").arg(d.step)),
                 qPrintable(w.scene()->caption()));
        QVERIFY2(w.statusBar()->currentMessage().contains("diverged"), qPrintable(w.statusBar()->currentMessage()));
    }();
    qInfo("banner: %s", qPrintable(w.scene()->banner()));
    shot(w, QStringLiteral("diverged-%1").arg(QString::fromStdString(samplerKindName(d.kind))));
    return d;
}

} // namespace

class TestAppRobust : public QObject {
    Q_OBJECT
private slots:
    void stepSize99999();
    void probabilityFlowLectureThenLangevin();
    void refusedSamplerReverts();
    void refusedModelAndScheduleRevert();
    void extremeSamplerValues();
    void workerExceptionIsReported();
    void guiExceptionIsCaught();
};

void TestAppRobust::stepSize99999()
{
    MainWindow w(apptest::smallScene(), false);
    present(w);
    w.startAll();
    QVERIFY(eventually([&] { return w.sampling()->latest()->step > 3; }));
    const Divergence d = expectDivergence(w);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(d.kind, SamplerKind::AnnealedLangevin);
    QCOMPARE(d.stableLimit, langevinStepLimit(d.level.marginal.std));
    // The banner stays while the diverged run is shown (past the timed banner's 6 s).
    QTest::qWait(view::SceneView::kBannerMs + 500);
    QVERIFY(w.scene()->banner().contains("diverged"));
    // Reset starts a fresh run: the standing banner goes.
    w.samplerPanel()->findChild<QDoubleSpinBox*>("stepSize")->setValue(5e-4);
    emit w.samplerPanel()->findChild<QDoubleSpinBox*>("stepSize")->editingFinished();
    QVERIFY(eventually([&] { return !w.sampling()->latest()->divergence && w.scene()->banner().isEmpty(); }));
    QVERIFY(!w.scene()->caption().contains("diverged"));
}

void TestAppRobust::probabilityFlowLectureThenLangevin()
{
    const std::vector<LecturePreset> presets = lecturePresets();
    const LecturePreset* ode = nullptr;
    for (const LecturePreset& p : presets)
        if (p.title == "Probability-flow ODE") ode = &p;
    QVERIFY(ode);
    SceneSetup scene = ode->scene;
    scene.training.model.hidden = {32, 32}; // the sampler runs on the exact score; a small model trains alongside
    MainWindow w(apptest::smallScene(), false);
    present(w);
    QVERIFY(w.startScene(scene, ode->layers, ode->scrubber));
    QVERIFY(eventually([&] { return w.sampling()->latest()->step > 2; }));
    QVERIFY(w.scene()->caption().contains("ode (exact score)"));
    chooseSampler(w, SamplerKind::Langevin);
    QVERIFY(eventually([&] { return w.sampling()->latest()->setup.sampler.kind == SamplerKind::Langevin; }));
    Divergence d = expectDivergence(w);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(d.kind, SamplerKind::Langevin);
    // Langevin starts at the schedule's smallest sigma (the defaults' rule), so
    // the limit is that level's 4 sigma^2, not the clean data's narrowest mode.
    QVERIFY(d.level.marginal.std > 0);
    QCOMPARE(d.stableLimit, langevinStepLimit(d.level.marginal.std));

    // The same scene saved and reopened, then Langevin with the exact score again.
    QTemporaryDir dir;
    const QString file = dir.filePath("ode.scorescope");
    chooseSampler(w, SamplerKind::ProbabilityFlow);
    QVERIFY(eventually([&] { return w.sampling()->latest()->setup.sampler.kind == SamplerKind::ProbabilityFlow; }));
    w.saveScene(file);
    QVERIFY(eventually([&] { return w.sceneFile().endsWith("ode.scorescope"); }, 20000));
    MainWindow reopened(apptest::smallScene(), false);
    present(reopened);
    QVERIFY(reopened.openScene(file));
    auto* source = reopened.samplerPanel()->findChild<QComboBox*>("scoreSource");
    QCOMPARE(app::SourceKind(source->currentData().toInt()), app::SourceKind::Exact);
    chooseSampler(reopened, SamplerKind::Langevin);
    QVERIFY(eventually([&] { return reopened.sampling()->latest()->setup.sampler.kind == SamplerKind::Langevin; }));
    d = expectDivergence(reopened);
    if (QTest::currentTestFailed()) return;
    QCOMPARE(d.kind, SamplerKind::Langevin);
}

void TestAppRobust::refusedSamplerReverts()
{
    MainWindow w(apptest::smallScene(), false);
    present(w);
    w.startAll();
    QVERIFY(eventually([&] { return w.sampling()->latest()->step > 3; }));
    QVERIFY(w.scene()->caption().contains("annealed"));
    auto* kind = w.samplerPanel()->findChild<QComboBox*>("samplerKind");
    chooseSampler(w, SamplerKind::Ddpm);
    // Refused by the worker: the dock comes back to the sampler that runs.
    QVERIFY(eventually([&] { return SamplerKind(kind->currentData().toInt()) == SamplerKind::AnnealedLangevin; }));
    QCOMPARE(w.sampling()->latest()->setup.sampler.kind, SamplerKind::AnnealedLangevin);
    const QString banner = w.scene()->banner();
    QVERIFY2(banner.contains("ddpm needs a discrete DDPM schedule") &&
                 banner.contains("still running: annealed (learned score)"),
             qPrintable(banner));
    QVERIFY2(w.statusBar()->currentMessage().contains("ddpm needs"), qPrintable(w.statusBar()->currentMessage()));
    // The caption never named the refused sampler, and still names the running one.
    for (int i = 0; i < 20; ++i) {
        QVERIFY2(!w.scene()->caption().contains("ddpm"), qPrintable(w.scene()->caption()));
        QTest::qWait(20);
    }
    QVERIFY2(w.scene()->caption().contains("annealed (learned score)"), qPrintable(w.scene()->caption()));
    shot(w, "refused-ddpm");
    // A later restart (new data) does not re-request the refused sampler.
    QTest::mouseClick(w.dataPanel()->findChild<QPushButton*>("applyData"), Qt::LeftButton);
    QTest::qWait(300);
    QCOMPARE(w.sampling()->latest()->setup.sampler.kind, SamplerKind::AnnealedLangevin);
    QVERIFY(!w.statusBar()->currentMessage().contains("ddpm needs"));
}

void TestAppRobust::refusedModelAndScheduleRevert()
{
    MainWindow w(apptest::smallScene(), false);
    present(w);
    auto* model = w.modelPanel();
    auto* objective = model->findChild<QComboBox*>("objective");
    objective->setCurrentIndex(objective->findData(int(ObjectiveKind::Ism)));
    model->findChild<QDoubleSpinBox*>("objectiveSigma")->setValue(0.0); // clean data needs the score output
    QTest::mouseClick(model->findChild<QPushButton*>("applyModel"), Qt::LeftButton);
    QVERIFY(w.statusBar()->currentMessage().contains("refused"));
    QVERIFY2(w.scene()->banner().contains("model refused"), qPrintable(w.scene()->banner()));
    QCOMPARE(ObjectiveKind(objective->currentData().toInt()), ObjectiveKind::Ncsn); // the running objective

    auto* schedule = w.schedulePanel();
    auto* sigmaMin = schedule->findChild<QDoubleSpinBox*>("sigmaMin");
    const double running = sigmaMin->value();
    sigmaMin->setValue(8.0); // above sigma_max
    QTest::mouseClick(schedule->findChild<QPushButton*>("applySchedule"), Qt::LeftButton);
    QVERIFY(w.statusBar()->currentMessage().contains("refused"));
    QVERIFY2(w.scene()->banner().contains("schedule refused"), qPrintable(w.scene()->banner()));
    QCOMPARE(sigmaMin->value(), running);
}

void TestAppRobust::extremeSamplerValues()
{
    MainWindow w(apptest::smallScene(), false);
    present(w);
    w.startAll();
    const auto check = [&](const QString& what) {
        QTest::qWait(250);
        const app::ParticlesPtr p = w.sampling()->latest();
        QVERIFY2(p->particles.allFinite(), qPrintable(what));
    };
    for (QSpinBox* box : w.samplerPanel()->findChildren<QSpinBox*>()) {
        const int keep = box->value();
        for (int v : {box->maximum(), box->minimum()}) {
            box->setValue(v);
            emit box->editingFinished();
            check(box->objectName() + " = " + QString::number(v));
        }
        box->setValue(keep);
        emit box->editingFinished();
    }
    for (QDoubleSpinBox* box : w.samplerPanel()->findChildren<QDoubleSpinBox*>()) {
        const double keep = box->value();
        for (double v : {box->maximum(), box->minimum()}) {
            box->setValue(v);
            emit box->editingFinished();
            check(box->objectName() + " = " + QString::number(v));
        }
        box->setValue(keep);
        emit box->editingFinished();
    }
    // Still sampling with the settings it started with.
    QVERIFY(eventually([&] { return !w.sampling()->latest()->divergence && w.sampling()->latest()->playing; }));
    const int step = w.sampling()->latest()->step;
    QVERIFY(eventually([&] { return w.sampling()->latest()->step != step; }));
}

void TestAppRobust::workerExceptionIsReported()
{
    MainWindow w(apptest::smallScene(), false);
    present(w);
    w.startAll();
    QSignalSpy messages(w.sampling(), &app::SamplingWorker::message);
    w.sampling()->postCall([] { throw std::runtime_error("injected fault"); });
    QTRY_VERIFY_WITH_TIMEOUT(!messages.isEmpty(), 5000);
    QCOMPARE(messages.at(0).at(0).toString(), QString("internal error: injected fault"));
    QVERIFY(messages.at(0).at(1).toBool());
    QVERIFY(eventually([&] { return w.scene()->banner().contains("injected fault"); })); // queued to the window
    const int step = w.sampling()->latest()->step;
    QVERIFY(eventually([&] { return w.sampling()->latest()->step != step; })); // still sampling

    QSignalSpy training(w.training(), &app::TrainingWorker::message);
    w.training()->postLearningRate(-1); // an InputError still reads as itself
    QTRY_VERIFY_WITH_TIMEOUT(!training.isEmpty(), 5000);
    QVERIFY(!training.at(0).at(0).toString().startsWith("internal error"));
}

void TestAppRobust::guiExceptionIsCaught()
{
    QVERIFY(Application::instance());
    MainWindow w(apptest::smallScene(), false);
    present(w);
    QSignalSpy caught(Application::instance(), &Application::uncaughtException);
    QTimer::singleShot(0, &w, [] { throw std::logic_error("thrown in a GUI timer"); });
    QTRY_VERIFY_WITH_TIMEOUT(!caught.isEmpty(), 5000);
    QCOMPARE(caught.at(0).at(0).toString(), QString("internal error: thrown in a GUI timer"));
    QVERIFY(eventually([&] { return w.scene()->banner().contains("thrown in a GUI timer"); }));
    QVERIFY(w.statusBar()->currentMessage().contains("thrown in a GUI timer"));
}

int main(int argc, char** argv)
{
    Application app(argc, argv);
    TestAppRobust test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_app_robust.moc"

// The window's defaults follow the rules of core/SamplerDefaults (offscreen,
// no GL): the Sampler dock derives its step size and Langevin noise level from
// the schedule until the user types one, the Noise schedule dock's
// diagnostics quote the same eps, and a DDPM-linear schedule shows its own
// beta_1 / beta_T in the greyed fields. The schedule's sigma_max follows the
// data (core/ScheduleDefaults) while it is the derived one; lecture presets
// and hand-set schedules keep theirs.
#include "AppTestSupport.h"
#include "window/EditChanges.h" // sameSchedule
#include "window/MainWindow.h"
#include "core/Sampler.h"
#include "core/SamplerDefaults.h"
#include "core/ScheduleDefaults.h"
#include "window/LecturePresets.h"
#include "window/SamplerPanel.h"
#include "window/SchedulePanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QStatusBar>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include "core/Presets.h"
#include "core/ScoreSource.h"

using namespace ss;
using namespace ss::window;

namespace {
QString g3(double v) { return QString::number(v, 'g', 3); }

// The Data dock's Apply on a preset (its own point count and seed).
void pickPreset(MainWindow& w, const char* id)
{
    auto* preset = w.dataPanel()->findChild<QComboBox*>("preset");
    preset->setCurrentIndex(preset->findData(id));
    QTest::mouseClick(w.dataPanel()->findChild<QPushButton*>("applyData"), Qt::LeftButton);
}

// What the rule gives for the data the window now runs on.
double ruleNow(const MainWindow& w)
{
    const app::SceneSetup& s = w.controller()->setup();
    return derivedSigmaMax(dataDiameter(*s.training.data), s.training.schedule.sigmaMin());
}

double shownSigmaMax(const MainWindow& w)
{
    return w.schedulePanel()->findChild<QDoubleSpinBox*>("sigmaMax")->value();
}

} // namespace

class TestAppDefaults : public QObject {
    Q_OBJECT
private slots:
    void samplerStepFollowsSchedule();
    void samplerStepFollowsData();
    void ddimEncodingReachesT();
    void typedStepIsKept();
    void langevinStartsAtTheModelsSigma();
    void scheduleDiagnosticsUseTheSamplersRule();
    void ddpmBetasShown();
    void scheduleFollowsData();
    void lectureScheduleIsKept();
    void handSetScheduleIsKept();
    void drawnDataMovesScheduleOnlyFar();
};

void TestAppDefaults::samplerStepFollowsSchedule()
{
    // The default scene's eps is the rule's; a new schedule (sigma_min 0.05 ->
    // 0.01) moves it with the schedule and re-posts the sampler.
    const SceneSetup scene = defaultScene();
    SamplerPanel panel;
    panel.setContext(scene.sampling.schedule, scene.sampling.data, 0);
    panel.showSetup(scene.sampling);
    auto* step = panel.findChild<QDoubleSpinBox*>("stepSize");
    const int perLevel = scene.sampling.sampler.stepsPerLevel, levels = scene.sampling.sampler.annealedLevels;
    const double v = dataCurvatureVariance(scene.sampling.data.get()); // 8 Gaussians: 0.1^2
    QCOMPARE(v, 0.01);
    QVERIFY(std::abs(step->value() - annealedEpsilon(scene.sampling.schedule, perLevel, levels, v)) < 1e-9);
    QSignalSpy changed(&panel, &SamplerPanel::settingsChanged);
    const NoiseSchedule sharper = NoiseSchedule::geometric(0.01, 4, 10);
    panel.setContext(sharper, scene.sampling.data, 0);
    QCOMPARE(changed.count(), 1);
    QVERIFY(std::abs(step->value() - annealedEpsilon(sharper, perLevel, levels, v)) < 1e-9);
    QVERIFY(std::abs(panel.apply(scene.sampling).sampler.stepSize - step->value()) < 1e-12);
    // More steps per level: a smaller relative step suffices.
    auto* perLevelBox = panel.findChild<QSpinBox*>("stepsPerLevel");
    perLevelBox->setValue(200);
    emit perLevelBox->editingFinished();
    QVERIFY(std::abs(step->value() - annealedEpsilon(sharper, 200, levels, v)) < 1e-9);
    // The hint beside the field says what the rule gives.
    QVERIFY(panel.findChild<QLabel*>("derivedStep")->text().contains(g3(step->value())));
}

void TestAppDefaults::samplerStepFollowsData()
{
    // A new data set in the window moves the derived eps with the data's mode
    // variance (8 Gaussians: 0.1^2, where a is at its cap 1/2; a narrower
    // mixture: smaller, like a point's) and the schedule it re-derives, and
    // the sampler runs with it.
    SceneSetup scene = defaultScene();
    scene.training.model.hidden = {16};
    MainWindow w(scene, false);
    auto* step = w.samplerPanel()->findChild<QDoubleSpinBox*>("stepSize");
    const int perLevel = scene.sampling.sampler.stepsPerLevel, levels = scene.sampling.sampler.annealedLevels;
    QVERIFY(std::abs(step->value() - annealedEpsilon(scene.sampling.schedule, perLevel, levels, 0.01)) < 1e-9);
    Dataset narrow = makePreset("8gaussians", 500, 3, {{"std", 0.02}});
    QVERIFY(std::abs(dataCurvatureVariance(&narrow) - 0.0004) < 1e-12);
    emit w.dataPanel()->dataChanged(std::make_shared<const Dataset>(std::move(narrow)), "narrow");
    const NoiseSchedule& schedule = w.controller()->setup().sampling.schedule;
    const double expected = annealedEpsilon(schedule, perLevel, levels, 0.0004);
    QVERIFY(std::abs(expected - scene.sampling.sampler.stepSize) > 1e-3 * expected);
    QVERIFY2(std::abs(step->value() - expected) < 1e-9, qPrintable(QString::number(step->value())));
    QVERIFY(apptest::eventually([&] {
        return std::abs(w.sampling()->latest()->setup.sampler.stepSize - expected) < 1e-9; // the box's 9 decimals
    }));
}

void TestAppDefaults::ddimEncodingReachesT()
{
    // DDIM set to encode switches an untouched Uniform spacing to Trailing (its
    // last step reaches T) with one settings change; back to sampling, Uniform
    // again; a spacing the user chose stays whatever the direction.
    SceneSetup scene = defaultScene();
    scene.sampling.sampler.kind = SamplerKind::Ddim;
    SamplerPanel panel;
    panel.showSetup(scene.sampling);
    auto* direction = panel.findChild<QComboBox*>("direction");
    auto* spacing = panel.findChild<QComboBox*>("ddimSpacing");
    QSignalSpy changed(&panel, &SamplerPanel::settingsChanged);
    direction->setCurrentIndex(direction->findData(int(Direction::DataToNoise)));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(panel.apply(scene.sampling).sampler.spacing, DdimSpacing::Trailing);
    direction->setCurrentIndex(direction->findData(int(Direction::NoiseToData)));
    QCOMPARE(panel.apply(scene.sampling).sampler.spacing, DdimSpacing::Uniform);
    spacing->setCurrentIndex(spacing->findData(int(DdimSpacing::Quadratic)));
    direction->setCurrentIndex(direction->findData(int(Direction::DataToNoise)));
    QCOMPARE(panel.apply(scene.sampling).sampler.spacing, DdimSpacing::Quadratic);
    QCOMPARE(defaultDdimSpacing(Direction::DataToNoise), DdimSpacing::Trailing);
}

void TestAppDefaults::typedStepIsKept()
{
    // Lecture 1 runs plain Langevin at the typed step 0.1 on the clean score:
    // neither a new schedule nor a sampler switch may replace a typed value.
    const SceneSetup scene = defaultScene();
    SamplerPanel panel;
    panel.showSetup(scene.sampling);
    auto* step = panel.findChild<QDoubleSpinBox*>("stepSize");
    step->setValue(0.1);
    emit step->editingFinished();
    panel.setContext(NoiseSchedule::geometric(0.01, 4, 10), scene.sampling.data, 0);
    QCOMPARE(step->value(), 0.1);
    auto* kind = panel.findChild<QComboBox*>("samplerKind");
    kind->setCurrentIndex(kind->findData(int(SamplerKind::Langevin)));
    QCOMPARE(step->value(), 0.1);
}

void TestAppDefaults::langevinStartsAtTheModelsSigma()
{
    // The issue: from the default scene, Langevin with the learned score
    // errored out because "Score at sigma" started at 0. Switching now sets
    // the schedule's smallest sigma (NCSN) or a single-sigma model's own, and
    // eta from the Langevin rule; the sampler accepts the learned score there.
    const SceneSetup scene = defaultScene();
    SamplerPanel panel;
    panel.setContext(scene.sampling.schedule, scene.sampling.data, 0);
    panel.showSetup(scene.sampling);
    auto* kind = panel.findChild<QComboBox*>("samplerKind");
    kind->setCurrentIndex(kind->findData(int(SamplerKind::Langevin)));
    SamplerConfig c = panel.apply(scene.sampling).sampler;
    QCOMPARE(c.langevinStd, smallestStd(scene.sampling.schedule));
    const double variance = dataCurvatureVariance(scene.sampling.data.get());
    QVERIFY(std::abs(c.stepSize - langevinStep(scene.sampling.schedule, c.langevinStd, c.steps, variance)) < 1e-9);
    ModelConfig model; // the default scene's NCSN network: not defined on clean data
    auto learned = std::make_shared<NetworkScoreSource>(ScoreNet(model));
    QVERIFY(learned->minimumStd() > 0);
    Sampler sampler(c, scene.sampling.schedule, learned, 1); // throws if the level were 0
    QCOMPARE(sampler.level().marginal.std, c.langevinStd);
    // A single-sigma model (DSM at 0.2): its own sigma.
    panel.setContext(scene.sampling.schedule, scene.sampling.data, 0.2);
    QCOMPARE(panel.apply(scene.sampling).sampler.langevinStd, 0.2);
}

void TestAppDefaults::scheduleDiagnosticsUseTheSamplersRule()
{
    // The issue: the diagnostics quoted eps = 2e-5 while the sampler used
    // another value. Now the line gives the rule's eps for the sampler's steps
    // per level, and the sampler's own eps when it differs.
    SchedulePanel panel;
    const NoiseSchedule s = NoiseSchedule::geometric(0.05, 4, 10);
    panel.showSchedule(s);
    SamplerConfig c;
    c.stepsPerLevel = 40;
    c.stepSize = annealedEpsilon(s, 40, c.annealedLevels);
    panel.setSampler(c);
    QVERIFY2(panel.diagnostics().contains("ε = " + g3(c.stepSize)), qPrintable(panel.diagnostics()));
    QVERIFY(!panel.diagnostics().contains("2e-5"));
    QVERIFY(!panel.diagnostics().contains("runs with"));
    c.stepSize = 0.05; // typed: a = 20, above the stable 4
    panel.setSampler(c);
    QVERIFY2(panel.diagnostics().contains("runs with ε = 0.05"), qPrintable(panel.diagnostics()));
    QVERIFY(panel.diagnostics().contains("⚠"));
}

void TestAppDefaults::ddpmBetasShown()
{
    // Lecture 3's schedule: T = 200, beta from 5e-4 to 0.1, not rescaled. The
    // greyed fields showed the VP defaults 0.1 / 20.
    SchedulePanel panel;
    panel.showSchedule(NoiseSchedule::ddpmLinear(200, 5e-4, 0.1, false));
    QCOMPARE(panel.findChild<QDoubleSpinBox*>("betaMin")->value(), 5e-4);
    QCOMPARE(panel.findChild<QDoubleSpinBox*>("betaMax")->value(), 0.1);
    QVERIFY(!panel.findChild<QDoubleSpinBox*>("betaMin")->isEnabled());
    // Rescaled (the default for T != 1000): the betas the schedule really uses.
    const NoiseSchedule r = NoiseSchedule::ddpmLinear(500);
    panel.showSchedule(r);
    QCOMPARE(panel.findChild<QDoubleSpinBox*>("betaMin")->value(), std::round(r.betas()[1] * 1e5) / 1e5);
    QCOMPARE(panel.findChild<QDoubleSpinBox*>("betaMax")->value(), std::round(r.betas().back() * 100) / 100);
}

void TestAppDefaults::scheduleFollowsData()
{
    // The issue: picking rings (diameter ~7.5) kept the default sigma_max 4,
    // too small to cover the data, and the learned score blurred the middle.
    // The default scene's sigma_max is the rule's; a picked preset re-derives
    // it (kind, sigma_min and levels kept), every worker and both docks get
    // it, and the status bar says what moved.
    SceneSetup scene = apptest::smallScene();
    MainWindow w(scene, false);
    QCOMPARE(scene.training.schedule.sigmaMax(),
             derivedSigmaMax(dataDiameter(*scene.training.data), scene.training.schedule.sigmaMin()));
    pickPreset(w, "rings");
    QCOMPARE(w.controller()->setup().training.data->name, std::string("rings"));
    const NoiseSchedule& s = w.controller()->setup().training.schedule;
    const double rings = ruleNow(w);
    QVERIFY2(rings > 7, qPrintable(QString::number(rings)));
    QCOMPARE(s.sigmaMax(), rings);
    QCOMPARE(s.kind(), ScheduleKind::Geometric);
    QCOMPARE(s.sigmaMin(), scene.training.schedule.sigmaMin());
    QCOMPARE(s.numLevels(), scene.training.schedule.numLevels());
    QCOMPARE(w.controller()->setup().sampling.schedule.sigmaMax(), rings);
    QCOMPARE(shownSigmaMax(w), std::round(rings * 1000) / 1000);
    QVERIFY2(w.schedulePanel()->diagnostics().contains("σ max = " + g3(rings)), qPrintable(w.schedulePanel()->diagnostics()));
    QVERIFY2(w.statusBar()->currentMessage().contains("σ max"), qPrintable(w.statusBar()->currentMessage()));
    QVERIFY(apptest::eventually([&] { return w.training()->latest()->schedule.sigmaMax() == rings; }));
    QVERIFY(apptest::eventually([&] { return w.sampling()->latest()->setup.schedule.sigmaMax() == rings; }));
    // The derived eps follows the new schedule and the rings' data.
    const SamplerConfig& c = w.controller()->setup().sampling.sampler;
    const double eps = annealedEpsilon(s, c.stepsPerLevel, c.annealedLevels,
                                       dataCurvatureVariance(w.controller()->setup().training.data.get()));
    QVERIFY(apptest::eventually([&] { return std::abs(w.sampling()->latest()->setup.sampler.stepSize - eps) < 1e-9; }));
    // Still derived: back to 8 Gaussians, back to its value.
    pickPreset(w, "8gaussians");
    QCOMPARE(w.controller()->setup().training.schedule.sigmaMax(), ruleNow(w));
    QVERIFY(ruleNow(w) < 5);
}

void TestAppDefaults::lectureScheduleIsKept()
{
    // A lecture carries its own schedule: it runs exactly that one, and a
    // data set picked afterwards keeps it ("sigma too small" would lose its
    // point), saying what the rule would give. DDPM and VP schedules have no
    // sigma_max to derive.
    MainWindow w(apptest::smallScene(), false);
    for (LecturePreset p : lecturePresets()) {
        p.scene.training.model.hidden = {16};
        p.scene.sampling.sampler.particles = 100;
        QVERIFY(w.startScene(p.scene, p.layers, p.scrubber));
        QVERIFY2(sameSchedule(w.controller()->setup().training.schedule, p.scene.training.schedule), qPrintable(p.title));
        QVERIFY(apptest::eventually(
            [&] { return sameSchedule(w.training()->latest()->schedule, p.scene.training.schedule); }));
        if (p.scene.training.schedule.isVarianceExploding())
            QCOMPARE(shownSigmaMax(w), std::round(p.scene.training.schedule.sigmaMax() * 1000) / 1000);
        pickPreset(w, "rings");
        QVERIFY2(sameSchedule(w.controller()->setup().training.schedule, p.scene.training.schedule), qPrintable(p.title));
    }
    const LecturePreset tooSmall = lecturePresets()[1];
    QCOMPARE(tooSmall.scene.training.schedule.sigmaMax(), 0.3);
    QVERIFY(w.startScene(tooSmall.scene, tooSmall.layers, tooSmall.scrubber));
    pickPreset(w, "rings");
    QCOMPARE(w.controller()->setup().training.schedule.sigmaMax(), 0.3);
    QVERIFY2(w.statusBar()->currentMessage().contains("σ max 0.3 kept as set"), qPrintable(w.statusBar()->currentMessage()));
    QCOMPARE(shownSigmaMax(w), 0.3);
}

void TestAppDefaults::handSetScheduleIsKept()
{
    // A sigma_max typed in the Noise schedule dock is the user's: a new data
    // set keeps it. Typing the rule's value back (as the dock shows it, three
    // decimals) makes it follow again; re-applying after another edit (the
    // number of levels) keeps a derived sigma_max derived.
    MainWindow w(apptest::smallScene(), false);
    auto* panel = w.schedulePanel();
    auto* apply = panel->findChild<QPushButton*>("applySchedule");
    panel->findChild<QDoubleSpinBox*>("sigmaMax")->setValue(6.0);
    QTest::mouseClick(apply, Qt::LeftButton);
    QCOMPARE(w.controller()->setup().training.schedule.sigmaMax(), 6.0);
    pickPreset(w, "rings");
    QCOMPARE(w.controller()->setup().training.schedule.sigmaMax(), 6.0);
    QCOMPARE(shownSigmaMax(w), 6.0);
    QVERIFY2(w.statusBar()->currentMessage().contains("kept as set"), qPrintable(w.statusBar()->currentMessage()));
    // Typed back to the rule's value for 8 Gaussians, it follows again.
    pickPreset(w, "8gaussians");
    panel->findChild<QDoubleSpinBox*>("sigmaMax")->setValue(ruleNow(w)); // rounded by the dock
    QTest::mouseClick(apply, Qt::LeftButton);
    panel->findChild<QSpinBox*>("levels")->setValue(12);
    QTest::mouseClick(apply, Qt::LeftButton);
    QCOMPARE(w.controller()->setup().training.schedule.numLevels(), 12);
    pickPreset(w, "rings");
    QCOMPARE(w.controller()->setup().training.schedule.sigmaMax(), ruleNow(w));
    QCOMPARE(w.controller()->setup().training.schedule.numLevels(), 12);
}

void TestAppDefaults::drawnDataMovesScheduleOnlyFar()
{
    // Drawn data: not during a stroke, and at its end only when the rule's
    // sigma_max moved by more than a quarter (a stroke near the data leaves
    // the levels alone while the lecturer draws).
    MainWindow w(apptest::smallScene(), false);
    app::SceneController* c = w.controller();
    const double before = c->setup().training.schedule.sigmaMax();
    auto drawn = [](double radius) {
        auto d = std::make_shared<Dataset>(makePreset("8gaussians", 300, 5, {{"radius", radius}}));
        d->name = "drawn";
        d->mixture.reset();
        return std::shared_ptr<const Dataset>(std::move(d));
    };
    c->setDrawnPoints(drawn(2.2), true); // diameter ~10% larger
    QCOMPARE(c->setup().training.schedule.sigmaMax(), before);
    c->setDrawnPoints(drawn(4.0), false); // twice as wide, mid-stroke
    QTest::qWait(2 * app::SceneController::kDrawFlushMs);
    QCOMPARE(c->setup().training.schedule.sigmaMax(), before);
    c->setDrawnPoints(drawn(4.0), true); // and at the stroke's end
    QCOMPARE(c->setup().training.schedule.sigmaMax(), ruleNow(w));
    QVERIFY(ruleNow(w) > 1.6 * before);
    QCOMPARE(shownSigmaMax(w), std::round(ruleNow(w) * 1000) / 1000);
}

QTEST_MAIN(TestAppDefaults)
#include "tst_app_defaults.moc"

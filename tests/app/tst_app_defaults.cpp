// The window's defaults follow the rules of core/SamplerDefaults (offscreen,
// no GL): the Sampler dock derives its step size and Langevin noise level from
// the schedule until the user types one, the Noise schedule dock's
// diagnostics quote the same eps, and a DDPM-linear schedule shows its own
// beta_1 / beta_T in the greyed fields.
#include "AppTestSupport.h"
#include "window/MainWindow.h"
#include "core/Sampler.h"
#include "core/SamplerDefaults.h"
#include "window/SamplerPanel.h"
#include "window/SchedulePanel.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include "core/Presets.h"
#include "core/ScoreSource.h"

using namespace ss;
using namespace ss::window;

namespace {
QString g3(double v) { return QString::number(v, 'g', 3); }
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
    // variance (8 Gaussians: 0.1^2; a wider mixture: larger), and the sampler
    // runs with it.
    SceneSetup scene = defaultScene();
    scene.training.model.hidden = {16};
    MainWindow w(scene, false);
    auto* step = w.samplerPanel()->findChild<QDoubleSpinBox*>("stepSize");
    const int perLevel = scene.sampling.sampler.stepsPerLevel, levels = scene.sampling.sampler.annealedLevels;
    QVERIFY(std::abs(step->value() - annealedEpsilon(scene.sampling.schedule, perLevel, levels, 0.01)) < 1e-9);
    Dataset wide = makePreset("8gaussians", 500, 3, {{"std", 0.3}});
    QVERIFY(std::abs(dataCurvatureVariance(&wide) - 0.09) < 1e-12);
    emit w.dataPanel()->dataChanged(std::make_shared<const Dataset>(std::move(wide)), "wide");
    const double expected = annealedEpsilon(scene.sampling.schedule, perLevel, levels, 0.09);
    QVERIFY(std::abs(expected - scene.sampling.sampler.stepSize) > 1e-3 * expected);
    QVERIFY2(std::abs(step->value() - expected) < 1e-9, qPrintable(QString::number(step->value())));
    QVERIFY(apptest::eventually([&] {
        return std::abs(w.sampling()->latest()->setup.sampler.stepSize - expected) < 1e-12;
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

QTEST_MAIN(TestAppDefaults)
#include "tst_app_defaults.moc"

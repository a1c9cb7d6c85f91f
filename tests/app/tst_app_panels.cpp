// The docks change what they claim to (offscreen, no GL): the Training panel's
// controls emit the requests and values the window routes to the worker, the
// Sampler panel builds the setup it shows, the Layers panel toggles layers, and
// the scrubber maps its slider to the schedule's levels.
#include "window/DataPanel.h"
#include "window/LayersPanel.h"
#include "window/NoiseScrubber.h"
#include "window/SamplerPanel.h"
#include "window/TrainingPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QtTest>

#include "core/Csv.h"
#include "core/Presets.h"

using namespace ss;
using namespace ss::window;

class TestAppPanels : public QObject {
    Q_OBJECT
private slots:
    void trainingPanel();
    void samplerPanel();
    void samplerOptions();
    void trainingEma();
    void layersPanel();
    void scrubber();
    void dataPanel();
};

void TestAppPanels::trainingPanel()
{
    TrainingPanel panel;
    QSignalSpy start(&panel, &TrainingPanel::startRequested), lr(&panel, &TrainingPanel::learningRateChanged),
        batch(&panel, &TrainingPanel::batchSizeChanged), reset(&panel, &TrainingPanel::resetRequested);
    QTest::mouseClick(panel.findChild<QPushButton*>("start"), Qt::LeftButton);
    QCOMPARE(start.count(), 1);
    QTest::mouseClick(panel.findChild<QPushButton*>("reset"), Qt::LeftButton);
    QCOMPARE(reset.count(), 1);
    panel.findChild<QDoubleSpinBox*>("learningRate")->setValue(3e-4);
    QCOMPARE(lr.count(), 1);
    QCOMPARE(lr.at(0).at(0).toDouble(), 3e-4);
    panel.findChild<QSpinBox*>("batchSize")->setValue(64);
    QCOMPARE(batch.at(0).at(0).toInt(), 64);

    app::TrainingSnapshot s;
    s.schedule = NoiseSchedule::geometric(0.1, 2, 4);
    s.stats.levelLoss = {1, 2, 3, 4};
    for (int step = 1; step <= 5; ++step) {
        s.step = step * 10;
        s.stats.smoothedLoss = 1.0 / step;
        s.stats.stepsPerSecond = 100;
        panel.showSnapshot(s);
    }
    QCOMPARE(panel.historyPoints(), 5);
    QVERIFY(panel.findChild<QLabel*>("trainingStatus")->text().contains("step 50"));
    s.step = 3; // a reset: the history starts again
    panel.showSnapshot(s);
    QCOMPARE(panel.historyPoints(), 1);
    panel.findChild<QCheckBox*>("logScale")->setChecked(false); // rebuilds the axes without losing points
    QCOMPARE(panel.historyPoints(), 1);
}

void TestAppPanels::samplerPanel()
{
    SamplerPanel panel;
    app::SamplingSetup base;
    base.sampler.kind = SamplerKind::AnnealedLangevin;
    base.sampler.particles = 123;
    panel.showSetup(base);
    QSignalSpy changed(&panel, &SamplerPanel::settingsChanged), source(&panel, &SamplerPanel::sourceChanged);
    auto* kind = panel.findChild<QComboBox*>("samplerKind");
    kind->setCurrentIndex(kind->findData(int(SamplerKind::Ddim)));
    QCOMPARE(changed.count(), 1);
    QVERIFY(panel.findChild<QDoubleSpinBox*>("eta")->isEnabled());
    QVERIFY(!panel.findChild<QSpinBox*>("stepsPerLevel")->isEnabled());
    panel.findChild<QDoubleSpinBox*>("eta")->setValue(0.7);
    panel.findChild<QSpinBox*>("particles")->setValue(4321);
    const app::SamplingSetup s = panel.apply(base);
    QCOMPARE(s.sampler.kind, SamplerKind::Ddim);
    QCOMPARE(s.sampler.eta, 0.7);
    QCOMPARE(s.sampler.particles, 4321);
    auto* src = panel.findChild<QComboBox*>("scoreSource");
    src->setCurrentIndex(src->findData(int(app::SourceKind::Exact)));
    QCOMPARE(source.count(), 1);
    QCOMPARE(source.at(0).at(0).value<app::SourceKind>(), app::SourceKind::Exact);
}

void TestAppPanels::samplerOptions()
{
    // Every option reaches the setup; only the chosen sampler's rows show.
    SamplerPanel panel;
    app::SamplingSetup base;
    panel.showSetup(base);
    auto select = [&](const char* name, int value) {
        auto* box = panel.findChild<QComboBox*>(name);
        QVERIFY(box);
        box->setCurrentIndex(box->findData(value));
    };
    select("samplerKind", int(SamplerKind::ProbabilityFlow));
    auto* rtol = panel.findChild<QDoubleSpinBox*>("rtol");
    auto* steps = panel.findChild<QSpinBox*>("timeSteps");
    QVERIFY(rtol->isEnabled() && !steps->isEnabled()); // RK45 is adaptive
    select("odeMethod", int(OdeMethod::Heun));
    QVERIFY(!rtol->isEnabled() && steps->isEnabled());
    select("direction", int(Direction::DataToNoise));
    app::SamplingSetup s = panel.apply(base);
    QCOMPARE(s.sampler.ode, OdeMethod::Heun);
    QCOMPARE(s.sampler.direction, Direction::DataToNoise);
    select("samplerKind", int(SamplerKind::Ddpm));
    QVERIFY(panel.findChild<QComboBox*>("ddpmVariance")->isEnabled());
    QVERIFY(!panel.findChild<QComboBox*>("odeMethod")->isEnabled());
    select("ddpmVariance", int(DdpmVariance::BetaTilde));
    select("samplerKind", int(SamplerKind::Ddim));
    select("ddimSpacing", int(DdimSpacing::Trailing));
    select("samplerKind", int(SamplerKind::PredictorCorrector));
    select("predictor", int(Predictor::ReverseDiffusion));
    select("start", int(StartKind::UniformBox));
    panel.findChild<QSpinBox*>("trailLength")->setValue(30);
    panel.findChild<QCheckBox*>("loop")->setChecked(false);
    s = panel.apply(base);
    QCOMPARE(s.sampler.ddpmVariance, DdpmVariance::BetaTilde);
    QCOMPARE(s.sampler.spacing, DdimSpacing::Trailing);
    QCOMPARE(s.sampler.predictor, Predictor::ReverseDiffusion);
    QCOMPARE(s.sampler.start, StartKind::UniformBox);
    QCOMPARE(s.trailLength, 30);
    QVERIFY(!s.loop);
    // showSetup round-trips the setup without emitting.
    QSignalSpy changed(&panel, &SamplerPanel::settingsChanged);
    SamplerPanel other;
    other.showSetup(s);
    QCOMPARE(other.apply(base).sampler, s.sampler);
    QCOMPARE(changed.count(), 0);
}

void TestAppPanels::trainingEma()
{
    TrainingPanel panel;
    app::TrainingSetup setup;
    setup.optimizer.emaDecay = 0.95;
    setup.optimizer.learningRate = 2e-3;
    setup.trainer.batchSize = 64;
    setup.publishEma = false;
    QSignalSpy decay(&panel, &TrainingPanel::emaDecayChanged), ema(&panel, &TrainingPanel::useEmaChanged),
        lr(&panel, &TrainingPanel::learningRateChanged);
    panel.showSetup(setup); // shows without emitting
    QCOMPARE(panel.emaDecay(), 0.95);
    QCOMPARE(panel.learningRate(), 2e-3);
    QCOMPARE(panel.batchSize(), 64);
    QVERIFY(!panel.useEma());
    QCOMPARE(decay.count() + ema.count() + lr.count(), 0);
    panel.findChild<QDoubleSpinBox*>("emaDecay")->setValue(0.99);
    panel.findChild<QCheckBox*>("useEma")->setChecked(true);
    QCOMPARE(decay.count(), 1);
    QCOMPARE(decay.at(0).at(0).toDouble(), 0.99);
    QCOMPARE(ema.count(), 1);
    QVERIFY(ema.at(0).at(0).toBool());
}

void TestAppPanels::layersPanel()
{
    LayersPanel panel{view::LayerSettings{}};
    QSignalSpy spy(&panel, &LayersPanel::layersChanged);
    auto* particles = panel.findChild<QCheckBox*>("layer7");
    QVERIFY(particles->text().contains("Particles"));
    particles->setChecked(false);
    QCOMPARE(spy.count(), 1);
    QVERIFY(!panel.layers().particles.visible);
    panel.findChild<QSlider*>("opacity3")->setValue(25);
    QCOMPARE(panel.layers().density.opacity, 0.25f);
}

void TestAppPanels::scrubber()
{
    NoiseScrubber scrubber;
    const NoiseSchedule levels = NoiseSchedule::geometric(0.1, 10, 5);
    scrubber.setSchedule(levels);
    QSlider* slider = scrubber.slider();
    QCOMPARE(slider->minimum(), 1);
    QCOMPARE(slider->maximum(), 5);
    QSignalSpy spy(&scrubber, &NoiseScrubber::levelChanged);
    slider->setValue(5);
    QCOMPARE(spy.count(), 1);
    QCOMPARE(scrubber.level().marginal.std, 10.0);
    scrubber.setSchedule(NoiseSchedule::vp()); // continuous: t over [t_eps, 1]
    slider->setValue(slider->maximum());
    QCOMPARE(scrubber.level().t, 1.0);
    QVERIFY(scrubber.level().marginal.mean < 0.01);
}

void TestAppPanels::dataPanel()
{
    DataPanel panel;
    panel.showPreset("8gaussians", 2000, 0, std::make_shared<const Dataset>(makePreset("8gaussians", 2000, 0)));
    QVERIFY(panel.findChild<QDoubleSpinBox*>("param_radius")); // the preset's documented parameters
    QSignalSpy changed(&panel, &DataPanel::dataChanged), messages(&panel, &DataPanel::message);
    panel.findChild<QDoubleSpinBox*>("param_radius")->setValue(3.0);
    panel.findChild<QSpinBox*>("pointCount")->setValue(500);
    panel.applyPreset();
    QCOMPARE(changed.count(), 1);
    auto data = changed.at(0).at(0).value<std::shared_ptr<const Dataset>>();
    QCOMPARE(data->size(), 500);
    QVERIFY(std::abs(data->mixture->means().col(0).norm() - 3.0) < 1e-12); // the parameter reached the preset
    // The typed getter reads what Apply built (the scene file's data origin).
    const DataOrigin origin = panel.origin();
    QCOMPARE(origin.preset, std::string("8gaussians"));
    QCOMPARE(origin.count, 500);
    QCOMPARE(origin.seed, std::uint64_t(0));
    QCOMPARE(origin.params.at("radius"), 3.0);
    QCOMPARE(origin.params.size(),
             std::size_t(panel.findChildren<QDoubleSpinBox*>(QRegularExpression("^param_")).size()));

    auto* preset = panel.findChild<QComboBox*>("preset");
    preset->setCurrentIndex(preset->findData("moons"));
    QVERIFY(!panel.findChild<QDoubleSpinBox*>("param_radius")); // moons' own parameters now
    panel.applyPreset();
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.at(1).at(0).value<std::shared_ptr<const Dataset>>()->name, std::string("moons"));

    // CSV: a malformed file is refused with its line, the data set stays; a
    // saved file loads back.
    QTemporaryDir dir;
    QFile bad(dir.filePath("bad.csv"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("1,2\n3,x\n");
    bad.close();
    const auto before = panel.current();
    panel.loadCsvFile(dir.filePath("bad.csv"));
    QCOMPARE(changed.count(), 2);
    QVERIFY(messages.last().at(0).toString().contains("bad.csv:2"));
    QVERIFY(messages.last().at(1).toBool());
    QCOMPARE(panel.current(), before);
    panel.saveCsvFile(dir.filePath("moons.csv"));
    panel.loadCsvFile(dir.filePath("moons.csv"));
    QCOMPARE(changed.count(), 3);
    QCOMPARE(panel.current()->points, before->points);
}

QTEST_MAIN(TestAppPanels)
#include "tst_app_panels.moc"

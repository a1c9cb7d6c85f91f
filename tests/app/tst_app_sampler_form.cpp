// The Sampler dock is driven by its table (SamplerForm.h), offscreen: for every
// sampler kind the rows shown are exactly the table's rows for it (and the
// kind-specific ones are the ones each sampler reads), every row round-trips a
// setup through showSetup and apply, and showing a setup never moves a value.
// A new row needs no change here unless it depends on the kind (then add it to
// kindRows below).
#include "window/SamplerForm.h"
#include "window/SamplerPanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include <cmath>
#include <map>
#include <set>

#include "core/Presets.h"

using namespace ss;
using namespace ss::window;

namespace {
using K = SamplerKind;

void choose(SamplerPanel& panel, const char* name, int value)
{
    auto* box = panel.findChild<QComboBox*>(name);
    QVERIFY(box);
    box->setCurrentIndex(box->findData(value));
}

// A value for the row unlike both a default setup's and the widget's initial one.
double otherValue(const SamplerRow& row)
{
    const double fallback = row.field.get(app::SamplingSetup{});
    const auto unlike = [&](double v) { return v != fallback && v != row.initial; };
    if (row.widget == SamplerRow::Widget::Choice) {
        for (auto it = row.choices.rbegin(); it != row.choices.rend(); ++it)
            if (unlike(it->second)) return it->second;
        return row.choices.back().second; // two choices, the initial one the default's
    }
    if (row.widget == SamplerRow::Widget::Check) return fallback != 0 ? 0 : 1;
    const double scale = row.widget == SamplerRow::Widget::Real ? std::pow(10.0, row.decimals) : 1.0;
    for (double f : {0.5, 0.25, 0.75, 1.0}) {
        const double v = std::round((row.lo + f * (row.hi - row.lo)) * scale) / scale;
        if (unlike(v)) return v;
    }
    return row.hi;
}
} // namespace

class TestAppSamplerForm : public QObject {
    Q_OBJECT
private slots:
    void tableRowsAreTheWidgets();
    void visibleRowsFollowTheTable();
    void roundTripsEveryField();
    void showingMovesNothing();
};

void TestAppSamplerForm::tableRowsAreTheWidgets()
{
    // Every input of the form is a row of the table, with a distinct name.
    SamplerPanel panel;
    std::set<QString> names;
    for (const SamplerRow& row : samplerRows()) {
        QVERIFY2(names.insert(row.name).second, row.name);
        QVERIFY2(panel.findChild<QWidget*>(row.name), row.name);
    }
    QList<QWidget*> inputs;
    for (auto* w : panel.findChildren<QSpinBox*>()) inputs << w;
    for (auto* w : panel.findChildren<QDoubleSpinBox*>()) inputs << w;
    for (auto* w : panel.findChildren<QComboBox*>()) inputs << w;
    for (auto* w : panel.findChildren<QCheckBox*>()) inputs << w;
    for (QWidget* w : inputs) QVERIFY2(names.count(w->objectName()), qPrintable(w->objectName()));
}

void TestAppSamplerForm::visibleRowsFollowTheTable()
{
    // The rows each sampler reads (the default ODE is the adaptive RK45).
    const std::map<K, std::set<QString>> kindRows = {
        {K::Langevin, {"stepSize", "langevinStd", "timeSteps"}},
        {K::AnnealedLangevin, {"stepSize", "stepsPerLevel", "annealedLevels"}},
        {K::Ddpm, {"ddpmVariance"}},
        {K::Ddim, {"ddimSteps", "eta", "ddimSpacing", "direction"}},
        {K::ReverseSde, {"timeSteps"}},
        {K::PredictorCorrector, {"timeSteps", "predictor", "correctorSteps", "snr"}},
        {K::ProbabilityFlow, {"odeMethod", "rtol", "atol", "direction"}},
        {K::Edm, {"edmSteps", "edmRho", "edmSigmaMin", "edmSigmaMax", "edmChurn"}},
        {K::DpmSolver, {"dpmSteps", "dpmOrder", "dpmMethod", "dpmSpacing"}},
        {K::DpmSolverPp, {"dpmSteps", "dpmOrder", "dpmMethod", "dpmSpacing"}},
    };
    SamplerPanel panel;
    panel.showSetup(app::SamplingSetup{});
    const SamplerRow& kindRow = samplerRows().front();
    QCOMPARE(QString(kindRow.name), QString("samplerKind"));
    QCOMPARE(kindRow.choices.size(), kindRows.size());
    for (const auto& [title, value] : kindRow.choices) {
        choose(panel, "samplerKind", value);
        const SamplerConfig config = panel.apply(app::SamplingSetup{}).sampler;
        QCOMPARE(config.kind, K(value));
        std::set<QString> shownForKind;
        for (const SamplerRow& row : samplerRows()) {
            auto* w = panel.findChild<QWidget*>(row.name);
            const bool applies = rowApplies(row, config);
            QVERIFY2(w->isVisibleTo(&panel) == applies, qPrintable(title + ": " + row.name));
            QVERIFY2(w->isEnabled() == applies, qPrintable(title + ": " + row.name));
            // Kind-specific: some other kind hides it (the rest of the settings alike).
            bool hiddenElsewhere = false;
            for (const auto& [t, other] : kindRow.choices) {
                SamplerConfig c = config;
                c.kind = K(other);
                hiddenElsewhere = hiddenElsewhere || !rowApplies(row, c);
            }
            if (applies && hiddenElsewhere) shownForKind.insert(row.name);
        }
        QVERIFY2(shownForKind == kindRows.at(K(value)), qPrintable(title));
        // The derived step's hint goes with the step size.
        QCOMPARE(panel.findChild<QWidget*>("derivedStep")->isVisibleTo(&panel),
                 panel.findChild<QWidget*>("stepSize")->isVisibleTo(&panel));
    }
    // Within a kind, the rows follow the options they depend on.
    choose(panel, "samplerKind", int(K::ProbabilityFlow));
    choose(panel, "odeMethod", int(OdeMethod::Heun));
    QVERIFY(panel.findChild<QWidget*>("timeSteps")->isVisibleTo(&panel));
    QVERIFY(!panel.findChild<QWidget*>("rtol")->isVisibleTo(&panel));
    // EDM's churn range and noise show once S_churn > 0.
    choose(panel, "samplerKind", int(K::Edm));
    QVERIFY(!panel.findChild<QWidget*>("edmTmin")->isVisibleTo(&panel));
    auto* churn = panel.findChild<QDoubleSpinBox*>("edmChurn");
    churn->setValue(10);
    emit churn->editingFinished();
    for (const char* name : {"edmTmin", "edmTmax", "edmNoise"}) QVERIFY2(panel.findChild<QWidget*>(name)->isVisibleTo(&panel), name);
    QCOMPARE(panel.apply(app::SamplingSetup{}).sampler.edmChurn, 10.0);
    // Conditioning (every sampler): its value and rounds show once a coordinate is fixed.
    QVERIFY(panel.findChild<QWidget*>("fixCoordinate")->isVisibleTo(&panel));
    QVERIFY(!panel.findChild<QWidget*>("fixValue")->isVisibleTo(&panel));
    choose(panel, "samplerKind", int(K::Ddpm));
    choose(panel, "fixCoordinate", 0);
    QVERIFY(panel.findChild<QWidget*>("fixValue")->isVisibleTo(&panel));
    QVERIFY(panel.findChild<QWidget*>("resampleRounds")->isVisibleTo(&panel));
    auto* value = panel.findChild<QDoubleSpinBox*>("fixValue");
    value->setValue(1.5);
    emit value->editingFinished();
    const SamplerConfig conditioned = panel.apply(app::SamplingSetup{}).sampler;
    QCOMPARE(conditioned.fixCoordinate, 0);
    QCOMPARE(conditioned.fixValue, 1.5);
    conditioned.validate(); // a setup the sampler runs
}

void TestAppSamplerForm::roundTripsEveryField()
{
    // A setup with another value in every field comes back from apply as shown.
    app::SamplingSetup s;
    for (const SamplerRow& row : samplerRows()) {
        row.field.set(s, otherValue(row));
        QVERIFY2(row.field.get(s) != row.field.get(app::SamplingSetup{}), row.name);
    }
    SamplerPanel panel;
    QSignalSpy changed(&panel, &SamplerPanel::settingsChanged), source(&panel, &SamplerPanel::sourceChanged);
    panel.showSetup(s);
    QCOMPARE(changed.count() + source.count(), 0);
    const app::SamplingSetup back = panel.apply(app::SamplingSetup{});
    QCOMPARE(back.sampler, s.sampler);
    QCOMPARE(back.source, s.source);
    QCOMPARE(back.stepsPerTick, s.stepsPerTick);
    QCOMPARE(back.trailLength, s.trailLength);
    QCOMPARE(back.loop, s.loop);
    for (const SamplerRow& row : samplerRows()) QVERIFY2(row.field.get(back) == row.field.get(s), row.name);
}

void TestAppSamplerForm::showingMovesNothing()
{
    // A DDIM encoding on Uniform spacing, with an untyped Langevin level of 0:
    // shown as it is (the derived defaults move values on edits, never on show).
    app::SamplingSetup s;
    s.schedule = NoiseSchedule::ddpmLinear(1000);
    s.data = std::make_shared<const Dataset>(makePreset("8gaussians", 200, 0));
    s.sampler.kind = K::Ddim;
    s.sampler.direction = Direction::DataToNoise;
    s.sampler.spacing = DdimSpacing::Uniform;
    s.sampler.langevinStd = 0;
    SamplerPanel panel;
    panel.setContext(s.schedule, s.data, 0);
    panel.showSetup(s);
    QCOMPARE(panel.apply(s).sampler, s.sampler);
}

QTEST_MAIN(TestAppSamplerForm)
#include "tst_app_sampler_form.moc"

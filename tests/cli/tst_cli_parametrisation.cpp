// scorescope-cli train --parametrisation / --weighting end to end: a model
// trained to predict x0 with the min-SNR weighting is written with both (and
// EDM's sigma_data when it needs one), and `sample` reads it as a score like
// any other model; bad names are refused naming the option.
#include "core/ModelFile.h"

#include "CliTestSupport.h"

#include <QtTest>

#include <QJsonObject>
#include <QTemporaryDir>

using clitest::cli;
using clitest::json;
using clitest::Run;

class TestCliParametrisation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY(dir_.isValid()); }
    void x0WithMinSnrSamples();
    void edmDerivesSigmaData();
    void refusals();

private:
    QTemporaryDir dir_;
};

void TestCliParametrisation::x0WithMinSnrSamples()
{
    // A small x0 model (3 x 64, 3,000 steps, DDPM schedule, ~1.5 s of one
    // core) sampled by DDPM ancestral reaches 8 Gaussians: sliced W2 below 0.5
    // (measured 0.145; a missed mode costs > 0.6, the untrained start > 2).
    Run r = cli({"train", "--data", "8gaussians", "--objective", "ddpm", "--parametrisation", "x0", "--weighting",
                 "min-snr", "--steps", "3000", "--hidden", "64,64,64", "--threads", "1", "--out", "x0.json", "--json"},
                dir_.path());
    QCOMPARE(r.status, 0);
    QCOMPARE(json(r)["parametrisation"].toString(), QString("x0"));
    QCOMPARE(json(r)["weighting"].toString(), QString("min-snr"));
    const ss::TrainedModel model = ss::loadModel(dir_.filePath("x0.json").toStdString());
    QCOMPARE(model.model.parametrisation, ss::Parametrisation::X0);
    QCOMPARE(model.objective.weighting, ss::Weighting::MinSnr);
    QCOMPARE(model.objective.minSnrGamma, 5.0);
    r = cli({"sample", "--model", "x0.json", "--sampler", "ddpm", "--n", "2000", "--seed", "4", "--threads", "1", "--out",
             "x0.csv"},
            dir_.path());
    QCOMPARE(r.status, 0);
    r = cli({"eval", "--samples", "x0.csv", "--reference", "8gaussians", "--json"}, dir_.path());
    QCOMPARE(r.status, 0);
    qInfo("x0 + min-snr model, DDPM sampler: sliced W2 %.3f", json(r)["sw2"].toDouble());
    QVERIFY2(json(r)["sw2"].toDouble() < 0.5, qPrintable(r.out));
}

void TestCliParametrisation::edmDerivesSigmaData()
{
    const Run r = cli({"train", "--data", "moons", "--parametrisation", "edm", "--steps", "20", "--hidden", "16",
                       "--threads", "1", "--out", "edm.json"},
                      dir_.path());
    QCOMPARE(r.status, 0);
    const ss::TrainedModel model = ss::loadModel(dir_.filePath("edm.json").toStdString());
    QCOMPARE(model.model.parametrisation, ss::Parametrisation::Edm);
    QVERIFY(model.model.sigmaData > 0.3 && model.model.sigmaData < 2); // the moons' RMS coordinate
    QCOMPARE(cli({"sample", "--model", "edm.json", "--sampler", "ode", "--n", "50", "--out", "edm.csv"}, dir_.path())
                 .status,
             0);
}

void TestCliParametrisation::refusals()
{
    const QList<std::pair<QStringList, QString>> cases = {
        {{"--parametrisation", "eps"}, "parametrisation 'eps'"},
        {{"--weighting", "snr"}, "weighting 'snr'"},
        {{"--objective", "dsm", "--weighting", "min-snr"}, "weighting min-snr"},
        {{"--min-snr-gamma", "0"}, "--min-snr-gamma"}};
    for (const auto& [extra, names] : cases) {
        const Run r = cli(QStringList{"train", "--data", "moons", "--steps", "1", "--out", "bad.json"} + extra,
                          dir_.path());
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains(names), qPrintable(r.err));
        QCOMPARE(r.err.count('\n'), 1);
    }
}

QTEST_MAIN(TestCliParametrisation)
#include "tst_cli_parametrisation.moc"

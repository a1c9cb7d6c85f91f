// scorescope-cli's measurements (issue 14, CLI parity): elbo, fisher and nll's
// per-point file and confidence interval, run as a user would (a separate
// process, files in a temporary directory). The closed-form checks of the
// numbers are the core's (tst_elbo, tst_fisher); here the program must print
// them, agree with the core, and refuse what it cannot measure.
//
// Overview:
//  - help: both commands explain themselves; the top-level help lists them.
//  - elboExact: the exact score's bound on 8gaussians (T = 100): the terms add
//    up to the total, the bound lies above the analytic NLL of the same points
//    (paired gap more than 3 errors above 0) and tightens at T = 400; the curve
//    ends at the total less the prior; the PF-ODE NLL is there.
//  - elboModel: a small trained DDPM model: the text names every term; --curve
//    writes T rows; the same run through the core gives the same total.
//  - fisher: one row per level (sigma increasing), the same numbers as the
//    core's fisherProfile on the same model, data and seed; the text table.
//  - nllPerPoint: --per-point writes each point's NLL, their mean is the
//    printed NLL, and the 95% interval is mean +- 1.96 sd / sqrt(n).
//  - badUsage: schedules without a bound, fisher without a model, a model
//    trained on a file without --data, a per-point file over its input.
#include "core/Csv.h"
#include "core/Elbo.h"
#include "core/FisherProfile.h"
#include "core/ModelFile.h"
#include "core/Presets.h"
#include "core/ThreadPool.h"

#include "CliTestSupport.h"

#include <QtTest>

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>

namespace {

using clitest::cli;
using clitest::json;
using clitest::Run;

double mean(const QJsonValue& term) { return term.toObject()["mean"].toDouble(); }
double error(const QJsonValue& term) { return term.toObject()["standard_error"].toDouble(); }

// The rows of a CSV with a header line, each split at commas.
QList<QStringList> csvRows(const QString& path)
{
    QFile f(path);
    QList<QStringList> rows;
    if (!f.open(QIODevice::ReadOnly)) return rows;
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    for (qsizetype i = 1; i < lines.size(); ++i) rows << lines[i].split(',');
    return rows;
}

} // namespace

class TestCliMeasure : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void help();
    void elboExact();
    void elboModel();
    void fisher();
    void nllPerPoint();
    void badUsage_data();
    void badUsage();

private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }
};

void TestCliMeasure::initTestCase()
{
    QVERIFY(dir_.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(SCORESCOPE_CLI)), SCORESCOPE_CLI);
    // A small DDPM model (T = 100, a fraction of a second), an NCSN one and
    // one trained on a file.
    Run r = cli({"train", "--data", "8gaussians", "--objective", "ddpm", "--T", "100", "--steps", "400", "--hidden",
                 "32,32", "--out", "ddpm.json"},
                dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    r = cli({"train", "--data", "8gaussians", "--steps", "1", "--hidden", "8", "--out", "ncsn.json"}, dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    r = cli({"data", "--preset", "25gaussians", "--n", "200", "--seed", "9", "--out", "p.csv"}, dir_.path());
    QCOMPARE(r.status, 0);
    r = cli({"train", "--data", "p.csv", "--objective", "ddpm", "--T", "100", "--steps", "1", "--hidden", "8", "--out",
             "file.json"},
            dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
}

void TestCliMeasure::help()
{
    for (const char* command : {"elbo", "fisher"}) {
        const Run r = cli({command, "--help"}, dir_.path());
        QCOMPARE(r.status, 0);
        QVERIFY2(r.out.startsWith(QString("usage: scorescope-cli ") + command), qPrintable(r.out.left(80)));
        QVERIFY(r.out.contains("--json") && r.out.contains("--data"));
    }
    QVERIFY(cli({"elbo", "--help"}, dir_.path()).out.contains("L_0 = -log N(x0; mu(x_1), beta_1 I)"));
    const QString fisherHelp = cli({"fisher", "--help"}, dir_.path()).out;
    QCOMPARE(fisherHelp.count("--levels"), 1); // its own, not the geometric schedule's
    QVERIFY(!fisherHelp.contains("--schedule"));
    const Run top = cli({"--help"}, dir_.path());
    QVERIFY(top.out.contains("elbo") && top.out.contains("fisher"));
}

void TestCliMeasure::elboExact()
{
    const Run r = cli({"elbo", "--exact", "8gaussians", "--schedule", "linear", "--T", "100", "--points", "400",
                       "--draws", "8", "--seed", "3", "--json"},
                      dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QJsonObject j = json(r);
    const double total = mean(j["total"]);
    QVERIFY(std::abs(total - (mean(j["prior"]) + mean(j["diffusion"]) + mean(j["decoder"]))) < 1e-9);
    QCOMPARE(j["T"].toInt(), 100);
    QCOMPARE(j["points"].toInt(), 400);
    QCOMPARE(j["draws"].toInt(), 8);
    QCOMPARE(j["variance"].toString(), QString("beta"));
    QCOMPARE(j["score_evaluations"].toDouble(), 400.0 * 8 * 100);
    // The bound: the paired gap to the analytic NLL is clearly positive at
    // T = 100 (~0.38 nats: Gaussian reverse kernels of large steps miss the
    // modes' shape), and tightens with T (T = 400: ~0.06).
    const double gap = mean(j["gap_analytic"]), gapError = error(j["gap_analytic"]);
    QVERIFY2(gap > 3 * gapError && gap < 1 && gapError < 0.05, qPrintable(QString("gap %1 +- %2").arg(gap).arg(gapError)));
    const Run finer = cli({"elbo", "--exact", "8gaussians", "--T", "400", "--points", "400", "--draws", "8", "--seed", "3",
                           "--no-ode", "--json"},
                          dir_.path());
    QVERIFY2(finer.status == 0, qPrintable(finer.err));
    const double finerGap = mean(json(finer)["gap_analytic"]);
    QVERIFY2(finerGap < gap - 3 * gapError, qPrintable(QString("T = 400: gap %1; T = 100: %2").arg(finerGap).arg(gap)));
    QVERIFY(std::abs(total - gap - mean(j["nll_analytic"])) < 1e-9);
    QVERIFY(j["nll_ode"].isDouble());
    const QJsonArray curve = j["cumulative"].toArray();
    QCOMPARE(curve.size(), 100);
    QVERIFY(std::abs(curve.last().toDouble() + mean(j["prior"]) - total) < 1e-9);
    QVERIFY(std::abs(curve.first().toDouble() - mean(j["decoder"])) < 1e-9);
}

void TestCliMeasure::elboModel()
{
    Run r = cli({"elbo", "--model", "ddpm.json", "--points", "300", "--curve", "curve.csv"}, dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    for (const char* words : {"L_T", "L_t", "L_0", "-ELBO", "PF-ODE", "analytic", "nats per point", "network (ema)"})
        QVERIFY2(r.out.contains(words), qPrintable(r.out));
    const QList<QStringList> rows = csvRows(path("curve.csv"));
    QCOMPARE(rows.size(), 100);
    QCOMPARE(rows.first().first(), QString("1"));
    QCOMPARE(rows.last().first(), QString("100"));

    // The same run through the core: the same points (the data's seed-0
    // draws) and the same total.
    r = cli({"elbo", "--model", "ddpm.json", "--points", "300", "--variance", "beta-tilde", "--no-ode", "--json"},
            dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QJsonObject j = json(r);
    QVERIFY(!j.contains("nll_ode"));
    QCOMPARE(j["variance"].toString(), QString("beta-tilde"));
    const ss::TrainedModel model = ss::loadModel(path("ddpm.json").toStdString());
    const ss::NetworkScoreSource source(model, true);
    const ss::Dataset data = ss::makePreset("8gaussians", 4000, 1);
    ss::Rng rng(0);
    const Eigen::Matrix2Xd points = ss::sampleMarginal(data, ss::Marginal{1.0, 0.0}, 300, rng);
    ss::ElboConfig c;
    c.variance = ss::DdpmVariance::BetaTilde;
    ss::ThreadPool pool(2);
    const auto core = ss::ddpmElbo(source, model.schedule, points, c, pool);
    QVERIFY(core.has_value());
    QVERIFY2(std::abs(core->total.mean - mean(j["total"])) < 1e-9,
             qPrintable(QString("%1 vs %2").arg(core->total.mean).arg(mean(j["total"]))));
}

void TestCliMeasure::fisher()
{
    Run r = cli({"fisher", "--model", "ddpm.json", "--levels", "5", "--samples", "500", "--seed", "4", "--json"}, dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QJsonArray rows = json(r)["levels"].toArray();
    QCOMPARE(rows.size(), 5);
    QCOMPARE(rows.first().toObject()["level"].toInt(), 1);
    QCOMPARE(rows.last().toObject()["level"].toInt(), 100);
    for (qsizetype i = 1; i < rows.size(); ++i)
        QVERIFY(rows[i].toObject()["sigma"].toDouble() > rows[i - 1].toObject()["sigma"].toDouble());
    // The core's profile on the same model, data and seed: the same numbers.
    const ss::TrainedModel model = ss::loadModel(path("ddpm.json").toStdString());
    const ss::NetworkScoreSource source(model, true);
    const auto data = std::make_shared<const ss::Dataset>(ss::makePreset("8gaussians", 4000, 1));
    const ss::ExactScoreSource exact(data);
    ss::ThreadPool pool(2);
    const auto core = ss::fisherProfile(source, exact, *data, ss::fisherLevels(model.schedule, 5), 500, 4, pool);
    QVERIFY(core.has_value());
    for (qsizetype i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows[i].toObject();
        const ss::FisherLevel& l = (*core)[std::size_t(i)];
        QCOMPARE(row["divergence"].toDouble(), l.value.divergence);
        QCOMPARE(row["relative"].toDouble(), l.value.relative);
        QCOMPARE(row["standard_error"].toDouble(), l.standardError);
        QVERIFY(l.standardError > 0);
    }
    r = cli({"fisher", "--model", "ddpm.json", "--levels", "3", "--samples", "200"}, dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("sigma") && r.out.contains("relative") && r.out.contains("8gaussians"));
    QCOMPARE(r.out.count('\n'), 2 + 3); // a title, the column names, one row per level
}

void TestCliMeasure::nllPerPoint()
{
    Run r = cli({"nll", "--exact", "25gaussians", "--data", "p.csv", "--per-point", "pp.csv", "--json"}, dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QJsonObject j = json(r);
    const QList<QStringList> rows = csvRows(path("pp.csv"));
    QCOMPARE(rows.size(), 200);
    const ss::Dataset points = ss::loadCsv(path("p.csv").toStdString());
    Eigen::VectorXd nll(200);
    for (int i = 0; i < 200; ++i) {
        QCOMPARE(rows[i][0].toDouble(), points.points(0, i));
        QCOMPARE(rows[i][1].toDouble(), points.points(1, i));
        nll(i) = rows[i][2].toDouble();
    }
    QVERIFY(std::abs(nll.mean() - j["nll"].toDouble()) < 1e-12);
    const double sd = std::sqrt((nll.array() - nll.mean()).square().sum() / 199);
    const QJsonArray ci = j["ci95"].toArray();
    QVERIFY(std::abs(ci[0].toDouble() - (nll.mean() - 1.96 * sd / std::sqrt(200.0))) < 1e-9);
    QVERIFY(std::abs(ci[1].toDouble() - (nll.mean() + 1.96 * sd / std::sqrt(200.0))) < 1e-9);
    QVERIFY(std::abs(j["standard_error"].toDouble() - sd / std::sqrt(200.0)) < 1e-12);
    r = cli({"nll", "--exact", "25gaussians", "--data", "p.csv"}, dir_.path());
    QCOMPARE(r.status, 0);
    QVERIFY2(r.out.contains("95% CI") && r.out.contains("200 points"), qPrintable(r.out));
}

void TestCliMeasure::badUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("names");
    QTest::newRow("elbo, VP") << QStringList{"elbo", "--exact", "8gaussians", "--schedule", "vp"} << "DDPM schedule";
    QTest::newRow("elbo, NCSN model") << QStringList{"elbo", "--model", "ncsn.json"} << "DDPM schedule";
    QTest::newRow("elbo, variance") << QStringList{"elbo", "--exact", "8gaussians", "--variance", "wide"} << "wide";
    QTest::newRow("elbo, draws") << QStringList{"elbo", "--exact", "8gaussians", "--draws", "0"} << "--draws";
    QTest::newRow("elbo, file model") << QStringList{"elbo", "--model", "file.json"} << "give --data";
    QTest::newRow("fisher, exact") << QStringList{"fisher", "--exact", "8gaussians"} << "--model";
    QTest::newRow("fisher, levels") << QStringList{"fisher", "--model", "ddpm.json", "--levels", "0"} << "--levels";
    QTest::newRow("nll, per-point over data") << QStringList{"nll", "--exact", "moons", "--data", "p.csv", "--per-point",
                                                             "p.csv"}
                                              << "same file";
}

void TestCliMeasure::badUsage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, names);
    const Run r = cli(args, dir_.path());
    QCOMPARE(r.status, 2);
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.contains(names), qPrintable(r.err));
}

QTEST_APPLESS_MAIN(TestCliMeasure)
#include "tst_cli_measure.moc"

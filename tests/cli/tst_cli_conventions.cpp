// scorescope-cli: the metrics that catch blur and the conventions stated where
// they are used (issue 11, items 5 and 7), run as a user would (a separate
// process, files in a temporary directory).
//
// Overview:
//  - evalFloors: eval prints each metric beside its noise floor (text and
//    --json); a true sample sits at the floor, a blurred one (+ N(0, 0.3^2))
//    is far below it on precision and mean log-density; a CSV reference gets
//    the two-halves floor.
//  - evalConditional: --conditional-x1 against the exact p(x2 | x1 = a): draws
//    of that law score at the floor, shifted ones do not; a replacement
//    (--fix-x1) run is judged end to end.
//  - ddimEncoding: encoding defaults to trailing spacing and reaches t = 1;
//    uniform stops at 0.981 (the reproduction).
//  - conventions: --help of nll, sample and eval says which density, which
//    guidance convention, which DDIM end level, and that replacement is
//    approximate; nll --json reports the level scored; guided runs print the
//    other convention's weight.
//  - badUsage: the new options' errors, one line each.
#include "core/ConditionalDensity.h"
#include "core/Csv.h"
#include "core/Presets.h"
#include "core/StepTrace.h"

#include "CliTestSupport.h"

#include <QtTest>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>

namespace {

using clitest::cli;
using clitest::Run;

using clitest::json;

void writeCsv(const QString& path, const Eigen::Matrix2Xd& points)
{
    ss::Dataset d;
    d.name = "test";
    d.points = points;
    ss::saveCsv(path.toStdString(), d);
}

} // namespace

class TestCliConventions : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void evalFloors();
    void evalConditional();
    void ddimEncoding();
    void conventions();
    void sampleFollow();
    void badUsage_data();
    void badUsage();

private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }
};

void TestCliConventions::initTestCase()
{
    QVERIFY(dir_.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(SCORESCOPE_CLI)), SCORESCOPE_CLI);
}

void TestCliConventions::evalFloors()
{
    const ss::Dataset truth = ss::makePreset("8gaussians", 3000, 7);
    ss::Rng rng(3);
    Eigen::Matrix2Xd blurred = truth.points;
    for (Eigen::Index j = 0; j < blurred.cols(); ++j) blurred.col(j) += 0.3 * Eigen::Vector2d(rng.normal(), rng.normal());
    writeCsv(path("true.csv"), truth.points);
    writeCsv(path("blurred.csv"), blurred);

    Run r = cli({"eval", "--samples", "true.csv", "--reference", "8gaussians"}, dir_.path());
    QCOMPARE(r.status, 0);
    for (const char* row : {"noise floor", "sliced W2", "precision", "recall", "mean log-density", "mode weights"})
        QVERIFY2(r.out.contains(row), qPrintable(r.out));
    r = cli({"eval", "--samples", "true.csv", "--reference", "8gaussians", "--json"}, dir_.path());
    QCOMPARE(r.status, 0);
    const QJsonObject t = json(r);
    r = cli({"eval", "--samples", "blurred.csv", "--reference", "8gaussians", "--json"}, dir_.path());
    QCOMPARE(r.status, 0);
    const QJsonObject b = json(r);
    for (const char* key : {"sw2", "mmd2", "energy", "precision", "recall", "log_density"})
        QVERIFY2(t.contains(key) && t.contains(QString(key) + "_floor"), key);
    // The floor is the same for both (same size, same reference, same draw).
    QCOMPARE(t["precision_floor"].toDouble(), b["precision_floor"].toDouble());
    const double pf = t["precision_floor"].toDouble(), lf = t["log_density_floor"].toDouble();
    const QString msg = QString("precision floor %1 true %2 blurred %3; log-density floor %4 true %5 blurred %6")
                            .arg(pf).arg(t["precision"].toDouble()).arg(b["precision"].toDouble())
                            .arg(lf).arg(t["log_density"].toDouble()).arg(b["log_density"].toDouble());
    QVERIFY2(std::abs(t["precision"].toDouble() - pf) < 0.03, qPrintable(msg));
    QVERIFY2(std::abs(t["log_density"].toDouble() - lf) < 0.1, qPrintable(msg));
    QVERIFY2(b["precision"].toDouble() < 0.6 * pf, qPrintable(msg));
    QVERIFY2(b["log_density"].toDouble() < lf - 2.0, qPrintable(msg));

    // A CSV reference: the floor of two halves, and no log-density (no law).
    r = cli({"eval", "--samples", "blurred.csv", "--reference", "true.csv", "--json"}, dir_.path());
    QCOMPARE(r.status, 0);
    QCOMPARE(json(r)["floor"].toString(), QString("two halves of the reference"));
    QVERIFY(!json(r).contains("log_density"));
    QVERIFY(json(r)["precision"].toDouble() < 0.6 * json(r)["precision_floor"].toDouble());
}

void TestCliConventions::evalConditional()
{
    // x1 = 1 on 8 Gaussians: between modes, a mixture of several components.
    const ss::Dataset d = ss::makePreset("8gaussians", 10, 1);
    const ss::Mixture1D law = ss::conditionalDensity(*d.mixture, 0, 1.0);
    ss::Rng rng(5);
    const std::vector<double> x2 = law.sample(2000, rng);
    Eigen::Matrix2Xd exact(2, 2000), shifted(2, 2000);
    for (int j = 0; j < 2000; ++j) {
        exact.col(j) << 1.0, x2[j];
        shifted.col(j) << 1.0, x2[j] + 0.5;
    }
    writeCsv(path("cond.csv"), exact);
    writeCsv(path("shifted.csv"), shifted);
    Run r = cli({"eval", "--samples", "cond.csv", "--reference", "8gaussians", "--conditional-x1", "1", "--json"},
                dir_.path());
    QCOMPARE(r.status, 0);
    QJsonObject c = json(r)["conditional"].toObject();
    // KS of 2000 draws of the law itself: below 1.95 / sqrt(2000) = 0.044 with probability 0.999.
    QVERIFY2(c["ks"].toDouble() < 0.044 && c["ks_floor"].toDouble() < 0.044, qPrintable(r.out));
    QCOMPARE(c["max_offset_of_fixed"].toDouble(), 0.0);
    r = cli({"eval", "--samples", "shifted.csv", "--reference", "8gaussians", "--conditional-x1", "1", "--json"},
            dir_.path());
    c = json(r)["conditional"].toObject();
    QVERIFY2(c["ks"].toDouble() > 0.15 && std::abs(c["w1"].toDouble() - 0.5) < 0.05, qPrintable(r.out));
    // Text form.
    r = cli({"eval", "--samples", "cond.csv", "--reference", "8gaussians", "--conditional-x1", "1"}, dir_.path());
    QVERIFY2(r.out.contains("p(x2 | x1 = 1)") && r.out.contains("KS statistic") && r.out.contains("noise floor"),
             qPrintable(r.out));
    // End to end: replacement conditioning, judged against the exact law.
    r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--fix-x1", "1", "--n", "400", "--out", "fix.csv"},
            dir_.path());
    QCOMPARE(r.status, 0);
    r = cli({"eval", "--samples", "fix.csv", "--reference", "8gaussians", "--conditional-x1", "1", "--json"}, dir_.path());
    QCOMPARE(r.status, 0);
    c = json(r)["conditional"].toObject();
    QCOMPARE(c["max_offset_of_fixed"].toDouble(), 0.0);
    QVERIFY2(c["ks"].toDouble() > 0 && c["ks"].toDouble() < 1 && c["w1"].toDouble() > 0, qPrintable(r.out));
    // A point-set reference: smoothed points, stated.
    r = cli({"eval", "--samples", "cond.csv", "--reference", "moons", "--conditional-x1", "0.5", "--conditional-std",
             "0.1"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QVERIFY2(r.out.contains("smoothed by N(0, 0.1^2 I)"), qPrintable(r.out));
}

void TestCliConventions::ddimEncoding()
{
    Run r = cli({"data", "--preset", "8gaussians", "--n", "300", "--out", "d.csv"}, dir_.path());
    QCOMPARE(r.status, 0);
    // Default: trailing spacing when encoding, so the last step reaches T.
    r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddim", "--direction", "data-to-noise", "--from", "d.csv",
             "--out", "z.csv", "--json"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QCOMPARE(json(r)["final_t"].toDouble(), 1.0);
    // Uniform, asked for: stops at level 981 of 1000.
    r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddim", "--direction", "data-to-noise", "--from", "d.csv",
             "--spacing", "uniform", "--out", "z.csv", "--json"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QVERIFY(std::abs(json(r)["final_t"].toDouble() - 0.981) < 1e-9);
    // Sampling keeps uniform spacing as its default (it starts at T either way).
    r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddim", "--n", "50", "--out", "s.csv", "--json"}, dir_.path());
    QCOMPARE(r.status, 0);
    QCOMPARE(json(r)["steps"].toInt(), 50);
}

void TestCliConventions::conventions()
{
    Run r = cli({"nll", "--help"}, dir_.path());
    QVERIFY2(r.out.contains("Which density is scored") && r.out.contains("t_eps") && r.out.contains("sigma_min"),
             qPrintable(r.out));
    r = cli({"sample", "--help"}, dir_.path());
    QVERIFY2(r.out.contains("981 of 1000") && r.out.contains("trailing"), qPrintable(r.out));
    QVERIFY2(r.out.contains("exact conditional at W = 1") && r.out.contains("classifier-guidance weight 1 + W"),
             qPrintable(r.out));
    QVERIFY2(r.out.contains("An approximation of p(x2 | x1 = A)") && r.out.contains("--conditional-x1"),
             qPrintable(r.out));
    r = cli({"eval", "--help"}, dir_.path());
    QVERIFY2(r.out.contains("noise floor") && r.out.contains("k-NN manifold") && r.out.contains("--conditional-x1"),
             qPrintable(r.out));

    // nll reports the level it scored: sigma_min for VE, 1e-5 for VP.
    r = cli({"data", "--preset", "8gaussians", "--n", "20", "--out", "p.csv"}, dir_.path());
    r = cli({"nll", "--exact", "8gaussians", "--data", "p.csv", "--schedule", "geometric", "--sigma-min", "0.05", "--json"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QCOMPARE(json(r)["scored_std"].toDouble(), 0.05);
    QCOMPARE(json(r)["scored_mean"].toDouble(), 1.0);
    r = cli({"nll", "--exact", "8gaussians", "--data", "p.csv", "--schedule", "vp", "--json"}, dir_.path());
    QCOMPARE(r.status, 0);
    QCOMPARE(json(r)["scored_t"].toDouble(), 1e-5);

    // A guided run names its weight in both conventions.
    r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--guidance", "classifier", "--label", "2", "--w",
             "3", "--n", "20", "--out", "g.csv"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QVERIFY2(r.out.contains("w 3 = classifier-free w 2; exact conditional at w 1"), qPrintable(r.out));
}

void TestCliConventions::sampleFollow()
{
    // --follow: each traced step ends where the sampler put the particle; the
    // last printed result is the particle's row in the output, to the 4
    // significant digits printed.
    Run r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--n", "50", "--follow", "4,9", "--trace-steps",
                 "2", "--json", "--out", "follow.csv"},
                dir_.path());
    QCOMPARE(r.status, 0);
    const QJsonArray lines = json(r).value("trace").toArray();
    QVERIFY(lines.size() > 10);
    QCOMPARE(lines.first().toString(), QString("step 1, particle 4:"));
    QVERIFY2(lines[1].toString().startsWith("  DDPM (ancestral):  t = 1,  β = "), qPrintable(lines[1].toString()));
    QCOMPARE(lines[2].toString(), QString("  x′ = (x + β·s(x, t))/√α + σ_t·z"));
    QVERIFY(std::any_of(lines.begin(), lines.end(),
                        [](const QJsonValue& v) { return v.toString() == "step 2, particle 9:"; }));
    QString last = lines.last().toString().trimmed();
    QVERIFY2(last.startsWith("= ("), qPrintable(last));
    last = last.mid(3).chopped(1);
    const Eigen::Matrix2Xd out = ss::loadCsv(path("follow.csv").toStdString()).points;
    QCOMPARE(last.section(", ", 0, 0).toDouble(), std::stod(ss::formatNumber(out(0, 9))));
    QCOMPARE(last.section(", ", 1, 1).toDouble(), std::stod(ss::formatNumber(out(1, 9))));
    r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--n", "50", "--follow", "4", "--out", "follow.csv"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QVERIFY2(r.out.contains("step 1000, particle 4:") && r.out.contains("(last step: no noise)"),
             qPrintable(r.out.left(2000)));
}

void TestCliConventions::badUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("names");
    QTest::newRow("both conditionals") << QStringList{"eval", "--samples", "true.csv", "--reference", "8gaussians",
                                                      "--conditional-x1", "1", "--conditional-x2", "0"}
                                       << "--conditional-x1 or --conditional-x2";
    QTest::newRow("floor seed = reference seed") << QStringList{"eval", "--samples", "true.csv", "--reference",
                                                                "8gaussians", "--floor-seed", "1"}
                                                 << "--floor-seed";
    QTest::newRow("k too large") << QStringList{"eval", "--samples", "true.csv", "--reference", "8gaussians", "--k",
                                                "5000"}
                                 << "--k";
    QTest::newRow("bad smoothing") << QStringList{"eval", "--samples", "true.csv", "--reference", "moons",
                                                  "--conditional-x1", "0", "--conditional-std", "0"}
                                   << "--conditional-std";
    QTest::newRow("follow outside the particles")
        << QStringList{"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--n", "50", "--follow", "3,50", "--out", "f.csv"}
        << "--follow";
}

void TestCliConventions::badUsage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, names);
    const Run r = cli(args, dir_.path());
    QCOMPARE(r.status, 2);
    QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
    QCOMPARE(r.err.trimmed().count('\n'), 0);
    QVERIFY2(r.err.contains(names), qPrintable(r.err));
}

QTEST_APPLESS_MAIN(TestCliConventions)
#include "tst_cli_conventions.moc"

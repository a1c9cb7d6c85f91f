// scorescope-cli end to end: the programs a lecturer scripts, run as a user
// would (a separate process, files in a temporary directory).
//
// Overview:
//  - help: every command answers --help with status 0 and its usage;
//    --version prints "scorescope-cli X.Y.Z" (the man page and the package check read it).
//  - badUsage (rows): status 2, nothing on stdout, exactly one line on stderr
//    that names the problem.
//  - trainSampleEval: data -> train (DDPM) -> sample -> eval; the learned
//    sampler lands near 8 Gaussians (sliced W2 bound below), far better than
//    its untrained start.
//  - exactSamplers (rows): each sampler with the exact score to 8 Gaussians.
//  - nllMatchesAnalytic, trajectoriesFile, deterministic, sdeditAndFix.
//  - divergenceAtOnce: a step size far above the stable limit stops the run at
//    the step it diverges: status 2, one line naming the step, sigma and limit.
// To add a case for a new option: add a row to badUsage_data for its errors.
#include "core/Csv.h"
#include "core/NoiseSchedule.h"
#include "core/Presets.h"
#include "core/SceneFile.h"

#include "CliTestSupport.h"

#include <QtTest>

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonArray>
#include <QProcess>
#include <QImage>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <cmath>

namespace {

using clitest::cli;
using clitest::Run;

using clitest::json;

} // namespace

class TestCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void help();
    void badUsage_data();
    void badUsage();
    void trainSampleEval();
    void exactSamplers_data();
    void exactSamplers();
    void nllMatchesAnalytic();
    void divergenceAtOnce();
    void trajectoriesFile();
    void deterministic();
    void sdeditAndFix();
    void renderScene();

private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }
};

void TestCli::initTestCase()
{
    QVERIFY(dir_.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(SCORESCOPE_CLI)), SCORESCOPE_CLI);
    QFile bad(path("bad.csv"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("x,y\n1,2\n3,abc\n");
}

void TestCli::help()
{
    const Run top = cli({"--help"}, dir_.path());
    QCOMPARE(top.status, 0);
    QVERIFY(top.out.contains("usage: scorescope-cli <command>"));
    const Run version = cli({"--version"}, dir_.path());
    QCOMPARE(version.status, 0);
    QCOMPARE(version.out, QStringLiteral("scorescope-cli " SCORESCOPE_VERSION "\n"));
    for (const char* command : {"data", "train", "sample", "nll", "eval"}) {
        const Run r = cli({command, "--help"}, dir_.path());
        QCOMPARE(r.status, 0);
        QVERIFY2(r.out.startsWith(QString("usage: scorescope-cli ") + command), qPrintable(r.out.left(80)));
        QVERIFY(r.out.contains("--json"));
    }
}

void TestCli::badUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("names");
    QTest::newRow("no command") << QStringList{} << "usage";
    QTest::newRow("unknown command") << QStringList{"plot"} << "unknown command 'plot'";
    QTest::newRow("unknown option") << QStringList{"data", "--preset", "moons", "--colour", "red"} << "--colour";
    QTest::newRow("missing value") << QStringList{"data", "--preset", "moons", "--out"} << "needs a value";
    QTest::newRow("not an integer") << QStringList{"data", "--preset", "moons", "--n", "12x", "--out", "a.csv"}
                                    << "integer";
    QTest::newRow("out of range") << QStringList{"data", "--preset", "moons", "--n", "0", "--out", "a.csv"} << "--n";
    QTest::newRow("missing required") << QStringList{"data", "--preset", "moons"} << "--out is required";
    QTest::newRow("unknown preset") << QStringList{"train", "--data", "blobs", "--out", "m.json"} << "blobs";
    QTest::newRow("missing file") << QStringList{"eval", "--samples", "none.csv", "--reference", "moons"} << "none.csv";
    QTest::newRow("malformed csv") << QStringList{"eval", "--samples", "bad.csv", "--reference", "moons"}
                                   << "bad.csv:3";
    QTest::newRow("unknown objective") << QStringList{"train", "--data", "moons", "--objective", "gan", "--out", "m.json"}
                                       << "gan";
    QTest::newRow("bad schedule") << QStringList{"train", "--data", "moons", "--sigma-min", "2", "--sigma-max", "1",
                                                 "--schedule", "geometric", "--out", "m.json"}
                                  << "sigma";
    QTest::newRow("both sources") << QStringList{"sample", "--exact", "moons", "--model", "m.json", "--sampler", "ode",
                                                 "--out", "s.csv"}
                                  << "exactly one";
    QTest::newRow("sampler vs schedule") << QStringList{"sample", "--exact", "moons", "--sampler", "ddpm", "--schedule",
                                                        "vp", "--out", "s.csv"}
                                         << "DDPM schedule";
    QTest::newRow("missing model") << QStringList{"nll", "--model", "none.json", "--data", "bad.csv"} << "bad.csv";
    QTest::newRow("unwritable out") << QStringList{"data", "--preset", "moons", "--out", "/proc/nope/a.csv"}
                                    << "/proc/nope/a.csv";
    QTest::newRow("repeated option") << QStringList{"data", "--preset", "moons", "--preset", "rings"} << "twice";
}

void TestCli::badUsage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, names);
    const Run r = cli(args, dir_.path());
    QCOMPARE(r.status, 2);
    if (!args.isEmpty()) {
        QVERIFY2(r.out.isEmpty(), qPrintable(r.out));
        QCOMPARE(r.err.count('\n'), 1);
        QVERIFY2(r.err.startsWith("scorescope-cli"), qPrintable(r.err));
    }
    QVERIFY2(r.err.contains(names), qPrintable(r.err));
}

void TestCli::trainSampleEval()
{
    // A small DDPM model (3 x 64 units, 3,000 steps, ~2 s) samples 8 Gaussians
    // with sliced W2 below 0.5 (measured ~0.26; two independent 2,000-point
    // draws of the data itself differ by ~0.2, a missed mode costs > 0.6) and
    // every mode weight above 0.05 (1/8 = 0.125 true).
    Run r = cli({"data", "--preset", "8gaussians", "--n", "4000", "--seed", "3", "--out", "train.csv"}, dir_.path());
    QCOMPARE(r.status, 0);
    r = cli({"train", "--data", "train.csv", "--objective", "ddpm", "--steps", "3000", "--hidden", "64,64,64", "--out",
             "model.json", "--json"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QVERIFY2(json(r)["smoothed_loss"].toDouble() < 0.7, qPrintable(r.out));
    QCOMPARE(json(r)["schedule"].toString(), QString("ddpm-linear"));
    r = cli({"sample", "--model", "model.json", "--sampler", "ddpm", "--n", "2000", "--seed", "4", "--out",
             "samples.csv", "--json"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QCOMPARE(json(r)["evaluations"].toInt(), 1000);
    r = cli({"eval", "--samples", "samples.csv", "--reference", "8gaussians", "--json"}, dir_.path());
    QCOMPARE(r.status, 0);
    const QJsonObject metrics = json(r);
    QVERIFY2(metrics["sw2"].toDouble() < 0.5, qPrintable(r.out));
    const QJsonArray weights = metrics["mode_weights"].toArray();
    QCOMPARE(weights.size(), 8);
    for (const auto& w : weights) QVERIFY2(w.toDouble() > 0.05, qPrintable(r.out));

    // The untrained start of the same run (the prior) is far off.
    r = cli({"train", "--data", "train.csv", "--objective", "ddpm", "--steps", "1", "--hidden", "64,64,64", "--out",
             "untrained.json"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QCOMPARE(cli({"sample", "--model", "untrained.json", "--sampler", "ddpm", "--n", "2000", "--out", "u.csv"},
                 dir_.path()).status,
             0);
    r = cli({"eval", "--samples", "u.csv", "--reference", "8gaussians", "--json"}, dir_.path());
    QVERIFY2(json(r)["sw2"].toDouble() > 2 * metrics["sw2"].toDouble(), qPrintable(r.out));
}

void TestCli::exactSamplers_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("annealed") << QStringList{"--sampler", "annealed", "--sigma-max", "5", "--step-size", "2e-5"};
    QTest::newRow("ddpm") << QStringList{"--sampler", "ddpm"};
    QTest::newRow("ddim") << QStringList{"--sampler", "ddim", "--ddim-steps", "100"};
    QTest::newRow("em") << QStringList{"--sampler", "em", "--steps", "500"};
    QTest::newRow("pc") << QStringList{"--sampler", "pc", "--steps", "300", "--schedule", "ve", "--sigma-max", "5",
                                       "--predictor", "reverse-diffusion"};
    QTest::newRow("ode") << QStringList{"--sampler", "ode", "--ode-method", "rk45"};
    QTest::newRow("edm") << QStringList{"--sampler", "edm"};
    QTest::newRow("edm churn on ddpm") << QStringList{"--sampler", "edm", "--schedule", "linear", "--edm-steps", "40",
                                                      "--s-churn", "10", "--rho", "7"};
    QTest::newRow("dpm-solver 3S") << QStringList{"--sampler", "dpm-solver", "--order", "3", "--dpm-method",
                                                  "singlestep", "--dpm-steps", "6"};
    QTest::newRow("dpm-solver++ 2M") << QStringList{"--sampler", "dpm-solver++", "--dpm-steps", "10"};
}

void TestCli::exactSamplers()
{
    // With the exact score every sampler reaches the data: sliced W2 to a
    // 4,000-point reference below 0.3 (the sampling noise of 2,000 points is
    // ~0.1-0.2, a wrong step or sign gives > 1).
    QFETCH(QStringList, options);
    const Run r = cli(QStringList{"sample", "--exact", "8gaussians", "--n", "2000", "--seed", "2", "--out", "e.csv"} +
                          options,
                      dir_.path());
    QCOMPARE(r.status, 0);
    const Run e = cli({"eval", "--samples", "e.csv", "--reference", "8gaussians", "--json"}, dir_.path());
    QCOMPARE(e.status, 0);
    QVERIFY2(json(e)["sw2"].toDouble() < 0.3, qPrintable(e.out));
}

void TestCli::divergenceAtOnce()
{
    // 20,000 particles for 2,000,000 steps would take hours; the divergence
    // (eta = 100 against 4 sigma^2 = 1) shows within a few hundred steps.
    QElapsedTimer clock;
    clock.start();
    const Run r = cli({"sample", "--exact", "8gaussians", "--sampler", "langevin", "--langevin-std", "0.5",
                       "--step-size", "100", "--steps", "2000000", "--n", "20000", "--out", "diverged.csv"},
                      dir_.path());
    QVERIFY2(clock.elapsed() < 30000, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(r.status, 2);
    QVERIFY(r.out.isEmpty());
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY2(r.err.startsWith("scorescope-cli sample: the sampler diverged at step ") &&
                 r.err.contains("of 2000000, at sigma = 0.5: the step size eta = 100 is above the stable limit ~ 1 "),
             qPrintable(r.err));
    QVERIFY(!QFile::exists(path("diverged.csv")));
}

void TestCli::nllMatchesAnalytic()
{
    // The CLI's number is the probability-flow NLL; for a mixture it equals the
    // analytic -mean log p at the schedule's least noise (VP: t = 1e-5, std 3e-3).
    Run r = cli({"data", "--preset", "25gaussians", "--n", "300", "--seed", "9", "--out", "p.csv"}, dir_.path());
    QCOMPARE(r.status, 0);
    r = cli({"nll", "--exact", "25gaussians", "--data", "p.csv"}, dir_.path());
    QCOMPARE(r.status, 0);
    const double nll = r.out.section(QLatin1Char(' '), 0, 0).toDouble(); // "NLL  (95% CI ...)"
    const ss::Dataset points = ss::loadCsv(path("p.csv").toStdString());
    const ss::Dataset preset = ss::makePreset("25gaussians", 10, 1);
    Eigen::VectorXd logp(points.size());
    const auto s = ss::NoiseSchedule::vp();
    preset.mixture->logDensity(points.points, s.sdeMarginal(s.tEpsilon()).marginal, logp);
    QVERIFY2(std::abs(nll + logp.mean()) < 0.02, qPrintable(QString("%1 vs %2").arg(nll).arg(-logp.mean())));
    r = cli({"nll", "--exact", "25gaussians", "--data", "p.csv", "--hutchinson", "--json"}, dir_.path());
    QCOMPARE(r.status, 0);
    QVERIFY(std::abs(json(r)["nll"].toDouble() + logp.mean()) < 0.15);
    QCOMPARE(json(r)["trace"].toString(), QString("hutchinson"));
}

void TestCli::trajectoriesFile()
{
    const Run r = cli({"sample", "--exact", "moons", "--sampler", "em", "--steps", "40", "--n", "25", "--out", "t.csv",
                       "--trajectories", "traj.csv", "--every", "10"},
                      dir_.path());
    QCOMPARE(r.status, 0);
    QFile f(path("traj.csv"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.front(), QString("step,t,std,particle,x,y"));
    QCOMPARE(lines.size(), 1 + 5 * 25); // steps 0, 10, 20, 30, 40
    QVERIFY(lines.back().startsWith("40,"));
    // eval reads it back: its last step is the final particles, --step K another one.
    const QStringList eval{"eval", "--reference", "moons", "--json", "--samples"};
    const Run last = cli(eval + QStringList{"traj.csv"}, dir_.path());
    const Run out = cli(eval + QStringList{"t.csv"}, dir_.path());
    QCOMPARE(last.status, 0);
    QCOMPARE(out.status, 0);
    QCOMPARE(json(last)["n"].toInt(), 25);
    QCOMPARE(json(last)["sw2"].toDouble(), json(out)["sw2"].toDouble());
    const Run start = cli(eval + QStringList{"traj.csv", "--step", "0"}, dir_.path());
    QCOMPARE(start.status, 0);
    QVERIFY(json(start)["sw2"].toDouble() != json(out)["sw2"].toDouble());
    const Run missing = cli(eval + QStringList{"traj.csv", "--step", "5"}, dir_.path());
    QVERIFY(missing.status > 0);
    QVERIFY2(missing.err.contains("no recorded step 5"), qPrintable(missing.err));
}

void TestCli::deterministic()
{
    const QStringList args{"sample", "--exact", "swissroll", "--sampler", "pc", "--steps", "50", "--n", "300", "--seed",
                           "7"};
    QCOMPARE(cli(args + QStringList{"--out", "a.csv", "--threads", "1"}, dir_.path()).status, 0);
    QCOMPARE(cli(args + QStringList{"--out", "b.csv", "--threads", "2"}, dir_.path()).status, 0);
    QFile a(path("a.csv")), b(path("b.csv"));
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QCOMPARE(a.readAll(), b.readAll());
}

void TestCli::sdeditAndFix()
{
    // Replacement keeps x1 where it is put (NCSN mixture, x1 = 5: x2 ~ N(5, 1)).
    // Three resampling rounds: one round is biased (x2's mean ~0.1 low here,
    // tst_samplers::replacement), too close to a tolerance for 1,000 points.
    Run r = cli({"sample", "--exact", "ncsn", "--sampler", "ddpm", "--T", "200", "--n", "1000", "--fix-x1", "5",
                 "--resample", "3", "--out", "fixed.csv"},
                dir_.path());
    QCOMPARE(r.status, 0);
    const ss::Dataset fixed = ss::loadCsv(path("fixed.csv").toStdString());
    QCOMPARE(fixed.points.row(0).minCoeff(), 5.0);
    QCOMPARE(fixed.points.row(0).maxCoeff(), 5.0);
    QVERIFY(std::abs(fixed.points.row(1).mean() - 5.0) < 0.15); // 5 standard errors
    // SDEdit from t0 = 0.1 keeps edited points near where they were.
    r = cli({"data", "--preset", "8gaussians", "--n", "200", "--seed", "4", "--out", "in.csv"}, dir_.path());
    r = cli({"sample", "--exact", "8gaussians", "--sampler", "ddpm", "--sdedit", "in.csv", "--t0", "0.1", "--out",
             "edited.csv", "--json"},
            dir_.path());
    QCOMPARE(r.status, 0);
    QVERIFY(json(r)["steps"].toInt() == 100);
    const ss::Dataset in = ss::loadCsv(path("in.csv").toStdString());
    const ss::Dataset out = ss::loadCsv(path("edited.csv").toStdString());
    const double moved = (out.points - in.points).colwise().norm().mean();
    QVERIFY2(moved < 0.5, qPrintable(QString::number(moved)));
}

void TestCli::renderScene()
{
#ifndef SCORESCOPE_CLI_RENDER
    QSKIP("scorescope-cli was built without the app (SCORESCOPE_BUILD_APP=OFF): no render command");
#endif
    using namespace ss;
    // A small scene file (8 Gaussians, an untrained model, annealed Langevin
    // with the exact score: 5 levels x 4 steps, 2 steps a frame).
    SceneDocument scene;
    scene.data = makePreset("8gaussians", 300, 1);
    scene.model.hidden = {16};
    scene.schedule = NoiseSchedule::geometric(0.05, 4, 5);
    scene.sampling.sampler.kind = SamplerKind::AnnealedLangevin;
    scene.sampling.sampler.particles = 100;
    scene.sampling.sampler.stepsPerLevel = 4;
    scene.sampling.sampler.stepSize = 5e-4;
    scene.sampling.exactScore = true;
    scene.sampling.stepsPerFrame = 2;
    scene.app = {{"view", {{"xMin", -3.0}, {"xMax", 3.0}, {"yMin", -3.0}, {"yMax", 3.0}}}};
    saveScene(path("s.scorescope").toStdString(), scene);
    // A still: the picture at the run's end, at the asked size.
    Run r = cli({"render", "--scene", "s.scorescope", "--out", "s.png", "--width", "320", "--height", "240", "--json"},
                dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QCOMPARE(QImage(path("s.png")).size(), QSize(320, 240));
    QVERIFY(r.out.contains("\"frames\":1"));
    r = cli({"render", "--scene", "s.scorescope", "--out", "s.svg", "--width", "400", "--height", "400"}, dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QFile svg(path("s.svg"));
    QVERIFY(svg.open(QIODevice::ReadOnly));
    const QByteArray text = svg.readAll();
    QVERIFY2(text.count("<ellipse") + text.count("<circle") >= 100, qPrintable(QString::fromUtf8(text.left(3000))));
    // An animation: N frames; the whole run by default (1 + 20 steps / 2 per frame).
    if (!QStandardPaths::findExecutable("ffprobe").isEmpty()) {
        r = cli({"render", "--scene", "s.scorescope", "--out", "s.gif", "--width", "160", "--height", "120", "--json"},
                dir_.path());
        QVERIFY2(r.status == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains("\"frames\":11"), qPrintable(r.out));
        QProcess probe;
        probe.start("ffprobe", {"-v", "error", "-count_frames", "-show_entries", "stream=codec_name,nb_read_frames", "-of",
                                "csv=p=0", path("s.gif")});
        QVERIFY(probe.waitForFinished(60000));
        QCOMPARE(QString::fromUtf8(probe.readAllStandardOutput()).trimmed(), QString("gif,11"));
    }
    // Bad input: exit 2 and one line naming the problem; nothing written.
    QFile bad(path("bad.scorescope"));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("{\"format\": \"scorescope-scene\", \"version\": 99}");
    bad.close();
    r = cli({"render", "--scene", "bad.scorescope", "--out", "b.png"}, dir_.path());
    QCOMPARE(r.status, 2);
    QVERIFY2(r.err.contains("newer"), qPrintable(r.err));
    QVERIFY(!QFile::exists(path("b.png")));
    r = cli({"render", "--scene", "s.scorescope", "--out", "s.bmp"}, dir_.path());
    QCOMPARE(r.status, 2);
    QVERIFY2(r.err.contains("unknown format"), qPrintable(r.err));
}

QTEST_APPLESS_MAIN(TestCli)
#include "tst_cli.moc"

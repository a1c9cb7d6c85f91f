// scorescope-cli cnf-train / cnf-sample / cnf-nll (continuous normalizing
// flows), run as a user would. The maths is checked in tst_cnf; here the
// commands must chain, agree with the core, and refuse bad input.
//
//  - help: each command explains its flags and the time convention; the
//    top-level help lists them.
//  - trainSampleNll: a few steps on the Gaussian preset write a model that
//    cnf-sample and cnf-nll read; the NLL printed equals the core's on the
//    same points and is within 0.3 nats of the exact NLL printed beside it
//    (a short run); NFE are reported (4 RK4 steps: 16 + 16).
//  - backpropAndHutchinson: the other gradient and trace options train too,
//    with backprop holding more bytes than the adjoint and the Hutchinson
//    variance reported.
//  - badUsage: unknown trace, backprop with rk45, relu, a score model file
//    given to cnf-sample, output over the model.
#include "core/Cnf.h"
#include "core/CnfFile.h"
#include "core/Presets.h"
#include "core/Rng.h"

#include "CliTestSupport.h"

#include <QtTest>

#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>

#include <cmath>

using clitest::cli;
using clitest::json;
using clitest::Run;

class TestCliCnf : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void help();
    void trainSampleNll();
    void backpropAndHutchinson();
    void badUsage_data();
    void badUsage();

private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }
};

void TestCliCnf::initTestCase()
{
    QVERIFY(dir_.isValid());
    const Run r = cli({"cnf-train", "--data", "gaussian", "--steps", "60", "--batch", "64", "--hidden", "16,16",
                       "--ode-steps", "4", "--lr", "0.01", "--out", "g.json", "--json"},
                      dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QJsonObject j = json(r);
    QCOMPARE(j["forward_evaluations"].toInt(), 16);
    QCOMPARE(j["backward_evaluations"].toInt(), 16);
    QCOMPARE(j["gradient"].toString(), QString("adjoint"));
    QVERIFY(std::isfinite(j["nll"].toDouble()));
}

void TestCliCnf::help()
{
    for (const char* command : {"cnf-train", "cnf-sample", "cnf-nll"}) {
        const Run r = cli({command, "--help"}, dir_.path());
        QCOMPARE(r.status, 0);
        QVERIFY2(r.out.startsWith(QString("usage: scorescope-cli ") + command), qPrintable(r.out.left(80)));
        QVERIFY(r.out.contains("--trace") && r.out.contains("--solver") && r.out.contains("--ode-steps"));
        QVERIFY(r.out.contains("data x at t = 0 to the base N(0, I) at t = 1"));
    }
    const QString train = cli({"cnf-train", "--help"}, dir_.path()).out;
    QVERIFY(train.contains("--grad") && train.contains("--probes") && train.contains("rademacher"));
    const Run top = cli({"--help"}, dir_.path());
    QVERIFY(top.out.contains("cnf-train") && top.out.contains("cnf-sample") && top.out.contains("cnf-nll"));
}

void TestCliCnf::trainSampleNll()
{
    Run r = cli({"cnf-sample", "--model", "g.json", "--particles", "500", "--out", "s.csv", "--json"}, dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QCOMPARE(json(r)["evaluations"].toInt(), 16);
    QFile f(path("s.csv"));
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts).size(), 501); // header + points

    r = cli({"cnf-nll", "--model", "g.json", "--data", "gaussian", "--n", "300", "--json"}, dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QJsonObject j = json(r);
    const double nll = j["nll"].toDouble(), exact = j["exact_nll"].toDouble();
    QVERIFY2(std::abs(nll - exact) < 0.3, qPrintable(QString("%1 vs %2").arg(nll).arg(exact)));
    QCOMPARE(j["trace"].toString(), QString("exact"));
    // The same number through the core (preset drawn with cnf-nll's default seed 2).
    const ss::CnfModel m = ss::loadCnfModel(path("g.json").toStdString());
    const ss::Dataset d = ss::makePreset("gaussian", 300, 2);
    ss::CnfSolveConfig solve = m.solve;
    ss::Rng rng(0);
    const double core = -ss::cnfLogDensity(m.net(), d.points, solve, rng).logDensity.mean();
    QVERIFY2(std::abs(core - nll) < 1e-9, qPrintable(QString("%1 vs %2").arg(core).arg(nll)));
    // The text form names both numbers.
    r = cli({"cnf-nll", "--model", "g.json", "--data", "gaussian", "--n", "300"}, dir_.path());
    QVERIFY(r.out.contains("nats") && r.out.contains("exact NLL of the same points"));
}

void TestCliCnf::backpropAndHutchinson()
{
    Run a = cli({"cnf-train", "--data", "8gaussians", "--steps", "3", "--batch", "32", "--hidden", "16",
                 "--ode-steps", "6", "--out", "a.json", "--json"},
                dir_.path());
    Run b = cli({"cnf-train", "--data", "8gaussians", "--steps", "3", "--batch", "32", "--hidden", "16",
                 "--ode-steps", "6", "--grad", "backprop", "--out", "b.json", "--json"},
                dir_.path());
    QVERIFY2(a.status == 0 && b.status == 0, qPrintable(a.err + b.err));
    QVERIFY(json(b)["bytes_stored"].toDouble() > 2 * json(a)["bytes_stored"].toDouble());
    // Same weights, batches and probes: the same first loss either way (the forward solves agree).
    QVERIFY(std::abs(json(a)["nll"].toDouble() - json(b)["nll"].toDouble()) < 0.05);
    // A backprop-trained model samples and scores with rk45 (no gradient there).
    const Run b45 = cli({"cnf-nll", "--model", "b.json", "--data", "8gaussians", "--n", "50", "--solver", "rk45"},
                        dir_.path());
    QVERIFY2(b45.status == 0, qPrintable(b45.err));
    const Run h = cli({"cnf-train", "--data", "8gaussians", "--steps", "2", "--batch", "32", "--hidden", "16",
                       "--trace", "hutchinson", "--probes", "2", "--probe", "rademacher", "--solver", "rk45",
                       "--out", "h.json", "--json"},
                      dir_.path());
    QVERIFY2(h.status == 0, qPrintable(h.err));
    QVERIFY(json(h)["hutchinson_variance"].toDouble() >= 0);
    QCOMPARE(json(h)["solver"].toString(), QString("rk45"));
    const Run s = cli({"cnf-sample", "--model", "h.json", "--particles", "10", "--out", "hs.csv"}, dir_.path());
    QVERIFY2(s.status == 0, qPrintable(s.err));
}

void TestCliCnf::badUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("trace") << QStringList{"cnf-train", "--data", "gaussian", "--trace", "exactly", "--out", "x.json"}
                           << "unknown trace estimator";
    QTest::newRow("backprop-rk45") << QStringList{"cnf-train", "--data",   "gaussian", "--grad", "backprop",
                                                  "--solver",  "rk45",     "--out",    "x.json"}
                                   << "fixed-step";
    QTest::newRow("relu") << QStringList{"cnf-train", "--data", "gaussian", "--activation", "relu", "--out", "x.json"}
                          << "relu";
    QTest::newRow("probes") << QStringList{"cnf-train", "--data", "gaussian", "--probes", "0", "--out", "x.json"}
                            << "--probes";
    QTest::newRow("not-a-cnf") << QStringList{"cnf-sample", "--model", "s.csv", "--out", "y.csv"} << "s.csv";
    QTest::newRow("same-file") << QStringList{"cnf-sample", "--model", "g.json", "--out", "g.json"} << "g.json";
}

void TestCliCnf::badUsage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Run r = cli(args, dir_.path());
    QCOMPARE(r.status, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QVERIFY(r.err.count('\n') == 1);
}

QTEST_APPLESS_MAIN(TestCliCnf)
#include "tst_cli_cnf.moc"

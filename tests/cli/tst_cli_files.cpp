// scorescope-cli and the files it writes, under faults (found by fault
// injection, issue 11): each case ran wrong before and is kept here.
//  - sameInputAndOutput: `train --data d.csv --out d.csv` (or through a link)
//    is refused and the input survives; so are render and sample.
//  - learningRateRange: --lr outside the core's range is a usage error of
//    the CLI itself, with the core's bounds.
//  - neverFiniteTraining: a run whose every step diverges exits non-zero and
//    saves nothing (it reported "loss": 0 and saved the initial weights).
//  - sigtermSavesPartialModel: SIGTERM during a long run saves the weights so
//    far (a loadable model), says so on stderr and exits 128 + 15.
//  - renderSequenceNamesItsFiles: `render --out r.png --frames 2` names the
//    files it wrote (r-00001.png, r-00002.png), not r.png.
#include "core/Csv.h"
#include "core/ModelFile.h"
#include "core/NoiseSchedule.h"
#include "core/Presets.h"
#include "core/SceneFile.h"

#include "CliTestSupport.h"

#include <QtTest>

#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <csignal>

namespace {

using clitest::cli;
using clitest::Run;

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestCliFiles : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void sameInputAndOutput();
    void learningRateRange();
    void neverFiniteTraining();
    void sigtermSavesPartialModel();
    void renderSequenceNamesItsFiles();

private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }
};

void TestCliFiles::initTestCase()
{
    QVERIFY(dir_.isValid());
    ss::saveCsv(path("d.csv").toStdString(), ss::makePreset("8gaussians", 200, 1));
}

void TestCliFiles::sameInputAndOutput()
{
    const QByteArray before = readAll(path("d.csv"));
    QVERIFY(QFile::link(path("d.csv"), path("link.csv")));
    for (const char* out : {"d.csv", "link.csv", "./d.csv"}) {
        const Run r = cli({"train", "--data", "d.csv", "--out", out, "--steps", "5", "--hidden", "8"}, dir_.path());
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains("same file as --data"), qPrintable(r.err));
        QCOMPARE(readAll(path("d.csv")), before);
        QVERIFY(QFileInfo(path("link.csv")).isSymLink());
    }
    // sample: an input (--sdedit, --exact) as --out, or --out as --trajectories.
    Run r = cli({"sample", "--exact", "d.csv", "--sampler", "ode", "--n", "10", "--out", "link.csv"}, dir_.path());
    QCOMPARE(r.status, 2);
    QVERIFY2(r.err.contains("same file"), qPrintable(r.err));
    r = cli({"sample", "--exact", "8gaussians", "--sampler", "ode", "--n", "10", "--out", "o.csv", "--trajectories",
             "./o.csv"},
            dir_.path());
    QCOMPARE(r.status, 2);
    QVERIFY2(r.err.contains("same file"), qPrintable(r.err));
    QCOMPARE(readAll(path("d.csv")), before);
    // Different files still work.
    r = cli({"train", "--data", "d.csv", "--out", "m.json", "--steps", "5", "--hidden", "8", "--threads", "1"},
            dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
}

void TestCliFiles::learningRateRange()
{
    // 10 passed the CLI's old range (1e-8..10) and was refused by the core's.
    for (const char* lr : {"10", "1.5", "0"}) {
        const Run r = cli({"train", "--data", "d.csv", "--out", "m.json", "--lr", lr}, dir_.path());
        QCOMPARE(r.status, 2);
        QVERIFY2(r.err.contains("--lr must be in [1e-12, 1]"), qPrintable(r.err));
    }
}

void TestCliFiles::neverFiniteTraining()
{
    // Points near the largest double: every loss overflows, whatever the rate.
    QFile f(path("huge.csv"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("x,y\n1e300,1e300\n-1e300,1e300\n1e300,-1e300\n");
    f.close();
    const Run r = cli({"train", "--data", "huge.csv", "--out", "never.json", "--steps", "20", "--hidden", "8",
                       "--threads", "1", "--sigma-max", "10", "--json"},
                      dir_.path());
    QVERIFY2(r.status != 0, qPrintable(r.out + r.err));
    QVERIFY2(r.err.contains("diverged at every one of its 20 steps"), qPrintable(r.err));
    QVERIFY(r.out.isEmpty()); // no "loss": 0.0 summary
    QVERIFY(!QFile::exists(path("never.json")));
}

void TestCliFiles::sigtermSavesPartialModel()
{
    QProcess p;
    p.setWorkingDirectory(dir_.path());
    p.start(QStringLiteral(SCORESCOPE_CLI), {"train", "--data", "d.csv", "--out", "partial.json", "--steps",
                                             "100000000", "--hidden", "16", "--batch", "64", "--threads", "1"});
    QVERIFY(p.waitForStarted());
    QTest::qWait(4000); // well past the set-up (also under the sanitizers): steps are running
    QCOMPARE(p.state(), QProcess::Running);
    p.terminate(); // SIGTERM
    QVERIFY(p.waitForFinished(60000));
    const QString err = QString::fromUtf8(p.readAllStandardError());
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 128 + SIGTERM);
    QVERIFY2(err.contains("stopped by SIGTERM") && err.contains("saved the partial model to partial.json"),
             qPrintable(err));
    const ss::TrainedModel m = ss::loadModel(path("partial.json").toStdString());
    QVERIFY(m.step > 0);
    QVERIFY(m.params.allFinite());
    // Written atomically: no temporary left beside it.
    QCOMPARE(QDir(dir_.path()).entryList({"partial.json.tmp-*"}).size(), 0);
}

void TestCliFiles::renderSequenceNamesItsFiles()
{
#ifndef SCORESCOPE_CLI_RENDER
    QSKIP("scorescope-cli was built without the app (SCORESCOPE_BUILD_APP=OFF): no render command");
#else
    ss::SceneDocument scene;
    scene.data = ss::makePreset("8gaussians", 100, 1);
    scene.model.hidden = {8};
    scene.schedule = ss::NoiseSchedule::geometric(0.05, 4, 3);
    scene.sampling.sampler.kind = ss::SamplerKind::AnnealedLangevin;
    scene.sampling.sampler.particles = 20;
    scene.sampling.sampler.stepsPerLevel = 2;
    scene.sampling.sampler.stepSize = 5e-4;
    scene.sampling.exactScore = true;
    ss::saveScene(path("r.scorescope").toStdString(), scene);
    Run r = cli({"render", "--scene", "r.scorescope", "--out", "r.png", "--frames", "2", "--width", "64", "--height",
                 "48"},
                dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY(QFile::exists(path("r-00001.png")) && QFile::exists(path("r-00002.png")));
    QVERIFY(!QFile::exists(path("r.png")));
    QVERIFY2(r.out.contains("r-00001.png") && r.out.contains("r-00002.png"), qPrintable(r.out));
    r = cli({"render", "--scene", "r.scorescope", "--out", "r.png", "--frames", "2", "--width", "64", "--height", "48",
             "--json"},
            dir_.path());
    QVERIFY2(r.out.contains("\"files\"") && r.out.contains("r-00002.png"), qPrintable(r.out));
    // The scene itself as --out is refused.
    r = cli({"render", "--scene", "r.scorescope", "--out", "./r.scorescope"}, dir_.path());
    QCOMPARE(r.status, 2);
    QVERIFY2(r.err.contains("same file as --scene"), qPrintable(r.err));
#endif
}

QTEST_APPLESS_MAIN(TestCliFiles)
#include "tst_cli_files.moc"

// scorescope-cli race (issue 14, section 3), run as a user would: a separate
// process, files in a temporary directory. The race's numbers are the core's
// (tst_race); here the program must write them, agree with the core, pair the
// learned and exact curves, and refuse what it cannot run.
//
// Overview:
//  - help: the command explains steps, NFE, the floor and the error budget;
//    the top-level help lists it.
//  - exactRace: the example exact race at small sizes: one CSV row per
//    (configuration, step count) with every column, the same numbers as
//    runRace in-process (same seed, same data), and --json's rows.
//  - learnedAndExact: the example race of ddpm/ddim/ode on a small DDPM model
//    and its exact score: six configurations, learned and exact rows for each
//    step count, nfe = steps for ddpm and ddim.
//  - badUsage: no source, a learned configuration without a model, bad
//    --steps, a missing or broken config file, --out over an input; exit 2,
//    one line, nothing written.
#include "core/Presets.h"
#include "core/RaceFile.h"

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

QStringList csvLines(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QString::fromUtf8(f.readAll()).split('\n', Qt::SkipEmptyParts);
}

QString example(const char* name) { return QStringLiteral(SCORESCOPE_SOURCE_DIR "/resources/races/") + name; }

} // namespace

class TestCliRace : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void help();
    void exactRace();
    void learnedAndExact();
    void badUsage_data();
    void badUsage();

private:
    QTemporaryDir dir_;
    QString path(const QString& name) const { return dir_.filePath(name); }
};

void TestCliRace::initTestCase()
{
    QVERIFY(dir_.isValid());
    QVERIFY2(QFile::exists(QStringLiteral(SCORESCOPE_CLI)), SCORESCOPE_CLI);
    // A small DDPM model (T = 100): a fraction of a second.
    const Run r = cli({"train", "--data", "8gaussians", "--objective", "ddpm", "--T", "100", "--steps", "300",
                       "--hidden", "32,32", "--out", "ddpm.json"},
                      dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
}

void TestCliRace::help()
{
    const Run r = cli({"race", "--help"}, dir_.path());
    QCOMPARE(r.status, 0);
    for (const char* text : {"--config RACE.json", "same standard-normal draw", "respaced", "discretisation error",
                             "estimation error", "noise floor"})
        QVERIFY2(r.out.contains(text), text);
    QVERIFY(cli({"--help"}, dir_.path()).out.contains("  race "));
}

void TestCliRace::exactRace()
{
    const Run r = cli({"race", "--exact", "8gaussians", "--exact-n", "1000", "--config", example("exact-samplers.json"),
                       "--out", "exact.csv", "--particles", "100", "--steps", "4,10", "--seed", "3", "--json"},
                      dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    const QStringList lines = csvLines(path("exact.csv"));
    QCOMPARE(lines.size(), 1 + 4 * 2);
    QCOMPARE(lines[0], QStringLiteral("configuration,sampler,score,schedule,steps,steps_taken,nfe,seconds,status,sw2,"
                                      "sw2_floor,mmd2,mmd2_floor,energy,energy_floor,mode_tv,mode_tv_floor,note"));
    for (qsizetype i = 1; i < lines.size(); ++i) QCOMPARE(lines[i].split(',').size(), 18);
    QVERIFY(lines[1].startsWith("DDPM,ddpm,exact,ddpm-linear respaced to 4,4,4,4,"));
    QVERIFY(lines[6].startsWith("PF-ODE Heun,ode,exact,vp,10,10,20,"));

    // The same race in-process: the same numbers.
    ss::RaceSpec spec = ss::loadRaceSpec(example("exact-samplers.json").toStdString());
    spec.particles = 100;
    spec.steps = {4, 10};
    spec.seed = 3;
    const ss::RaceResult core =
        ss::runRace(spec, ss::RaceScores::ofData(std::make_shared<const ss::Dataset>(ss::makePreset("8gaussians", 1000, 1)),
                                                 "8gaussians"));
    const QJsonObject j = json(r);
    const QJsonArray rows = j["rows"].toArray();
    QCOMPARE(rows.size(), 8);
    for (int i = 0; i < 8; ++i) {
        const QJsonObject row = rows[i].toObject();
        QCOMPARE(row["configuration"].toString().toStdString(), core.rows[std::size_t(i)].name);
        QCOMPARE(row["nfe"].toInteger(), core.rows[std::size_t(i)].evaluations);
        QCOMPARE(row["sw2"].toDouble(), core.rows[std::size_t(i)].sw2);
        QCOMPARE(row["mode_tv"].toDouble(), core.rows[std::size_t(i)].modeTv);
    }
    QCOMPARE(j["floor"].toObject()["sw2"].toDouble(), core.floor.sw2);
    QCOMPARE(j["floor"].toObject()["kind"].toString(), QStringLiteral("independent preset draw"));
    QCOMPARE(j["out"].toString(), QStringLiteral("exact.csv"));
}

void TestCliRace::learnedAndExact()
{
    const Run r = cli({"race", "--model", "ddpm.json", "--config", example("ddpm-ddim-ode.json"), "--out", "both.csv",
                       "--particles", "100", "--steps", "5,20"},
                      dir_.path());
    QVERIFY2(r.status == 0, qPrintable(r.err));
    QVERIFY2(r.out.contains("DDIM eta=0 (learned)") && r.out.contains("noise floor (independent preset draw)"),
             qPrintable(r.out));
    const QStringList lines = csvLines(path("both.csv"));
    QCOMPARE(lines.size(), 1 + 6 * 2);
    int learned = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QStringList f = lines[i].split(',');
        learned += f[2] == "learned";
        // The model's schedule (T = 100): ddpm respaced, ddim and the flow on it as it is.
        QCOMPARE(f[3], f[1] != "ddpm" ? QStringLiteral("ddpm-linear") : "ddpm-linear respaced to " + f[4]);
        if (f[1] != "ode") QCOMPARE(f[6], f[4]); // ddpm, ddim: nfe = steps
        else QCOMPARE(f[6].toInt(), 2 * f[4].toInt()); // heun
        QCOMPARE(f[8], QStringLiteral("ok"));
        QVERIFY(std::isfinite(f[9].toDouble()) && f[9].toDouble() > 0);
    }
    QCOMPARE(learned, 6);
}

void TestCliRace::badUsage_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString cfg = example("exact-samplers.json");
    QTest::newRow("no source") << QStringList{"race", "--config", cfg, "--out", "x.csv"}
                               << "give exactly one of --model and --exact";
    QTest::newRow("no config") << QStringList{"race", "--exact", "8gaussians", "--out", "x.csv"} << "--config";
    QTest::newRow("learned without model")
        << QStringList{"race", "--exact", "8gaussians", "--config", example("ddpm-ddim-ode.json"), "--out", "x.csv"}
        << "configuration 'DDPM (learned)': score: 'learned' needs a model";
    QTest::newRow("steps") << QStringList{"race", "--exact", "8gaussians", "--config", cfg, "--out", "x.csv", "--steps", "10,5"}
                           << "--steps needs increasing step counts";
    QTest::newRow("missing file") << QStringList{"race", "--exact", "8gaussians", "--config", "nope.json", "--out", "x.csv"}
                                  << "nope.json: cannot read";
    QTest::newRow("broken file") << QStringList{"race", "--exact", "8gaussians", "--config", "broken.json", "--out", "x.csv"}
                                 << "broken.json: not valid JSON";
    QTest::newRow("out over input")
        << QStringList{"race", "--exact", "8gaussians", "--config", "broken.json", "--out", "broken.json"}
        << "--out broken.json is the same file as --config";
    QTest::newRow("floor seed") << QStringList{"race", "--exact", "8gaussians", "--config", cfg, "--out", "x.csv",
                                               "--floor-seed", "1"}
                                << "--floor-seed must differ";
}

void TestCliRace::badUsage()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QFile broken(path("broken.json"));
    QVERIFY(broken.open(QIODevice::WriteOnly));
    broken.write("{\"format\": ");
    broken.close();
    const Run r = cli(args, dir_.path());
    QCOMPARE(r.status, 2);
    QVERIFY2(r.err.contains(message), qPrintable(r.err));
    QCOMPARE(r.err.count('\n'), 1);
    QVERIFY(!QFile::exists(path("x.csv")));
}

QTEST_APPLESS_MAIN(TestCliRace)
#include "tst_cli_race.moc"

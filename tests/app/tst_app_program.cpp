// The built program from outside, as a user or a package check starts it
// (the build passes its path as SCORESCOPE_PROGRAM): --version and --help
// without a display, and a scene file given on the command line (opened; or,
// missing or malformed, refused with File → Open's message while the default
// scene runs on).
#include "AppTestSupport.h"
#include "window/MainWindow.h"

#include "core/Version.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using apptest::eventually;

namespace {
struct Run {
    int status = -1; // -1: crashed or did not finish
    QString out, err;
};

// Runs the program; display: the offscreen platform, else no display at all.
Run program(const QStringList& args, bool display)
{
    QProcess p;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("DISPLAY"));
    env.remove(QStringLiteral("WAYLAND_DISPLAY"));
    if (display)
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    else
        env.remove(QStringLiteral("QT_QPA_PLATFORM"));
    p.setProcessEnvironment(env);
    p.start(QStringLiteral(SCORESCOPE_PROGRAM), args);
    p.waitForFinished(120000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}
} // namespace

class TestAppProgram : public QObject {
    Q_OBJECT
private slots:
    void versionWithoutADisplay();
    void helpWithoutADisplay();
    void opensASceneFileGivenAtStart();
    void aRefusedSceneFileLeavesTheDefaultScene();
    void measureAndWindowSizeOptions();
};

void TestAppProgram::versionWithoutADisplay()
{
    const Run r = program({QStringLiteral("--version")}, false);
    QCOMPARE(r.status, 0);
    const QStringList lines = r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY2(lines.size() == 2, qPrintable(r.out + r.err));
    QCOMPARE(lines[0], QStringLiteral("scorescope ") + QString::fromLatin1(ss::kVersion));
    QVERIFY2(lines[1].startsWith(QStringLiteral("Qt ") + QString::fromLatin1(qVersion())), qPrintable(lines[1]));
    QCOMPARE(program({QStringLiteral("-v")}, false).out, r.out);
}

void TestAppProgram::helpWithoutADisplay()
{
    const Run r = program({QStringLiteral("--help")}, false);
    QCOMPARE(r.status, 0);
    QVERIFY(r.out.contains(QStringLiteral("--version")));
    QVERIFY(r.out.contains(QStringLiteral("--no-settings")));
    QVERIFY(r.out.contains(QStringLiteral("file")));
    // Two scene files: refused, saying so.
    const Run two = program({QStringLiteral("a.scorescope"), QStringLiteral("b.scorescope")}, true);
    QCOMPARE(two.status, 2);
    QVERIFY(two.err.contains(QStringLiteral("one scene file")));
}

void TestAppProgram::opensASceneFileGivenAtStart()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("given.scorescope"));
    {
        ss::window::MainWindow w(apptest::smallScene(), false);
        w.saveScene(path); // written by the training thread
        QVERIFY(eventually([&] { return w.sceneFile() == path; }, 20000));
    }
    const Run r = program({QStringLiteral("--no-settings"), QStringLiteral("--quit-after"), QStringLiteral("2500"), path},
                          true);
    QCOMPARE(r.status, 0);
    QVERIFY2(r.err.contains(QStringLiteral("opened given.scorescope")), qPrintable(r.err));
}

void TestAppProgram::aRefusedSceneFileLeavesTheDefaultScene()
{
    QTemporaryDir dir;
    const QString malformed = dir.filePath(QStringLiteral("broken.scorescope"));
    QFile f(malformed);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"format\": \"scorescope-scene\", \"version\": ");
    f.close();
    for (const QString& path : {malformed, dir.filePath(QStringLiteral("missing.scorescope"))}) {
        const Run r = program(
            {QStringLiteral("--no-settings"), QStringLiteral("--quit-after"), QStringLiteral("2500"), path}, true);
        QCOMPARE(r.status, 0); // the program ran on (and quit when told)
        QVERIFY2(r.err.contains(QStringLiteral("scene not opened")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QFileInfo(path).fileName()), qPrintable(r.err));
    }
}

void TestAppProgram::measureAndWindowSizeOptions()
{
    // A known tab and size run (and quit when told); an unknown tab or a bad size is refused, named.
    const Run ok = program({QStringLiteral("--no-settings"), QStringLiteral("--measure"), QStringLiteral("Fisher"),
                            QStringLiteral("--window-size"), QStringLiteral("1920x1080"), QStringLiteral("--quit-after"),
                            QStringLiteral("1500")},
                           true);
    QCOMPARE(ok.status, 0);
    const Run tab = program({QStringLiteral("--no-settings"), QStringLiteral("--measure"), QStringLiteral("nope"),
                             QStringLiteral("--quit-after"), QStringLiteral("1500")},
                            true);
    QCOMPARE(tab.status, 2);
    QVERIFY2(tab.err.contains(QStringLiteral("no tab 'nope'")), qPrintable(tab.err));
    const Run size = program({QStringLiteral("--no-settings"), QStringLiteral("--window-size"), QStringLiteral("big"),
                              QStringLiteral("--quit-after"), QStringLiteral("1500")},
                             true);
    QCOMPARE(size.status, 2);
    QVERIFY2(size.err.contains(QStringLiteral("--window-size")), qPrintable(size.err));
}

QTEST_MAIN(TestAppProgram)
#include "tst_app_program.moc"

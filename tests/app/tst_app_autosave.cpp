// The autosave and the crash restore (AutosaveStore behind MainWindow): each
// instance writes its own autosave under its own session lock; a running
// instance's files are never offered as a crash, nor removed by another's
// clean end; a session whose process died (simulated by a child process that
// exits without ending its session) is offered, and only it.
#include "AppTestSupport.h"
#include "window/AutosaveStore.h"
#include "window/MainWindow.h"

#include "core/SceneFile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/wait.h>
#include <unistd.h>

using namespace ss;
using namespace ss::window;
using apptest::eventually;
using apptest::smallScene;

namespace {
// A session that dies: a child process takes a lock, writes an autosave and
// exits without end() (as a crash would). Returns the autosave's path.
QString deadSession(const QString& dir, const QByteArray& content)
{
    QTemporaryFile pathFile; // the child tells its path through a file
    if (!pathFile.open()) return {};
    const pid_t child = fork();
    if (child == 0) {
        AutosaveStore store(dir);
        if (!store.begin()) _exit(1);
        QFile save(store.autosavePath());
        if (!save.open(QIODevice::WriteOnly) || save.write(content) != content.size()) _exit(1);
        save.close();
        QFile out(pathFile.fileName());
        if (!out.open(QIODevice::WriteOnly)) _exit(1);
        out.write(store.autosavePath().toUtf8());
        out.close();
        _exit(0); // no destructors: the lock file stays behind, its owner gone
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return {};
    return QString::fromUtf8(pathFile.readAll());
}
} // namespace

class TestAppAutosave : public QObject {
    Q_OBJECT
private slots:
    void writesAtItsIntervalAndEndsCleanly();
    void twoInstancesKeepTheirOwnFiles();
    void onlyDeadSessionsAreOffered();
    void olderVersionsCrashIsOffered();
};

void TestAppAutosave::writesAtItsIntervalAndEndsCleanly()
{
    QTemporaryDir dir;
    QString autosave, lock;
    {
        MainWindow w(smallScene(), false);
        w.training()->postStep(2);
        w.setAutosave(dir.path(), 150);
        autosave = w.autosavePath();
        lock = w.sessionLockPath();
        QVERIFY(!autosave.isEmpty() && QFileInfo::exists(lock));
        QVERIFY(eventually([&] { return QFileInfo::exists(autosave); }));
        QVERIFY(ss::loadScene(autosave.toStdString()).training.has_value());
        // A running session is not a crash, not even to itself.
        QVERIFY(MainWindow::crashedAutosaves(dir.path()).isEmpty());
        QVERIFY(w.sceneFile().isEmpty()); // an autosave is not the scene's file
        // It is written again at the interval.
        QFile::remove(autosave);
        QVERIFY(eventually([&] { return QFileInfo::exists(autosave); }));
    }
    // A clean close removes both.
    QVERIFY(!QFileInfo::exists(autosave));
    QVERIFY(!QFileInfo::exists(lock));
    QVERIFY(MainWindow::crashedAutosaves(dir.path()).isEmpty());
}

// The reproduction: the second instance saw the first's marker as a
// crash, and its clean quit deleted the first one's autosave and marker.
void TestAppAutosave::twoInstancesKeepTheirOwnFiles()
{
    QTemporaryDir dir;
    MainWindow first(smallScene(), false);
    first.setAutosave(dir.path(), 100);
    QVERIFY(eventually([&] { return QFileInfo::exists(first.autosavePath()); }));
    {
        MainWindow second(smallScene(), false);
        // No false "did not close properly": the first one is running.
        QVERIFY(MainWindow::crashedAutosaves(dir.path()).isEmpty());
        second.setAutosave(dir.path(), 100);
        QVERIFY(second.autosavePath() != first.autosavePath());
        QVERIFY(second.sessionLockPath() != first.sessionLockPath());
        QVERIFY(eventually([&] { return QFileInfo::exists(second.autosavePath()); }));
        QVERIFY(MainWindow::crashedAutosaves(dir.path()).isEmpty());
    }
    // The second's clean quit left the first's files alone.
    QVERIFY(QFileInfo::exists(first.autosavePath()));
    QVERIFY(QFileInfo::exists(first.sessionLockPath()));
    QVERIFY(MainWindow::crashedAutosaves(dir.path()).isEmpty());
    // And discarding a running session's autosave is refused.
    AutosaveStore::discard(first.autosavePath());
    QVERIFY(QFileInfo::exists(first.autosavePath()));
}

void TestAppAutosave::onlyDeadSessionsAreOffered()
{
    QTemporaryDir dir;
    // Forked before any window (and its threads) exists.
    const QString dead = deadSession(dir.path(), "dead session's scene");
    QVERIFY(!dead.isEmpty());
    QVERIFY(QFileInfo::exists(dead));
    MainWindow live(smallScene(), false);
    live.setAutosave(dir.path(), 100);
    QVERIFY(eventually([&] { return QFileInfo::exists(live.autosavePath()); }));
    // Only the dead one, however recent the live one's autosave is.
    QCOMPARE(MainWindow::crashedAutosaves(dir.path()), QStringList{QFileInfo(dead).absoluteFilePath()});
    // Still offered until restored or declined; declined, it goes.
    QCOMPARE(MainWindow::crashedAutosaves(dir.path()).size(), 1);
    AutosaveStore::discard(dead);
    QVERIFY(!QFileInfo::exists(dead));
    QVERIFY(MainWindow::crashedAutosaves(dir.path()).isEmpty());
    QVERIFY(QFileInfo::exists(live.autosavePath()));
    // No stale lock is left behind either.
    QCOMPARE(QDir(dir.path()).entryList({"session-*.lock"}, QDir::Files).size(), 1);
}

void TestAppAutosave::olderVersionsCrashIsOffered()
{
    // The single-autosave layout of the first release: autosave.scorescope
    // with its marker session-open is a crash (offered, and discarded as a
    // pair); without the marker it ended cleanly (never offered).
    QTemporaryDir dir;
    const QDir d(dir.path());
    const auto write = [&](const QString& name) {
        QFile f(d.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write("x\n") == 2;
    };
    QVERIFY(write("autosave.scorescope"));
    QVERIFY(MainWindow::crashedAutosaves(dir.path()).isEmpty());
    QVERIFY(write("session-open"));
    const QString legacy = QFileInfo(d.filePath("autosave.scorescope")).absoluteFilePath();
    QCOMPARE(MainWindow::crashedAutosaves(dir.path()), QStringList{legacy});
    MainWindow live(smallScene(), false);
    live.setAutosave(dir.path(), 100);
    QVERIFY(eventually([&] { return QFileInfo::exists(live.autosavePath()); }));
    QCOMPARE(MainWindow::crashedAutosaves(dir.path()), QStringList{legacy});
    AutosaveStore::discard(legacy);
    QVERIFY(!d.exists("autosave.scorescope") && !d.exists("session-open"));
    QVERIFY(MainWindow::crashedAutosaves(dir.path()).isEmpty());
    QVERIFY(QFileInfo::exists(live.autosavePath()));
}

QTEST_MAIN(TestAppAutosave)
#include "tst_app_autosave.moc"

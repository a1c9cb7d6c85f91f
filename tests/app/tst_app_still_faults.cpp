// Stills under faults (issue 11, found by fault injection):
//  - fullDisk (svg, pdf, png): an export onto a full disk is refused with an
//    InputError and the earlier file of that name stays whole. SVG and PDF
//    used to report success and leave a truncated file in its place. Needs a
//    small tmpfs, so root (mount(2)); skipped, saying so, otherwise.
//  - specialFilesAndLinks: a device or pipe is refused (not replaced by a
//    regular file); through a symbolic link, the file it points to is
//    written and the link stays.
#include "AppTestSupport.h"
#include "paint/ScenePainter.h"
#include "paint/StillExport.h"

#include "core/Error.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

using namespace ss;
using namespace ss::view;

namespace {

// Many particles: an SVG or PDF of some hundred kilobytes.
ScenePicture busyPicture()
{
    ScenePicture s;
    s.world = QRectF(-2, -2, 4, 4);
    auto p = std::make_shared<app::ParticleSnapshot>();
    p->particles = Eigen::Matrix2Xd::Random(2, 6000);
    p->trail.push_back(p->particles);
    s.particles = p;
    s.caption = QStringLiteral("busy picture");
    return s;
}

QByteArray readAll(const QString& path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// A 1 MB tmpfs, unmounted when it goes.
struct SmallDisk {
    QTemporaryDir base;
    QString path;
    bool mounted = false;
    QString why;
    SmallDisk()
    {
        path = base.filePath("disk");
        QDir().mkpath(path);
        if (geteuid() != 0) {
            why = "not root: cannot mount a small tmpfs to fill";
            return;
        }
        mounted = ::mount("tmpfs", path.toLocal8Bit().constData(), "tmpfs", 0, "size=1m") == 0;
        if (!mounted) why = QStringLiteral("mount -t tmpfs failed: %1").arg(QString::fromLocal8Bit(strerror(errno)));
    }
    ~SmallDisk()
    {
        if (mounted) ::umount2(path.toLocal8Bit().constData(), MNT_DETACH);
    }
    // Fills the disk to `left` bytes free.
    bool fillTo(qint64 left)
    {
        struct statvfs st {};
        if (statvfs(path.toLocal8Bit().constData(), &st) != 0) return false;
        const qint64 free = qint64(st.f_bavail) * qint64(st.f_frsize);
        QFile filler(path + "/filler");
        if (!filler.open(QIODevice::WriteOnly)) return false;
        const QByteArray block(qMax<qint64>(0, free - left), 'x');
        return filler.write(block) == block.size() && filler.flush();
    }
};

} // namespace

class TestAppStillFaults : public QObject {
    Q_OBJECT
private slots:
    void fullDisk_data();
    void fullDisk();
    void specialFilesAndLinks();
};

void TestAppStillFaults::fullDisk_data()
{
    QTest::addColumn<QString>("ext");
    QTest::newRow("svg") << "svg";
    QTest::newRow("pdf") << "pdf";
    QTest::newRow("png") << "png";
}

void TestAppStillFaults::fullDisk()
{
    QFETCH(QString, ext);
    SmallDisk disk;
    if (!disk.mounted) QSKIP(qPrintable(disk.why));
    const QString target = disk.path + "/p." + ext;
    const QByteArray old = "the earlier picture, which must survive";
    {
        QFile f(target);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(old);
    }
    // Some room, far less than the picture: the write starts and runs out.
    QVERIFY(disk.fillTo(24 * 1024));
    const QSize size = ext == "png" ? QSize(1600, 1600) : QSize(800, 800);
    bool refused = false;
    try {
        exportStill(busyPicture(), target, size);
    } catch (const InputError& e) {
        refused = true;
        QVERIFY2(QString::fromStdString(e.what()).contains(target), e.what());
    }
    QVERIFY2(refused, "an export onto a full disk reported success");
    QCOMPARE(readAll(target), old);
    // No temporary left behind either.
    QCOMPARE(QDir(disk.path).entryList(QDir::Files | QDir::Hidden).size(), 2); // filler and p.EXT
}

void TestAppStillFaults::specialFilesAndLinks()
{
    QTemporaryDir dir;
    const QString fifo = dir.filePath("pipe.svg");
    QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
    QVERIFY_THROWS_EXCEPTION(InputError, exportStill(busyPicture(), fifo, QSize(64, 64)));
    QVERIFY(!QFileInfo(fifo).isFile()); // still the pipe
    // Through a link: the target is written, the link stays a link.
    const QString real = dir.filePath("real.svg"), link = dir.filePath("link.svg");
    {
        QFile f(real);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("old");
    }
    QVERIFY(QFile::link(real, link));
    exportStill(busyPicture(), link, QSize(64, 64));
    QVERIFY(QFileInfo(link).isSymLink());
    QVERIFY(readAll(real).contains("<svg"));
}

QTEST_MAIN(TestAppStillFaults)
#include "tst_app_still_faults.moc"

// The video encoder's final move under faults (issue 11):
//  - stalePartialsRemoved: what an export killed mid-way (kill -9) left beside
//    its target (".NAME.partial-<pid>-*" files and frame folders) is removed
//    by the next export there, once its process is gone;
//  - specialFilesAndLinks: a device or pipe as the target is refused before
//    encoding; through a symbolic link the file it points to is replaced and
//    the link stays.
#include "export/VideoEncoder.h"

#include "core/Error.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace ss;
using namespace ss::app;

namespace {
pid_t deadPid()
{
    const pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, nullptr, 0);
    return child;
}

QImage frame()
{
    QImage f(32, 24, QImage::Format_RGB32);
    f.fill(Qt::darkCyan);
    return f;
}
} // namespace

class TestExportFaults : public QObject {
    Q_OBJECT
private slots:
    void stalePartialsRemoved();
    void specialFilesAndLinks();
};

void TestExportFaults::stalePartialsRemoved()
{
    QTemporaryDir dir;
    const pid_t dead = deadPid();
    const QString deadFile = dir.filePath(QStringLiteral(".v.png.partial-%1-abcdef.mp4").arg(dead));
    const QString deadFrames = dir.filePath(QStringLiteral(".v.png.partial-%1-ghijkl").arg(dead));
    const QString liveFile = dir.filePath(QStringLiteral(".v.png.partial-1-mnopqr.mp4")); // init runs
    QVERIFY(QDir().mkpath(deadFrames));
    for (const QString& p : {deadFile, deadFrames + "/frame-0.png", liveFile}) {
        QFile f(p);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("partial");
    }
    VideoEncoder encoder;
    encoder.start(dir.filePath("v.png"), VideoFormat::PngSequence, QSize(32, 24), 10);
    QVERIFY(encoder.addFrame(frame()));
    QVERIFY(encoder.finish());
    QVERIFY(QFile::exists(pngSequenceFramePath(dir.filePath("v.png"), 0)));
    QVERIFY(!QFile::exists(deadFile));
    QVERIFY(!QFileInfo::exists(deadFrames));
    QVERIFY(QFile::exists(liveFile));
}

void TestExportFaults::specialFilesAndLinks()
{
    QTemporaryDir dir;
    const QString fifo = dir.filePath("pipe.gif");
    QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
    VideoEncoder encoder;
    QVERIFY_THROWS_EXCEPTION(InputError, encoder.start(fifo, VideoFormat::Gif, QSize(32, 24), 10));
    QVERIFY(!QFileInfo(fifo).isFile());
    if (QStandardPaths::findExecutable("ffmpeg").isEmpty()) QSKIP("ffmpeg is not installed: the link case needs it");
    const QString real = dir.filePath("real.gif"), link = dir.filePath("link.gif");
    {
        QFile f(real);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("old");
    }
    QVERIFY(QFile::link(real, link));
    encoder.start(link, VideoFormat::Gif, QSize(32, 24), 10);
    QVERIFY(encoder.addFrame(frame()));
    QVERIFY(encoder.finish());
    QVERIFY(QFileInfo(link).isSymLink());
    QVERIFY(QFileInfo(real).size() > 3);
}

QTEST_GUILESS_MAIN(TestExportFaults)
#include "tst_export_faults.moc"

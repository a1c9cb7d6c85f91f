// The video encoder end to end, with the real ffmpeg and ffprobe.
//
// Frames (makeFrame): a red square moving over sine stripes that scroll 8 px a
// frame, so every frame differs from its neighbours everywhere: a frame out of
// order or missing shows up in the round-trip comparison.
// Checks: ffprobe reports the codec, size, rate and frame count of each format;
// MP4 frame 10 decodes back to the frame sent; odd sizes are stored as
// VideoEncoder.h says; refusals and failures (wrong frame size, missing or
// failing ffmpeg, unwritable directory, cancel, stop check) leave no file.
// Cases needing ffmpeg skip, saying why, without it (scripts/setup.sh installs it).
//
// To add a format: a row in formats_data(). To add a failure: a slot that
// expects an InputError naming the problem, then checks leftovers() is empty.
#include "export/VideoEncoder.h"

#include "core/Error.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QProcess>

#include "VideoProbe.h"
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace ss;
using namespace ss::app;

namespace {

constexpr int kFrames = 50; // 2 s at 25 fps
constexpr double kFps = 25;

QImage makeFrame(QSize size, int index)
{
    QImage image(size, QImage::Format_RGB32);
    for (int x = 0; x < size.width(); ++x) {
        const double v = 128 + 90 * std::sin(2 * M_PI * (x + 8 * index) / 160.0);
        const QRgb c = qRgb(int(v), 110, 255 - int(v));
        for (int y = 0; y < size.height(); ++y) image.setPixel(x, y, c);
    }
    QPainter p(&image);
    p.fillRect(QRect(10 + 4 * index, 30 + 2 * index, 60, 60), QColor(220, 40, 40));
    return image;
}

using namespace videoprobe;

void encode(const QString& path, VideoFormat format, QSize size, int frames = kFrames)
{
    VideoEncoder enc;
    enc.start(path, format, size, kFps);
    for (int i = 0; i < frames; ++i) QVERIFY(enc.addFrame(makeFrame(size, i)));
    QVERIFY(enc.finish());
}

// Sets PATH for one scope (QStandardPaths and QProcess resolve ffmpeg through it).
struct PathOverride {
    QByteArray saved = qgetenv("PATH");
    explicit PathOverride(const QString& path) { qputenv("PATH", QFile::encodeName(path)); }
    ~PathOverride() { qputenv("PATH", saved); }
};

// A stand-in "ffmpeg": a shell script in its own directory, to put on PATH.
QString fakeFfmpegDir(const QTemporaryDir& dir, const QByteArray& script)
{
    QDir(dir.path()).mkdir("bin");
    QFile f(dir.filePath("bin/ffmpeg"));
    if (!f.open(QIODevice::WriteOnly)) return {};
    f.write("#!/bin/sh\n" + script);
    f.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return dir.filePath("bin");
}

} // namespace

class TestExportVideo : public QObject {
    Q_OBJECT
    std::unique_ptr<QTemporaryDir> dir_; // fresh for each test: leftovers() looks at it

    QString out(const QString& name) const { return dir_->filePath(name); }
    QStringList leftovers() const
    {
        return QDir(dir_->path())
            .entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    }

private slots:
    void init()
    {
        dir_ = std::make_unique<QTemporaryDir>();
        QVERIFY(dir_->isValid());
    }

    void formatFromPath()
    {
        QVERIFY(videoFormatFromPath("/a/b.MP4") == VideoFormat::Mp4);
        QVERIFY(videoFormatFromPath("b.webm") == VideoFormat::WebM);
        QVERIFY(videoFormatFromPath("b.gif") == VideoFormat::Gif);
        QVERIFY(videoFormatFromPath("b.png") == VideoFormat::PngSequence);
        QVERIFY(!videoFormatFromPath("b.avi"));
        QVERIFY(!videoFormatFromPath("mp4"));
        QCOMPARE(pngSequenceFramePath("/x/anim.png", 0), QString("/x/anim-00001.png"));
        QCOMPARE(pngSequenceFramePath("/x/anim.png", 41), QString("/x/anim-00042.png"));
        QCOMPARE(storedFrameSize(VideoFormat::Mp4, QSize(321, 241)), QSize(322, 242));
        QCOMPARE(storedFrameSize(VideoFormat::WebM, QSize(321, 241)), QSize(321, 241));
    }

    void formats_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<VideoFormat>("format");
        QTest::addColumn<QSize>("size");
        QTest::addColumn<QSize>("stored");
        QTest::addColumn<QString>("codec");
        const QSize even(320, 240), odd(321, 241);
        QTest::newRow("mp4") << "clip.mp4" << VideoFormat::Mp4 << even << even << "h264";
        QTest::newRow("webm") << "clip.webm" << VideoFormat::WebM << even << even << "vp9";
        QTest::newRow("gif") << "clip.gif" << VideoFormat::Gif << even << even << "gif";
        // Odd sizes: MP4 rounds up to even (yuv420p), the others keep the size.
        QTest::newRow("mp4 odd") << "odd.mp4" << VideoFormat::Mp4 << odd << QSize(322, 242) << "h264";
        QTest::newRow("webm odd") << "odd.webm" << VideoFormat::WebM << odd << odd << "vp9";
        QTest::newRow("gif odd") << "odd.gif" << VideoFormat::Gif << odd << odd << "gif";
    }

    void formats()
    {
        REQUIRE_FFMPEG();
        QFETCH(QString, name);
        QFETCH(VideoFormat, format);
        QFETCH(QSize, size);
        QFETCH(QSize, stored);
        QFETCH(QString, codec);
        encode(out(name), format, size);
        const Probe p = probe(out(name));
        QCOMPARE(p.codec, codec);
        QCOMPARE(QSize(p.width, p.height), stored);
        QCOMPARE(p.frames, kFrames);
        QCOMPARE(p.rate, QString("25/1"));
        QCOMPARE(leftovers(), QStringList{name}); // no partial file next to it
    }

    // The odd MP4's extra column and row repeat the last pixels: no black edge.
    void oddMp4EdgeRepeats()
    {
        REQUIRE_FFMPEG();
        encode(out("odd.mp4"), VideoFormat::Mp4, QSize(321, 241), 3);
        const QImage decoded = decodeFrame(out("odd.mp4"), 0, out("f.png"));
        QCOMPARE(decoded.size(), QSize(322, 242));
        const QImage last = decoded.copy(321, 0, 1, 242), before = decoded.copy(320, 0, 1, 242);
        QVERIFY2(meanAbsDiff(last, before) < 4, "the added column differs from the last real one");
        const QImage bottom = decoded.copy(0, 241, 322, 1), above = decoded.copy(0, 240, 322, 1);
        QVERIFY2(meanAbsDiff(bottom, above) < 4, "the added row differs from the last real one");
    }

    // Frame 10 of the MP4 decodes back to frame 10 as sent. Tolerance: x264 at
    // crf 18 plus yuv420p (chroma at half resolution) blurs colour across the
    // square's edges (a band ~2 px wide, ~5% of the picture) and adds ~1 level
    // of noise elsewhere: measured 1.75 with Debian 12's x264; 3 leaves room
    // for other builds, yet a BT.601/BT.709 colour mix-up (4.4) fails.
    // The neighbouring frames are ~10 away (the stripes moved 8 px), so a frame
    // off by one fails. The square's inside checks the colour matrix round trip.
    void mp4RoundTrip()
    {
        REQUIRE_FFMPEG();
        const QSize size(320, 240);
        encode(out("clip.mp4"), VideoFormat::Mp4, size);
        const QImage decoded = decodeFrame(out("clip.mp4"), 10, out("f10.png"));
        QCOMPARE(decoded.size(), size);
        const double same = meanAbsDiff(decoded, makeFrame(size, 10));
        const double before = meanAbsDiff(decoded, makeFrame(size, 9));
        const double after = meanAbsDiff(decoded, makeFrame(size, 11));
        qInfo("mean absolute difference to frame 10: %.2f, to 9: %.2f, to 11: %.2f", same, before, after);
        QVERIFY2(same < 3.0, qPrintable(QString("frame 10 differs by %1 levels").arg(same)));
        QVERIFY(before > 3 * same && after > 3 * same);
        const QColor inside = decoded.pixelColor(10 + 40 + 30, 30 + 20 + 30); // the square's centre
        QVERIFY2(std::abs(inside.red() - 220) <= 6 && std::abs(inside.green() - 40) <= 6 &&
                     std::abs(inside.blue() - 40) <= 6,
                 qPrintable(QString("square centre decoded as %1").arg(inside.name())));
    }

    void pngSequence()
    {
        const QSize size(321, 241);
        encode(out("anim.png"), VideoFormat::PngSequence, size, 5);
        QStringList expected;
        for (int i = 1; i <= 5; ++i) expected << QString("anim-%1.png").arg(i, 5, 10, QChar('0'));
        QCOMPARE(leftovers(), expected);
        const QImage third(out("anim-00003.png"));
        QCOMPARE(third.size(), size);
        QCOMPARE(meanAbsDiff(third, makeFrame(size, 2)), 0.0); // lossless
    }

    void wrongSizeFrameRefused()
    {
        REQUIRE_FFMPEG();
        VideoEncoder enc;
        enc.start(out("clip.mp4"), VideoFormat::Mp4, QSize(320, 240), kFps);
        try {
            enc.addFrame(makeFrame(QSize(321, 240), 0));
            QFAIL("a frame of the wrong size was accepted");
        } catch (const InputError& e) {
            QVERIFY2(QString(e.what()).contains("321x240 was refused: this export is 320x240"), e.what());
        }
        // The export goes on with the right frames.
        for (int i = 0; i < 5; ++i) QVERIFY(enc.addFrame(makeFrame(QSize(320, 240), i)));
        QVERIFY(enc.finish());
        QCOMPARE(probe(out("clip.mp4")).frames, 5);
    }

    void cancelLeavesNothing_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<VideoFormat>("format");
        QTest::newRow("mp4") << "clip.mp4" << VideoFormat::Mp4;
        QTest::newRow("gif") << "clip.gif" << VideoFormat::Gif;
        QTest::newRow("png") << "clip.png" << VideoFormat::PngSequence;
    }

    // Cancel, or destroy without finishing: no file and no partial file; a file
    // already at the target is left as it was.
    void cancelLeavesNothing()
    {
        QFETCH(QString, name);
        QFETCH(VideoFormat, format);
        if (format != VideoFormat::PngSequence) REQUIRE_FFMPEG();
        const QSize size(320, 240);
        {
            VideoEncoder enc;
            enc.start(out(name), format, size, kFps);
            for (int i = 0; i < 10; ++i) QVERIFY(enc.addFrame(makeFrame(size, i)));
            QVERIFY(!leftovers().isEmpty()); // the partial output exists while encoding
            enc.cancel();
            QVERIFY(!enc.isRunning());
            QCOMPARE(leftovers(), QStringList());
        }
        {
            QFile old(out(name));
            QVERIFY(old.open(QIODevice::WriteOnly));
            old.write("previous export");
        }
        {
            VideoEncoder enc;
            enc.start(out(name), format, size, kFps);
            for (int i = 0; i < 10; ++i) QVERIFY(enc.addFrame(makeFrame(size, i)));
        } // destroyed unfinished
        QCOMPARE(leftovers(), QStringList{name});
        QFile old(out(name));
        QVERIFY(old.open(QIODevice::ReadOnly));
        QCOMPARE(old.readAll(), QByteArray("previous export"));
    }

    // The stop check ends a wait for ffmpeg promptly, even when ffmpeg hangs
    // without reading (a stand-in that sleeps), and cancels the export.
    void stopCheckEndsAHungExport()
    {
        const QString bin = fakeFfmpegDir(*dir_, "exec /bin/sleep 30\n");
        const QString target = out("clip.mp4");
        PathOverride path(bin);
        VideoEncoder enc;
        QElapsedTimer clock;
        enc.setStopCheck([&clock] { return clock.isValid() && clock.elapsed() > 300; });
        enc.start(target, VideoFormat::Mp4, QSize(320, 240), kFps);
        clock.start();
        bool stopped = false;
        for (int i = 0; i < 20 && !stopped; ++i) stopped = !enc.addFrame(makeFrame(QSize(320, 240), i));
        QVERIFY(stopped); // a 230 kB frame cannot fit in the 64 kB pipe of a process that never reads
        QVERIFY2(clock.elapsed() < 3000, "the stop check was not honoured");
        QVERIFY(!enc.isRunning());
        QCOMPARE(QDir(dir_->path()).entryList(QDir::Files | QDir::Hidden), QStringList());
    }

    void stopCheckDuringFinish()
    {
        REQUIRE_FFMPEG();
        VideoEncoder enc;
        bool stop = false;
        enc.setStopCheck([&stop] { return stop; });
        enc.start(out("clip.gif"), VideoFormat::Gif, QSize(320, 240), kFps);
        for (int i = 0; i < 10; ++i) QVERIFY(enc.addFrame(makeFrame(QSize(320, 240), i)));
        stop = true;
        QVERIFY(!enc.finish());
        QCOMPARE(leftovers(), QStringList());
    }

    void missingFfmpeg()
    {
        QTemporaryDir emptyBin;
        PathOverride path(emptyBin.path());
        VideoEncoder enc;
        try {
            enc.start(out("clip.mp4"), VideoFormat::Mp4, QSize(320, 240), kFps);
            QFAIL("started without ffmpeg");
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()), QString("ffmpeg was not found on PATH (install the ffmpeg package)"));
        }
        QCOMPARE(leftovers(), QStringList());
        // A PNG sequence needs no ffmpeg.
        encode(out("still.png"), VideoFormat::PngSequence, QSize(16, 16), 1);
        QCOMPARE(leftovers(), QStringList{"still-00001.png"});
    }

    // ffmpeg that fails: the message carries its exit code and the end of its stderr.
    void ffmpegFailureShowsItsError()
    {
        const QString bin =
            fakeFfmpegDir(*dir_, "echo 'first line' >&2\necho 'Unknown encoder libx264' >&2\nexit 3\n");
        PathOverride path(bin);
        VideoEncoder enc;
        try {
            enc.start(out("clip.mp4"), VideoFormat::Mp4, QSize(320, 240), kFps);
            for (int i = 0; i < kFrames; ++i) enc.addFrame(makeFrame(QSize(320, 240), i));
            enc.finish();
            QFAIL("a failing ffmpeg went unnoticed");
        } catch (const InputError& e) {
            QCOMPARE(QString(e.what()),
                     QString("ffmpeg failed (exit 3): first line / Unknown encoder libx264"));
        }
        QVERIFY(!enc.isRunning());
        QCOMPARE(QDir(dir_->path()).entryList(QDir::Files | QDir::Hidden), QStringList());
    }

    void unwritableDirectory_data()
    {
        QTest::addColumn<QString>("name"); // relative to the test directory
        QTest::addColumn<VideoFormat>("format");
        QTest::addColumn<QString>("reason");
        QTest::newRow("mp4, no such directory") << "missing/clip.mp4" << VideoFormat::Mp4 << "";
        QTest::newRow("png, parent is a file") << "file/clip.png" << VideoFormat::PngSequence << "";
        QTest::newRow("target is a directory") << "folder.mp4" << VideoFormat::Mp4 << "it is a directory";
        QTest::newRow("read-only directory") << "readonly/clip.gif" << VideoFormat::Gif << "";
    }

    void unwritableDirectory()
    {
        QFETCH(QString, name);
        QFETCH(VideoFormat, format);
        QFETCH(QString, reason);
        if (format != VideoFormat::PngSequence) REQUIRE_FFMPEG();
        QFile(out("file")).open(QIODevice::WriteOnly);
        QDir(dir_->path()).mkdir("folder.mp4");
        QDir(dir_->path()).mkdir("readonly");
        QFile::setPermissions(out("readonly"), QFile::ReadOwner | QFile::ExeOwner);
        if (name.startsWith("readonly") && QFile(out("readonly/probe")).open(QIODevice::WriteOnly))
            QSKIP("running as root: permissions do not stop writing");
        const QStringList before = leftovers();
        VideoEncoder enc;
        try {
            enc.start(out(name), format, QSize(320, 240), kFps);
            QFAIL("started in an unwritable place");
        } catch (const InputError& e) {
            const QString message = e.what();
            QVERIFY2(message.startsWith("cannot write " + out(name) + ": "), e.what());
            QVERIFY2(message.size() > QString("cannot write " + out(name) + ": ").size(), "no reason given");
            if (!reason.isEmpty()) QVERIFY2(message.endsWith(reason), e.what());
        }
        QCOMPARE(leftovers(), before);
        QFile::setPermissions(out("readonly"), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    }

    void badSettingsRefused()
    {
        VideoEncoder enc;
        QVERIFY_THROWS_EXCEPTION(InputError,
                                 enc.start(out("a.png"), VideoFormat::PngSequence, QSize(0, 10), kFps));
        QVERIFY_THROWS_EXCEPTION(InputError,
                                 enc.start(out("a.png"), VideoFormat::PngSequence, QSize(10, 10), 0));
        QVERIFY_THROWS_EXCEPTION(InputError, enc.addFrame(makeFrame(QSize(10, 10), 0))); // not started
        enc.start(out("a.png"), VideoFormat::PngSequence, QSize(10, 10), kFps);
        QVERIFY_THROWS_EXCEPTION(InputError, enc.finish()); // no frames
        QCOMPARE(leftovers(), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestExportVideo)
#include "tst_export_video.moc"

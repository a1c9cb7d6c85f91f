#include "export/VideoEncoder.h"

#include "core/AtomicFile.h"

#include "core/Error.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QImageWriter>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTemporaryFile>

#include <cstring>
#include <filesystem>
#include <system_error>

namespace ss::app {
namespace {

constexpr int kMaxSide = 16384;
constexpr int kPollMs = 50;             // between stop checks while waiting for ffmpeg
constexpr int kStallLimitMs = 30'000;   // ffmpeg takes no input for this long: give up
constexpr int kFinishLimitMs = 600'000; // flushing the encoder and writing the file
constexpr int kStderrLines = 3;         // of ffmpeg's stderr, in a failure message

[[noreturn]] void throwCannotWrite(const QString& path, const QString& reason)
{
    throw InputError(QStringLiteral("cannot write %1: %2").arg(path, reason).toStdString());
}

QString suffixOf(VideoFormat format)
{
    switch (format) {
    case VideoFormat::Mp4: return QStringLiteral("mp4");
    case VideoFormat::WebM: return QStringLiteral("webm");
    case VideoFormat::Gif: return QStringLiteral("gif");
    case VideoFormat::PngSequence: return QStringLiteral("png");
    }
    return {};
}

// Arguments written as one string, split at spaces (none contains a space).
QStringList words(const QString& text) { return text.split(QLatin1Char(' ')); }

// Converts to BT.709 limited range in the filter (ffmpeg 5.1's automatic
// conversion would use BT.601) and tags the stream to match.
const QString kBt709 = QStringLiteral("-vf scale=out_color_matrix=bt709:out_range=tv -colorspace bt709 "
                                      "-color_primaries bt709 -color_trc bt709 -color_range tv ");

QStringList encoderArguments(VideoFormat format)
{
    switch (format) {
    case VideoFormat::Mp4:
        // yuv420p H.264 plays everywhere (browsers, slide software); crf 18 is
        // close to lossless for flat-coloured scenes; preset veryfast encodes
        // 1080p about twice as fast as the default (medium) on two cores;
        // +faststart puts the index first so a browser can play while loading.
        return words(kBt709 +
                     "-pix_fmt yuv420p -c:v libx264 -preset veryfast -crf 18 -movflags +faststart -f mp4");
    case VideoFormat::WebM:
        // Constant quality (-b:v 0 -crf 32). The realtime deadline at cpu-used 8
        // with row threads is several times faster than the default "good"
        // deadline on two cores, for a somewhat larger file.
        return words(kBt709 +
                     "-pix_fmt yuv420p -c:v libvpx-vp9 -b:v 0 -crf 32 -row-mt 1 -deadline realtime "
                     "-cpu-used 8 -f webm");
    case VideoFormat::Gif:
        // One palette for the clip: one copy of the stream builds it, the other
        // is mapped through it. No transparency slot (frames are opaque);
        // diff_mode=rectangle dithers only the part that changed, so still
        // areas do not shimmer. -loop 0: loop forever.
        return words("-filter_complex split[a][b];[a]palettegen=reserve_transparent=0[p];"
                     "[b][p]paletteuse=diff_mode=rectangle -loop 0 -f gif");
    case VideoFormat::PngSequence: break;
    }
    return {};
}

// The last few non-empty lines of ffmpeg's stderr, on one line.
QString lastLines(const QByteArray& text)
{
    QStringList lines;
    for (const QByteArray& line : text.split('\n'))
        if (!line.trimmed().isEmpty()) lines << QString::fromLocal8Bit(line.trimmed());
    return lines.mid(std::max<qsizetype>(0, lines.size() - kStderrLines)).join(QStringLiteral(" / "));
}

// rename(2): replaces an existing target atomically; through a symbolic link
// (the file it points to is replaced) and never over a device or pipe
// (AtomicFile.h). Empty on success.
QString renameReplacing(const QString& from, const QString& to)
{
    std::string target;
    try {
        target = atomicWriteTarget(to.toStdString());
    } catch (const InputError& e) {
        return QString::fromStdString(e.what());
    }
    std::error_code ec;
    std::filesystem::rename(std::filesystem::path(from.toStdString()), std::filesystem::path(target), ec);
    return ec ? QString::fromStdString(ec.message()) : QString();
}

} // namespace

std::optional<VideoFormat> videoFormatFromPath(const QString& path)
{
    const QString suffix = QFileInfo(path).suffix().toLower();
    for (VideoFormat f : {VideoFormat::Mp4, VideoFormat::WebM, VideoFormat::Gif, VideoFormat::PngSequence})
        if (suffix == suffixOf(f)) return f;
    return std::nullopt;
}

QString pngSequenceFramePath(const QString& path, int index)
{
    const QFileInfo info(path);
    return info.path() +
        QStringLiteral("/%1-%2.png").arg(info.completeBaseName()).arg(index + 1, 5, 10, QChar('0'));
}

QSize storedFrameSize(VideoFormat format, QSize size)
{
    if (format != VideoFormat::Mp4) return size;
    return {(size.width() + 1) / 2 * 2, (size.height() + 1) / 2 * 2};
}

VideoEncoder::VideoEncoder() = default;

VideoEncoder::~VideoEncoder() { cancel(); }

void VideoEncoder::setStopCheck(std::function<bool()> stopRequested)
{
    stopCheck_ = std::move(stopRequested);
}

void VideoEncoder::start(const QString& path, VideoFormat format, QSize size, double fps)
{
    cancel();
    if (size.width() < 1 || size.height() < 1 || size.width() > kMaxSide || size.height() > kMaxSide)
        throw InputError(QStringLiteral("frame size must be 1 to %1 pixels a side (got %2x%3)")
                             .arg(kMaxSide)
                             .arg(size.width())
                             .arg(size.height())
                             .toStdString());
    if (!(fps > 0 && fps <= 1000))
        throw InputError(QStringLiteral("frame rate must be in (0, 1000] frames per second (got %1)")
                             .arg(fps)
                             .toStdString());
    const QFileInfo target(path);
    if (target.isDir()) throwCannotWrite(path, QStringLiteral("it is a directory"));
    if (format != VideoFormat::PngSequence) atomicWriteTarget(path.toStdString()); // a device: refused before encoding
    path_ = target.absoluteFilePath();
    format_ = format;
    size_ = size;
    frames_ = 0;

    // The partial output sits next to the target, so the final rename stays on one file system.
    // Tagged with this process's id, so the next export removes what a killed one left (AtomicFile.h).
    const QString partialPrefix = "." + target.fileName() + ".partial-";
    removeStaleTemporaries(target.absolutePath().toStdString(), partialPrefix.toStdString());
    const QString partialStem =
        target.absolutePath() + "/" + partialPrefix + QString::number(QCoreApplication::applicationPid()) + "-XXXXXX";
    if (format == VideoFormat::PngSequence) {
        partialDir_ = std::make_unique<QTemporaryDir>(partialStem);
        if (!partialDir_->isValid()) {
            const QString reason = partialDir_->errorString();
            partialDir_.reset();
            throwCannotWrite(path_, reason);
        }
        running_ = true;
        return;
    }

    const QString program = QStandardPaths::findExecutable(QStringLiteral("ffmpeg"));
    if (program.isEmpty()) throw InputError("ffmpeg was not found on PATH (install the ffmpeg package)");
    QTemporaryFile partial(partialStem + "." + suffixOf(format));
    partial.setAutoRemove(false);
    if (!partial.open()) throwCannotWrite(path_, partial.errorString());
    partialPath_ = partial.fileName();
    // QTemporaryFile makes it private (0600); ffmpeg keeps the mode when it overwrites.
    partial.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther);
    partial.close();
    running_ = true;
    startFfmpeg(program, fps);
}

void VideoEncoder::startFfmpeg(const QString& program, double fps)
{
    const QSize stored = storedSize();
    // -nostdin turns off ffmpeg's keyboard commands only (it does so by itself
    // for a pipe input anyway); the frames still arrive on stdin as "pipe:0".
    QStringList args = words(QStringLiteral("-hide_banner -nostdin -loglevel error -y -f rawvideo "
                                            "-pixel_format rgb24 -video_size %1x%2 -framerate %3 -i pipe:0")
                                 .arg(stored.width())
                                 .arg(stored.height())
                                 .arg(QString::number(fps, 'g', 10)));
    // "file:" so that a ':' in the path is never read as a protocol name.
    args << encoderArguments(format_) << "-an"
         << "file:" + partialPath_;

    ffmpeg_ = std::make_unique<QProcess>();
    ffmpeg_->setStandardOutputFile(QProcess::nullDevice());
    ffmpeg_->start(program, args);
    if (!ffmpeg_->waitForStarted(10'000)) fail("cannot start " + program + ": " + ffmpeg_->errorString());
}

bool VideoEncoder::addFrame(const QImage& frame)
{
    if (!running_) throw InputError("no export is running (start one first)");
    if (frame.size() != size_)
        throw InputError(QStringLiteral("a frame of %1x%2 was refused: this export is %3x%4")
                             .arg(frame.width())
                             .arg(frame.height())
                             .arg(size_.width())
                             .arg(size_.height())
                             .toStdString());
    const QImage rgb = frame.convertToFormat(QImage::Format_RGB888);

    if (format_ == VideoFormat::PngSequence) {
        QImageWriter writer(partialDir_->filePath(QStringLiteral("frame-%1.png").arg(frames_)), "png");
        if (!writer.write(rgb)) fail(QStringLiteral("cannot write %1: %2").arg(path_, writer.errorString()));
        ++frames_;
        return true;
    }

    // Tightly packed rows (QImage pads each to 4 bytes); MP4 repeats the last
    // column and row up to an even size.
    const QSize stored = storedSize();
    const qsizetype rowBytes = qsizetype(stored.width()) * 3, usedBytes = qsizetype(size_.width()) * 3;
    rgb_.resize(rowBytes * stored.height());
    for (int y = 0; y < stored.height(); ++y) {
        char* row = rgb_.data() + y * rowBytes;
        std::memcpy(row, rgb.constScanLine(std::min(y, size_.height() - 1)), size_t(usedBytes));
        if (rowBytes > usedBytes) std::memcpy(row + usedBytes, row + usedBytes - 3, 3);
    }
    if (ffmpeg_->write(rgb_) != rgb_.size()) failFromFfmpeg();
    // At most about two frames in flight: this one and the rest of the last.
    if (!waitForPipe(rgb_.size())) return false;
    ++frames_;
    return true;
}

bool VideoEncoder::waitForPipe(qint64 maxPending)
{
    QElapsedTimer sinceProgress;
    sinceProgress.start();
    qint64 pending = ffmpeg_->bytesToWrite();
    while (pending > maxPending) {
        if (stopRequested()) {
            cancel();
            return false;
        }
        ffmpeg_->waitForBytesWritten(kPollMs);
        if (ffmpeg_->state() != QProcess::Running || ffmpeg_->error() == QProcess::WriteError)
            failFromFfmpeg();
        const qint64 now = ffmpeg_->bytesToWrite();
        if (now < pending)
            sinceProgress.restart();
        else if (sinceProgress.elapsed() > kStallLimitMs)
            fail(QStringLiteral("ffmpeg stopped reading frames (nothing taken for %1 s)")
                     .arg(kStallLimitMs / 1000));
        pending = now;
    }
    return true;
}

bool VideoEncoder::finish()
{
    if (!running_) throw InputError("no export is running (start one first)");
    if (frames_ == 0) fail("nothing to export: no frames were added");
    if (format_ != VideoFormat::PngSequence) {
        ffmpeg_->closeWriteChannel(); // after the pending bytes: ffmpeg sees the end of its input
        QElapsedTimer elapsed;
        elapsed.start();
        while (ffmpeg_->state() != QProcess::NotRunning) {
            if (stopRequested()) {
                cancel();
                return false;
            }
            if (ffmpeg_->waitForFinished(kPollMs)) break;
            if (elapsed.elapsed() > kFinishLimitMs)
                fail(QStringLiteral("ffmpeg did not finish within %1 minutes").arg(kFinishLimitMs / 60'000));
        }
        if (ffmpeg_->exitStatus() != QProcess::NormalExit || ffmpeg_->exitCode() != 0) failFromFfmpeg();
        if (QFileInfo(partialPath_).size() == 0) fail("ffmpeg failed: it wrote an empty file");
    }
    moveIntoPlace();
    return true;
}

void VideoEncoder::moveIntoPlace()
{
    if (format_ != VideoFormat::PngSequence) {
        const QString reason = renameReplacing(partialPath_, path_);
        if (!reason.isEmpty()) fail(QStringLiteral("cannot write %1: %2").arg(path_, reason));
        partialPath_.clear();
    } else {
        for (int i = 0; i < frames_; ++i) {
            const QString to = pngSequenceFramePath(path_, i);
            const QString reason =
                renameReplacing(partialDir_->filePath(QStringLiteral("frame-%1.png").arg(i)), to);
            if (reason.isEmpty()) continue;
            // Half a sequence is worse than none: take back the frames already moved.
            for (int j = 0; j < i; ++j) QFile::remove(pngSequenceFramePath(path_, j));
            fail(QStringLiteral("cannot write %1: %2").arg(to, reason));
        }
    }
    cancel(); // nothing partial is left; this ends the process object and the temporary directory
}

void VideoEncoder::failFromFfmpeg()
{
    // A write error comes before ffmpeg's exit: give it a moment to end and say why.
    if (ffmpeg_->state() != QProcess::NotRunning) {
        ffmpeg_->closeWriteChannel();
        ffmpeg_->waitForFinished(5000);
    }
    QString how = QStringLiteral("killed");
    if (ffmpeg_->state() == QProcess::NotRunning && ffmpeg_->exitStatus() == QProcess::NormalExit)
        how = QStringLiteral("exit %1").arg(ffmpeg_->exitCode());
    else if (ffmpeg_->state() == QProcess::NotRunning)
        how = QStringLiteral("crashed");
    const QString tail = lastLines(ffmpeg_->readAllStandardError());
    fail("ffmpeg failed (" + how + ")" + (tail.isEmpty() ? QString() : ": " + tail));
}

void VideoEncoder::fail(const QString& message)
{
    cancel();
    throw InputError(message.toStdString());
}

void VideoEncoder::cancel()
{
    if (ffmpeg_) {
        if (ffmpeg_->state() != QProcess::NotRunning) {
            ffmpeg_->kill();
            ffmpeg_->waitForFinished(5000);
        }
        ffmpeg_.reset();
    }
    if (!partialPath_.isEmpty()) QFile::remove(partialPath_);
    partialPath_.clear();
    partialDir_.reset(); // QTemporaryDir removes itself and its frames
    running_ = false;
}

} // namespace ss::app

#pragma once
// VideoEncoder: writes an animation, frame by frame, to MP4 (H.264), WebM
// (VP9), GIF or a PNG sequence. Video formats go through the `ffmpeg` program
// found on PATH: raw RGB24 frames are piped to its stdin (QProcess).
//
// Ownership: the encoder owns the ffmpeg process and the temporary output. It
// is not thread-safe: start(), addFrame(), finish() and cancel() must all be
// called on one thread (meant to be a worker thread: addFrame() may block for
// a few milliseconds while ffmpeg catches up; it never buffers more than about
// two frames).
//
// The output appears only when finish() succeeds: everything is written to a
// hidden "<dir>/.<name>.partial-XXXXXX.<ext>" (a hidden directory for a PNG
// sequence) next to the target, then renamed into place, replacing an existing
// file. A cancelled or failed export, or an encoder destroyed before finish(),
// leaves nothing behind.
//
// What can break, and how it surfaces: every failure throws ss::InputError with
// a one-line message ready to show, and cancels the export first.
//   - ffmpeg missing: "ffmpeg was not found on PATH (install the ffmpeg package)".
//   - ffmpeg dies or refuses its input (a full disk reaches us this way):
//     "ffmpeg failed (exit N): <the last lines of its stderr>".
//   - ffmpeg stops reading (a full pipe for 30 s): "ffmpeg stopped reading frames ...".
//   - the target directory: "cannot write <path>: <reason>".
//
// Frame sizes: MP4 stores yuv420p, which needs an even width and height; an odd
// size is rounded up to even by repeating the last column/row of pixels (no
// black edge, nothing cropped): 321x241 is stored as 322x242. WebM (VP9), GIF
// and PNG keep the exact size. Alpha is dropped: render onto an opaque background.
//
// Colours: MP4 and WebM are converted with the BT.709 matrix (limited range)
// and tagged so, which is what players assume for computer-made video.
// GIF uses one palette for the whole clip (palettegen + paletteuse); ffmpeg
// holds every frame in memory until the input ends, so keep GIFs short.
#include <QImage>
#include <QSize>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

class QProcess;
class QTemporaryDir;

namespace ss::app {

enum class VideoFormat { Mp4, WebM, Gif, PngSequence };

// By the path's extension, case-insensitive: .mp4, .webm, .gif; .png means a
// PNG sequence (see pngSequenceFramePath). nullopt for anything else.
std::optional<VideoFormat> videoFormatFromPath(const QString& path);

// A PNG sequence is named by one path "dir/name.png"; its frames are
// "dir/name-00001.png", "dir/name-00002.png", ... (index is 0-based here).
QString pngSequenceFramePath(const QString& path, int index);

// The size of the frames a format stores for frames of `size` (see above).
QSize storedFrameSize(VideoFormat format, QSize size);

class VideoEncoder {
public:
    VideoEncoder();
    ~VideoEncoder(); // cancels an export that was not finished
    VideoEncoder(const VideoEncoder&) = delete;
    VideoEncoder& operator=(const VideoEncoder&) = delete;

    // Starts an export of frames of `size` at `fps` frames per second to `path`
    // (the final name). Throws InputError on a bad size or rate, an unwritable
    // directory or a missing ffmpeg. Cancels an export still running.
    void start(const QString& path, VideoFormat format, QSize size, double fps);

    // Sends one frame (any QImage format; converted to RGB). A frame of another
    // size is refused with InputError and the export goes on. Returns false when
    // the stop check asked to stop while waiting for ffmpeg (the export is then
    // cancelled); throws InputError when ffmpeg or the disk fails.
    bool addFrame(const QImage& frame);

    // Ends the input, waits for ffmpeg (up to 10 minutes), checks its exit code
    // and moves the output into place. Returns false when stopped (cancelled),
    // throws InputError on failure (nothing is left behind). Needs >= 1 frame.
    bool finish();

    // Kills ffmpeg and removes the temporary output. Safe to call at any time.
    void cancel();

    // Polled every ~50 ms while addFrame() or finish() waits for ffmpeg, e.g.
    // [] { return QThread::currentThread()->isInterruptionRequested(); }.
    void setStopCheck(std::function<bool()> stopRequested);

    bool isRunning() const { return running_; }
    int framesAdded() const { return frames_; }
    QSize storedSize() const { return storedFrameSize(format_, size_); }

private:
    void startFfmpeg(const QString& program, double fps);
    bool waitForPipe(qint64 maxPending);
    [[noreturn]] void failFromFfmpeg();
    [[noreturn]] void fail(const QString& message);
    void moveIntoPlace();
    bool stopRequested() const { return stopCheck_ && stopCheck_(); }

    QString path_; // the final name
    VideoFormat format_ = VideoFormat::Mp4;
    QSize size_;
    bool running_ = false;
    int frames_ = 0;
    std::unique_ptr<QProcess> ffmpeg_;          // video formats
    QString partialPath_;                       // video: the temporary file
    std::unique_ptr<QTemporaryDir> partialDir_; // PNG sequence: the frames so far
    QByteArray rgb_;                            // the frame being written, reused
    std::function<bool()> stopCheck_;
};

} // namespace ss::app

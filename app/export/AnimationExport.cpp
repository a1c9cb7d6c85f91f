#include "export/AnimationExport.h"

#include "export/VideoEncoder.h"

#include "core/Error.h"

namespace ss::app {

AnimationExport::AnimationExport(AnimationJob job, QString path, QObject* parent)
    : QObject(parent), job_(std::move(job)), path_(std::move(path))
{
}

AnimationExport::~AnimationExport()
{
    if (thread_) {
        thread_->requestInterruption();
        thread_->wait();
        delete thread_;
    }
}

void AnimationExport::start()
{
    if (thread_) return;
    thread_ = QThread::create([this] { run(); });
    thread_->setObjectName(QStringLiteral("export"));
    thread_->start();
}

void AnimationExport::cancel()
{
    if (thread_) thread_->requestInterruption();
}

void AnimationExport::run()
{
    auto stopped = [] { return QThread::currentThread()->isInterruptionRequested(); };
    try {
        const std::optional<VideoFormat> format = videoFormatFromPath(path_);
        if (!format) throw InputError(QStringLiteral("cannot export %1: unknown format (use .mp4, .webm, .gif or .png)")
                                          .arg(path_)
                                          .toStdString());
        AnimationRenderer renderer(job_);
        VideoEncoder encoder;
        encoder.setStopCheck(stopped);
        encoder.start(path_, *format, job_.size, job_.fps);
        const int n = renderer.frameCount();
        for (int i = 0; i < n; ++i) {
            if (stopped() || !encoder.addFrame(renderer.frame(i))) {
                encoder.cancel();
                emit finished(false, tr("export cancelled; nothing was written"));
                return;
            }
            emit progress(i + 1, n);
        }
        if (!encoder.finish()) {
            emit finished(false, tr("export cancelled; nothing was written"));
            return;
        }
        emit finished(true, tr("%1 frames (%2 × %3, %4 fps) saved to %5")
                                .arg(n)
                                .arg(encoder.storedSize().width())
                                .arg(encoder.storedSize().height())
                                .arg(job_.fps)
                                .arg(path_));
    } catch (const std::exception& e) {
        emit finished(false, QString::fromStdString(e.what()));
    }
}

} // namespace ss::app

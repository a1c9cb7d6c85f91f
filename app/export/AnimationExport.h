#pragma once
// An animation export running on its own thread: renders the job's frames
// (AnimationRenderer) and pipes them to the encoder (VideoEncoder). The GUI
// starts it, watches progress() and finished(), and may cancel() at any time;
// a cancelled or failed export leaves no file behind (the encoder's
// guarantee). Destroying it cancels and joins the thread.
#include "export/AnimationRenderer.h"

#include <QObject>
#include <QThread>

namespace ss::app {

class AnimationExport : public QObject {
    Q_OBJECT
public:
    AnimationExport(AnimationJob job, QString path, QObject* parent = nullptr);
    ~AnimationExport() override;

    void start();
    void cancel(); // asks the thread to stop; finished(false, "cancelled") follows
    bool running() const { return thread_ && thread_->isRunning(); }

signals:
    void progress(int framesDone, int frameCount); // from the export's thread (queued to the GUI)
    void finished(bool ok, const QString& message);

private:
    void run(); // on the export thread

    AnimationJob job_;
    QString path_;
    QThread* thread_ = nullptr;
};

} // namespace ss::app

#pragma once
// A worker QObject on its own QThread, owned as one value: the constructor
// makes the worker (with the given arguments, on the calling thread) and moves
// it to the new thread; the destructor asks a running slice to stop
// (requestInterruption), quits the thread's loop and joins it; the worker is
// deleted on its own thread. Use worker() for its post*/latest()/signals only.
#include <QThread>

#include <utility>

namespace ss::app {

template <typename Worker>
class WorkerThread {
public:
    template <typename... Args>
    explicit WorkerThread(const char* name, Args&&... args) : worker_(new Worker(std::forward<Args>(args)...))
    {
        thread_.setObjectName(QString::fromLatin1(name));
        worker_->moveToThread(&thread_);
        QObject::connect(&thread_, &QThread::finished, worker_, &QObject::deleteLater);
        thread_.start();
    }
    ~WorkerThread()
    {
        thread_.requestInterruption();
        thread_.quit();
        thread_.wait();
    }
    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;
    Worker* worker() const { return worker_; }

private:
    QThread thread_;
    Worker* worker_;
};

} // namespace ss::app

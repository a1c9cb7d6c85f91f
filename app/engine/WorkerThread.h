#pragma once
// A worker QObject on its own QThread, owned as one value: the constructor
// makes the worker (with the given arguments, on the calling thread) and moves
// it to the new thread; the destructor asks a running slice to stop
// (requestInterruption), quits the thread's loop and joins it; the worker is
// deleted on its own thread. Use worker() for its post*/latest()/signals only.
//
// niceness > 0 lowers the thread's CPU share under contention (Linux: the
// thread's own nice value, and its pool's threads' where the worker has
// setPoolNiceness; elsewhere ignored): on a 2-core machine the display
// workers yield to training instead of halving it, and training yields a
// little to the GUI and the renderer.
#include <QMetaObject>
#include <QThread>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

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
    // Runs on the thread itself; a refusal (e.g. a limit) leaves it as it was.
    void setNiceness(int niceness)
    {
#ifdef __linux__
        QMetaObject::invokeMethod(
            worker_,
            [worker = worker_, niceness] {
                setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), niceness);
                // A worker with a thread pool of its own (the trainer) passes it on.
                if constexpr (requires { worker->setPoolNiceness(niceness); }) worker->setPoolNiceness(niceness);
            },
            Qt::QueuedConnection);
#else
        (void)niceness;
#endif
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

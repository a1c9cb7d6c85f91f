#pragma once
// A small pool of persistent worker threads for splitting one batch over the
// cores. run(fn) calls fn(worker) once for every worker index in [0, size()),
// index 0 on the calling thread, and returns when all have finished. Workers
// spin up to 1 ms for the next job (a training step is ~0.1–1 ms, too short
// for a condition-variable wake-up every time), then sleep.
//
// Ownership: one pool per owner thread (the trainer's, a sampler's); run() must
// not be called concurrently on one pool. An exception thrown by fn on any
// worker is rethrown from run().
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ss {

class ThreadPool {
public:
    // threads <= 0: one per hardware thread.
    explicit ThreadPool(int threads);
    ~ThreadPool();
    ThreadPool(const ThreadPool&) = delete;
    ThreadPool& operator=(const ThreadPool&) = delete;

    int size() const { return int(workers_.size()) + 1; }
    void run(const std::function<void(int)>& fn);

    // Splits [0, n) into size() contiguous parts and calls fn(begin, end, worker)
    // for the non-empty ones; parts start at multiples of `grain`. Which worker
    // gets which part is fixed, so per-worker partial results (sums) are
    // deterministic.
    void parallelFor(int n, int grain, const std::function<void(int, int, int)>& fn);

    // Calls fn(begin, end) on consecutive pieces of `grain` items (the last may
    // be shorter), handed out to whichever worker is free next. For work whose
    // pieces are independent: a core slowed by another program then takes
    // fewer pieces instead of holding up the whole call (this project's
    // machines are shared, and a static half split waits for the slower core).
    void parallelForBalanced(int n, int grain, const std::function<void(int, int)>& fn);

    // Asks the worker threads (not the callers) to take this CPU priority
    // from their next job on (Linux: the thread's own nice value, raised only:
    // a refusal leaves it; elsewhere nothing). The window's trainer uses it so
    // that the GUI and the renderer keep their cores (issue 16); the caller's
    // thread sets its own.
    void setNiceness(int niceness) { niceness_.store(niceness, std::memory_order_relaxed); }

private:
    void workerLoop(int index);
    void shutDown(); // stops and joins the workers; safe to call twice

    std::vector<std::thread> workers_;
    const std::function<void(int)>* job_ = nullptr;
    std::atomic<std::uint64_t> generation_{0};
    std::atomic<int> pending_{0};
    std::atomic<bool> stop_{false};
    std::atomic<int> niceness_{0};
    std::mutex mutex_;
    std::condition_variable wake_, done_;
    std::exception_ptr error_;
    std::mutex errorMutex_;
};

} // namespace ss

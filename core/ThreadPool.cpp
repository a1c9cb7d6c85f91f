#include "core/ThreadPool.h"

#include <algorithm>
#include <chrono>
#include <thread>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

namespace ss {

namespace {
// How long an idle side spins for the next job before sleeping. Measured on
// this project's 2-core VMs: a futex wake-up costs tens of microseconds there,
// and 1 ms of spinning gave 1.3-1.5x the training steps/s of 50 us at batch
// 128-512. The price: an idle pool burns up to 1 ms of a core after its last job.
constexpr auto kSpin = std::chrono::microseconds(1000);

// Spins until done() or kSpin has passed; returns done(). After the first
// kPureSpin it also yields the core every 64 rounds: when more threads are
// runnable than there are cores (a build, the app's sampler and GUI beside
// training), the thread it waits for may be queued behind it on the same
// core. Without the yield a loaded 2-core machine ran batch-128 training at a
// seventh of its idle speed, both threads spinning in turn. Not before: most
// waits inside a training step are a few microseconds, and a yield is a
// system call that costs about as much on these VMs.
constexpr auto kPureSpin = std::chrono::microseconds(20);

template <typename Done>
bool spinUntil(Done&& done)
{
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0;; ++i) {
        if (done()) return true;
        if ((i & 63) == 63) {
            const auto now = std::chrono::steady_clock::now();
            if (now - start > kSpin) return false;
            if (now - start > kPureSpin) std::this_thread::yield();
        }
#if defined(__x86_64__) || defined(__i386__)
        __builtin_ia32_pause();
#endif
    }
}
} // namespace

ThreadPool::ThreadPool(int threads)
{
    if (threads <= 0) threads = int(std::max(1u, std::thread::hardware_concurrency()));
    try {
        for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { workerLoop(i); });
    } catch (...) {
        shutDown(); // joinable threads must not be destroyed
        throw;
    }
}

ThreadPool::~ThreadPool() { shutDown(); }

void ThreadPool::shutDown()
{
    {
        std::lock_guard lock(mutex_);
        stop_ = true;
        generation_.fetch_add(1);
    }
    wake_.notify_all();
    for (auto& t : workers_)
        if (t.joinable()) t.join();
}

void ThreadPool::run(const std::function<void(int)>& fn)
{
    if (workers_.empty()) {
        fn(0);
        return;
    }
    error_ = nullptr;
    {
        std::lock_guard lock(mutex_);
        job_ = &fn;
        pending_.store(int(workers_.size()));
        generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    try {
        fn(0);
    } catch (...) {
        std::lock_guard lock(errorMutex_);
        if (!error_) error_ = std::current_exception();
    }
    if (!spinUntil([this] { return pending_.load(std::memory_order_acquire) == 0; })) {
        std::unique_lock lock(mutex_);
        done_.wait(lock, [this] { return pending_.load() == 0; });
    }
    if (error_) std::rethrow_exception(error_);
}

void ThreadPool::parallelFor(int n, int grain, const std::function<void(int, int, int)>& fn)
{
    grain = std::max(1, grain);
    const int chunks = (n + grain - 1) / grain;
    const int parts = std::min(size(), std::max(1, chunks));
    if (parts <= 1) {
        if (n > 0) fn(0, n, 0);
        return;
    }
    run([&](int worker) {
        if (worker >= parts) return;
        const int beginChunk = int(std::int64_t(chunks) * worker / parts);
        const int endChunk = int(std::int64_t(chunks) * (worker + 1) / parts);
        const int begin = std::min(n, beginChunk * grain);
        const int end = std::min(n, endChunk * grain);
        if (begin < end) fn(begin, end, worker);
    });
}

void ThreadPool::parallelForBalanced(int n, int grain, const std::function<void(int, int)>& fn)
{
    grain = std::max(1, grain);
    const int pieces = (n + grain - 1) / grain;
    if (pieces <= 1 || workers_.empty()) {
        if (n > 0) fn(0, n);
        return;
    }
    std::atomic<int> next{0};
    run([&](int) {
        for (int piece = next.fetch_add(1); piece < pieces; piece = next.fetch_add(1)) {
            const int begin = piece * grain;
            fn(begin, std::min(n, begin + grain));
        }
    });
}

void ThreadPool::workerLoop(int index)
{
    std::uint64_t seen = 0;
    int niceness = 0; // this thread's, as last set
    for (;;) {
        spinUntil([&] { return generation_.load(std::memory_order_acquire) != seen; });
        const std::function<void(int)>* job = nullptr;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [&] { return generation_.load() != seen; });
            seen = generation_.load();
            if (stop_) return;
            job = job_;
        }
        if (const int wanted = niceness_.load(std::memory_order_relaxed); wanted != niceness) {
#ifdef __linux__
            setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), wanted);
#endif
            niceness = wanted;
        }
        try {
            (*job)(index);
        } catch (...) {
            std::lock_guard lock(errorMutex_);
            if (!error_) error_ = std::current_exception();
        }
        if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            std::lock_guard lock(mutex_);
            done_.notify_all();
        }
    }
}

} // namespace ss

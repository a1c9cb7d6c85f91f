#pragma once
// The latest-value mailbox between a worker and its readers: the worker
// publishes immutable snapshots, readers take the newest one. Readers never
// wait on the worker's work, only on a pointer copy under a mutex; a snapshot,
// once published, is never changed (shared_ptr<const T>), so it may be read on
// any thread for as long as a reader holds it.
//
// T has a `std::int64_t serial` field: publish() numbers the snapshots 1, 2, ...
// in order, so a reader can tell a new one from one it already used.
#include <cstdint>
#include <memory>
#include <mutex>

namespace ss::app {

template <typename T>
class Mailbox {
public:
    // The worker's thread only (the serial counter is not shared).
    void publish(std::shared_ptr<T> value)
    {
        value->serial = ++serial_;
        std::shared_ptr<const T> frozen = std::move(value);
        std::lock_guard lock(mutex_);
        latest_ = std::move(frozen);
    }
    // Any thread: the newest snapshot, null before the first publish().
    std::shared_ptr<const T> latest() const
    {
        std::lock_guard lock(mutex_);
        return latest_;
    }

private:
    mutable std::mutex mutex_;
    std::shared_ptr<const T> latest_;
    std::int64_t serial_ = 0;
};

} // namespace ss::app

#pragma once
// Autosaves of running sessions, one pair of files per instance in a shared
// folder (the application's data folder):
//   session-<id>.lock          held (QLockFile) while the instance runs
//   autosave-<id>.scorescope   its scene, rewritten at the autosave interval
// An autosave whose lock is gone, or held by no running process, is a
// session that did not end cleanly: the one to offer after a crash. (A clean
// end removes the autosave before the lock, begin() takes the lock before the
// first autosave.) A running
// instance's files are never offered to, nor removed by, another instance,
// and a clean end removes only the instance's own pair.
//
// <id> is the process id and the start time, so a later process that reuses
// an id never takes over an old pair. Qt's lock also records the host, so a
// folder shared over the network does not mistake another machine's session
// for a dead one.
#include <QLockFile>
#include <QString>
#include <QStringList>

#include <memory>

namespace ss::window {

class AutosaveStore {
public:
    explicit AutosaveStore(const QString& dir);
    // Without end() first: the lock goes, the autosave stays (offered next time).
    ~AutosaveStore();
    AutosaveStore(const AutosaveStore&) = delete;
    AutosaveStore& operator=(const AutosaveStore&) = delete;

    // Creates the folder and takes this instance's lock; false (with
    // errorString()) when the folder cannot be written.
    bool begin();
    QString errorString() const { return error_; }
    QString dir() const { return dir_; }
    QString autosavePath() const { return autosave_; }
    QString lockPath() const { return lockPath_; }
    // A clean end: removes this instance's autosave and lock.
    void end();

    // The autosaves in dir of sessions whose process is gone, newest first
    // (their stale locks are removed on the way), including an older
    // version's crashed session (autosave.scorescope beside its marker
    // session-open; discard() removes the pair).
    static QStringList crashedAutosaves(const QString& dir);
    // Forgets a crashed session once its autosave was restored or declined:
    // removes the autosave, unless a running session holds its lock.
    static void discard(const QString& autosavePath);

private:
    QString dir_, autosave_, lockPath_, error_;
    std::unique_ptr<QLockFile> lock_;
};

} // namespace ss::window

#include "window/AutosaveStore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace ss::window {

namespace {

const QString kLockPrefix = QStringLiteral("session-");
const QString kLockSuffix = QStringLiteral(".lock");
const QString kSavePrefix = QStringLiteral("autosave-");
const QString kSaveSuffix = QStringLiteral(".scorescope");

// Before per-instance stores (up to scene version 1's first release) one
// autosave and one marker served every instance; a crash left both.
const QString kLegacySave = QStringLiteral("autosave.scorescope");
const QString kLegacyMarker = QStringLiteral("session-open");

QString lockOf(const QString& dir, const QString& id) { return QDir(dir).filePath(kLockPrefix + id + kLockSuffix); }
QString saveOf(const QString& dir, const QString& id) { return QDir(dir).filePath(kSavePrefix + id + kSaveSuffix); }

// Only a dead owner makes a lock stale: never its age (Qt's default would
// call a session older than 30 s abandoned).
std::unique_ptr<QLockFile> lockFile(const QString& path)
{
    auto lock = std::make_unique<QLockFile>(path);
    lock->setStaleLockTime(0);
    return lock;
}

} // namespace

AutosaveStore::AutosaveStore(const QString& dir) : dir_(dir)
{
    const QString id = QStringLiteral("%1-%2")
                           .arg(QCoreApplication::applicationPid())
                           .arg(QDateTime::currentMSecsSinceEpoch(), 0, 36);
    autosave_ = saveOf(dir, id);
    lockPath_ = lockOf(dir, id);
}

AutosaveStore::~AutosaveStore() = default; // QLockFile's own destructor removes the lock

bool AutosaveStore::begin()
{
    if (lock_) return true;
    if (!QDir().mkpath(dir_)) {
        error_ = QStringLiteral("cannot create %1").arg(dir_);
        return false;
    }
    auto lock = lockFile(lockPath_);
    if (!lock->tryLock(0)) {
        error_ = QStringLiteral("cannot write %1").arg(lockPath_);
        return false;
    }
    lock_ = std::move(lock);
    return true;
}

void AutosaveStore::end()
{
    if (!lock_) return;
    QFile::remove(autosave_);
    lock_->unlock(); // removes the lock file
    lock_.reset();
}

QStringList AutosaveStore::crashedAutosaves(const QString& dir)
{
    const QDir d(dir);
    // First the locks of sessions whose process is gone: taking one over
    // succeeds only then (a live owner, this process included, holds it),
    // and releasing it removes the file.
    for (const QString& name : d.entryList({kLockPrefix + "*" + kLockSuffix}, QDir::Files)) {
        auto lock = lockFile(d.filePath(name));
        if (lock->tryLock(0)) lock->unlock();
    }
    // Then every autosave left without a lock is a dead session's.
    QList<QFileInfo> found;
    for (const QFileInfo& save : d.entryInfoList({kSavePrefix + "*" + kSaveSuffix}, QDir::Files)) {
        const QString name = save.fileName();
        const QString id = name.mid(kSavePrefix.size(), name.size() - kSavePrefix.size() - kSaveSuffix.size());
        if (!QFileInfo::exists(lockOf(dir, id))) found.push_back(save);
    }
    // A crashed session of the single-autosave version: its marker is still there.
    if (d.exists(kLegacySave) && d.exists(kLegacyMarker)) found.push_back(QFileInfo(d.filePath(kLegacySave)));
    std::sort(found.begin(), found.end(),
              [](const QFileInfo& a, const QFileInfo& b) { return a.lastModified() > b.lastModified(); });
    QStringList out;
    for (const QFileInfo& f : found) out << f.absoluteFilePath();
    return out;
}

void AutosaveStore::discard(const QString& autosavePath)
{
    const QFileInfo save(autosavePath);
    const QString name = save.fileName();
    if (name == kLegacySave) { // the old layout's pair goes together
        QFile::remove(save.absoluteFilePath());
        QFile::remove(QDir(save.absolutePath()).filePath(kLegacyMarker));
        return;
    }
    if (!name.startsWith(kSavePrefix) || !name.endsWith(kSaveSuffix)) return;
    const QString id = name.mid(kSavePrefix.size(), name.size() - kSavePrefix.size() - kSaveSuffix.size());
    if (QFileInfo::exists(lockOf(save.absolutePath(), id))) return; // its session runs: never another's
    QFile::remove(save.absoluteFilePath());
}

} // namespace ss::window

#pragma once
// The scene document's one owner (after Tiled's DocumentManager): open, save,
// save as, the recent files, autosave with crash restore, and the window
// title's file name. The window listens (message) and supplies two things:
// capture, its part of a scene to write (the training thread adds the
// trainer's state and writes the file), and apply, which shows an opened
// scene (false: refused, the old one stays).
//
// A file is read and checked on the GUI thread, all or nothing (the "app"
// object by SceneState's strict reader). An opened scene samples at once and
// keeps training paused. Autosave: the current scene every kAutosaveMs to the
// application's data folder, in this instance's own file under its own session
// lock (AutosaveStore); a clean end removes both. At start-up the autosaves of
// sessions whose process is gone (never a running instance's) are offered.
#include "engine/SceneController.h"
#include "core/SceneFile.h"
#include "state/SceneState.h"

#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

class QMenu;
class QTimer;
class QWidget;

namespace ss::window {

class AutosaveStore;

class SceneDocuments : public QObject {
    Q_OBJECT
public:
    using Capture = std::function<SceneDocument()>;
    using Apply = std::function<bool(const app::SceneSetup&, const state::AppState&, const std::vector<LossRecord>&)>;
    // window: the dialogs' parent and the title's owner; startPath: a dialog's
    // start for a file name when no scene file is open yet. useSettings: the
    // recent files are remembered in QSettings.
    SceneDocuments(QWidget* window, app::SceneController* controller, bool useSettings, Capture capture, Apply apply,
                   std::function<QString(const QString&)> startPath);
    ~SceneDocuments() override; // a clean end: this instance's autosave and lock go

    void addToMenu(QMenu* menu); // Open, Open recent, Save, Save as
    // Start-up with settings: the recent files, then (once the window is up)
    // autosave in the application's data folder and the crash-restore question.
    void startSession();

    // false, with the reason in message(), when the file is refused; the
    // current scene is then untouched.
    bool open(const QString& path);
    // Asynchronous: the training thread writes the file (atomically) and
    // reports; file() changes once it is written.
    void save(const QString& path);
    QString file() const { return file_; } // empty: never saved or opened
    QStringList recent() const { return recent_; } // newest first, at most kMaxRecent
    static constexpr int kMaxRecent = 8;

    // Autosave into dir every intervalMs (0 stops it), in this instance's own
    // file guarded by its session lock.
    void setAutosave(const QString& dir, int intervalMs);
    QString autosavePath() const;    // empty: autosave off
    QString sessionLockPath() const; // empty: autosave off
    static QStringList crashedAutosaves(const QString& dir);
    static constexpr int kAutosaveMs = 2 * 60 * 1000;

signals:
    void message(const QString& text, bool isError);

private:
    bool openFile(const QString& path, bool restoringAutosave);
    void onSaved(const QString& path, bool autosave);
    void rememberRecent(const QString& path);
    void rebuildRecentMenu();
    void updateTitle();
    void offerCrashRestore(const QString& dir);
    void endAutosave();

    QWidget* window_;
    app::SceneController* controller_;
    bool useSettings_;
    Capture capture_;
    Apply apply_;
    std::function<QString(const QString&)> startPath_;
    QString file_;       // Save writes here; empty: none yet
    QStringList recent_; // newest first
    QMenu* recentMenu_ = nullptr;
    QTimer* autosave_;
    std::unique_ptr<AutosaveStore> store_; // null: no autosave
};

} // namespace ss::window

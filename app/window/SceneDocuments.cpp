#include "window/SceneDocuments.h"

#include "window/AutosaveStore.h"
#include "core/Error.h"

#include <QAction>
#include <QDateTime>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QStandardPaths>
#include <QTimer>
#include <QWidget>

namespace ss::window {

SceneDocuments::SceneDocuments(QWidget* window, app::SceneController* controller, bool useSettings, Capture capture,
                               Apply apply, std::function<QString(const QString&)> startPath)
    : QObject(window), window_(window), controller_(controller), useSettings_(useSettings),
      capture_(std::move(capture)), apply_(std::move(apply)), startPath_(std::move(startPath))
{
    autosave_ = new QTimer(this);
    connect(autosave_, &QTimer::timeout, this, [this] {
        if (store_) controller_->training()->postSaveScene(capture_(), store_->autosavePath(), true);
    });
    connect(controller_, &app::SceneController::sceneSaved, this, &SceneDocuments::onSaved);
    updateTitle();
}

SceneDocuments::~SceneDocuments() { endAutosave(); }

void SceneDocuments::addToMenu(QMenu* menu)
{
    QAction* open = menu->addAction(tr("&Open scene…"), this, [this] {
        const QString start = file_.isEmpty() ? startPath_(QString()) : QFileInfo(file_).absolutePath();
        const QString path = QFileDialog::getOpenFileName(window_, tr("Open scene"), start,
                                                          tr("ScoreScope scenes (*.scorescope);;All files (*)"));
        if (!path.isEmpty()) this->open(path);
    });
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = menu->addMenu(tr("Open &recent"));
    connect(recentMenu_, &QMenu::aboutToShow, this, &SceneDocuments::rebuildRecentMenu);
    auto saveAs = [this] {
        const QString start = file_.isEmpty() ? startPath_("scene.scorescope") : file_;
        QString path =
            QFileDialog::getSaveFileName(window_, tr("Save scene as"), start, tr("ScoreScope scenes (*.scorescope)"));
        if (path.isEmpty()) return;
        if (QFileInfo(path).suffix().isEmpty()) path += ".scorescope";
        save(path);
    };
    QAction* save = menu->addAction(tr("&Save scene"), this, [this, saveAs] {
        if (file_.isEmpty()) saveAs();
        else this->save(file_);
    });
    save->setShortcut(QKeySequence::Save);
    QAction* saveAsAction = menu->addAction(tr("Save scene &as…"), this, saveAs);
    saveAsAction->setShortcut(QKeySequence(tr("Ctrl+Shift+S")));
}

void SceneDocuments::startSession()
{
    recent_ = QSettings().value("scenes/recent").toStringList();
    while (recent_.size() > kMaxRecent) recent_.removeLast();
    // After the window is up: this session's lock first (a restored scene
    // becomes its autosave), then the question about dead sessions.
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QTimer::singleShot(0, this, [this, dir] {
        setAutosave(dir, kAutosaveMs);
        offerCrashRestore(dir);
    });
}

void SceneDocuments::save(const QString& path)
{
    controller_->training()->postSaveScene(capture_(), path); // the training thread reports
}

void SceneDocuments::onSaved(const QString& path, bool autosave)
{
    if (autosave) return; // the scene keeps its own file
    file_ = QFileInfo(path).absoluteFilePath();
    rememberRecent(file_);
    updateTitle();
}

bool SceneDocuments::open(const QString& path) { return openFile(path, false); }

bool SceneDocuments::openFile(const QString& path, bool restoringAutosave)
{
    // Everything is read and checked before anything changes.
    SceneDocument doc;
    state::AppState app;
    try {
        doc = ss::loadScene(path.toStdString());
        app = state::appStateFromJson(doc.app, QFileInfo(path).fileName().toStdString() + ": app");
    } catch (const InputError& e) {
        emit message(tr("scene not opened: %1").arg(QString::fromStdString(e.what())), true);
        return false;
    }
    const std::vector<LossRecord> history = std::move(doc.history);
    app::SceneSetup next = state::setupFromScene(std::move(doc), app, controller_->setup());
    if (!app.title) next.title = QFileInfo(path).completeBaseName();
    if (!apply_(next, app, history)) return false; // the trainer refused the state (reported); the old scene goes on
    file_ = restoringAutosave ? QString() : QFileInfo(path).absoluteFilePath();
    if (!restoringAutosave) rememberRecent(file_);
    updateTitle();
    emit message(tr("%1 %2: %3 points, training step %4 (paused)")
                     .arg(restoringAutosave ? tr("restored") : tr("opened"))
                     .arg(QFileInfo(path).fileName())
                     .arg(next.training.data->size())
                     .arg(next.training.resume ? next.training.resume->adam.step : 0),
                 false);
    return true;
}

void SceneDocuments::rememberRecent(const QString& path)
{
    recent_.removeAll(path);
    recent_.prepend(path);
    while (recent_.size() > kMaxRecent) recent_.removeLast();
    if (useSettings_) QSettings().setValue("scenes/recent", recent_);
}

void SceneDocuments::rebuildRecentMenu()
{
    recentMenu_->clear();
    if (recent_.isEmpty()) {
        recentMenu_->addAction(tr("(no scenes yet)"))->setEnabled(false);
        return;
    }
    for (int k = 0; k < recent_.size(); ++k) {
        const QString path = recent_[k];
        QAction* a = recentMenu_->addAction(QStringLiteral("&%1  %2").arg(k + 1).arg(QFileInfo(path).fileName()));
        a->setToolTip(path);
        a->setStatusTip(path);
        connect(a, &QAction::triggered, this, [this, path] {
            if (!QFileInfo::exists(path)) {
                recent_.removeAll(path);
                if (useSettings_) QSettings().setValue("scenes/recent", recent_);
                emit message(tr("%1 no longer exists; removed from the recent scenes").arg(path), true);
                return;
            }
            open(path);
        });
    }
}

void SceneDocuments::updateTitle()
{
    window_->setWindowTitle(file_.isEmpty() ? tr("ScoreScope") : tr("%1 — ScoreScope").arg(QFileInfo(file_).fileName()));
}

QString SceneDocuments::autosavePath() const { return store_ ? store_->autosavePath() : QString(); }

QString SceneDocuments::sessionLockPath() const { return store_ ? store_->lockPath() : QString(); }

QStringList SceneDocuments::crashedAutosaves(const QString& dir) { return AutosaveStore::crashedAutosaves(dir); }

void SceneDocuments::setAutosave(const QString& dir, int intervalMs)
{
    autosave_->stop();
    if (store_ && (dir != store_->dir() || intervalMs <= 0)) endAutosave();
    if (dir.isEmpty() || intervalMs <= 0) return;
    if (!store_) {
        auto store = std::make_unique<AutosaveStore>(dir);
        if (!store->begin()) {
            emit message(tr("autosave off: %1").arg(store->errorString()), true);
            return;
        }
        store_ = std::move(store);
    }
    autosave_->start(intervalMs);
}

// A clean end: this instance's autosave and lock go; other instances' stay.
void SceneDocuments::endAutosave()
{
    if (!store_) return;
    store_->end();
    store_.reset();
}

// Start-up, after setAutosave: the autosaves of sessions that died, newest
// first. A restored one becomes this session's own autosave (so a crash
// before the next autosave still keeps it); a declined one is forgotten; one
// that cannot be opened stays (the reason is shown).
void SceneDocuments::offerCrashRestore(const QString& dir)
{
    for (const QString& file : crashedAutosaves(dir)) {
        const QString when = QFileInfo(file).lastModified().toString(QStringLiteral("yyyy-MM-dd hh:mm"));
        const auto answer = QMessageBox::question(
            window_, tr("Restore the last scene?"),
            tr("ScoreScope did not close properly last time. Restore the scene saved automatically at %1?").arg(when),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
        if (answer != QMessageBox::Yes) {
            AutosaveStore::discard(file);
            continue;
        }
        if (!openFile(file, true)) continue;
        if (store_) {
            QFile::remove(store_->autosavePath());
            QFile::rename(file, store_->autosavePath());
        }
        return; // one scene restored; the others are offered next time
    }
}

} // namespace ss::window

#include "window/ExportActions.h"

#include "core/Csv.h"
#include "core/Error.h"
#include "window/ExportAnimationDialog.h"
#include "window/ExportStillDialog.h"
#include "view/SceneView.h"
#include "paint/StillExport.h"
#include "window/TrainingPanel.h"
#include "core/TrajectoryCsv.h"

#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMenu>
#include <QProgressDialog>

#include <cmath>
#include <cstdio>

namespace ss::window {

ExportActions::ExportActions(QWidget* parent, view::SceneView* view, app::SceneController* controller,
                             TrainingPanel* training, std::function<app::AnimationJob()> job)
    : QObject(parent), parent_(parent), view_(view), controller_(controller), training_(training), job_(std::move(job))
{
}

ExportActions::~ExportActions() = default;

void ExportActions::addToMenu(QMenu* menu)
{
    QAction* picture = menu->addAction(tr("Export &picture (PNG, SVG, PDF)…"), this, [this] {
        ExportStillDialog dialog(view_->size(), pathBeside("scorescope.png"), parent_);
        if (dialog.exec() == QDialog::Accepted) exportPicture(dialog.path(), dialog.pictureSize());
    });
    picture->setShortcut(QKeySequence(tr("Ctrl+E")));
    QAction* animation = menu->addAction(tr("Export &animation (MP4, WebM, GIF, PNG sequence)…"), this, [this] {
        ExportAnimationDialog dialog(pathBeside("scorescope.mp4"), parent_);
        if (dialog.exec() == QDialog::Accepted) exportAnimation(dialog.job(job_()), dialog.path());
    });
    animation->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
    // A file dialog, then the export; nothing when cancelled.
    auto entry = [this, menu](const QString& label, const QString& title, const QString& name, const QString& filter,
                              std::function<void(const QString&)> write) {
        menu->addAction(label, this, [this, title, name, filter, write] {
            const QString path = QFileDialog::getSaveFileName(parent_, title, pathBeside(name), filter);
            if (!path.isEmpty()) write(path);
        });
    };
    entry(tr("Export &samples as CSV…"), tr("Export samples"), "samples.csv", tr("CSV (*.csv)"),
          [this](const QString& p) { exportSamplesCsv(p); });
    entry(tr("Export &trajectories as CSV…"), tr("Export trajectories"), "trajectories.csv", tr("CSV (*.csv)"),
          [this](const QString& p) { exportTrajectoriesCsv(p); });
    entry(tr("Export the &model as JSON…"), tr("Export model"), "model.json", tr("JSON (*.json)"),
          [this](const QString& p) { exportModel(p); });
    entry(tr("Export the &loss history as CSV…"), tr("Export loss history"), "loss.csv", tr("CSV (*.csv)"),
          [this](const QString& p) { exportLossCsv(p); });
}

QString ExportActions::pathBeside(const QString& name) const
{
    return lastDir_.isEmpty() ? name : QDir(lastDir_).filePath(name);
}

bool ExportActions::exportPicture(const QString& path, QSize size)
{
    try {
        view::exportStill(view_->picture(), path, size);
    } catch (const InputError& e) {
        emit message(QString::fromStdString(e.what()), true);
        return false;
    }
    lastDir_ = QFileInfo(path).absolutePath();
    emit message(tr("picture saved to %1 (%2 × %3)").arg(path).arg(size.width()).arg(size.height()), false);
    return true;
}

bool ExportActions::saveText(const QString& path, const std::string& text, const QString& done)
{
    try {
        writeFileAtomically(path.toStdString(), text);
    } catch (const InputError& e) { // names the path and the reason
        emit message(QString::fromStdString(e.what()), true);
        return false;
    }
    lastDir_ = QFileInfo(path).absolutePath();
    emit message(done, false);
    return true;
}

bool ExportActions::exportSamplesCsv(const QString& path)
{
    const app::ParticlesPtr p = controller_->sampling()->latest();
    std::string text = "x,y\n";
    char line[64];
    for (Eigen::Index j = 0; j < p->particles.cols(); ++j) {
        std::snprintf(line, sizeof line, "%.17g,%.17g\n", p->particles(0, j), p->particles(1, j));
        text += line;
    }
    return saveText(
        path, text,
        tr("%1 samples (run %2, step %3) saved to %4").arg(p->particles.cols()).arg(p->run + 1).arg(p->step).arg(path));
}

bool ExportActions::exportTrajectoriesCsv(const QString& path)
{
    // The trails on screen, oldest first, in the one trajectory layout
    // (core/TrajectoryCsv.h): the sampler's step and level of each.
    const app::ParticlesPtr p = controller_->sampling()->latest();
    return saveText(path, trajectoryCsvText(app::trailFrames(*p)),
                    tr("trajectories of %1 particles over %2 steps saved to %3")
                        .arg(p->particles.cols())
                        .arg(int(p->trail.size()))
                        .arg(path));
}

bool ExportActions::exportLossCsv(const QString& path)
{
    const std::vector<LossRecord>& history = training_->history();
    const std::size_t levels = history.empty() ? 0 : history.back().levels.size();
    std::string text = "step,loss";
    for (std::size_t k = 1; k <= levels; ++k) text += ",level_" + std::to_string(k);
    text += "\n";
    char cell[40];
    for (const LossRecord& r : history) {
        text += std::to_string(r.step);
        std::snprintf(cell, sizeof cell, ",%.9g", r.loss);
        text += cell;
        for (std::size_t k = 0; k < levels; ++k) { // empty where the level had no example yet
            const double v = k < r.levels.size() ? r.levels[k] : std::nan("");
            if (std::isfinite(v)) std::snprintf(cell, sizeof cell, ",%.9g", v);
            else std::snprintf(cell, sizeof cell, ",");
            text += cell;
        }
        text += "\n";
    }
    return saveText(path, text, tr("loss history (%1 records) saved to %2").arg(history.size()).arg(path));
}

void ExportActions::exportModel(const QString& path)
{
    lastDir_ = QFileInfo(path).absolutePath();
    controller_->training()->postSaveModel(path); // the training thread owns the weights; it reports
}

bool ExportActions::exportAnimation(const app::AnimationJob& job, const QString& path)
{
    if (export_ && export_->running()) {
        emit message(tr("an export is already running"), true);
        return false;
    }
    export_ = std::make_unique<app::AnimationExport>(job, path);
    auto* progress =
        new QProgressDialog(tr("Exporting %1…").arg(QFileInfo(path).fileName()), tr("Cancel"), 0, 1, parent_);
    progress->setObjectName("exportProgress");
    progress->setWindowModality(Qt::NonModal); // the window goes on training and sampling meanwhile
    progress->setMinimumDuration(0);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    connect(progress, &QProgressDialog::canceled, export_.get(), &app::AnimationExport::cancel);
    connect(export_.get(), &app::AnimationExport::progress, progress, [progress](int done, int total) {
        progress->setMaximum(total);
        progress->setValue(done);
    });
    connect(export_.get(), &app::AnimationExport::finished, this, [this, progress, path](bool ok, const QString& m) {
        progress->close();
        if (ok) lastDir_ = QFileInfo(path).absolutePath();
        emit message(m, !ok);
    });
    export_->start();
    emit message(tr("exporting %1…").arg(path), false);
    return true;
}

} // namespace ss::window

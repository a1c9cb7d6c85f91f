#include "window/StepThrough.h"

#include "engine/SamplingWorker.h"
#include "view/SceneView.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>

#include <algorithm>
#include <limits>

namespace ss::window {

StepThrough::StepThrough(view::SceneView* scene, std::function<app::SamplingWorker*()> worker, QObject* parent)
    : QObject(parent), scene_(scene), worker_(std::move(worker))
{
    connect(scene_, &view::SceneView::particleClicked, this, &StepThrough::clicked);
}

void StepThrough::follow(std::vector<Eigen::Index> columns)
{
    if (int(columns.size()) > kMaxFollowed) columns.erase(columns.begin(), columns.end() - kMaxFollowed);
    followed_ = std::move(columns);
    if (app::SamplingWorker* w = worker_()) w->postFollow(followed_);
    showRow();
    emit followChanged();
}

void StepThrough::clicked(qint64 column, Qt::KeyboardModifiers modifiers)
{
    const bool adding = modifiers & (Qt::ShiftModifier | Qt::ControlModifier);
    if (column < 0) {
        if (!adding && !followed_.empty()) stop(); // a click on empty scene
        return;
    }
    std::vector<Eigen::Index> next = adding ? followed_ : std::vector<Eigen::Index>{};
    const auto at = std::find(next.begin(), next.end(), Eigen::Index(column));
    if (adding && at != next.end()) next.erase(at);
    else next.push_back(Eigen::Index(column));
    follow(std::move(next));
}

void StepThrough::toggleNearCentre()
{
    if (!followed_.empty()) {
        stop();
        return;
    }
    const qint64 column = scene_->particleAt(scene_->rect().center(), std::numeric_limits<double>::infinity());
    if (column >= 0) follow({Eigen::Index(column)});
}

QWidget* StepThrough::makeRow(QWidget* parent)
{
    auto* row = new QWidget(parent);
    row->setObjectName("stepThroughRow");
    auto* layout = new QHBoxLayout(row);
    layout->setContentsMargins(0, 0, 0, 0);
    rowText_ = new QLabel(row);
    rowText_->setObjectName("stepThroughText");
    rowText_->setWordWrap(true);
    stopButton_ = new QPushButton(tr("Stop following"), row);
    stopButton_->setObjectName("stepThroughStop");
    connect(stopButton_, &QPushButton::clicked, this, &StepThrough::stop);
    layout->addWidget(rowText_, 1);
    layout->addWidget(stopButton_);
    showRow();
    return row;
}

void StepThrough::showRow()
{
    if (!rowText_) return;
    if (followed_.empty()) {
        rowText_->setText(tr("<b>Step-through:</b> click a particle in the scene (or press F there) to see its "
                             "update as the sampler's equation; Shift+click adds one."));
    } else {
        QStringList names;
        for (Eigen::Index j : followed_) names << QString::number(j);
        rowText_->setText(tr("<b>Following</b> particle %1. Step (→) to see each update; Shift+click adds or "
                             "removes one.")
                              .arg(names.join(QStringLiteral(", "))));
    }
    stopButton_->setEnabled(!followed_.empty());
}

} // namespace ss::window

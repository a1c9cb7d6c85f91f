#include "window/RaceView.h"

#include <QPaintEvent>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ss::window {

RaceView::RaceView(QWidget* parent) : QWidget(parent)
{
    setObjectName("raceView");
    setMinimumSize(320, 200);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

void RaceView::showLive(app::RaceLivePtr live)
{
    live_ = std::move(live);
    update();
}

int RaceView::columnsFor(int n, double w, double h)
{
    int best = 1;
    double bestSide = 0;
    for (int cols = 1; cols <= std::max(1, n); ++cols) {
        const int rows = (n + cols - 1) / cols;
        const double side = std::min(w / cols, h / rows); // the square that fits a cell
        if (side > bestSide + 1e-9) best = cols, bestSide = side;
    }
    return best;
}

QString RaceView::laneCaption(const app::RaceLaneState& lane, const RaceFloor& floor)
{
    QString text = QStringLiteral("%1 · %2 score\n").arg(QString::fromStdString(lane.name),
                                                          QString::fromStdString(lane.score));
    text += lane.totalSteps > 0 ? tr("step %1 / %2").arg(lane.stepsTaken).arg(lane.totalSteps)
                                : tr("step %1 (adaptive)").arg(lane.stepsTaken);
    text += tr(" · NFE %1").arg(lane.evaluations);
    if (lane.diverged) return text + tr("\ndiverged: %1").arg(QString::fromStdString(lane.note));
    if (lane.done && std::isfinite(lane.sw2)) {
        text += tr("\nsliced W2 %1").arg(lane.sw2, 0, 'g', 3);
        if (std::isfinite(floor.sw2)) text += tr(" (floor %1)").arg(floor.sw2, 0, 'g', 3);
        if (std::isfinite(lane.modeTv)) text += tr("\nmodes off by %1 %").arg(100 * lane.modeTv, 0, 'f', 1);
    }
    return text;
}

view::ScenePicture RaceView::lanePicture(const view::ScenePicture& scene, const app::RaceLaneState& lane,
                                         const RaceFloor& floor, double aspect)
{
    view::ScenePicture pic = scene;
    auto particles = std::make_shared<app::ParticleSnapshot>();
    particles->particles = lane.particles;
    particles->level = lane.level;
    particles->step = lane.stepsTaken;
    particles->totalSteps = lane.totalSteps;
    particles->done = lane.done;
    particles->evaluations = lane.evaluations;
    pic.particles = particles;
    pic.caption = laneCaption(lane, floor);
    pic.corner.clear();
    // The same centre and scale as the scene, widened (never cropped) to the panel's shape.
    QRectF w = scene.world;
    if (w.isValid() && aspect > 0) {
        const QPointF c = w.center();
        double width = w.width(), height = w.height();
        if (width / height < aspect) width = height * aspect;
        else height = width / aspect;
        w = QRectF(c.x() - width / 2, c.y() - height / 2, width, height);
    }
    pic.world = w;
    return pic;
}

void RaceView::paintEvent(QPaintEvent*)
{
    if (sinceFrame_.isValid()) frameTimes_.push_back(double(sinceFrame_.nsecsElapsed()) / 1e6);
    sinceFrame_.start();
    QPainter p(this);
    p.fillRect(rect(), palette().window());
    if (!live_ || live_->lanes.empty() || !scene_) {
        p.setPen(palette().text().color());
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 1.3);
        p.setFont(f);
        p.drawText(rect().adjusted(20, 20, -20, -20), Qt::AlignCenter | Qt::TextWordWrap,
                   tr("Pick 2–6 configurations on the left and press Run side by side: they start from the same "
                      "noise and run here, one panel each, in lockstep."));
        return;
    }
    const view::ScenePicture scene = scene_();
    const int n = int(live_->lanes.size());
    const int gap = 6;
    const int cols = columnsFor(n, width(), height()), rows = (n + cols - 1) / cols;
    const double cw = double(width() - gap * (cols - 1)) / cols, ch = double(height() - gap * (rows - 1)) / rows;
    for (int i = 0; i < n; ++i) {
        const QRectF cell((i % cols) * (cw + gap), (i / cols) * (ch + gap), cw, ch);
        p.save();
        p.translate(cell.topLeft());
        p.setClipRect(QRectF(QPointF(0, 0), cell.size()));
        view::paintScene(p, lanePicture(scene, live_->lanes[std::size_t(i)], live_->floor, cw / ch), cell.size());
        p.restore();
        p.setPen(QPen(palette().mid().color(), 1));
        p.setBrush(Qt::NoBrush);
        p.drawRect(cell.adjusted(0, 0, -1, -1));
    }
}

} // namespace ss::window

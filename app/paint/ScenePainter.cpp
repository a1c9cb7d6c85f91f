#include "paint/ScenePainter.h"

#include "paint/ColourBar.h"
#include "paint/ColourMap.h"
#include "paint/DensityPaint.h"
#include "paint/SceneColours.h"
#include "paint/SceneGeometry.h"
#include "paint/StepThroughPaint.h"
#include "paint/TargetPaint.h"

#include <QObject> // tr()
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace ss::view {

namespace {

QColor withAlpha(QColor c, double a)
{
    c.setAlphaF(float(std::clamp(a, 0.0, 1.0)));
    return c;
}

void paintPoints(QPainter& p, const Mapping& m, const Eigen::Matrix2Xd& pts, const QColor& colour, double opacity,
                 double diameter)
{
    p.setPen(Qt::NoPen);
    p.setBrush(withAlpha(colour, opacity));
    const double r = diameter / 2;
    for (Eigen::Index j = 0; j < pts.cols(); ++j) p.drawEllipse(m(pts(0, j), pts(1, j)), r, r);
}

// The GL arrow's shape: a shaft of halfWidth and a head 3x as wide, at most
// head pixels (and 40% of the arrow) long.
void paintArrows(QPainter& p, const Mapping& m, const Eigen::Matrix2Xd& tails, const Eigen::Matrix2Xd& vectors,
                 const QColor& colour, double opacity, double halfWidth, double head)
{
    p.setPen(Qt::NoPen);
    p.setBrush(withAlpha(colour, opacity));
    for (Eigen::Index j = 0; j < tails.cols(); ++j) {
        const QPointF a = m(tails(0, j), tails(1, j));
        const QPointF b = m(tails(0, j) + vectors(0, j), tails(1, j) + vectors(1, j));
        const QPolygonF shape = arrowShape(a, b, halfWidth, head);
        if (!shape.isEmpty()) p.drawPolygon(shape);
    }
}

} // namespace

HeatValues heatValues(const app::FieldSnapshot& f, const LayerSettings& layers)
{
    HeatValues h;
    h.error = layers.error.visible && f.error.size() > 0;
    if (h.error) {
        h.max = std::max(double(f.error.maxCoeff()), 1e-30);
        h.values = f.error / float(h.max);
    } else if (layers.density.visible && f.logDensity.size() > 0) {
        h.max = f.logDensity.maxCoeff();
        h.values = ((f.logDensity - float(h.max)).exp()).sqrt();
    }
    return h;
}

bool showsModelDensity(const ScenePicture& s) { return s.modelDensity && s.layers.modelDensity.visible; }

Eigen::Matrix2Xd fieldArrows(const Eigen::Matrix2Xd& s, double cell)
{
    if (s.cols() == 0) return s;
    Eigen::VectorXd norms = s.colwise().norm().transpose();
    std::vector<double> sorted(norms.data(), norms.data() + norms.size());
    const auto at = std::ptrdiff_t(0.95 * double(sorted.size() - 1));
    std::nth_element(sorted.begin(), sorted.begin() + at, sorted.end());
    const double ref = std::max(sorted[std::size_t(at)], 1e-12);
    Eigen::Matrix2Xd out(2, s.cols());
    for (Eigen::Index j = 0; j < s.cols(); ++j) {
        const double len = 0.9 * cell * std::min(1.0, norms(j) / ref);
        out.col(j) = norms(j) > 0 ? Eigen::Vector2d(s.col(j) / norms(j) * len) : Eigen::Vector2d::Zero();
    }
    return out;
}

std::vector<float> trailVertices(const std::deque<Eigen::Matrix2Xd>& trail, int maxParticles, double longJump)
{
    std::vector<float> v;
    const int steps = int(trail.size());
    if (steps < 2) return v;
    const int n = std::min<int>(maxParticles, int(trail.back().cols()));
    v.reserve(std::size_t(n) * std::size_t(steps - 1) * 6);
    for (int k = 0; k + 1 < steps; ++k) {
        const float a0 = float(k + 1) / float(steps), a1 = float(k + 2) / float(steps);
        const Eigen::Matrix2Xd &p = trail[std::size_t(k)], &q = trail[std::size_t(k + 1)];
        if (p.cols() != q.cols() || p.cols() < n) continue;
        for (int j = 0; j < n; ++j) {
            const double len = std::hypot(q(0, j) - p(0, j), q(1, j) - p(1, j));
            const float fade = float(std::max(0.0, 1.0 - len / longJump));
            if (fade <= 0) continue;
            v.insert(v.end(), {float(p(0, j)), float(p(1, j)), a0 * fade, float(q(0, j)), float(q(1, j)), a1 * fade});
        }
    }
    return v;
}

void paintScene(QPainter& p, const ScenePicture& s, QSizeF size)
{
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(QRectF(QPointF(0, 0), size), kBackground);
    const Mapping m{s.world, size};
    const LayerSettings& l = s.layers;
    const double k = s.scale;
    const ScenePalette& c = scenePalette(s.palette);
    if (showsModelDensity(s)) {
        const DensityHeat h = densityHeat(*s.modelDensity, l.modelDensityView);
        const QRectF r = densityImageRect(*s.modelDensity);
        p.setOpacity(l.modelDensity.opacity);
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        p.drawImage(QRectF(m(r.left(), r.bottom()), m(r.right(), r.top())), colourImage(h.kind, h.values));
        p.setOpacity(1.0);
    } else if (s.field) {
        const HeatValues h = heatValues(*s.field, l);
        if (h.values.size() > 0) {
            const app::FieldRequest& r = s.field->request;
            const QImage image = colourImage(h.error ? ColourMapKind::Error : ColourMapKind::Density, h.values);
            const QRectF target(m(r.xMin, r.yMax), m(r.xMax, r.yMin));
            p.setOpacity(h.error ? l.error.opacity : l.density.opacity);
            p.setRenderHint(QPainter::SmoothPixmapTransform);
            p.drawImage(target, image);
            p.setOpacity(1.0);
        }
    }
    if (s.data && l.data.visible) paintPoints(p, m, s.data->points, c.data, l.data.opacity, 3.5 * k);
    if (s.field && l.noised.visible) paintPoints(p, m, s.field->noised, c.noised, l.noised.opacity, 3.5 * k);
    if (s.field) {
        const app::FieldRequest& r = s.field->request;
        const double cell = (r.xMax - r.xMin) / std::max(1, r.arrows);
        auto arrows = [&](const Eigen::Matrix2Xd& score, const QColor& colour, double opacity) {
            const Eigen::Matrix2Xd v = fieldArrows(score, cell);
            paintArrows(p, m, s.field->grid - 0.5 * v, v, colour, opacity, 0.9 * k, 7 * k);
        };
        if (l.exactField.visible) arrows(s.field->exact, c.exact, l.exactField.opacity);
        if (l.learnedField.visible && s.field->learned.size() > 0) arrows(s.field->learned, c.learned, l.learnedField.opacity);
    }
    if (s.particles) {
        if (l.trails.visible) {
            const double longJump = 0.06 * std::max(size.width(), size.height()) / m.pixelsPerUnit();
            const std::vector<float> v = trailVertices(s.particles->trail, kMaxTrailedParticles, longJump);
            for (std::size_t i = 0; i + 5 < v.size(); i += 6) {
                p.setPen(QPen(withAlpha(c.trails, l.trails.opacity * 0.5 * (v[i + 2] + v[i + 5])), 1.0 * k));
                p.drawLine(m(v[i], v[i + 1]), m(v[i + 3], v[i + 4]));
            }
        }
        if (l.particles.visible) paintPoints(p, m, s.particles->particles, c.particles, l.particles.opacity, 4.0 * k);
        const StepTerms& t = s.particles->lastStep;
        // The first 400 particles' terms, unless the step-through follows some (paintFollowed draws theirs).
        if (l.decomposition.visible && !s.particles->playing && s.particles->followed.empty() &&
            t.score.cols() == s.particles->particles.cols()) {
            const Eigen::Index n = std::min<Eigen::Index>(400, t.score.cols());
            const Eigen::Matrix2Xd end = s.particles->particles.leftCols(n);
            const Eigen::Matrix2Xd start = end - t.drift.leftCols(n) - t.score.leftCols(n) - t.noise.leftCols(n);
            const Eigen::Matrix2Xd afterDrift = start + t.drift.leftCols(n);
            paintArrows(p, m, start, t.drift.leftCols(n), c.drift, 1.0, 1.0 * k, 7 * k);
            paintArrows(p, m, afterDrift, t.score.leftCols(n), c.score, 1.0, 1.0 * k, 7 * k);
            paintArrows(p, m, afterDrift + t.score.leftCols(n), t.noise.leftCols(n), c.noise, 1.0, 1.0 * k, 7 * k);
        }
    }
    p.restore();
    paintOverlay(p, s, size);
    // A diverged run says so in every picture of it (stills, animation frames):
    // the particles shown are its last finite ones, not a result.
    if (s.particles && s.particles->divergence)
        paintBanner(p, QString::fromStdString(s.particles->divergence->describe(true)), true, size, s.scale);
}

void paintOverlay(QPainter& p, const ScenePicture& s, QSizeF size)
{
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    QFont font = p.font();
    font.setPointSizeF(std::max(10.0, font.pointSizeF() * 1.15) * s.scale);
    p.setFont(font);
    const QFontMetricsF fm(font);
    const double W = size.width(), H = size.height(), k = s.scale;
    const Mapping m{s.world, size};
    // Axes: ticks and labels along the bottom and left edges, faint grid lines.
    const QRectF& world = s.world;
    const double step = niceStep(std::max(world.width(), world.height()), 8);
    const double x0 = std::ceil(world.left() / step) * step, y0 = std::ceil(world.top() / step) * step;
    p.setPen(QPen(QColor(0, 0, 0, 22), 1 * k));
    for (double x = x0; x <= world.right(); x += step) p.drawLine(QPointF(m(x, 0).x(), 0), QPointF(m(x, 0).x(), H));
    for (double y = y0; y <= world.bottom(); y += step) p.drawLine(QPointF(0, m(0, y).y()), QPointF(W, m(0, y).y()));
    p.setPen(QPen(QColor(40, 40, 40), 1 * k));
    auto label = [&](double v) { return QString::number(std::abs(v) < 1e-9 * step ? 0.0 : v, 'g', 4); };
    for (double x = x0; x <= world.right(); x += step) {
        const double px = m(x, 0).x();
        p.drawLine(QPointF(px, H), QPointF(px, H - 6 * k));
        p.drawText(QPointF(px - fm.horizontalAdvance(label(x)) / 2, H - 9 * k), label(x));
    }
    for (double y = y0; y <= world.bottom(); y += step) {
        const double py = m(0, y).y();
        p.drawLine(QPointF(0, py), QPointF(6 * k, py));
        p.drawText(QPointF(9 * k, py + fm.ascent() / 2 - 1), label(y));
    }
    // The exact target of a guided or conditioned run, under the step-through's arrows.
    if (s.layers.target.visible && s.particles && s.particles->tilted)
        paintTiltedTarget(p, *s.particles->tilted, s.world, size, k, scenePalette(s.palette), s.layers.target.opacity);
    if (s.layers.target.visible && s.particles && s.particles->posterior)
        paintSdeditTarget(p, *s.particles->posterior, s.particles->setup.sdedit.points.get(),
                          s.particles->setup.sdedit.t0, s.world, size, k, scenePalette(s.palette),
                          s.layers.target.opacity);
    if (s.layers.target.visible && s.particles && s.particles->target)
        paintTarget(p, *s.particles->target, s.world, size, k, scenePalette(s.palette), s.layers.target.opacity);
    // The step-through: the followed particles' arrows and the card with their equation.
    if (s.particles) {
        paintFollowed(p, *s.particles, s.world, size, k, scenePalette(s.palette));
        paintStepCard(p, *s.particles, s.world, size, k);
    }
    // Caption, top left.
    if (!s.caption.isEmpty()) {
        const QRectF box = fm.boundingRect(QRectF(0, 0, W * 0.7, H), Qt::TextWordWrap, s.caption);
        const QRectF at = box.translated(14 * k, 10 * k).adjusted(-6 * k, -4 * k, 6 * k, 4 * k);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 215));
        p.drawRoundedRect(at, 4 * k, 4 * k);
        p.setPen(QColor(20, 20, 20));
        p.drawText(at.adjusted(6 * k, 4 * k, -6 * k, -4 * k), Qt::TextWordWrap, s.caption);
    }
    // Legend, top right: what each colour is.
    const LayerSettings& l = s.layers;
    const ScenePalette& c = scenePalette(s.palette);
    std::vector<std::pair<QColor, QString>> legend;
    if (l.data.visible && s.data) legend.emplace_back(c.data, QObject::tr("data"));
    if (l.noised.visible && s.field) legend.emplace_back(c.noised, QObject::tr("noised data"));
    if (l.particles.visible && s.particles) legend.emplace_back(c.particles, QObject::tr("particles"));
    if (l.learnedField.visible && s.field && s.field->learned.size())
        legend.emplace_back(c.learned, QObject::tr("learned score"));
    if (l.exactField.visible && s.field) legend.emplace_back(c.exact, QObject::tr("exact score"));
    if (l.target.visible && s.particles && (s.particles->target || s.particles->tilted || s.particles->posterior))
        legend.emplace_back(c.target, QObject::tr("exact target"));
    const bool stepThrough = s.particles && !s.particles->followed.empty() && !s.particles->trace.empty();
    if (stepThrough) {
        // The kinds of term the followed step has (Langevin: no drift).
        bool has[5] = {};
        for (const StepPart& part : s.particles->trace.parts)
            for (const TracedParticle& q : part.particles)
                for (const TracedTerm& t : q.terms) has[int(t.kind)] = true;
        if (has[int(TermKind::Drift)]) legend.emplace_back(c.drift, QObject::tr("drift"));
        if (has[int(TermKind::Score)]) legend.emplace_back(c.score, QObject::tr("score term"));
        if (has[int(TermKind::Stage)]) legend.emplace_back(c.score, QObject::tr("ODE stages"));
        if (has[int(TermKind::Noise)]) legend.emplace_back(c.noise, QObject::tr("noise"));
        if (has[int(TermKind::Replace)]) legend.emplace_back(c.data, QObject::tr("replaced coordinate"));
    } else if (l.decomposition.visible && s.particles && !s.particles->playing) {
        legend.emplace_back(c.drift, QObject::tr("drift"));
        legend.emplace_back(c.score, QObject::tr("score term"));
        legend.emplace_back(c.noise, QObject::tr("noise"));
    }
    double w = 0;
    for (const auto& [colour, t] : legend) w = std::max(w, fm.horizontalAdvance(t));
    const double rowH = fm.height() + 2 * k;
    const QRectF lbox(W - w - 52 * k, 10 * k, w + 40 * k, rowH * double(legend.size()) + 8 * k);
    if (!legend.empty()) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 215));
        p.drawRoundedRect(lbox, 4 * k, 4 * k);
        for (std::size_t i = 0; i < legend.size(); ++i) {
            const double y = lbox.top() + 4 * k + rowH * double(i);
            p.setBrush(legend[i].first);
            p.drawEllipse(QRectF(lbox.left() + 8 * k, y + rowH / 2 - 6 * k, 12 * k, 12 * k));
            p.setPen(QColor(20, 20, 20));
            p.drawText(QPointF(lbox.left() + 28 * k, y + fm.ascent()), legend[i].second);
            p.setPen(Qt::NoPen);
        }
    }
    // Colour bar under the legend when a heat map shows, its title above it.
    if (showsModelDensity(s) && l.modelDensityView == DensityView::Split) paintDensitySplit(p, *s.modelDensity, world, size, k);
    const std::optional<ColourBar> bar = showsModelDensity(s) ? densityHeat(*s.modelDensity, l.modelDensityView).bar
                                         : s.field ? colourBarOf(*s.field, l)
                                                   : std::nullopt;
    if (bar) {
        const double top = lbox.bottom() + 16 * k + (0.5 + double(bar->title.count(QLatin1Char('\n')) + 1)) * fm.height();
        paintColourBar(p, *bar, QRectF(W - 40 * k, top, 14 * k, std::min(220.0 * k, H * 0.4)), k);
    }
    // Corner text, bottom right.
    if (!s.corner.isEmpty()) {
        p.setPen(QColor(90, 90, 90));
        const QRectF box = fm.boundingRect(QRectF(0, 0, W * 0.6, H), 0, s.corner);
        p.drawText(QRectF(W - box.width() - 10 * k, H - 10 * k - fm.height() - box.height(), box.width() + 2,
                          box.height() + 2),
                   Qt::AlignRight, s.corner);
    }
    p.restore();
}

void paintBanner(QPainter& p, const QString& text, bool error, QSizeF size, double scale)
{
    if (text.isEmpty()) return;
    const double W = size.width(), H = size.height();
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    QFont font = p.font();
    font.setBold(true);
    // A 22nd of the height (a 24th of the width if narrower), at least 20 px:
    // ~33 px in a 720-pixel scene.
    font.setPixelSize(int(std::max(20.0 * scale, std::min(H / 22.0, W / 24.0))));
    p.setFont(font);
    const QFontMetricsF fm(font);
    const double pad = fm.height() * 0.5;
    const double maxWidth = W * 0.86 - 2 * pad;
    QString shown = text;
    shown[0] = shown[0].toUpper();
    const QRectF textBox = fm.boundingRect(QRectF(0, 0, maxWidth, H), Qt::TextWordWrap | Qt::AlignHCenter, shown);
    const double w = textBox.width() + 2 * pad, h = textBox.height() + 2 * pad;
    // Lower middle: over the scene, clear of the caption (top left), the legend
    // (top right) and the axis labels (bottom).
    const QRectF box((W - w) / 2, std::max(H * 0.62 - h / 2, 0.0), w, h);
    p.setPen(Qt::NoPen);
    p.setBrush(error ? QColor(150, 20, 20, 235) : QColor(30, 40, 55, 235));
    p.drawRoundedRect(box, pad * 0.6, pad * 0.6);
    p.setPen(Qt::white);
    p.drawText(box.adjusted(pad, pad, -pad, -pad), Qt::TextWordWrap | Qt::AlignHCenter, shown);
    p.restore();
}

} // namespace ss::view

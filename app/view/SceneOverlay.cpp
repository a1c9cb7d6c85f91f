// SceneView's overlay: axes with ticks and labels, caption, legend, colour bar
// and frame counter, painted by the raster engine over the GL image.
#include "SceneOverlay.h"

#include "ColourMap.h"
#include "SceneColours.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace ss::view {

namespace {
// A "nice" tick step (1, 2 or 5 times a power of ten) giving ~targetCount ticks.
double niceStep(double span, int targetCount)
{
    const double raw = span / std::max(1, targetCount);
    const double p = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * p >= raw) return m * p;
    return 10 * p;
}

} // namespace

void SceneView::drawOverlay()
{
    QPainter p(overlay_);
    p.setRenderHint(QPainter::Antialiasing);
    QFont font = p.font();
    font.setPointSizeF(std::max(10.0, font.pointSizeF() * 1.15));
    p.setFont(font);
    const QFontMetricsF fm(font);
    if (!glUsable_) {
        p.setPen(Qt::darkRed);
        p.drawText(rect(), Qt::AlignCenter,
                   tr("The scene needs OpenGL 3.3 core.\n%1").arg(glDescription_.isEmpty() ? tr("No context.")
                                                                                           : glDescription_));
        return;
    }
    // Axes: ticks and labels along the bottom and left edges, faint grid lines.
    const QRectF world = visibleRect();
    const double step = niceStep(std::max(world.width(), world.height()), 8);
    p.setPen(QPen(QColor(0, 0, 0, 22), 1));
    for (double x = std::ceil(world.left() / step) * step; x <= world.right(); x += step)
        p.drawLine(QPointF(toPixel({x, 0}).x(), 0), QPointF(toPixel({x, 0}).x(), height()));
    for (double y = std::ceil(world.top() / step) * step; y <= world.bottom(); y += step)
        p.drawLine(QPointF(0, toPixel({0, y}).y()), QPointF(width(), toPixel({0, y}).y()));
    p.setPen(QColor(40, 40, 40));
    for (double x = std::ceil(world.left() / step) * step; x <= world.right(); x += step) {
        const double px = toPixel({x, 0}).x();
        p.drawLine(QPointF(px, height()), QPointF(px, height() - 6));
        const QString label = QString::number(std::abs(x) < 1e-9 * step ? 0.0 : x, 'g', 4);
        p.drawText(QPointF(px - fm.horizontalAdvance(label) / 2, height() - 9), label);
    }
    for (double y = std::ceil(world.top() / step) * step; y <= world.bottom(); y += step) {
        const double py = toPixel({0, y}).y();
        p.drawLine(QPointF(0, py), QPointF(6, py));
        p.drawText(QPointF(9, py + fm.ascent() / 2 - 1), QString::number(std::abs(y) < 1e-9 * step ? 0.0 : y, 'g', 4));
    }
    // Caption, top left.
    if (!caption_.isEmpty()) {
        const QRectF box = fm.boundingRect(QRectF(0, 0, width() * 0.7, height()), Qt::TextWordWrap, caption_);
        const QRectF at = box.translated(14, 10).adjusted(-6, -4, 6, 4);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 215));
        p.drawRoundedRect(at, 4, 4);
        p.setPen(QColor(20, 20, 20));
        p.drawText(at.adjusted(6, 4, -6, -4), Qt::TextWordWrap, caption_);
    }
    // Legend, top right: what each colour is.
    std::vector<std::pair<QColor, QString>> legend;
    if (layers_.data.visible && data_) legend.emplace_back(kData, tr("data"));
    if (layers_.noised.visible && field_) legend.emplace_back(kNoised, tr("noised data"));
    if (layers_.particles.visible && particles_) legend.emplace_back(kParticles, tr("particles"));
    if (layers_.learnedField.visible && field_ && field_->learned.size()) legend.emplace_back(kLearned, tr("learned score"));
    if (layers_.exactField.visible && field_) legend.emplace_back(kExact, tr("exact score"));
    if (layers_.decomposition.visible && particles_ && !particles_->playing) {
        legend.emplace_back(kDrift, tr("drift"));
        legend.emplace_back(kScore, tr("score term"));
        legend.emplace_back(kNoise, tr("noise"));
    }
    double w = 0;
    for (const auto& [c, t] : legend) w = std::max(w, fm.horizontalAdvance(t));
    const double rowH = fm.height() + 2;
    QRectF lbox(width() - w - 52, 10, w + 40, rowH * double(legend.size()) + 8);
    if (!legend.empty()) {
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 215));
        p.drawRoundedRect(lbox, 4, 4);
        for (std::size_t i = 0; i < legend.size(); ++i) {
            const double y = lbox.top() + 4 + rowH * double(i);
            p.setBrush(legend[i].first);
            p.drawEllipse(QRectF(lbox.left() + 8, y + rowH / 2 - 6, 12, 12));
            p.setPen(QColor(20, 20, 20));
            p.drawText(QPointF(lbox.left() + 28, y + fm.ascent()), legend[i].second);
            p.setPen(Qt::NoPen);
        }
    }
    // Colour bar under the legend when a heat map shows.
    if (field_ && (layers_.density.visible || (layers_.error.visible && field_->error.size()))) {
        const bool error = heatIsError_;
        const QRectF bar(width() - 40, lbox.bottom() + 12 + fm.height(), 14, std::min(220.0, height() * 0.4));
        for (int i = 0; i < int(bar.height()); ++i) {
            const double v = 1.0 - i / bar.height();
            p.setPen(colourAt(error ? ColourMapKind::Error : ColourMapKind::Density, error ? v : std::sqrt(v)));
            p.drawLine(QPointF(bar.left(), bar.top() + i), QPointF(bar.right(), bar.top() + i));
        }
        p.setPen(QColor(40, 40, 40));
        p.setBrush(Qt::NoBrush);
        p.drawRect(bar);
        const QString top = error ? tr("max err") : tr("p max"), bottom = "0";
        p.drawText(QPointF(bar.right() - fm.horizontalAdvance(top), bar.top() - 4), top);
        p.drawText(QPointF(bar.left() - fm.horizontalAdvance(bottom) - 4, bar.bottom()), bottom);
    }
    // Frame counter, bottom right.
    const QString fps = QStringLiteral("%1 fps").arg(fps_, 0, 'f', 0);
    p.setPen(QColor(90, 90, 90));
    p.drawText(QPointF(width() - fm.horizontalAdvance(fps) - 10, height() - 10 - fm.height()), fps);
}

} // namespace ss::view

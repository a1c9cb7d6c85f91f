#include "paint/DensityPaint.h"

#include "paint/SceneGeometry.h"

#include <QObject> // tr()

#include <algorithm>
#include <cmath>

namespace ss::view {

namespace {

// "log p_θ (nats)" over "at σ = 0.31", and while refining ", 65² of 129²…".
QString titleFor(const QString& what, const app::DensitySnapshot& s)
{
    QString t = QObject::tr("%1 (nats)\nat σ = %2").arg(what).arg(s.level.marginal.std, 0, 'g', 3);
    if (!s.done()) // "²" after a placeholder would read as a digit of it
        t += QObject::tr(", %1 of %2…").arg(QString::number(s.size) + "²", QString::number(s.finalSize) + "²");
    return t;
}

} // namespace

DensityHeat densityHeat(const app::DensitySnapshot& s, DensityView view)
{
    DensityHeat h;
    const float range = float(kModelDensityRange);
    const int n = s.size;
    if (view == DensityView::Difference) {
        const float top = std::max(s.logModel.maxCoeff(), s.logTrue.maxCoeff());
        const Eigen::ArrayXXf d = s.logModel - s.logTrue;
        const Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> shown = s.logModel.max(s.logTrue) >= top - range;
        // The range from where the data is (the true density within the
        // range): a model's far tails, often tens of nats off, saturate
        // instead of washing out the differences near the data.
        const Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> data = s.logTrue >= s.logTrue.maxCoeff() - range;
        const double reach = std::max(0.05, double(data.select(d.abs(), 0.0f).maxCoeff()));
        h.kind = ColourMapKind::Diverging;
        h.values = shown.select(0.5f + d / float(2 * reach), 0.5f).min(1.0f).max(0.0f);
        h.bar = {h.kind, -reach, reach, titleFor(QObject::tr("log p_θ − log p"), s)};
        return h;
    }
    const float top = view == DensityView::Split ? std::max(s.logModel.maxCoeff(), s.logTrue.maxCoeff())
                                                 : s.logModel.maxCoeff();
    Eigen::ArrayXXf logp = s.logModel;
    if (view == DensityView::Split) logp.rightCols(n / 2) = s.logTrue.rightCols(n / 2); // the centre column: the model
    h.kind = ColourMapKind::Nats;
    h.values = ((logp - (top - range)) / range).min(1.0f).max(0.0f);
    h.bar = {h.kind, top - range, top,
             titleFor(view == DensityView::Split ? QObject::tr("log p_θ | log p") : QObject::tr("log p_θ"), s)};
    return h;
}

QRectF densityImageRect(const app::DensitySnapshot& s)
{
    const DensityRegion& r = s.region;
    const double hx = 0.5 * (r.xMax - r.xMin) / (s.size - 1), hy = 0.5 * (r.yMax - r.yMin) / (s.size - 1);
    return QRectF(QPointF(r.xMin - hx, r.yMin - hy), QPointF(r.xMax + hx, r.yMax + hy));
}

void paintDensitySplit(QPainter& p, const app::DensitySnapshot& s, const QRectF& world, QSizeF size, double scale)
{
    const Mapping m{world, size};
    const double k = scale;
    const double x = m(0.5 * (s.region.xMin + s.region.xMax), 0).x();
    p.save();
    p.setPen(QPen(QColor(255, 255, 255, 230), 3 * k));
    p.drawLine(QPointF(x, 0), QPointF(x, size.height()));
    p.setPen(QPen(QColor(30, 30, 30, 200), 1 * k, Qt::DashLine));
    p.drawLine(QPointF(x, 0), QPointF(x, size.height()));
    QFont font = p.font();
    font.setBold(true);
    p.setFont(font);
    const QFontMetricsF fm(font);
    const double y = size.height() - 34 * k - fm.height();
    auto label = [&](const QString& text, bool left) {
        const double w = fm.horizontalAdvance(text) + 12 * k;
        const QRectF box(left ? x - w - 8 * k : x + 8 * k, y, w, fm.height() + 6 * k);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(255, 255, 255, 215));
        p.drawRoundedRect(box, 4 * k, 4 * k);
        p.setPen(QColor(20, 20, 20));
        p.drawText(box, Qt::AlignCenter, text);
    };
    label(QObject::tr("◀ model p_θ"), true);
    label(QObject::tr("data p ▶"), false);
    p.restore();
}

} // namespace ss::view

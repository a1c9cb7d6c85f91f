#include "window/MeasureChart.h"

#include "window/ChartStyle.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QFileDialog>
#include <QGraphicsTextItem>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace ss::window {

namespace {

// [lo, hi] of a linear axis around the values, with a margin (a flat curve gets one too).
std::pair<double, double> linearRange(double lo, double hi)
{
    if (lo > hi) return {0.0, 1.0};
    const double pad = hi > lo ? 0.08 * (hi - lo) : std::max(1e-3, 0.1 * std::abs(lo));
    return {lo >= 0 ? std::max(0.0, lo - pad) : lo - pad, hi + pad}; // steps: no negative axis
}

// Whole decades around positive values.
std::pair<double, double> logRange(double lo, double hi)
{
    if (!(lo > 0) || lo > hi) return {0.1, 1.0};
    double a = std::pow(10.0, std::floor(std::log10(lo))), b = std::pow(10.0, std::ceil(std::log10(hi)));
    if (a == b) b *= 10;
    return {a, b};
}

QAbstractAxis* makeAxis(bool log, const QString& title, double lo, double hi)
{
    QAbstractAxis* axis;
    if (log) {
        auto* l = new QLogValueAxis;
        l->setBase(10);
        l->setLabelFormat("%g");
        l->setMinorTickCount(-1);
        l->setRange(lo, hi);
        axis = l;
    } else {
        auto* v = new QValueAxis;
        v->setLabelFormat("%g");
        v->setRange(lo, hi);
        v->applyNiceNumbers();
        axis = v;
    }
    axis->setTitleText(title);
    return axis;
}

QString number(double v) { return QString::number(v, 'g', 4); }

} // namespace

MeasureChart::MeasureChart(const QString& title, const QString& csvName, QWidget* parent)
    : QChartView(new QChart, parent), csvName_(csvName)
{
    chart()->setTitle(title);
    chart()->legend()->setAlignment(Qt::AlignBottom);
    styleChart(chart(), this);
    setMouseTracking(true);
    setMinimumHeight(140); // two fit a Fisher page in a dock sharing its column with the Sampler
    note_ = new QGraphicsTextItem(chart());
    note_->setDefaultTextColor(QColor(60, 60, 60));
    note_->setZValue(10);
    setToolTip(QString()); // hover shows values (mouseMoveEvent)
    rebuild();
}

void MeasureChart::setAxes(const QString& xTitle, Scale x, const QString& yTitle, Scale y, const QString& xKey,
                           const QString& yKey)
{
    xTitle_ = xTitle;
    yTitle_ = yTitle;
    xScale_ = x;
    yScale_ = y;
    xKey_ = xKey;
    yKey_ = yKey;
    rebuild();
}

void MeasureChart::setCurves(const std::vector<Curve>& curves, const std::vector<ChartValue>& values)
{
    curves_ = curves;
    values_ = values;
    for (Curve& c : curves_) // thin long curves (the ELBO's T steps) to what a dock can show
        if (c.points.size() > kMaxPoints) {
            QList<QPointF> thin;
            const double stride = double(c.points.size() - 1) / (kMaxPoints - 1);
            for (int i = 0; i < kMaxPoints; ++i) thin.append(c.points[int(std::lround(i * stride))]);
            c.points = thin;
        }
    rebuild();
}

void MeasureChart::setReason(const QString& why)
{
    reason_ = why;
    placeReason();
}

void MeasureChart::rebuild()
{
    QChart* c = chart();
    // The ranges, and whether each axis is logarithmic.
    double xlo = 1e300, xhi = -1e300, ylo = 1e300, yhi = -1e300, xpos = 1e300, ypos = 1e300;
    bool xAllPositive = true, yAllPositive = true;
    for (const Curve& cv : curves_)
        for (const QPointF& p : cv.points) {
            if (!std::isfinite(p.x()) || !std::isfinite(p.y())) continue;
            xlo = std::min(xlo, p.x()), xhi = std::max(xhi, p.x());
            ylo = std::min(ylo, p.y()), yhi = std::max(yhi, p.y());
            if (p.x() > 0) xpos = std::min(xpos, p.x());
            else xAllPositive = false;
            if (p.y() > 0) ypos = std::min(ypos, p.y());
            else yAllPositive = false;
        }
    auto isLog = [](Scale s, bool allPositive, double lo, double hi) {
        if (s == Scale::Log) return true;
        return s == Scale::Auto && allPositive && lo > 0 && hi / lo > 100;
    };
    xLog_ = isLog(xScale_, xAllPositive, xlo, xhi);
    yLog_ = isLog(yScale_, yAllPositive, ylo, yhi);
    const auto [x0, x1] = xLog_ ? logRange(xpos, xhi) : linearRange(xlo, xhi);
    const auto [y0, y1] = yLog_ ? logRange(ypos, yhi) : linearRange(ylo, yhi);
    bool newAxis = false;
    QAbstractAxis* xAxis = placeAxis(Qt::Horizontal, xLog_, xTitle_, x0, x1, &newAxis);
    QAbstractAxis* yAxis = placeAxis(Qt::Vertical, yLog_, yTitle_, y0, y1, &newAxis);
    std::vector<QList<QPointF>> shown(curves_.size());
    std::vector<SeriesLook> looks;
    for (std::size_t i = 0; i < curves_.size(); ++i) {
        const Curve& cv = curves_[i];
        for (const QPointF& p : cv.points) // a log axis cannot place a value <= 0
            if (std::isfinite(p.x()) && std::isfinite(p.y()) && (!xLog_ || p.x() > 0) && (!yLog_ || p.y() > 0))
                shown[i].append(p);
        looks.push_back({cv.name, cv.colour.isValid() ? cv.colour : chartColour(int(i)), cv.dashed,
                         cv.markers && shown[i].size() < 60});
    }
    // The same series on the same axes: new points only.
    const QList<QAbstractSeries*> series = c->series();
    bool reuse = !newAxis && looks == drawnLooks_ && series.size() == qsizetype(looks.size());
    for (qsizetype i = 0; reuse && i < series.size(); ++i) {
        const QList<QAbstractAxis*> attached = series[i]->attachedAxes();
        reuse = qobject_cast<QLineSeries*>(series[i]) && attached.contains(xAxis) && attached.contains(yAxis);
    }
    if (reuse) {
        for (qsizetype i = 0; i < series.size(); ++i) static_cast<QLineSeries*>(series[i])->replace(shown[std::size_t(i)]);
        placeReason();
        return;
    }
    c->removeAllSeries();
    for (std::size_t i = 0; i < curves_.size(); ++i) {
        const SeriesLook& look = looks[i];
        auto* s = new QLineSeries;
        s->setName(look.name);
        s->replace(shown[i]);
        QPen pen(look.colour, look.dashed ? 1.8 : 2.4);
        if (look.dashed) pen.setStyle(Qt::DashLine);
        s->setPen(pen);
        s->setPointsVisible(look.markers);
        s->setMarkerSize(7);
        c->addSeries(s);
        s->attachAxis(xAxis);
        s->attachAxis(yAxis);
    }
    drawnLooks_ = std::move(looks);
    c->legend()->setVisible(!curves_.empty());
    applyChartFonts(c, font());
    placeReason();
}

QAbstractAxis* MeasureChart::placeAxis(Qt::Orientation o, bool log, const QString& title, double lo, double hi,
                                       bool* made)
{
    // The chart's axis of this orientation is kept when it is of the right kind:
    // only its range and title change. Deleting and adding axes on every update
    // left the old axis drawn over the new one until the next layout (seen in
    // the Flow dock's charts, updated twice a second).
    QChart* c = chart();
    const QList<QAbstractAxis*> existing = c->axes(o);
    QAbstractAxis* axis = existing.isEmpty() ? nullptr : existing.front();
    const bool fits = axis && (log ? axis->type() == QAbstractAxis::AxisTypeLogValue
                                   : axis->type() == QAbstractAxis::AxisTypeValue);
    if (!fits) {
        for (QAbstractAxis* a : existing) {
            c->removeAxis(a);
            delete a;
        }
        axis = makeAxis(log, title, lo, hi);
        *made = true;
        c->addAxis(axis, o == Qt::Horizontal ? Qt::AlignBottom : Qt::AlignLeft);
        return axis;
    }
    axis->setTitleText(title);
    // A range that holds the values and is at most twice their span stays:
    // each new range lays out and shapes every label again (4-6 ms of the GUI
    // thread at lecture fonts), and a chart following a run would pay it on
    // every update; this way the axis moves only now and then (and sits still
    // for the eye).
    auto holds = [&](double a, double b) { return a <= lo && hi <= b && 2 * (hi - lo) >= b - a; };
    if (auto* v = qobject_cast<QValueAxis*>(axis)) {
        if (holds(v->min(), v->max())) return axis;
        v->setRange(lo, hi);
        v->applyNiceNumbers();
    } else if (auto* l = qobject_cast<QLogValueAxis*>(axis)) {
        if (l->min() != lo || l->max() != hi) l->setRange(lo, hi); // whole decades: changes rarely
    }
    return axis;
}

void MeasureChart::placeReason()
{
    const bool show = !reason_.isEmpty();
    note_->setVisible(show);
    if (!show) return;
    note_->setFont(font());
    const QRectF area = chart()->plotArea().isEmpty() ? QRectF(QPointF(0, 0), size()) : chart()->plotArea();
    note_->setTextWidth(std::max(100.0, area.width() - 16));
    note_->setPlainText(reason_);
    note_->setPos(area.left() + 8, area.top() + std::max(4.0, (area.height() - note_->boundingRect().height()) / 2));
}

QString MeasureChart::csv() const
{
    std::vector<CurveValues> values;
    for (const Curve& c : curves_) values.push_back({c.name, c.points});
    return chartCsv(xKey_, yKey_, values, values_);
}

bool MeasureChart::exportCsv(const QString& path, QString* error) { return saveTextAtomically(path, csv(), error); }

QString MeasureChart::valueAt(const QPoint& pos) const
{
    const QPointF scenePos = mapToScene(pos);
    double best = kHoverPx * kHoverPx;
    QString text;
    const auto series = chart()->series();
    for (qsizetype i = 0; i < series.size(); ++i) {
        auto* s = qobject_cast<QLineSeries*>(series[i]);
        if (!s) continue;
        for (const QPointF& p : s->points()) {
            const QPointF at = chart()->mapToPosition(p, s) + chart()->pos();
            const double d = (at.x() - scenePos.x()) * (at.x() - scenePos.x()) + (at.y() - scenePos.y()) * (at.y() - scenePos.y());
            if (d > best) continue;
            best = d;
            text = QStringLiteral("%1\n%2 = %3\n%4 = %5").arg(s->name(), xTitle_, number(p.x()), yTitle_, number(p.y()));
        }
    }
    return text;
}

void MeasureChart::mouseMoveEvent(QMouseEvent* e)
{
    QChartView::mouseMoveEvent(e);
    const QString text = valueAt(e->position().toPoint());
    if (text.isEmpty()) QToolTip::hideText();
    else QToolTip::showText(e->globalPosition().toPoint(), text, this);
}

void MeasureChart::contextMenuEvent(QContextMenuEvent* e)
{
    QMenu menu(this);
    menu.addAction(tr("Copy as CSV"), this, [this] { QApplication::clipboard()->setText(csv()); });
    menu.addAction(tr("Save as CSV…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save the chart's values"), csvName_, tr("CSV (*.csv)"));
        if (path.isEmpty()) return;
        QString error;
        if (exportCsv(path, &error)) emit message(tr("wrote %1").arg(path), false);
        else emit message(tr("could not write the chart's values: %1").arg(error), true);
    });
    menu.exec(e->globalPos());
}

void MeasureChart::changeEvent(QEvent* e)
{
    QChartView::changeEvent(e);
    if (e->type() != QEvent::FontChange) return;
    applyChartFonts(chart(), font()); // presentation mode's larger text
    placeReason();
}

void MeasureChart::resizeEvent(QResizeEvent* e)
{
    QChartView::resizeEvent(e);
    placeReason();
}

} // namespace ss::window

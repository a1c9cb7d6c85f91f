#include "window/ScheduleCurve.h"
#include "window/ScheduleTrace.h"

#include "core/Error.h"

#include <QMouseEvent>

#include <algorithm>
#include <cmath>

namespace ss::window {

namespace {

constexpr double kUGap = 0.02;     // smallest u between neighbouring control points
constexpr double kLogGap = 0.01;   // smallest log sigma step between neighbours (1 % in sigma)
constexpr double kXPad = 0.04;     // x range is [-kXPad, 1 + kXPad] so end handles clear the frame
constexpr double kReach = 12.0;    // a press this near a handle grabs it
constexpr int kSampledHandles = 5; // handles sampled from a VE schedule that is not a curve
constexpr int kLevelHandles = 6;   // discrete VE schedules up to this many levels get one per level
constexpr double kVpBetaLimit = 1000.0;
constexpr double kDdpmBetaLimit = 0.999;

bool isVp(const NoiseSchedule& s) { return s.kind() == ScheduleKind::Vp || s.kind() == ScheduleKind::SubVp; }

} // namespace

NoiseSchedule CurveEdit::make() const
{
    switch (kind) {
    case Kind::VeCurve: return NoiseSchedule::customCurve(points, levels);
    case Kind::Vp: return NoiseSchedule::vp(low, high);
    case Kind::SubVp: return NoiseSchedule::subVp(low, high);
    case Kind::DdpmLinear: return NoiseSchedule::ddpmLinear(steps, low, high, false);
    }
    throw InputError("unknown curve edit");
}

ScheduleCurve::ScheduleCurve(QWidget* parent) : QWidget(parent)
{
    setMouseTracking(true);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    setMinimumHeight(sizeHint().height());
    setSchedule(applied_);
}

// ---- state -----------------------------------------------------------------

void ScheduleCurve::setSchedule(const NoiseSchedule& s)
{
    applied_ = shown_ = s;
    dragging_ = hover_ = -1;
    moved_ = false;
    unsetCursor();
    resetHandles();
    fitRange();
    layoutPlot();
    setToolTip(hint());
    update();
}

void ScheduleCurve::setView(View v)
{
    view_ = v;
    setSchedule(applied_);
}

bool ScheduleCurve::viewApplies(View v) const { return v == View::Sigma || !applied_.isVarianceExploding(); }

ScheduleCurve::View ScheduleCurve::shownView() const { return viewApplies(view_) ? view_ : View::Sigma; }

ScheduleCurve::Handles ScheduleCurve::handleKind() const
{
    const View v = shownView();
    if (v == View::Sigma && applied_.isVarianceExploding())
        return applied_.kind() == ScheduleKind::CustomCurve || applied_.numLevels() != 1 ? Handles::VePoints
                                                                                         : Handles::None;
    if (v == View::Beta && isVp(applied_)) return Handles::VpBetas;
    if (v == View::Beta && applied_.kind() == ScheduleKind::DdpmLinear) return Handles::DdpmBetas;
    return Handles::None;
}

void ScheduleCurve::resetHandles()
{
    handles_.clear();
    const NoiseSchedule& s = applied_;
    switch (handleKind()) {
    case Handles::None: break;
    case Handles::VpBetas: handles_ = {{0.0, s.betaMin()}, {1.0, s.betaMax()}}; break;
    case Handles::DdpmBetas: {
        const int T = s.numLevels();
        handles_ = {{1.0 / T, s.betas()[1]}, {1.0, s.betas()[std::size_t(T)]}};
        break;
    }
    case Handles::VePoints: {
        const int L = s.numLevels();
        if (s.kind() == ScheduleKind::CustomCurve) {
            for (const CurvePoint& p : s.curvePoints()) handles_.emplace_back(p.u, p.logSigma);
        } else if (L >= 2 && L <= kLevelHandles) { // one per level: a drag changes only that level
            for (int k = 1; k <= L; ++k)
                handles_.emplace_back(double(k - 1) / (L - 1), std::log(s.level(k).marginal.std));
        } else {
            // log sigma interpolated over u; exact for geometric and continuous VE
            const auto logSigma = [&](double u) {
                if (L == 0) return std::log(s.sigmaMin()) + u * std::log(s.sigmaMax() / s.sigmaMin());
                const double pos = u * (L - 1);
                const int k = std::min(int(pos), L - 2);
                const double f = pos - k;
                return (1 - f) * std::log(s.level(k + 1).marginal.std) +
                    f * std::log(s.level(k + 2).marginal.std);
            };
            for (int i = 0; i < kSampledHandles; ++i) {
                const double u = double(i) / (kSampledHandles - 1);
                handles_.emplace_back(u, logSigma(u));
            }
        }
        break;
    }
    }
}

void ScheduleCurve::fitRange()
{
    const View v = shownView();
    if (v == View::AlphaBar) {
        yLo_ = 0.0, yHi_ = 1.08;
        return;
    }
    const Trace t = traceOf(shown_, v);
    double lo = INFINITY, hi = -INFINITY;
    const std::vector<QPointF>* lists[] = {&t.line, &t.dots, &handles_};
    for (const std::vector<QPointF>* pts : lists)
        for (const QPointF& p : *pts)
            if (std::isfinite(p.y())) lo = std::min(lo, p.y()), hi = std::max(hi, p.y());
    if (!(lo <= hi)) lo = 0, hi = 1;
    if (v == View::Beta) { // from 0, with headroom to drag beta_max up
        yLo_ = 0.0;
        yHi_ = hi > 0 ? 1.3 * hi : 1.0;
        return;
    }
    // Log sigma: room of about a factor 1.5-3 beyond each end to drag into.
    const double pad = 0.12 * (hi - lo) + 0.4;
    yLo_ = lo - pad, yHi_ = hi + pad;
}

void ScheduleCurve::layoutPlot()
{
    const QFontMetricsF fm(font());
    const std::vector<Tick> ticks =
        shownView() == View::Sigma ? logTicks(yLo_, yHi_) : linearTicks(yLo_, yHi_);
    double labelWidth = fm.horizontalAdvance("0");
    for (const Tick& t : ticks) labelWidth = std::max(labelWidth, fm.horizontalAdvance(t.label));
    const double left = labelWidth + 10, top = fm.height() + 8, bottom = 2 * fm.height() + 8, right = 10;
    plot_ =
        QRectF(left, top, std::max(10.0, width() - left - right), std::max(10.0, height() - top - bottom));
}

void ScheduleCurve::resizeEvent(QResizeEvent*) { layoutPlot(); }

// ---- coordinates -----------------------------------------------------------

QPointF ScheduleCurve::toPixel(QPointF v) const
{
    const double fx = (v.x() + kXPad) / (1 + 2 * kXPad), fy = (v.y() - yLo_) / (yHi_ - yLo_);
    return {plot_.left() + fx * plot_.width(), plot_.bottom() - fy * plot_.height()};
}

QPointF ScheduleCurve::toValue(QPointF p) const
{
    const double fx = (p.x() - plot_.left()) / plot_.width(), fy = (plot_.bottom() - p.y()) / plot_.height();
    return {fx * (1 + 2 * kXPad) - kXPad, yLo_ + fy * (yHi_ - yLo_)};
}

QPointF ScheduleCurve::valueAt(const QPointF& pixel) const
{
    const QPointF v = toValue(pixel);
    return shownView() == View::Sigma ? QPointF(v.x(), std::exp(v.y())) : v;
}

std::vector<QPointF> ScheduleCurve::handlePositions() const
{
    std::vector<QPointF> out;
    for (const QPointF& h : handles_) out.push_back(toPixel(h));
    return out;
}

std::vector<CurvePoint> ScheduleCurve::controlPoints() const
{
    std::vector<CurvePoint> out;
    if (handleKind() == Handles::VePoints)
        for (const QPointF& h : handles_) out.push_back({h.x(), h.y()});
    return out;
}

int ScheduleCurve::handleAt(const QPointF& pixel) const
{
    int best = -1;
    double bestDistance = kReach;
    for (std::size_t i = 0; i < handles_.size(); ++i) {
        const double d = QLineF(pixel, toPixel(handles_[i])).length();
        if (d <= bestDistance) best = int(i), bestDistance = d;
    }
    return best;
}

// ---- edits -----------------------------------------------------------------

// Keeps the edit valid: a point stays strictly between its neighbours (u and
// log sigma), end points stay at u = 0 and 1, betas stay ordered and in range.
// A bound pair that has crossed (neighbours closer than the gaps) keeps the old value.
QPointF ScheduleCurve::clampHandle(int i, QPointF v) const
{
    const QPointF old = handles_[std::size_t(i)];
    if (handles_.size() < 2) return old; // only after a submitEdit with too few points, until setSchedule
    const auto clamp = [](double x, double lo, double hi, double keep) {
        return lo <= hi ? std::clamp(x, lo, hi) : keep;
    };
    const int n = int(handles_.size());
    const auto at = [&](int j) { return handles_[std::size_t(j)]; };
    switch (handleKind()) {
    case Handles::VePoints: {
        const double x = i == 0 ? 0.0
            : i == n - 1        ? 1.0
                                : clamp(v.x(), at(i - 1).x() + kUGap, at(i + 1).x() - kUGap, old.x());
        const double lo = i > 0 ? std::max(yLo_, at(i - 1).y() + kLogGap) : yLo_;
        const double hi = i < n - 1 ? std::min(yHi_, at(i + 1).y() - kLogGap) : yHi_;
        return {x, clamp(v.y(), lo, hi, old.y())};
    }
    case Handles::VpBetas:
        return i == 0
            ? QPointF(0.0, clamp(v.y(), std::min(1e-3, old.y()), at(1).y() * (1 - 1e-3), old.y()))
            : QPointF(1.0, clamp(v.y(), at(0).y() * (1 + 1e-3), std::min(yHi_, kVpBetaLimit), old.y()));
    case Handles::DdpmBetas:
        return i == 0 ? QPointF(old.x(), clamp(v.y(), 1e-6, at(1).y(), old.y()))
                      : QPointF(1.0, clamp(v.y(), at(0).y(), std::min(yHi_, kDdpmBetaLimit), old.y()));
    case Handles::None: break;
    }
    return old;
}

CurveEdit ScheduleCurve::currentEdit() const
{
    CurveEdit e;
    switch (handleKind()) {
    case Handles::VePoints:
        e.kind = CurveEdit::Kind::VeCurve;
        e.points = controlPoints();
        e.levels = applied_.numLevels(); // 0 for a continuous schedule
        break;
    case Handles::VpBetas:
    case Handles::DdpmBetas:
        e.kind = applied_.kind() == ScheduleKind::Vp ? CurveEdit::Kind::Vp
            : applied_.kind() == ScheduleKind::SubVp ? CurveEdit::Kind::SubVp
                                                     : CurveEdit::Kind::DdpmLinear;
        e.low = handles_.size() == 2 ? handles_[0].y() : 0.0; // 0: refused by the factory
        e.high = handles_.size() == 2 ? handles_[1].y() : 0.0;
        e.steps = applied_.numLevels();
        break;
    case Handles::None: break;
    }
    return e;
}

void ScheduleCurve::preview()
{
    try {
        shown_ = currentEdit().make();
    } catch (const InputError&) {
        // keep drawing the last valid one; the owner refuses the edit on release
    }
    update();
}

void ScheduleCurve::finishEdit() { emit editFinished(currentEdit()); }

void ScheduleCurve::submitEdit(const CurveEdit& edit)
{
    handles_.clear();
    if (edit.kind == CurveEdit::Kind::VeCurve)
        for (const CurvePoint& p : edit.points) handles_.emplace_back(p.u, p.logSigma);
    else
        handles_ = {
            {edit.kind == CurveEdit::Kind::DdpmLinear && edit.steps > 0 ? 1.0 / edit.steps : 0.0, edit.low},
            {1.0, edit.high}};
    try {
        shown_ = edit.make();
    } catch (const InputError&) { }
    update();
    emit editFinished(edit);
}

void ScheduleCurve::addPoint(const QPointF& pixel)
{
    const QPointF v = toValue(pixel);
    const auto next = std::upper_bound(handles_.begin(), handles_.end(), v.x(),
                                       [](double x, const QPointF& h) { return x < h.x(); });
    if (next == handles_.begin() || next == handles_.end()) return;
    const QPointF before = *(next - 1), after = *next;
    if (v.x() - before.x() < kUGap || after.x() - v.x() < kUGap) return; // too close to a point
    if (after.y() - before.y() < 2 * kLogGap) return;                    // no room between them
    handles_.insert(next, {v.x(), std::clamp(v.y(), before.y() + kLogGap, after.y() - kLogGap)});
    preview();
    finishEdit();
}

void ScheduleCurve::removePoint(int i)
{
    if (i <= 0 || i >= int(handles_.size()) - 1) return; // the ends stay
    handles_.erase(handles_.begin() + i);
    hover_ = -1;
    preview();
    finishEdit();
}

// ---- mouse -----------------------------------------------------------------

void ScheduleCurve::mousePressEvent(QMouseEvent* e)
{
    const int i = handleAt(e->position());
    if (e->button() == Qt::RightButton && handleKind() == Handles::VePoints) {
        removePoint(i);
    } else if (e->button() == Qt::LeftButton && i >= 0) {
        dragging_ = i;
        moved_ = false;
        grab_ = toPixel(handles_[std::size_t(i)]) - e->position();
        setCursor(Qt::ClosedHandCursor);
        update();
    }
}

void ScheduleCurve::mouseMoveEvent(QMouseEvent* e)
{
    if (dragging_ >= 0) {
        handles_[std::size_t(dragging_)] = clampHandle(dragging_, toValue(e->position() + grab_));
        moved_ = true;
        preview();
        return;
    }
    const int h = handleAt(e->position());
    if (h != hover_) {
        hover_ = h;
        if (h >= 0)
            setCursor(Qt::OpenHandCursor);
        else
            unsetCursor();
        update();
    }
}

void ScheduleCurve::mouseReleaseEvent(QMouseEvent* e)
{
    if (dragging_ < 0 || e->button() != Qt::LeftButton) return;
    dragging_ = -1;
    hover_ = handleAt(e->position());
    if (hover_ >= 0)
        setCursor(Qt::OpenHandCursor);
    else
        unsetCursor();
    update();
    if (moved_) finishEdit();
    moved_ = false;
}

void ScheduleCurve::mouseDoubleClickEvent(QMouseEvent* e)
{
    if (e->button() != Qt::LeftButton || handleKind() != Handles::VePoints) return;
    dragging_ = -1;
    const int i = handleAt(e->position());
    if (i >= 0)
        removePoint(i);
    else if (plot_.contains(e->position()))
        addPoint(e->position());
}

void ScheduleCurve::leaveEvent(QEvent*)
{
    if (hover_ >= 0 && dragging_ < 0) {
        hover_ = -1;
        unsetCursor();
        update();
    }
}

// ---- words -----------------------------------------------------------------

QString ScheduleCurve::hint() const
{
    QString fallback;
    if (shownView() != view_) fallback = tr("β(t) and ᾱ(t) are for VP and DDPM schedules; showing σ. ");
    const bool custom = applied_.kind() == ScheduleKind::CustomCurve;
    switch (handleKind()) {
    case Handles::VePoints:
        return fallback +
            (custom ? tr("Drag the points to reshape log σ. ")
                    : tr("Drag a point to make this a custom curve (%1). ")
                          .arg(applied_.isDiscrete() ? tr("keeping L = %1").arg(applied_.numLevels())
                                                     : tr("continuous"))) +
            tr("Double-click adds a point; right-click removes one.");
    case Handles::VpBetas: return tr("Drag β min (t = 0) and β max (t = 1) up or down.");
    case Handles::DdpmBetas: return tr("Drag β₁ and β_T up or down; the betas stay linear between them.");
    case Handles::None: break;
    }
    if (applied_.isVarianceExploding())
        return fallback + tr("A single level has no curve to drag: set σ max in the form.");
    if (applied_.kind() == ScheduleKind::DdpmCosine)
        return tr("Cosine DDPM has no handles: its betas follow from ᾱ(t) = cos²(…). Change T in the form.");
    if (applied_.kind() == ScheduleKind::DdpmBetas) return tr("User-given betas have no handles.");
    return tr("No handles in this view: switch the view to β(t) to drag the betas.");
}

QString ScheduleCurve::summary() const
{
    if (dragging_ >= 0) {
        const QPointF h = handles_[std::size_t(dragging_)];
        if (handleKind() == Handles::VePoints)
            return tr("u = %1   σ = %2").arg(h.x(), 0, 'f', 2).arg(std::exp(h.y()), 0, 'g', 3);
        return tr("β = %1").arg(h.y(), 0, 'g', 3);
    }
    const NoiseSchedule& s = shown_;
    const int n = s.numLevels();
    switch (s.kind()) {
    case ScheduleKind::Geometric: return tr("geometric, L = %1").arg(n);
    case ScheduleKind::SigmaLevels: return tr("σ list, L = %1").arg(n);
    case ScheduleKind::VeContinuous: return tr("continuous VE");
    case ScheduleKind::CustomCurve:
        return n > 0 ? tr("custom curve, L = %1").arg(n) : tr("custom curve, continuous");
    case ScheduleKind::DdpmLinear: return tr("DDPM linear, T = %1").arg(n);
    case ScheduleKind::DdpmCosine: return tr("DDPM cosine, T = %1").arg(n);
    case ScheduleKind::DdpmBetas: return tr("DDPM betas, T = %1").arg(n);
    case ScheduleKind::Vp: return tr("VP SDE");
    case ScheduleKind::SubVp: return tr("sub-VP SDE");
    }
    return {};
}

} // namespace ss::window

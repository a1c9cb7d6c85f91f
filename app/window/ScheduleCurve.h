#pragma once
// The noise schedule drawn as a curve, with handles to drag:
//  - view Sigma: sigma against u in [0, 1] on a log axis. VE schedules as they
//    are (discrete levels as dots at u = (k-1)/(L-1), continuous as a line);
//    VP / sub-VP / DDPM as the noise-to-signal ratio sigma = std / mean.
//    Handles: the control points of a VE curve (a custom curve's own points, or
//    points sampled from any other VE schedule, which dragging turns into a
//    custom curve with the same number of levels).
//  - view Beta: beta(t) of VP / sub-VP (handles beta_min at t = 0, beta_max at
//    t = 1) and the betas of DDPM at t = k/T (handles beta_1 and beta_T for the
//    linear kind).
//  - view AlphaBar: abar(t) = exp(-int beta) or abar_k; no handles.
// The widget never applies anything: when a drag ends (or a point is added or
// removed) it emits editFinished with the edit; the owner builds the schedule,
// applies or refuses it, and calls setSchedule with what is applied now (the
// old schedule on a refusal, which puts the handles back).
#include "core/NoiseSchedule.h"
#include "window/ScheduleTrace.h"

#include <QWidget>

class QPainter;

#include <vector>

namespace ss::window {

// An edit made on the curve: enough to rebuild the schedule with its factory.
struct CurveEdit {
    enum class Kind { VeCurve, Vp, SubVp, DdpmLinear };
    Kind kind = Kind::VeCurve;
    std::vector<CurvePoint> points; // VeCurve: (u, log sigma), both strictly increasing
    int levels = 0;                 // VeCurve: 0 continuous, >= 1 discrete
    double low = 0, high = 0;       // Vp/SubVp: beta_min, beta_max; DdpmLinear: beta_1, beta_T
    int steps = 0;                  // DdpmLinear: T

    // The schedule the edit describes; throws InputError when it is invalid
    // (DdpmLinear is built without rescaling: the betas are the ones drawn).
    NoiseSchedule make() const;
};

class ScheduleCurve : public QWidget {
    Q_OBJECT
public:
    using View = ScheduleView;

    explicit ScheduleCurve(QWidget* parent = nullptr);

    // Shows s and resets the handles to it (ends any drag).
    void setSchedule(const NoiseSchedule& s);
    // The schedule drawn: the applied one, or a drag's preview while dragging.
    const NoiseSchedule& schedule() const { return shown_; }
    // A view that makes no sense for the schedule (beta of a VE schedule)
    // falls back to Sigma; hint() says so.
    void setView(View v);
    View view() const { return view_; } // as asked
    View shownView() const;             // as drawn, after any fall-back
    bool viewApplies(View v) const;     // for the shown schedule
    QString hint() const;               // what the handles do, or why there are none

    // The handles' centres in widget pixels, in order of u (empty: no handles).
    std::vector<QPointF> handlePositions() const;
    // The value under a widget pixel: (u or t, sigma / beta / abar).
    QPointF valueAt(const QPointF& pixel) const;
    // The VE control points the handles stand for (empty unless the Sigma view
    // of a VE schedule has handles).
    std::vector<CurvePoint> controlPoints() const;

    // Shows the edit's points as the handles and emits editFinished, as a drag
    // does: the owner's refusal path can be driven without a mouse, including
    // with edits the clamped mouse cannot make.
    void submitEdit(const CurveEdit& edit);

    QSize sizeHint() const override { return {300, 240}; }
    QSize minimumSizeHint() const override { return {220, 190}; }

signals:
    void editFinished(const ss::window::CurveEdit& edit);

protected:
    void paintEvent(QPaintEvent*) override;
    void resizeEvent(QResizeEvent*) override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void leaveEvent(QEvent*) override;

private:
    static constexpr double kHandleRadius = 6.5; // in pixels (drawn, and grabbed within kReach)
    // Handle values are in plot units: x = u or t, y = log sigma (Sigma view)
    // or beta (Beta view).
    enum class Handles { None, VePoints, VpBetas, DdpmBetas };
    Handles handleKind() const;
    void resetHandles();
    void fitRange();   // the y range of the shown schedule (kept fixed during a drag)
    void layoutPlot(); // plot_ from the widget's size and the tick labels' width
    QPointF toPixel(QPointF value) const;
    QPointF toValue(QPointF pixel) const;
    int handleAt(const QPointF& pixel) const; // -1: none within reach
    QPointF clampHandle(int i, QPointF value) const;
    CurveEdit currentEdit() const;
    void preview(); // rebuild shown_ from the handles, keeping the old one if the edit is invalid
    void finishEdit();
    void addPoint(const QPointF& pixel);
    void removePoint(int i);

    QString summary() const; // the kind in a few words, or the dragged handle's value
    void drawAxes(QPainter& p) const;
    void drawCurve(QPainter& p) const;
    void drawHandles(QPainter& p) const;

    NoiseSchedule applied_, shown_;
    View view_ = View::Sigma;
    std::vector<QPointF> handles_;
    double yLo_ = 0, yHi_ = 1;       // plot range of the y value (log sigma, beta or abar)
    QRectF plot_;                    // the plot area in widget pixels
    int dragging_ = -1, hover_ = -1; // handle indices
    QPointF grab_;                   // handle centre minus the press position, so a handle does not jump
    bool moved_ = false;
};

} // namespace ss::window

#pragma once
// A QPainter view of one scene: the data points and the exact score field of
// the data at one noise level, on equal-aspect axes with ticks and a caption.
// A stand-in until the OpenGL view arrives; everything runs on the GUI thread,
// so it is meant for small scenes (a few thousand points, a ~24x24 field).
#include "ExactScore.h"

#include <Eigen/Core>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QWidget>

#include <memory>

namespace ss {
struct Dataset;
}

class ScenePreview : public QWidget {
    Q_OBJECT
public:
    explicit ScenePreview(QWidget* parent = nullptr);

    // Shows data's points and its exact score at marginal m, sampled on a
    // gridSize x gridSize grid over the view. title names the data set in the
    // caption. Throws what Dataset::exactScore() and ExactScore::score() throw
    // (ss::InputError), leaving the previous scene in place.
    void setScene(const ss::Dataset& data, const QString& title, ss::Marginal m, int gridSize = 24);

    // Replaces the scene by a message drawn in the middle of the widget.
    void showError(const QString& message);

    QSize sizeHint() const override { return {900, 900}; }
    QSize minimumSizeHint() const override { return {320, 320}; }

signals:
    // The mouse is over the plot: position in data coordinates and the exact
    // score there. Emitted with valid = false when it leaves the plot.
    void hovered(bool valid, QPointF position, QPointF score);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    struct Layout {
        QRectF caption; // title and legend, above the plot
        QRectF plot;    // the square data area
    };
    Layout layout() const;
    QPointF toWidget(const QRectF& plot, double x, double y) const;
    QPointF toData(const QRectF& plot, QPointF p) const;

    void drawCaption(QPainter& p, const QRectF& area) const;
    void drawAxes(QPainter& p, const QRectF& plot) const;
    void drawPoints(QPainter& p, const QRectF& plot) const;
    void drawField(QPainter& p, const QRectF& plot) const;

    Eigen::Matrix2Xd points_;
    Eigen::Matrix2Xd gridPoints_; // gridSize^2 sample positions of the field
    Eigen::Matrix2Xd gridScores_; // exact score at each grid position
    double scoreScale_ = 1.0;     // score norm drawn at full arrow length
    int gridSize_ = 0;
    std::shared_ptr<const ss::ExactScore> exact_;
    ss::Marginal marginal_;
    QString title_;
    QString error_;
    // The square data-space view, centre +- half on both axes, and its tick spacing.
    QPointF viewCentre_;
    double viewHalf_ = 1.0;
    double tick_ = 0.5;
};

#pragma once
// The noise-level scrubber under the scene: a slider over the schedule's
// levels (discrete schedules) or over t (continuous ones), a label with sigma
// (and t), and a play button that sweeps it. It sets the level shown by the
// density, field and error layers.
#include "core/NoiseSchedule.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QSlider;
class QToolButton;

namespace ss::window {

class NoiseScrubber : public QWidget {
    Q_OBJECT
public:
    explicit NoiseScrubber(QWidget* parent = nullptr);

    // Keeps the position (as a fraction) where it can.
    void setSchedule(const NoiseSchedule& schedule);
    NoiseLevel level() const;
    void setPosition(double fraction); // 0: least noise, 1: most
    QSlider* slider() const { return slider_; }

signals:
    void levelChanged(const NoiseLevel& level);

private:
    void update();

    NoiseSchedule schedule_;
    QSlider* slider_;
    QLabel* label_;
    QToolButton* play_;
    QTimer sweep_;
};

} // namespace ss::window

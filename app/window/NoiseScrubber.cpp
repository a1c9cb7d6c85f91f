#include "window/NoiseScrubber.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QSlider>
#include <QToolButton>

#include <cmath>

namespace ss::window {

namespace {
constexpr int kContinuousTicks = 200;
}

NoiseScrubber::NoiseScrubber(QWidget* parent) : QWidget(parent)
{
    auto* row = new QHBoxLayout(this);
    row->setContentsMargins(8, 2, 8, 2);
    play_ = new QToolButton(this);
    play_->setObjectName("sweepLevels");
    play_->setText(tr("▶"));
    play_->setToolTip(tr("Sweep the noise level"));
    play_->setCheckable(true);
    row->addWidget(new QLabel(tr("Noise level"), this));
    slider_ = new QSlider(Qt::Horizontal, this);
    slider_->setObjectName("noiseLevel");
    slider_->setToolTip(tr("The noise level σ (or t) the fields, heat maps and noised data show"));
    row->addWidget(slider_, 1);
    label_ = new QLabel(this);
    label_->setMinimumWidth(170);
    row->addWidget(label_);
    row->addWidget(play_);
    sweep_.setInterval(120);
    connect(&sweep_, &QTimer::timeout, this, [this] {
        slider_->setValue(slider_->value() >= slider_->maximum() ? slider_->minimum() : slider_->value() + 1);
    });
    connect(play_, &QToolButton::toggled, this, [this](bool on) {
        play_->setText(on ? tr("⏸") : tr("▶"));
        if (on) sweep_.start();
        else sweep_.stop();
    });
    connect(slider_, &QSlider::valueChanged, this, &NoiseScrubber::update);
    setSchedule(schedule_);
}

void NoiseScrubber::setSchedule(const NoiseSchedule& schedule)
{
    const double fraction = slider_->maximum() > slider_->minimum()
                                ? double(slider_->value() - slider_->minimum()) / (slider_->maximum() - slider_->minimum())
                                : 0.3;
    schedule_ = schedule;
    const QSignalBlocker block(slider_);
    slider_->setRange(schedule_.isDiscrete() ? 1 : 0, schedule_.isDiscrete() ? schedule_.numLevels() : kContinuousTicks);
    setPosition(fraction);
    update();
}

void NoiseScrubber::setPosition(double fraction)
{
    slider_->setValue(slider_->minimum() + int(std::lround(fraction * (slider_->maximum() - slider_->minimum()))));
}

NoiseLevel NoiseScrubber::level() const
{
    if (schedule_.isDiscrete()) return schedule_.level(slider_->value());
    const double t0 = schedule_.tEpsilon();
    return schedule_.at(t0 + (1.0 - t0) * slider_->value() / double(kContinuousTicks));
}

void NoiseScrubber::update()
{
    const NoiseLevel l = level();
    label_->setText(schedule_.isVarianceExploding()
                        ? tr("σ = %1   (t = %2)").arg(l.marginal.std, 0, 'g', 3).arg(l.t, 0, 'f', 3)
                        : tr("√ᾱ = %1, σ = %2   (t = %3)")
                              .arg(l.marginal.mean, 0, 'g', 3)
                              .arg(l.marginal.std, 0, 'g', 3)
                              .arg(l.t, 0, 'f', 3));
    emit levelChanged(l);
}

} // namespace ss::window

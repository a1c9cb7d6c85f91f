#pragma once
// The schedule as a curve to drag (ScheduleCurve, with a view selector), and
// below it the form: kind and parameters (sigma_min, sigma_max, L for VE;
// T for DDPM; beta_min, beta_max for VP; the curve's points for a custom
// curve). A drag applies live when it ends; the form applies with its button.
// Either way an invalid schedule is shown and refused, never applied. Below it
// the diagnostics: the noisiest marginal (abar_T or sigma_max), the KL of the
// final marginal to the prior for the current data, sigma_max against the
// data's diameter, and the annealed-Langevin step sizes.
#include "core/Dataset.h"
#include "core/NoiseSchedule.h"
#include "core/SamplerConfig.h"
#include "window/ScheduleCurve.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace ss::window {

class SchedulePanel : public QWidget {
    Q_OBJECT
public:
    explicit SchedulePanel(QWidget* parent = nullptr);

    void showSchedule(const NoiseSchedule& schedule);  // without emitting
    void restore(const NoiseSchedule& schedule);       // undo, redo: shows it and requests it, as Apply does
    void setData(std::shared_ptr<const Dataset> data); // for the diagnostics
    // The sampler in use, for the annealed-Langevin line of the diagnostics:
    // the eps its rule derives (core/SamplerDefaults, as the Sampler dock) and
    // the eps it runs with.
    void setSampler(const SamplerConfig& sampler);
    // The schedule the fields describe; throws InputError when they are invalid.
    NoiseSchedule schedule() const;
    QString diagnostics() const; // the label's text
    ScheduleCurve* curve() const { return curve_; }
    // Builds the edited schedule and applies it (scheduleRequested), or refuses
    // it (message) and puts the curve back on the applied schedule. The curve's
    // editFinished lands here.
    void applyCurveEdit(const CurveEdit& edit);

signals:
    void scheduleRequested(const NoiseSchedule& schedule);
    void message(const QString& text, bool isError);

private:
    void apply();
    void updateDiagnostics();
    void updateEnabled();
    void kindChosen(); // the user picked a kind: fill what the new kind reads from the applied schedule
    void updateViewChoices(); // views that fit the applied schedule; hint text

    ScheduleCurve* curve_;
    QComboBox *view_, *kind_;
    QLabel* hint_;
    QDoubleSpinBox *sigmaMin_, *sigmaMax_, *betaMin_, *betaMax_;
    QSpinBox *levels_, *T_;
    QLabel* diagnostics_;
    std::shared_ptr<const Dataset> data_;
    NoiseSchedule current_;
    SamplerConfig sampler_;
};

} // namespace ss::window

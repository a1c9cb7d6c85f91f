#pragma once
// The Sampler dock: the sampler and every option it has (only the rows of the
// chosen sampler are shown), particle count, start, steps per frame, trail
// length, looping, seed, and the score source (learned or exact, so estimation
// error and sampler error can be told apart); play / pause / single step / reset.
// Edits emit settingsChanged(); the window builds the new setup and posts it
// (the worker refuses combinations it cannot run, with a message).
#include "SamplingWorker.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QDoubleSpinBox;
class QLabel;
class QSpinBox;

namespace ss::window {

class SamplerPanel : public QWidget {
    Q_OBJECT
public:
    explicit SamplerPanel(QWidget* parent = nullptr);

    // The panel's values written over base (schedule and data are not the panel's).
    app::SamplingSetup apply(app::SamplingSetup base) const;
    void showSetup(const app::SamplingSetup& setup); // without emitting settingsChanged
    void showSnapshot(const app::ParticleSnapshot& s);

signals:
    void settingsChanged();
    void sourceChanged(app::SourceKind kind);
    void playRequested();
    void pauseRequested();
    void stepRequested();
    void resetRequested();

private:
    void updateEnabled();

    QFormLayout* form_;
    QComboBox *kind_, *source_, *start_, *variance_, *spacing_, *predictor_, *ode_, *direction_;
    QSpinBox *particles_, *stepsPerFrame_, *trail_, *seed_, *stepsPerLevel_, *annealedLevels_, *steps_, *ddimSteps_,
        *correctors_;
    QDoubleSpinBox *stepSize_, *langevinStd_, *eta_, *snr_, *rtol_, *atol_;
    QCheckBox* loop_;
    QLabel* status_;
    bool showing_ = false;
};

} // namespace ss::window

#pragma once
// The Sampler dock: the sampler and every option it has (only the rows of the
// chosen sampler are shown), particle count, start, steps per frame, trail
// length, looping, seed, and the score source (learned or exact, so estimation
// error and sampler error can be told apart); play / pause / single step / reset.
// Edits emit settingsChanged(); the window builds the new setup and posts it
// (the worker refuses combinations it cannot run, with a message). The options
// are the rows of one table (SamplerForm.h): it builds, shows, applies and
// hides them; this class adds the buttons and the derived defaults.
#include "state/SamplingSetup.h"

#include <memory>
#include <vector>

#include <QWidget>

class QComboBox;
class QFormLayout;
class QDoubleSpinBox;
class QLabel;

namespace ss::window {

class SamplerPanel : public QWidget {
    Q_OBJECT
public:
    explicit SamplerPanel(QWidget* parent = nullptr);

    // The panel's values written over base (schedule and data are not the panel's).
    app::SamplingSetup apply(app::SamplingSetup base) const;
    // Without emitting settingsChanged; takes the setup's schedule and data as
    // the context of the derived defaults (setContext).
    void showSetup(const app::SamplingSetup& setup);
    void restore(const app::SamplingSetup& setup); // undo, redo: shows it, then settingsChanged()
    // What the derived step size and Langevin noise level depend on besides the
    // panel's own values (core/SamplerDefaults): the schedule in use, the data
    // (its narrowest mode) and a single-sigma model's sigma (0: none). A step
    // size or noise level the user has not typed (it still equals the derived
    // value) follows the new context; settingsChanged is emitted if it moved.
    void setContext(const NoiseSchedule& schedule, std::shared_ptr<const Dataset> data, double modelSigma);
    void showSnapshot(const app::ParticleSnapshot& s);
    void addFooter(QWidget* w); // a row under the settings (the step-through's)

signals:
    void settingsChanged();
    void sourceChanged(app::SourceKind kind);
    void playRequested();
    void pauseRequested();
    void stepRequested();
    void resetRequested();

private:
    void updateEnabled(); // shows the rows that apply to the panel's current values
    // The derived defaults for the panel's current values in the current context.
    double derivedStep() const;
    double derivedStd() const;
    // Values equal to the last derived ones follow the new derivation; returns
    // whether a value changed. Then shows the rule's value beside the fields.
    bool followDerived();
    void updateHint(); // the derived value of the chosen sampler, beside its field
    void updateGuidanceHint(const GuidanceConfig& g); // the scale in both conventions, under it
    SamplerKind kind() const;

    QFormLayout* form_;
    std::vector<QWidget*> fields_; // one per samplerRows() row, in its order
    // The fields the derived defaults read and move (also in fields_).
    QDoubleSpinBox *stepSize_, *langevinStd_;
    QComboBox *spacing_, *direction_;
    QLabel *status_, *derivedHint_;
    QLabel* guidanceHint_ = nullptr;
    app::SamplingSetup shown_; // the last setup shown (its SDEdit stroke decides the SDEdit rows)
    bool showing_ = false;
    // Context of the derived defaults, and the values last derived (what an
    // untouched field holds).
    NoiseSchedule schedule_;
    std::shared_ptr<const Dataset> data_;
    double modelSigma_ = 0;
    double lastStep_ = 0, lastStd_ = 0;
    SamplerKind lastKind_ = SamplerKind::AnnealedLangevin;
    Direction lastDirection_ = Direction::NoiseToData;
};

} // namespace ss::window

#pragma once
// The Flow dock's controls: a continuous normalizing flow (FFJORD) trained by
// maximum likelihood beside the score model. The network, how its ODE is
// solved and differentiated, the divergence (exact or Hutchinson), the batch
// and learning rate; Apply makes a fresh flow with them (a refused combination
// is said, the old flow goes on). Train / Pause, Reset, "Samples in the scene",
// Save flow…, and a status line with what one step costs.
#include "state/FlowSetup.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;

namespace ss::window {

class FlowPanel : public QWidget {
    Q_OBJECT
public:
    explicit FlowPanel(QWidget* parent = nullptr);

    void showSettings(const app::FlowSettings& s); // without emitting
    // The panel's values over base; throws InputError naming the field (the widths).
    app::FlowSettings settings(app::FlowSettings base) const;
    void showSnapshot(const app::FlowSnapshot& s); // the status line and the Train button
    void setSamplesShown(bool on);                 // without emitting
    bool samplesShown() const;
    QString status() const;

signals:
    void applyRequested();
    void trainToggled(bool train);
    void resetRequested();
    void samplesToggled(bool on);
    void saveRequested();

private:
    void updateEnabled(); // probe rows only for Hutchinson, tolerances only for RK45

    QLineEdit* hidden_;
    QComboBox *activation_, *trace_, *probe_, *gradient_, *method_;
    QSpinBox *probes_, *steps_, *batch_, *sampleSteps_, *seed_;
    QDoubleSpinBox *tolerance_, *learningRate_;
    QPushButton *apply_, *train_, *reset_, *save_;
    QCheckBox* samples_;
    QLabel* status_;
};

} // namespace ss::window

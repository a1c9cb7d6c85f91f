#pragma once
// The Model dock: the network (width, depth, activation, parametrisation,
// noise conditioning, seed) and the objective with its options (the
// weighting over log-SNR and its chart, "Weightings…"). Changing any
// of these means a new trainer: Apply asks the window for one (the old model
// keeps training if the new combination is refused).
#include "core/Dataset.h"
#include "core/NoiseSchedule.h"
#include "core/Objective.h"
#include "core/ScoreNet.h"

#include <QWidget>

#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QPushButton;
class QSpinBox;

namespace ss::window {

class WeightingChart;

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(QWidget* parent = nullptr);

    void showModel(const ModelConfig& model, const ObjectiveConfig& objective); // without emitting
    void restore(const ModelConfig& model, const ObjectiveConfig& objective);   // undo, redo: shows, then Apply
    ModelConfig model(ModelConfig base) const;             // the panel's values over base
    ObjectiveConfig objective(ObjectiveConfig base) const;
    // The schedule and data the weighting chart marks and derives sigma_data from.
    void setContext(const NoiseSchedule& schedule, std::shared_ptr<const Dataset> data);
    WeightingChart* weightingChart() const { return chart_; }

signals:
    void applyRequested();

private:
    void updateWeightings(); // enables the weighting for ncsn/ddpm and redraws the chart

    QSpinBox *width_, *depth_, *seed_, *projections_;
    QComboBox *activation_, *parametrisation_, *conditioning_, *objective_, *weighting_;
    QDoubleSpinBox *sigma_, *gamma_;
    QPushButton* showChart_;
    WeightingChart* chart_;
    NoiseSchedule schedule_;
    std::shared_ptr<const Dataset> data_;
    ModelConfig base_; // the model last shown (its sigma_data)
};

} // namespace ss::window

#pragma once
// The weighting chart of the Model dock: the loss weight of every weighting
// (core/Weighting.h: w(lambda) on the epsilon error) over log-SNR lambda, on a
// log axis, the model's own one drawn strong and the others faint, and the
// range of lambda the schedule trains on marked by two dashed lines. The
// lesson beside it: each is minimised by the same exact denoiser; a weighting
// only chooses which levels count (docs/reference/objectives.md#weightings).
#include "core/NoiseSchedule.h"
#include "core/Objective.h"
#include "window/MeasureChart.h"

namespace ss::window {

class WeightingChart : public MeasureChart {
    Q_OBJECT
public:
    explicit WeightingChart(QWidget* parent = nullptr);

    // Redraws for this model/objective on this schedule; sigmaData is EDM's
    // (the model's, or the data's when the model leaves it to the data).
    void showWeightings(const ModelConfig& model, const ObjectiveConfig& objective, const NoiseSchedule& schedule,
                        double sigmaData);
    // The weighting drawn strong (natural resolved), for tests.
    Weighting highlighted() const { return highlighted_; }
    // The schedule's range of lambda as drawn (least noisy, noisiest).
    std::pair<double, double> scheduleRange() const { return range_; }

private:
    Weighting highlighted_ = Weighting::Simple;
    std::pair<double, double> range_{0, 0};
};

} // namespace ss::window

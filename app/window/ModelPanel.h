#pragma once
// The Model dock: the network (width, depth, activation, parametrisation,
// noise conditioning, seed) and the objective with its options. Changing any
// of these means a new trainer: Apply asks the window for one (the old model
// keeps training if the new combination is refused).
#include "core/Objective.h"
#include "core/ScoreNet.h"

#include <QWidget>

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace ss::window {

class ModelPanel : public QWidget {
    Q_OBJECT
public:
    explicit ModelPanel(QWidget* parent = nullptr);

    void showModel(const ModelConfig& model, const ObjectiveConfig& objective); // without emitting
    void restore(const ModelConfig& model, const ObjectiveConfig& objective);   // undo, redo: shows, then Apply
    ModelConfig model(ModelConfig base) const;             // the panel's values over base
    ObjectiveConfig objective(ObjectiveConfig base) const;

signals:
    void applyRequested();

private:
    QSpinBox *width_, *depth_, *seed_, *projections_;
    QComboBox *activation_, *parametrisation_, *conditioning_, *objective_;
    QDoubleSpinBox* sigma_;
};

} // namespace ss::window

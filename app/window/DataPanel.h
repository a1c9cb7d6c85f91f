#pragma once
// The Data dock: a preset with its documented parameters, the number of points
// and the seed (Apply builds the data set), and CSV load / save. A new data set
// is announced with dataChanged(); a refused file or parameter with
// message(text, true) — the current data set stays.
#include "Dataset.h"

#include <QWidget>

#include <map>
#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QSpinBox;

namespace ss::window {

class DataPanel : public QWidget {
    Q_OBJECT
public:
    explicit DataPanel(QWidget* parent = nullptr);

    // Shows the start-up data set and its origin, without emitting.
    void showPreset(const std::string& id, int n, std::uint64_t seed, std::shared_ptr<const Dataset> data);
    std::shared_ptr<const Dataset> current() const { return current_; }

    // The actions behind the buttons (public for scripts and tests).
    void applyPreset();
    void loadCsvFile(const QString& path);
    void saveCsvFile(const QString& path);

signals:
    void dataChanged(std::shared_ptr<const Dataset> data, const QString& title);
    void message(const QString& text, bool isError);

private:
    void rebuildParameters();

    QComboBox* preset_;
    QSpinBox *count_, *seed_;
    QFormLayout* params_;
    std::map<std::string, QDoubleSpinBox*> paramBoxes_;
    std::shared_ptr<const Dataset> current_;
};

} // namespace ss::window

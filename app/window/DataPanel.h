#pragma once
// The Data dock: a preset with its documented parameters, the number of points
// and the seed (Apply builds the data set), CSV load / save, and a draw mode
// (add points with the mouse, spray, erase) labelled by a chosen class. A new
// data set is announced with dataChanged(); a hand edit with pointsEdited();
// a refused file, parameter or edit with message(text, true) — the current
// data set stays.
#include "core/Dataset.h"
#include "view/DrawTool.h"
#include "core/Rng.h"
#include "core/SceneFile.h"

#include <QPointF>
#include <QWidget>

#include <map>
#include <memory>

class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QSpinBox;

namespace ss::window {

class DataPanel : public QWidget {
    Q_OBJECT
public:
    // More drawn points than this are refused (the exact score of an empirical
    // set costs O(n) per query, and every worker copies the set).
    static constexpr int kMaxDrawnPoints = 200'000;

    explicit DataPanel(QWidget* parent = nullptr);

    // Shows the start-up data set and its origin, without emitting.
    void showPreset(const std::string& id, int n, std::uint64_t seed, std::shared_ptr<const Dataset> data);
    std::shared_ptr<const Dataset> current() const { return current_; }
    // The preset the fields show, with its point count, seed and parameters
    // (what Apply builds). It describes current() only while current()->name
    // is origin().preset and no field was edited since: the caller checks the name.
    DataOrigin origin() const;

    // The actions behind the buttons (public for scripts and tests).
    void applyPreset();
    void loadCsvFile(const QString& path);
    void saveCsvFile(const QString& path);

    // Draw mode. The scene reports strokes in world coordinates; each edit
    // replaces current() with a drawn set (PointEdits.h) and is announced with
    // pointsEdited(data, false), the stroke's end with pointsEdited(data, true).
    view::DrawTool drawTool() const;
    double brushRadius() const;
    void beginStroke(QPointF world);    // Add: one point here; Erase: the points under the brush
    void continueStroke(QPointF world); // Add: a spray in the brush; Erase: as above
    void endStroke();
    void clearPoints(); // an empty drawn set (announced as a finished stroke)
    // Undo and redo: shows data and the preset fields of origin, and announces
    // data as it was made: a drawn set as a finished stroke, any other as
    // dataChanged(data, title) (a preset's Apply, a file's Load).
    void restore(std::shared_ptr<const Dataset> data, const DataOrigin& origin, const QString& title);

signals:
    void dataChanged(std::shared_ptr<const Dataset> data, const QString& title);
    void pointsEdited(std::shared_ptr<const Dataset> data, bool strokeDone);
    void drawToolChanged(view::DrawTool tool, double radius);
    void sdeditStrokeDrawn(const Eigen::Matrix2Xd& points); // the SDEdit tool's finished stroke (world coordinates)
    void message(const QString& text, bool isError);

private:
    void rebuildParameters();
    QWidget* buildDrawGroup();
    void edit(Dataset next); // becomes current_ and is announced (not the stroke's end)
    void add(const Eigen::Matrix2Xd& points);
    void erase(QPointF world);
    void addToSdeditStroke(const Eigen::Matrix2Xd& points);
    static constexpr Eigen::Index kMaxSdeditPoints = 2000;
    Eigen::Matrix2Xd sdeditStroke_{2, 0}; // the SDEdit stroke being drawn
    void showCurrent();

    QComboBox* preset_;
    QSpinBox *count_, *seed_;
    QFormLayout* params_;
    std::map<std::string, QDoubleSpinBox*> paramBoxes_;
    std::shared_ptr<const Dataset> current_;

    QComboBox* drawTool_;
    QDoubleSpinBox* radius_;
    QSpinBox *density_, *label_;
    QLabel* currentInfo_;
    Rng spray_{0x5bd1e995}; // seeded: the same strokes give the same points
    bool strokeEdited_ = false, strokeRefused_ = false;
};

} // namespace ss::window

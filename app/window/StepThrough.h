#pragma once
// The step-through's controls: which particles the sampler follows. A left
// click on a particle in the scene follows it alone, Shift+click (or
// Ctrl+click) adds or removes one (at most kMaxFollowed), a click on empty
// scene stops following; the F key follows the particle nearest the view's
// centre, or stops. The choice goes to the sampling worker (postFollow),
// whose snapshots carry the followed particles' last step; the scene draws it
// (paint/StepThroughPaint). A row in the Sampler dock says what is followed
// and has a Stop button.
#include <QObject>
#include <QString>

#include <Eigen/Core>

#include <functional>
#include <vector>

class QLabel;
class QPushButton;
class QWidget;

namespace ss::app {
class SamplingWorker;
}
namespace ss::view {
class SceneView;
}

namespace ss::window {

class StepThrough : public QObject {
    Q_OBJECT
public:
    static constexpr int kMaxFollowed = 4;
    // worker(): the sampling worker now (it is the controller's, and lives as long).
    StepThrough(view::SceneView* scene, std::function<app::SamplingWorker*()> worker, QObject* parent = nullptr);

    const std::vector<Eigen::Index>& followed() const { return followed_; }
    void follow(std::vector<Eigen::Index> columns); // replaces the choice (the last kMaxFollowed kept)
    void stop() { follow({}); }
    void toggleNearCentre(); // the F key
    // The Sampler dock's row: what is followed, how to choose, and Stop.
    QWidget* makeRow(QWidget* parent);

signals:
    void followChanged();

private:
    void clicked(qint64 column, Qt::KeyboardModifiers modifiers);
    void showRow();

    view::SceneView* scene_;
    std::function<app::SamplingWorker*()> worker_;
    std::vector<Eigen::Index> followed_;
    QLabel* rowText_ = nullptr;
    QPushButton* stopButton_ = nullptr;
};

} // namespace ss::window

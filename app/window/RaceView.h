#pragma once
// The sampler race's small multiples: one panel per configuration, each the
// scene as the main view shows it (same view rectangle, layers, heat map and
// palette: ScenePainter draws it) with that configuration's particles, and a
// caption with its sampler, score, steps, NFE so far and, once it finished,
// its quality beside the noise floor. Drawn with QPainter from the race
// worker's immutable snapshots (engine/RaceWorker); cheap enough for the GUI
// thread at 6 x 1,000 particles (bench: bench_race_view).
#include "engine/RaceWorker.h"
#include "paint/ScenePainter.h"

#include <QElapsedTimer>
#include <QWidget>

#include <functional>
#include <vector>

namespace ss::window {

class RaceView : public QWidget {
    Q_OBJECT
public:
    explicit RaceView(QWidget* parent = nullptr);

    // Where the scene's view, layers, heat map and palette come from (the main view's picture()).
    void setScene(std::function<view::ScenePicture()> scene) { scene_ = std::move(scene); }
    void showLive(app::RaceLivePtr live); // null: the hint
    app::RaceLivePtr live() const { return live_; }

    // The panels' grid for n panels in a w x h area: columns that make the panels largest.
    static int columnsFor(int n, double w, double h);
    // One panel's picture: the scene's with lane's particles and caption, its
    // world widened to the panel's aspect (aspect = width / height) around the same centre.
    static view::ScenePicture lanePicture(const view::ScenePicture& scene, const app::RaceLaneState& lane,
                                          const RaceFloor& floor, double aspect);
    static QString laneCaption(const app::RaceLaneState& lane, const RaceFloor& floor);

    // Panel-frame intervals (ms) so far (the race benchmark reads them).
    const std::vector<double>& frameTimes() const { return frameTimes_; }

protected:
    void paintEvent(QPaintEvent* e) override;

private:
    std::function<view::ScenePicture()> scene_;
    app::RaceLivePtr live_;
    QElapsedTimer sinceFrame_;
    std::vector<double> frameTimes_;
};

} // namespace ss::window

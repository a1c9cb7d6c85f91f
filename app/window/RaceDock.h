#pragma once
// The "Compare samplers" dock (View menu; hidden at first, at the bottom):
// the race's controls on the left (RacePanel), and in tabs the small
// multiples of the live race (RaceView) and the quality-against-NFE chart
// (RaceChart). It owns the race worker's thread and builds what a race runs
// against from the scene: its data, the newest network as the learned score,
// the scene's schedule (the one the model trains on) for every configuration.
#include "engine/RaceWorker.h"

#include <QDockWidget>

#include <memory>

class QTabWidget;

namespace ss::window {

class MainWindow;
class RaceChart;
class RacePanel;
class RaceView;

class RaceDock : public QDockWidget {
    Q_OBJECT
public:
    explicit RaceDock(MainWindow* window);
    ~RaceDock() override; // joins the race thread

    RacePanel* panel() const { return panel_; }
    RaceView* view() const { return view_; }
    RaceChart* chart() const { return chart_; }
    app::RaceWorker* worker() const { return thread_->worker(); }

    // What a race runs against now (throws InputError without data).
    RaceScores scores() const;
    // The sweep's spec: the panel's, plus the exact-score twin "NAME (exact)"
    // of every learned configuration that has none, so both curves are drawn.
    static RaceSpec withExactTwins(RaceSpec spec);

    void run();   // Run side by side
    void sweep(); // Sweep quality vs NFE

signals:
    void message(const QString& text, bool isError);

private:
    void addFromSampler();
    bool refuseWithoutNetwork(const RaceSpec& spec);

    MainWindow* window_;
    RacePanel* panel_;
    RaceView* view_;
    RaceChart* chart_;
    QTabWidget* tabs_;
    std::unique_ptr<app::RaceThread> thread_;
};

// Adds the dock to the window's bottom area, hidden; returns it.
RaceDock* addRaceDock(MainWindow* window);

} // namespace ss::window

#pragma once
// The "Continuous flow (CNF)" dock (View menu; hidden at first, at the
// bottom): a continuous normalizing flow trained by maximum likelihood on the
// scene's data beside the score model (the course's lecture 14). Controls on the left
// (FlowPanel), charts on the right (FlowCharts: NLL, NFE per step,
// Hutchinson variance). It owns the flow worker's thread; the flow follows
// the scene's data (a fresh flow on new points). With "Samples in the scene"
// on, the window draws and measures the flow's samples instead of the
// sampler's (MainWindow::setFlowSamplesShown), until it is turned off or the
// dock is closed by the user (hidden by presentation mode, it goes on).
#include "engine/CnfWorker.h"

#include <QDockWidget>

#include <memory>

namespace ss::window {

class MainWindow;
class FlowPanel;
class FlowCharts;

class FlowDock : public QDockWidget {
    Q_OBJECT
public:
    explicit FlowDock(MainWindow* window);
    ~FlowDock() override; // joins the flow thread

    FlowPanel* panel() const { return panel_; }
    FlowCharts* charts() const { return charts_; }
    app::CnfWorker* worker() const { return thread_->worker(); }

    // A lesson's or a script's way in: the settings (a fresh flow), training
    // on or off, samples in the scene on or off. Refused settings: message.
    void apply(const app::FlowSettings& settings);
    void setTraining(bool on);
    void setSamplesShown(bool on);
    // The settings last asked for (apply(), the panel's Apply): what the flow
    // runs once the messages posted so far are applied.
    const app::FlowSettings& requestedSettings() const { return requested_; }

protected:
    // Closed by the user (its X): the flow pauses and its samples leave the
    // scene. Hidden by presentation mode or a layout change: it goes on.
    void closeEvent(QCloseEvent* e) override;

signals:
    void message(const QString& text, bool isError);

private:
    void showSnapshot();
    void followData();

    MainWindow* window_;
    FlowPanel* panel_;
    FlowCharts* charts_;
    std::unique_ptr<app::CnfThread> thread_;
    std::shared_ptr<const Dataset> data_; // what the flow trains on
    qint64 lastCharted_ = 0;              // ms since epoch of the last chart update
    bool sized_ = false;
    app::FlowSettings requested_;                  // given its first height (a third of the window)
};

// Adds the dock to the window's bottom area, hidden; returns it.
FlowDock* addFlowDock(MainWindow* window);

} // namespace ss::window

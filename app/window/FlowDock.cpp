#include "window/FlowDock.h"

#include "window/FlowCharts.h"
#include "window/FlowPanel.h"
#include "window/MainWindow.h"

#include "core/Error.h"

#include <QAction>
#include <QCloseEvent>
#include <QDateTime>
#include <QFileDialog>
#include <QScrollArea>
#include <QSplitter>

namespace ss::window {

namespace {
constexpr qint64 kChartIntervalMs = 500; // charts redraw at most twice a second (QtCharts is not free)
}

FlowDock::FlowDock(MainWindow* window)
    : QDockWidget(tr("Continuous flow (CNF)"), window), window_(window),
      data_(window->controller()->setup().training.data),
      thread_(std::make_unique<app::CnfThread>(window->controller()->setup().training.data))
{
    requested_ = worker()->latest()->settings;
    setObjectName("flowDock");
    // Behind the score model's training (2) and the sampler (4), ahead of the
    // fields (6): at 2, the flow's threads beside training, the renderer and
    // llvmpipe kept lecture 12's GUI thread waiting 36-44 ms for a core; at 5-6
    // 21-24 ms (issue 16).
    thread_->setNiceness(5);
    auto* split = new QSplitter(Qt::Horizontal, this);
    panel_ = new FlowPanel;
    auto* scroll = new QScrollArea(split);
    scroll->setWidget(panel_);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    charts_ = new FlowCharts(split);
    split->addWidget(scroll);
    split->addWidget(charts_);
    split->setStretchFactor(1, 1);
    split->setSizes({460, 1000});
    setWidget(split);

    app::CnfWorker* w = worker();
    connect(w, &app::CnfWorker::snapshotReady, this, &FlowDock::showSnapshot);
    connect(w, &app::CnfWorker::message, this, &FlowDock::message);
    connect(charts_, &FlowCharts::message, this, &FlowDock::message);
    connect(panel_, &FlowPanel::applyRequested, this, [this] {
        try {
            apply(panel_->settings(requested_));
        } catch (const InputError& e) {
            emit message(tr("flow refused: %1").arg(QString::fromUtf8(e.what())), true);
        }
    });
    connect(panel_, &FlowPanel::trainToggled, this, &FlowDock::setTraining);
    connect(panel_, &FlowPanel::resetRequested, w, &app::CnfWorker::postReset);
    connect(panel_, &FlowPanel::samplesToggled, this, &FlowDock::setSamplesShown);
    connect(panel_, &FlowPanel::saveRequested, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save flow"), "flow.json", tr("CNF model (*.json)"));
        if (!path.isEmpty()) worker()->postSave(path);
    });
    // The flow learns the scene's data: a fresh flow on new points (a finished
    // stroke, a preset, a file, another scene).
    app::SceneController* c = window->controller();
    connect(c, &app::SceneController::dataPosted, this, [this](std::shared_ptr<const Dataset>, bool restart) {
        if (restart) followData();
    });
    connect(c, &app::SceneController::trainingReplaced, this, &FlowDock::followData);
    // Charts are drawn only while seen: shown again, they catch up at once.
    connect(this, &QDockWidget::visibilityChanged, this, [this](bool visible) {
        if (!visible) return;
        if (!sized_ && !isFloating()) {
            // The first time: about a third of the window's height, so the scene keeps most of it.
            sized_ = true;
            window_->resizeDocks({this}, {std::max(300, window_->height() * 34 / 100)}, Qt::Vertical);
        }
        if (worker()->latest()) charts_->showSnapshot(*worker()->latest());
    });
    // Closed from the View menu: the flow stops (nothing trains or draws out
    // of sight). Not on toggled(): presentation mode hides every dock and the
    // flow must go on there.
    connect(toggleViewAction(), &QAction::triggered, this, [this](bool shown) {
        if (shown) return;
        setTraining(false);
        setSamplesShown(false);
    });
}

FlowDock::~FlowDock() { thread_.reset(); }

void FlowDock::followData()
{
    const auto& data = window_->controller()->setup().training.data;
    if (data == data_) return;
    data_ = data;
    worker()->postData(data);
}

void FlowDock::closeEvent(QCloseEvent* e)
{
    setTraining(false);
    setSamplesShown(false);
    QDockWidget::closeEvent(e);
}

void FlowDock::apply(const app::FlowSettings& settings)
{
    requested_ = settings;
    panel_->showSettings(settings);
    worker()->postSettings(settings);
}

void FlowDock::setTraining(bool on)
{
    if (on) worker()->postStart();
    else worker()->postPause();
}

void FlowDock::setSamplesShown(bool on)
{
    panel_->setSamplesShown(on);
    worker()->postShowSamples(on);
    window_->setFlowSamplesShown(on);
}

void FlowDock::showSnapshot()
{
    const app::FlowPtr s = worker()->latest();
    if (!s) return;
    panel_->showSnapshot(*s);
    if (s->samples && panel_->samplesShown()) window_->showFlowSamples(s->samples);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (isVisible() && now - lastCharted_ >= kChartIntervalMs) {
        lastCharted_ = now;
        charts_->showSnapshot(*s);
    }
}

FlowDock* addFlowDock(MainWindow* window)
{
    auto* dock = new FlowDock(window);
    window->addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide();
    return dock;
}

} // namespace ss::window

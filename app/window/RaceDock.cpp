#include "window/RaceDock.h"

#include "window/MainWindow.h"
#include "window/RaceChart.h"
#include "window/RacePanel.h"
#include "window/RaceView.h"

#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/Presets.h"
#include "core/ScoreSource.h"

#include <QSplitter>
#include <QTabWidget>

#include <algorithm>

namespace ss::window {

namespace {

bool isPresetId(const std::string& id)
{
    const auto& all = presetCatalogue();
    return std::any_of(all.begin(), all.end(), [&](const PresetInfo& p) { return p.id == id; });
}

} // namespace

RaceDock::RaceDock(MainWindow* window)
    : QDockWidget(tr("Compare samplers"), window), window_(window), thread_(std::make_unique<app::RaceThread>())
{
    setObjectName("raceDock");
    thread_->setNiceness(4); // the live panels yield to training
    auto* split = new QSplitter(Qt::Horizontal, this);
    panel_ = new RacePanel(split);
    tabs_ = new QTabWidget(split);
    tabs_->setObjectName("raceTabs");
    view_ = new RaceView(tabs_);
    chart_ = new RaceChart(tabs_);
    tabs_->addTab(view_, tr("Side by side"));
    tabs_->addTab(chart_, tr("Quality vs NFE"));
    split->addWidget(panel_);
    split->addWidget(tabs_);
    split->setStretchFactor(1, 1);
    split->setSizes({430, 1000}); // the table's four columns readable
    setWidget(split);

    view_->setScene([window] { return window->scene()->picture(); });
    const app::SceneSetup& setup = window->controller()->setup();
    panel_->setDefaults(setup.training.schedule, RaceScore::Learned);

    app::RaceWorker* w = worker();
    connect(w, &app::RaceWorker::liveReady, this, [this] {
        const app::RaceLivePtr live = worker()->latestLive();
        view_->showLive(live);
        panel_->showLiveRunning(live && live->running);
    });
    connect(w, &app::RaceWorker::sweepReady, this, [this] {
        const app::RaceSweepPtr s = worker()->latestSweep();
        if (!s) return;
        panel_->showSweepProgress(s->running, s->row, s->rows, QString::fromStdString(s->current));
        if (!s->running) {
            chart_->showResult(s->spec, s->result);
            if (!s->result.rows.empty()) tabs_->setCurrentWidget(chart_);
        }
    });
    connect(w, &app::RaceWorker::message, this, &RaceDock::message);
    connect(panel_, &RacePanel::message, this, &RaceDock::message);
    connect(chart_, &RaceChart::message, this, &RaceDock::message);
    connect(panel_, &RacePanel::runRequested, this, &RaceDock::run);
    connect(panel_, &RacePanel::stopRequested, w, &app::RaceWorker::postStop);
    connect(panel_, &RacePanel::sweepRequested, this, &RaceDock::sweep);
    connect(panel_, &RacePanel::cancelSweepRequested, this, [this] { worker()->cancelSweep(); });
    connect(panel_, &RacePanel::addFromSamplerRequested, this, &RaceDock::addFromSampler);
    // The panels draw the scene's heat map and view: a new one repaints them.
    app::SceneController* c = window->controller();
    connect(c, &app::SceneController::fieldReady, view_, [this] {
        if (view_->isVisible()) view_->update();
    });
    // A new model (a lecture, a scene file, another objective) or schedule: the
    // Add menu follows, and so does the race while the user has not changed it.
    const auto follow = [this] {
        const NoiseSchedule& schedule = window_->controller()->setup().training.schedule;
        panel_->setSchedule(schedule);
        if (!panel_->edited()) panel_->setDefaults(schedule, RaceScore::Learned);
    };
    connect(c, &app::SceneController::trainingReplaced, this, follow);
    connect(c, &app::SceneController::scheduleDerived, this, follow);
}

RaceDock::~RaceDock()
{
    worker()->cancelSweep(); // a sweep stops at its next step, so the join is quick
    thread_.reset();
}

RaceScores RaceDock::scores() const
{
    const app::SceneSetup& s = window_->controller()->setup();
    if (!s.sampling.data) throw InputError("the race needs data");
    const std::string& name = s.sampling.data->name;
    RaceScores r = RaceScores::ofData(s.sampling.data, isPresetId(name) ? name : std::string());
    if (std::shared_ptr<const ScoreNet> net = window_->controller()->latestNet())
        r.learned = app::learnedScoreSource(*net, s.sampling.data.get());
    r.modelSchedule = s.training.schedule; // the model's (the sampler's follows it)
    return r;
}

RaceSpec RaceDock::withExactTwins(RaceSpec spec)
{
    const std::vector<RaceEntry> given = spec.entries;
    for (const RaceEntry& e : given) {
        if (e.score != RaceScore::Learned) continue;
        const bool twinned = std::any_of(given.begin(), given.end(), [&](const RaceEntry& x) {
            const bool sameSchedule = x.schedule.has_value() == e.schedule.has_value() &&
                (!x.schedule || toJson(*x.schedule) == toJson(*e.schedule));
            return x.score == RaceScore::Exact && x.sampler == e.sampler && sameSchedule;
        });
        if (twinned) continue;
        RaceEntry twin = e;
        twin.name = e.name + " (exact)";
        twin.score = RaceScore::Exact;
        spec.entries.push_back(twin);
    }
    return spec;
}

bool RaceDock::refuseWithoutNetwork(const RaceSpec& spec)
{
    const bool learned = std::any_of(spec.entries.begin(), spec.entries.end(),
                                     [](const RaceEntry& e) { return e.score == RaceScore::Learned; });
    if (!learned || window_->controller()->latestNet()) return false;
    emit message(tr("No trained network yet: train for a moment (Training dock), or set the configurations' score "
                    "to exact"),
                 true);
    return true;
}

void RaceDock::run()
{
    try {
        const RaceSpec spec = panel_->spec();
        if (refuseWithoutNetwork(spec)) return;
        worker()->postRun(spec, scores(), panel_->liveSteps());
        tabs_->setCurrentWidget(view_);
    } catch (const std::exception& e) {
        emit message(QString::fromUtf8(e.what()), true);
    }
}

void RaceDock::sweep()
{
    try {
        const RaceSpec spec = withExactTwins(panel_->spec());
        if (refuseWithoutNetwork(spec)) return;
        worker()->postSweep(spec, scores());
    } catch (const std::exception& e) {
        emit message(QString::fromUtf8(e.what()), true);
    }
}

void RaceDock::addFromSampler()
{
    SamplerConfig c = window_->controller()->setup().sampling.sampler;
    QStringList dropped;
    if (c.fixCoordinate >= 0) dropped << tr("conditioning");
    if (c.direction != Direction::NoiseToData) dropped << tr("encoding");
    if (c.start != StartKind::Prior) dropped << tr("the uniform start");
    c.fixCoordinate = -1;
    c.direction = Direction::NoiseToData;
    c.start = StartKind::Prior;
    RaceEntry e;
    e.sampler = c;
    e.name = RacePanel::describe(c).toStdString();
    e.score = window_->controller()->setup().sampling.source == app::SourceKind::Exact ? RaceScore::Exact
                                                                                      : RaceScore::Learned;
    e.stepSizeGiven = true; // the dock's own step size, as it runs there
    const NoiseSchedule& schedule = window_->controller()->setup().sampling.schedule;
    if (panel_->addEntry(e, RacePanel::ownSteps(c, schedule)) && !dropped.isEmpty())
        emit message(tr("Races run from noise to data, from the prior, unconditioned: %1 left out")
                         .arg(dropped.join(tr(", "))),
                     false);
}

RaceDock* addRaceDock(MainWindow* window)
{
    auto* dock = new RaceDock(window);
    window->addDockWidget(Qt::BottomDockWidgetArea, dock);
    dock->hide();
    return dock;
}

} // namespace ss::window

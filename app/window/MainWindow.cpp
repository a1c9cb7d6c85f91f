#include "window/MainWindow.h"

#include "window/Application.h"
#include "engine/Boundary.h"
#include "window/Caption.h"
#include "core/Error.h"
#include "window/Docks.h"
#include "window/ExportActions.h"
#include "window/HelpMenu.h"
#include "window/LectureMenu.h"
#include "window/ViewMenu.h"
#include "window/LessonDock.h"
#include "window/LessonPanel.h"
#include "window/MeasurementsDock.h"
#include "window/MeasurementsPanel.h"
#include "window/RaceDock.h"
#include "window/FlowDock.h"
#include "window/LessonApplier.h"
#include "window/StepThrough.h"
#include "core/SamplerDefaults.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenuBar>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStatusBar>
#include <QVBoxLayout>

#include <algorithm>

namespace ss::window {

MainWindow::MainWindow(const SceneSetup& scene, bool useSettings, QWidget* parent)
    : QMainWindow(parent), useSettings_(useSettings)
{
    setObjectName("mainWindow");
    // The workers first: a setup they refuse is a programming error in the
    // presets, so it propagates (InputError) to the caller.
    controller_ = std::make_unique<app::SceneController>(scene);
    buildDocks();
    connectDocks();
    connectController();
    history_ = new EditHistory(docks_, controller_.get(), this); // after connectDocks: edits are applied first
    documents_ = new SceneDocuments(
        this, controller_.get(), useSettings_, [this] { return windowPartOfScene(); },
        [this](const SceneSetup& s, const state::AppState& a, const std::vector<LossRecord>& h) {
            return showOpenedScene(s, a, h);
        },
        [this](const QString& name) { return exports_->pathBeside(name); });
    connect(documents_, &SceneDocuments::message, this, &MainWindow::showMessage);
    exports_ = new ExportActions(this, scene_, controller_.get(), docks_.training, [this] { return animationJob(); });
    connect(exports_, &ExportActions::message, this, &MainWindow::showMessage);
    buildMenus();
    resize(1280, 860);
    if (useSettings_) {
        viewMenu_->restoreSaved(QSettings()); // a corrupt saved layout is ignored
        documents_->startSession();
    }
    updateCaption();
    requestField();
}

MainWindow::~MainWindow()
{
    // Join a running export and the workers before the widgets their signals
    // reach go away; then a clean end of the autosave (no crash to offer).
    delete exports_;
    delete flow_; // its thread joined while the controller it reaches is still there
    flow_ = nullptr;
    controller_.reset(); // an autosave in flight is written (or dropped) by now
    delete documents_;
}

void MainWindow::buildDocks()
{
    auto* centre = new QWidget(this);
    auto* column = new QVBoxLayout(centre);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    scene_ = new view::SceneView(centre);
    scrubber_ = new NoiseScrubber(centre);
    column->addWidget(scene_, 1);
    column->addWidget(scrubber_);
    setCentralWidget(centre);
    docks_ = addDocks(this, scene_->layers());
    lesson_ = addLessonDock(this);
    measurements_ = addMeasurementsDock(this);
    connect(measurements_, &MeasurementsPanel::message, this, &MainWindow::showMessage);
    race_ = addRaceDock(this);
    connect(race_, &RaceDock::message, this, &MainWindow::showMessage);
    flow_ = addFlowDock(this);
    connect(flow_, &FlowDock::message, this, &MainWindow::showMessage);
    // The lesson's live numbers follow the flow too (its samples, its NLL).
    connect(flow_->worker(), &app::CnfWorker::snapshotReady, lesson_, &LessonPanel::refreshMeasure);
    permanent_ = new QLabel(this);
    statusBar()->addPermanentWidget(permanent_);
    // Before the docks are connected: nothing is posted back.
    const SceneSetup& setup = controller_->setup();
    docks_.sampler->setContext(setup.sampling.schedule, setup.sampling.data, singleSigmaOf(setup.training.objective));
    showSetup(setup);
    scrubber_->setPosition(0.45);
}

void MainWindow::showSetup(const SceneSetup& s)
{
    const auto& data = s.training.data;
    docks_.sampler->showSetup(s.sampling);
    docks_.schedule->setSampler(s.sampling.sampler);
    docks_.training->showSetup(s.training);
    scrubber_->setSchedule(s.training.schedule);
    scene_->setData(data);
    docks_.data->showPreset(s.presetId, s.points, s.dataSeed, data);
    docks_.model->showModel(s.training.model, s.training.objective);
    docks_.model->setContext(s.training.schedule, data); // the weighting chart's range and sigma_data
    docks_.schedule->setData(data);
    docks_.schedule->showSchedule(s.training.schedule);
}

// The docks' edits go to the controller (or to the view).
void MainWindow::connectDocks()
{
    app::SceneController* c = controller_.get();
    connect(docks_.data, &DataPanel::message, this, &MainWindow::showMessage);
    connect(docks_.data, &DataPanel::dataChanged, this, &MainWindow::setData);
    // Draw mode: the view reports strokes, the Data dock edits the points.
    connect(docks_.data, &DataPanel::drawToolChanged, scene_, &view::SceneView::setDrawTool);
    connect(docks_.data, &DataPanel::pointsEdited, this, &MainWindow::showDrawnPoints);
    connect(scene_, &view::SceneView::drawPressed, docks_.data, &DataPanel::beginStroke);
    connect(scene_, &view::SceneView::drawDragged, docks_.data, &DataPanel::continueStroke);
    connect(scene_, &view::SceneView::drawReleased, docks_.data, &DataPanel::endStroke);
    // SDEdit: the Data dock's SDEdit tool draws the sampler's start, not data.
    connect(docks_.data, &DataPanel::sdeditStrokeDrawn, this, [this, c](const Eigen::Matrix2Xd& stroke) {
        app::SamplingSetup next = c->setup().sampling;
        next.sdedit.points = std::make_shared<const Eigen::Matrix2Xd>(stroke);
        next.sdedit.on = true;
        docks_.sampler->showSetup(next);
        c->setSampling(next);
        showMessage(tr("SDEdit: %1 points noised to t₀ = %2 and denoised; untick \"SDEdit the drawn stroke\" in the "
                       "Sampler dock to sample from the prior again")
                        .arg(stroke.cols())
                        .arg(next.sdedit.t0),
                    false);
    });
    connect(docks_.model, &ModelPanel::applyRequested, this, [this, c] {
        app::TrainingSetup next = c->setup().training;
        next.model = docks_.model->model(next.model);
        next.objective = docks_.model->objective(next.objective);
        if (!c->rebuildTraining(next)) // refused: the dock shows the model still training
            docks_.model->showModel(c->setup().training.model, c->setup().training.objective);
    });
    connect(docks_.schedule, &SchedulePanel::message, this, &MainWindow::showMessage);
    connect(docks_.schedule, &SchedulePanel::scheduleRequested, this, &MainWindow::setSchedule);

    connect(docks_.training, &TrainingPanel::startRequested, this, [this] { training()->postStart(); });
    connect(docks_.training, &TrainingPanel::pauseRequested, this, [this] { training()->postPause(); });
    connect(docks_.training, &TrainingPanel::stepRequested, this, [this] { training()->postStep(1); });
    connect(docks_.training, &TrainingPanel::resetRequested, this, [this] {
        training()->postResetWeights();
        docks_.training->clearHistory();
    });
    connect(docks_.training, &TrainingPanel::learningRateChanged, c, &app::SceneController::setLearningRate);
    connect(docks_.training, &TrainingPanel::batchSizeChanged, c, &app::SceneController::setBatchSize);
    connect(docks_.training, &TrainingPanel::emaDecayChanged, c, &app::SceneController::setEmaDecay);
    connect(docks_.training, &TrainingPanel::useEmaChanged, c, &app::SceneController::setPublishEma);

    connect(docks_.sampler, &SamplerPanel::playRequested, this, [this] { sampling()->postPlay(); });
    connect(docks_.sampler, &SamplerPanel::pauseRequested, this, [this] { sampling()->postPause(); });
    connect(docks_.sampler, &SamplerPanel::stepRequested, this, [this] { sampling()->postStep(); });
    connect(docks_.sampler, &SamplerPanel::resetRequested, this, [this] { sampling()->postReset(); });
    connect(docks_.sampler, &SamplerPanel::sourceChanged, this, [this, c](app::SourceKind k) {
        c->setSource(k);
        updateCaption();
    });
    connect(docks_.sampler, &SamplerPanel::settingsChanged, this, [this, c] {
        c->setSampling(docks_.sampler->apply(c->setup().sampling));
        docks_.schedule->setSampler(c->setup().sampling.sampler);
        updateCaption();
    });
    connect(docks_.layers, &LayersPanel::layersChanged, this, [this](const view::LayerSettings& l) {
        scene_->setLayers(l);
        requestField(); // the error map is computed only while shown; the resolution may change
    });
    connect(scrubber_, &NoiseScrubber::levelChanged, this, [this] {
        requestField();
        updateCaption();
    });
    connect(scene_, &view::SceneView::viewChanged, this, &MainWindow::requestField);
}

// What runs comes back: snapshots, refusals, messages.
void MainWindow::connectController()
{
    app::SceneController* c = controller_.get();
    auto guardedShow = [this](void (MainWindow::*show)(), const QString& what) {
        return [this, show, what] {
            QString error; // guarded: an error is shown, never thrown into the event loop
            if (!app::guarded([this, show] { (this->*show)(); }, &error)) showMessage(what.arg(error), true);
        };
    };
    connect(c, &app::SceneController::trainingSnapshotReady, this,
            guardedShow(&MainWindow::showTrainingSnapshot, tr("training view: %1")));
    connect(c, &app::SceneController::particlesReady, this,
            guardedShow(&MainWindow::showParticles, tr("sampler view: %1")));
    connect(c, &app::SceneController::fieldReady, this, [this] { scene_->setField(fields()->latest()); });
    connect(c, &app::SceneController::densityReady, this,
            [this, c] { scene_->setModelDensity(c->density()->latest()); });
    connect(c, &app::SceneController::message, this, &MainWindow::showMessage);
    connect(c, &app::SceneController::titleChanged, this, &MainWindow::updateCaption);
    connect(c, &app::SceneController::trainingReplaced, this, [this, c] {
        const app::TrainingSetup& t = c->setup().training;
        // A single-sigma objective moves Langevin's default level (unless typed).
        docks_.sampler->setContext(t.schedule, t.data, singleSigmaOf(t.objective));
        docks_.model->setContext(t.schedule, t.data);
        docks_.training->clearHistory();
        updateCaption();
    });
    connect(c, &app::SceneController::dataPosted, this, [this, c](std::shared_ptr<const Dataset> data, bool restart) {
        docks_.schedule->setData(data);
        docks_.model->setContext(c->setup().training.schedule, data);
        if (!data->mixture) modeLine_.clear(); // mode weights are shown for mixtures only
        // Untyped step sizes follow the data (settingsChanged re-posts the sampler).
        if (restart)
            docks_.sampler->setContext(c->setup().sampling.schedule, data, singleSigmaOf(c->setup().training.objective));
    });
    // A derived sigma_max followed the data (the Sampler dock follows with the
    // data, dataPosted): the schedule dock and the scrubber show the new levels.
    connect(c, &app::SceneController::scheduleDerived, this, [this, c] {
        const NoiseSchedule& s = c->setup().training.schedule;
        docks_.schedule->showSchedule(s);
        docks_.model->setContext(s, c->setup().training.data);
        scrubber_->setSchedule(s);
        requestField();
    });
    connect(c, &app::SceneController::samplerReverted, this, [this, c] {
        docks_.sampler->showSetup(c->setup().sampling); // the dock shows the sampler that runs
        updateCaption();
    });
    if (Application* a = Application::instance())
        connect(a, &Application::uncaughtException, this, [this](const QString& text) {
            showMessage(tr("caught an error: %1").arg(text), true);
        });
}

void MainWindow::buildMenus()
{
    QMenu* file = menuBar()->addMenu(tr("&File"));
    documents_->addToMenu(file);
    file->addSeparator();
    exports_->addToMenu(file);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    history_->addMenu(menuBar());
    viewMenu_ = new ViewMenu(this); // before a saved layout is restored: it keeps the default

    addLectureMenu(
        menuBar(), this,
        [this](const LecturePreset& p) {
            if (startLecture(p)) showMessage(p.title + QStringLiteral(": ") + p.description, false);
        },
        [this](const QString& error) { showMessage(error, true); });
    QMenu* view = viewMenu_->menu();
    presentation_ =
        new PresentationMode(this, scene_,
                             {scrubber_, findChild<QDockWidget*>("lessonDock"), findChild<QDockWidget*>("measurementsDock")},
                             useSettings_); // the Measurements dock's charts are read from the back of a room too
    presentation_->addToMenu(view);
    connect(presentation_, &PresentationMode::activeChanged, lesson_, &LessonPanel::setPresenting);
    stepThrough_ = new StepThrough(scene_, [this] { return sampling(); }, this);
    docks_.sampler->addFooter(stepThrough_->makeRow(docks_.sampler));
    teachingKeys_ = new PresentationKeys(this);
    teachingKeys_->addToMenu(view);
    // PgDn / PgUp step through the lesson (not the Lectures menu).
    connect(teachingKeys_, &PresentationKeys::nextLessonStep, lesson_, &LessonPanel::nextStep);
    connect(teachingKeys_, &PresentationKeys::previousLessonStep, lesson_, &LessonPanel::previousStep);
    teachingKeys_->disconnectLectureStepping();
    helpMenu_ = new HelpMenu(this, [this] { return scene_->glDescription(); });
}

void MainWindow::startAll() { controller_->startAll(); }

void MainWindow::closeEvent(QCloseEvent* e)
{
    if (useSettings_) {
        QSettings settings;
        viewMenu_->save(settings);
    }
    QMainWindow::closeEvent(e);
}

void MainWindow::showTrainingSnapshot()
{
    const app::SnapshotPtr s = training()->latest();
    docks_.training->showSnapshot(*s);
    permanent_->setText(tr("training step %1 · %2 steps/s").arg(s->step).arg(s->stats.stepsPerSecond, 0, 'f', 0));
}

void MainWindow::showParticles()
{
    const app::ParticlesPtr p = sampling()->latest();
    docks_.sampler->showSnapshot(*p);
    if (flowShown_) return; // the scene shows the flow's samples (showFlowSamples)
    scene_->setParticles(p);
    // A diverged run stays on screen with its last finite particles: the
    // banner says so for as long as it is shown.
    scene_->setStandingBanner(p->divergence ? QString::fromStdString(p->divergence->describe(true)) : QString());
    modeLine_.update(p->particles, controller_->setup().training.data->mixture);
    updateCaption(); // from the running sampler (cheap: the view ignores an unchanged caption)
}

void MainWindow::setFlowSamplesShown(bool on)
{
    if (on == flowShown_) return;
    flowShown_ = on;
    controller_->setFlowShown(on); // the sampler's particles stop (or start again) reaching the measurements
    if (on) {
        samplerPlayedBeforeFlow_ = sampling()->playRequested();
        sampling()->postPause(); // its core goes to the flow
        scene_->setStandingBanner(QString());
        return;
    }
    flowParticles_.reset();
    if (samplerPlayedBeforeFlow_) sampling()->postPlay();
    const app::ParticlesPtr p = sampling()->latest();
    scene_->setParticles(p);
    controller_->measure()->postParticles(p);
    updateCaption();
}

void MainWindow::showFlowSamples(app::ParticlesPtr samples)
{
    if (!flowShown_ || !samples) return;
    flowParticles_ = samples;
    scene_->setParticles(samples);
    controller_->measure()->postParticles(samples);
    modeLine_.update(samples->particles, controller_->setup().training.data->mixture);
    updateCaption();
}

void MainWindow::requestField()
{
    const QRectF r = scene_->visibleRect();
    if (!(r.width() > 0 && r.height() > 0)) return;
    app::FieldRequest q;
    // A square region around the view (the heat map's cells stay square).
    const double half = 0.5 * std::max(r.width(), r.height());
    q.xMin = r.center().x() - half;
    q.xMax = r.center().x() + half;
    q.yMin = r.center().y() - half;
    q.yMax = r.center().y() + half;
    q.level = scrubber_->level();
    const view::LayerSettings& layers = docks_.layers->layers();
    q.arrows = layers.arrows;
    q.heat = layers.heatCells;
    q.error = layers.error.visible;
    fields()->postRequest(q);
    // The model-density layer: the same square and level, the model's
    // schedule; computed only while shown.
    app::DensityWorker* density = controller_->density();
    density->postEnabled(layers.modelDensity.visible);
    density->postRequest({{q.xMin, q.xMax, q.yMin, q.yMax}, q.level, controller_->setup().training.schedule});
}

bool MainWindow::startScene(const SceneSetup& scene, const view::LayerSettings& layers, double scrubber)
{
    if (!replaceScene(scene, layers, scrubber)) return false;
    if (flow_) flow_->setSamplesShown(false); // a new scene shows its own sampler (a lesson step may bring the flow back)
    startAll();
    return true;
}

bool MainWindow::startLecture(const LecturePreset& p)
{
    if (!startScene(p.scene, p.layers, p.scrubber)) return false;
    if (p.flow) applyFlow(*this, *p.flow);
    else flow_->setTraining(false); // a flow left training would take a core from this lecture's models
    lesson_->setLesson(p);
    return true;
}

bool MainWindow::replaceScene(const SceneSetup& scene, const view::LayerSettings& layers, double scrubber)
{
    if (!controller_->replaceScene(scene)) return false;
    showSetup(scene);
    scene_->resetView();
    applyLayers(layers);
    scrubber_->setPosition(scrubber);
    modeLine_.clear();
    updateCaption();
    requestField();
    history_->sceneReplaced(); // undo stops at a started or opened scene
    return true;
}

void MainWindow::applyLayers(const view::LayerSettings& layers)
{
    docks_.layers->showLayers(layers);
    scene_->setLayers(layers);
    requestField();
}

void MainWindow::setSchedule(const NoiseSchedule& schedule)
{
    if (!controller_->setSchedule(schedule)) {
        docks_.schedule->showSchedule(controller_->setup().training.schedule); // the dock goes back to the schedule in use
        return;
    }
    // Untyped step sizes follow the new schedule (settingsChanged re-posts the sampler).
    const SceneSetup& s = controller_->setup();
    docks_.sampler->setContext(schedule, s.training.data, singleSigmaOf(s.training.objective));
    docks_.model->setContext(schedule, s.training.data);
    scrubber_->setSchedule(schedule);
    requestField();
}

void MainWindow::setData(std::shared_ptr<const Dataset> data, const QString& title)
{
    controller_->setData(data, title);
    scene_->setData(data);
    scene_->resetView();
    updateCaption();
}

void MainWindow::showDrawnPoints(std::shared_ptr<const Dataset> data, bool strokeDone)
{
    scene_->setData(data); // cheap: one buffer upload at the next frame; the frame stays
    controller_->setDrawnPoints(std::move(data), strokeDone);
}

void MainWindow::showMessage(const QString& text, bool isError)
{
    statusBar()->showMessage(isError ? tr("⚠ %1").arg(text) : text, 10000);
    if (isError) scene_->showBanner(text); // where the user is looking, for a few seconds
}

void MainWindow::updateCaption()
{
    const app::ParticlesPtr p = flowShown_ && flowParticles_ ? flowParticles_ : sampling()->latest();
    const SceneSetup& s = controller_->setup();
    scene_->setCaption(sceneCaption(
        {s.title, s.training.objective.kind, p.get(), scrubber_->level(), scene_->visibleRect(), modeLine_.text()}));
}

// ---- scene files (SceneDocuments' hooks) --------------------------------------------

SceneDocument MainWindow::windowPartOfScene()
{
    controller_->flushDrawnPoints(); // a stroke's newest points count
    SceneDocument doc;
    // The settings as the window knows them; the training thread replaces the
    // trainer's with its own (captureTraining), which are the ones in effect.
    state::setupToScene(controller_->setup(), doc);
    const std::shared_ptr<const Dataset>& data = controller_->setup().training.data;
    // A preset's origin, when the Data dock still shows the set it made (a
    // drawn or loaded set has none).
    const DataOrigin origin = docks_.data->origin();
    if (data == docks_.data->current() && data->name == origin.preset) doc.origin = origin;
    doc.history = docks_.training->history();
    // The window's own state (SceneState.h).
    const QSlider* slider = scrubber_->slider();
    const int span = slider->maximum() - slider->minimum();
    state::AppState app;
    app.layers = docks_.layers->layers();
    app.view = scene_->visibleRect();
    app.scrubber = span > 0 ? double(slider->value() - slider->minimum()) / span : 0.0;
    app.title = controller_->setup().title;
    doc.app = state::appStateToJson(app);
    return doc;
}

bool MainWindow::showOpenedScene(const SceneSetup& scene, const state::AppState& app,
                                 const std::vector<LossRecord>& history)
{
    if (!replaceScene(scene, app.layers.value_or(view::LayerSettings{}), app.scrubber.value_or(0.45)))
        return false; // the trainer refused the state (reported); the old scene goes on
    if (app.view) scene_->setVisibleRect(*app.view);
    docks_.training->setHistory(history);
    sampling()->postPlay(); // the picture moves; training waits for Start
    return true;
}

app::AnimationJob MainWindow::animationJob() const
{
    app::AnimationJob job;
    job.sampling = controller_->setup().sampling;
    job.training = controller_->setup().training;
    job.level = scrubber_->level();
    job.net = controller_->latestNet();
    job.layers = docks_.layers->layers();
    job.palette = scene_->palette();
    job.world = scene_->visibleRect();
    return job;
}

} // namespace ss::window

#include "MainWindow.h"

#include "Application.h"
#include "AutosaveStore.h"
#include "Boundary.h"
#include "ConfigJson.h"
#include "Error.h"
#include "LayerSettingsJson.h"
#include "LecturePresets.h"
#include "Metrics.h"
#include "Objective.h"
#include "Presets.h"
#include "SamplerDefaults.h"
#include "TrainingDefaults.h"

#include "Csv.h"
#include "TrajectoryCsv.h"
#include "ExportAnimationDialog.h"
#include "ExportStillDialog.h"
#include "StillExport.h"

#include <QCloseEvent>
#include <QComboBox>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QProgressDialog>

#include <algorithm>
#include <QDockWidget>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QScrollArea>
#include <QSettings>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

namespace ss::window {

SceneSetup defaultScene()
{
    SceneSetup s;
    auto data = std::make_shared<const Dataset>(makePreset(s.presetId, s.points, s.dataSeed));
    s.title = QObject::tr("8 Gaussians");
    s.training.data = data;
    // s.training.model: the core's default network (6x128), which resolves every
    // preset the Data dock offers, not only these 8 Gaussians.
    s.training.objective.kind = ObjectiveKind::Ncsn;
    // sigma_max about the data's diameter (Song & Ermon), sigma_min below the
    // modes' width (0.1).
    s.training.schedule = NoiseSchedule::geometric(0.05, 4.0, 10);
    s.training.optimizer = defaultOptimizer(); // training runs until paused: constant rate
    s.training.trainer.batchSize = 256;
    s.training.trainer.threads = 1; // the other core samples and draws
    s.sampling.sampler.kind = SamplerKind::AnnealedLangevin;
    s.sampling.sampler.particles = 2000;
    s.sampling.sampler.stepsPerLevel = 40;
    // The rule's eps for this schedule and steps (core/SamplerDefaults), so the
    // Sampler dock sees it as derived and keeps it so when the schedule changes.
    s.sampling.sampler.stepSize =
        annealedEpsilon(s.training.schedule, 40, s.sampling.sampler.annealedLevels, dataCurvatureVariance(data.get()));
    s.sampling.schedule = s.training.schedule;
    s.sampling.data = data;
    s.sampling.source = app::SourceKind::Learned;
    s.sampling.stepsPerTick = 2;
    s.sampling.trailLength = 12; // each trail segment costs llvmpipe a primitive
    return s;
}

MainWindow::MainWindow(const SceneSetup& scene, bool useSettings, QWidget* parent)
    : QMainWindow(parent), setup_(scene), useSettings_(useSettings)
{
    setWindowTitle(tr("ScoreScope"));
    setObjectName("mainWindow");
    auto* centre = new QWidget(this);
    auto* column = new QVBoxLayout(centre);
    column->setContentsMargins(0, 0, 0, 0);
    column->setSpacing(0);
    scene_ = new view::SceneView(centre);
    scrubber_ = new NoiseScrubber(centre);
    column->addWidget(scene_, 1);
    column->addWidget(scrubber_);
    setCentralWidget(centre);

    auto dock = [this](QWidget* w, const QString& title, const char* name, Qt::DockWidgetArea area) {
        auto* d = new QDockWidget(title, this);
        d->setObjectName(name);
        auto* scroll = new QScrollArea(d);
        scroll->setWidget(w);
        scroll->setWidgetResizable(true);
        scroll->setFrameShape(QFrame::NoFrame);
        d->setWidget(scroll);
        addDockWidget(area, d);
        return d;
    };
    trainingPanel_ = new TrainingPanel;
    samplerPanel_ = new SamplerPanel;
    layersPanel_ = new LayersPanel(scene_->layers());
    dataPanel_ = new DataPanel;
    modelPanel_ = new ModelPanel;
    schedulePanel_ = new SchedulePanel;
    auto* dataDock = dock(dataPanel_, tr("Data"), "dataDock", Qt::LeftDockWidgetArea);
    auto* modelDock = dock(modelPanel_, tr("Model"), "modelDock", Qt::LeftDockWidgetArea);
    auto* scheduleDock = dock(schedulePanel_, tr("Noise schedule"), "scheduleDock", Qt::LeftDockWidgetArea);
    tabifyDockWidget(dataDock, modelDock);
    tabifyDockWidget(modelDock, scheduleDock);
    dataDock->raise();
    dock(trainingPanel_, tr("Training"), "trainingDock", Qt::RightDockWidgetArea);
    dock(samplerPanel_, tr("Sampler"), "samplerDock", Qt::RightDockWidgetArea);
    auto* layersDock = dock(layersPanel_, tr("Layers"), "layersDock", Qt::LeftDockWidgetArea);
    layersDock->setMinimumWidth(260);
    permanent_ = new QLabel(this);
    statusBar()->addPermanentWidget(permanent_);

    // Workers. A setup they refuse is a programming error in the presets, so
    // it propagates (InputError) to the caller.
    trainingPanel_->blockSignals(true);
    training_ = std::make_unique<app::TrainingThread>(setup_.training);
    sampling_ = std::make_unique<app::SamplingThread>(setup_.sampling);
    fields_ = std::make_unique<app::FieldThread>(setup_.training.data);
    // Training keeps its core; what is drawn yields to it (see WorkerThread).
    sampling_->setNiceness(4);
    fields_->setNiceness(6);
    samplerPanel_->setContext(setup_.sampling.schedule, setup_.sampling.data, singleSigmaOf(setup_.training.objective));
    samplerPanel_->showSetup(setup_.sampling);
    schedulePanel_->setSampler(setup_.sampling.sampler);
    trainingPanel_->showSetup(setup_.training);
    trainingPanel_->blockSignals(false);
    scrubber_->setSchedule(setup_.training.schedule);
    scrubber_->setPosition(0.45);
    scene_->setData(setup_.training.data);
    dataPanel_->showPreset(setup_.presetId, setup_.points, setup_.dataSeed, setup_.training.data);
    connect(dataPanel_, &DataPanel::message, this, &MainWindow::showMessage);
    connect(dataPanel_, &DataPanel::dataChanged, this, &MainWindow::setData);
    // Draw mode: the view reports strokes, the Data dock edits the points.
    drawFlush_ = new QTimer(this);
    drawFlush_->setSingleShot(true);
    drawFlush_->setInterval(kDrawFlushMs);
    connect(drawFlush_, &QTimer::timeout, this, [this] { postDrawnPoints(false); });
    connect(dataPanel_, &DataPanel::drawToolChanged, scene_, &view::SceneView::setDrawTool);
    connect(dataPanel_, &DataPanel::pointsEdited, this, &MainWindow::showDrawnPoints);
    connect(scene_, &view::SceneView::drawPressed, dataPanel_, &DataPanel::beginStroke);
    connect(scene_, &view::SceneView::drawDragged, dataPanel_, &DataPanel::continueStroke);
    connect(scene_, &view::SceneView::drawReleased, dataPanel_, &DataPanel::endStroke);
    modelPanel_->showModel(setup_.training.model, setup_.training.objective);
    connect(modelPanel_, &ModelPanel::applyRequested, this, [this] {
        app::TrainingSetup next = setup_.training;
        next.model = modelPanel_->model(next.model);
        next.objective = modelPanel_->objective(next.objective);
        if (!rebuildTraining(next)) // refused: the dock shows the model still training
            modelPanel_->showModel(setup_.training.model, setup_.training.objective);
    });
    schedulePanel_->setData(setup_.training.data);
    schedulePanel_->showSchedule(setup_.training.schedule);
    connect(schedulePanel_, &SchedulePanel::message, this, &MainWindow::showMessage);
    connect(schedulePanel_, &SchedulePanel::scheduleRequested, this, &MainWindow::setSchedule);

    connectTraining();
    connect(sampling(), &app::SamplingWorker::snapshotReady, this, &MainWindow::onParticles);
    connect(fields(), &app::FieldWorker::snapshotReady, this, &MainWindow::onField);
    connect(sampling(), &app::SamplingWorker::message, this, [this](const QString& text, bool isError) {
        // A refused change (or a stop) leaves the sampler as its snapshot says:
        // the dock and the caption show that, not the request.
        if (isError && showRunningSampler()) {
            const app::SamplingSetup& running = sampling()->latest()->setup;
            showMessage(tr("refused: %1 — still running: %2 (%3 score)")
                            .arg(text)
                            .arg(QString::fromStdString(samplerKindName(running.sampler.kind)))
                            .arg(running.source == app::SourceKind::Learned ? tr("learned") : tr("exact")),
                        true);
            return;
        }
        showMessage(text, isError);
    });
    if (Application* a = Application::instance())
        connect(a, &Application::uncaughtException, this, [this](const QString& text) {
            showMessage(tr("caught an error: %1").arg(text), true);
        });
    connect(fields(), &app::FieldWorker::message, this, &MainWindow::showMessage);

    connect(trainingPanel_, &TrainingPanel::startRequested, this, [this] { training()->postStart(); });
    connect(trainingPanel_, &TrainingPanel::pauseRequested, this, [this] { training()->postPause(); });
    connect(trainingPanel_, &TrainingPanel::stepRequested, this, [this] { training()->postStep(1); });
    connect(trainingPanel_, &TrainingPanel::resetRequested, this, [this] {
        training()->postResetWeights();
        trainingPanel_->clearHistory();
    });
    // Kept in the setup too, so a new model (Model dock) starts with them.
    connect(trainingPanel_, &TrainingPanel::learningRateChanged, this, [this](double lr) {
        setup_.training.optimizer.learningRate = lr;
        training()->postLearningRate(lr);
    });
    connect(trainingPanel_, &TrainingPanel::batchSizeChanged, this, [this](int b) {
        setup_.training.trainer.batchSize = b;
        training()->postBatchSize(b);
    });
    connect(trainingPanel_, &TrainingPanel::emaDecayChanged, this, [this](double d) {
        setup_.training.optimizer.emaDecay = d;
        training()->postEmaDecay(d);
    });
    connect(trainingPanel_, &TrainingPanel::useEmaChanged, this, [this](bool ema) {
        setup_.training.publishEma = ema;
        training()->postPublishEma(ema);
    });

    connect(samplerPanel_, &SamplerPanel::playRequested, this, [this] { sampling()->postPlay(); });
    connect(samplerPanel_, &SamplerPanel::pauseRequested, this, [this] { sampling()->postPause(); });
    connect(samplerPanel_, &SamplerPanel::stepRequested, this, [this] { sampling()->postStep(); });
    connect(samplerPanel_, &SamplerPanel::resetRequested, this, [this] { sampling()->postReset(); });
    connect(samplerPanel_, &SamplerPanel::sourceChanged, this, [this](app::SourceKind k) {
        setup_.sampling.source = k;
        sampling()->postSource(k);
        updateCaption();
    });
    connect(samplerPanel_, &SamplerPanel::settingsChanged, this, [this] {
        setup_.sampling = samplerPanel_->apply(setup_.sampling);
        schedulePanel_->setSampler(setup_.sampling.sampler);
        sampling()->postSetup(setup_.sampling);
        updateCaption();
    });
    connect(layersPanel_, &LayersPanel::layersChanged, this, [this](const view::LayerSettings& l) {
        scene_->setLayers(l);
        requestField(); // the error map is computed only while shown; the resolution may change
    });
    connect(scrubber_, &NoiseScrubber::levelChanged, this, [this] {
        requestField();
        updateCaption();
    });
    connect(scene_, &view::SceneView::viewChanged, this, &MainWindow::requestField);

    buildFileMenu();
    buildLectureMenu();
    modeClock_.start();
    resize(1280, 860);
    if (useSettings_) {
        QSettings settings;
        restoreGeometry(settings.value("window/geometry").toByteArray());
        restoreState(settings.value("window/state").toByteArray());
    }
    updateCaption();
    requestField();

    autosave_ = new QTimer(this);
    connect(autosave_, &QTimer::timeout, this, [this] {
        if (autosaveStore_) training()->postSaveScene(windowPartOfScene(), autosaveStore_->autosavePath(), true);
    });
    if (useSettings_) {
        recent_ = QSettings().value("scenes/recent").toStringList();
        while (recent_.size() > kMaxRecent) recent_.removeLast();
        // After the window is up: this session's lock first (a restored scene
        // becomes its autosave), then the question about dead sessions.
        const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
        QTimer::singleShot(0, this, [this, dir] {
            setAutosave(dir, kAutosaveMs);
            offerCrashRestore(dir);
        });
    }
    updateTitle();
}

MainWindow::~MainWindow()
{
    // Join the workers (and a running export) before the widgets their signals reach go away.
    export_.reset();
    training_.reset(); // an autosave in flight is written (or dropped) by now
    sampling_.reset();
    fields_.reset();
    endAutosave(); // a clean end: no crash to offer next time
}

void MainWindow::startAll()
{
    training()->postStart();
    sampling()->postPlay();
}

void MainWindow::closeEvent(QCloseEvent* e)
{
    if (useSettings_) {
        QSettings settings;
        settings.setValue("window/geometry", saveGeometry());
        settings.setValue("window/state", saveState());
    }
    QMainWindow::closeEvent(e);
}

void MainWindow::onTrainingSnapshot()
{
    QString error;
    if (!app::guarded([this] { showTrainingSnapshot(); }, &error)) showMessage(tr("training view: %1").arg(error), true);
}

void MainWindow::showTrainingSnapshot()
{
    const app::SnapshotPtr s = training()->latest();
    trainingPanel_->showSnapshot(*s);
    permanent_->setText(tr("training step %1 · %2 steps/s").arg(s->step).arg(s->stats.stepsPerSecond, 0, 'f', 0));
    if (s->serial == lastNetworkSerial_) return;
    lastNetworkSerial_ = s->serial;
    auto net = std::make_shared<const ScoreNet>(s->net);
    lastNet_ = net;
    sampling()->postNetwork(net);
    fields()->postNetwork(net);
}

void MainWindow::onParticles()
{
    QString error;
    if (!app::guarded([this] { showParticles(); }, &error)) showMessage(tr("sampler view: %1").arg(error), true);
}

void MainWindow::showParticles()
{
    const app::ParticlesPtr p = sampling()->latest();
    scene_->setParticles(p);
    samplerPanel_->showSnapshot(*p);
    // A diverged run stays on screen with its last finite particles: the
    // banner says so for as long as it is shown.
    scene_->setStandingBanner(p->divergence ? QString::fromStdString(p->divergence->describe(true)) : QString());
    updateCaption(); // from the running sampler (cheap: the view ignores an unchanged caption)
    // Mode weights of a mixture (at most 8 modes), four times a second.
    const auto& mixture = setup_.training.data->mixture;
    if (mixture && mixture->size() <= 8 && p->particles.cols() > 0 && p->particles.allFinite() &&
        modeClock_.elapsed() > 250) {
        modeClock_.restart();
        const std::vector<double> w = modeWeights(p->particles, *mixture);
        const std::vector<double>& truth = mixture->weights();
        if (w.size() <= 4) { // each weight; beyond four modes the range, to keep the caption short
            QStringList observed, expected;
            for (std::size_t k = 0; k < w.size(); ++k) {
                observed << QString::number(w[k], 'f', 2);
                expected << QString::number(truth[k], 'f', 2);
            }
            modeLine_ = tr("mode weights %1 (true %2)").arg(observed.join(" / "), expected.join(" / "));
        } else {
            const auto [lo, hi] = std::minmax_element(w.begin(), w.end());
            const auto [tlo, thi] = std::minmax_element(truth.begin(), truth.end());
            modeLine_ = tr("mode weights %1 to %2 (true %3 to %4)")
                            .arg(*lo, 0, 'f', 2)
                            .arg(*hi, 0, 'f', 2)
                            .arg(*tlo, 0, 'f', 2)
                            .arg(*thi, 0, 'f', 2);
        }
        updateCaption();
    }
}

void MainWindow::onField() { scene_->setField(fields()->latest()); }

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
    const view::LayerSettings& layers = layersPanel_->layers();
    q.arrows = layers.arrows;
    q.heat = layers.heatCells;
    q.error = layers.error.visible;
    fields()->postRequest(q);
}

void MainWindow::connectTraining()
{
    connect(training(), &app::TrainingWorker::snapshotReady, this, &MainWindow::onTrainingSnapshot);
    connect(training(), &app::TrainingWorker::message, this, &MainWindow::showMessage);
    connect(training(), &app::TrainingWorker::sceneSaved, this, &MainWindow::onSceneSaved);
}

bool MainWindow::rebuildTraining(const app::TrainingSetup& next, bool keepRunning)
{
    const bool running = keepRunning && training()->latest()->running;
    std::unique_ptr<app::TrainingThread> fresh;
    try {
        fresh = std::make_unique<app::TrainingThread>(next); // validates the combination
    } catch (const InputError& e) {
        showMessage(tr("model refused: %1").arg(QString::fromStdString(e.what())), true);
        return false; // the old model keeps training
    }
    training_ = std::move(fresh); // the old thread is joined here
    setup_.training = next;
    setup_.training.resume.reset(); // used once: a later model starts from its seed
    // A single-sigma objective moves Langevin's default level (unless typed).
    samplerPanel_->setContext(next.schedule, next.data, singleSigmaOf(next.objective));
    lastNetworkSerial_ = -1;
    trainingPanel_->clearHistory();
    connectTraining();
    // Either way a first snapshot goes out, so the sampler, the fields and the
    // Training dock get the new network even while training stays paused.
    if (running) training()->postStart();
    else training()->postPause();
    updateCaption();
    showMessage(tr("new model: %1 on %2")
                    .arg(QString::fromStdString(objectiveName(next.objective.kind)))
                    .arg(QString::fromStdString(next.schedule.name())),
                false);
    return true;
}

bool MainWindow::loadScene(const SceneSetup& scene, const view::LayerSettings& layers, double scrubber)
{
    if (!replaceScene(scene, layers, scrubber)) return false;
    startAll();
    return true;
}

bool MainWindow::replaceScene(const SceneSetup& scene, const view::LayerSettings& layers, double scrubber)
{
    if (!rebuildTraining(scene.training, false)) return false;
    setup_ = scene;
    setup_.training.resume.reset();
    const auto& data = scene.training.data;
    sampling()->postSetup(scene.sampling);
    fields()->postData(data);
    scene_->setData(data);
    scene_->resetView();
    dataPanel_->showPreset(scene.presetId, scene.points, scene.dataSeed, data);
    modelPanel_->showModel(scene.training.model, scene.training.objective);
    schedulePanel_->setData(data);
    schedulePanel_->showSchedule(scene.training.schedule);
    samplerPanel_->showSetup(scene.sampling);
    schedulePanel_->setSampler(scene.sampling.sampler);
    trainingPanel_->showSetup(scene.training);
    applyLayers(layers);
    scrubber_->setSchedule(scene.training.schedule);
    scrubber_->setPosition(scrubber);
    modeLine_.clear();
    updateCaption();
    requestField();
    return true;
}

void MainWindow::applyLayers(const view::LayerSettings& layers)
{
    layersPanel_->showLayers(layers);
    scene_->setLayers(layers);
    requestField();
}

void MainWindow::buildFileMenu()
{
    QMenu* menu = menuBar()->addMenu(tr("&File"));
    QAction* open = menu->addAction(tr("&Open scene…"), this, [this] {
        const QString start = sceneFile_.isEmpty() ? exportPath(QString()) : QFileInfo(sceneFile_).absolutePath();
        const QString path = QFileDialog::getOpenFileName(this, tr("Open scene"), start,
                                                          tr("ScoreScope scenes (*.scorescope);;All files (*)"));
        if (!path.isEmpty()) openScene(path);
    });
    open->setShortcut(QKeySequence::Open);
    recentMenu_ = menu->addMenu(tr("Open &recent"));
    connect(recentMenu_, &QMenu::aboutToShow, this, &MainWindow::rebuildRecentMenu);
    auto saveSceneAs = [this] {
        const QString start = sceneFile_.isEmpty() ? exportPath("scene.scorescope") : sceneFile_;
        QString path = QFileDialog::getSaveFileName(this, tr("Save scene as"), start,
                                                    tr("ScoreScope scenes (*.scorescope)"));
        if (path.isEmpty()) return;
        if (QFileInfo(path).suffix().isEmpty()) path += ".scorescope";
        saveScene(path);
    };
    QAction* save = menu->addAction(tr("&Save scene"), this, [this, saveSceneAs] {
        if (sceneFile_.isEmpty()) saveSceneAs();
        else saveScene(sceneFile_);
    });
    save->setShortcut(QKeySequence::Save);
    QAction* saveAsAction = menu->addAction(tr("Save scene &as…"), this, saveSceneAs);
    saveAsAction->setShortcut(QKeySequence(tr("Ctrl+Shift+S")));
    menu->addSeparator();
    QAction* picture = menu->addAction(tr("Export &picture (PNG, SVG, PDF)…"), this, [this] {
        ExportStillDialog dialog(scene_->size(), exportPath("scorescope.png"), this);
        if (dialog.exec() == QDialog::Accepted) exportPicture(dialog.path(), dialog.pictureSize());
    });
    picture->setShortcut(QKeySequence(tr("Ctrl+E")));
    QAction* animation = menu->addAction(tr("Export &animation (MP4, WebM, GIF, PNG sequence)…"), this, [this] {
        ExportAnimationDialog dialog(exportPath("scorescope.mp4"), this);
        if (dialog.exec() == QDialog::Accepted) exportAnimation(dialog.job(animationJob()), dialog.path());
    });
    animation->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
    auto saveAs = [this](const QString& title, const QString& name, const QString& filter) {
        return QFileDialog::getSaveFileName(this, title, exportPath(name), filter);
    };
    menu->addAction(tr("Export &samples as CSV…"), this, [this, saveAs] {
        const QString path = saveAs(tr("Export samples"), "samples.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty()) exportSamplesCsv(path);
    });
    menu->addAction(tr("Export &trajectories as CSV…"), this, [this, saveAs] {
        const QString path = saveAs(tr("Export trajectories"), "trajectories.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty()) exportTrajectoriesCsv(path);
    });
    menu->addAction(tr("Export the &model as JSON…"), this, [this, saveAs] {
        const QString path = saveAs(tr("Export model"), "model.json", tr("JSON (*.json)"));
        if (!path.isEmpty()) exportModel(path);
    });
    menu->addAction(tr("Export the &loss history as CSV…"), this, [this, saveAs] {
        const QString path = saveAs(tr("Export loss history"), "loss.csv", tr("CSV (*.csv)"));
        if (!path.isEmpty()) exportLossCsv(path);
    });
    menu->addSeparator();
    QAction* quit = menu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
}

QString MainWindow::exportPath(const QString& name) const
{
    return lastExportDir_.isEmpty() ? name : QDir(lastExportDir_).filePath(name);
}

bool MainWindow::exportPicture(const QString& path, QSize size)
{
    try {
        view::exportStill(scene_->picture(), path, size);
    } catch (const InputError& e) {
        showMessage(QString::fromStdString(e.what()), true);
        return false;
    }
    lastExportDir_ = QFileInfo(path).absolutePath();
    showMessage(tr("picture saved to %1 (%2 × %3)").arg(path).arg(size.width()).arg(size.height()), false);
    return true;
}

bool MainWindow::saveExportedText(const QString& path, const std::string& text, const QString& done)
{
    try {
        writeFileAtomically(path.toStdString(), text);
    } catch (const InputError& e) { // names the path and the reason
        showMessage(QString::fromStdString(e.what()), true);
        return false;
    }
    lastExportDir_ = QFileInfo(path).absolutePath();
    showMessage(done, false);
    return true;
}

bool MainWindow::exportSamplesCsv(const QString& path)
{
    const app::ParticlesPtr p = sampling()->latest();
    std::string text = "x,y\n";
    char line[64];
    for (Eigen::Index j = 0; j < p->particles.cols(); ++j) {
        std::snprintf(line, sizeof line, "%.17g,%.17g\n", p->particles(0, j), p->particles(1, j));
        text += line;
    }
    return saveExportedText(
        path, text,
        tr("%1 samples (run %2, step %3) saved to %4").arg(p->particles.cols()).arg(p->run + 1).arg(p->step).arg(path));
}

bool MainWindow::exportTrajectoriesCsv(const QString& path)
{
    // The trails on screen, oldest first, in the one trajectory layout
    // (core/TrajectoryCsv.h): the sampler's step and level of each.
    const app::ParticlesPtr p = sampling()->latest();
    return saveExportedText(
        path, trajectoryCsvText(app::trailFrames(*p)),
        tr("trajectories of %1 particles over %2 steps saved to %3")
            .arg(p->particles.cols())
            .arg(int(p->trail.size()))
            .arg(path));
}

app::AnimationJob MainWindow::animationJob() const
{
    app::AnimationJob job;
    job.sampling = setup_.sampling;
    job.training = setup_.training;
    job.level = scrubber_->level();
    job.net = lastNet_;
    job.layers = layersPanel_->layers();
    job.world = scene_->visibleRect();
    return job;
}

bool MainWindow::exportAnimation(const app::AnimationJob& job, const QString& path)
{
    if (export_ && export_->running()) {
        showMessage(tr("an export is already running"), true);
        return false;
    }
    export_ = std::make_unique<app::AnimationExport>(job, path);
    auto* progress = new QProgressDialog(tr("Exporting %1…").arg(QFileInfo(path).fileName()), tr("Cancel"), 0, 1, this);
    progress->setObjectName("exportProgress");
    progress->setWindowModality(Qt::NonModal); // the window goes on training and sampling meanwhile
    progress->setMinimumDuration(0);
    progress->setAttribute(Qt::WA_DeleteOnClose);
    connect(progress, &QProgressDialog::canceled, export_.get(), &app::AnimationExport::cancel);
    connect(export_.get(), &app::AnimationExport::progress, progress, [progress](int done, int total) {
        progress->setMaximum(total);
        progress->setValue(done);
    });
    connect(export_.get(), &app::AnimationExport::finished, this, [this, progress, path](bool ok, const QString& m) {
        progress->close();
        if (ok) lastExportDir_ = QFileInfo(path).absolutePath();
        showMessage(m, !ok);
    });
    export_->start();
    showMessage(tr("exporting %1…").arg(path), false);
    return true;
}

bool MainWindow::exportLossCsv(const QString& path)
{
    const std::vector<LossRecord>& history = trainingPanel_->history();
    const std::size_t levels = history.empty() ? 0 : history.back().levels.size();
    std::string text = "step,loss";
    for (std::size_t k = 1; k <= levels; ++k) text += ",level_" + std::to_string(k);
    text += "\n";
    char cell[40];
    for (const LossRecord& r : history) {
        text += std::to_string(r.step);
        std::snprintf(cell, sizeof cell, ",%.9g", r.loss);
        text += cell;
        for (std::size_t k = 0; k < levels; ++k) { // empty where the level had no example yet
            const double v = k < r.levels.size() ? r.levels[k] : std::nan("");
            if (std::isfinite(v)) std::snprintf(cell, sizeof cell, ",%.9g", v);
            else std::snprintf(cell, sizeof cell, ",");
            text += cell;
        }
        text += "\n";
    }
    return saveExportedText(path, text, tr("loss history (%1 records) saved to %2").arg(history.size()).arg(path));
}

void MainWindow::exportModel(const QString& path)
{
    lastExportDir_ = QFileInfo(path).absolutePath();
    training()->postSaveModel(path); // the training thread owns the weights; it reports
}

void MainWindow::buildLectureMenu()
{
    QMenu* menu = menuBar()->addMenu(tr("&Lectures"));
    try {
        for (const LecturePreset& p : lecturePresets()) {
            QAction* a = menu->addAction(p.title);
            a->setToolTip(p.description);
            a->setStatusTip(p.description);
            connect(a, &QAction::triggered, this, [this, p] {
                loadScene(p.scene, p.layers, p.scrubber);
                showMessage(p.title + QStringLiteral(": ") + p.description, false);
            });
        }
        menu->setToolTipsVisible(true);
    } catch (const InputError& e) {
        showMessage(tr("lecture presets: %1").arg(QString::fromStdString(e.what())), true);
    }
}

void MainWindow::setSchedule(const NoiseSchedule& schedule)
{
    try {
        Objective check(setup_.training.objective, schedule, setup_.training.model); // refuses a misfit
    } catch (const InputError& e) {
        showMessage(tr("schedule refused: %1").arg(QString::fromStdString(e.what())), true);
        schedulePanel_->showSchedule(setup_.training.schedule); // the dock goes back to the schedule in use
        return;
    }
    setup_.training.schedule = schedule;
    setup_.sampling.schedule = schedule;
    training()->postSchedule(schedule);
    sampling()->postSchedule(schedule); // a sampler that cannot use it says so, and keeps its own
    // Untyped step sizes follow the new schedule (settingsChanged re-posts the sampler).
    samplerPanel_->setContext(schedule, setup_.training.data, singleSigmaOf(setup_.training.objective));
    scrubber_->setSchedule(schedule);
    requestField();
}

void MainWindow::setData(std::shared_ptr<const Dataset> data, const QString& title)
{
    drawFlush_->stop(); // a drawn edit still pending is superseded
    drawnPending_.reset();
    setup_.title = title;
    postData(data, true);
    scene_->setData(data);
    scene_->resetView();
    updateCaption();
    showMessage(tr("data: %1 (%2 points)").arg(title).arg(data->size()), false);
}

void MainWindow::postData(std::shared_ptr<const Dataset> data, bool restartSampler)
{
    schedulePanel_->setData(data);
    setup_.training.data = data;
    setup_.sampling.data = data;
    if (!data->mixture) modeLine_.clear(); // mode weights are shown for mixtures only
    training()->postData(data); // training goes on with the new points
    if (restartSampler) {
        // The derived step sizes follow the data's mode variance: a new data set
        // moves those the user has not typed (at most one more post, superseded).
        samplerPanel_->setContext(setup_.sampling.schedule, data, singleSigmaOf(setup_.training.objective));
        sampling()->postSetup(setup_.sampling);
    }
    fields()->postData(data);
}

void MainWindow::showDrawnPoints(std::shared_ptr<const Dataset> data, bool strokeDone)
{
    scene_->setData(data); // cheap: one buffer upload at the next frame; the frame stays
    drawnPending_ = std::move(data);
    if (strokeDone) {
        drawFlush_->stop();
        postDrawnPoints(true);
    } else if (!drawFlush_->isActive()) {
        drawFlush_->start();
    }
}

void MainWindow::postDrawnPoints(bool strokeDone)
{
    // Only the Data dock's newest edit (a preset applied since supersedes it).
    if (!drawnPending_ || drawnPending_ != dataPanel_->current()) return;
    const std::shared_ptr<const Dataset> data = std::move(drawnPending_);
    drawnPending_.reset();
    if (data->size() == 0) {
        // Nothing to train on or sample from: the workers keep the last points.
        if (strokeDone)
            showMessage(tr("no points drawn: training and sampling stay on the last data set (%1 points) until "
                           "you add some")
                            .arg(setup_.training.data->size()),
                        true);
        return;
    }
    // The sampler restarts once per stroke: restarted at every flush, its
    // particles would never leave the prior.
    postData(data, strokeDone);
    if (!strokeDone) return;
    setup_.title = tr("Drawn points");
    updateCaption();
    showMessage(tr("drawn data: %1 points; training and sampling continue on them").arg(data->size()), false);
}

void MainWindow::showMessage(const QString& text, bool isError)
{
    statusBar()->showMessage(isError ? tr("⚠ %1").arg(text) : text, 10000);
    if (isError) scene_->showBanner(text); // where the user is looking, for a few seconds
}

bool MainWindow::showRunningSampler()
{
    const app::SamplingSetup& running = sampling()->latest()->setup;
    app::SamplingSetup& s = setup_.sampling; // data and schedule stay the window's (posted to every worker)
    const bool differs = !(s.sampler == running.sampler) || s.source != running.source ||
                         s.stepsPerTick != running.stepsPerTick || s.trailLength != running.trailLength ||
                         s.loop != running.loop;
    s.sampler = running.sampler;
    s.source = running.source;
    s.stepsPerTick = running.stepsPerTick;
    s.trailLength = running.trailLength;
    s.loop = running.loop;
    samplerPanel_->showSetup(s);
    updateCaption();
    return differs;
}

void MainWindow::updateCaption()
{
    // The sampler line describes the run on screen (its snapshot), never a
    // request the worker may still refuse.
    const app::ParticlesPtr p = sampling()->latest();
    const app::SamplingSetup& s = p->setup;
    const NoiseLevel l = scrubber_->level();
    const QString score = !p->exactScore                         ? tr("learned score")
                          : s.source == app::SourceKind::Exact ? tr("exact score")
                                                               : tr("exact score until the first network");
    QString caption = tr("%1 · %2 training\n%3 (%4) · fields at σ = %5")
                          .arg(setup_.title)
                          .arg(QString::fromStdString(objectiveName(setup_.training.objective.kind)).toUpper())
                          .arg(QString::fromStdString(samplerKindName(s.sampler.kind)))
                          .arg(score)
                          .arg(l.marginal.std, 0, 'g', 3);
    if (p->divergence) {
        // Said plainly when the last finite particles are off screen (a large step flings them far).
        const QRectF view = scene_->visibleRect();
        bool seen = false;
        for (Eigen::Index j = 0; j < p->particles.cols() && !seen; ++j)
            seen = view.contains(QPointF(p->particles(0, j), p->particles(1, j)));
        caption += (seen ? tr("\ndiverged at step %1 (σ = %2): stopped at its last finite particles")
                         : tr("\ndiverged at step %1 (σ = %2): its last finite particles are all outside the view"))
                       .arg(p->divergence->step)
                       .arg(p->divergence->level.marginal.std, 0, 'g', 3);
    }
    else if (!modeLine_.isEmpty())
        caption += "\n" + modeLine_;
    scene_->setCaption(caption);
}

// ---- scene files ------------------------------------------------------------------

SceneDocument MainWindow::windowPartOfScene()
{
    if (drawFlush_->isActive()) { // a stroke's newest points count
        drawFlush_->stop();
        postDrawnPoints(false);
    }
    SceneDocument doc;
    const std::shared_ptr<const Dataset>& data = setup_.training.data;
    doc.data = *data;
    // A preset's origin, when the Data dock still shows the set it made (the
    // dock's fields are read back; a drawn or loaded set has none).
    const DataOrigin origin = dataPanel_->origin();
    if (data == dataPanel_->current() && data->name == origin.preset) doc.origin = origin;
    // The settings as the window knows them; the training thread replaces them
    // with its trainer's (captureTraining), which are the ones in effect.
    doc.model = setup_.training.model;
    doc.objective = setup_.training.objective;
    doc.schedule = setup_.training.schedule;
    doc.optimizer = setup_.training.optimizer;
    doc.trainer = setup_.training.trainer;
    doc.history = trainingPanel_->history();
    const app::SamplingSetup& s = setup_.sampling;
    doc.sampling.sampler = s.sampler;
    doc.sampling.exactScore = s.source == app::SourceKind::Exact;
    doc.sampling.stepsPerFrame = s.stepsPerTick;
    doc.sampling.trailLength = s.trailLength;
    doc.sampling.loop = s.loop;
    doc.sampling.useEma = setup_.training.publishEma;
    // The window's own state (format: LayerSettingsJson.h).
    const QRectF r = scene_->visibleRect();
    const QSlider* slider = scrubber_->slider();
    const int span = slider->maximum() - slider->minimum();
    doc.app = {{"layers", view::layersToJson(layersPanel_->layers())},
               {"view", {{"xMin", r.left()}, {"xMax", r.right()}, {"yMin", r.top()}, {"yMax", r.bottom()}}},
               {"scrubber", span > 0 ? double(slider->value() - slider->minimum()) / span : 0.0},
               {"title", setup_.title.toStdString()}};
    return doc;
}

void MainWindow::saveScene(const QString& path)
{
    training()->postSaveScene(windowPartOfScene(), path); // the training thread reports
}

void MainWindow::onSceneSaved(const QString& path, bool autosave)
{
    if (autosave) return; // the scene keeps its own file
    sceneFile_ = QFileInfo(path).absoluteFilePath();
    rememberRecent(sceneFile_);
    updateTitle();
}

bool MainWindow::openScene(const QString& path) { return openSceneFile(path, false); }

namespace {
// The window's part of a scene file ("app", LayerSettingsJson.h); each key is
// optional (a scene written by another program may leave them out).
struct AppState {
    std::optional<view::LayerSettings> layers;
    std::optional<QRectF> view;
    std::optional<double> scrubber;
    std::optional<QString> title;
};

AppState appStateFromJson(const nlohmann::json& app, const std::string& where)
{
    AppState out;
    for (const auto& [key, value] : app.items()) {
        if (key == "layers") {
            out.layers = view::layersFromJson(value, where + ".layers");
        } else if (key == "view") {
            const std::string w = where + ".view";
            if (!value.is_object() || value.size() != 4) throw InputError(w + ": expected {xMin, xMax, yMin, yMax}");
            const double x0 = json::number(value, "xMin", w), x1 = json::number(value, "xMax", w);
            const double y0 = json::number(value, "yMin", w), y1 = json::number(value, "yMax", w);
            if (!(x1 > x0 && y1 > y0) || !std::isfinite(x1 - x0) || !std::isfinite(y1 - y0))
                throw InputError(w + ": expected xMin < xMax and yMin < yMax");
            out.view = QRectF(QPointF(x0, y0), QPointF(x1, y1));
        } else if (key == "scrubber") {
            const double v = json::number(app, "scrubber", where);
            if (!(v >= 0 && v <= 1)) throw InputError(where + ".scrubber: expected a number in [0, 1]");
            out.scrubber = v;
        } else if (key == "title") {
            out.title = QString::fromStdString(json::string(app, "title", where));
        } else {
            throw InputError(where + "." + key + ": unknown field");
        }
    }
    return out;
}
} // namespace

bool MainWindow::openSceneFile(const QString& path, bool restoringAutosave)
{
    // Everything is read and checked before anything changes.
    SceneDocument doc;
    AppState app;
    try {
        doc = ss::loadScene(path.toStdString());
        app = appStateFromJson(doc.app, QFileInfo(path).fileName().toStdString() + ": app");
    } catch (const InputError& e) {
        showMessage(tr("scene not opened: %1").arg(QString::fromStdString(e.what())), true);
        return false;
    }
    SceneSetup next = setup_;
    auto data = std::make_shared<const Dataset>(std::move(doc.data));
    next.training.data = data;
    next.training.model = doc.model;
    next.training.objective = doc.objective;
    next.training.schedule = doc.schedule;
    next.training.optimizer = doc.optimizer;
    next.training.trainer = doc.trainer;
    next.training.publishEma = doc.sampling.useEma;
    next.training.resume = std::move(doc.training);
    next.sampling.sampler = doc.sampling.sampler;
    next.sampling.schedule = doc.schedule;
    next.sampling.data = data;
    next.sampling.source = doc.sampling.exactScore ? app::SourceKind::Exact : app::SourceKind::Learned;
    next.sampling.stepsPerTick = doc.sampling.stepsPerFrame;
    next.sampling.trailLength = doc.sampling.trailLength;
    next.sampling.loop = doc.sampling.loop;
    next.title = app.title.value_or(QFileInfo(path).completeBaseName());
    if (doc.origin) { // the Data dock shows where the points came from
        next.presetId = doc.origin->preset;
        next.points = doc.origin->count;
        next.dataSeed = doc.origin->seed;
    }
    const double scrubber = app.scrubber.value_or(0.45);
    if (!replaceScene(next, app.layers.value_or(view::LayerSettings{}), scrubber))
        return false; // the trainer refused the state (reported); the old scene goes on
    if (app.view) scene_->setVisibleRect(*app.view);
    trainingPanel_->setHistory(doc.history);
    sampling()->postPlay(); // the picture moves; training waits for Start
    sceneFile_ = restoringAutosave ? QString() : QFileInfo(path).absoluteFilePath();
    if (!restoringAutosave) rememberRecent(sceneFile_);
    updateTitle();
    showMessage(tr("%1 %2: %3 points, training step %4 (paused)")
                    .arg(restoringAutosave ? tr("restored") : tr("opened"))
                    .arg(QFileInfo(path).fileName())
                    .arg(data->size())
                    .arg(next.training.resume ? next.training.resume->adam.step : 0),
                false);
    return true;
}

void MainWindow::rememberRecent(const QString& path)
{
    recent_.removeAll(path);
    recent_.prepend(path);
    while (recent_.size() > kMaxRecent) recent_.removeLast();
    if (useSettings_) QSettings().setValue("scenes/recent", recent_);
}

void MainWindow::rebuildRecentMenu()
{
    recentMenu_->clear();
    if (recent_.isEmpty()) {
        recentMenu_->addAction(tr("(no scenes yet)"))->setEnabled(false);
        return;
    }
    for (int k = 0; k < recent_.size(); ++k) {
        const QString path = recent_[k];
        QAction* a = recentMenu_->addAction(QStringLiteral("&%1  %2").arg(k + 1).arg(QFileInfo(path).fileName()));
        a->setToolTip(path);
        a->setStatusTip(path);
        connect(a, &QAction::triggered, this, [this, path] {
            if (!QFileInfo::exists(path)) {
                recent_.removeAll(path);
                if (useSettings_) QSettings().setValue("scenes/recent", recent_);
                showMessage(tr("%1 no longer exists; removed from the recent scenes").arg(path), true);
                return;
            }
            openScene(path);
        });
    }
}

void MainWindow::updateTitle()
{
    setWindowTitle(sceneFile_.isEmpty() ? tr("ScoreScope")
                                        : tr("%1 — ScoreScope").arg(QFileInfo(sceneFile_).fileName()));
}

QString MainWindow::autosavePath() const { return autosaveStore_ ? autosaveStore_->autosavePath() : QString(); }

QString MainWindow::sessionLockPath() const { return autosaveStore_ ? autosaveStore_->lockPath() : QString(); }

QStringList MainWindow::crashedAutosaves(const QString& dir) { return AutosaveStore::crashedAutosaves(dir); }

void MainWindow::setAutosave(const QString& dir, int intervalMs)
{
    autosave_->stop();
    if (autosaveStore_ && (dir != autosaveStore_->dir() || intervalMs <= 0)) endAutosave();
    if (dir.isEmpty() || intervalMs <= 0) return;
    if (!autosaveStore_) {
        auto store = std::make_unique<AutosaveStore>(dir);
        if (!store->begin()) {
            showMessage(tr("autosave off: %1").arg(store->errorString()), true);
            return;
        }
        autosaveStore_ = std::move(store);
    }
    autosave_->start(intervalMs);
}

// A clean end: this instance's autosave and lock go; other instances' stay.
void MainWindow::endAutosave()
{
    if (!autosaveStore_) return;
    autosaveStore_->end();
    autosaveStore_.reset();
}

// Start-up, after setAutosave: the autosaves of sessions that died, newest
// first. A restored one becomes this session's own autosave (so a crash
// before the next autosave still keeps it); a declined one is forgotten; one
// that cannot be opened stays (the reason is shown).
void MainWindow::offerCrashRestore(const QString& dir)
{
    for (const QString& file : crashedAutosaves(dir)) {
        const QString when = QFileInfo(file).lastModified().toString(QStringLiteral("yyyy-MM-dd hh:mm"));
        const auto answer = QMessageBox::question(
            this, tr("Restore the last scene?"),
            tr("ScoreScope did not close properly last time. Restore the scene saved automatically at %1?").arg(when),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
        if (answer != QMessageBox::Yes) {
            AutosaveStore::discard(file);
            continue;
        }
        if (!openSceneFile(file, true)) continue;
        if (autosaveStore_) {
            QFile::remove(autosaveStore_->autosavePath());
            QFile::rename(file, autosaveStore_->autosavePath());
        }
        return; // one scene restored; the others are offered next time
    }
}

} // namespace ss::window

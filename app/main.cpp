// ScoreScope's entry point: the main window with the default scene (training
// and sampling start at once), or the scene file given (scorescope FILE), and
// the options scripts use:
//   --version           print "scorescope X.Y.Z" and the Qt version, exit 0
//                       (with --help, answered without a display)
//   --screenshot FILE   save the window as PNG after --quit-after ms (default 4000) and quit
//   --quit-after MS     quit after MS milliseconds
//   --benchmark-frames N  after a 2 s warm-up, time N frames; print median and
//                         95th-percentile frame time, the training steps/s and
//                         the longest GUI-thread stall (StallMonitor.h) and the
//                         GUI thread's CPU time within it, the
//                         longest single event's GUI-thread CPU time (EventCost.h)
//                         and the render thread's mean time per phase (view/RenderTimes.h); quit
//   --no-settings       neither restore nor save the window layout
//   --lecture NAME      open with a lecture preset (its title or number)
//   --lesson-step K     with --lecture: go to the lesson's step K (1..); the
//                       screenshot's stderr line then gives the step's live number
//   --presentation      start in presentation mode (window/PresentationMode.h)
//   --follow I[,J...]   the step-through follows particles I, J (window/StepThrough.h)
//   --measure TAB       the Measurements dock in front, on its tab TAB
//   --race              open Compare samplers and, after 4 s of training, run
//                       the scene's default race side by side (window/RaceDock.h)
//                       (samples, likelihood, fisher, trend or elbo: the guide's screenshots)
//   --window-size WxH   the window's size in pixels (e.g. 1920x1080, for screenshots)
//   --particles N, --arrows N, --heat-cells N
//                       the default scene with N particles, N x N score arrows,
//                       an N x N heat map (bench/frames.sh's scene)
//   --benchmark-headless-training S
//                       train the default scene's model for S seconds without
//                       a window and print its steps/s (the frame benchmark's reference)
#include "window/Application.h"
#include "window/LecturePresets.h"
#include "window/LessonPanel.h"
#include "window/MainWindow.h"
#include "window/RaceDock.h"
#include "window/StallMonitor.h"
#include "window/StepThrough.h"

#include "core/Error.h"
#include "core/Version.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QIcon>
#include <QPixmap>
#include <QStatusBar>
#include <QSurfaceFormat>
#include <QTabWidget>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

struct Options {
    QString screenshot;
    int quitAfterMs = -1;
    int benchmarkFrames = 0;
    bool settings = true;
    QString lecture; // a lecture preset to open with (title or number)
    int lessonStep = 1;
    bool presentation = false;
    int particles = 0, arrows = 0, heatCells = 0; // 0: the default scene's
    int headlessSeconds = 0;
    QString sceneFile; // the positional FILE.scorescope
    std::vector<Eigen::Index> follow; // --follow: particle columns
    QString measure;                  // --measure: the Measurements dock's tab to show
    QSize windowSize;                 // --window-size (invalid: the default)
    bool race = false;                // --race: Compare samplers shown, its race run
};

// --help and --version need no window (help2man, a package check on a
// machine without a display): they are answered before QApplication exists.
bool answeredWithoutWindow(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        for (const char* flag : {"--version", "-v", "--help", "-h", "-?", "--help-all"})
            if (!std::strcmp(argv[i], flag)) return true;
    return false;
}

int nonNegative(const QCommandLineParser& parser, const QCommandLineOption& option, const char* what)
{
    bool ok = false;
    const int v = parser.value(option).toInt(&ok);
    if (!ok || v < 0) {
        std::fprintf(stderr, "scorescope: %s needs a non-negative integer\n", what);
        std::exit(2);
    }
    return v;
}

Options parseOptions(const QCoreApplication& app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("ScoreScope: a lab for 2D score-based generative models."));
    parser.addHelpOption();
    const QCommandLineOption version({"v", "version"}, "Print the version (and Qt's) and exit.");
    parser.addOption(version);
    parser.addPositionalArgument("file", "A scene file (.scorescope) to open at start.", "[file]");
    const QCommandLineOption screenshot("screenshot", "Save the main window to <file> (PNG) and quit.", "file");
    const QCommandLineOption quitAfter("quit-after", "Quit after <ms> milliseconds (default with --screenshot: 4000).",
                                       "ms");
    const QCommandLineOption frames("benchmark-frames", "Time <n> frames after a warm-up, print the figures, quit.",
                                    "n");
    const QCommandLineOption noSettings("no-settings", "Neither restore nor save the window layout.");
    const QCommandLineOption lecture("lecture", "Open with the lecture preset <name> (its title, or its number 1..).",
                                     "name");
    const QCommandLineOption lessonStep("lesson-step", "With --lecture: go to the lesson's step <k> (1..).", "k");
    const QCommandLineOption presentation("presentation", "Start in presentation mode (F11 leaves it).");
    const QCommandLineOption particles("particles", "Sample with <n> particles.", "n");
    const QCommandLineOption arrows("arrows", "Draw <n> x <n> score arrows.", "n");
    const QCommandLineOption heatCells("heat-cells", "Compute <n> x <n> heat-map cells.", "n");
    const QCommandLineOption follow("follow", "Step-through: follow particles <i,j,...> (columns from 0).", "i,j");
    const QCommandLineOption measure("measure", "Show the Measurements dock on its tab <tab> (samples, likelihood, trend, "
                                     "fisher, elbo).", "tab");
    const QCommandLineOption headless("benchmark-headless-training",
                                      "Train the default scene's model for <s> seconds without a window; print steps/s.",
                                      "s");
    parser.addOption(measure);
    const QCommandLineOption race("race", "Open Compare samplers and run the scene's default race after 4 s of training.");
    parser.addOption(race);
    const QCommandLineOption windowSize("window-size", "The window's size <w>x<h> in pixels.", "wxh");
    parser.addOption(windowSize);
    parser.addOptions({screenshot, quitAfter, frames, noSettings, lecture, lessonStep, presentation, particles, arrows,
                       heatCells, headless, follow});
    parser.process(app);
    if (parser.isSet(version)) {
        std::printf("scorescope %s\nQt %s (built with %s)\n", ss::kVersion, qVersion(), QT_VERSION_STR);
        std::exit(0);
    }
    if (parser.positionalArguments().size() > 1) {
        std::fprintf(stderr, "scorescope: one scene file at most (got %lld)\n",
                     static_cast<long long>(parser.positionalArguments().size()));
        std::exit(2);
    }
    Options o;
    o.sceneFile = parser.positionalArguments().value(0);
    o.screenshot = parser.value(screenshot);
    if (parser.isSet(quitAfter)) o.quitAfterMs = nonNegative(parser, quitAfter, "--quit-after");
    if (parser.isSet(frames)) o.benchmarkFrames = nonNegative(parser, frames, "--benchmark-frames");
    if (!o.screenshot.isEmpty() && o.quitAfterMs < 0) o.quitAfterMs = 4000;
    o.settings = !parser.isSet(noSettings);
    o.lecture = parser.value(lecture);
    if (parser.isSet(lessonStep)) o.lessonStep = nonNegative(parser, lessonStep, "--lesson-step");
    o.presentation = parser.isSet(presentation);
    o.measure = parser.value(measure);
    o.race = parser.isSet(race);
    if (parser.isSet(windowSize)) {
        const QStringList wh = parser.value(windowSize).split('x');
        const int w = wh.size() == 2 ? wh[0].toInt() : 0, h = wh.size() == 2 ? wh[1].toInt() : 0;
        if (w < 320 || h < 240 || w > 16384 || h > 16384) {
            std::fprintf(stderr, "scorescope: --window-size: give WxH in pixels, e.g. 1920x1080 (got '%s')\n",
                         qPrintable(parser.value(windowSize)));
            std::exit(2);
        }
        o.windowSize = QSize(w, h);
    }
    if (parser.isSet(particles)) o.particles = nonNegative(parser, particles, "--particles");
    if (parser.isSet(arrows)) o.arrows = nonNegative(parser, arrows, "--arrows");
    if (parser.isSet(heatCells)) o.heatCells = nonNegative(parser, heatCells, "--heat-cells");
    for (const QString& item : parser.value(follow).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        const long long j = item.toLongLong(&ok);
        if (!ok || j < 0) {
            std::fprintf(stderr, "scorescope: --follow needs particle columns (0, 1, ...), got '%s'\n", qPrintable(item));
            std::exit(2);
        }
        o.follow.push_back(Eigen::Index(j));
    }
    if (parser.isSet(headless)) o.headlessSeconds = nonNegative(parser, headless, "--benchmark-headless-training");
    return o;
}

double percentile(std::vector<double> v, double q)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::size_t(q * double(v.size() - 1))];
}

// The reference for "training inside the app": the same setup (model, batch,
// threads, data) trained on this thread with nothing else running.
int headlessTraining(int seconds)
{
    const ss::app::TrainingSetup s = ss::window::defaultScene().training;
    ss::Trainer trainer(s.data, s.model, s.objective, s.schedule, s.optimizer, s.trainer);
    trainer.run(50); // warm-up
    QElapsedTimer clock;
    clock.start();
    std::int64_t steps = 0;
    while (clock.elapsed() < 1000LL * seconds) {
        trainer.run(20);
        steps += 20;
    }
    std::printf("{\"headless_training_steps_per_s\":%.1f,\"threads\":%d,\"batch\":%d}\n",
                double(steps) / (clock.nsecsElapsed() * 1e-9), s.trainer.threads, s.trainer.batchSize);
    return 0;
}

} // namespace

int main(int argc, char** argv)
{
    // GL 3.3 core is the minimum the scene draws with; the view reads what it got.
    QSurfaceFormat format;
    format.setVersion(3, 3);
    format.setProfile(QSurfaceFormat::CoreProfile);
    QSurfaceFormat::setDefaultFormat(format);
    if (answeredWithoutWindow(argc, argv)) {
        QCoreApplication core(argc, argv);
        QCoreApplication::setApplicationName(QStringLiteral("scorescope"));
        QCoreApplication::setApplicationVersion(QString::fromLatin1(ss::kVersion));
        parseOptions(core); // prints and exits
        return 0;
    }
    ss::window::Application app(argc, argv); // exceptions escaping a handler: shown, not fatal
    QApplication::setApplicationName(QStringLiteral("ScoreScope"));
    QApplication::setOrganizationName(QStringLiteral("ScoreScope"));
    QApplication::setApplicationVersion(QString::fromLatin1(ss::kVersion));
    // The installed desktop entry and icon (packaging/): the desktop matches the window to them.
    QGuiApplication::setDesktopFileName(QStringLiteral(SCORESCOPE_APP_ID));
    QApplication::setWindowIcon(QIcon::fromTheme(QStringLiteral(SCORESCOPE_APP_ID)));
    const Options options = parseOptions(app);
    if (options.headlessSeconds > 0) return headlessTraining(options.headlessSeconds);

    ss::window::SceneSetup scene = ss::window::defaultScene();
    if (options.particles > 0) scene.sampling.sampler.particles = options.particles;
    ss::window::MainWindow window(scene, options.settings && options.benchmarkFrames == 0 &&
                                             options.screenshot.isEmpty());
    if (options.arrows > 0 || options.heatCells > 0) {
        ss::view::LayerSettings layers = window.scene()->layers();
        if (options.arrows > 0) layers.arrows = options.arrows;
        if (options.heatCells > 0) layers.heatCells = options.heatCells;
        window.applyLayers(layers);
    }
    if (options.windowSize.isValid()) window.resize(options.windowSize);
    window.show();
    if (options.presentation) window.presentation()->enter();
    // A scene file opens as File → Open does: a refused one leaves the
    // default scene running, with the reason in the window and here.
    if (options.sceneFile.isEmpty() || !window.openScene(options.sceneFile)) window.startAll();
    if (!options.sceneFile.isEmpty())
        std::fprintf(stderr, "scorescope: %s\n", qPrintable(window.statusBar()->currentMessage()));
    if (!options.lecture.isEmpty()) {
        QString error;
        const std::optional<ss::window::LecturePreset> chosen = ss::window::findLecture(options.lecture, &error);
        if (!chosen) {
            std::fprintf(stderr, "scorescope: %s\n", qPrintable(error));
            return 2;
        }
        window.startLecture(*chosen);
        for (int k = 1; k < options.lessonStep; ++k) window.lessonPanel()->nextStep();
    }
    if (!options.follow.empty()) window.stepThrough()->follow(options.follow);
    if (!options.measure.isEmpty()) {
        auto* dock = window.findChild<QDockWidget*>("measurementsDock");
        auto* tabs = window.findChild<QTabWidget*>("measureTabs");
        int index = -1;
        for (int i = 0; tabs && i < tabs->count(); ++i)
            if (!tabs->tabText(i).compare(options.measure, Qt::CaseInsensitive)) index = i;
        if (!dock || index < 0) {
            std::fprintf(stderr, "scorescope: --measure: no tab '%s' (samples, likelihood, fisher, trend, elbo)\n",
                         qPrintable(options.measure));
            return 2;
        }
        dock->raise();
        tabs->setCurrentIndex(index);
    }

    if (options.race) {
        ss::window::RaceDock* race = window.raceDock();
        race->show();
        race->raise();
        QTimer::singleShot(4000, race, [race] { race->run(); }); // the learned score needs a network first
    }

    int status = 0;
    if (options.quitAfterMs >= 0) {
        QTimer::singleShot(options.quitAfterMs, &app, [&] {
            if (!options.screenshot.isEmpty()) {
                const QPixmap shot = window.grab();
                if (shot.save(options.screenshot, "PNG")) {
                    std::fprintf(stderr, "scorescope: saved %s (%dx%d)\n", qPrintable(options.screenshot),
                                 shot.width(), shot.height());
                    if (window.lessonPanel()->hasLesson())
                        std::fprintf(stderr, "scorescope: lesson %s: %s\n", qPrintable(window.lessonPanel()->stepLine()),
                                     qPrintable(window.lessonPanel()->measureLine()));
                } else {
                    std::fprintf(stderr, "scorescope: could not write %s\n", qPrintable(options.screenshot));
                    status = 1;
                }
            }
            QApplication::quit();
        });
    }
    if (options.benchmarkFrames > 0) {
        // Warm up, then count frames as the view draws them (it redraws with
        // every particle snapshot, ~60 per second while sampling plays), and
        // the longest GUI-thread stall over the same interval (StallMonitor.h)
        // and the longest single piece of GUI-thread work (EventCost.h).
        auto* scene = window.scene();
        auto* stalls = new ss::window::StallMonitor(&app);
        app.eventCost().enable();
        QTimer::singleShot(2000, &app, [&, scene, stalls] {
            stalls->reset();
            app.eventCost().reset();
            scene->takeRenderTimes(); // from here on
            const std::size_t first = scene->frameTimes().size();
            const auto startStep = window.training()->latest()->step;
            auto clock = std::make_shared<QElapsedTimer>();
            clock->start();
            auto connection = std::make_shared<QMetaObject::Connection>();
            *connection = QObject::connect(scene, &ss::view::SceneView::frameDrawn, &app, [&, scene, stalls, first,
                                                                                          startStep, clock, connection] {
                const auto times = scene->frameTimes();
                if (times.size() < first + std::size_t(options.benchmarkFrames)) return;
                QObject::disconnect(*connection); // report once
                const std::vector<double> frames(times.begin() + std::ptrdiff_t(first) + 1, times.end());
                const double seconds = clock->nsecsElapsed() * 1e-9;
                const double steps = double(window.training()->latest()->step - startStep) / seconds;
                const ss::view::RenderTimes render = scene->takeRenderTimes();
                const double perFrame = 1.0 / std::max(1, render.frames);
                std::printf("{\"frames\":%zu,\"median_ms\":%.2f,\"p95_ms\":%.2f,\"training_steps_per_s\":%.1f,"
                            "\"longest_stall_ms\":%.1f,\"longest_stall_gui_cpu_ms\":%.1f,\"stalls_over_30ms\":%d,\"longest_gui_work_ms\":%.1f,"
                            "\"longest_gui_work\":\"%s\",\"seconds\":%.1f,\"render_draw_ms\":%.2f,"
                            "\"render_readback_ms\":%.2f,\"render_overlay_ms\":%.2f,\"gl\":\"%s\"}\n",
                            frames.size(), percentile(frames, 0.5), percentile(frames, 0.95), steps,
                            stalls->longestMs(), stalls->longestCpuMs(), stalls->countOver(30), app.eventCost().longestMs(),
                            qPrintable(app.eventCost().longestWhat()), seconds, render.drawMs * perFrame,
                            render.readbackMs * perFrame, render.overlayMs * perFrame, qPrintable(scene->glDescription()));
                std::fflush(stdout);
                // Not from inside the paint: quit() closes the windows (Qt 6).
                QTimer::singleShot(0, &app, &QApplication::quit);
            });
        });
    }
    const int rc = app.exec();
    return status != 0 ? status : rc;
}

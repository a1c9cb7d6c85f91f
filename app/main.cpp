// ScoreScope's entry point: the main window with the default scene (training
// and sampling start at once), and the options scripts use:
//   --screenshot FILE   save the window as PNG after --quit-after ms (default 4000) and quit
//   --quit-after MS     quit after MS milliseconds
//   --benchmark-frames N  after a 2 s warm-up, time N frames; print median and
//                         95th-percentile frame time, the training steps/s and
//                         the longest GUI-thread stall (StallMonitor.h); quit
//   --no-settings       neither restore nor save the window layout
//   --lecture NAME      open with a lecture preset (its title or number)
//   --presentation      start in presentation mode (window/PresentationMode.h)
//   --particles N, --arrows N, --heat-cells N
//                       the default scene with N particles, N x N score arrows,
//                       an N x N heat map (bench/frames.sh's scene)
//   --benchmark-headless-training S
//                       train the default scene's model for S seconds without
//                       a window and print its steps/s (the frame benchmark's reference)
#include "window/Application.h"
#include "window/LecturePresets.h"
#include "window/MainWindow.h"
#include "window/StallMonitor.h"

#include "core/Error.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QPixmap>
#include <QSurfaceFormat>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct Options {
    QString screenshot;
    int quitAfterMs = -1;
    int benchmarkFrames = 0;
    bool settings = true;
    QString lecture; // a lecture preset to open with (title or number)
    bool presentation = false;
    int particles = 0, arrows = 0, heatCells = 0; // 0: the default scene's
    int headlessSeconds = 0;
};

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

Options parseOptions(const QApplication& app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("ScoreScope: a lab for 2D score-based generative models."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshot("screenshot", "Save the main window to <file> (PNG) and quit.", "file");
    const QCommandLineOption quitAfter("quit-after", "Quit after <ms> milliseconds (default with --screenshot: 4000).",
                                       "ms");
    const QCommandLineOption frames("benchmark-frames", "Time <n> frames after a warm-up, print the figures, quit.",
                                    "n");
    const QCommandLineOption noSettings("no-settings", "Neither restore nor save the window layout.");
    const QCommandLineOption lecture("lecture", "Open with the lecture preset <name> (its title, or its number 1..).",
                                     "name");
    const QCommandLineOption presentation("presentation", "Start in presentation mode (F11 leaves it).");
    const QCommandLineOption particles("particles", "Sample with <n> particles.", "n");
    const QCommandLineOption arrows("arrows", "Draw <n> x <n> score arrows.", "n");
    const QCommandLineOption heatCells("heat-cells", "Compute <n> x <n> heat-map cells.", "n");
    const QCommandLineOption headless("benchmark-headless-training",
                                      "Train the default scene's model for <s> seconds without a window; print steps/s.",
                                      "s");
    parser.addOptions({screenshot, quitAfter, frames, noSettings, lecture, presentation, particles, arrows, heatCells, headless});
    parser.process(app);
    Options o;
    o.screenshot = parser.value(screenshot);
    if (parser.isSet(quitAfter)) o.quitAfterMs = nonNegative(parser, quitAfter, "--quit-after");
    if (parser.isSet(frames)) o.benchmarkFrames = nonNegative(parser, frames, "--benchmark-frames");
    if (!o.screenshot.isEmpty() && o.quitAfterMs < 0) o.quitAfterMs = 4000;
    o.settings = !parser.isSet(noSettings);
    o.lecture = parser.value(lecture);
    o.presentation = parser.isSet(presentation);
    if (parser.isSet(particles)) o.particles = nonNegative(parser, particles, "--particles");
    if (parser.isSet(arrows)) o.arrows = nonNegative(parser, arrows, "--arrows");
    if (parser.isSet(heatCells)) o.heatCells = nonNegative(parser, heatCells, "--heat-cells");
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
    ss::window::Application app(argc, argv); // exceptions escaping a handler: shown, not fatal
    QApplication::setApplicationName(QStringLiteral("ScoreScope"));
    QApplication::setOrganizationName(QStringLiteral("ScoreScope"));
    QApplication::setApplicationVersion(QStringLiteral(SCORESCOPE_VERSION));
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
    window.show();
    if (options.presentation) window.presentation()->enter();
    window.startAll();
    if (!options.lecture.isEmpty()) {
        const std::vector<ss::window::LecturePreset> presets = ss::window::lecturePresets();
        bool ok = false;
        const int number = options.lecture.toInt(&ok);
        const ss::window::LecturePreset* chosen = nullptr;
        for (std::size_t i = 0; i < presets.size(); ++i)
            if ((ok && number == int(i) + 1) || presets[i].title.compare(options.lecture, Qt::CaseInsensitive) == 0)
                chosen = &presets[i];
        if (!chosen) {
            std::fprintf(stderr, "scorescope: no lecture preset '%s' (there are %zu)\n", qPrintable(options.lecture),
                         presets.size());
            return 2;
        }
        window.startScene(chosen->scene, chosen->layers, chosen->scrubber);
    }

    int status = 0;
    if (options.quitAfterMs >= 0) {
        QTimer::singleShot(options.quitAfterMs, &app, [&] {
            if (!options.screenshot.isEmpty()) {
                const QPixmap shot = window.grab();
                if (shot.save(options.screenshot, "PNG")) {
                    std::fprintf(stderr, "scorescope: saved %s (%dx%d)\n", qPrintable(options.screenshot),
                                 shot.width(), shot.height());
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
        // the longest GUI-thread stall over the same interval (StallMonitor.h).
        auto* scene = window.scene();
        auto* stalls = new ss::window::StallMonitor(&app);
        QTimer::singleShot(2000, &app, [&, scene, stalls] {
            stalls->reset();
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
                std::printf("{\"frames\":%zu,\"median_ms\":%.2f,\"p95_ms\":%.2f,\"training_steps_per_s\":%.1f,"
                            "\"longest_stall_ms\":%.1f,\"stalls_over_30ms\":%d,\"seconds\":%.1f,\"gl\":\"%s\"}\n",
                            frames.size(), percentile(frames, 0.5), percentile(frames, 0.95), steps,
                            stalls->longestMs(), stalls->countOver(30), seconds, qPrintable(scene->glDescription()));
                std::fflush(stdout);
                // Not from inside the paint: quit() closes the windows (Qt 6).
                QTimer::singleShot(0, &app, &QApplication::quit);
            });
        });
    }
    const int rc = app.exec();
    return status != 0 ? status : rc;
}

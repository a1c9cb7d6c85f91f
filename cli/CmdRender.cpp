// scorescope-cli render: what the window would show for a scene file, as a
// still (PNG, SVG, PDF: the sampler run to its end, or to --frames steps) or
// an animation (MP4, WebM, GIF, PNG sequence: the sampler from its start).
// Built only with the app (it draws with Qt's QPainter, no GL: no display is
// needed; without one it uses Qt's offscreen platform).
#include "cli/CliCommon.h"
#include "cli/Commands.h"

#include "export/AnimationRenderer.h"
#include "core/SceneFile.h"
#include "state/SceneState.h"
#include "paint/StillExport.h"
#include "export/VideoEncoder.h"

#include "core/Error.h"

#include <QFileInfo>
#include <QGuiApplication>

#include <cstdio>
#include <iostream>

#include <unistd.h>

namespace ss::cli {

namespace {
// The scene's sampler, network, layers and view as an animation job: the
// scene file read as the window reads it (SceneState.h).
app::AnimationJob jobFromScene(SceneDocument scene, const std::string& where)
{
    const state::AppState appState = state::appStateFromJson(scene.app, where + ": app"); // strict, as the window
    app::AnimationJob job;
    {
        const std::unique_ptr<Trainer> trainer = makeTrainer(scene); // restores the saved weights
        job.net = std::make_shared<const ScoreNet>(scene.sampling.useEma ? trainer->emaNet() : trainer->net());
    }
    const app::SceneSetup setup = state::setupFromScene(std::move(scene), appState, app::SceneSetup{});
    job.sampling = setup.sampling;
    job.stepsPerFrame = setup.sampling.stepsPerTick;
    job.title = setup.title; // empty when the scene has none
    if (appState.layers) job.layers = *appState.layers;
    if (appState.view) job.world = *appState.view;
    if (!(job.world.width() > 0 && job.world.height() > 0)) { // the data, framed with a margin
        const Dataset& data = *setup.sampling.data;
        const Eigen::Vector2d lo = data.points.rowwise().minCoeff(), hi = data.points.rowwise().maxCoeff();
        const Eigen::Vector2d c = 0.5 * (lo + hi), half = (0.5 * 1.25 * (hi - lo)).cwiseMax(0.5);
        job.world = QRectF(c.x() - half.x(), c.y() - half.y(), 2 * half.x(), 2 * half.y());
    }
    return job;
}
} // namespace

int runRender(const Arguments& arguments)
{
    Args args("render", "--scene FILE.scorescope --out OUT.{png,svg,pdf,mp4,webm,gif} [options]",
              {{"scene", "FILE", "the scene file to render (required)"},
               {"out", "PATH", "the output; its extension picks the format (required)"},
               {"width", "W", "width in pixels (default 1280)"},
               {"height", "H", "height in pixels (default 720)"},
               {"fps", "F", "animations: frames per second (default 25)"},
               {"frames", "N", "animations: N frames of the sampler; stills: the picture after N-1 frames' steps "
                                "(default: the whole run)"},
               {"json", "", "print a JSON summary"}});
    if (!args.parse(arguments)) {
        std::cout << args.usage();
        return 0;
    }
    const std::string scenePath = args.required("scene"), out = args.required("out");
    refuseSameFiles(args, {"scene"}, {"out"});
    const QSize size(int(args.integer("width", 1280, 16, 7680)), int(args.integer("height", 720, 16, 4320)));
    const double fps = args.number("fps", 25, 1, 120);
    const int frames = int(args.integer("frames", 0, 0, 100000));
    const QString outPath = QString::fromStdString(out);
    const QString ext = QFileInfo(outPath).suffix().toLower();
    const bool still = ext == "svg" || ext == "pdf" || (ext == "png" && frames == 0);
    if (!still && !app::videoFormatFromPath(outPath))
        throw UsageError("--out: unknown format '." + ext.toStdString() + "' (png, svg, pdf, mp4, webm, gif)");

    // Text needs a Gui application; without a display, Qt's offscreen platform.
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    int argc = 1;
    char name[] = "scorescope-cli";
    char* argv[] = {name, nullptr};
    QGuiApplication gui(argc, argv);

    app::AnimationJob job = jobFromScene(loadScene(scenePath), scenePath);
    job.size = size;
    job.fps = fps;
    if (frames > 0) {
        job.content = app::AnimationJob::Content::SamplerSteps;
        job.frames = (frames - 1) * job.stepsPerFrame; // steps: N frames with the start
    }
    app::AnimationRenderer renderer(job);
    const int n = still ? 1 : renderer.frameCount();
    if (still) {
        // The last frame's picture: the run's end (or N frames in).
        for (int i = 0; i + 1 < renderer.frameCount(); ++i) renderer.picture(i);
        view::exportStill(renderer.picture(renderer.frameCount() - 1), outPath, size);
    } else {
        app::VideoEncoder encoder;
        encoder.start(outPath, *app::videoFormatFromPath(outPath), size, fps);
        const bool progress = isatty(STDERR_FILENO) && !args.has("json");
        for (int i = 0; i < n; ++i) {
            encoder.addFrame(renderer.frame(i));
            if (progress) std::fprintf(stderr, "\rframe %d/%d   ", i + 1, n);
        }
        if (progress) std::fprintf(stderr, "\n");
        encoder.finish();
    }
    // Say what was written: a PNG sequence is N files named after --out, not --out itself.
    const bool sequence = !still && *app::videoFormatFromPath(outPath) == app::VideoFormat::PngSequence;
    const std::string first = sequence ? app::pngSequenceFramePath(outPath, 0).toStdString() : out;
    const std::string last = sequence ? app::pngSequenceFramePath(outPath, n - 1).toStdString() : out;
    nlohmann::json summary = {{"out", out}, {"frames", n}, {"width", size.width()}, {"height", size.height()}};
    if (sequence) summary["files"] = {first, last};
    const std::string written = sequence ? (n == 1 ? first : first + " ... " + last) : out;
    if (args.flag("json")) std::cout << summary.dump() << '\n';
    else std::printf("wrote %s: %d frame%s, %d x %d\n", written.c_str(), n, n == 1 ? "" : "s", size.width(), size.height());
    return 0;
}

} // namespace ss::cli

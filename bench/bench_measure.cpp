// Issue 14's benchmark: training steps/s with the Measurements dock open at
// its default refresh, against closed — at least 0.8. The engine alone, as
// the window runs it (SceneController: training, sampling, fields, the two
// measure workers with their niceness), on the default scene; "open" is what
// showing the dock does (both measure workers enabled, ModelMeasureSettings'
// defaults), "closed" what hiding it does. Rounds alternate closed / open so
// a machine's drift hits both; the ratio is the median of the rounds' ratios.
//   bench_measure [--seconds S] [--rounds R] [--only samples|model]
//   (default 8 s, 3 rounds; --only: "open" enables that worker alone, to tell the costs apart)
// Prints one JSON line per window and a summary line.
#include "engine/SceneController.h"
#include "state/SceneSetup.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

using namespace ss;

namespace {

void serveFor(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

int main(int argc, char** argv)
{
    QCoreApplication application(argc, argv);
    double seconds = 8;
    int rounds = 3;
    std::string only;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--seconds")) seconds = std::atof(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--rounds")) rounds = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--only")) only = argv[i + 1];
    }
    app::SceneController c(app::defaultScene());
    int jobs = 0;
    QObject::connect(c.modelMeasure(), &app::ModelMeasureWorker::progress, &c,
                     [&](int percent, const QString& stage) {
                         jobs += stage.isEmpty() && percent == 100;
                         if (std::getenv("BENCH_PROGRESS")) std::fprintf(stderr, "%s %d\n", qPrintable(stage), percent);
                     });
    auto enable = [&](bool on) {
        c.measure()->postEnabled(on && only != "model");
        c.modelMeasure()->postEnabled(on && only != "samples");
    };
    enable(false);
    c.startAll();
    serveFor(2000); // warm-up: the first snapshots, the sampler's first run
    std::vector<double> closed, open;
    for (int r = 0; r < rounds; ++r)
        for (bool on : {false, true}) {
            enable(on);
            serveFor(500); // a job in flight stops (closed) or the first starts (open)
            const std::int64_t s0 = c.training()->latest()->step;
            const int j0 = jobs;
            QElapsedTimer clock;
            clock.start();
            serveFor(int(seconds * 1000));
            const double rate = double(c.training()->latest()->step - s0) / (clock.nsecsElapsed() * 1e-9);
            (on ? open : closed).push_back(rate);
            std::printf("{\"round\": %d, \"dock\": \"%s\", \"steps_per_s\": %.1f, \"model_jobs\": %d, "
                        "\"last_job_cpu_s\": %.2f}\n",
                        r + 1, on ? "open" : "closed", rate, jobs - j0, c.modelMeasure()->latest()->cpuSeconds);
            std::fflush(stdout);
        }
    // The median of each round's open / closed: a shared machine's drift over
    // minutes cancels within a round better than between medians.
    std::vector<double> ratios;
    for (std::size_t r = 0; r < open.size(); ++r) ratios.push_back(open[r] / closed[r]);
    const double ratio = median(ratios);
    std::printf("{\"summary\": true, \"closed_steps_per_s\": %.1f, \"open_steps_per_s\": %.1f, \"ratio\": %.3f, "
                "\"target\": 0.8, \"pass\": %s}\n",
                median(closed), median(open), ratio, ratio >= 0.8 ? "true" : "false");
    return 0;
}

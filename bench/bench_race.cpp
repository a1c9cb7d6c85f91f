// The sampler race's small multiples (issue 14's benchmark): the Compare
// samplers dock on the default scene with 4 configurations at 1,000
// particles each (the scene's default race plus a predictor-corrector, exact
// score, so no training is needed), run side by side ROUNDS times; prints the
// panels' frames per second while the race runs, the median and 95th
// percentile frame interval, and the time one frame of the four panels
// takes to paint. Needs a display (bench/race.sh runs it under Xvfb).
//   bench_race [--rounds R] [--particles N] [--chart FILE.png]
// --chart: afterwards sweep the same race over 5..200 steps and save the
// quality-vs-NFE chart as FILE.png (for looking at it).
#include "window/MainWindow.h"
#include "window/RaceChart.h"
#include "window/RaceDock.h"
#include "window/RacePanel.h"
#include "window/RaceView.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QImage>
#include <QPainter>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

double percentile(std::vector<double> v, double q)
{
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(q * double(v.size())))];
}

} // namespace

int main(int argc, char** argv)
{
    int rounds = 3, particles = 1000;
    QString chartFile;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--chart")) chartFile = QString::fromLocal8Bit(argv[i + 1]);
        if (!std::strcmp(argv[i], "--rounds")) rounds = std::max(1, std::atoi(argv[i + 1]));
        if (!std::strcmp(argv[i], "--particles")) particles = std::max(100, std::atoi(argv[i + 1]));
    }
    QApplication app(argc, argv);
    ss::window::MainWindow w(ss::window::defaultScene(), false);
    w.resize(1600, 1000);
    w.show();
    auto* dock = w.findChild<ss::window::RaceDock*>("raceDock");
    dock->show();
    ss::window::RacePanel* panel = dock->panel();
    ss::RaceSpec spec = panel->spec();
    for (const auto& p : ss::window::RacePanel::presetsFor(w.controller()->setup().sampling.schedule))
        if (p.entry.sampler.kind == ss::SamplerKind::PredictorCorrector) panel->addEntry(p.entry, p.steps);
    spec = panel->spec();
    for (ss::RaceEntry& e : spec.entries) e.score = ss::RaceScore::Exact;
    spec.particles = particles;
    panel->setSpec(spec);

    std::vector<double> intervals;
    double seconds = 0;
    int frames = 0;
    for (int r = 0; r < rounds; ++r) {
        const std::size_t first = dock->view()->frameTimes().size();
        QElapsedTimer clock;
        clock.start();
        dock->run();
        // Wait for the race to start, then to end.
        while (!(dock->view()->live() && dock->view()->live()->running) && clock.elapsed() < 10000)
            app.processEvents(QEventLoop::AllEvents, 5);
        const qint64 started = clock.elapsed();
        while (dock->view()->live() && dock->view()->live()->running && clock.elapsed() < 120000)
            app.processEvents(QEventLoop::AllEvents, 5);
        const auto& times = dock->view()->frameTimes();
        intervals.insert(intervals.end(), times.begin() + std::ptrdiff_t(first) + 1, times.end());
        frames += int(times.size() - first);
        seconds += double(clock.elapsed() - started) / 1000.0;
    }
    // One frame of the panels, painted alone (the GUI thread's share of a frame).
    ss::window::RaceView* view = dock->view();
    QImage image(view->size(), QImage::Format_RGB32);
    std::vector<double> paints;
    for (int i = 0; i < 20; ++i) {
        QElapsedTimer t;
        t.start();
        view->render(&image);
        paints.push_back(double(t.nsecsElapsed()) / 1e6);
    }
    std::printf("{\"lanes\":%zu,\"particles\":%d,\"rounds\":%d,\"frames\":%d,\"fps\":%.1f,\"median_ms\":%.2f,"
                "\"p95_ms\":%.2f,\"paint_ms\":%.2f,\"view\":\"%dx%d\"}\n",
                spec.entries.size(), particles, rounds, frames, seconds > 0 ? frames / seconds : 0.0,
                percentile(intervals, 0.5), percentile(intervals, 0.95), percentile(paints, 0.5), view->width(),
                view->height());
    if (!chartFile.isEmpty()) {
        spec.steps = {5, 10, 20, 50, 100, 200};
        dock->worker()->postSweep(spec, dock->scores());
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 500 || (dock->worker()->latestSweep() && dock->worker()->latestSweep()->running))
            app.processEvents(QEventLoop::AllEvents, 20);
        app.processEvents();
        dock->chart()->grab().save(chartFile);
    }
    return 0;
}

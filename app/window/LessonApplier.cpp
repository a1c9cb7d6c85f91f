#include "window/LessonApplier.h"

#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/Presets.h"
#include "window/FlowCharts.h"
#include "window/FlowDock.h"
#include "window/MainWindow.h"

#include <QSlider>

namespace ss::window {

namespace {

// The preset (id, n, seed at default parameters) that made the data running
// now, the only data a lecture file can name; nullopt for drawn, loaded or
// re-parametrised data.
std::optional<DataOrigin> presetOfRunningData(const MainWindow& w)
{
    const std::shared_ptr<const Dataset>& data = w.controller()->setup().training.data;
    const DataOrigin origin = w.dataPanel()->origin();
    if (data != w.dataPanel()->current() || data->name != origin.preset) return std::nullopt;
    if (makePreset(origin.preset, origin.count, origin.seed).points != data->points) return std::nullopt;
    return origin;
}

} // namespace

void applyLessonStep(MainWindow& w, const LectureScene& step)
{
    app::SceneController* c = w.controller();
    const SceneSetup& want = step.scene;
    auto differs = [](const auto& a, const auto& b) { return toJson(a) != toJson(b); };
    // Order: data, model, schedule, then the sampler (the schedule moves the
    // sampler's derived step size; the step's own values come last).
    const std::optional<DataOrigin> data = presetOfRunningData(w);
    if (!data || data->preset != want.presetId || data->count != want.points || data->seed != want.dataSeed) {
        w.dataPanel()->showPreset(want.presetId, want.points, want.dataSeed, want.training.data);
        emit w.dataPanel()->dataChanged(want.training.data, want.title);
    }
    if (differs(c->setup().training.model, want.training.model) ||
        differs(c->setup().training.objective, want.training.objective)) {
        w.modelPanel()->showModel(want.training.model, want.training.objective);
        emit w.modelPanel()->applyRequested();
    }
    if (differs(c->setup().training.schedule, want.training.schedule)) {
        w.schedulePanel()->showSchedule(want.training.schedule);
        emit w.schedulePanel()->scheduleRequested(want.training.schedule);
    }
    const app::SamplingSetup& now = c->setup().sampling;
    if (differs(now.sampler, want.sampling.sampler) || now.stepsPerTick != want.sampling.stepsPerTick ||
        !(now.guidance == want.sampling.guidance) || !(now.sdedit == want.sampling.sdedit)) {
        app::SamplingSetup shown = now; // the dock's own parts (trail, loop, ...) stay
        shown.sampler = want.sampling.sampler;
        shown.stepsPerTick = want.sampling.stepsPerTick;
        shown.guidance = want.sampling.guidance; // the dock's rows carry them on
        shown.sdedit = want.sampling.sdedit;
        w.samplerPanel()->showSetup(shown);
        emit w.samplerPanel()->settingsChanged();
    }
    if (c->setup().sampling.source != want.sampling.source) {
        app::SamplingSetup shown = c->setup().sampling;
        shown.source = want.sampling.source;
        w.samplerPanel()->showSetup(shown);
        emit w.samplerPanel()->sourceChanged(want.sampling.source);
    }
    if (step.flow) applyFlow(w, *step.flow);
    w.applyLayers(step.layers);
    w.scrubber()->setPosition(step.scrubber);
}

void applyFlow(MainWindow& w, const FlowLesson& flow)
{
    FlowDock* dock = w.flowDock();
    dock->show();
    dock->raise();
    // A fresh flow only when its settings change: a step that only turns the
    // samples on keeps what has been learned.
    if (!(dock->requestedSettings() == flow.settings)) dock->apply(flow.settings);
    dock->setTraining(flow.train);
    dock->setSamplesShown(flow.samples);
    dock->charts()->showChart(flow.chart);
}

LectureScene runningLectureScene(const MainWindow& w)
{
    LectureScene s;
    s.scene = w.controller()->setup();
    const std::optional<DataOrigin> data = presetOfRunningData(w);
    if (!data)
        throw InputError("the data running now was drawn, loaded or made with other parameters: a lesson can only "
                         "name a data preset with its default parameters");
    s.scene.presetId = data->preset;
    s.scene.points = data->count;
    s.scene.dataSeed = data->seed;
    s.layers = w.layersPanel()->layers();
    if (!w.flowDock()->isHidden())
        if (const app::FlowPtr f = w.flowDock()->worker()->latest())
            s.flow = FlowLesson{f->settings, f->running, w.flowSamplesShown(), w.flowDock()->charts()->chartName()};
    const QSlider* slider = w.scrubber()->slider();
    const int span = slider->maximum() - slider->minimum();
    s.scrubber = span > 0 ? double(slider->value() - slider->minimum()) / span : 0.0;
    return s;
}

} // namespace ss::window

#include "state/SceneState.h"

#include "core/ConfigJson.h"
#include "core/Error.h"

#include <cmath>
#include <memory>

namespace ss::state {

namespace {
QRectF viewFromJson(const nlohmann::json& value, const std::string& where)
{
    if (!value.is_object() || value.size() != 4) throw InputError(where + ": expected {xMin, xMax, yMin, yMax}");
    const double x0 = json::number(value, "xMin", where), x1 = json::number(value, "xMax", where);
    const double y0 = json::number(value, "yMin", where), y1 = json::number(value, "yMax", where);
    if (!(x1 > x0 && y1 > y0) || !std::isfinite(x1 - x0) || !std::isfinite(y1 - y0))
        throw InputError(where + ": expected xMin < xMax and yMin < yMax");
    return QRectF(QPointF(x0, y0), QPointF(x1, y1));
}
} // namespace

AppState appStateFromJson(const nlohmann::json& app, const std::string& where)
{
    if (!app.is_object()) throw InputError(where + ": expected an object");
    AppState out;
    for (const auto& [key, value] : app.items()) {
        if (key == "layers") {
            out.layers = view::layersFromJson(value, where + ".layers");
        } else if (key == "view") {
            out.view = viewFromJson(value, where + ".view");
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

nlohmann::json appStateToJson(const AppState& app)
{
    nlohmann::json out = nlohmann::json::object();
    if (app.layers) out["layers"] = view::layersToJson(*app.layers);
    if (app.view) {
        const QRectF& r = *app.view;
        out["view"] = {{"xMin", r.left()}, {"xMax", r.right()}, {"yMin", r.top()}, {"yMax", r.bottom()}};
    }
    if (app.scrubber) out["scrubber"] = *app.scrubber;
    if (app.title) out["title"] = app.title->toStdString();
    return out;
}

app::SceneSetup setupFromScene(SceneDocument&& doc, const AppState& appState, app::SceneSetup base)
{
    app::SceneSetup next = std::move(base);
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
    next.sampling.guidance = doc.sampling.guidance;
    if (appState.title) next.title = *appState.title;
    if (doc.origin) { // the Data dock shows where the points came from
        next.presetId = doc.origin->preset;
        next.points = doc.origin->count;
        next.dataSeed = doc.origin->seed;
    }
    return next;
}

void setupToScene(const app::SceneSetup& setup, SceneDocument& doc)
{
    const app::TrainingSetup& t = setup.training;
    doc.data = *t.data;
    doc.model = t.model;
    doc.objective = t.objective;
    doc.schedule = t.schedule;
    doc.optimizer = t.optimizer;
    doc.trainer = t.trainer;
    const app::SamplingSetup& s = setup.sampling;
    doc.sampling.sampler = s.sampler;
    doc.sampling.exactScore = s.source == app::SourceKind::Exact;
    doc.sampling.stepsPerFrame = s.stepsPerTick;
    doc.sampling.trailLength = s.trailLength;
    doc.sampling.loop = s.loop;
    doc.sampling.guidance = s.guidance;
    doc.sampling.useEma = t.publishEma;
}

} // namespace ss::state

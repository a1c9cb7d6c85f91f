#include "window/LecturePresets.h"

#include "core/ConfigJson.h"
#include "core/Error.h"
#include "core/Presets.h"
#include "state/LayerSettingsJson.h"

#include <QDir>
#include <QFile>
#include <QStandardPaths>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ss::window {

namespace {

// The keys of a lecture file's scene (also the keys a step's "apply" may hold).
const std::vector<std::string>& sceneKeys()
{
    static const std::vector<std::string> keys{"data",   "model",  "objective",     "schedule", "sampler",
                                               "source", "layers", "stepsPerFrame", "scrubber", "guidance",
                                               "sdedit",   "flow"};
    return keys;
}

bool isSceneKey(const std::string& key)
{
    return std::find(sceneKeys().begin(), sceneKeys().end(), key) != sceneKeys().end();
}

// Refuses a key of obj outside `known` (a typo would otherwise be ignored).
void onlyKnownKeys(const nlohmann::json& obj, const std::vector<std::string>& known, const std::string& where)
{
    if (!obj.is_object()) throw InputError(where + ": expected an object");
    for (const auto& [key, value] : obj.items())
        if (std::find(known.begin(), known.end(), key) == known.end()) throw InputError(where + "." + key + ": unknown key");
}

// An SDEdit start: {"points": [[x1, x2], ...] (1 to 2000), "t0": T in (0, 1]}.
app::SdeditStart sdeditFromJson(const nlohmann::json& j, const std::string& where)
{
    onlyKnownKeys(j, {"points", "t0"}, where);
    const nlohmann::json& pts = json::field(j, "points", where);
    if (!pts.is_array() || pts.empty() || pts.size() > 2000)
        throw InputError(where + ".points: expected a list of 1 to 2000 points [x1, x2]");
    Eigen::Matrix2Xd points(2, Eigen::Index(pts.size()));
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const nlohmann::json& p = pts[i];
        if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
            throw InputError(where + ".points[" + std::to_string(i) + "]: expected [x1, x2]");
        points(0, Eigen::Index(i)) = p[0].get<double>();
        points(1, Eigen::Index(i)) = p[1].get<double>();
        if (!points.col(Eigen::Index(i)).allFinite() || points.col(Eigen::Index(i)).cwiseAbs().maxCoeff() > 1e6)
            throw InputError(where + ".points[" + std::to_string(i) + "]: expected finite coordinates within 1e6");
    }
    app::SdeditStart s;
    s.points = std::make_shared<const Eigen::Matrix2Xd>(std::move(points));
    s.t0 = json::number(j, "t0", where);
    s.on = true;
    if (!(s.t0 > 0 && s.t0 <= 1)) throw InputError(where + ".t0: expected a number in (0, 1]");
    return s;
}

nlohmann::json sdeditToJson(const app::SdeditStart& s)
{
    nlohmann::json points = nlohmann::json::array();
    for (Eigen::Index j = 0; j < s.points->cols(); ++j) points.push_back({(*s.points)(0, j), (*s.points)(1, j)});
    return {{"points", points}, {"t0", s.t0}};
}

// The Flow dock's part: every field optional, FlowSettings' defaults for the rest.
FlowLesson flowFromJson(const nlohmann::json& j, const std::string& where)
{
    onlyKnownKeys(j, {"train", "samples", "chart", "hidden", "activation", "trace", "probes", "probe", "gradient", "solver",
                      "steps", "tolerance", "batch", "lr", "sampleSteps", "seed"},
                  where);
    FlowLesson f;
    app::FlowSettings& s = f.settings;
    if (j.contains("train")) f.train = json::boolean(j, "train", where);
    if (j.contains("samples")) f.samples = json::boolean(j, "samples", where);
    if (j.contains("chart")) {
        f.chart = json::string(j, "chart", where);
        if (f.chart != "nll" && f.chart != "nfe" && f.chart != "variance")
            throw InputError(where + ".chart: expected nll, nfe or variance");
    }
    if (j.contains("hidden")) {
        s.model.hidden.clear();
        for (double w : json::numbers(j, "hidden", where, 8)) {
            if (w != std::floor(w) || w < 1 || w > 1024) throw InputError(where + ".hidden: widths are integers in [1, 1024]");
            s.model.hidden.push_back(int(w));
        }
    }
    json::located(where, [&] {
        if (j.contains("activation")) s.model.activation = activationFromName(json::string(j, "activation", where));
        if (j.contains("trace")) s.solve.trace = traceEstimatorFromName(json::string(j, "trace", where));
        if (j.contains("probe")) s.solve.probe = probeKindFromName(json::string(j, "probe", where));
        if (j.contains("gradient")) s.solve.gradient = cnfGradientFromName(json::string(j, "gradient", where));
        if (j.contains("solver")) s.solve.method = odeMethodFromName(json::string(j, "solver", where));
        return 0;
    });
    if (j.contains("probes")) s.solve.probes = int(json::integer(j, "probes", where, 1, 64));
    if (j.contains("steps")) s.solve.steps = int(json::integer(j, "steps", where, 1, 1000));
    if (j.contains("tolerance")) s.solve.rtol = s.solve.atol = json::number(j, "tolerance", where);
    if (j.contains("batch")) s.batchSize = int(json::integer(j, "batch", where, 1, 65536));
    if (j.contains("lr")) s.optimizer.learningRate = json::number(j, "lr", where);
    if (j.contains("sampleSteps")) s.sampleSteps = int(json::integer(j, "sampleSteps", where, 1, 1000));
    if (j.contains("seed")) s.seed = s.model.seed = std::uint64_t(json::integer(j, "seed", where, 0, 1'000'000));
    json::located(where, [&] {
        s.validate();
        return 0;
    });
    return f;
}

nlohmann::json flowToJson(const FlowLesson& f)
{
    const app::FlowSettings& s = f.settings;
    return {{"train", f.train},
            {"samples", f.samples},
            {"chart", f.chart},
            {"hidden", s.model.hidden},
            {"activation", activationName(s.model.activation)},
            {"trace", traceEstimatorName(s.solve.trace)},
            {"probes", s.solve.probes},
            {"probe", probeKindName(s.solve.probe)},
            {"gradient", cnfGradientName(s.solve.gradient)},
            {"solver", odeMethodName(s.solve.method)},
            {"steps", s.solve.steps},
            {"tolerance", s.solve.rtol},
            {"batch", s.batchSize},
            {"lr", s.optimizer.learningRate},
            {"sampleSteps", s.sampleSteps},
            {"seed", s.seed}};
}

// The one reader of a lecture scene (the preset's own and each step's).
LectureScene sceneFromJson(const nlohmann::json& j, const std::string& where)
{
    LectureScene out;
    SceneSetup& s = out.scene;
    const nlohmann::json& data = json::field(j, "data", where);
    onlyKnownKeys(data, {"preset", "n", "seed"}, where + ".data");
    s.presetId = json::string(data, "preset", where + ".data");
    s.points = int(json::integer(data, "n", where + ".data", 1, 1'000'000));
    s.dataSeed = std::uint64_t(json::integer(data, "seed", where + ".data", 0, 1'000'000));
    auto dataset = std::make_shared<const Dataset>(
        json::located(where + ".data", [&] { return makePreset(s.presetId, s.points, s.dataSeed); }));
    for (const PresetInfo& info : presetCatalogue())
        if (info.id == s.presetId) s.title = QString::fromStdString(info.title);
    s.training.data = dataset;
    s.training.model = modelConfigFromJson(json::field(j, "model", where), where + ".model");
    s.training.objective = objectiveConfigFromJson(json::field(j, "objective", where), where + ".objective");
    s.training.schedule = scheduleFromJson(json::field(j, "schedule", where), where + ".schedule");
    s.training.trainer.batchSize = 256;
    s.training.trainer.threads = 1;
    s.sampling.sampler = samplerConfigFromJson(json::field(j, "sampler", where), where + ".sampler");
    s.sampling.schedule = s.training.schedule;
    s.sampling.data = dataset;
    const std::string source = json::string(j, "source", where);
    if (source != "exact" && source != "learned") throw InputError(where + ".source: expected exact or learned");
    s.sampling.source = source == "exact" ? app::SourceKind::Exact : app::SourceKind::Learned;
    s.sampling.stepsPerTick = int(json::integer(j, "stepsPerFrame", where, 1, 1000));
    s.sampling.trailLength = 12;
    // Optional (null, as a step's patch writes to remove one: off).
    if (j.contains("guidance") && !j["guidance"].is_null())
        s.sampling.guidance = guidanceConfigFromJson(j["guidance"], where + ".guidance");
    if (j.contains("sdedit") && !j["sdedit"].is_null()) s.sampling.sdedit = sdeditFromJson(j["sdedit"], where + ".sdedit");
    if (j.contains("flow") && !j["flow"].is_null()) out.flow = flowFromJson(j["flow"], where + ".flow");
    out.layers = view::layersFromJson(json::field(j, "layers", where), where + ".layers");
    out.scrubber = json::number(j, "scrubber", where);
    if (!(out.scrubber >= 0 && out.scrubber <= 1)) throw InputError(where + ".scrubber: expected a number in [0, 1]");
    return out;
}

nlohmann::json sceneJsonOf(const nlohmann::json& document)
{
    nlohmann::json scene = nlohmann::json::object();
    for (const std::string& key : sceneKeys())
        if (document.contains(key)) scene[key] = document[key];
    return scene;
}

LessonMeasure measureFromName(const std::string& name, const std::string& where)
{
    std::string known;
    for (const auto& [measure, n] : lessonMeasureNames()) {
        if (n == name) return measure;
        known += (known.empty() ? "" : ", ") + n;
    }
    throw InputError(where + ": unknown measure '" + name + "' (known: " + known + ")");
}

constexpr std::size_t kMaxSteps = 50;

// The lesson's steps, each with its scene: the one before it with its apply merged in.
Lesson lessonFromJson(const nlohmann::json& j, nlohmann::json scene, const std::string& where)
{
    onlyKnownKeys(j, {"title", "look_at", "steps"}, where);
    Lesson lesson;
    lesson.title = QString::fromStdString(json::string(j, "title", where));
    lesson.lookAt = QString::fromStdString(json::string(j, "look_at", where));
    const nlohmann::json& steps = json::field(j, "steps", where);
    if (!steps.is_array() || steps.empty() || steps.size() > kMaxSteps)
        throw InputError(where + ".steps: expected a list of 1 to " + std::to_string(kMaxSteps) + " steps");
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string at = where + ".steps[" + std::to_string(i) + "]";
        const nlohmann::json& s = steps[i];
        onlyKnownKeys(s, {"text", "expect", "apply", "measure"}, at);
        LessonStep step;
        step.text = QString::fromStdString(json::string(s, "text", at));
        step.expect = QString::fromStdString(json::string(s, "expect", at));
        if (step.text.trimmed().isEmpty()) throw InputError(at + ".text: empty");
        if (s.contains("measure")) step.measure = measureFromName(json::string(s, "measure", at), at + ".measure");
        if (s.contains("apply")) {
            step.apply = s["apply"];
            if (!step.apply.is_object()) throw InputError(at + ".apply: expected an object");
            for (const auto& [key, value] : step.apply.items())
                if (!isSceneKey(key)) throw InputError(at + ".apply." + key + ": not a scene setting");
            scene.merge_patch(step.apply);
        }
        static_cast<LectureScene&>(step) = sceneFromJson(scene, at + ".apply");
        lesson.steps.push_back(std::move(step));
    }
    return lesson;
}

// Patch that takes `from` to `to` (both scene objects): the changed keys, each
// object key with the fields `to` lacks set to null (merge patch removes them).
nlohmann::json patchBetween(const nlohmann::json& from, const nlohmann::json& to)
{
    nlohmann::json patch = nlohmann::json::object();
    for (const auto& [key, value] : to.items()) {
        if (from.contains(key) && from[key] == value) continue;
        nlohmann::json v = value;
        if (v.is_object() && from.contains(key) && from[key].is_object())
            for (const auto& [field, old] : from[key].items())
                if (!v.contains(field)) v[field] = nullptr;
        patch[key] = v;
    }
    return patch;
}

} // namespace

const std::vector<std::pair<LessonMeasure, std::string>>& lessonMeasureNames()
{
    static const std::vector<std::pair<LessonMeasure, std::string>> names{{LessonMeasure::ModeWeights, "mode-weights"},
                                                                          {LessonMeasure::NearData, "near-data"},
                                                                          {LessonMeasure::Loss, "loss"},
                                                                          {LessonMeasure::Evaluations, "evaluations"},
                                                                          {LessonMeasure::Sigma, "sigma"},
                                                                          {LessonMeasure::TargetDistance, "target-distance"},
                                                                          {LessonMeasure::FlowNll, "flow-nll"},
                                                                          {LessonMeasure::Elbo, "elbo"},
                                                                          {LessonMeasure::SlicedW2, "sliced-w2"}};
    return names;
}

LecturePreset lecturePresetFromJson(const QByteArray& text, const QString& name)
{
    const std::string where = name.toStdString();
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(text.constData(), text.constData() + text.size());
    } catch (const nlohmann::json::exception& e) {
        throw InputError(where + ": not valid JSON (" + e.what() + ")");
    }
    // Typed checks first: j.value() would throw a type_error for a format
    // that is not a string and cast a version of 1e300 to int (undefined
    // behaviour; both found by fuzz/fuzz_lecture).
    const auto format = j.is_object() ? j.find("format") : j.end();
    const auto version = j.is_object() ? j.find("version") : j.end();
    if (format == j.end() || !format->is_string() || *format != "scorescope-lecture" || version == j.end() ||
        !version->is_number_integer() || *version != 1)
        throw InputError(where + ": not a version-1 scorescope-lecture file");
    std::vector<std::string> known{"format", "version", "title", "description", "lesson"};
    known.insert(known.end(), sceneKeys().begin(), sceneKeys().end());
    onlyKnownKeys(j, known, where);
    LecturePreset p;
    p.title = QString::fromStdString(json::string(j, "title", where));
    p.description = QString::fromStdString(json::string(j, "description", where));
    static_cast<LectureScene&>(p) = sceneFromJson(j, where);
    p.lesson = lessonFromJson(json::field(j, "lesson", where), sceneJsonOf(j), where + ": lesson");
    p.document = std::move(j);
    p.file = name;
    return p;
}

nlohmann::json lectureSceneToJson(const LectureScene& scene)
{
    const SceneSetup& s = scene.scene;
    return {{"data", {{"preset", s.presetId}, {"n", s.points}, {"seed", s.dataSeed}}},
            {"model", toJson(s.training.model)},
            {"objective", toJson(s.training.objective)},
            {"schedule", toJson(s.training.schedule)},
            {"sampler", toJson(s.sampling.sampler)},
            {"source", s.sampling.source == app::SourceKind::Exact ? "exact" : "learned"},
            {"stepsPerFrame", s.sampling.stepsPerTick},
            {"layers", view::layersToJson(scene.layers)},
            {"scrubber", scene.scrubber},
            {"guidance", s.sampling.guidance.kind == GuidanceKind::None ? nlohmann::json(nullptr)
                                                                          : toJson(s.sampling.guidance)},
            {"sdedit", s.sampling.sdedit.active() ? sdeditToJson(s.sampling.sdedit) : nlohmann::json(nullptr)},
            {"flow", scene.flow ? flowToJson(*scene.flow) : nlohmann::json(nullptr)}};
}

QByteArray lectureWithStep(const LecturePreset& preset, const LectureScene& scene, const QString& text,
                           const QString& expect)
{
    nlohmann::json last = sceneJsonOf(preset.document);
    for (const LessonStep& step : preset.lesson.steps)
        if (step.apply.is_object()) last.merge_patch(step.apply);
    nlohmann::json step{{"text", text.toStdString()}, {"expect", expect.toStdString()}};
    const nlohmann::json patch = patchBetween(last, lectureSceneToJson(scene));
    if (!patch.empty()) step["apply"] = patch;
    nlohmann::json document = preset.document;
    document["lesson"]["steps"].push_back(step);
    const std::string dumped = document.dump(2);
    const QByteArray out(dumped.data(), qsizetype(dumped.size()));
    (void)lecturePresetFromJson(out, preset.file); // what is written must read back
    return out;
}

namespace {

// The lecture files of dir in the order of their leading numbers ("2-..."
// before "12-..."), then by name: the Lectures menu's numbers follow it.
QStringList lectureFiles(const QDir& dir)
{
    QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    const auto number = [](const QString& f) {
        bool ok = false;
        const int n = f.section('-', 0, 0).toInt(&ok);
        return ok ? n : std::numeric_limits<int>::max();
    };
    std::stable_sort(files.begin(), files.end(), [&](const QString& a, const QString& b) { return number(a) < number(b); });
    return files;
}

} // namespace

std::vector<LecturePreset> lecturePresets()
{
    std::vector<LecturePreset> out;
    const QDir dir(QStringLiteral(":/lectures"));
    for (const QString& file : lectureFiles(dir)) {
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly)) throw InputError(file.toStdString() + ": cannot be read");
        out.push_back(lecturePresetFromJson(f.readAll(), file));
    }
    return out;
}

QString userLectureDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) + QStringLiteral("/lectures");
}

std::vector<LectureEntry> lectureEntries(const QString& userDir)
{
    std::vector<LectureEntry> out;
    const QDir builtIn(QStringLiteral(":/lectures"));
    for (const QString& file : lectureFiles(builtIn)) {
        LectureEntry e;
        e.file = e.title = file;
        const QString user = userDir.isEmpty() ? QString() : QDir(userDir).filePath(file);
        const bool useCopy = !user.isEmpty() && QFile::exists(user);
        QFile f(useCopy ? user : builtIn.filePath(file));
        try {
            if (!f.open(QIODevice::ReadOnly)) throw InputError(f.fileName().toStdString() + ": cannot be read");
            e.preset = lecturePresetFromJson(f.readAll(), useCopy ? user : file);
            e.preset->file = file;
            if (useCopy) e.preset->userCopy = user;
            e.title = e.preset->title;
        } catch (const InputError& error) {
            e.error = QString::fromStdString(error.what());
        }
        out.push_back(std::move(e));
    }
    return out;
}

std::optional<LecturePreset> findLecture(const QString& name, QString* error)
{
    const std::vector<LectureEntry> entries = lectureEntries();
    bool isNumber = false;
    const int number = name.toInt(&isNumber);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const LectureEntry& e = entries[i];
        if (!((isNumber && number == int(i) + 1) || e.title.compare(name, Qt::CaseInsensitive) == 0)) continue;
        if (e.preset) return e.preset;
        *error = QStringLiteral("lecture '%1' is unavailable: %2").arg(name, e.error);
        return std::nullopt;
    }
    *error = QStringLiteral("no lecture preset '%1' (there are %2)").arg(name).arg(entries.size());
    return std::nullopt;
}

} // namespace ss::window

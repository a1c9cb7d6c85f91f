#include "window/LecturePresets.h"

#include "core/ConfigJson.h"
#include "core/Error.h"
#include "state/LayerSettingsJson.h"
#include "core/Presets.h"

#include <QDir>
#include <QFile>

#include <nlohmann/json.hpp>

namespace ss::window {

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
    LecturePreset p;
    p.title = QString::fromStdString(json::string(j, "title", where));
    p.description = QString::fromStdString(json::string(j, "description", where));
    const nlohmann::json& data = json::field(j, "data", where);
    SceneSetup& s = p.scene;
    s.presetId = json::string(data, "preset", where + ".data");
    s.points = int(json::integer(data, "n", where + ".data", 1, 1'000'000));
    s.dataSeed = std::uint64_t(json::integer(data, "seed", where + ".data", 0, 1'000'000));
    auto dataset = std::make_shared<const Dataset>(makePreset(s.presetId, s.points, s.dataSeed));
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
    p.layers = view::layersFromJson(json::field(j, "layers", where), where + ".layers");
    p.scrubber = json::number(j, "scrubber", where);
    if (!(p.scrubber >= 0 && p.scrubber <= 1)) throw InputError(where + ".scrubber: expected a number in [0, 1]");
    return p;
}

std::vector<LecturePreset> lecturePresets()
{
    std::vector<LecturePreset> out;
    const QDir dir(QStringLiteral(":/lectures"));
    for (const QString& file : dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
        QFile f(dir.filePath(file));
        if (!f.open(QIODevice::ReadOnly)) throw InputError(file.toStdString() + ": cannot be read");
        out.push_back(lecturePresetFromJson(f.readAll(), file));
    }
    return out;
}

} // namespace ss::window

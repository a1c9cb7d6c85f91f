#include "state/LayerSettingsJson.h"

#include "core/Error.h"

#include <utility>

namespace ss::view {

namespace {

using LayerMember = Layer LayerSettings::*;
constexpr std::pair<const char*, LayerMember> kLayers[] = {
    {"data", &LayerSettings::data},
    {"noised", &LayerSettings::noised},
    {"density", &LayerSettings::density},
    {"error", &LayerSettings::error},
    {"exactField", &LayerSettings::exactField},
    {"learnedField", &LayerSettings::learnedField},
    {"particles", &LayerSettings::particles},
    {"trails", &LayerSettings::trails},
    {"decomposition", &LayerSettings::decomposition},
    {"target", &LayerSettings::target},
    {"modelDensity", &LayerSettings::modelDensity},
};

constexpr std::pair<const char*, DensityView> kDensityViews[] = {
    {"model", DensityView::Model}, {"split", DensityView::Split}, {"difference", DensityView::Difference}};

using CountMember = int LayerSettings::*;
struct CountField {
    const char* name;
    CountMember member;
    int min, max; // the Layers dock's ranges
};
constexpr CountField kCounts[] = {
    {"arrows", &LayerSettings::arrows, 4, 96},
    {"heatCells", &LayerSettings::heatCells, 16, 512},
};

} // namespace

nlohmann::json layersToJson(const LayerSettings& layers)
{
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [name, member] : kLayers) {
        const Layer& l = layers.*member;
        j[name] = nlohmann::json::array({l.visible, double(l.opacity)});
    }
    for (const CountField& c : kCounts) j[c.name] = layers.*c.member;
    for (const auto& [name, view] : kDensityViews)
        if (view == layers.modelDensityView) j["modelDensityView"] = name;
    return j;
}

LayerSettings layersFromJson(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object()) throw InputError(where + ": expected an object of layers");
    LayerSettings out;
    for (const auto& [key, value] : j.items()) {
        const std::string field = where + "." + key;
        bool known = false;
        for (const auto& [name, member] : kLayers) {
            if (key != name) continue;
            known = true;
            if (!value.is_array() || value.size() != 2 || !value[0].is_boolean() || !value[1].is_number() ||
                !(value[1].get<double>() >= 0 && value[1].get<double>() <= 1))
                throw InputError(field + ": expected [visible, opacity in 0..1]");
            out.*member = {value[0].get<bool>(), value[1].get<float>()};
        }
        for (const CountField& c : kCounts) {
            if (key != c.name) continue;
            known = true;
            if (!value.is_number_integer() || value.get<std::int64_t>() < c.min ||
                value.get<std::int64_t>() > c.max)
                throw InputError(field + ": expected an integer in " + std::to_string(c.min) + ".." +
                                 std::to_string(c.max));
            out.*c.member = int(value.get<std::int64_t>());
        }
        if (key == "modelDensityView") {
            known = true;
            bool found = false;
            for (const auto& [name, view] : kDensityViews)
                if (value.is_string() && value.get<std::string>() == name) {
                    out.modelDensityView = view;
                    found = true;
                }
            if (!found) throw InputError(field + ": expected \"model\", \"split\" or \"difference\"");
        }
        if (!known) throw InputError(field + ": unknown layer setting");
    }
    return out;
}

} // namespace ss::view

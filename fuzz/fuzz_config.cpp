// libFuzzer target: the JSON settings readers (core/ConfigJson.*) that model
// files, scene files and lecture presets share: model, objective, optimiser,
// trainer, noise schedule and sampler. Each reader gets the same document; a
// setting it accepts must write back (toJson) to one it accepts again.
#include "FuzzSupport.h"

#include "core/ConfigJson.h"
#include "core/JsonFile.h"

#include <cstdlib>

namespace {

template <typename Read>
void roundTrip(const nlohmann::json& j, Read read)
{
    ss::fuzz::refusedOnlyWithInputError([&] {
        const auto value = read(j, "fuzz");
        // Written by the program, refused by it: a file that cannot be opened again.
        (void)ss::fuzz::mustAccept([&] { return read(ss::toJson(value), "round-trip"); });
    });
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    nlohmann::json j;
    try {
        j = ss::parseJsonText(ss::fuzz::text(data, size), "fuzz.json");
    } catch (const ss::InputError&) {
        return 0;
    }
    roundTrip(j, ss::modelConfigFromJson);
    roundTrip(j, ss::objectiveConfigFromJson);
    roundTrip(j, ss::optimizerConfigFromJson);
    roundTrip(j, ss::scheduleFromJson);
    roundTrip(j, ss::trainerConfigFromJson);
    roundTrip(j, ss::samplerConfigFromJson);
    return 0;
}

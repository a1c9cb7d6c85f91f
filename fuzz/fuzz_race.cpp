// libFuzzer target: race files (core/RaceFile.*), read by scorescope-cli race
// --config and the window's race view. A race the reader accepts must write
// back to a file that reads the same (the step sizes given or derived kept as
// they were).
#include "FuzzSupport.h"

#include "core/RaceFile.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    ss::fuzz::refusedOnlyWithInputError([&] {
        const ss::RaceSpec spec = ss::raceSpecFromJsonText(ss::fuzz::text(data, size), "fuzz.json");
        const ss::RaceSpec back =
            ss::fuzz::mustAccept([&] { return ss::raceSpecFromJsonText(ss::raceSpecToJsonText(spec), "round-trip.json"); });
        if (!(back == spec)) std::abort();
    });
    return 0;
}

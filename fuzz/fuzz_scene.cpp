// libFuzzer target: scene files (core/SceneFile.*, SceneRead.cpp), opened by
// the window (File → Open, the crash restore) and by scorescope-cli render.
// Small limits so that the size checks are reached within libFuzzer's inputs.
#include "FuzzSupport.h"

#include "core/SceneFile.h"

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    ss::SceneLimits limits;
    limits.maxPoints = 500;
    limits.maxHistory = 200;
    limits.maxLevelValues = 2000;
    limits.maxComponents = 50;
    limits.maxAppNodes = 500;
    limits.maxAppDepth = 8;
    ss::fuzz::refusedOnlyWithInputError([&] {
        const ss::SceneDocument s = ss::sceneFromJsonText(ss::fuzz::text(data, size), "fuzz.scorescope", limits);
        // A scene that opens can be saved and opened again.
        const ss::SceneDocument back = ss::fuzz::mustAccept(
            [&] { return ss::sceneFromJsonText(ss::sceneToJsonText(s), "round-trip.scorescope"); });
        if (back.data.points != s.data.points || !(back.model == s.model) || back.history.size() != s.history.size())
            std::abort();
    });
    return 0;
}

// libFuzzer target: lecture presets and their lessons (app/window/
// LecturePresets.*). The built-in ones are embedded in the program, but a
// user's copy (a lesson with saved steps) is read from disk by the same strict
// reader, which must refuse, never crash, whatever it is given. What it
// accepts must also take a saved step: lectureWithStep writes the file with
// one more step and reads it back, which must not refuse.
#include "FuzzSupport.h"

#include "window/LecturePresets.h"

#include <QByteArray>
#include <QString>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray text(reinterpret_cast<const char*>(data), qsizetype(size));
    std::optional<ss::window::LecturePreset> preset;
    ss::fuzz::refusedOnlyWithInputError(
        [&] { preset = ss::window::lecturePresetFromJson(text, QStringLiteral("fuzz.json")); });
    if (preset && preset->lesson.steps.size() < 50) {
        // The first step's scene saved as a new last step (the patch undoes every later apply).
        const ss::window::LectureScene& first = preset->lesson.steps.front();
        (void)ss::fuzz::mustAccept([&] { return ss::window::lectureWithStep(*preset, first, "saved", "seen"); });
    }
    return 0;
}

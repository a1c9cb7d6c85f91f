// libFuzzer target: lecture presets (app/window/LecturePresets.*). They are
// embedded in the program, but their reader is the same strict JSON path as a
// user's file and must refuse, never crash, whatever it is given.
#include "FuzzSupport.h"

#include "window/LecturePresets.h"

#include <QByteArray>
#include <QString>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    const QByteArray text(reinterpret_cast<const char*>(data), qsizetype(size));
    ss::fuzz::refusedOnlyWithInputError(
        [&] { (void)ss::window::lecturePresetFromJson(text, QStringLiteral("fuzz.json")); });
    return 0;
}

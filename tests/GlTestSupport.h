#pragma once
// Shared by the gl tier's programs (tests/gl): the platform and the default GL
// format, set before the QApplication exists.
#include <QSurfaceFormat>
#include <QtGlobal>

namespace gltest {

// Offscreen without an X display (the tests then skip, saying why); GL 3.3
// core by default, the scene's minimum. Returns whether there is a display.
inline bool prepare()
{
    const bool display = !qEnvironmentVariableIsEmpty("DISPLAY");
    if (!display) qputenv("QT_QPA_PLATFORM", "offscreen");
    QSurfaceFormat format;
    format.setVersion(3, 3);
    format.setProfile(QSurfaceFormat::CoreProfile);
    QSurfaceFormat::setDefaultFormat(format);
    return display;
}

} // namespace gltest

#pragma once
// The Lectures menu: one entry per lecture preset (LecturePresets.h: the
// built-in one or the user's copy of it), its description as tooltip and
// status tip. A preset that cannot be read is a greyed "(unavailable)" entry
// with the reason as its tooltip, also reported through `failed`.
#include "window/LecturePresets.h"

#include <QString>

#include <functional>

class QMenuBar;
class QObject;

namespace ss::window {

// load runs on the entry's click (in context's thread; gone with context).
void addLectureMenu(QMenuBar* bar, QObject* context, std::function<void(const LecturePreset&)> load,
                    const std::function<void(const QString&)>& failed);

} // namespace ss::window

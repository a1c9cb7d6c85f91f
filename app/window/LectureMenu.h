#pragma once
// The Lectures menu: one entry per lecture preset (LecturePresets.h), its
// description as tooltip and status tip. A preset that cannot be read leaves
// the menu with those before it and reports the reason through `failed`.
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

#include "window/LectureMenu.h"

#include "core/Error.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>

namespace ss::window {

void addLectureMenu(QMenuBar* bar, QObject* context, std::function<void(const LecturePreset&)> load,
                    const std::function<void(const QString&)>& failed)
{
    QMenu* menu = bar->addMenu(QMenuBar::tr("&Lectures"));
    menu->setToolTipsVisible(true);
    try {
        for (const LecturePreset& p : lecturePresets()) {
            QAction* a = menu->addAction(p.title);
            a->setToolTip(p.description);
            a->setStatusTip(p.description);
            QObject::connect(a, &QAction::triggered, context, [load, p] { load(p); });
        }
    } catch (const InputError& e) {
        failed(QMenuBar::tr("lecture presets: %1").arg(QString::fromStdString(e.what())));
    }
}

} // namespace ss::window

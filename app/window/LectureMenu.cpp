#include "window/LectureMenu.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>

namespace ss::window {

void addLectureMenu(QMenuBar* bar, QObject* context, std::function<void(const LecturePreset&)> load,
                    const std::function<void(const QString&)>& failed)
{
    QMenu* menu = bar->addMenu(QMenuBar::tr("&Lectures"));
    menu->setToolTipsVisible(true);
    for (const LectureEntry& e : lectureEntries()) {
        if (!e.preset) { // shown, greyed, with the reason: the lecturer sees which one and why
            QAction* a = menu->addAction(QMenuBar::tr("%1 (unavailable)").arg(e.title));
            a->setEnabled(false);
            a->setToolTip(e.error);
            a->setStatusTip(e.error);
            failed(QMenuBar::tr("lecture preset unavailable: %1").arg(e.error));
            continue;
        }
        const LecturePreset& p = *e.preset;
        QAction* a = menu->addAction(p.userCopy.isEmpty() ? p.title : QMenuBar::tr("%1 (your copy)").arg(p.title));
        a->setToolTip(p.description);
        a->setStatusTip(p.description);
        QObject::connect(a, &QAction::triggered, context, [load, p] { load(p); });
    }
}

} // namespace ss::window

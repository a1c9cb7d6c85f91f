#include "window/ScaledFonts.h"

#include <algorithm>
#include <cmath>

namespace ss::window {

QFont ScaledFonts::scaled(const QFont& f, double factor)
{
    QFont out = f;
    if (f.pointSizeF() > 0)
        out.setPointSizeF(f.pointSizeF() * factor);
    else if (f.pixelSize() > 0)
        out.setPixelSize(std::max(1, int(std::lround(f.pixelSize() * factor))));
    return out;
}

void ScaledFonts::apply(const QList<QWidget*>& roots, double factor)
{
    if (saved_.empty()) // every font read before any is changed: a parent's change reaches its children
        for (QWidget* root : roots) {
            if (!root) continue;
            QList<QWidget*> tree = root->findChildren<QWidget*>();
            tree.prepend(root);
            for (QWidget* w : tree) saved_.push_back({w, w->font(), w->testAttribute(Qt::WA_SetFont)});
        }
    for (const Saved& s : saved_)
        if (s.widget) s.widget->setFont(scaled(s.font, factor));
}

void ScaledFonts::restore()
{
    for (const Saved& s : saved_)
        if (s.widget) s.widget->setFont(s.ownFont ? s.font : QFont()); // an empty font inherits again
    saved_.clear();
}

} // namespace ss::window

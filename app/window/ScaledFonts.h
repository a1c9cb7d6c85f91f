#pragma once
// The text of a few widget trees made larger (presentation mode: the lesson
// card, the menu bar, the strip under the scene) and put back exactly.
//
// apply() remembers every widget's font the first time (whether it was set
// on the widget or inherited) and sets each to that font times the factor,
// so applying a second factor does not compound; restore() gives each widget
// its own font back (an inherited one inherits again). A widget deleted in
// between is skipped; one created in between inherits from its scaled
// parent and keeps that size after restore() unless it sets its own font.
#include <QFont>
#include <QList>
#include <QPointer>
#include <QWidget>

#include <vector>

namespace ss::window {

class ScaledFonts {
public:
    // roots and their descendants (as they are at the first apply after a
    // restore); factor > 0. A null root is skipped.
    void apply(const QList<QWidget*>& roots, double factor);
    void restore(); // no-op unless applied
    bool applied() const { return !saved_.empty(); }

    // f's size times factor, in points or in pixels as f is given.
    static QFont scaled(const QFont& f, double factor);

private:
    struct Saved {
        QPointer<QWidget> widget;
        QFont font;   // as it was (resolved)
        bool ownFont; // set on the widget (else inherited from its parent)
    };
    std::vector<Saved> saved_;
};

} // namespace ss::window

#pragma once
// Help → Keyboard shortcuts: a table of every shortcut the window has, read
// from its actions and QShortcut objects when the dialog opens (so it cannot
// go stale): the menu path, what it does, the keys.
#include <QDialog>

#include <vector>

class QTableWidget;

namespace ss::window {

struct ShortcutEntry {
    QString where; // "File", "View", … (the menu path); "Window" for actions in no menu
    QString what;  // the action's text without its mnemonic
    QString keys;  // in the platform's words ("Ctrl+O, F11")
};

// Every action under window with a shortcut: first those in the menu bar's
// menus, in menu order, then the rest, then the window's QShortcut objects
// (described by their whatsThis, or their object name).
std::vector<ShortcutEntry> collectShortcuts(const QWidget* window);

class ShortcutsDialog : public QDialog {
    Q_OBJECT
public:
    explicit ShortcutsDialog(QWidget* window);
    void refresh(); // reads the window's shortcuts again
    QTableWidget* table() const { return table_; }

private:
    QWidget* window_;
    QTableWidget* table_;
};

} // namespace ss::window

#include "window/ShortcutsDialog.h"

#include <QAction>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QShortcut>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ss::window {

namespace {
// "&Open…" -> "Open…" ("&&" stays one "&").
QString withoutMnemonic(QString text)
{
    text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
    text.remove(QLatin1Char('&'));
    text.replace(QStringLiteral("\x01"), QStringLiteral("&"));
    return text;
}

QString keysOf(const QList<QKeySequence>& keys) { return QKeySequence::listToString(keys, QKeySequence::NativeText); }

void collectMenu(const QMenu* menu, const QString& path, std::vector<ShortcutEntry>& out, QSet<const QAction*>& seen)
{
    for (QAction* a : menu->actions()) {
        if (a->isSeparator()) continue;
        if (a->menu()) {
            collectMenu(a->menu(), path + QStringLiteral(" → ") + withoutMnemonic(a->text()), out, seen);
            continue;
        }
        seen.insert(a);
        if (!a->shortcuts().isEmpty()) out.push_back({path, withoutMnemonic(a->text()), keysOf(a->shortcuts())});
    }
}
} // namespace

std::vector<ShortcutEntry> collectShortcuts(const QWidget* window)
{
    std::vector<ShortcutEntry> out;
    QSet<const QAction*> seen;
    if (const auto* main = qobject_cast<const QMainWindow*>(window); main && main->menuWidget())
        if (const auto* bar = qobject_cast<const QMenuBar*>(main->menuWidget()))
            for (QAction* a : bar->actions())
                if (a->menu()) collectMenu(a->menu(), withoutMnemonic(a->text()), out, seen);
    for (const QAction* a : window->findChildren<QAction*>())
        if (!seen.contains(a) && !a->shortcuts().isEmpty() && !a->menu())
            out.push_back({QObject::tr("Window"), withoutMnemonic(a->text()), keysOf(a->shortcuts())});
    for (const QShortcut* s : window->findChildren<QShortcut*>()) {
        if (!s->isEnabled() || s->keys().isEmpty()) continue;
        const QString what = s->whatsThis().isEmpty() ? s->objectName() : s->whatsThis();
        out.push_back({QObject::tr("Window"), what, keysOf(s->keys())});
    }
    return out;
}

ShortcutsDialog::ShortcutsDialog(QWidget* window) : QDialog(window), window_(window)
{
    setObjectName("shortcutsDialog");
    setWindowTitle(tr("Keyboard shortcuts"));
    auto* layout = new QVBoxLayout(this);
    table_ = new QTableWidget(this);
    table_->setObjectName("shortcutsTable");
    table_->setColumnCount(3);
    table_->setHorizontalHeaderLabels({tr("Menu"), tr("Action"), tr("Keys")});
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    layout->addWidget(table_);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(620, 520);
    refresh();
}

void ShortcutsDialog::refresh()
{
    const std::vector<ShortcutEntry> entries = collectShortcuts(window_);
    table_->setRowCount(int(entries.size()));
    for (int i = 0; i < int(entries.size()); ++i) {
        table_->setItem(i, 0, new QTableWidgetItem(entries[std::size_t(i)].where));
        table_->setItem(i, 1, new QTableWidgetItem(entries[std::size_t(i)].what));
        table_->setItem(i, 2, new QTableWidgetItem(entries[std::size_t(i)].keys));
    }
    table_->resizeColumnToContents(0);
    table_->resizeColumnToContents(2);
}

} // namespace ss::window

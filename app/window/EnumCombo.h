#pragma once
// A combo box of named choices, each carrying an enum's value as its data
// (the docks' one way to make them: Model, Continuous flow), and the two
// directions between the box and the enum.
#include <QComboBox>
#include <QString>

#include <algorithm>
#include <initializer_list>
#include <utility>

namespace ss::window {

inline QComboBox* enumCombo(QWidget* parent, const char* name, std::initializer_list<std::pair<QString, int>> items)
{
    auto* c = new QComboBox(parent);
    c->setObjectName(name);
    for (const auto& [text, value] : items) c->addItem(text, value);
    return c;
}

template <typename Enum>
void selectEnum(QComboBox* c, Enum value)
{
    c->setCurrentIndex(std::max(0, c->findData(int(value))));
}

template <typename Enum>
Enum selectedEnum(const QComboBox* c)
{
    return Enum(c->currentData().toInt());
}

} // namespace ss::window

#pragma once
// The Sampler dock's form as one table: a row per option with its object name
// (tests and scripts find the widget by it), label, tooltip, widget (range and
// decimals, or choices), the value shown before any setup, the settings it
// applies to, and how it reads and writes the setup. SamplerPanel builds its
// widgets from the table, shows only the rows that apply, and applies and shows
// setups through it: adding an option is adding a row (docs/architecture.md, "Adding
// a sampler option").
#include "state/SamplingSetup.h"

#include <QString>

#include <functional>
#include <utility>
#include <vector>

class QObject;
class QWidget;

namespace ss::window {

// How a row reads and writes its value in a setup. Every value travels as a
// double (integers up to 2^53, enums by their int, a check box as 0 / 1).
struct SamplerField {
    std::function<double(const app::SamplingSetup&)> get;
    std::function<void(app::SamplingSetup&, double)> set;
};

struct SamplerRow {
    enum class Widget { Integer, Real, Choice, Check };
    enum class Emits { Settings, Source }; // the score source has its own signal (no new run)

    const char* name = "";
    QString label{}; // a Check row: the check box's text (the row has no label)
    QString tooltip{};
    Widget widget = Widget::Integer;
    double lo = 0, hi = 0;                          // Integer, Real
    int decimals = 0;                               // Real
    std::vector<std::pair<QString, int>> choices{}; // Choice: title, value
    double initial = 0;                             // before the first setup is shown
    // The settings under which the sampler reads this option (the row shows
    // only then); null: always.
    std::function<bool(const SamplerConfig&)> appliesTo{};
    // Likewise for the rest of the setup (guidance, SDEdit; null: always).
    std::function<bool(const app::SamplingSetup&)> setupApplies{};
    SamplerField field{};
    Emits emits = Emits::Settings;
};

// The rows in the dock's order (built on first use, in the GUI thread).
const std::vector<SamplerRow>& samplerRows();
bool rowApplies(const SamplerRow& row, const app::SamplingSetup& setup);
// With the rest of the setup at its defaults (no guidance, no SDEdit).
bool rowApplies(const SamplerRow& row, const SamplerConfig& config);

// The row's widget, named row.name, holding row.initial; its value as a double
// and back. setRowValue emits the widget's own signals (callers block them
// where they must).
QWidget* makeRowWidget(const SamplerRow& row, QWidget* parent);
double rowValue(const SamplerRow& row, const QWidget* widget);
void setRowValue(const SamplerRow& row, QWidget* widget, double value);
// Calls onEdit when the user has edited the widget: a choice or a check box at
// once, a number when its editing finished.
void onRowEdited(const SamplerRow& row, QWidget* widget, QObject* context, std::function<void()> onEdit);

} // namespace ss::window

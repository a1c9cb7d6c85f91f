#include "window/RaceChart.h"

#include "window/ChartCsv.h"
#include "window/ChartStyle.h"
#include "window/MeasureChart.h"

#include "core/RaceFile.h"

#include <QComboBox>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>
#include <map>

namespace ss::window {

namespace {

// "DDIM (exact)" and "DDIM" are one configuration with two scores: one colour.
QString baseName(const std::string& name)
{
    QString n = QString::fromStdString(name);
    if (n.endsWith(QStringLiteral(" (exact)"))) n.chop(8);
    return n;
}

} // namespace

RaceChart::RaceChart(QWidget* parent) : QWidget(parent)
{
    setObjectName("raceChart");
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto* top = new QHBoxLayout;
    metric_ = new QComboBox(this);
    metric_->setObjectName("raceMetric");
    metric_->addItem(tr("Sliced W2 against the data"), int(RaceMetric::Sw2));
    metric_->addItem(tr("Energy distance against the data"), int(RaceMetric::Energy));
    metric_->addItem(tr("Mode-weight error (total variation)"), int(RaceMetric::Modes));
    metric_->addItem(tr("MMD² against the data"), int(RaceMetric::Mmd));
    metric_->setToolTip(tr("What the vertical axis measures: each configuration's final particles against the data"));
    connect(metric_, &QComboBox::currentIndexChanged, this, &RaceChart::redraw);
    top->addWidget(metric_, 1);
    saveRows_ = new QPushButton(tr("Save rows…"), this);
    saveRows_->setObjectName("raceSaveRows");
    saveRows_->setToolTip(tr("Every run of the sweep with every metric and its floor, as scorescope-cli race writes it"));
    connect(saveRows_, &QPushButton::clicked, this, &RaceChart::saveRows);
    top->addWidget(saveRows_);
    layout->addLayout(top);
    chart_ = new MeasureChart(tr("Quality against cost: solid = learned score, dashed = exact score"),
                              QStringLiteral("race-chart.csv"), this);
    chart_->setMinimumHeight(220);
    connect(chart_, &MeasureChart::message, this, &RaceChart::message);
    layout->addWidget(chart_, 1);
    note_ = new QLabel(this);
    note_->setObjectName("raceChartNote");
    note_->setWordWrap(true);
    layout->addWidget(note_);
    redraw();
}

RaceMetric RaceChart::metric() const { return RaceMetric(metric_->currentData().toInt()); }

int RaceChart::curveCount() const { return int(chart_->curves().size()); }

double RaceChart::valueOf(const RaceQuality& q, RaceMetric metric)
{
    switch (metric) {
    case RaceMetric::Sw2: return q.sw2;
    case RaceMetric::Mmd: return q.mmd2;
    case RaceMetric::Energy: return q.energy;
    case RaceMetric::Modes: return q.modeTv;
    }
    return kRaceNaN;
}

QString RaceChart::axisTitle(RaceMetric metric)
{
    switch (metric) {
    case RaceMetric::Sw2: return tr("sliced W2 (data units)");
    case RaceMetric::Mmd: return tr("MMD² (kernel units)");
    case RaceMetric::Energy: return tr("energy distance (data units)");
    case RaceMetric::Modes: return tr("mode-weight error (fraction of mass)");
    }
    return {};
}

void RaceChart::showResult(const RaceSpec& spec, const RaceResult& result)
{
    spec_ = spec;
    result_ = result;
    redraw();
}

void RaceChart::redraw()
{
    const RaceMetric m = metric();
    // One curve per (configuration, score); positive finite values only (log axes).
    std::vector<Curve> curves;
    std::map<std::pair<int, std::string>, std::size_t> curveOf;
    std::map<QString, int> colourOf;
    double xLo = INFINITY, xHi = 0;
    int skipped = 0;
    for (const RaceRow& row : result_.rows) {
        const double y = valueOf(row, m), x = double(row.evaluations);
        if (!(y > 0) || !std::isfinite(y) || !(x > 0)) {
            ++skipped;
            continue;
        }
        const auto key = std::make_pair(row.entry, row.score);
        if (!curveOf.count(key)) {
            const QString base = baseName(row.name);
            const int colour = colourOf.emplace(base, int(colourOf.size())).first->second;
            Curve c;
            c.name = QStringLiteral("%1 (%2)").arg(base, QString::fromStdString(row.score));
            c.colour = chartColour(colour + 1); // 0 is black: kept for nothing here
            c.dashed = row.score == "exact";
            curveOf[key] = curves.size();
            curves.push_back(c);
        }
        curves[curveOf[key]].points.append(QPointF(x, y));
        xLo = std::min(xLo, x), xHi = std::max(xHi, x);
    }
    const double floor = valueOf(result_.floor, m);
    if (!curves.empty() && floor > 0 && std::isfinite(floor)) {
        Curve f;
        f.name = tr("noise floor (%1)").arg(QString::fromStdString(result_.floor.kind));
        f.colour = QColor(130, 130, 130);
        f.dashed = true;
        f.markers = false;
        f.points = {QPointF(xLo, floor), QPointF(xHi, floor)};
        curves.push_back(f);
    }
    // NFE spans decades: log. The metric often spans less than one, where a
    // log axis would show no tick at all: log only when it spans two (Auto).
    chart_->setAxes(tr("score evaluations per particle (NFE)"), MeasureChart::Scale::Log, axisTitle(m),
                    MeasureChart::Scale::Auto, QStringLiteral("nfe"), QString::fromStdString(raceMetricName(m)));
    chart_->setCurves(curves);
    chart_->setReason(result_.rows.empty()
                          ? tr("Press Sweep quality vs NFE: each configuration runs at every step count.")
                          : curves.empty() ? tr("No run has this metric (mode weights need a mixture preset).")
                                           : QString());
    QStringList notes;
    if (skipped > 0 && !curves.empty())
        notes << tr("%n run(s) not drawn: diverged, or the metric does not apply.", "", skipped);
    for (const std::string& s : result_.skipped) notes << QString::fromStdString(s);
    if (result_.cancelled) notes << tr("Cancelled: the curves hold the runs that finished.");
    note_->setText(notes.join('\n'));
    saveRows_->setEnabled(!result_.rows.empty());
}

QString RaceChart::rowsCsv() const { return QString::fromStdString(raceResultCsvText(spec_, result_)); }

bool RaceChart::exportRows(const QString& path, QString* error) { return saveTextAtomically(path, rowsCsv(), error); }

void RaceChart::saveRows()
{
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Save the race's rows"), QStringLiteral("race.csv"), tr("CSV (*.csv)"));
    if (path.isEmpty()) return;
    QString error;
    if (exportRows(path, &error)) emit message(tr("Race rows written to %1").arg(path), false);
    else emit message(tr("Could not write %1: %2").arg(path, error), true);
}

} // namespace ss::window

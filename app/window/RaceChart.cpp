#include "window/RaceChart.h"

#include "core/Csv.h" // writeFileAtomically
#include "core/RaceFile.h"

#include <QApplication>
#include <QChart>
#include <QChartView>
#include <QClipboard>
#include <QComboBox>
#include <QFileDialog>
#include <QLabel>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QMenu>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <map>

namespace ss::window {

namespace {

// One colour per configuration name (a learned entry and its exact twin share it).
QColor configurationColour(int index)
{
    static const QColor colours[] = {{0, 114, 178}, {213, 94, 0}, {0, 158, 115}, {204, 121, 167},
                                     {86, 180, 233}, {230, 159, 0}, {40, 40, 40}};
    return colours[std::size_t(index) % std::size(colours)];
}

// "DDIM (exact)" and "DDIM" are one configuration with two scores.
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
    metric_ = new QComboBox(this);
    metric_->setObjectName("raceMetric");
    metric_->addItem(tr("Sliced W2 against the data"), int(RaceMetric::Sw2));
    metric_->addItem(tr("Mode-weight error (total variation)"), int(RaceMetric::Modes));
    metric_->addItem(tr("MMD² against the data"), int(RaceMetric::Mmd));
    metric_->addItem(tr("Energy distance against the data"), int(RaceMetric::Energy));
    metric_->setToolTip(tr("What the vertical axis measures: each configuration's final particles against the data"));
    connect(metric_, &QComboBox::currentIndexChanged, this, &RaceChart::redraw);
    layout->addWidget(metric_);
    chart_ = new QChart;
    chart_->setMargins(QMargins(4, 4, 4, 4));
    chart_->setBackgroundRoundness(0);
    chart_->legend()->setAlignment(Qt::AlignBottom);
    chart_->setTitle(tr("Quality against cost: solid = learned score, dashed = exact score"));
    view_ = new QChartView(chart_, this);
    view_->setRenderHint(QPainter::Antialiasing);
    view_->setMinimumHeight(220);
    view_->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view_, &QWidget::customContextMenuRequested, this, &RaceChart::contextMenu);
    layout->addWidget(view_, 1);
    note_ = new QLabel(this);
    note_->setObjectName("raceChartNote");
    note_->setWordWrap(true);
    layout->addWidget(note_);
    redraw();
}

RaceMetric RaceChart::metric() const { return RaceMetric(metric_->currentData().toInt()); }

int RaceChart::seriesCount() const { return int(chart_->series().size()); }

double RaceChart::valueOf(const RaceRow& row, RaceMetric metric)
{
    switch (metric) {
    case RaceMetric::Sw2: return row.sw2;
    case RaceMetric::Mmd: return row.mmd2;
    case RaceMetric::Energy: return row.energy;
    case RaceMetric::Modes: return row.modeTv;
    }
    return kRaceNaN;
}

double RaceChart::floorOf(const RaceFloor& floor, RaceMetric metric)
{
    switch (metric) {
    case RaceMetric::Sw2: return floor.sw2;
    case RaceMetric::Mmd: return floor.mmd2;
    case RaceMetric::Energy: return floor.energy;
    case RaceMetric::Modes: return floor.modeTv;
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
    chart_->removeAllSeries();
    for (QAbstractAxis* a : chart_->axes()) {
        chart_->removeAxis(a);
        delete a;
    }
    const RaceMetric m = metric();
    // Curves: one per (configuration, score), positive finite values only (log axes).
    std::map<QString, int> colourOf;
    double xLo = INFINITY, xHi = 0, yLo = INFINITY, yHi = 0;
    std::vector<QLineSeries*> curves;
    std::map<std::pair<int, std::string>, QLineSeries*> byEntry;
    int skipped = 0;
    for (const RaceRow& row : result_.rows) {
        const double y = valueOf(row, m), x = double(row.evaluations);
        if (!(y > 0) || !std::isfinite(y) || !(x > 0)) {
            ++skipped;
            continue;
        }
        QLineSeries*& s = byEntry[{row.entry, row.score}];
        if (!s) {
            s = new QLineSeries;
            const QString base = baseName(row.name);
            const int colour = colourOf.emplace(base, int(colourOf.size())).first->second;
            s->setName(QStringLiteral("%1 (%2)").arg(base, QString::fromStdString(row.score)));
            QPen pen(configurationColour(colour), 2.6);
            if (row.score == "exact") pen.setStyle(Qt::DashLine);
            s->setPen(pen);
            s->setPointsVisible(true);
            curves.push_back(s);
        }
        s->append(x, y);
        xLo = std::min(xLo, x), xHi = std::max(xHi, x), yLo = std::min(yLo, y), yHi = std::max(yHi, y);
    }
    auto* x = new QLogValueAxis;
    x->setBase(10);
    x->setLabelFormat("%g");
    x->setTitleText(tr("score evaluations per particle (NFE)"));
    auto* y = new QLogValueAxis;
    y->setBase(10);
    y->setLabelFormat("%.2g");
    y->setTitleText(axisTitle(m));
    chart_->addAxis(x, Qt::AlignBottom);
    chart_->addAxis(y, Qt::AlignLeft);
    const double floor = floorOf(result_.floor, m);
    if (!curves.empty() && floor > 0 && std::isfinite(floor)) {
        auto* f = new QLineSeries;
        f->setName(tr("noise floor (%1)").arg(QString::fromStdString(result_.floor.kind)));
        f->setPen(QPen(QColor(120, 120, 120), 2, Qt::DotLine));
        f->append(xLo, floor);
        f->append(xHi, floor);
        curves.push_back(f);
        yLo = std::min(yLo, floor);
        yHi = std::max(yHi, floor);
    }
    for (QLineSeries* s : curves) {
        chart_->addSeries(s);
        s->attachAxis(x);
        s->attachAxis(y);
        connect(s, &QLineSeries::hovered, this, [this, s](const QPointF& p, bool on) {
            if (!on) return QToolTip::hideText();
            QToolTip::showText(QCursor::pos(), QStringLiteral("%1\nNFE %2\n%3 %4")
                                                   .arg(s->name())
                                                   .arg(p.x(), 0, 'g', 4)
                                                   .arg(axisTitle(metric()))
                                                   .arg(p.y(), 0, 'g', 4),
                               view_);
        });
    }
    if (!curves.empty()) {
        x->setRange(xLo / 1.5, xHi * 1.5);
        y->setRange(yLo / 1.5, yHi * 1.5);
    }
    QStringList notes;
    if (result_.rows.empty()) notes << tr("Press Sweep quality vs NFE: each configuration runs at every step count.");
    if (skipped > 0) notes << tr("%n run(s) not drawn: diverged, or the metric does not apply (mode weights need a mixture preset).", "", skipped);
    for (const std::string& s : result_.skipped) notes << QString::fromStdString(s);
    if (result_.cancelled) notes << tr("Cancelled: the curves hold the runs that finished.");
    note_->setText(notes.join('\n'));
}

QString RaceChart::csv() const { return QString::fromStdString(raceResultCsvText(spec_, result_)); }

bool RaceChart::exportCsv(const QString& path, QString* error)
{
    try {
        writeFileAtomically(path.toStdString(), raceResultCsvText(spec_, result_));
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return false;
    }
}

void RaceChart::contextMenu(const QPoint& at)
{
    QMenu menu(this);
    QAction* copy = menu.addAction(tr("Copy the rows as CSV"));
    QAction* save = menu.addAction(tr("Export the rows as CSV…"));
    copy->setEnabled(!result_.rows.empty());
    save->setEnabled(!result_.rows.empty());
    QAction* chosen = menu.exec(view_->mapToGlobal(at));
    if (chosen == copy) {
        QApplication::clipboard()->setText(csv());
        emit message(tr("Race rows copied as CSV"), false);
    } else if (chosen == save) {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the race rows"), QStringLiteral("race.csv"),
                                                          tr("CSV (*.csv)"));
        if (path.isEmpty()) return;
        QString error;
        if (exportCsv(path, &error)) emit message(tr("Race rows written to %1").arg(path), false);
        else emit message(tr("Could not write %1: %2").arg(path, error), true);
    }
}

} // namespace ss::window

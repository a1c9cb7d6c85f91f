#include "window/MeasurementsPanel.h"

#include "window/ChartCsv.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace ss::window {

namespace {

enum Column { Metric, Value, Floor, Reading, Columns };

// The largest |w_k - w_true_k| over the modes; NaN without mode weights.
double modeError(const SampleMetrics& m, const std::vector<double>& truth)
{
    if (m.modeWeights.empty() || m.modeWeights.size() != truth.size()) return std::nan("");
    double e = 0;
    for (std::size_t k = 0; k < truth.size(); ++k) e = std::max(e, std::abs(m.modeWeights[k] - truth[k]));
    return e;
}

QString number(double v) { return std::isnan(v) ? QStringLiteral("–") : QString::number(v, 'g', 3); }

} // namespace

QString readingOf(double value, double floor, bool higherIsBetter, double within)
{
    if (std::isnan(value) || std::isnan(floor)) return QString();
    if (higherIsBetter) {
        const double below = floor - value;
        return below <= 0.03 ? MeasurementsPanel::tr("at the floor")
                             : MeasurementsPanel::tr("%1 below").arg(below, 0, 'f', 2);
    }
    // An exact draw of 8 Gaussians (1,000 points): SW2 1.1x its floor, energy 2x.
    const double f = std::max(std::abs(floor), 1e-12);
    const double ratio = value / f;
    return ratio <= within ? MeasurementsPanel::tr("at the floor") : MeasurementsPanel::tr("%1× the floor").arg(ratio, 0, 'g', 3);
}

MeasurementsPanel::MeasurementsPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    about_ = new QLabel(tr("Measuring the particles against the data…"), this);
    about_->setObjectName("measureAbout");
    about_->setWordWrap(true);
    table_ = new QTableWidget(0, Columns, this);
    table_->setObjectName("measureTable");
    table_->setHorizontalHeaderLabels({tr("Metric"), tr("Particles"), tr("Noise floor"), tr("Reading")});
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table_->horizontalHeader()->setSectionResizeMode(Reading, QHeaderView::Stretch); // fits the dock, no scrolling
    table_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    table_->setWordWrap(true);
    table_->setContextMenuPolicy(Qt::CustomContextMenu);
    table_->setToolTip(tr("Each metric of the particles against the data, beside what a perfect sampler with as many "
                          "particles scores (the noise floor). Right-click to copy or export."));
    connect(table_, &QWidget::customContextMenuRequested, this, &MeasurementsPanel::contextMenu);
    floorNote_ = new QLabel(this);
    floorNote_->setObjectName("measureFloorNote");
    floorNote_->setWordWrap(true);
    layout->addWidget(about_);
    layout->addWidget(table_, 1);
    layout->addWidget(floorNote_);
}

void MeasurementsPanel::showMeasure(const app::MeasurePtr& m)
{
    if (!m) return;
    const QString run = m->totalSteps > 0 ? tr("step %1 of %2").arg(m->step).arg(m->totalSteps) : tr("step %1").arg(m->step);
    about_->setText(tr("<b>%1</b>, %2%3 · %4 particles against %5 data points")
                        .arg(QString::fromStdString(m->sampler).toHtmlEscaped(), run,
                             m->done ? tr(" (done)") : QString())
                        .arg(m->particles)
                        .arg(m->dataPoints));
    const SampleMetrics& v = m->metrics;
    const SampleMetrics floor = m->floor.value_or(SampleMetrics{std::nan(""), std::nan(""), std::nan(""), std::nan(""),
                                                                std::nan("")});
    const std::vector<double>& truth = m->trueWeights; // the mixture's weights
    struct Row {
        QString name, tip;
        double value, floor;
        bool higher;
        double within = 1.5;
    };
    const std::vector<Row> rows = {
        {tr("Sliced W2"), tr("sliced Wasserstein-2 distance (data units; 0: the same law)"), v.sw2, floor.sw2, false},
        {tr("MMD²"), tr("squared maximum mean discrepancy, Gaussian kernels at 6 bandwidths"), v.mmd2, floor.mmd2, false, 3},
        {tr("Energy distance"), tr("2E|X−Y| − E|X−X′| − E|Y−Y′| (data units)"), v.energy, floor.energy, false, 3},
        {tr("Precision"), tr("share of particles inside the data's k-NN manifold (higher is better)"), v.precision,
         floor.precision, true},
        {tr("Recall"), tr("share of data points inside the particles' k-NN manifold (higher is better)"), v.recall,
         floor.recall, true},
        {tr("Mean log p(x)"), tr("mean exact log-density of the particles under the data's mixture (nats; higher: "
                                 "nearer the modes, but overly sharp samples also score high)"),
         v.logDensity, floor.logDensity, true},
        {tr("Modes: max error"), tr("max over modes of |share of particles − share of an exact draw|"),
         modeError(v, truth), modeError(floor, truth), false},
    };
    table_->setRowCount(int(rows.size()));
    for (int r = 0; r < int(rows.size()); ++r) {
        const Row& row = rows[std::size_t(r)];
        const bool logDensity = r == 5;
        QString reading = logDensity ? QString() : readingOf(row.value, row.floor, row.higher, row.within);
        if (logDensity && !std::isnan(row.value) && !std::isnan(row.floor)) {
            const double se = std::hypot(v.logDensityStdErr, floor.logDensityStdErr);
            const double gap = row.value - row.floor;
            reading = std::abs(gap) <= 2 * se ? tr("at the floor")
                                              : tr("%1 %2").arg(std::abs(gap), 0, 'f', 2).arg(gap > 0 ? tr("above") : tr("below"));
        }
        const QStringList cells = {row.name, number(row.value), number(row.floor), reading};
        for (int c = 0; c < Columns; ++c) {
            auto* item = new QTableWidgetItem(cells[c]);
            item->setToolTip(row.tip);
            table_->setItem(r, c, item);
        }
    }
    table_->resizeRowsToContents();
    floorNote_->setText(!m->floor ? tr("No noise floor: too few data points.")
                        : m->floorFromLaw
                            ? tr("Noise floor: an exact draw of the data's law with as many points as particles.")
                            : tr("Noise floor: two disjoint halves of the data against each other (the data has no "
                                 "closed-form law)."));
}

QString MeasurementsPanel::csv() const
{
    QString out = QStringLiteral("metric,value,noise_floor,reading\n");
    for (int r = 0; r < table_->rowCount(); ++r) {
        QStringList cells;
        for (int c = 0; c < Columns; ++c) {
            QString t = table_->item(r, c) ? table_->item(r, c)->text() : QString();
            if (t == QStringLiteral("–")) t = QStringLiteral("nan");
            cells << csvField(t);
        }
        out += cells.join(QLatin1Char(',')) + QLatin1Char('\n');
    }
    return out;
}

bool MeasurementsPanel::exportCsv(const QString& path, QString* error)
{
    return saveTextAtomically(path, csv(), error);
}

void MeasurementsPanel::contextMenu(const QPoint& at)
{
    QMenu menu(this);
    menu.addAction(tr("Copy as CSV"), this, [this] { QApplication::clipboard()->setText(csv()); });
    menu.addAction(tr("Export as CSV…"), this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export the measurements"), QStringLiteral("measurements.csv"),
                                                          tr("CSV (*.csv)"));
        if (path.isEmpty()) return;
        QString error;
        if (exportCsv(path, &error)) emit message(tr("wrote %1").arg(path), false);
        else emit message(tr("could not write the measurements: %1").arg(error), true);
    });
    menu.exec(table_->viewport()->mapToGlobal(at));
}

} // namespace ss::window

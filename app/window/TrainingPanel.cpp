#include "window/TrainingPanel.h"

#include "window/ChartStyle.h"

#include "core/TrainingDefaults.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPushButton>
#include <QSpinBox>
#include <QTimer>
#include <QValueAxis>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>

namespace ss::window {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Band b of n, ordered by noise: hues from violet (least noise) through blue,
// green and olive to red (most noise), dark enough to read on white.
QColor bandColour(int b, int n)
{
    const double t = n > 1 ? double(b) / (n - 1) : 0.0;
    return QColor::fromHslF(float(0.78 * (1 - t)), 0.85f, 0.42f);
}

// The next of 1, 2, 4, 6, 8 x 10^k at or above x > 0: with the axis' five
// ticks its labels are round numbers.
double niceCeil(double x)
{
    const double decade = std::pow(10.0, std::floor(std::log10(x)));
    for (double m : {1.0, 2.0, 4.0, 6.0, 8.0})
        if (m * decade >= x) return m * decade;
    return 10 * decade;
}

// "0.01–0.05": the fewest significant digits (2 to 4) that tell the ends
// apart; one level (lo == hi): three digits.
QString sigmaRange(double lo, double hi)
{
    // 180, not 1.8e+02: whole numbers once the digits reach the decimal point.
    const auto text = [](double v, int digits) {
        return std::abs(v) >= std::pow(10.0, digits) ? QString::number(v, 'f', 0) : QString::number(v, 'g', digits);
    };
    if (lo == hi) return text(lo, 3);
    int digits = 2;
    while (digits < 4 && text(lo, digits) == text(hi, digits)) ++digits;
    return text(lo, digits) + QChar(0x2013) + text(hi, digits);
}
} // namespace

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent)
{
    auto* layout = new QVBoxLayout(this);
    auto* buttons = new QHBoxLayout;
    auto addButton = [&](const QString& text, const QString& tip, auto signal) {
        auto* b = new QPushButton(text, this);
        b->setToolTip(tip);
        b->setObjectName(text.toLower());
        connect(b, &QPushButton::clicked, this, signal);
        buttons->addWidget(b);
    };
    addButton(tr("Start"), tr("Train continuously"), &TrainingPanel::startRequested);
    addButton(tr("Pause"), tr("Stop after the current steps"), &TrainingPanel::pauseRequested);
    addButton(tr("Step"), tr("One training step"), &TrainingPanel::stepRequested);
    addButton(tr("Reset"), tr("New weights from the seed; optimiser and history start again"),
              &TrainingPanel::resetRequested);
    layout->addLayout(buttons);

    auto* form = new QFormLayout;
    objective_ = new QLabel(this);
    form->addRow(tr("Objective"), objective_);
    lr_ = new QDoubleSpinBox(this);
    lr_->setObjectName("learningRate");
    lr_->setDecimals(5);
    lr_->setRange(1e-5, 0.1);
    lr_->setSingleStep(1e-4);
    lr_->setValue(kDefaultLearningRate); // shown values come from the setup (showSetup)
    lr_->setToolTip(tr("η, Adam's step size: θ ← θ − η·m̂/(√v̂ + ε), applied from the next step. The default\n"
                       "scene decays it along a cosine to a tenth over its first %1 steps, then holds it\n"
                       "(no late loss spikes)")
                        .arg(kDefaultTrainSteps));
    form->addRow(tr("Learning rate"), lr_);
    batch_ = new QSpinBox(this);
    batch_->setObjectName("batchSize");
    batch_->setRange(1, 8192);
    batch_->setValue(256);
    batch_->setToolTip(tr("B: data points (each with fresh noise) per training step; the loss is their mean"));
    form->addRow(tr("Batch"), batch_);
    emaDecay_ = new QDoubleSpinBox(this);
    emaDecay_->setObjectName("emaDecay");
    emaDecay_->setDecimals(4);
    emaDecay_->setRange(0, 0.9999);
    emaDecay_->setSingleStep(0.001);
    emaDecay_->setValue(0.999);
    emaDecay_->setToolTip(tr("d, the decay of the exponential moving average of the weights: ema ← d·ema + (1−d)·weights.\n"
                             "0 follows the weights; 0.999 averages over about 1000 steps. Warmed up: d is at most\n"
                             "(1+t)/(10+t) at step t, so a young average does not keep the initial weights."));
    form->addRow(tr("EMA decay"), emaDecay_);
    useEma_ = new QCheckBox(tr("Samplers and fields use the EMA weights"), this);
    useEma_->setObjectName("useEma");
    useEma_->setChecked(true);
    useEma_->setToolTip(tr("Off: they use the raw weights of the latest step (noisier, but without the EMA's lag)"));
    form->addRow(useEma_);
    status_ = new QLabel(tr("not started"), this);
    status_->setObjectName("trainingStatus");
    form->addRow(tr("Progress"), status_);
    layout->addLayout(form);
    connect(lr_, &QDoubleSpinBox::valueChanged, this, &TrainingPanel::learningRateChanged);
    connect(batch_, &QSpinBox::valueChanged, this, &TrainingPanel::batchSizeChanged);
    connect(emaDecay_, &QDoubleSpinBox::valueChanged, this, &TrainingPanel::emaDecayChanged);
    connect(useEma_, &QCheckBox::toggled, this, &TrainingPanel::useEmaChanged);

    chart_ = new QChart;
    chart_->setTitle(tr("Loss by step: total and mean per noise band"));
    chart_->legend()->setVisible(false); // the grid below: three columns fit a narrow dock
    total_ = new QLineSeries;
    total_->setName(tr("total"));
    total_->setPen(QPen(Qt::black, 2.2));
    chart_->addSeries(total_);
    chartView_ = new QChartView(chart_, this);
    styleChart(chart_, chartView_);
    chartView_->setMinimumHeight(130);
    const QString tip = tr("Each band is the mean loss of a contiguous group of noise levels;\n"
                           "σ: the noise standard deviation of its levels (least to most noise);\n"
                           "σ/√ᾱ (DDPM, VP): the noise relative to the shrunk signal, the noise at the data's scale.");
    chartView_->setToolTip(tip);
    layout->addWidget(chartView_, 1);
    legend_ = new QWidget(this);
    legend_->setObjectName("lossLegend");
    legend_->setToolTip(tip);
    auto* grid = new QGridLayout(legend_);
    grid->setContentsMargins(4, 0, 4, 0);
    grid->setHorizontalSpacing(10);
    grid->setVerticalSpacing(0);
    layout->addWidget(legend_);
    logScale_ = new QCheckBox(tr("Log scale"), this);
    logScale_->setObjectName("logScale");
    logScale_->setChecked(true);
    logScale_->setToolTip(tr("Loss axis in powers of ten (off: linear)"));
    connect(logScale_, &QCheckBox::toggled, this, &TrainingPanel::rebuildAxes);
    relabelBands(); // the total's entry, and the log-scale box after the last entry
    refresh_ = new QTimer(this);
    refresh_->setSingleShot(true);
    refresh_->setInterval(kRefreshMs);
    connect(refresh_, &QTimer::timeout, this, &TrainingPanel::refreshChart);
    rebuildAxes();
}

double TrainingPanel::learningRate() const { return lr_->value(); }
int TrainingPanel::batchSize() const { return batch_->value(); }
double TrainingPanel::emaDecay() const { return emaDecay_->value(); }
bool TrainingPanel::useEma() const { return useEma_->isChecked(); }

void TrainingPanel::showSetup(const app::TrainingSetup& s)
{
    const QSignalBlocker a(lr_), b(batch_), c(emaDecay_), d(useEma_);
    lr_->setValue(s.optimizer.learningRate);
    batch_->setValue(s.trainer.batchSize);
    emaDecay_->setValue(s.optimizer.emaDecay);
    useEma_->setChecked(s.publishEma);
}

void TrainingPanel::restore(const app::TrainingSetup& s)
{
    const double lr = learningRate(), decay = emaDecay();
    const int batch = batchSize();
    const bool ema = useEma();
    showSetup(s);
    if (learningRate() != lr) emit learningRateChanged(learningRate());
    if (batchSize() != batch) emit batchSizeChanged(batchSize());
    if (emaDecay() != decay) emit emaDecayChanged(emaDecay());
    if (useEma() != ema) emit useEmaChanged(useEma());
}

void TrainingPanel::changeEvent(QEvent* e)
{
    QWidget::changeEvent(e);
    if (e->type() != QEvent::FontChange) return;
    applyChartFonts(chart_, font()); // presentation mode's larger text
    relabelBands();                  // the legend's labels
}

int TrainingPanel::historyPoints() const
{
    const bool trailing = !history_.empty() && (plot_.empty() || plot_.back().step < double(history_.back().step));
    return int(plot_.size()) + (trailing ? 1 : 0);
}

void TrainingPanel::rebuildAxes()
{
    for (QAbstractAxis* a : chart_->axes()) {
        chart_->removeAxis(a);
        delete a;
    }
    auto* x = new QValueAxis; // steps (the title says so: room for the plot)
    x->setLabelFormat("%d");
    chart_->addAxis(x, Qt::AlignBottom);
    QAbstractAxis* y;
    if (logScale_->isChecked()) {
        auto* log = new QLogValueAxis;
        log->setBase(10);
        log->setLabelFormat("%g");
        y = log;
    } else {
        auto* lin = new QValueAxis;
        lin->setLabelFormat("%g");
        y = lin;
    }
    chart_->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries* s : chart_->series()) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    applyChartFonts(chart_, font());
    xMax_ = yLo_ = yHi_ = kNaN; // new axes: setRanges sets them
    refreshChart();
}

void TrainingPanel::clearHistory()
{
    history_.clear();
    plot_.clear();
    stride_ = 1;
    count_ = 0;
    lastStep_ = -1;
    xMax_ = yLo_ = yHi_ = kNaN;
    refresh_->stop();
    refreshChart();
}

void TrainingPanel::showSnapshot(const app::TrainingSnapshot& s)
{
    objective_->setText(QString::fromStdString(objectiveName(s.objective.kind) + " on " + s.schedule.name()));
    // A reopened scene's trainer has no loss of its own yet: its history's last one.
    double loss = s.stats.smoothedLoss;
    if (!std::isfinite(loss) && !history_.empty() && history_.back().step == s.step) loss = history_.back().loss;
    status_->setText(tr("step %1 · loss %2 · %3 steps/s%4")
                         .arg(s.step)
                         .arg(std::isfinite(loss) ? QString::number(loss, 'g', 4) : tr("—"))
                         .arg(s.stats.stepsPerSecond, 0, 'f', 0)
                         .arg(s.running ? QString() : tr(" · paused")));
    if (s.step < lastStep_) clearHistory();
    if (s.stats.levelStd != levelStd_ || s.stats.levelMean != levelMean_) { // a new schedule: the bands' σ ranges
        levelStd_ = s.stats.levelStd;
        levelMean_ = s.stats.levelMean;
        relabelBands();
    }
    if (s.step == lastStep_ || !std::isfinite(s.stats.smoothedLoss) || s.stats.smoothedLoss <= 0) return;
    LossRecord r;
    r.step = s.step;
    r.loss = s.stats.smoothedLoss;
    r.levels = s.stats.levelLoss;
    if (history_.size() >= kMaxHistory) { // thin: keep every other record
        std::size_t kept = 0;
        for (std::size_t i = 0; i < history_.size(); i += 2) history_[kept++] = std::move(history_[i]);
        history_.resize(kept);
    }
    history_.push_back(r);
    add(history_.back());
}

void TrainingPanel::setHistory(const std::vector<LossRecord>& history)
{
    clearHistory();
    for (const LossRecord& r : history)
        if (r.step > lastStep_ && std::isfinite(r.loss) && r.loss > 0) {
            history_.push_back(r);
            lastStep_ = r.step;
        }
    if (!history_.empty()) setLevels(int(history_.back().levels.size()));
    rebuildPlot();
    refreshChart();
}

TrainingPanel::PlotRow TrainingPanel::row(const LossRecord& r) const
{
    PlotRow p;
    p.step = double(r.step);
    p.total = r.loss;
    const bool fits = int(r.levels.size()) == levels_; // records from before a schedule change have no bands
    for (std::size_t b = 0; b + 1 < bandStart_.size(); ++b) {
        double sum = 0;
        int n = 0;
        for (int k = bandStart_[b]; fits && k < bandStart_[b + 1]; ++k)
            if (std::isfinite(r.levels[std::size_t(k)])) {
                sum += r.levels[std::size_t(k)];
                ++n;
            }
        p.bands.push_back(n > 0 ? sum / n : kNaN);
    }
    return p;
}

void TrainingPanel::add(const LossRecord& r)
{
    lastStep_ = r.step;
    if (int(r.levels.size()) != levels_) { // a new schedule: new bands, the plot again
        setLevels(int(r.levels.size()));
        rebuildPlot();
    } else {
        if (count_ % stride_ == 0) plot_.push_back(row(r));
        ++count_;
    }
    scheduleRefresh();
}

void TrainingPanel::setLevels(int levels)
{
    if (levels == levels_) return;
    for (QLineSeries* s : bands_) {
        chart_->removeSeries(s);
        delete s;
    }
    bands_.clear();
    levels_ = levels;
    // Contiguous groups of near-equal size, in the levels' order (noise increasing).
    const int n = std::min(levels, kMaxBands);
    bandStart_.clear();
    for (int b = 0; b <= n; ++b) bandStart_.push_back(b * levels / std::max(n, 1));
    if (n == 0) bandStart_.clear();
    for (int b = 0; b < n; ++b) {
        auto* s = new QLineSeries;
        s->setPen(QPen(bandColour(b, n), 1.4));
        chart_->addSeries(s);
        bands_.push_back(s);
    }
    relabelBands();
    rebuildAxes(); // attaches the new series
}

void TrainingPanel::relabelBands()
{
    const bool haveStd = int(levelStd_.size()) == levels_;
    // VP (DDPM) levels by their noise-to-signal ratio σ/√ᾱ, the data-scale noise:
    // their σ crowds against 1 (0.9990–0.9999) where the ratio still spreads.
    const bool vp = int(levelMean_.size()) == levels_ &&
                    std::any_of(levelMean_.begin(), levelMean_.end(), [](double m) { return m != 1.0; });
    const auto scale = [&](int k) {
        return vp ? levelStd_[std::size_t(k)] / levelMean_[std::size_t(k)] : levelStd_[std::size_t(k)];
    };
    for (std::size_t b = 0; b < bands_.size(); ++b) {
        const int first = bandStart_[b], last = bandStart_[b + 1] - 1;
        QString name;
        if (haveStd)
            name = (vp ? QStringLiteral("σ/√ᾱ ") : QStringLiteral("σ ")) + sigmaRange(scale(first), scale(last));
        else if (first == last)
            name = tr("level %1").arg(first + 1);
        else
            name = tr("levels %1–%2").arg(first + 1).arg(last + 1);
        bands_[b]->setName(name);
    }
    // The legend: a coloured dash and the name of each series, three columns.
    auto* grid = static_cast<QGridLayout*>(legend_->layout());
    while (QLayoutItem* item = grid->takeAt(0)) {
        if (item->widget() != logScale_) delete item->widget();
        delete item;
    }
    std::vector<QLineSeries*> all{total_};
    all.insert(all.end(), bands_.begin(), bands_.end());
    const QFont small = chartSmallFont(font());
    for (std::size_t i = 0; i < all.size(); ++i) {
        auto* label = new QLabel(legend_);
        label->setFont(small);
        label->setTextFormat(Qt::RichText);
        label->setText(QStringLiteral("<span style=\"color:%1\">&#x25AC;</span>&nbsp;%2")
                           .arg(all[i]->pen().color().name(), all[i]->name().toHtmlEscaped()));
        grid->addWidget(label, int(i) / 3, int(i) % 3);
    }
    grid->addWidget(logScale_, int(all.size()) / 3, int(all.size()) % 3);
}

int TrainingPanel::maxPlotPoints() const
{
    double width = chart_->plotArea().width();
    if (width < 50) width = 0.7 * chartView_->width(); // not laid out yet
    return 2 * std::clamp(int(width), 100, 2000);
}

void TrainingPanel::rebuildPlot()
{
    plot_.clear();
    stride_ = 1;
    const std::size_t n = history_.size(), cap = std::size_t(maxPlotPoints());
    while (n / stride_ > cap) stride_ *= 2;
    for (std::size_t i = 0; i < n; i += stride_) plot_.push_back(row(history_[i]));
    count_ = n;
}

void TrainingPanel::scheduleRefresh()
{
    if (!refresh_->isActive()) refresh_->start();
}

void TrainingPanel::refreshChart()
{
    // Decimate: over ~2 points per pixel, keep every other point (the stride
    // doubles); a plot grown to many times the points it has is rebuilt finer.
    const std::size_t cap = std::size_t(maxPlotPoints());
    if (stride_ > 1 && 4 * plot_.size() < cap) rebuildPlot();
    while (plot_.size() > cap) {
        std::size_t kept = 0;
        for (std::size_t i = 0; i < plot_.size(); i += 2) plot_[kept++] = std::move(plot_[i]);
        plot_.resize(kept);
        stride_ *= 2;
    }
    QList<QPointF> total;
    std::vector<QList<QPointF>> bands(bands_.size());
    double lo = 1e300, hi = 0;
    auto put = [&](QList<QPointF>& series, double x, double v) {
        if (!(v > 0) || !std::isfinite(v)) return; // NaN: no example of the band yet; log axes need v > 0
        series.append(QPointF(x, v));
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    };
    auto putRow = [&](const PlotRow& p) {
        put(total, p.step, p.total);
        for (std::size_t b = 0; b < bands.size() && b < p.bands.size(); ++b) put(bands[b], p.step, p.bands[b]);
    };
    for (const PlotRow& p : plot_) putRow(p);
    if (historyPoints() > int(plot_.size())) putRow(row(history_.back())); // the newest record, between strides
    total_->replace(total);
    for (std::size_t b = 0; b < bands_.size(); ++b) bands_[b]->replace(bands[b]);
    setRanges(lo, hi);
}

void TrainingPanel::setRanges(double lo, double hi)
{
    // A new range redraws every series again, so the axes move in steps: x
    // grows 10% past the newest step (to a round number), y moves when the data leaves it or
    // fills less than a quarter of it (log scale: of its decades).
    const auto axesX = chart_->axes(Qt::Horizontal), axesY = chart_->axes(Qt::Vertical);
    if (axesX.isEmpty() || axesY.isEmpty()) return;
    if (lo > hi) lo = 0.1, hi = 1.0;
    const double x = std::max<double>(10, double(lastStep_));
    if (!(x <= xMax_) || x < 0.5 * xMax_) {
        xMax_ = niceCeil(x * 1.1);
        axesX.front()->setRange(0, xMax_);
    }
    const bool log = logScale_->isChecked();
    const double wantLo = log ? std::max(lo * 0.8, 1e-8) : 0.0, wantHi = hi * 1.1;
    const double span = log ? std::log(yHi_ / yLo_) : yHi_ - yLo_;
    const double want = log ? std::log(wantHi / wantLo) : wantHi - wantLo;
    if (!(wantLo >= yLo_ && wantHi <= yHi_) || want < 0.25 * span) {
        yLo_ = log ? std::max(lo * 0.6, 1e-8) : 0.0;
        yHi_ = log ? hi * 1.3 : hi * 1.15;
        axesY.front()->setRange(yLo_, yHi_);
    }
}

} // namespace ss::window

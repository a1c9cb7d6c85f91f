#include "TrainingPanel.h"

#include "TrainingDefaults.h"

#include <QCheckBox>
#include <QChart>
#include <QChartView>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPushButton>
#include <QSpinBox>
#include <QValueAxis>
#include <QVBoxLayout>

#include <cmath>

namespace ss::window {

namespace {
constexpr int kMaxPoints = 1500; // per series; older points are thinned
}

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
    lr_->setToolTip(tr("Adam learning rate, applied from the next step"));
    form->addRow(tr("Learning rate"), lr_);
    batch_ = new QSpinBox(this);
    batch_->setObjectName("batchSize");
    batch_->setRange(1, 8192);
    batch_->setValue(256);
    form->addRow(tr("Batch"), batch_);
    emaDecay_ = new QDoubleSpinBox(this);
    emaDecay_->setObjectName("emaDecay");
    emaDecay_->setDecimals(4);
    emaDecay_->setRange(0, 0.9999);
    emaDecay_->setSingleStep(0.001);
    emaDecay_->setValue(0.999);
    emaDecay_->setToolTip(tr("Exponential moving average of the weights: ema ← d·ema + (1−d)·weights.\n"
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
    chart_->legend()->setVisible(false);
    chart_->setMargins(QMargins(4, 4, 4, 4));
    chart_->setTitle(tr("Loss (orange: total, grey: per level)"));
    total_ = new QLineSeries;
    total_->setPen(QPen(QColor(230, 120, 20), 2));
    chart_->addSeries(total_);
    chartView_ = new QChartView(chart_, this);
    chartView_->setRenderHint(QPainter::Antialiasing);
    chartView_->setMinimumHeight(180);
    layout->addWidget(chartView_, 1);
    logScale_ = new QCheckBox(tr("Log scale"), this);
    logScale_->setObjectName("logScale");
    logScale_->setChecked(true);
    connect(logScale_, &QCheckBox::toggled, this, &TrainingPanel::rebuildAxes);
    layout->addWidget(logScale_);
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

int TrainingPanel::historyPoints() const { return int(total_->count()); }

void TrainingPanel::rebuildAxes()
{
    for (QAbstractAxis* a : chart_->axes()) {
        chart_->removeAxis(a);
        delete a;
    }
    auto* x = new QValueAxis;
    x->setTitleText(tr("step"));
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
    const double lo = minLoss_ < 1e300 ? minLoss_ : 0.1, hi = maxLoss_ > 0 ? maxLoss_ : 1.0;
    x->setRange(0, std::max<double>(10, double(lastStep_)));
    y->setRange(logScale_->isChecked() ? std::max(lo * 0.8, 1e-8) : 0.0, hi * 1.1);
}

void TrainingPanel::clearHistory()
{
    total_->clear();
    for (QLineSeries* s : levels_) s->clear();
    history_.clear();
    lastStep_ = -1;
    minLoss_ = 1e300;
    maxLoss_ = 0;
    rebuildAxes();
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
    plot(r);
}

void TrainingPanel::setHistory(const std::vector<LossRecord>& history)
{
    clearHistory();
    for (const LossRecord& r : history)
        if (r.step > lastStep_ && std::isfinite(r.loss) && r.loss > 0) {
            history_.push_back(r);
            plot(r);
        }
}

void TrainingPanel::plot(const LossRecord& r)
{
    lastStep_ = r.step;
    // Per-level series, made when the number of levels is known (or changes).
    if (levels_.size() != r.levels.size()) {
        for (QLineSeries* l : levels_) {
            chart_->removeSeries(l);
            delete l;
        }
        levels_.clear();
        for (std::size_t k = 0; k < r.levels.size(); ++k) {
            auto* l = new QLineSeries;
            const int shade = 150 + int(80 * k / std::max<std::size_t>(1, r.levels.size()));
            l->setPen(QPen(QColor(shade, shade, shade), 1));
            chart_->addSeries(l);
            levels_.push_back(l);
        }
        rebuildAxes();
    }
    auto append = [&](QLineSeries* series, double v) {
        if (!(v > 0) || !std::isfinite(v)) return;
        if (series->count() >= kMaxPoints) // thin: drop every other point
            for (int i = series->count() - 2; i >= 0; i -= 2) series->remove(i);
        series->append(double(r.step), v);
        minLoss_ = std::min(minLoss_, v);
        maxLoss_ = std::max(maxLoss_, v);
    };
    append(total_, r.loss);
    for (std::size_t k = 0; k < levels_.size(); ++k) append(levels_[k], r.levels[k]);
    const auto axesX = chart_->axes(Qt::Horizontal), axesY = chart_->axes(Qt::Vertical);
    if (!axesX.isEmpty()) axesX.front()->setRange(0, std::max<double>(10, double(lastStep_)));
    if (!axesY.isEmpty())
        axesY.front()->setRange(logScale_->isChecked() ? std::max(minLoss_ * 0.8, 1e-8) : 0.0, maxLoss_ * 1.1);
}

} // namespace ss::window

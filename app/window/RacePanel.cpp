#include "window/RacePanel.h"

#include "core/Error.h"
#include "core/RaceFile.h"

#include <QComboBox>
#include <QFileDialog>
#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace ss::window {

namespace {

RacePanel::Preset preset(const char* name, SamplerKind kind, int steps, void (*tune)(SamplerConfig&) = nullptr)
{
    RacePanel::Preset p;
    p.entry.name = name;
    p.entry.sampler.kind = kind;
    if (tune) tune(p.entry.sampler);
    p.steps = steps;
    return p;
}

enum Column { ColName, ColSampler, ColSteps, ColScore, ColumnCount };

} // namespace

std::vector<RacePanel::Preset> RacePanel::presetsFor(const NoiseSchedule& schedule)
{
    const Preset heun = preset("PF-ODE Heun", SamplerKind::ProbabilityFlow, 50, [](SamplerConfig& c) { c.ode = OdeMethod::Heun; });
    const Preset sde = preset("Reverse SDE", SamplerKind::ReverseSde, 200);
    std::vector<Preset> out; // the first three are the schedule's default race
    if (!schedule.betas().empty()) { // a discrete DDPM schedule
        out.push_back(preset("DDPM", SamplerKind::Ddpm, std::max(1, schedule.numLevels())));
        out.push_back(preset("DDIM η=0", SamplerKind::Ddim, 50, [](SamplerConfig& c) { c.eta = 0; }));
        out.push_back(heun);
        out.push_back(preset("DDIM η=1", SamplerKind::Ddim, 50, [](SamplerConfig& c) { c.eta = 1; }));
        out.push_back(sde);
    } else if (schedule.isVarianceExploding() && schedule.isDiscrete()) {
        out.push_back(preset("Annealed Langevin", SamplerKind::AnnealedLangevin, 100 * schedule.numLevels()));
        out.push_back(sde);
        out.push_back(heun);
    } else {
        out.push_back(sde);
        out.push_back(heun);
    }
    out.push_back(preset("PC (EM + Langevin)", SamplerKind::PredictorCorrector, 100));
    out.push_back(preset("PF-ODE Euler", SamplerKind::ProbabilityFlow, 100, [](SamplerConfig& c) { c.ode = OdeMethod::Euler; }));
    out.push_back(preset("PF-ODE RK4", SamplerKind::ProbabilityFlow, 25, [](SamplerConfig& c) { c.ode = OdeMethod::Rk4; }));
    out.push_back(preset("PF-ODE RK45 (adaptive)", SamplerKind::ProbabilityFlow, 1, [](SamplerConfig& c) { c.ode = OdeMethod::Rk45; }));
    // The continuous-time solvers (any schedule): EDM's 18 steps (35 NFE), DPM-Solver at 10-20 NFE.
    out.push_back(preset("EDM Heun", SamplerKind::Edm, 18));
    out.push_back(preset("EDM + churn", SamplerKind::Edm, 50, [](SamplerConfig& c) { c.edmChurn = 10; }));
    out.push_back(preset("DPM-Solver++ 2M", SamplerKind::DpmSolverPp, 10));
    out.push_back(preset("DPM-Solver 3S", SamplerKind::DpmSolver, 6, [](SamplerConfig& c) {
        c.dpmOrder = 3;
        c.dpmMethod = DpmMethod::Singlestep;
    }));
    return out;
}

RacePanel::RacePanel(QWidget* parent) : QWidget(parent)
{
    setObjectName("racePanel");
    auto* layout = new QVBoxLayout(this);
    table_ = new QTableWidget(0, ColumnCount, this);
    table_->setObjectName("raceTable");
    table_->setHorizontalHeaderLabels({tr("Name"), tr("Sampler"), tr("Steps"), tr("Score")});
    table_->horizontalHeader()->setSectionResizeMode(ColSampler, QHeaderView::Stretch);
    table_->verticalHeader()->setVisible(false);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setToolTip(tr("The configurations, 2–6. Steps: of the live run (DDPM: of its T levels, respaced; "
                          "annealed Langevin: levels × steps per level). Score: learned (the network) or exact."));
    connect(table_, &QTableWidget::itemChanged, this, [this](QTableWidgetItem* item) {
        if (item->column() == ColName && item->row() < int(entries_.size()))
            entries_[std::size_t(item->row())].name = item->text().trimmed().toStdString(), edited_ = true;
    });
    layout->addWidget(table_, 1);

    auto* buttons = new QHBoxLayout;
    add_ = new QToolButton(this);
    add_->setObjectName("raceAdd");
    add_->setText(tr("Add"));
    add_->setPopupMode(QToolButton::InstantPopup);
    add_->setToolTip(tr("Add a configuration: a preset for this schedule, or the Sampler dock's settings"));
    auto* menu = new QMenu(add_);
    connect(menu, &QMenu::aboutToShow, this, [this, menu] {
        menu->clear();
        menu->addAction(tr("The Sampler dock's settings"), this, &RacePanel::addFromSamplerRequested);
        menu->addSeparator();
        for (const Preset& p : presetsFor(schedule_))
            menu->addAction(QString::fromStdString(p.entry.name), this, [this, p] { addEntry(p.entry, p.steps); });
    });
    add_->setMenu(menu);
    remove_ = new QPushButton(tr("Remove"), this);
    remove_->setObjectName("raceRemove");
    connect(remove_, &QPushButton::clicked, this, [this] { removeEntry(table_->currentRow()); });
    auto* load = new QPushButton(tr("Load…"), this);
    load->setObjectName("raceLoad");
    connect(load, &QPushButton::clicked, this, &RacePanel::load);
    auto* save = new QPushButton(tr("Save…"), this);
    save->setObjectName("raceSave");
    connect(save, &QPushButton::clicked, this, &RacePanel::save);
    for (QWidget* w : {static_cast<QWidget*>(add_), static_cast<QWidget*>(remove_), static_cast<QWidget*>(load),
                       static_cast<QWidget*>(save)})
        buttons->addWidget(w);
    layout->addLayout(buttons);

    auto* form = new QGridLayout;
    form->addWidget(new QLabel(tr("Particles"), this), 0, 0);
    particles_ = new QSpinBox(this);
    particles_->setObjectName("raceParticles");
    particles_->setRange(100, 10000);
    particles_->setSingleStep(100);
    particles_->setValue(1000);
    particles_->setToolTip(tr("Particles per configuration, the same noise for all"));
    form->addWidget(particles_, 0, 1);
    run_ = new QPushButton(tr("Run side by side"), this);
    run_->setObjectName("raceRun");
    run_->setToolTip(tr("Every configuration from the same noise, in lockstep, one panel each"));
    connect(run_, &QPushButton::clicked, this, &RacePanel::runRequested);
    stop_ = new QPushButton(tr("Stop"), this);
    stop_->setObjectName("raceStop");
    stop_->setEnabled(false);
    connect(stop_, &QPushButton::clicked, this, &RacePanel::stopRequested);
    form->addWidget(run_, 1, 0);
    form->addWidget(stop_, 1, 1);
    form->addWidget(new QLabel(tr("Sweep steps"), this), 2, 0);
    sweepSteps_ = new QLineEdit(this);
    sweepSteps_->setObjectName("raceSweepSteps");
    QStringList defaults;
    for (int s : defaultRaceSteps()) defaults << QString::number(s);
    sweepSteps_->setText(defaults.join(','));
    sweepSteps_->setToolTip(tr("The step counts each configuration runs at for the chart, increasing"));
    form->addWidget(sweepSteps_, 2, 1);
    sweep_ = new QPushButton(tr("Sweep quality vs NFE"), this);
    sweep_->setObjectName("raceSweep");
    sweep_->setToolTip(tr("Each configuration at every step count, with the learned and the exact score: "
                          "the chart tells discretisation error from estimation error"));
    connect(sweep_, &QPushButton::clicked, this, &RacePanel::sweepRequested);
    cancel_ = new QPushButton(tr("Cancel"), this);
    cancel_->setObjectName("raceCancel");
    cancel_->setEnabled(false);
    connect(cancel_, &QPushButton::clicked, this, &RacePanel::cancelSweepRequested);
    form->addWidget(sweep_, 3, 0);
    form->addWidget(cancel_, 3, 1);
    layout->addLayout(form);
    progress_ = new QProgressBar(this);
    progress_->setObjectName("raceProgress");
    progress_->setVisible(false);
    layout->addWidget(progress_);
    status_ = new QLabel(this);
    status_->setObjectName("raceStatus");
    status_->setWordWrap(true);
    layout->addWidget(status_);
}

int RacePanel::ownSteps(const SamplerConfig& c, const NoiseSchedule& schedule)
{
    switch (c.kind) {
    case SamplerKind::Ddim: return c.ddimSteps;
    case SamplerKind::Edm: return c.edmSteps;
    case SamplerKind::DpmSolver:
    case SamplerKind::DpmSolverPp: return c.dpmSteps;
    case SamplerKind::Ddpm: return std::max(1, schedule.numLevels());
    case SamplerKind::AnnealedLangevin:
        return (schedule.isDiscrete() ? std::max(1, schedule.numLevels()) : c.annealedLevels) * c.stepsPerLevel;
    default: return c.steps;
    }
}

QString RacePanel::describe(const SamplerConfig& c)
{
    QString text = QString::fromStdString(samplerKindName(c.kind));
    switch (c.kind) {
    case SamplerKind::Ddim: return text + tr(" · η %1").arg(c.eta);
    case SamplerKind::ProbabilityFlow: return text + " · " + QString::fromStdString(odeMethodName(c.ode));
    case SamplerKind::PredictorCorrector:
        return text + tr(" · %1 + %2 corrector (r %3)")
                          .arg(QString::fromStdString(predictorName(c.predictor)))
                          .arg(c.correctorSteps)
                          .arg(c.snr);
    case SamplerKind::ReverseSde: return text + " · " + QString::fromStdString(predictorName(c.predictor));
    case SamplerKind::Ddpm: return text + " · " + QString::fromStdString(ddpmVarianceName(c.ddpmVariance));
    case SamplerKind::Edm: return text + (c.edmChurn > 0 ? tr(" · ρ %1, churn %2").arg(c.edmRho).arg(c.edmChurn) : tr(" · ρ %1").arg(c.edmRho));
    case SamplerKind::DpmSolver:
    case SamplerKind::DpmSolverPp:
        return text + tr(" · order %1 %2").arg(c.dpmOrder).arg(QString::fromStdString(dpmMethodName(c.dpmMethod)));
    default: return text;
    }
}

bool RacePanel::addEntry(const RaceEntry& entry, int steps)
{
    if (int(entries_.size()) >= kRaceWindowMaxEntries) {
        emit message(tr("A race shows at most %1 configurations: remove one first").arg(kRaceWindowMaxEntries), true);
        return false;
    }
    RaceEntry e = entry;
    // A unique name: "DDIM η=0", "DDIM η=0 #2", ...
    const auto taken = [this](const std::string& n) {
        return std::any_of(entries_.begin(), entries_.end(), [&](const RaceEntry& x) { return x.name == n; });
    };
    const std::string base = e.name.empty() ? samplerKindName(e.sampler.kind) : e.name;
    e.name = base;
    for (int k = 2; taken(e.name); ++k) e.name = base + " #" + std::to_string(k);
    entries_.push_back(e);
    steps_.push_back(std::max(1, steps));
    edited_ = true;
    rebuildTable();
    return true;
}

void RacePanel::removeEntry(int row)
{
    if (row < 0 || row >= int(entries_.size())) return;
    entries_.erase(entries_.begin() + row);
    steps_.erase(steps_.begin() + row);
    edited_ = true;
    rebuildTable();
}

void RacePanel::setDefaults(const NoiseSchedule& schedule, RaceScore score)
{
    schedule_ = schedule;
    entries_.clear();
    steps_.clear();
    std::vector<Preset> presets = presetsFor(schedule);
    for (int i = 0; i < 3 && i < int(presets.size()); ++i) { // the first three: the schedule's default race
        presets[std::size_t(i)].entry.score = score;
        addEntry(presets[std::size_t(i)].entry, presets[std::size_t(i)].steps);
    }
    edited_ = false;
}

void RacePanel::rebuildTable()
{
    const QSignalBlocker block(table_);
    table_->setRowCount(int(entries_.size()));
    for (int r = 0; r < int(entries_.size()); ++r) {
        const RaceEntry& e = entries_[std::size_t(r)];
        table_->setItem(r, ColName, new QTableWidgetItem(QString::fromStdString(e.name)));
        auto* sampler = new QTableWidgetItem(describe(e.sampler));
        sampler->setFlags(sampler->flags() & ~Qt::ItemIsEditable);
        table_->setItem(r, ColSampler, sampler);
        auto* steps = new QSpinBox(table_);
        steps->setRange(1, kRaceMaxSteps);
        steps->setValue(steps_[std::size_t(r)]);
        steps->setEnabled(!raceAdaptive(e.sampler));
        steps->setToolTip(raceAdaptive(e.sampler) ? tr("Adaptive: RK45 picks its own steps") : tr("Steps of the live run"));
        connect(steps, &QSpinBox::valueChanged, this, [this, r](int v) {
            if (r < int(steps_.size())) steps_[std::size_t(r)] = v, edited_ = true;
        });
        table_->setCellWidget(r, ColSteps, steps);
        auto* score = new QComboBox(table_);
        score->addItem(tr("learned"), int(RaceScore::Learned));
        score->addItem(tr("exact"), int(RaceScore::Exact));
        score->setCurrentIndex(e.score == RaceScore::Learned ? 0 : 1);
        score->setToolTip(tr("learned: the network training now; exact: the data's true score"));
        connect(score, &QComboBox::currentIndexChanged, this, [this, r, score] {
            if (r < int(entries_.size())) entries_[std::size_t(r)].score = RaceScore(score->currentData().toInt()), edited_ = true;
        });
        table_->setCellWidget(r, ColScore, score);
    }
    table_->resizeColumnToContents(ColName);
    remove_->setEnabled(!entries_.empty());
}

std::vector<int> RacePanel::parseSteps(const QString& text)
{
    std::vector<int> out;
    for (const QString& item : text.split(',', Qt::SkipEmptyParts)) {
        bool ok = false;
        const int v = item.trimmed().toInt(&ok);
        if (!ok || v < 1 || v > kRaceMaxSteps)
            throw InputError("sweep steps: '" + item.trimmed().toStdString() + "' is not a step count in [1, " +
                             std::to_string(kRaceMaxSteps) + "]");
        out.push_back(v);
    }
    if (out.empty()) throw InputError("sweep steps: give at least one step count, e.g. 10,50,200");
    return out;
}

RaceSpec RacePanel::spec() const
{
    RaceSpec s;
    s.name = name_;
    s.entries = entries_;
    s.particles = particles_->value();
    s.steps = parseSteps(sweepSteps_->text());
    return s;
}

void RacePanel::setSpec(const RaceSpec& spec)
{
    if (int(spec.entries.size()) > kRaceWindowMaxEntries)
        throw InputError("the window shows at most " + std::to_string(kRaceWindowMaxEntries) + " configurations; " +
                         "this race has " + std::to_string(spec.entries.size()));
    name_ = spec.name.empty() ? "race" : spec.name;
    entries_ = spec.entries;
    steps_.clear();
    for (const RaceEntry& e : entries_) steps_.push_back(ownSteps(e.sampler, e.schedule ? *e.schedule : schedule_));
    particles_->setValue(spec.particles);
    QStringList steps;
    for (int s : spec.steps) steps << QString::number(s);
    sweepSteps_->setText(steps.join(','));
    edited_ = true;
    rebuildTable();
}

void RacePanel::load()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Load a race"), QString(), tr("Race (*.json)"));
    if (path.isEmpty()) return;
    try {
        setSpec(loadRaceSpec(path.toStdString()));
        emit message(tr("Loaded the race %1").arg(path), false);
    } catch (const std::exception& e) {
        emit message(tr("Could not load the race: %1").arg(QString::fromUtf8(e.what())), true);
    }
}

void RacePanel::save()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save the race"), QStringLiteral("race.json"),
                                                      tr("Race (*.json)"));
    if (path.isEmpty()) return;
    try {
        RaceSpec s = spec();
        s.validate(kRaceWindowMaxEntries);
        saveRaceSpec(path.toStdString(), s);
        emit message(tr("Saved the race to %1").arg(path), false);
    } catch (const std::exception& e) {
        emit message(tr("Could not save the race: %1").arg(QString::fromUtf8(e.what())), true);
    }
}

void RacePanel::showSweepProgress(bool running, int row, int rows, const QString& current)
{
    sweep_->setEnabled(!running);
    cancel_->setEnabled(running);
    progress_->setVisible(running);
    if (running) {
        progress_->setRange(0, std::max(1, rows));
        progress_->setValue(row);
        status_->setText(tr("Sweeping: %1").arg(current));
    } else {
        status_->clear();
    }
}

void RacePanel::showLiveRunning(bool running)
{
    run_->setText(running ? tr("Restart") : tr("Run side by side"));
    stop_->setEnabled(running);
}

} // namespace ss::window

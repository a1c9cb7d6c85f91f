#pragma once
// The sampler race's controls (the "Compare samplers" dock's left side): the
// configurations (2–6: a name, the sampler's settings, the step count of the
// live run, learned or exact score), added from presets suited to the scene's
// schedule or copied from the Sampler dock, loaded from and saved to race
// files (core/RaceFile); the particle count; Run side by side / Stop; the
// sweep's step counts with Sweep quality vs NFE / Cancel and its progress.
// It only edits a RaceSpec: the dock (RaceDock) runs it.
#include "core/Race.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QToolButton;

namespace ss::window {

class RacePanel : public QWidget {
    Q_OBJECT
public:
    explicit RacePanel(QWidget* parent = nullptr);

    // The presets the Add menu offers for a schedule, and the default race:
    // DDPM vs DDIM vs PF-ODE on a DDPM schedule; annealed Langevin vs the
    // reverse SDE vs PF-ODE on VE levels; the SDE vs PF-ODE vs PC otherwise.
    struct Preset {
        RaceEntry entry;
        int steps = 50; // the live run's
    };
    static std::vector<Preset> presetsFor(const NoiseSchedule& schedule);
    // Replaces the configurations with the default race for `schedule`
    // (learned: the score the entries use).
    void setDefaults(const NoiseSchedule& schedule, RaceScore score);
    void setSchedule(const NoiseSchedule& schedule) { schedule_ = schedule; } // the Add menu's presets
    // True once the user changed the configurations (added, removed, loaded,
    // renamed, another step count or score): a new scene then keeps them.
    bool edited() const { return edited_; }
    // Appends one (false, with a message, when there are already kRaceWindowMaxEntries).
    bool addEntry(const RaceEntry& entry, int steps);
    void removeEntry(int row);

    // The race as edited: entries, particles, the sweep's steps (validated by the worker).
    RaceSpec spec() const;
    std::vector<int> liveSteps() const { return steps_; }
    void setSpec(const RaceSpec& spec); // a loaded file: live steps from each sampler's own count
    // "ddim · η 0", "ode · heun", "pc · em + 1 corrector (r 0.16)": what the table shows.
    static QString describe(const SamplerConfig& c);
    // The live run's step count a sampler's own settings give (core/Race.h's meaning of steps).
    static int ownSteps(const SamplerConfig& c, const NoiseSchedule& schedule);
    // "5,10,20" -> {5, 10, 20}; throws InputError naming the bad item.
    static std::vector<int> parseSteps(const QString& text);

    void showSweepProgress(bool running, int row, int rows, const QString& current);
    void showLiveRunning(bool running);

signals:
    void runRequested();
    void stopRequested();
    void sweepRequested();
    void cancelSweepRequested();
    void addFromSamplerRequested(); // the dock knows the Sampler dock's settings
    void message(const QString& text, bool isError);

private:
    void rebuildTable();
    void load();
    void save();

    NoiseSchedule schedule_;
    std::vector<RaceEntry> entries_;
    std::vector<int> steps_;
    std::string name_ = "race";
    bool edited_ = false;
    QTableWidget* table_;
    QToolButton* add_;
    QPushButton *remove_, *run_, *stop_, *sweep_, *cancel_;
    QSpinBox* particles_;
    QLineEdit* sweepSteps_;
    QProgressBar* progress_;
    QLabel* status_;
};

} // namespace ss::window

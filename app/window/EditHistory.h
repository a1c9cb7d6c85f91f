#pragma once
// The window's undo history and its Edit menu: one QUndoStack holding the
// user's edits of the scene, one ValueEdit family per kind of edit:
//   data      the Data dock's point set: a draw or erase stroke (press, drag,
//             release: one step), Clear, a CSV load, a preset's Apply
//   schedule  the Noise schedule dock (its Apply, a curve drag)
//   training  the Training dock's learning rate, batch, EMA decay, EMA weights
//   model     the Model dock's Apply (network and objective)
//   sampler   every row of the Sampler dock
//   layers    every toggle, slider and resolution of the Layers dock
// Each step keeps the value before and after (plain values: a point set is an
// immutable shared Dataset, the setups are copied). Undo and redo hand the
// value to the dock's restore(), which shows it and announces it as the
// user's edit would: the window applies it by the same path (retraining where
// Apply retrains), and the history does not record it again.
//
// How edits are seen: the history listens to the same dock signals the window
// applies, and is built after the window connected them, so (Qt calls slots in
// connection order) an edit has been applied, or refused, when it is
// recorded: the value after is what runs, a refused edit records nothing.
// Settings the window moves because of another edit (the Sampler dock's
// derived step sizes following new data, a new schedule or a new model) are
// part of that edit, not steps of their own.
//
// Starting a scene (a lecture preset, opening a file, restoring an autosave)
// clears the history: the scene is where undo stops, so edits made after a
// scene is reopened undo exactly back to the reopened scene.
#include "engine/SceneController.h"
#include "window/Docks.h"
#include "window/EditChanges.h"
#include "window/ValueEdit.h"

#include <QObject>

class QMenu;
class QMenuBar;
class QUndoStack;

namespace ss::window {

class EditHistory : public QObject {
    Q_OBJECT
public:
    // Build it after the window has connected the docks to the controller.
    EditHistory(const Docks& docks, app::SceneController* controller, QObject* parent);

    QUndoStack* stack() const { return stack_; }
    // Adds the Edit menu: Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z, Ctrl+Y), each
    // naming its step ("Undo Draw 24 points") and greyed when there is none.
    QMenu* addMenu(QMenuBar* bar);
    // A scene was started or opened: the history is cleared and starts from it.
    void sceneReplaced();

private:
    // The state the next edit starts from (what the last step left).
    struct Known {
        DataState data;
        app::SceneSetup setup;
        view::LayerSettings layers;
    };
    Known now() const;
    void connectDocks();
    template <class Value>
    void record(const EditFamily<Value>& family, const Value& before, const Value& after);
    // Applies a step's value through its dock; what that announces is not recorded.
    template <class Value>
    EditFamily<Value> makeFamily(int id, EditChange (*change)(const Value&, const Value&),
                             std::function<void(const Value&)> restore);
    bool editInProgress() const; // data, schedule or model moved but not recorded yet

    Docks docks_;
    app::SceneController* controller_;
    QUndoStack* stack_;
    Known known_;
    bool replaying_ = false;
    EditFamily<DataState> data_;
    EditFamily<NoiseSchedule> schedule_;
    EditFamily<app::TrainingSetup> training_, model_;
    EditFamily<app::SamplingSetup> sampler_;
    EditFamily<view::LayerSettings> layers_;
};

} // namespace ss::window

#include "window/EditHistory.h"

#include <QAction>
#include <QMenu>
#include <QMenuBar>
#include <QScopedValueRollback>
#include <QUndoStack>

namespace ss::window {

template <class Value>
EditFamily<Value> EditHistory::makeFamily(int id, EditChange (*change)(const Value&, const Value&),
                                      std::function<void(const Value&)> restore)
{
    return {id, change, [this, restore = std::move(restore)](const Value& v) {
                {
                    const QScopedValueRollback<bool> quiet(replaying_, true);
                    restore(v);
                }
                known_ = now(); // what the dock's path made of it (a refusal included)
            }};
}

EditHistory::EditHistory(const Docks& docks, app::SceneController* controller, QObject* parent)
    : QObject(parent), docks_(docks), controller_(controller), stack_(new QUndoStack(this))
{
    data_ = makeFamily<DataState>(1, &dataChange, [this](const DataState& v) {
        docks_.data->restore(v.data, v.origin, v.title);
    });
    schedule_ = makeFamily<NoiseSchedule>(2, &scheduleChange, [this](const NoiseSchedule& v) {
        docks_.schedule->restore(v);
    });
    training_ = makeFamily<app::TrainingSetup>(3, &trainingChange, [this](const app::TrainingSetup& v) {
        docks_.training->restore(v);
    });
    model_ = makeFamily<app::TrainingSetup>(4, &modelChange, [this](const app::TrainingSetup& v) {
        docks_.model->restore(v.model, v.objective);
    });
    sampler_ = makeFamily<app::SamplingSetup>(5, &samplerChange, [this](const app::SamplingSetup& v) {
        app::SamplingSetup s = v; // the dock's rows; schedule and data stay the scene's
        s.schedule = controller_->setup().sampling.schedule;
        s.data = controller_->setup().sampling.data;
        docks_.sampler->restore(s);
    });
    layers_ = makeFamily<view::LayerSettings>(6, &layersChange, [this](const view::LayerSettings& v) {
        docks_.layers->restore(v);
    });
    known_ = now();
    connectDocks();
}

EditHistory::Known EditHistory::now() const
{
    const app::SceneSetup& s = controller_->setup();
    return {{docks_.data->current(), docks_.data->origin(), s.title}, s, docks_.layers->layers()};
}

template <class Value>
void EditHistory::record(const EditFamily<Value>& family, const Value& before, const Value& after)
{
    if (replaying_) return; // undo or redo: family.apply takes the new state
    const EditChange change = family.change(before, after);
    if (!change.what.isEmpty()) stack_->push(new ValueEdit<Value>(family, change, before, after));
    known_ = now(); // consequences of the edit (derived sampler values) are part of it
}

bool EditHistory::editInProgress() const
{
    const app::TrainingSetup& t = controller_->setup().training;
    const app::TrainingSetup& k = known_.setup.training;
    return docks_.data->current() != known_.data.data || !sameSchedule(t.schedule, k.schedule) || !(t.model == k.model) ||
        !(t.objective == k.objective);
}

void EditHistory::connectDocks()
{
    const auto data = [this] { record(data_, known_.data, now().data); };
    connect(docks_.data, &DataPanel::dataChanged, this, data);
    // A stroke is one step: its points are recorded when it ends.
    connect(docks_.data, &DataPanel::pointsEdited, this, [data](const std::shared_ptr<const Dataset>&, bool strokeDone) {
        if (strokeDone) data();
    });
    connect(docks_.schedule, &SchedulePanel::scheduleRequested, this, [this] {
        record(schedule_, known_.setup.training.schedule, controller_->setup().training.schedule);
    });
    const auto training = [this] { record(training_, known_.setup.training, controller_->setup().training); };
    connect(docks_.training, &TrainingPanel::learningRateChanged, this, training);
    connect(docks_.training, &TrainingPanel::batchSizeChanged, this, training);
    connect(docks_.training, &TrainingPanel::emaDecayChanged, this, training);
    connect(docks_.training, &TrainingPanel::useEmaChanged, this, training);
    connect(docks_.model, &ModelPanel::applyRequested, this,
            [this] { record(model_, known_.setup.training, controller_->setup().training); });
    const auto sampler = [this] {
        // Nested in a data, schedule or model edit: the derived step sizes
        // followed it; that edit records them (and its undo moves them back).
        if (editInProgress()) return;
        record(sampler_, known_.setup.sampling, controller_->setup().sampling);
    };
    connect(docks_.sampler, &SamplerPanel::settingsChanged, this, sampler);
    connect(docks_.sampler, &SamplerPanel::sourceChanged, this, sampler);
    connect(docks_.layers, &LayersPanel::layersChanged, this,
            [this] { record(layers_, known_.layers, docks_.layers->layers()); });
    // A sampler change the worker refused: the dock and the setup show what runs.
    connect(controller_, &app::SceneController::samplerReverted, this, [this] {
        if (!replaying_) known_.setup.sampling = controller_->setup().sampling;
    });
}

void EditHistory::sceneReplaced()
{
    stack_->clear();
    known_ = now();
}

QMenu* EditHistory::addMenu(QMenuBar* bar)
{
    QMenu* menu = bar->addMenu(tr("&Edit"));
    QAction* undo = stack_->createUndoAction(menu, tr("&Undo"));
    undo->setObjectName("editUndo");
    undo->setShortcuts(QKeySequence::Undo);
    QAction* redo = stack_->createRedoAction(menu, tr("&Redo"));
    redo->setObjectName("editRedo");
    redo->setShortcuts({QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Z), QKeySequence(Qt::CTRL | Qt::Key_Y)});
    menu->addAction(undo);
    menu->addAction(redo);
    return menu;
}

} // namespace ss::window

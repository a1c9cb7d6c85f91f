// The Edit menu's undo and redo (EditHistory, offscreen, the window built but
// not shown): each undoable edit, made as the user makes it (mouse strokes on
// the scene, the docks' own widgets), reverts exactly, redoes exactly, shows
// the reverted value in its dock and applies it to the running scene; a
// stroke is one step, a spin box's quick edits merge into one, and a reopened
// scene is where undo stops.
//
// To add a case: build an UndoWindow, edit through a dock's widget, then
// undo() / redo() and compare the dock and controller()->setup().
#include "AppTestSupport.h"
#include "core/Csv.h"
#include "core/Presets.h"
#include "window/MainWindow.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMouseEvent>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QUndoStack>
#include <QtTest>

using namespace ss;
using namespace ss::window;
using apptest::eventually;
using apptest::smallScene;

namespace {
// The window, its undo stack and the Edit menu's actions, with mouse strokes
// on a scene of known size.
struct UndoWindow {
    MainWindow w{smallScene(), false};
    QUndoStack* stack = w.history()->stack();
    QAction* undoAction = w.findChild<QAction*>("editUndo");
    QAction* redoAction = w.findChild<QAction*>("editRedo");

    UndoWindow()
    {
        w.scene()->resize(800, 600);
        w.scene()->resetView();
    }
    const app::SceneSetup& setup() const { return w.controller()->setup(); }
    void undo() { undoAction->trigger(); }
    void redo() { redoAction->trigger(); }

    void useTool(view::DrawTool tool, double radius = 0.25, int spray = 6)
    {
        w.dataPanel()->findChild<QDoubleSpinBox*>("brushRadius")->setValue(radius);
        w.dataPanel()->findChild<QSpinBox*>("sprayDensity")->setValue(spray);
        auto* tools = w.dataPanel()->findChild<QComboBox*>("drawTool");
        tools->setCurrentIndex(tools->findData(int(tool)));
    }
    void mouse(QEvent::Type type, QPointF px, Qt::MouseButton button, Qt::MouseButtons held)
    {
        QMouseEvent e(type, px, w.scene()->mapToGlobal(px), button, held, Qt::NoModifier);
        QCoreApplication::sendEvent(w.scene(), &e);
    }
    // Press, drag through the points, release: one stroke.
    void stroke(const std::vector<QPointF>& path)
    {
        mouse(QEvent::MouseButtonPress, path.front(), Qt::LeftButton, Qt::LeftButton);
        for (std::size_t i = 1; i < path.size(); ++i) mouse(QEvent::MouseMove, path[i], Qt::NoButton, Qt::LeftButton);
        mouse(QEvent::MouseButtonRelease, path.back(), Qt::LeftButton, {});
    }
    QPointF pixelOf(const Eigen::Vector2d& world) const
    {
        const QRectF r = w.scene()->visibleRect();
        const double pixel = r.width() / w.scene()->width();
        return {(world.x() - r.left()) / pixel, (r.bottom() - world.y()) / pixel};
    }
};

// The same kind and levels (what a schedule edit changes).
bool sameLevels(const NoiseSchedule& a, const NoiseSchedule& b)
{
    return a.kind() == b.kind() && a.sigmas() == b.sigmas() && a.betas() == b.betas();
}

bool sameLayers(const view::LayerSettings& a, const view::LayerSettings& b)
{
    return a == b; // every layer, the arrows and the heat cells
}

bool samePoints(const Dataset& a, const Dataset& b)
{
    return a.points.cols() == b.points.cols() && a.points == b.points && a.labels == b.labels;
}
} // namespace

class TestAppUndo : public QObject {
    Q_OBJECT
private slots:
    void editMenuNamesTheStepAndGreysWhenEmpty();
    void strokeIsOneStepAndRevertsExactly();
    void eraseAndClearRevert();
    void csvLoadAndPresetApplyRevert();
    void scheduleEditReverts();
    void trainingSettingRevertsAndMerges();
    void samplerSettingReverts();
    void layersSettingReverts();
    void modelApplyRevertsAndRetrains();
    void undoAfterReopeningStopsAtTheReopenedScene();
};

void TestAppUndo::editMenuNamesTheStepAndGreysWhenEmpty()
{
    UndoWindow u;
    QVERIFY(u.undoAction && u.redoAction);
    QMenu* edit = nullptr;
    for (QAction* a : u.w.menuBar()->actions())
        if (a->text() == "&Edit") edit = a->menu();
    QVERIFY(edit);
    QVERIFY(edit->actions().contains(u.undoAction) && edit->actions().contains(u.redoAction));
    QCOMPARE(u.undoAction->shortcut(), QKeySequence(QKeySequence::Undo));
    QVERIFY(u.redoAction->shortcuts().contains(QKeySequence("Ctrl+Shift+Z")));
    QVERIFY(u.redoAction->shortcuts().contains(QKeySequence("Ctrl+Y")));
    QVERIFY(!u.undoAction->isEnabled()); // nothing to undo at the start
    QVERIFY(!u.redoAction->isEnabled());

    auto* lr = u.w.trainingPanel()->findChild<QDoubleSpinBox*>("learningRate");
    const double was = lr->value();
    lr->setValue(0.001);
    QVERIFY(u.undoAction->isEnabled());
    QCOMPARE(u.undoAction->text(), QString("&Undo Learning rate %1 → 0.001").arg(was));
    u.undo();
    QVERIFY(!u.undoAction->isEnabled());
    QVERIFY(u.redoAction->isEnabled());
    QCOMPARE(u.redoAction->text(), QString("&Redo Learning rate %1 → 0.001").arg(was));
}

void TestAppUndo::strokeIsOneStepAndRevertsExactly()
{
    UndoWindow u;
    const auto before = u.w.dataPanel()->current();
    const QString title = u.setup().title;
    u.useTool(view::DrawTool::Add, 0.2, 5);
    u.stroke({{400, 300}, {410, 304}, {420, 308}, {430, 312}}); // 1 + 3 moves x 5
    const auto drawn = u.w.dataPanel()->current();
    QCOMPARE(drawn->size(), before->size() + 16);
    QCOMPARE(u.stack->count(), 1); // one stroke, one step
    QCOMPARE(u.undoAction->text(), QString("&Undo Draw 16 points"));

    u.undo();
    QCOMPARE(u.w.dataPanel()->current(), before); // the very set (the snapshot is exact)
    QCOMPARE(u.setup().training.data, before);     // and the scene runs on it
    QCOMPARE(u.setup().sampling.data, before);
    QCOMPARE(u.setup().title, title);
    QCOMPARE(u.stack->count(), 1); // undo records nothing
    QVERIFY(u.w.dataPanel()->findChild<QLabel*>("dataInfo")->text().contains(QString::number(before->size())));

    u.redo();
    QCOMPARE(u.w.dataPanel()->current(), drawn);
    QCOMPARE(u.setup().training.data, drawn);
    QCOMPARE(u.setup().title, QString("Drawn points"));

    // A second stroke is a second step; undoing both returns to the preset.
    u.stroke({{200, 200}, {210, 200}});
    QCOMPARE(u.stack->count(), 2);
    u.undo();
    QCOMPARE(u.w.dataPanel()->current(), drawn);
    u.undo();
    QCOMPARE(u.w.dataPanel()->current(), before);
    QVERIFY(samePoints(*u.setup().training.data, *before));
}

void TestAppUndo::eraseAndClearRevert()
{
    UndoWindow u;
    const auto before = u.w.dataPanel()->current();
    u.useTool(view::DrawTool::Erase, 0.5);
    const QPointF at = u.pixelOf(before->points.col(0));
    u.stroke({at, at + QPointF(5, 0), at + QPointF(10, 0)});
    const auto erased = u.w.dataPanel()->current();
    QVERIFY(erased->size() < before->size());
    QCOMPARE(u.stack->count(), 1);
    QCOMPARE(u.undoAction->text(), QString("&Undo Erase %1 points").arg(before->size() - erased->size()));

    QTest::mouseClick(u.w.dataPanel()->findChild<QPushButton*>("clearPoints"), Qt::LeftButton);
    QCOMPARE(u.w.dataPanel()->current()->size(), 0);
    QCOMPARE(u.undoAction->text(), QString("&Undo Clear %1 points").arg(erased->size()));
    u.undo();
    QCOMPARE(u.w.dataPanel()->current(), erased);
    QCOMPARE(u.setup().training.data, erased);
    u.undo();
    QCOMPARE(u.w.dataPanel()->current(), before);
    QCOMPARE(u.setup().training.data, before);
    u.redo();
    u.redo();
    QCOMPARE(u.w.dataPanel()->current()->size(), 0);
}

void TestAppUndo::csvLoadAndPresetApplyRevert()
{
    UndoWindow u;
    QTemporaryDir dir;
    const QString csv = dir.filePath("moons.csv");
    saveCsv(csv.toStdString(), makePreset("moons", 300, 5, {}));
    const auto before = u.w.dataPanel()->current();
    const DataOrigin origin = u.w.dataPanel()->origin();
    const QString title = u.setup().title;

    u.w.dataPanel()->loadCsvFile(csv);
    const auto loaded = u.w.dataPanel()->current();
    QCOMPARE(loaded->size(), 300);
    QCOMPARE(u.undoAction->text(), QString("&Undo Load moons.csv"));
    u.undo();
    QCOMPARE(u.w.dataPanel()->current(), before);
    QCOMPARE(u.setup().training.data, before);
    QCOMPARE(u.setup().title, title);
    u.redo();
    QCOMPARE(u.setup().training.data, loaded);
    QCOMPARE(u.setup().title, QString("moons.csv"));
    u.undo();

    // A preset with other fields: Apply, then undo puts the fields back too.
    auto* preset = u.w.dataPanel()->findChild<QComboBox*>("preset");
    preset->setCurrentIndex(preset->findData(QString("moons")));
    u.w.dataPanel()->findChild<QSpinBox*>("pointCount")->setValue(500);
    QTest::mouseClick(u.w.dataPanel()->findChild<QPushButton*>("applyData"), Qt::LeftButton);
    QCOMPARE(u.w.dataPanel()->current()->size(), 500);
    QCOMPARE(u.stack->count(), 1); // the redone load was dropped; the sampler's derived steps are part of the step
    QVERIFY(u.undoAction->text().startsWith("&Undo Apply preset"));
    u.undo();
    QCOMPARE(u.w.dataPanel()->current(), before);
    QCOMPARE(u.setup().training.data, before);
    QCOMPARE(u.w.dataPanel()->origin(), origin);
    QCOMPARE(u.w.dataPanel()->findChild<QSpinBox*>("pointCount")->value(), origin.count);
}

void TestAppUndo::scheduleEditReverts()
{
    UndoWindow u;
    SchedulePanel* panel = u.w.schedulePanel();
    const NoiseSchedule before = u.setup().training.schedule;
    auto* sigmaMax = panel->findChild<QDoubleSpinBox*>("sigmaMax");
    const double was = sigmaMax->value();
    sigmaMax->setValue(was * 2);
    QTest::mouseClick(panel->findChild<QPushButton*>("applySchedule"), Qt::LeftButton);
    const NoiseSchedule after = u.setup().training.schedule;
    QVERIFY(!sameLevels(after, before));
    QCOMPARE(u.stack->count(), 1);
    QVERIFY(u.undoAction->text().startsWith("&Undo Schedule"));

    u.undo();
    QVERIFY(sameLevels(u.setup().training.schedule, before));
    QVERIFY(sameLevels(u.setup().sampling.schedule, before));
    QCOMPARE(sigmaMax->value(), was);
    // The sampler runs the restored schedule.
    QVERIFY(eventually([&] { return sameLevels(u.w.sampling()->latest()->setup.schedule, before); }));
    u.redo();
    QVERIFY(sameLevels(u.setup().training.schedule, after));
    QCOMPARE(sigmaMax->value(), was * 2);
    QVERIFY(eventually([&] { return sameLevels(u.w.sampling()->latest()->setup.schedule, after); }));
}

void TestAppUndo::trainingSettingRevertsAndMerges()
{
    UndoWindow u;
    auto* lr = u.w.trainingPanel()->findChild<QDoubleSpinBox*>("learningRate");
    auto* batch = u.w.trainingPanel()->findChild<QSpinBox*>("batchSize");
    const double lr0 = lr->value();
    const int batch0 = batch->value();
    // Typing 0.001 moves the box several times: one step.
    lr->setValue(0.01);
    lr->setValue(0.005);
    lr->setValue(0.001);
    QCOMPARE(u.stack->count(), 1);
    QCOMPARE(u.undoAction->text(), QString("&Undo Learning rate %1 → 0.001").arg(lr0));
    // Another box is another step, and ends the merging.
    batch->setValue(batch0 * 2);
    lr->setValue(0.002);
    QCOMPARE(u.stack->count(), 3);

    u.undo(); // lr 0.001 -> back
    QCOMPARE(lr->value(), 0.001);
    u.undo(); // batch
    QCOMPARE(batch->value(), batch0);
    QCOMPARE(u.setup().training.trainer.batchSize, batch0);
    u.undo(); // the merged lr step
    QCOMPARE(lr->value(), lr0);
    QCOMPARE(u.setup().training.optimizer.learningRate, lr0);
    QCOMPARE(u.stack->count(), 3);
    // The trainer takes it (its next snapshot reports the running learning rate).
    u.w.training()->postStep(1);
    QVERIFY(eventually([&] { return u.w.training()->latest()->step >= 1; }));

    u.redo();
    QCOMPARE(lr->value(), 0.001);
    QCOMPARE(u.setup().training.optimizer.learningRate, 0.001);

    // Typing back to where it began leaves no step.
    UndoWindow v;
    auto* lr2 = v.w.trainingPanel()->findChild<QDoubleSpinBox*>("learningRate");
    const double start = lr2->value();
    lr2->setValue(0.01);
    lr2->setValue(start);
    QCOMPARE(v.stack->count(), 0);
    QVERIFY(!v.undoAction->isEnabled());

    // The EMA check box too.
    auto* ema = v.w.trainingPanel()->findChild<QCheckBox*>("useEma");
    const bool ema0 = ema->isChecked();
    ema->setChecked(!ema0);
    v.undo();
    QCOMPARE(ema->isChecked(), ema0);
    QCOMPARE(v.setup().training.publishEma, ema0);
}

void TestAppUndo::samplerSettingReverts()
{
    UndoWindow u;
    SamplerPanel* panel = u.w.samplerPanel();
    auto* particles = panel->findChild<QSpinBox*>("particles");
    const int was = particles->value();
    particles->setValue(was + 50);
    emit particles->editingFinished(); // what the panel applies on
    QCOMPARE(u.setup().sampling.sampler.particles, was + 50);
    QCOMPARE(u.stack->count(), 1);
    QCOMPARE(u.undoAction->text(), QString("&Undo Particles %1 → %2").arg(was).arg(was + 50));

    // The score source (its own signal) is a step too.
    auto* source = panel->findChild<QComboBox*>("scoreSource");
    source->setCurrentIndex(source->findData(int(app::SourceKind::Exact)));
    QCOMPARE(u.setup().sampling.source, app::SourceKind::Exact);
    QCOMPARE(u.stack->count(), 2);

    u.undo();
    QCOMPARE(source->currentData().toInt(), int(app::SourceKind::Learned));
    QCOMPARE(u.setup().sampling.source, app::SourceKind::Learned);
    u.undo();
    QCOMPARE(particles->value(), was);
    QCOMPARE(u.setup().sampling.sampler.particles, was);
    QVERIFY(eventually([&] { return u.w.sampling()->latest()->particles.cols() == was; }));
    u.redo();
    QCOMPARE(particles->value(), was + 50);
    QVERIFY(eventually([&] { return u.w.sampling()->latest()->particles.cols() == was + 50; }));
    QCOMPARE(u.stack->count(), 2);
}

void TestAppUndo::layersSettingReverts()
{
    UndoWindow u;
    LayersPanel* panel = u.w.layersPanel();
    const view::LayerSettings before = panel->layers();
    auto* particles = panel->findChild<QCheckBox*>("layer7"); // the rows' order: Particles is the 7th
    QVERIFY(particles->isChecked());
    particles->setChecked(false);
    QCOMPARE(u.undoAction->text(), QString("&Undo Hide Particles"));
    // A slider drag: one step.
    auto* opacity = panel->findChild<QSlider*>("opacity1");
    for (int v = opacity->value(); v > 10; v -= 5) opacity->setValue(v - 5);
    QCOMPARE(u.stack->count(), 2);
    auto* arrows = panel->findChild<QSpinBox*>("arrowsPerSide");
    arrows->setValue(before.arrows + 4);
    QCOMPARE(u.stack->count(), 3);

    u.undo();
    u.undo();
    QCOMPARE(opacity->value(), int(100 * before.data.opacity));
    QVERIFY(!panel->layers().particles.visible);
    u.undo();
    QVERIFY(particles->isChecked());
    QVERIFY(sameLayers(panel->layers(), before));
    QVERIFY(sameLayers(u.w.scene()->layers(), before)); // the scene draws them
    u.redo();
    u.redo();
    u.redo();
    QCOMPARE(arrows->value(), before.arrows + 4);
    QCOMPARE(u.w.scene()->layers().arrows, before.arrows + 4);
    QVERIFY(!u.w.scene()->layers().particles.visible);
}

void TestAppUndo::modelApplyRevertsAndRetrains()
{
    UndoWindow u;
    const ModelConfig model0 = u.setup().training.model;
    QSignalSpy replaced(u.w.controller(), &app::SceneController::trainingReplaced);
    auto* depth = u.w.modelPanel()->findChild<QSpinBox*>("depth");
    QVERIFY(depth);
    depth->setValue(int(model0.hidden.size()) + 1);
    QTest::mouseClick(u.w.modelPanel()->findChild<QPushButton*>("applyModel"), Qt::LeftButton);
    QCOMPARE(int(u.setup().training.model.hidden.size()), int(model0.hidden.size()) + 1);
    QCOMPARE(replaced.count(), 1);
    QCOMPARE(u.stack->count(), 1);
    QVERIFY(u.undoAction->text().startsWith("&Undo Model"));
    u.undo();
    QVERIFY(u.setup().training.model == model0);
    QCOMPARE(depth->value(), int(model0.hidden.size()));
    QCOMPARE(replaced.count(), 2); // a new trainer, as Apply makes
    QVERIFY(eventually([&] { return u.w.training()->latest()->model == model0; }));
    u.redo();
    QCOMPARE(int(u.setup().training.model.hidden.size()), int(model0.hidden.size()) + 1);
}

void TestAppUndo::undoAfterReopeningStopsAtTheReopenedScene()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("saved.scorescope");
    UndoWindow u;
    auto* lr = u.w.trainingPanel()->findChild<QDoubleSpinBox*>("learningRate");
    lr->setValue(0.002);
    u.useTool(view::DrawTool::Add, 0.2, 4);
    u.stroke({{300, 300}, {320, 300}});
    u.w.saveScene(path);
    QVERIFY(eventually([&] { return u.w.sceneFile() == QFileInfo(path).absoluteFilePath(); }));
    // Edits after the save, then the file reopened: a new start.
    lr->setValue(0.004);
    QVERIFY(u.stack->count() > 0);
    QVERIFY(u.w.openScene(path));
    QCOMPARE(u.stack->count(), 0);
    QVERIFY(!u.undoAction->isEnabled());
    const auto reopened = u.w.dataPanel()->current();
    const NoiseSchedule schedule = u.setup().training.schedule;
    QCOMPARE(lr->value(), 0.002);
    QCOMPARE(reopened->size(), u.setup().training.data->size());

    // Edits of every kind after reopening ...
    lr->setValue(0.003);
    u.stroke({{400, 300}, {420, 300}});
    auto* sigmaMax = u.w.schedulePanel()->findChild<QDoubleSpinBox*>("sigmaMax");
    sigmaMax->setValue(sigmaMax->value() * 1.5);
    QTest::mouseClick(u.w.schedulePanel()->findChild<QPushButton*>("applySchedule"), Qt::LeftButton);
    u.w.layersPanel()->findChild<QCheckBox*>("layer8")->toggle();
    QCOMPARE(u.stack->count(), 4);
    // ... undo exactly back to the reopened scene, and no further.
    while (u.stack->canUndo()) u.undo();
    QCOMPARE(lr->value(), 0.002);
    QCOMPARE(u.setup().training.optimizer.learningRate, 0.002);
    QCOMPARE(u.w.dataPanel()->current(), reopened);
    QCOMPARE(u.setup().training.data, reopened);
    QVERIFY(sameLevels(u.setup().training.schedule, schedule));
    QVERIFY(!u.undoAction->isEnabled());
}

QTEST_MAIN(TestAppUndo)
#include "tst_app_undo.moc"

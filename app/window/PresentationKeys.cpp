#include "window/PresentationKeys.h"

#include "window/MainWindow.h"
#include "window/StepThrough.h"

#include <QAction>
#include <QCheckBox>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QSlider>

#include <algorithm>
#include <functional>

namespace ss::window {

namespace {
QMenu* lecturesMenu(QMainWindow* window)
{
    for (QAction* a : window->menuBar()->actions())
        if (a->menu() && a->text().remove('&') == QMenuBar::tr("Lectures")) return a->menu();
    return nullptr;
}

void clickButton(QWidget* panel, const char* name)
{
    if (auto* b = panel->findChild<QPushButton*>(name)) b->click();
}
} // namespace

PresentationKeys::PresentationKeys(MainWindow* window) : QObject(window), window_(window)
{
    keysMenu_ = new QMenu(tr("Teaching &keys (click the scene first)"), window);
    keysMenu_->setObjectName("teachingKeys");
    view::SceneView* scene = window->scene();
    auto add = [&](const QString& text, QKeySequence key, const QString& name, std::function<void()> run) {
        auto* a = new QAction(text, this);
        a->setObjectName(name);
        a->setShortcut(key);
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut); // the scene's focus only
        connect(a, &QAction::triggered, this, std::move(run));
        scene->addAction(a);
        keysMenu_->addAction(a);
    };
    add(tr("Play / pause sampling"), Qt::Key_Space, "keyPlayPause", [this] { playPause(); });
    add(tr("One sampler step"), Qt::Key_Right, "keyStep",
        [this] { clickButton(window_->samplerPanel(), "samplerStep"); });
    add(tr("Reset the particles"), Qt::Key_R, "keyReset",
        [this] { clickButton(window_->samplerPanel(), "samplerReset"); });
    add(tr("Follow a particle (step-through) / stop"), Qt::Key_F, "keyFollow",
        [this] { window_->stepThrough()->toggleNearCentre(); });
    add(tr("Next lesson step"), Qt::Key_PageDown, "keyNextStep", [this] { emit nextLessonStep(); });
    add(tr("Previous lesson step"), Qt::Key_PageUp, "keyPreviousStep", [this] { emit previousLessonStep(); });
    add(tr("More noise (σ up)"), Qt::Key_Up, "keyNoiseUp", [this] { scrubLevel(1); });
    add(tr("Less noise (σ down)"), Qt::Key_Down, "keyNoiseDown", [this] { scrubLevel(-1); });
    keysMenu_->addSeparator();
    for (int n = 1; n <= 9; ++n) {
        const auto* box = window_->layersPanel()->findChild<QCheckBox*>(QStringLiteral("layer%1").arg(n));
        if (!box) break;
        add(tr("Show / hide: %1").arg(box->text()), QKeySequence(Qt::Key_0 + n), QStringLiteral("keyLayer%1").arg(n),
            [this, n] { toggleLayer(n); });
    }
    nextLecture_ = connect(this, &PresentationKeys::nextLessonStep, this, [this] { stepLecture(1); });
    previousLecture_ = connect(this, &PresentationKeys::previousLessonStep, this, [this] { stepLecture(-1); });
    if (QMenu* lectures = lecturesMenu(window_))
        connect(lectures, &QMenu::triggered, this,
                [this, lectures](QAction* a) { lecture_ = int(lectures->actions().indexOf(a)); });
}

void PresentationKeys::addToMenu(QMenu* view) { view->addMenu(keysMenu_); }

void PresentationKeys::playPause()
{
    const bool playing = window_->sampling()->latest()->playing;
    clickButton(window_->samplerPanel(), playing ? "samplerPause" : "samplerPlay");
}

void PresentationKeys::toggleLayer(int number)
{
    if (auto* box = window_->layersPanel()->findChild<QCheckBox*>(QStringLiteral("layer%1").arg(number)))
        box->toggle(); // the dock emits layersChanged: the window shows it
}

void PresentationKeys::scrubLevel(int direction)
{
    QSlider* s = window_->scrubber()->slider();
    const int step = std::max(1, (s->maximum() - s->minimum()) / 25); // ~25 presses across
    s->setValue(s->value() + direction * step);
}

void PresentationKeys::stepLecture(int delta)
{
    QMenu* lectures = lecturesMenu(window_);
    if (!lectures || lectures->actions().isEmpty()) return;
    const int count = int(lectures->actions().size());
    const int next = lecture_ < 0 ? 0 : std::clamp(lecture_ + delta, 0, count - 1);
    if (next == lecture_) return; // at the first or last preset
    lectures->actions().at(next)->trigger(); // the menu's triggered() records it
}

void PresentationKeys::disconnectLectureStepping()
{
    disconnect(nextLecture_);
    disconnect(previousLecture_);
}

} // namespace ss::window

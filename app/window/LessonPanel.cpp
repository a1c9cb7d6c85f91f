#include "window/LessonPanel.h"

#include "core/Csv.h" // writeFileAtomically
#include "core/Error.h"
#include "engine/Boundary.h"

#include <QDir>
#include <QDockWidget>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace ss::window {

namespace {

// A wrapped label whose font is `scale` times the panel's (read from the back of a room).
QLabel* textLabel(QWidget* parent, double scale, bool bold = false)
{
    auto* l = new QLabel(parent);
    l->setWordWrap(true);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont f = l->font();
    f.setPointSizeF(f.pointSizeF() * scale);
    f.setBold(bold);
    l->setFont(f);
    return l;
}

// A run's end is the number these steps are about: it stays on show while
// the next run goes. The ELBO likewise (a new network's job publishes its
// first stages without it, so the last bound measured stays meanwhile).
bool measuredPerRun(LessonMeasure m)
{
    return m != LessonMeasure::Loss && m != LessonMeasure::Sigma && m != LessonMeasure::Elbo;
}

} // namespace

LessonPanel::LessonPanel(Hooks hooks, QWidget* parent) : QWidget(parent), hooks_(std::move(hooks))
{
    setObjectName("lessonPanel");
    measurePool_.setMaxThreadCount(1); // one measurement at a time (updateMeasure)
    auto* column = new QVBoxLayout(this);
    title_ = textLabel(this, 1.5, true);
    lookAt_ = textLabel(this, 1.15);
    counter_ = textLabel(this, 1.15, true);
    text_ = textLabel(this, 1.25);
    expect_ = textLabel(this, 1.25);
    measure_ = textLabel(this, 1.35, true);
    for (QLabel* plain : {title_, counter_, text_, measure_}) plain->setTextFormat(Qt::PlainText); // "σ_1 > … <" is no markup
    measure_->setStyleSheet("QLabel { background: #10324a; color: #ffffff; padding: 6px; border-radius: 4px; }");
    note_ = textLabel(this, 0.95);
    note_->setStyleSheet("QLabel { color: #555555; }");
    previous_ = new QPushButton(tr("◀ Previous"), this);
    next_ = new QPushButton(tr("Next ▶"), this);
    previous_->setToolTip(tr("The step before (Page Up)"));
    next_->setToolTip(tr("The next step: applies its settings (Page Down)"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(previous_);
    buttons->addWidget(counter_, 1, Qt::AlignCenter);
    buttons->addWidget(next_);
    newStepText_ = new QLineEdit(this);
    newStepText_->setPlaceholderText(tr("What the new step shows"));
    save_ = new QPushButton(tr("Save current scene as a new step"), this);
    save_->setToolTip(tr("Appends a step with the settings running now to your copy of this lesson, "
                         "which is loaded in place of the built-in one from then on"));
    column->addWidget(title_);
    column->addWidget(lookAt_);
    column->addLayout(buttons);
    column->addWidget(text_);
    column->addWidget(expect_);
    column->addWidget(measure_);
    column->addStretch(1);
    column->addWidget(newStepText_);
    column->addWidget(save_);
    column->addWidget(note_);
    connect(previous_, &QPushButton::clicked, this, &LessonPanel::previousStep);
    connect(next_, &QPushButton::clicked, this, &LessonPanel::nextStep);
    connect(save_, &QPushButton::clicked, this, [this] { saveCurrentAsStep(newStepText_->text()); });
    sinceRefresh_.start();
    title_->setText(tr("No lesson"));
    text_->setText(tr("Choose a lecture in the Lectures menu: its lesson is shown here step by step."));
    expect_->hide();
    measure_->hide();
    for (QWidget* w : std::initializer_list<QWidget*>{previous_, next_, save_, newStepText_}) w->setEnabled(false);
}

void LessonPanel::setLesson(const LecturePreset& p)
{
    preset_ = p;
    title_->setText(p.lesson.title);
    lookAt_->setText(tr("<b>Look at:</b> %1").arg(p.lesson.lookAt.toHtmlEscaped()));
    save_->setEnabled(true);
    newStepText_->setEnabled(true);
    showSource();
    showStep(0);
    bringDockForward(true); // the lesson comes to the front
}

void LessonPanel::bringDockForward(bool evenIfClosed)
{
    for (QWidget* up = parentWidget(); up; up = up->parentWidget())
        if (auto* dock = qobject_cast<QDockWidget*>(up)) {
            if (dock->isHidden() && !evenIfClosed) return;
            dock->show();
            dock->raise();
            return;
        }
}

void LessonPanel::setPresenting(bool on)
{
    newStepText_->setVisible(!on);
    save_->setVisible(!on);
    // Presenting a lecture shows its card; after, the card stays in front of
    // its tab group (the restored layout may have had Training there) unless
    // the dock was closed.
    if (preset_) bringDockForward(on);
}

void LessonPanel::nextStep()
{
    if (preset_ && step_ + 1 < stepCount()) showStep(step_ + 1);
}

void LessonPanel::previousStep()
{
    if (preset_ && step_ > 0) showStep(step_ - 1);
}

void LessonPanel::showStep(int index)
{
    step_ = index;
    lastFinished_.clear();
    const LessonStep& s = preset_->lesson.steps[std::size_t(index)];
    counter_->setText(stepLine());
    text_->setText(s.text);
    expect_->setText(tr("<b>You should see:</b> %1").arg(s.expect.toHtmlEscaped()));
    expect_->setVisible(!s.expect.isEmpty());
    measure_->setVisible(s.measure != LessonMeasure::None);
    if (hooks_.wantModelMeasure) hooks_.wantModelMeasure(s.measure == LessonMeasure::Elbo);
    previous_->setEnabled(index > 0);
    next_->setEnabled(index + 1 < stepCount());
    showSource();
    QString error;
    if (hooks_.apply && !app::guarded([&] { hooks_.apply(s); }, &error))
        note_->setText(tr("This step's settings were refused: %1").arg(error));
    measure_->clear();
    updateMeasure(true); // now, not a quarter second later
}

void LessonPanel::refreshMeasure() { updateMeasure(false); }

void LessonPanel::updateMeasure(bool force)
{
    if (force) { // a new step: nothing measured for it yet, and results in flight are the old step's
        ++measureGeneration_;
        measuring_ = measureAgain_ = false;
        measuredFrom_.clear();
    }
    if (!preset_ || !hooks_.measureInput) return;
    const LessonStep& s = preset_->lesson.steps[std::size_t(step_)];
    if (s.measure == LessonMeasure::None) return;
    const MeasureInput in = hooks_.measureInput(); // cheap: shared snapshots
    // A run's end is the number the step is about: kept while the next run
    // goes. It passes the throttle (once: measureKey counts it once).
    const bool elbo = s.measure == LessonMeasure::Elbo;
    const bool runEnd = (measuredPerRun(s.measure) && in.particles && in.particles->done && !in.particles->divergence) ||
                        (elbo && in.model && in.model->elbo);
    MeasureKey key = measureKey(s.measure, in);
    if (!force && key == measuredFrom_) return; // the same snapshots: the same text
    if (!force && !runEnd && sinceRefresh_.elapsed() < kRefreshMs) return;
    if (measuring_) { // one at a time: the newest snapshots are measured when it lands
        measureAgain_ = true;
        return;
    }
    sinceRefresh_.restart();
    measuredFrom_ = std::move(key);
    measuring_ = true;
    const quint64 generation = measureGeneration_;
    measurePool_.start([this, in, measure = s.measure, runEnd, generation] {
        QString now;
        try {
            now = measureText(measure, in);
        } catch (const std::exception& e) {
            now = tr("This number could not be measured: %1").arg(QString::fromUtf8(e.what()));
        }
        QMetaObject::invokeMethod(this, [this, now, runEnd, generation] { showMeasured(now, runEnd, generation); },
                                  Qt::QueuedConnection);
    });
}

void LessonPanel::showMeasured(const QString& now, bool runEnd, quint64 generation)
{
    if (generation != measureGeneration_ || !preset_) return;
    measuring_ = false;
    const LessonMeasure measure = preset_->lesson.steps[std::size_t(step_)].measure;
    const bool elbo = measure == LessonMeasure::Elbo;
    if (runEnd) lastFinished_ = now;
    measure_->setText(!(measuredPerRun(measure) || elbo) || lastFinished_.isEmpty() || lastFinished_ == now ? now
                      : elbo ? tr("%1\nlast measured: %2").arg(now, lastFinished_)
                             : tr("%1\nend of the last run: %2").arg(now, lastFinished_));
    if (measureAgain_) {
        measureAgain_ = false;
        updateMeasure(false);
    }
}

bool LessonPanel::saveCurrentAsStep(const QString& text, const QString& dir)
{
    if (!preset_ || !hooks_.currentScene) return false;
    const QString said = text.trimmed().isEmpty() ? tr("A scene saved from the window.") : text.trimmed();
    const QString path = QDir(dir).filePath(preset_->file);
    try {
        const QByteArray document = lectureWithStep(*preset_, hooks_.currentScene(), said,
                                                    tr("What the scene showed when it was saved."));
        if (!QDir().mkpath(dir)) throw InputError(dir.toStdString() + ": cannot create the folder");
        writeFileAtomically(path.toStdString(), document.toStdString());
        LecturePreset reread = lecturePresetFromJson(document, path);
        reread.file = preset_->file;
        reread.userCopy = path;
        preset_ = std::move(reread);
    } catch (const InputError& e) {
        note_->setText(tr("Not saved: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
    newStepText_->clear();
    step_ = stepCount() - 1; // the new step: it is what runs already
    counter_->setText(stepLine());
    text_->setText(preset_->lesson.steps.back().text);
    expect_->setText(tr("<b>You should see:</b> %1").arg(preset_->lesson.steps.back().expect.toHtmlEscaped()));
    previous_->setEnabled(step_ > 0);
    next_->setEnabled(false);
    measure_->hide();
    if (hooks_.wantModelMeasure) hooks_.wantModelMeasure(false); // a saved step has no live number
    showSource();
    return true;
}

void LessonPanel::showSource()
{
    note_->setText(preset_->userCopy.isEmpty()
                       ? tr("The built-in lesson (%1).").arg(preset_->file)
                       : tr("Your copy of this lesson, loaded in place of the built-in one: %1").arg(preset_->userCopy));
}

QString LessonPanel::stepLine() const
{
    return preset_ ? tr("Step %1 of %2").arg(step_ + 1).arg(stepCount()) : QString();
}

QString LessonPanel::stepText() const { return text_->text(); }
QString LessonPanel::expectText() const { return preset_ ? preset_->lesson.steps[std::size_t(step_)].expect : QString(); }
QString LessonPanel::measureLine() const { return measure_->isVisibleTo(this) ? measure_->text() : QString(); }
QString LessonPanel::noteText() const { return note_->text(); }

} // namespace ss::window

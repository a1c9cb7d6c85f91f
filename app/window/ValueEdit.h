#pragma once
// One undo step of the window (EditHistory): a value before and after the
// edit (a point set, a schedule, a dock's setup) and its family, which says
// what changed and applies a value the way the dock's own edit does.
//
// The edit has already happened when it is pushed, so the first redo() does
// nothing. Steps that change the same thing (one spin box, one slider) within
// kMergeMs of each other merge into one (typing "0.001" is one step); a merge
// that ends where the first step began makes it obsolete, and QUndoStack
// drops it.
#include <QString>
#include <QUndoCommand>

#include <chrono>
#include <functional>

namespace ss::window {

// What an edit changed: what (empty: nothing; steps merge only when it is the
// same), the step's name in the Edit menu, and whether steps of it may merge.
struct EditChange {
    QString what;
    QString text;
    bool merges = false;
};

template <class Value>
struct EditFamily {
    int id = 0; // QUndoCommand::id(): unique per family
    std::function<EditChange(const Value& before, const Value& after)> change;
    std::function<void(const Value&)> apply; // shows the value in its dock and applies it
};

template <class Value>
class ValueEdit : public QUndoCommand {
public:
    static constexpr std::chrono::milliseconds kMergeMs{2000};
    using Clock = std::chrono::steady_clock;

    // family must outlive the command (EditHistory owns both).
    ValueEdit(const EditFamily<Value>& family, const EditChange& change, Value before, Value after)
        : QUndoCommand(change.text), family_(family), what_(change.what), merges_(change.merges),
          before_(std::move(before)), after_(std::move(after)), at_(Clock::now())
    {
    }

    const Value& before() const { return before_; }
    const Value& after() const { return after_; }

    int id() const override { return merges_ ? family_.id : -1; }
    void undo() override { family_.apply(before_); }
    void redo() override
    {
        if (pushed_) {
            pushed_ = false; // the edit itself did it
            return;
        }
        family_.apply(after_);
    }
    bool mergeWith(const QUndoCommand* other) override
    {
        const auto* next = static_cast<const ValueEdit*>(other); // the same id: the same family
        if (next->what_ != what_ || next->at_ - at_ > kMergeMs) return false;
        after_ = next->after_;
        at_ = next->at_;
        const EditChange total = family_.change(before_, after_);
        setText(total.text);
        setObsolete(total.what.isEmpty()); // back where it began
        return true;
    }

private:
    const EditFamily<Value>& family_;
    QString what_;
    bool merges_;
    Value before_, after_;
    Clock::time_point at_;
    bool pushed_ = true;
};

} // namespace ss::window

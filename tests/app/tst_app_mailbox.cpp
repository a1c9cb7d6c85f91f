// What the three workers share (app/engine): the latest-value mailbox
// (Mailbox.h) and the guarded message (Boundary.h's postGuarded).
//
// Overview
//  - mailboxNumbers: null before the first publish, then the newest value,
//    numbered 1, 2, ... in order;
//  - mailboxAcrossThreads: readers on other threads see serials that never go
//    back while the writer publishes;
//  - postGuardedOrder: the message runs later on the receiver's thread; the
//    state is published before an error is reported, and a failing publish
//    is dropped;
//  - postGuardedSuccess: no report when apply() returns.
#include "engine/Boundary.h"
#include "core/Error.h"
#include "engine/Mailbox.h"

#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

using namespace ss;
using namespace ss::app;

namespace {

struct Value {
    int payload = 0;
    std::int64_t serial = 0;
};

} // namespace

class TestAppMailbox : public QObject {
    Q_OBJECT
private slots:
    void mailboxNumbers();
    void mailboxAcrossThreads();
    void postGuardedOrder();
    void postGuardedSuccess();
};

void TestAppMailbox::mailboxNumbers()
{
    Mailbox<Value> box;
    QVERIFY(!box.latest());
    for (int i = 1; i <= 3; ++i) box.publish(std::make_shared<Value>(Value{10 * i}));
    QCOMPARE(box.latest()->payload, 30);
    QCOMPARE(box.latest()->serial, std::int64_t(3));
}

void TestAppMailbox::mailboxAcrossThreads()
{
    Mailbox<Value> box;
    box.publish(std::make_shared<Value>());
    std::atomic<bool> stop{false}, wentBack{false};
    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r)
        readers.emplace_back([&] {
            std::int64_t last = 0;
            while (!stop) {
                const auto v = box.latest();
                if (v->serial < last) wentBack = true;
                last = v->serial;
            }
        });
    for (int i = 0; i < 20000; ++i) box.publish(std::make_shared<Value>(Value{i}));
    stop = true;
    for (std::thread& t : readers) t.join();
    QVERIFY(!wentBack);
    QCOMPARE(box.latest()->serial, std::int64_t(20001));
}

void TestAppMailbox::postGuardedOrder()
{
    QObject receiver;
    QStringList events;
    postGuarded(
        &receiver, [&] { events << "apply"; throw InputError("refused"); },
        [&] { events << "publish"; throw std::runtime_error("publish failed"); },
        [&](const QString& error) { events << "report " + error; });
    QVERIFY(events.isEmpty()); // queued: nothing runs before the event loop does
    QTRY_COMPARE(events.size(), 3);
    QCOMPARE(events, QStringList({"apply", "publish", "report refused"}));
}

void TestAppMailbox::postGuardedSuccess()
{
    QObject receiver;
    int published = 0, reports = 0;
    postGuarded(&receiver, [] {}, [&] { ++published; }, [&](const QString&) { ++reports; });
    QTRY_COMPARE(published, 1);
    QCOMPARE(reports, 0);
}

QTEST_GUILESS_MAIN(TestAppMailbox)
#include "tst_app_mailbox.moc"

// The worker pool (core/ThreadPool.h): both ways of splitting a range cover
// every index exactly once for any size and pool, errors come back to the
// caller, and the balanced split leaves results independent of which worker
// ran which piece (the network's score over a pool equals the plain call, bit
// for bit).
#include "core/NoiseSchedule.h"
#include "core/Presets.h"
#include "core/ScoreNet.h"
#include "core/ThreadPool.h"

#include <QtTest>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <vector>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

using namespace ss;

class TestThreadPool : public QObject {
    Q_OBJECT
private slots:
    void coversEveryIndexOnce_data();
    void coversEveryIndexOnce();
    void staticSplitIsFixed();
    void errorsReachTheCaller();
    void balancedScoreIsExact();
    void workersTakeTheNicenessAsked();
};

void TestThreadPool::coversEveryIndexOnce_data()
{
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("n");
    QTest::addColumn<int>("grain");
    QTest::newRow("empty") << 2 << 0 << 8;
    QTest::newRow("one piece") << 2 << 5 << 8;
    QTest::newRow("ragged end") << 2 << 1001 << 64;
    QTest::newRow("one thread") << 1 << 300 << 7;
    QTest::newRow("more threads than pieces") << 4 << 20 << 8;
    QTest::newRow("many pieces") << 3 << 100000 << 512;
}

void TestThreadPool::coversEveryIndexOnce()
{
    QFETCH(int, threads);
    QFETCH(int, n);
    QFETCH(int, grain);
    ThreadPool pool(threads);
    for (bool balanced : {false, true}) {
        std::vector<std::atomic<int>> hits(std::size_t(n) + 1);
        std::atomic<bool> misaligned{false};
        auto mark = [&](int begin, int end) {
            if (begin % grain != 0) misaligned = true;
            for (int i = begin; i < end; ++i) hits[std::size_t(i)]++;
        };
        if (balanced) pool.parallelForBalanced(n, grain, mark);
        else pool.parallelFor(n, grain, [&](int b, int e, int) { mark(b, e); });
        for (int i = 0; i < n; ++i) QCOMPARE(hits[std::size_t(i)].load(), 1);
        QCOMPARE(hits[std::size_t(n)].load(), 0);
        QVERIFY(!misaligned);
    }
}

void TestThreadPool::staticSplitIsFixed()
{
    // The trainer sums per-worker partial norms: worker w must always get the
    // same part, or the sum's rounding (and a resumed run) would drift.
    ThreadPool pool(2);
    std::vector<std::pair<int, int>> first(2), again(2);
    pool.parallelFor(10000, 4096, [&](int b, int e, int w) { first[std::size_t(w)] = {b, e}; });
    for (int round = 0; round < 20; ++round) {
        pool.parallelFor(10000, 4096, [&](int b, int e, int w) { again[std::size_t(w)] = {b, e}; });
        QCOMPARE(again, first);
    }
    QCOMPARE(first[0].first, 0);
    QCOMPARE(first[1].second, 10000);
}

void TestThreadPool::errorsReachTheCaller()
{
    ThreadPool pool(2);
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, pool.parallelForBalanced(1000, 10, [](int begin, int) {
        if (begin == 500) throw std::runtime_error("piece 50 failed");
    }));
    // The pool still works afterwards.
    std::atomic<int> total{0};
    pool.parallelForBalanced(1000, 10, [&](int b, int e) { total += e - b; });
    QCOMPARE(total.load(), 1000);
}

void TestThreadPool::balancedScoreIsExact()
{
    ModelConfig m;
    m.hidden = {32, 32};
    const ScoreNet net(m);
    const NoiseLevel level = NoiseSchedule::geometric(0.05, 2.0, 5).level(3);
    const Eigen::Matrix2Xd x = makePreset("moons", 10007, 4).points;
    Eigen::Matrix2Xd plain(2, x.cols()), pooled(2, x.cols());
    net.score(x, level, -1, plain);
    ThreadPool pool(3);
    for (int round = 0; round < 3; ++round) {
        pooled.setConstant(std::nan(""));
        scoreParallel(net, x, level, -1, pooled, pool);
        QVERIFY(pooled == plain);
    }
}

// The window's trainer lowers its pool's threads (ThreadPool::setNiceness):
// every worker takes it from its next job on; the caller's thread keeps its own.
void TestThreadPool::workersTakeTheNicenessAsked()
{
#ifdef __linux__
    const auto own = [] { return getpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid))); };
    const int before = own();
    if (before >= 19) QSKIP("this process already runs at the lowest priority");
    const int wanted = std::min(19, before + 3);
    ss::ThreadPool pool(3);
    std::vector<int> seen(3, -100);
    pool.run([&](int w) { seen[std::size_t(w)] = own(); });
    QCOMPARE(seen, std::vector<int>(3, before));
    pool.setNiceness(wanted);
    pool.run([&](int w) { seen[std::size_t(w)] = own(); });
    QCOMPARE(seen[0], before); // the caller
    QCOMPARE(seen[1], wanted);
    QCOMPARE(seen[2], wanted);
    QCOMPARE(own(), before);
#else
    QSKIP("thread priorities are set on Linux only");
#endif
}

QTEST_APPLESS_MAIN(TestThreadPool)
#include "tst_threadpool.moc"

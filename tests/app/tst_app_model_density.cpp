// The model-density layer (engine/DensityWorker, paint/DensityPaint, the
// Layers dock's tenth row): the grid arrives level by level off the GUI
// thread, finer levels replacing coarser ones; a view change cancels and
// restarts it; nothing is computed while the layer is hidden; the window's
// layer shows it; the heat map, the split and the difference are painted.
#include "AppTestSupport.h"
#include "engine/DensityWorker.h"
#include "paint/DensityPaint.h"
#include "paint/ScenePainter.h"
#include "view/SceneView.h"
#include "window/LayersPanel.h"
#include "window/MainWindow.h"

#include "core/Presets.h"

#include <QCheckBox>
#include <QComboBox>
#include <QThread>
#include <QtTest>

#include <mutex>

using namespace ss;
using apptest::eventually;

namespace {

std::shared_ptr<const ScoreNet> smallNet()
{
    ModelConfig m;
    m.hidden = {32, 32};
    m.seed = 3;
    return std::make_shared<const ScoreNet>(m);
}

app::DensityRequest request(double half, const NoiseSchedule& s)
{
    return {{-half, half, -half, half}, s.level(3), s};
}

bool isBackground(QRgb c) { return QColor(c) == view::kBackground; }

} // namespace

class TestAppModelDensity : public QObject {
    Q_OBJECT
private slots:
    void levelsArriveCoarseFirstOffTheGuiThread();
    void aNewViewCancelsAndRestarts();
    void hiddenComputesNothing();
    void windowLayerShowsIt();
    void heatMapSplitAndDifferenceArePainted();
};

void TestAppModelDensity::levelsArriveCoarseFirstOffTheGuiThread()
{
    auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 500, 1));
    const NoiseSchedule s = NoiseSchedule::geometric(0.05, 5, 10);
    app::DensityThread thread(data);
    app::DensityWorker* w = thread.worker();
    // Recorded as published, on the emitting thread (the GUI may see only the newest).
    std::mutex mutex;
    std::vector<int> sizes;
    QThread* emitter = nullptr;
    QObject::connect(
        w, &app::DensityWorker::snapshotReady, w,
        [&] {
            std::lock_guard lock(mutex);
            emitter = QThread::currentThread();
            sizes.push_back(w->latest()->size);
        },
        Qt::DirectConnection);
    w->postRequest(request(3, s));
    w->postNetwork(smallNet());
    w->postEnabled(true);
    // The GUI thread keeps serving events (eventually's waits) while the grid is computed.
    QVERIFY(eventually([&] { return w->latest() && w->latest()->done(); }, 120000));
    std::lock_guard lock(mutex);
    QVERIFY(emitter && emitter != QThread::currentThread());
    QCOMPARE(sizes.front(), 17);
    QCOMPARE(sizes.back(), 129);
    QVERIFY(std::is_sorted(sizes.begin(), sizes.end()));
    const app::DensityPtr d = w->latest();
    QCOMPARE(d->logModel.rows(), 129);
    QVERIFY(d->logModel.allFinite());
    // The true density beside it: the mixture's at the nodes and the level.
    Eigen::VectorXd truth(1);
    data->mixture->logDensity(densityNode(d->region, 129, 70, 20), s.level(3).marginal, truth);
    QVERIFY(std::abs(d->logTrue(70, 20) - truth(0)) < 1e-4);
}

void TestAppModelDensity::aNewViewCancelsAndRestarts()
{
    auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 500, 1));
    const NoiseSchedule s = NoiseSchedule::geometric(0.05, 5, 10);
    app::DensityThread thread(data);
    app::DensityWorker* w = thread.worker();
    w->postNetwork(smallNet());
    w->postEnabled(true);
    w->postRequest(request(3, s));
    QVERIFY(eventually([&] { return w->latest() != nullptr; }, 60000)); // the first level is in
    // Recorded as published (polling could miss the coarse level: on a fast
    // machine the next finer one replaces it within one poll).
    std::mutex mutex;
    bool coarseOfNewView = false;
    QObject::connect(
        w, &app::DensityWorker::snapshotReady, w,
        [&] {
            std::lock_guard lock(mutex);
            const auto latest = w->latest();
            coarseOfNewView = coarseOfNewView || (latest->region.xMax == 2 && latest->size == 17);
        },
        Qt::DirectConnection);
    w->postRequest(request(2, s)); // zoomed: the running grid stops at its next step, and starts again coarse
    QVERIFY(eventually([&] { std::lock_guard lock(mutex); return coarseOfNewView; }, 60000));
    QVERIFY(eventually([&] { return w->latest()->region.xMax == 2 && w->latest()->done(); }, 120000));
    QVERIFY(w->latest()->region.xMax == 2);
}

void TestAppModelDensity::hiddenComputesNothing()
{
    auto data = std::make_shared<const Dataset>(makePreset("8gaussians", 500, 1));
    const NoiseSchedule s = NoiseSchedule::geometric(0.05, 5, 10);
    app::DensityThread thread(data);
    app::DensityWorker* w = thread.worker();
    w->postNetwork(smallNet());
    w->postRequest(request(3, s));
    QTest::qWait(600);
    QVERIFY(!w->latest());
    w->postEnabled(true);
    QVERIFY(eventually([&] { return w->latest() != nullptr; }, 60000));
}

void TestAppModelDensity::windowLayerShowsIt()
{
    window::MainWindow win(apptest::smallScene(), false);
    win.show();
    QVERIFY(QTest::qWaitForWindowExposed(&win));
    auto* box = win.layersPanel()->findChild<QCheckBox*>("layer11");
    QVERIFY(box);
    QVERIFY(!box->isChecked()); // off by default: it costs seconds of CPU
    win.startAll(); // training publishes networks
    QVERIFY(eventually([&] { return win.controller()->latestNet() != nullptr; }, 20000));
    win.training()->postPause(); // no newer weights: the grid completes on these
    QVERIFY(!win.scene()->modelDensity());
    box->setChecked(true);
    QVERIFY(eventually([&] { return win.scene()->modelDensity() != nullptr; }, 60000));
    QCOMPARE(win.scene()->modelDensity()->level.marginal.std, win.scrubber()->level().marginal.std);
    QVERIFY(eventually([&] { return win.scene()->modelDensity()->done(); }, 120000));
    auto* view = win.layersPanel()->findChild<QComboBox*>("modelDensityView");
    QVERIFY(view);
    view->setCurrentIndex(int(view::DensityView::Difference));
    QCOMPARE(win.layersPanel()->layers().modelDensityView, view::DensityView::Difference);
}

void TestAppModelDensity::heatMapSplitAndDifferenceArePainted()
{
    // A 17 x 17 snapshot: the model one bump at (-1, 0), the truth one at (1, 0).
    auto d = std::make_shared<app::DensitySnapshot>();
    d->region = {-2, 2, -2, 2};
    d->level = NoiseLevel{{1.0, 0.31}, 0.3};
    d->size = 17;
    d->finalSize = 129;
    d->logModel.resize(17, 17);
    d->logTrue.resize(17, 17);
    for (int i = 0; i < 17; ++i)
        for (int j = 0; j < 17; ++j) {
            const Eigen::Vector2d x = densityNode(d->region, 17, i, j);
            d->logModel(i, j) = float(-(x - Eigen::Vector2d(-1, 0)).squaredNorm() / 0.5);
            d->logTrue(i, j) = float(-(x - Eigen::Vector2d(1, 0)).squaredNorm() / 0.5);
        }
    view::ScenePicture pic;
    pic.modelDensity = d;
    pic.layers.density.visible = false;
    pic.layers.modelDensity = {true, 1.0f};
    pic.world = QRectF(QPointF(-2, -2), QPointF(2, 2));
    const QSize size(400, 400);
    auto paint = [&](view::DensityView v) {
        pic.layers.modelDensityView = v;
        QImage image(size, QImage::Format_RGB32);
        QPainter p(&image);
        view::paintScene(p, pic, size);
        return image;
    };
    // World (x, y) to pixel.
    auto at = [&](const QImage& image, double x, double y) {
        return image.pixel(int((x + 2) / 4 * size.width()), int((2 - y) / 4 * size.height()));
    };
    // Viridis: the top of the bar yellow (red over blue), lower values blue.
    auto yellow = [](QRgb c) { return qRed(c) > qBlue(c) + 80; };
    auto bluish = [](QRgb c) { return qBlue(c) > qRed(c); };
    const QImage model = paint(view::DensityView::Model);
    QVERIFY(yellow(at(model, -1, 0)));  // the model's bump
    QVERIFY(bluish(at(model, 1, 0)));   // 8 nats down where the truth has its
    QVERIFY(!isBackground(at(model, 1, 0)));
    const QImage split = paint(view::DensityView::Split);
    QVERIFY(yellow(at(split, -1, 0)));  // left: the model's
    QVERIFY(yellow(at(split, 1, 0)));   // right: the truth's
    const QImage diff = paint(view::DensityView::Difference);
    const QColor above(at(diff, -1, 0)), below(at(diff, 1, 0));
    QVERIFY2(above.red() > above.blue() + 40, qPrintable(above.name()));     // the model's excess: red
    QVERIFY2(below.blue() > below.red() + 40, qPrintable(below.name()));     // its deficit: blue
    // The bar says what is shown, while refining too.
    const view::DensityHeat h = view::densityHeat(*d, view::DensityView::Difference);
    QVERIFY(h.bar.title.contains("log p_θ − log p") && h.bar.title.contains("σ = 0.31") &&
            h.bar.title.contains("17² of 129²"));
    QCOMPARE(h.bar.min, -h.bar.max);
}

QTEST_MAIN(TestAppModelDensity)
#include "tst_app_model_density.moc"

// ScoreScope's entry point: the main window with the default scene, and the
// options scripts use to capture it (--screenshot, --quit-after).
#include "ScenePreview.h"

#include "Dataset.h"
#include "Presets.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QLabel>
#include <QMainWindow>
#include <QPixmap>
#include <QScreen>
#include <QStatusBar>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>

namespace {

struct Options {
    QString screenshot;   // empty: none
    int quitAfterMs = -1; // < 0: run until closed
};

// Exits with status 2 and a message on bad options (QCommandLineParser's way).
Options parseOptions(const QApplication& app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("ScoreScope: a lab for 2D score-based generative models."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                        QStringLiteral("Save the main window to <file> (PNG) and quit."),
                                        QStringLiteral("file"));
    const QCommandLineOption quitAfter(
        QStringLiteral("quit-after"),
        QStringLiteral("Quit after <ms> milliseconds (with --screenshot: capture "
                       "then). Default with --screenshot: 500."),
        QStringLiteral("ms"));
    parser.addOption(screenshot);
    parser.addOption(quitAfter);
    parser.process(app);

    Options o;
    o.screenshot = parser.value(screenshot);
    if (parser.isSet(quitAfter)) {
        bool ok = false;
        o.quitAfterMs = parser.value(quitAfter).toInt(&ok);
        if (!ok || o.quitAfterMs < 0) {
            std::fprintf(stderr, "scorescope: --quit-after needs a non-negative number of milliseconds\n");
            std::exit(2);
        }
    }
    if (!o.screenshot.isEmpty() && o.quitAfterMs < 0) o.quitAfterMs = 500;
    return o;
}

QString presetTitle(const std::string& id)
{
    for (const auto& info : ss::presetCatalogue())
        if (info.id == id) return QString::fromStdString(info.title);
    return QString::fromStdString(id);
}

} // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("ScoreScope"));
    QApplication::setApplicationVersion(QStringLiteral(SCORESCOPE_VERSION));
    const Options options = parseOptions(app);

    QMainWindow window;
    window.setWindowTitle(QStringLiteral("ScoreScope"));
    auto* preview = new ScenePreview(&window);
    window.setCentralWidget(preview);

    auto* hoverLabel = new QLabel(&window);
    window.statusBar()->addPermanentWidget(hoverLabel);
    QObject::connect(preview, &ScenePreview::hovered, hoverLabel,
                     [hoverLabel](bool valid, QPointF x, QPointF s) {
                         hoverLabel->setText(valid ? QStringLiteral("x = (%1, %2)   s = (%3, %4)")
                                                         .arg(x.x(), 0, 'f', 2)
                                                         .arg(x.y(), 0, 'f', 2)
                                                         .arg(s.x(), 0, 'f', 2)
                                                         .arg(s.y(), 0, 'f', 2)
                                                   : QString());
                     });

    // The default scene: 8 Gaussians, their exact score at sigma = 0.5.
    const std::string presetId = "8gaussians";
    const int n = 2000;
    const ss::Marginal noise{1.0, 0.5};
    try {
        const auto start = std::chrono::steady_clock::now();
        const ss::Dataset data = ss::makePreset(presetId, n, 0);
        preview->setScene(data, presetTitle(presetId), noise);
        const double ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        window.statusBar()->showMessage(
            QStringLiteral(
                "%1: %2 points (seed 0) \u00b7 exact score (%3) at \u03c3 = %4 \u00b7 built in %5 ms")
                .arg(QString::fromStdString(presetId))
                .arg(data.size())
                .arg(data.mixture ? QStringLiteral("analytic mixture") : QStringLiteral("empirical"))
                .arg(noise.std)
                .arg(ms, 0, 'f', 1));
    } catch (const std::exception& e) {
        const QString message =
            QStringLiteral("Could not build the scene: %1").arg(QString::fromUtf8(e.what()));
        preview->showError(message);
        window.statusBar()->showMessage(message);
        std::fprintf(stderr, "scorescope: %s\n", qPrintable(message));
    }

    // A comfortable size for lectures, bounded by the screen.
    const QSize avail = window.screen() ? window.screen()->availableSize() : QSize(1280, 800);
    window.resize(std::min(1100, avail.width() * 9 / 10), std::min(1000, avail.height() * 9 / 10));
    window.show();

    int status = 0;
    if (options.quitAfterMs >= 0) {
        QTimer::singleShot(options.quitAfterMs, &app, [&] {
            if (!options.screenshot.isEmpty()) {
                const QPixmap shot = window.grab();
                if (shot.save(options.screenshot, "PNG")) {
                    std::fprintf(stderr, "scorescope: saved %s (%dx%d)\n", qPrintable(options.screenshot),
                                 shot.width(), shot.height());
                } else {
                    std::fprintf(stderr, "scorescope: could not write %s\n", qPrintable(options.screenshot));
                    status = 1;
                }
            }
            QApplication::quit();
        });
    }
    const int rc = app.exec();
    return status != 0 ? status : rc;
}

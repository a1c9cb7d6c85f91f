#pragma once
// What the export tests ask ffmpeg and ffprobe about a video: its stream
// (codec, size, rate, frame count), one decoded frame, and how far two images
// differ. Test-only helpers, shared by tst_export_video and tst_export_animation.
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QStandardPaths>
#include <QString>

#include <cstdlib>

namespace videoprobe {

inline bool haveFfmpeg()
{
    return !QStandardPaths::findExecutable("ffmpeg").isEmpty() &&
        !QStandardPaths::findExecutable("ffprobe").isEmpty();
}

struct Probe {
    QString codec, rate;
    int width = 0, height = 0, frames = 0;
};

inline Probe probe(const QString& path)
{
    QProcess p;
    p.start("ffprobe",
            {"-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries",
             "stream=codec_name,width,height,r_frame_rate,nb_read_frames", "-of", "json", path});
    if (!p.waitForFinished(60'000) || p.exitCode() != 0) return {};
    const QJsonObject s = QJsonDocument::fromJson(p.readAllStandardOutput())["streams"][0].toObject();
    return {s["codec_name"].toString(), s["r_frame_rate"].toString(), s["width"].toInt(), s["height"].toInt(),
            s["nb_read_frames"].toString().toInt()};
}

// Frame `index` of a video, decoded by ffmpeg to RGB.
inline QImage decodeFrame(const QString& video, int index, const QString& pngPath)
{
    QProcess p;
    p.start("ffmpeg",
            {"-v", "error", "-y", "-i", video, "-vf", QString("select=eq(n\\,%1)").arg(index), "-frames:v",
             "1", pngPath});
    if (!p.waitForFinished(60'000) || p.exitCode() != 0) return {};
    return QImage(pngPath).convertToFormat(QImage::Format_RGB888);
}

// Mean absolute difference per channel (0..255) of two images of one size.
inline double meanAbsDiff(const QImage& a, const QImage& b)
{
    const QImage x = a.convertToFormat(QImage::Format_RGB888), y = b.convertToFormat(QImage::Format_RGB888);
    double sum = 0;
    for (int r = 0; r < x.height(); ++r)
        for (int i = 0; i < x.width() * 3; ++i)
            sum += std::abs(int(x.constScanLine(r)[i]) - int(y.constScanLine(r)[i]));
    return sum / (double(x.width()) * x.height() * 3);
}

} // namespace videoprobe

#define REQUIRE_FFMPEG()                                                                                     \
    do {                                                                                                     \
        if (!videoprobe::haveFfmpeg()) QSKIP("ffmpeg and ffprobe are not on PATH (scripts/setup.sh installs them)"); \
    } while (false)

#include "paint/ColourMap.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace ss::view {

namespace {
struct Stop {
    double at;
    int r, g, b;
};
// Viridis at five stops (dark violet -> blue -> teal -> green -> yellow).
constexpr std::array<Stop, 5> kDensity{{{0.0, 68, 1, 84},
                                        {0.25, 59, 82, 139},
                                        {0.5, 33, 145, 140},
                                        {0.75, 94, 201, 98},
                                        {1.0, 253, 231, 37}}};
constexpr std::array<Stop, 3> kError{{{0.0, 255, 245, 235}, {0.5, 253, 141, 60}, {1.0, 165, 15, 21}}};
// ColorBrewer's RdBu, blue (model below the truth) through white to red (above).
constexpr std::array<Stop, 5> kDiverging{{{0.0, 33, 102, 172},
                                          {0.25, 146, 197, 222},
                                          {0.5, 247, 247, 247},
                                          {0.75, 244, 165, 130},
                                          {1.0, 178, 24, 43}}};

template <std::size_t N>
QColor interpolate(const std::array<Stop, N>& stops, double v)
{
    v = std::clamp(std::isfinite(v) ? v : 0.0, 0.0, 1.0);
    for (std::size_t i = 1; i < N; ++i)
        if (v <= stops[i].at) {
            const Stop &a = stops[i - 1], &b = stops[i];
            const double t = (v - a.at) / (b.at - a.at);
            return QColor(int(std::lround(a.r + t * (b.r - a.r))), int(std::lround(a.g + t * (b.g - a.g))),
                          int(std::lround(a.b + t * (b.b - a.b))));
        }
    return QColor(stops[N - 1].r, stops[N - 1].g, stops[N - 1].b);
}
} // namespace

QColor colourAt(ColourMapKind kind, double value)
{
    switch (kind) {
    case ColourMapKind::Error: return interpolate(kError, value);
    case ColourMapKind::Diverging: return interpolate(kDiverging, value);
    default: return interpolate(kDensity, value);
    }
}

QImage colourImage(ColourMapKind kind, const Eigen::ArrayXXf& values)
{
    const int rows = int(values.rows()), cols = int(values.cols());
    QImage image(cols, rows, QImage::Format_RGBA8888);
    for (int y = 0; y < rows; ++y) {
        auto* line = reinterpret_cast<unsigned char*>(image.scanLine(rows - 1 - y));
        for (int x = 0; x < cols; ++x) {
            const double v = std::clamp(double(values(y, x)), 0.0, 1.0);
            const QColor c = colourAt(kind, v);
            line[4 * x + 0] = uchar(c.red());
            line[4 * x + 1] = uchar(c.green());
            line[4 * x + 2] = uchar(c.blue());
            const double a = kind == ColourMapKind::Diverging ? std::abs(2 * v - 1) : v; // how much shows
            line[4 * x + 3] = uchar(std::lround(255 * std::min(1.0, 0.15 + 1.2 * a) * (a > 0.004 ? 1.0 : a / 0.004)));
        }
    }
    return image;
}

} // namespace ss::view

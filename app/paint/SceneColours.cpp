#include "paint/SceneColours.h"

#include <QObject> // tr()

namespace ss::view {

const ScenePalette& scenePalette(PaletteKind kind)
{
    // Standard: the screen's soft colours.
    static const ScenePalette standard{{70, 70, 80},  {120, 60, 170}, {200, 30, 45},  {220, 60, 70}, {230, 120, 20},
                                       {40, 90, 200}, {30, 110, 220}, {20, 160, 70}, {120, 120, 120},
                                       {0, 125, 125}};
    // High contrast, for projectors that wash colours out: darker, fully
    // saturated hues, far apart in lightness from the light background.
    static const ScenePalette high{{15, 15, 25},  {150, 0, 210}, {225, 0, 35},  {225, 0, 35}, {255, 110, 0},
                                   {0, 60, 220},  {0, 90, 255},  {0, 150, 40}, {40, 40, 40},
                                   {0, 105, 105}};
    // Okabe-Ito's eight colours, told apart with any common colour-vision
    // deficiency; the heat maps' ramps (viridis, white-to-red) already are.
    // (the learned and exact fields green and blue, far from the vermillion particles).
    static const ScenePalette okabeIto{{40, 40, 40},  {204, 121, 167}, {213, 94, 0},  {213, 94, 0}, {0, 158, 115},
                                       {0, 114, 178}, {86, 180, 233},  {230, 159, 0}, {90, 90, 90},
                                       {0, 0, 0}}; // the target in black: yellow, the eighth, is unreadable on white
    switch (kind) {
    case PaletteKind::HighContrast: return high;
    case PaletteKind::ColourBlindSafe: return okabeIto;
    case PaletteKind::Standard: break;
    }
    return standard;
}

QString paletteName(PaletteKind kind)
{
    switch (kind) {
    case PaletteKind::HighContrast: return QObject::tr("High contrast (projectors)");
    case PaletteKind::ColourBlindSafe: return QObject::tr("Colour-blind safe (Okabe–Ito)");
    case PaletteKind::Standard: break;
    }
    return QObject::tr("Standard");
}

QString paletteKey(PaletteKind kind)
{
    switch (kind) {
    case PaletteKind::HighContrast: return QStringLiteral("high-contrast");
    case PaletteKind::ColourBlindSafe: return QStringLiteral("colour-blind-safe");
    case PaletteKind::Standard: break;
    }
    return QStringLiteral("standard");
}

PaletteKind paletteFromKey(const QString& key)
{
    for (PaletteKind k : kPaletteKinds)
        if (paletteKey(k) == key) return k;
    return PaletteKind::Standard;
}

} // namespace ss::view

#pragma once
// The scene's colours, one table of palettes shared by the GL layers, the
// overlay's legend and the exports: the palette travels in the picture
// (ScenePicture::palette), never as a fixed constant at the point of use.
#include <QColor>
#include <QString>

namespace ss::view {

enum class PaletteKind { Standard, HighContrast, ColourBlindSafe };
inline constexpr PaletteKind kPaletteKinds[] = {PaletteKind::Standard, PaletteKind::HighContrast,
                                                PaletteKind::ColourBlindSafe};

// One colour per layer (the heat maps have their own ramps: paint/ColourMap).
struct ScenePalette {
    QColor data, noised, particles, trails, learned, exact;
    QColor drift, score, noise; // the step terms
    QColor target;              // the exact target of a conditioned run
};

const ScenePalette& scenePalette(PaletteKind kind);
QString paletteName(PaletteKind kind);        // "High contrast": the View menu's text
QString paletteKey(PaletteKind kind);         // "high-contrast": what QSettings stores
PaletteKind paletteFromKey(const QString& key); // Standard for an unknown key

inline const QColor kBackground = QColor::fromRgbF(0.985f, 0.985f, 0.98f); // behind every layer

} // namespace ss::view

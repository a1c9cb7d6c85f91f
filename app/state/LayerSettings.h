#pragma once
// What the Layers dock toggles: which layers the scene draws and how opaque,
// and the grid sizes of the fields. A plain value read by the GL view, the
// painter, the exports and the scene files (LayerSettingsJson.h).
namespace ss::view {

struct Layer {
    bool visible = true;
    float opacity = 1.0f;
    bool operator==(const Layer&) const = default;
};

struct LayerSettings {
    Layer data{true, 0.45f};
    Layer noised{false, 0.6f}; // the data noised to the scrubber's level
    Layer density{true, 0.85f};
    Layer error{false, 0.85f};
    Layer exactField{false, 0.8f};
    Layer learnedField{true, 0.9f};
    Layer particles{true, 0.95f};
    Layer trails{true, 0.45f};
    Layer decomposition{false, 1.0f};
    Layer target{true, 0.9f}; // the exact conditional target of a conditioned run (state/TargetProfile.h)
    int arrows = 28;     // score arrows per side of the field grid
    int heatCells = 128; // heat-map cells per side
    bool operator==(const LayerSettings&) const = default;
};

} // namespace ss::view

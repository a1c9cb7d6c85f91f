#pragma once
// What each family of undoable edits changed, as EditHistory names it in the
// Edit menu ("Draw 24 points", "Learning rate 0.005 → 0.001") and keys its
// merging (the field that changed). Pure functions of the values before and
// after; an empty EditChange::what means nothing changed (nothing recorded).
#include "core/Dataset.h"
#include "core/NoiseSchedule.h"
#include "core/SceneFile.h"
#include "state/LayerSettings.h"
#include "state/SamplingSetup.h"
#include "state/TrainingSetup.h"
#include "window/ValueEdit.h"

#include <QString>

#include <memory>

namespace ss::window {

// The Data dock's state: its point set (immutable, so the pointer is an exact
// snapshot), the preset fields and the scene's title for that set.
struct DataState {
    std::shared_ptr<const Dataset> data;
    DataOrigin origin;
    QString title;
    bool operator==(const DataState&) const = default;
};

// Every parameter and level the same (NoiseSchedule has no operator==).
bool sameSchedule(const NoiseSchedule& a, const NoiseSchedule& b);

EditChange dataChange(const DataState& before, const DataState& after);         // never merges
EditChange scheduleChange(const NoiseSchedule& before, const NoiseSchedule& after); // never merges
// The Training dock's knobs: learning rate, batch, EMA decay, EMA weights.
EditChange trainingChange(const app::TrainingSetup& before, const app::TrainingSetup& after);
// The Model dock's Apply: the network and the objective (never merges).
EditChange modelChange(const app::TrainingSetup& before, const app::TrainingSetup& after);
// The Sampler dock's rows (SamplerForm.h), named by the first that changed.
EditChange samplerChange(const app::SamplingSetup& before, const app::SamplingSetup& after);
EditChange layersChange(const view::LayerSettings& before, const view::LayerSettings& after);

} // namespace ss::window

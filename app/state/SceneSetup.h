#pragma once
// What a scene runs: the training and sampling setups, plus where its data came
// from (the Data dock shows it) and the title the caption uses. A plain value
// (Qt Core only); the SceneController holds the live one, lecture presets and
// scene files produce new ones.
#include "state/SamplingSetup.h"
#include "state/TrainingSetup.h"

#include <QString>

#include <cstdint>
#include <string>

namespace ss::app {

struct SceneSetup {
    TrainingSetup training;
    SamplingSetup sampling;
    QString title; // the data set's title for the caption
    std::string presetId = "8gaussians"; // where the data came from (the Data dock shows it)
    int points = 2000;
    std::uint64_t dataSeed = 0;
};

// 8 Gaussians, NCSN training, annealed Langevin with the learned score.
SceneSetup defaultScene();

} // namespace ss::app

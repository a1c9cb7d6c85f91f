#pragma once
// The training defaults of the CLI (`train`) and the window (Training dock,
// default scene) in one place, chosen so that, with every other option at its
// default, NCSN and DDPM models of each built-in preset sample about as sharply
// as the data (scripts/sharpness.sh measures it; the table is in the issue 11
// notes). The EMA warm-up (Optimizer.h, emaDecayAt) is part of what makes a
// short run sharp: without it the EMA still holds the initialisation.
#include "core/Optimizer.h"

namespace ss {

// 12,000 steps: DDPM's epsilon loss spends ~9% of its draws at the small
// noise levels that resolve a ring, so DDPM on rings needs twice the steps NCSN
// on 8 Gaussians does (rings, 6x128: 6,000 steps 0.64 near the data, 12,000
// steps 0.97; the data 0.99). About 20 s on 2 cores.
inline constexpr int kDefaultTrainSteps = 12000;     // CLI train --steps
inline constexpr int kDefaultBatchSize = 512;        // CLI train --batch
inline constexpr double kDefaultLearningRate = 5e-3; // Adam, CLI --lr and the Training dock
// The short run of the unit test (tst_defaults): about 10 s on a loaded 2-core
// machine; NCSN on 8 Gaussians turns sharp between 1,200 and 1,600 steps.
inline constexpr int kTestTrainSteps = 2000;

// The default optimiser for a run of `steps` steps: Adam at kDefaultLearningRate
// with clipping and the warmed-up EMA, the rate decayed along a cosine to a
// tenth by the run's end, which settles the weights the samplers use.
// steps = 0 (the window: training runs until paused, its length unknown): the
// same cosine over the CLI's default run (kDefaultTrainSteps), then held at
// the tenth. Held at 5e-3 instead, the default 6x128 network spiked: NCSN on
// rings (batch 256, the window's) had 26 batch losses above 5x the running
// median in 30,000 steps (the first after 11,000; up to 2e6, gradient norms
// to 7e7, which clipping cannot tame: Adam divides by its own running norm);
// with the decay and hold, none, a lower final loss (1.18 against 1.20), and
// 8 Gaussians after 16,000 steps 0.994 of the samples near the data against
// the data's 0.996 (constant: 0.986).
inline OptimizerConfig defaultOptimizer(int steps = 0)
{
    OptimizerConfig o;
    o.learningRate = kDefaultLearningRate;
    o.decay = LrDecay::Cosine;
    o.decaySteps = steps > 0 ? steps : kDefaultTrainSteps;
    o.finalFraction = 0.1;
    return o;
}

} // namespace ss

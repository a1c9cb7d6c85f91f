#pragma once
// Maximum-likelihood training of a CNF (core/Cnf.h): each step draws a batch
// of data points, fresh Hutchinson probes (when used), solves the flow, forms
// the mean NLL's gradient by the adjoint or by backpropagation, and applies
// one Adam update (clipping, EMA as for score networks).
//
// A step whose loss or gradient is not finite (or whose solve failed) is not
// applied; the learning rate is halved and the step is reported as skipped.
// Used by one thread at a time.
#include "core/Cnf.h"
#include "core/Dataset.h"
#include "core/Optimizer.h"
#include "core/Rng.h"

#include <cstdint>
#include <limits>
#include <memory>
#include <string>

namespace ss {

struct CnfTrainerConfig {
    int batchSize = 256;
    std::uint64_t seed = 0; // batches and probes
    void validate() const;  // batch in [1, 65536]
};

struct CnfStepStats {
    std::int64_t step = 0;            // updates applied after this call
    double loss = 0;                  // batch-mean NLL, nats
    double gradNorm = 0;              // before clipping
    long long forwardEvaluations = 0; // NFE of the forward solve
    long long backwardEvaluations = 0;// NFE (vector-Jacobian products) of the gradient
    std::int64_t bytesStored = 0;     // what the gradient method held
    double seconds = 0;               // wall time of the step
    // Hutchinson only: the batch-mean variance of the K-probe divergence
    // estimate at t = 0 (hutchinsonVariance of the exact Jacobian); NaN when exact.
    double hutchinsonVariance = std::numeric_limits<double>::quiet_NaN();
    bool skipped = false;             // non-finite step, not applied
};

class CnfTrainer {
public:
    // Throws InputError for an invalid configuration or an empty data set.
    CnfTrainer(std::shared_ptr<const Dataset> data, const CnfConfig& model, const CnfSolveConfig& solve,
               const OptimizerConfig& optimizer = {}, const CnfTrainerConfig& config = {});

    CnfStepStats step();

    const CnfNet& net() const { return net_; }
    CnfNet emaNet() const; // the same network with the EMA weights
    const Adam& optimizer() const { return adam_; }
    const CnfSolveConfig& solve() const { return solve_; }
    const Dataset& data() const { return *data_; }
    int skippedSteps() const { return skipped_; }

private:
    std::shared_ptr<const Dataset> data_;
    CnfSolveConfig solve_;
    CnfTrainerConfig config_;
    CnfNet net_;
    Adam adam_;
    Rng rng_;
    int skipped_ = 0;
};

} // namespace ss

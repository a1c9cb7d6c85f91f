#pragma once
// CNF model files: a trained continuous normalizing flow as JSON, a format of
// its own (a CNF is not a score network: it has no noise levels, so the score
// model file and every ScoreSource consumer stay as they are).
//
//   {"format": "scorescope-cnf", "version": 1,
//    "model": {"hidden": [...], "activation": "silu", "seed": N},
//    "solve": {"trace", "probes", "probe", "gradient", "method", "steps", "rtol", "atol"},
//    "optimizer": {...}, "step": N, "data": "gaussian", "params": [...], "ema": [...]}
//
// Read strictly: the wrong format, a newer version, unknown or missing fields,
// wrong types or ranges, parameter counts that do not match the network, or a
// file over 64 MB are refused with InputError naming the file and the field.
// Written atomically. Weights round-trip bit-exactly.
#include "core/Cnf.h"
#include "core/Optimizer.h"

#include <cstdint>
#include <string>

namespace ss {

class CnfTrainer;

struct CnfModel {
    static constexpr int kFormatVersion = 1;

    CnfConfig model;
    CnfSolveConfig solve; // how it was trained; sampling and NLL default to it
    OptimizerConfig optimizer;
    std::int64_t step = 0;
    std::string dataName;
    Eigen::VectorXf params = CnfNet(CnfConfig{}).mlp().params();
    Eigen::VectorXf ema = params;

    CnfNet net(bool useEma = true) const;
};

CnfModel cnfModelOf(const CnfTrainer& trainer);

std::string cnfModelToJsonText(const CnfModel& m);
CnfModel cnfModelFromJsonText(const std::string& text, const std::string& sourceName);
void saveCnfModel(const std::string& path, const CnfModel& m);
CnfModel loadCnfModel(const std::string& path);

} // namespace ss

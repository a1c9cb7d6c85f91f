#include "core/ConfigJson.h"

#include "core/Error.h"

#include <charconv>
#include <cmath>
#include <limits>

namespace ss {


namespace json {

const nlohmann::json& field(const nlohmann::json& obj, const char* key, const std::string& where)
{
    if (!obj.is_object()) throw InputError(where + ": expected an object");
    const auto it = obj.find(key);
    if (it == obj.end()) throw InputError(where + "." + key + ": missing");
    return *it;
}

double number(const nlohmann::json& obj, const char* key, const std::string& where)
{
    const auto& v = field(obj, key, where);
    if (!v.is_number()) throw InputError(where + "." + key + ": expected a number");
    const double d = v.get<double>();
    if (!std::isfinite(d)) throw InputError(where + "." + key + ": not a finite number");
    return d;
}

std::int64_t integer(const nlohmann::json& obj, const char* key, const std::string& where, std::int64_t min,
                     std::int64_t max)
{
    const auto& v = field(obj, key, where);
    if (!v.is_number_integer()) throw InputError(where + "." + key + ": expected an integer");
    const std::int64_t i = v.get<std::int64_t>();
    if (i < min || i > max)
        throw InputError(where + "." + key + ": " + std::to_string(i) + " is outside [" + std::to_string(min) + ", " +
                         std::to_string(max) + "]");
    return i;
}

std::uint64_t unsignedInteger(const nlohmann::json& obj, const char* key, const std::string& where)
{
    const auto& v = field(obj, key, where);
    // Parsed text gives number_unsigned for every non-negative integer; JSON
    // built in memory from signed values gives number_integer.
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
        throw InputError(where + "." + key + ": expected a non-negative integer");
    return v.get<std::uint64_t>();
}

bool boolean(const nlohmann::json& obj, const char* key, const std::string& where)
{
    const auto& v = field(obj, key, where);
    if (!v.is_boolean()) throw InputError(where + "." + key + ": expected true or false");
    return v.get<bool>();
}

std::string string(const nlohmann::json& obj, const char* key, const std::string& where)
{
    const auto& v = field(obj, key, where);
    if (!v.is_string()) throw InputError(where + "." + key + ": expected a string");
    return v.get<std::string>();
}

std::vector<double> numbers(const nlohmann::json& obj, const char* key, const std::string& where, size_t maxSize)
{
    const auto& v = field(obj, key, where);
    if (!v.is_array()) throw InputError(where + "." + key + ": expected an array of numbers");
    if (v.size() > maxSize)
        throw InputError(where + "." + key + ": " + std::to_string(v.size()) + " entries, more than the limit of " +
                         std::to_string(maxSize));
    std::vector<double> out;
    out.reserve(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
        if (!v[i].is_number() || !std::isfinite(v[i].get<double>()))
            throw InputError(where + "." + key + "[" + std::to_string(i) + "]: not a finite number");
        out.push_back(v[i].get<double>());
    }
    return out;
}

Eigen::VectorXf parameters(const nlohmann::json& obj, const char* key, const std::string& where, Eigen::Index count)
{
    const auto& v = field(obj, key, where);
    if (v.is_array() && v.size() != size_t(count)) // before reading: the array may be huge
        throw InputError(where + "." + key + ": " + std::to_string(v.size()) + " values, the architecture needs " +
                         std::to_string(count));
    const auto values = numbers(obj, key, where, size_t(count));
    Eigen::VectorXf out(count);
    for (Eigen::Index i = 0; i < count; ++i) {
        out[i] = float(values[size_t(i)]);
        if (!std::isfinite(out[i])) throw InputError(where + "." + key + "[" + std::to_string(i) + "]: overflows float");
    }
    return out;
}

nlohmann::json floatArray(const Eigen::VectorXf& v)
{
    std::vector<double> out(std::size_t(v.size()));
    for (Eigen::Index i = 0; i < v.size(); ++i) {
        char text[32];
        const auto end = std::to_chars(text, text + sizeof text, v[i]).ptr;
        double d = 0;
        std::from_chars(text, end, d);
        // Decimal -> double -> float can round twice; keep the exact value then.
        out[std::size_t(i)] = float(d) == v[i] ? d : double(v[i]);
    }
    return out;
}

} // namespace json

using json::located;

nlohmann::json toJson(const ModelConfig& c)
{
    return {{"hidden", c.hidden},
            {"activation", activationName(c.activation)},
            {"parametrisation", parametrisationName(c.parametrisation)},
            {"conditioning", conditioningName(c.conditioning)},
            {"rawNoiseInput", c.rawNoiseInput},
            {"embeddingFrequencies", c.embeddingFrequencies},
            {"numClasses", c.numClasses},
            {"seed", c.seed},
            {"sigmaData", c.sigmaData}};
}

ModelConfig modelConfigFromJson(const nlohmann::json& j, const std::string& where)
{
    ModelConfig c;
    const auto hidden = json::numbers(j, "hidden", where, 16);
    c.hidden.clear();
    for (double h : hidden) {
        if (h != std::floor(h) || h < 1 || h > 4096) throw InputError(where + ".hidden: widths must be integers in [1, 4096]");
        c.hidden.push_back(int(h));
    }
    c.activation = located(where + ".activation", [&] { return activationFromName(json::string(j, "activation", where)); });
    c.parametrisation = located(where + ".parametrisation",
                                [&] { return parametrisationFromName(json::string(j, "parametrisation", where)); });
    c.conditioning =
        located(where + ".conditioning", [&] { return conditioningFromName(json::string(j, "conditioning", where)); });
    c.rawNoiseInput = json::boolean(j, "rawNoiseInput", where);
    c.embeddingFrequencies = int(json::integer(j, "embeddingFrequencies", where, 0, 32));
    c.numClasses = int(json::integer(j, "numClasses", where, 0, 1024));
    c.seed = json::unsignedInteger(j, "seed", where);
    if (j.contains("sigmaData")) c.sigmaData = json::number(j, "sigmaData", where); // optional: files before it
    located(where, [&] { c.validate(); return 0; });
    return c;
}

nlohmann::json toJson(const ObjectiveConfig& c)
{
    return {{"kind", objectiveName(c.kind)},
            {"sigma", c.sigma},
            {"projections", c.projections},
            {"projection", c.projection == Projection::Gaussian ? "gaussian" : "rademacher"},
            {"vlbWeights", c.vlbWeights},
            {"labelDropout", c.labelDropout},
            {"weighting", weightingName(c.weighting)},
            {"minSnrGamma", c.minSnrGamma}};
}

ObjectiveConfig objectiveConfigFromJson(const nlohmann::json& j, const std::string& where)
{
    ObjectiveConfig c;
    c.kind = located(where + ".kind", [&] { return objectiveFromName(json::string(j, "kind", where)); });
    c.sigma = json::number(j, "sigma", where);
    c.projections = int(json::integer(j, "projections", where, 1, 16));
    const std::string projection = json::string(j, "projection", where);
    if (projection != "gaussian" && projection != "rademacher")
        throw InputError(where + ".projection: expected gaussian or rademacher");
    c.projection = projection == "gaussian" ? Projection::Gaussian : Projection::Rademacher;
    c.vlbWeights = json::boolean(j, "vlbWeights", where);
    c.labelDropout = json::number(j, "labelDropout", where);
    // Optional (files before weightings train with the natural one).
    if (j.contains("weighting"))
        c.weighting = located(where + ".weighting", [&] { return weightingFromName(json::string(j, "weighting", where)); });
    if (j.contains("minSnrGamma")) c.minSnrGamma = json::number(j, "minSnrGamma", where);
    return c;
}

nlohmann::json toJson(const OptimizerConfig& c)
{
    return {{"learningRate", c.learningRate}, {"beta1", c.beta1},           {"beta2", c.beta2},
            {"epsilon", c.epsilon},           {"clipNorm", c.clipNorm},     {"emaDecay", c.emaDecay},
            {"warmupSteps", c.warmupSteps},   {"decay", lrDecayName(c.decay)}, {"decaySteps", c.decaySteps},
            {"finalFraction", c.finalFraction}};
}

OptimizerConfig optimizerConfigFromJson(const nlohmann::json& j, const std::string& where)
{
    OptimizerConfig c;
    c.learningRate = json::number(j, "learningRate", where);
    c.beta1 = json::number(j, "beta1", where);
    c.beta2 = json::number(j, "beta2", where);
    c.epsilon = json::number(j, "epsilon", where);
    c.clipNorm = json::number(j, "clipNorm", where);
    c.emaDecay = json::number(j, "emaDecay", where);
    c.warmupSteps = int(json::integer(j, "warmupSteps", where, 0, std::numeric_limits<int>::max()));
    c.decay = located(where + ".decay", [&] { return lrDecayFromName(json::string(j, "decay", where)); });
    c.decaySteps = int(json::integer(j, "decaySteps", where, 1, std::numeric_limits<int>::max()));
    c.finalFraction = json::number(j, "finalFraction", where);
    located(where, [&] { c.validate(); return 0; });
    return c;
}

nlohmann::json toJson(const NoiseSchedule& s)
{
    nlohmann::json j{{"kind", s.name()}};
    switch (s.kind()) {
    case ScheduleKind::Geometric:
        j["sigmaMin"] = s.sigmaMin();
        j["sigmaMax"] = s.sigmaMax();
        j["levels"] = s.numLevels();
        break;
    case ScheduleKind::SigmaLevels: j["sigmas"] = s.sigmas(); break;
    case ScheduleKind::VeContinuous:
        j["sigmaMin"] = s.sigmaMin();
        j["sigmaMax"] = s.sigmaMax();
        break;
    case ScheduleKind::DdpmLinear:
        j["T"] = s.numLevels();
        j["beta1"] = s.betaMin();
        j["betaT"] = s.betaMax();
        j["rescale"] = s.ddpmRescaled();
        break;
    case ScheduleKind::DdpmCosine:
        j["T"] = s.numLevels();
        j["s"] = s.cosineS();
        break;
    case ScheduleKind::DdpmBetas:
        j["betas"] = std::vector<double>(s.betas().begin() + 1, s.betas().end());
        break;
    case ScheduleKind::Vp:
    case ScheduleKind::SubVp:
        j["betaMin"] = s.betaMin();
        j["betaMax"] = s.betaMax();
        break;
    case ScheduleKind::CustomCurve: {
        nlohmann::json points = nlohmann::json::array();
        for (const auto& p : s.curvePoints()) points.push_back({p.u, p.logSigma});
        j["points"] = points;
        j["levels"] = s.numLevels();
        break;
    }
    }
    return j;
}

NoiseSchedule scheduleFromJson(const nlohmann::json& j, const std::string& where)
{
    const std::string kind = json::string(j, "kind", where);
    constexpr size_t kMaxEntries = 100000;
    return located(where, [&]() -> NoiseSchedule {
        if (kind == "geometric")
            return NoiseSchedule::geometric(json::number(j, "sigmaMin", where), json::number(j, "sigmaMax", where),
                                            int(json::integer(j, "levels", where, 1, 10000)));
        if (kind == "sigma-levels") return NoiseSchedule::sigmaLevels(json::numbers(j, "sigmas", where, 10000));
        if (kind == "ve")
            return NoiseSchedule::veContinuous(json::number(j, "sigmaMin", where), json::number(j, "sigmaMax", where));
        if (kind == "ddpm-linear")
            return NoiseSchedule::ddpmLinear(int(json::integer(j, "T", where, 1, int(kMaxEntries))),
                                             json::number(j, "beta1", where), json::number(j, "betaT", where),
                                             json::boolean(j, "rescale", where));
        if (kind == "ddpm-cosine")
            return NoiseSchedule::ddpmCosine(int(json::integer(j, "T", where, 1, int(kMaxEntries))),
                                             json::number(j, "s", where));
        if (kind == "ddpm-betas") return NoiseSchedule::ddpmBetas(json::numbers(j, "betas", where, kMaxEntries));
        if (kind == "vp") return NoiseSchedule::vp(json::number(j, "betaMin", where), json::number(j, "betaMax", where));
        if (kind == "sub-vp")
            return NoiseSchedule::subVp(json::number(j, "betaMin", where), json::number(j, "betaMax", where));
        if (kind == "custom-curve") {
            const auto& pts = json::field(j, "points", where);
            if (!pts.is_array() || pts.size() > 1000) throw InputError("points: expected an array of at most 1000 [u, log sigma] pairs");
            std::vector<CurvePoint> points;
            for (size_t i = 0; i < pts.size(); ++i) {
                const auto& p = pts[i];
                if (!p.is_array() || p.size() != 2 || !p[0].is_number() || !p[1].is_number())
                    throw InputError("points[" + std::to_string(i) + "]: expected [u, log sigma]");
                points.push_back({p[0].get<double>(), p[1].get<double>()});
            }
            return NoiseSchedule::customCurve(points, int(json::integer(j, "levels", where, 0, 10000)));
        }
        throw InputError("kind: unknown schedule '" + kind + "'");
    });
}

nlohmann::json toJson(const TrainerConfig& c)
{
    return {{"batchSize", c.batchSize},
            {"threads", c.threads},
            {"chunk", c.chunk},
            {"minColumnsPerThread", c.minColumnsPerThread},
            {"seed", c.seed}};
}

TrainerConfig trainerConfigFromJson(const nlohmann::json& j, const std::string& where)
{
    TrainerConfig c;
    c.batchSize = int(json::integer(j, "batchSize", where, 1, 1'000'000));
    c.threads = int(json::integer(j, "threads", where, 0, 256));
    c.chunk = int(json::integer(j, "chunk", where, 1, 65536));
    c.minColumnsPerThread = int(json::integer(j, "minColumnsPerThread", where, 1, 1'000'000));
    c.seed = json::unsignedInteger(j, "seed", where);
    return c;
}

nlohmann::json toJson(const SamplerConfig& c)
{
    return {{"kind", samplerKindName(c.kind)},
            {"particles", c.particles},
            {"seed", c.seed},
            {"start", startKindName(c.start)},
            {"boxMin", c.boxMin},
            {"boxMax", c.boxMax},
            {"stepSize", c.stepSize},
            {"langevinStd", c.langevinStd},
            {"stepsPerLevel", c.stepsPerLevel},
            {"annealedLevels", c.annealedLevels},
            {"steps", c.steps},
            {"ddpmVariance", ddpmVarianceName(c.ddpmVariance)},
            {"eta", c.eta},
            {"ddimSteps", c.ddimSteps},
            {"spacing", ddimSpacingName(c.spacing)},
            {"predictor", predictorName(c.predictor)},
            {"correctorSteps", c.correctorSteps},
            {"snr", c.snr},
            {"ode", odeMethodName(c.ode)},
            {"rtol", c.rtol},
            {"atol", c.atol},
            {"direction", directionName(c.direction)},
            {"edmSteps", c.edmSteps},
            {"edmRho", c.edmRho},
            {"edmSigmaMin", c.edmSigmaMin},
            {"edmSigmaMax", c.edmSigmaMax},
            {"edmChurn", c.edmChurn},
            {"edmTmin", c.edmTmin},
            {"edmTmax", c.edmTmax},
            {"edmNoise", c.edmNoise},
            {"dpmSteps", c.dpmSteps},
            {"dpmOrder", c.dpmOrder},
            {"dpmMethod", dpmMethodName(c.dpmMethod)},
            {"dpmSpacing", dpmSpacingName(c.dpmSpacing)},
            {"fixCoordinate", c.fixCoordinate},
            {"fixValue", c.fixValue},
            {"resampleRounds", c.resampleRounds},
            {"fixPinned", c.fixPinned},
            {"recordEvery", c.recordEvery},
            {"recordBytes", c.recordBytes}};
}

nlohmann::json toJson(const GuidanceConfig& c)
{
    return {{"kind", guidanceKindName(c.kind)}, {"label", c.label}, {"gamma", c.gamma}};
}

GuidanceConfig guidanceConfigFromJson(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object()) throw InputError(where + ": expected an object");
    for (const auto& [key, value] : j.items())
        if (key != "kind" && key != "label" && key != "gamma") throw InputError(where + "." + key + ": unknown guidance field");
    GuidanceConfig c;
    c.kind = json::located(where + ".kind", [&] { return guidanceKindFromName(json::string(j, "kind", where)); });
    c.label = int(json::integer(j, "label", where, 0, 1023));
    c.gamma = json::number(j, "gamma", where);
    json::located(where, [&] {
        c.validate();
        return 0;
    });
    return c;
}

SamplerConfig samplerConfigFromJson(const nlohmann::json& j, const std::string& where)
{
    if (!j.is_object()) throw InputError(where + ": expected an object");
    SamplerConfig c;
    const nlohmann::json known = toJson(c);
    for (const auto& [key, value] : j.items())
        if (!known.contains(key)) throw InputError(where + "." + key + ": unknown sampler field");
    auto num = [&](const char* k, double& out) {
        if (j.contains(k)) out = json::number(j, k, where);
    };
    auto integer = [&](const char* k, auto& out, std::int64_t lo, std::int64_t hi) {
        if (j.contains(k)) out = static_cast<std::remove_reference_t<decltype(out)>>(json::integer(j, k, where, lo, hi));
    };
    auto name = [&](const char* k, auto& out, auto parse) {
        if (j.contains(k)) out = located(where + "." + k, [&] { return parse(json::string(j, k, where)); });
    };
    name("kind", c.kind, samplerKindFromName);
    integer("particles", c.particles, 1, 10'000'000);
    integer("seed", c.seed, 0, std::numeric_limits<std::int64_t>::max());
    name("start", c.start, startKindFromName);
    num("boxMin", c.boxMin);
    num("boxMax", c.boxMax);
    num("stepSize", c.stepSize);
    num("langevinStd", c.langevinStd);
    integer("stepsPerLevel", c.stepsPerLevel, 1, 1'000'000);
    integer("annealedLevels", c.annealedLevels, 1, 10'000);
    integer("steps", c.steps, 1, 10'000'000);
    name("ddpmVariance", c.ddpmVariance, ddpmVarianceFromName);
    num("eta", c.eta);
    integer("ddimSteps", c.ddimSteps, 1, 100'000);
    name("spacing", c.spacing, ddimSpacingFromName);
    name("predictor", c.predictor, predictorFromName);
    integer("correctorSteps", c.correctorSteps, 0, 1000);
    num("snr", c.snr);
    name("ode", c.ode, odeMethodFromName);
    num("rtol", c.rtol);
    num("atol", c.atol);
    name("direction", c.direction, directionFromName);
    integer("edmSteps", c.edmSteps, 1, 100'000);
    num("edmRho", c.edmRho);
    num("edmSigmaMin", c.edmSigmaMin);
    num("edmSigmaMax", c.edmSigmaMax);
    num("edmChurn", c.edmChurn);
    num("edmTmin", c.edmTmin);
    num("edmTmax", c.edmTmax);
    num("edmNoise", c.edmNoise);
    integer("dpmSteps", c.dpmSteps, 1, 100'000);
    integer("dpmOrder", c.dpmOrder, 1, 3);
    name("dpmMethod", c.dpmMethod, dpmMethodFromName);
    name("dpmSpacing", c.dpmSpacing, dpmSpacingFromName);
    integer("fixCoordinate", c.fixCoordinate, -1, 1);
    num("fixValue", c.fixValue);
    integer("resampleRounds", c.resampleRounds, 1, 100);
    if (j.contains("fixPinned")) c.fixPinned = json::boolean(j, "fixPinned", where);
    integer("recordEvery", c.recordEvery, 0, 1'000'000'000);
    integer("recordBytes", c.recordBytes, 0, 1ll << 40);
    located(where, [&] {
        c.validate();
        return 0;
    });
    return c;
}

} // namespace ss

#include "core/Elbo.h"

#include "core/Error.h"
#include "core/Rng.h"
#include "core/ThreadPool.h"

#include <cmath>
#include <numbers>

namespace ss {

namespace {

constexpr int kBlock = 512;                    // columns per piece of work (and per random stream)
constexpr long long kMaxColumns = 4'000'000;   // points x draws held at once (~100 MB of work arrays)

// Per point: the mean over its `draws` consecutive columns of a per-column array.
Eigen::VectorXd meanOverDraws(const Eigen::VectorXd& perColumn, int draws)
{
    return Eigen::Map<const Eigen::MatrixXd>(perColumn.data(), draws, perColumn.size() / draws).colwise().mean().transpose();
}

} // namespace

double ElboResult::bitsPerDim() const { return total.mean / (2.0 * std::numbers::ln2); }

bool hasDdpmElbo(const NoiseSchedule& schedule)
{
    const ScheduleKind k = schedule.kind();
    return k == ScheduleKind::DdpmLinear || k == ScheduleKind::DdpmCosine || k == ScheduleKind::DdpmBetas;
}

std::optional<ElboResult> ddpmElbo(const ScoreSource& source, const NoiseSchedule& schedule,
                                   const Eigen::Matrix2Xd& points, const ElboConfig& config, ThreadPool& pool,
                                   const std::atomic<bool>* cancel, const std::function<void(int, int)>& progress)
{
    if (!hasDdpmElbo(schedule))
        throw InputError("the ELBO needs a discrete DDPM schedule (linear, cosine or betas), not '" + schedule.name() + "'");
    if (points.cols() == 0) throw InputError("ELBO: no points given");
    if (!points.allFinite()) throw InputError("ELBO: the points contain NaN or infinite coordinates");
    if (config.draws < 1 || config.draws > 100000)
        throw InputError("ELBO: draws must be in [1, 100000] (got " + std::to_string(config.draws) + ")");
    const int T = schedule.numLevels();
    if (schedule.level(1).marginal.std < source.minimumStd())
        throw InputError("ELBO: the score " + source.describe() + " is not defined at the schedule's level 1");
    const int n = int(points.cols()), K = config.draws;
    const long long columns = (long long)n * K;
    if (columns > kMaxColumns)
        throw InputError("ELBO: points x draws = " + std::to_string(columns) + " is over the limit of " +
                         std::to_string(kMaxColumns));
    const int M = int(columns);

    // Column j holds point j / K (its draws side by side).
    Eigen::Matrix2Xd x0(2, M);
    for (int j = 0; j < M; ++j) x0.col(j) = points.col(j / K);

    ElboResult r;
    r.points = n;
    r.draws = K;
    r.steps = T;
    r.perStep.assign(std::size_t(T) + 1, 0.0);
    r.perStepError.assign(std::size_t(T) + 1, 0.0);
    Eigen::VectorXd diffusion = Eigen::VectorXd::Zero(M), decoder(M), term(M);
    const int blocks = (M + kBlock - 1) / kBlock;
    const Rng base(config.seed);
    for (int t = 1; t <= T; ++t) {
        const NoiseLevel level = schedule.level(t);
        const double m = level.marginal.mean, s = level.marginal.std;
        const double beta = schedule.betas()[std::size_t(t)];
        const double abarPrev = schedule.alphaBar(t - 1), abar = schedule.alphaBar(t);
        const double c0 = std::sqrt(abarPrev) * beta / (1.0 - abar); // q's mean - the model's = c0 (x0 - x0_hat)
        double scale, offset; // term = scale ||x0 - x0_hat||^2 + offset
        if (t == 1) {
            // The decoder: -log N(x0; x0_hat, beta_1 I) in 2D.
            scale = 0.5 / beta;
            offset = std::log(2.0 * std::numbers::pi * beta);
        } else {
            // KL( N(a, bt I) || N(b, v I) ) in 2D = (bt/v - 1 - log(bt/v)) + ||a - b||^2 / (2 v).
            const double bt = schedule.betaTilde(t);
            const double v = config.variance == DdpmVariance::BetaTilde ? bt : beta;
            scale = 0.5 * c0 * c0 / v;
            offset = bt / v - 1.0 - std::log(bt / v);
        }
        pool.parallelForBalanced(blocks, 1, [&](int firstBlock, int endBlock) {
            Eigen::Matrix2Xd xt, score;
            for (int b = firstBlock; b < endBlock; ++b) {
                const int begin = b * kBlock, count = std::min(kBlock, M - begin);
                // One stream per (step, block): the same numbers for any thread count.
                Rng rng = base.split(std::uint64_t(t - 1) * std::uint64_t(blocks) + std::uint64_t(b));
                xt.resize(2, count);
                score.resize(2, count);
                for (int j = 0; j < count; ++j) {
                    const double e0 = rng.normal(), e1 = rng.normal();
                    xt(0, j) = m * x0(0, begin + j) + s * e0;
                    xt(1, j) = m * x0(1, begin + j) + s * e1;
                }
                source.score(xt, level, score);
                // x0 - x0_hat = x0 - (x_t + s^2 score) / m
                const auto miss = x0.middleCols(begin, count) - (xt + (s * s) * score) / m;
                term.segment(begin, count) = (scale * miss.colwise().squaredNorm().array() + offset).transpose();
            }
        });
        if (!term.allFinite())
            throw InputError("ELBO: the score " + source.describe() + " gave NaN or infinite values at level " +
                             std::to_string(t));
        if (t == 1) decoder = term;
        else diffusion += term;
        const MeanEstimate step = meanWithError(n == 1 ? term : meanOverDraws(term, K));
        r.perStep[std::size_t(t)] = step.mean;
        r.perStepError[std::size_t(t)] = step.standardError;
        if (progress) progress(t, T);
        if (cancel && cancel->load()) return std::nullopt;
    }
    r.scoreEvaluations = columns * T;
    r.cumulative.assign(std::size_t(T) + 1, 0.0);
    for (int t = 1; t <= T; ++t) r.cumulative[std::size_t(t)] = r.cumulative[std::size_t(t) - 1] + r.perStep[std::size_t(t)];

    // L_T in closed form: KL( N(sqrt(abar_T) x0, (1 - abar_T) I) || N(0, I) ) in 2D.
    const double abarT = schedule.alphaBar(T), varT = 1.0 - abarT;
    const Eigen::VectorXd prior =
        ((varT - 1.0 - std::log(varT)) + 0.5 * abarT * points.colwise().squaredNorm().array()).transpose();
    const Eigen::VectorXd diffusionPerPoint = meanOverDraws(diffusion, K), decoderPerPoint = meanOverDraws(decoder, K);
    r.perPoint = prior + diffusionPerPoint + decoderPerPoint;
    // With one point the errors are those of its draws (the columns), as perStepError's.
    const bool overDraws = n == 1;
    r.prior = meanWithError(prior);
    r.diffusion = meanWithError(overDraws ? diffusion : diffusionPerPoint);
    r.decoder = meanWithError(overDraws ? decoder : decoderPerPoint);
    r.total = meanWithError(overDraws ? Eigen::VectorXd((diffusion + decoder).array() + prior(0)) : r.perPoint);
    return r;
}

} // namespace ss

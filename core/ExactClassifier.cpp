#include "core/ExactClassifier.h"

#include "core/EmpiricalDistribution.h"
#include "core/Error.h"
#include "core/Metrics.h"
#include "core/ScoreSource.h"

#include <algorithm>
#include <cmath>
#include <string>

namespace ss {

namespace {

std::string classList(const std::vector<double>& prior)
{
    std::string out;
    for (std::size_t y = 0; y < prior.size(); ++y)
        if (prior[y] > 0) out += (out.empty() ? "" : ", ") + std::to_string(y);
    return out;
}

} // namespace

ExactClassifier::ExactClassifier(const GaussianMixture& mixture, const std::vector<int>& classOfComponent)
{
    if (int(classOfComponent.size()) != mixture.size())
        throw InputError("classifier: " + std::to_string(classOfComponent.size()) + " component classes for " +
                         std::to_string(mixture.size()) + " components");
    const int classes = 1 + *std::max_element(classOfComponent.begin(), classOfComponent.end());
    if (*std::min_element(classOfComponent.begin(), classOfComponent.end()) < 0)
        throw InputError("classifier: component classes must be non-negative");
    // Each class's part: its components, weights renormalised.
    for (int y = 0; y < classes; ++y) {
        std::vector<double> w;
        std::vector<Eigen::Matrix2d> covs;
        std::vector<int> members;
        double total = 0;
        for (int k = 0; k < mixture.size(); ++k)
            if (classOfComponent[std::size_t(k)] == y) {
                members.push_back(k);
                total += mixture.weights()[std::size_t(k)];
            }
        prior_.push_back(total);
        if (members.empty()) {
            part_.push_back(nullptr);
            continue;
        }
        Eigen::Matrix2Xd means(2, Eigen::Index(members.size()));
        for (std::size_t i = 0; i < members.size(); ++i) {
            w.push_back(mixture.weights()[std::size_t(members[i])] / total);
            means.col(Eigen::Index(i)) = mixture.means().col(members[i]);
            covs.push_back(mixture.covariances()[std::size_t(members[i])]);
        }
        part_.push_back(std::make_shared<GaussianMixture>(std::move(w), std::move(means), std::move(covs)));
    }
    auto data = std::make_shared<Dataset>();
    data->name = "mixture";
    data->mixture = mixture;
    data_ = data;
    checkClasses("the mixture");
    all_ = data_->exactScore();
}

void ExactClassifier::checkClasses(const std::string& name) const
{
    int withData = 0;
    for (double p : prior_) withData += p > 0;
    if (withData < 2)
        throw InputError(name + " has " + std::to_string(withData) +
                         " class with points: guidance needs at least two");
}

ExactClassifier::ExactClassifier(const Dataset& data) : data_(std::make_shared<Dataset>(data))
{
    if (data.mixture) {
        // Each component is a class (componentClasses).
        *this = ExactClassifier(*data.mixture, componentClasses(data));
        return;
    } else if (data.labelled() && data.numClasses > 0) {
        if (data.labels.size() != std::size_t(data.size()))
            throw InputError("data set '" + data.name + "' has " + std::to_string(data.labels.size()) + " labels for " +
                             std::to_string(data.size()) + " points");
        std::vector<std::vector<Eigen::Index>> members(std::size_t(data.numClasses));
        for (Eigen::Index j = 0; j < data.points.cols(); ++j) {
            const int y = data.labels[std::size_t(j)];
            if (y < 0 || y >= data.numClasses)
                throw InputError("data set '" + data.name + "': label " + std::to_string(y) + " of point " +
                                 std::to_string(j + 1) + " is not one of its " + std::to_string(data.numClasses) +
                                 " classes");
            members[std::size_t(y)].push_back(j);
        }
        for (const auto& m : members) {
            prior_.push_back(double(m.size()) / double(data.size()));
            if (m.empty()) {
                part_.push_back(nullptr);
                continue;
            }
            Eigen::Matrix2Xd pts(2, Eigen::Index(m.size()));
            for (std::size_t i = 0; i < m.size(); ++i) pts.col(Eigen::Index(i)) = data.points.col(m[i]);
            part_.push_back(std::make_shared<EmpiricalDistribution>(std::move(pts)));
        }
    } else {
        throw InputError("data set '" + data.name +
                         "' has no classes to guide by: choose a Gaussian-mixture preset (each component is a class) "
                         "or points with labels");
    }
    checkClasses("data set '" + data.name + "'");
    all_ = data.exactScore();
}

double ExactClassifier::prior(int y) const
{
    return y >= 0 && y < numClasses() ? prior_[std::size_t(y)] : 0.0;
}

void ExactClassifier::checkLabel(int y) const
{
    if (prior(y) <= 0)
        throw InputError("class " + std::to_string(y) + " has no data to guide towards (classes: " + classList(prior_) +
                         ")");
}

void ExactClassifier::logPosterior(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, int y,
                                   Eigen::Ref<Eigen::VectorXd> out) const
{
    checkLabel(y);
    Eigen::VectorXd all(x.cols());
    part_[std::size_t(y)]->logDensity(x, m, out);
    all_->logDensity(x, m, all);
    // Far from all data both logs are huge and negative; their difference
    // stays finite (each is computed with its own maximum), clamped to <= 0.
    out = (out.array() + std::log(prior_[std::size_t(y)]) - all.array()).min(0.0).matrix();
}

void ExactClassifier::gradient(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, int y,
                               Eigen::Ref<Eigen::Matrix2Xd> out) const
{
    checkLabel(y);
    Eigen::Matrix2Xd all(2, x.cols());
    part_[std::size_t(y)]->score(x, m, out);
    all_->score(x, m, all);
    out -= all;
}

void ExactClassifier::tiltedLogDensity(const Eigen::Ref<const Eigen::Matrix2Xd>& x, Marginal m, int y, double gamma,
                                       Eigen::Ref<Eigen::VectorXd> out) const
{
    Eigen::VectorXd post(x.cols());
    logPosterior(x, m, y, post);
    all_->logDensity(x, m, out);
    out += gamma * post;
}

Eigen::Matrix2Xd ExactClassifier::sampleLevel(int n, Marginal m, Rng& rng) const
{
    Eigen::Matrix2Xd x0;
    if (data_->mixture) {
        x0 = data_->mixture->sample(n, rng);
    } else {
        x0.resize(2, n);
        for (int j = 0; j < n; ++j) x0.col(j) = data_->points.col(rng.uniformInt(data_->size()));
    }
    Eigen::Matrix2Xd x(2, n);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < 2; ++i) x(i, j) = m.mean * x0(i, j) + m.std * rng.normal();
    return x;
}

Eigen::Matrix2Xd ExactClassifier::sampleTilted(int n, Marginal m, int y, double gamma, Rng& rng,
                                               long long maxDraws) const
{
    checkLabel(y);
    if (!(gamma >= 0) || !std::isfinite(gamma))
        throw InputError("the tilted target p(x) p(y | x)^γ can be sampled for γ >= 0 only (got " +
                         std::to_string(gamma) + ")");
    Eigen::Matrix2Xd out(2, n);
    int kept = 0;
    long long drawn = 0;
    const int batch = std::max(256, n);
    Eigen::VectorXd logp(batch);
    while (kept < n) {
        if (drawn >= maxDraws)
            throw InputError("the tilted target of class " + std::to_string(y) + " at γ = " + std::to_string(gamma) +
                             " kept " + std::to_string(kept) + " of " + std::to_string(drawn) +
                             " proposals: the class is too rare there to sample by rejection");
        const Eigen::Matrix2Xd x = sampleLevel(batch, m, rng);
        logPosterior(x, m, y, logp);
        for (int j = 0; j < batch && kept < n; ++j)
            // gamma 0 keeps every draw (0 * -inf would be NaN and keep none).
            if (rng.uniform() < (gamma == 0 ? 1.0 : std::exp(gamma * logp(j)))) out.col(kept++) = x.col(j);
        drawn += batch;
    }
    return out;
}

TiltedComparison compareWithTilted(const ExactClassifier& classifier, Marginal m, int y, double gamma,
                                   const Eigen::Ref<const Eigen::Matrix2Xd>& samples, std::uint64_t seed)
{
    constexpr int kProjections = 128;
    Rng rng(seed);
    const int n = int(samples.cols());
    TiltedComparison c;
    c.reference = classifier.sampleTilted(n, m, y, gamma, rng);
    const Eigen::Matrix2Xd twin = classifier.sampleTilted(n, m, y, gamma, rng);
    c.sw2 = slicedWasserstein2(samples, c.reference, kProjections, seed);
    c.floor = slicedWasserstein2(twin, c.reference, kProjections, seed);
    return c;
}

} // namespace ss

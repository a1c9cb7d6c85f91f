// What the schedule curve plots: tick marks and the traced schedule.
#include "window/ScheduleTrace.h"

#include <cmath>

namespace ss::window {

// 1, 0.01, 1e-05: plain numbers near 1, powers of ten beyond.
QString numberLabel(double v)
{
    if (v == 0.0) return QStringLiteral("0");
    const double a = std::abs(v);
    if (a >= 1e-3 && a < 1e5) return QString::number(v, 'g', 4);
    const int k = int(std::floor(std::log10(a) + 1e-9));
    const double m = v / std::pow(10.0, k);
    return std::abs(m - 1.0) < 1e-6 ? QStringLiteral("1e%1").arg(k)
                                    : QStringLiteral("%1e%2").arg(m, 0, 'g', 2).arg(k);
}

// About four steps of 1, 2 or 5 times a power of ten.
std::vector<Tick> linearTicks(double lo, double hi)
{
    const double raw = (hi - lo) / 4.0;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = mag * (raw / mag >= 5 ? 5 : raw / mag >= 2 ? 2 : 1);
    std::vector<Tick> out;
    for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) {
        const double clean = std::abs(v) < 1e-9 * step ? 0.0 : v;
        out.push_back({clean, numberLabel(clean)});
    }
    return out;
}

// Decades (every other one when there are many); 1-2-5 inside a narrow range.
std::vector<Tick> logTicks(double lnLo, double lnHi)
{
    const double dLo = lnLo / std::log(10.0), dHi = lnHi / std::log(10.0);
    const int k0 = int(std::ceil(dLo)), k1 = int(std::floor(dHi));
    std::vector<Tick> out;
    if (k1 - k0 + 1 >= 2) {
        const int stride = (k1 - k0) / 5 + 1;
        for (int k = k0; k <= k1; ++k)
            if ((k - k0) % stride == 0) out.push_back({k * std::log(10.0), numberLabel(std::pow(10.0, k))});
        return out;
    }
    for (int k = int(std::floor(dLo)); k <= int(std::ceil(dHi)); ++k)
        for (double m : {1.0, 2.0, 5.0}) {
            const double v = m * std::pow(10.0, k);
            if (std::log(v) >= lnLo && std::log(v) <= lnHi) out.push_back({std::log(v), numberLabel(v)});
        }
    return out;
}


// Every level, or a strided subset with the last one, as (k/T, f(k)).
namespace {
constexpr int kMaxDots = 100; // more levels than this are drawn as a line

template <typename F>
void ddpmTrace(const NoiseSchedule& s, Trace& out, F value, bool fromZero)
{
    const int T = s.numLevels();
    if (fromZero) out.line.emplace_back(0.0, value(0));
    const int stride = std::max(1, T / 400);
    for (int k = 1; k <= T; k += stride) out.line.emplace_back(double(k) / T, value(k));
    if ((T - 1) % stride != 0) out.line.emplace_back(1.0, value(T));
    if (T <= kMaxDots)
        for (int k = 1; k <= T; ++k) out.dots.emplace_back(double(k) / T, value(k));
}

} // namespace

Trace traceOf(const NoiseSchedule& s, ScheduleView view)
{
    Trace out;
    const bool ddpm = !s.isVarianceExploding() && s.isDiscrete();
    const auto logNoiseToSignal = [&](int k) {
        return 0.5 * std::log((1.0 - s.alphaBar(k)) / s.alphaBar(k));
    };
    const auto beta = [&](int k) { return s.betas()[std::size_t(k)]; };
    const auto alphaBar = [&](int k) { return s.alphaBar(k); };
    using View = ScheduleView;
    if (view == View::Sigma && s.isVarianceExploding()) {
        const int L = s.numLevels();
        std::vector<QPointF> levels;
        for (int k = 1; k <= L; ++k)
            levels.emplace_back(L == 1 ? 1.0 : double(k - 1) / (L - 1), std::log(s.level(k).marginal.std));
        if (s.kind() == ScheduleKind::CustomCurve) {
            for (const CurvePoint& p : s.curvePoints()) out.line.emplace_back(p.u, p.logSigma);
        } else if (L == 0) {
            out.line = {{0.0, std::log(s.sigmaMin())}, {1.0, std::log(s.sigmaMax())}};
        } else {
            out.line = levels;
        }
        if (L <= kMaxDots) out.dots = levels;
    } else if (view == View::Sigma) { // sigma = std / mean, the noise-to-signal ratio
        if (ddpm) {
            ddpmTrace(s, out, logNoiseToSignal, false);
        } else {
            const double t0 = s.tEpsilon();
            for (int i = 0; i <= 300; ++i) {
                // dense near t = 0, where it is steep
                const double f = i / 300.0, t = t0 + (1.0 - t0) * f * f;
                const Marginal m = s.at(t).marginal;
                out.line.emplace_back(t, std::log(m.std / m.mean));
            }
        }
    } else if (view == View::Beta) {
        if (ddpm)
            ddpmTrace(s, out, beta, false);
        else
            out.line = {{0.0, s.beta(0.0)}, {1.0, s.beta(1.0)}};
    } else if (ddpm) {
        ddpmTrace(s, out, alphaBar, true);
    } else {
        for (int i = 0; i <= 200; ++i)
            out.line.emplace_back(i / 200.0, std::exp(-s.integratedBeta(i / 200.0)));
    }
    return out;
}

} // namespace ss::window

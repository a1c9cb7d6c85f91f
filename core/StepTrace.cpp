#include "core/StepTrace.h"

#include <cassert>
#include <cstdio>

namespace ss {

Combo::Combo(double c, const Eigen::MatrixXd& m) { plus(c, m); }
Combo::Combo(double c, const Eigen::Matrix2Xd& m) { plus(c, m); }

Combo& Combo::plus(double c, const Eigen::MatrixXd& m)
{
    assert(m.rows() == 2);
    pieces.push_back({c, m.data()});
    return *this;
}

Combo& Combo::plus(double c, const Eigen::Matrix2Xd& m)
{
    pieces.push_back({c, m.data()});
    return *this;
}

Eigen::Vector2d Combo::at(Eigen::Index j) const
{
    Eigen::Vector2d v = Eigen::Vector2d::Zero();
    for (const Piece& p : pieces) v += p.c * Eigen::Map<const Eigen::Vector2d>(p.columns + 2 * j);
    return v;
}

namespace {
StepPart traceColumns(const PartSpec& spec, const double* x, Eigen::Index cols, const std::vector<Eigen::Index>& followed)
{
    StepPart part;
    part.title = spec.title;
    part.equation = spec.equation;
    part.constants = spec.constants;
    part.stage = spec.stage;
    part.point = spec.point;
    for (Eigen::Index j : followed) {
        if (j < 0 || j >= cols) continue;
        TracedParticle p;
        p.index = j;
        p.x = Eigen::Map<const Eigen::Vector2d>(x + 2 * j);
        p.next = p.x;
        for (const auto& [name, combo] : spec.values) p.values.push_back({name, combo.at(j)});
        for (const PartSpec::Term& t : spec.terms) {
            p.terms.push_back({t.label, t.kind, t.value.at(j)});
            p.next += p.terms.back().value;
        }
        part.particles.push_back(std::move(p));
    }
    return part;
}
} // namespace

StepPart tracePart(const PartSpec& spec, const Eigen::MatrixXd& x, const std::vector<Eigen::Index>& followed)
{
    assert(x.rows() == 2);
    return traceColumns(spec, x.data(), x.cols(), followed);
}

StepPart tracePart(const PartSpec& spec, const Eigen::Matrix2Xd& x, const std::vector<Eigen::Index>& followed)
{
    return traceColumns(spec, x.data(), x.cols(), followed);
}

std::string formatNumber(double v)
{
    char b[32];
    std::snprintf(b, sizeof b, "%.4g", v == 0 ? 0.0 : v); // no "-0"
    return b;
}

std::string formatVector(const Eigen::Vector2d& v)
{
    return "(" + formatNumber(v.x()) + ", " + formatNumber(v.y()) + ")";
}

std::vector<std::string> describePart(const StepPart& part, std::size_t k)
{
    if (k >= part.particles.size()) return {};
    const TracedParticle& p = part.particles[k];
    std::vector<std::string> lines;
    std::string head = part.title;
    for (std::size_t i = 0; i < part.constants.size(); ++i)
        head += (i == 0 ? ":  " : ",  ") + part.constants[i].name + " = " + formatNumber(part.constants[i].value);
    lines.push_back(head);
    lines.push_back(part.equation);
    std::string values = part.point + " = " + formatVector(p.x);
    for (const TracedValue& v : p.values) values += ",  " + v.name + " = " + formatVector(v.value);
    lines.push_back(values);
    if (part.stage) return lines;
    std::string sum = "x′ = " + formatVector(p.x);
    for (const TracedTerm& t : p.terms) sum += " + " + formatVector(t.value);
    lines.push_back(sum);
    lines.push_back("   = " + formatVector(p.next));
    return lines;
}

std::vector<std::string> describeStep(const StepTrace& trace, std::size_t k)
{
    std::vector<std::string> lines;
    bool stages = false;
    for (const StepPart& part : trace.parts) {
        if (k >= part.particles.size()) continue;
        if (part.stage && !stages) {
            stages = true;
            lines.push_back(kStageVelocityLine);
        }
        if (!part.stage) {
            for (std::string& line : describePart(part, k)) lines.push_back(std::move(line));
            continue;
        }
        lines.push_back(describeStage(part, k));
    }
    return lines;
}

std::string describeStage(const StepPart& stage, std::size_t k)
{
    if (k >= stage.particles.size()) return {};
    const TracedParticle& p = stage.particles[k];
    std::string line = stage.title + ":  ";
    for (const StepConstant& c : stage.constants)
        if (c.name == "t") line += "t = " + formatNumber(c.value) + ",  ";
    line += stage.point + " = " + formatVector(p.x);
    for (const TracedValue& v : p.values) line += ",  " + v.name + " = " + formatVector(v.value);
    return line;
}

} // namespace ss

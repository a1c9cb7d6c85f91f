#include "paint/StepThroughPaint.h"

#include "core/StepTrace.h"
#include "paint/SceneGeometry.h"

#include <QObject> // tr()
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace ss::view {

namespace {

QColor termColour(TermKind kind, const ScenePalette& c)
{
    switch (kind) {
    case TermKind::Drift: return c.drift;
    case TermKind::Score:
    case TermKind::Stage: return c.score;
    case TermKind::Noise: return c.noise;
    case TermKind::Replace: return c.data;
    }
    return c.score;
}

// Text with a white halo, legible over any layer.
void haloText(QPainter& p, QPointF at, const QString& text, const QColor& colour, double k)
{
    QPainterPath path;
    path.addText(at, p.font(), text);
    p.setPen(QPen(QColor(255, 255, 255, 235), 4 * k, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
    p.setBrush(Qt::NoBrush);
    p.drawPath(path);
    p.setPen(Qt::NoPen);
    p.setBrush(colour.darker(115));
    p.drawPath(path);
}

// The parts of the trace that hold followed particle `column`, with its position in each.
struct Followed {
    const TracedParticle* first = nullptr; // in the first moving part
    std::vector<std::pair<const StepPart*, const TracedParticle*>> moves;
};
Followed findFollowed(const StepTrace& t, Eigen::Index column)
{
    Followed f;
    for (const StepPart& part : t.parts) {
        if (part.stage) continue;
        for (const TracedParticle& q : part.particles)
            if (q.index == column) {
                if (!f.first) f.first = &q;
                f.moves.emplace_back(&part, &q);
            }
    }
    return f;
}

} // namespace

double stepMagnification(double longestPixels)
{
    if (!(longestPixels > 0) || longestPixels >= kShortestArrowPixels) return 1.0;
    const double wanted = kShortestArrowPixels / longestPixels;
    const double decade = std::pow(10.0, std::floor(std::log10(wanted)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * decade >= wanted) return m * decade;
    return 10 * decade;
}

void paintFollowed(QPainter& p, const app::ParticleSnapshot& s, const QRectF& world, QSizeF size, double k,
                   const ScenePalette& colours)
{
    if (s.followed.empty()) return;
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    QFont font = p.font();
    font.setBold(true);
    p.setFont(font);
    const QFontMetricsF fm(font);
    const Mapping m{world, size};
    // Labels already placed (and the rings): a new one moves until it overlaps none.
    std::vector<QRectF> taken;
    auto place = [&](QPointF centre, QPointF away, const QString& text) {
        const QSizeF box(fm.horizontalAdvance(text) + 6 * k, fm.height());
        QRectF r;
        for (int i = 0; i < 12; ++i) {
            const double shift = (i / 2) * (fm.height() + 2 * k) * (i % 2 ? -1 : 1);
            r = QRectF(centre + away * shift - QPointF(box.width() / 2, box.height() / 2), box);
            if (std::none_of(taken.begin(), taken.end(), [&](const QRectF& t) { return t.intersects(r); })) break;
        }
        taken.push_back(r);
        return QPointF(r.left() + 3 * k, r.top() + fm.ascent());
    };
    for (Eigen::Index column : s.followed) {
        if (column >= s.particles.cols()) continue;
        const QPointF ring = m(s.particles(0, column), s.particles(1, column));
        taken.emplace_back(ring - QPointF(14 * k, 14 * k), QSizeF(28 * k, 28 * k));
    }
    struct Label {
        QPointF centre, away;
        QString text;
        QColor colour;
    };
    std::vector<Label> labels; // drawn after every arrow, so no arrow covers one
    for (Eigen::Index column : s.followed) {
        if (column >= s.particles.cols()) continue;
        const Followed f = findFollowed(s.trace, column);
        if (f.first) {
            double longest = 0;
            for (const auto& [part, q] : f.moves)
                for (const TracedTerm& t : q->terms) longest = std::max(longest, t.value.norm() * m.pixelsPerUnit());
            const double magnify = stepMagnification(longest / k); // at least kShortestArrowPixels x scale
            Eigen::Vector2d at = f.first->x;
            for (const auto& [part, q] : f.moves) {
                for (const TracedTerm& t : q->terms) {
                    const Eigen::Vector2d to = at + magnify * t.value;
                    const QPointF a = m(at.x(), at.y()), b = m(to.x(), to.y());
                    const QPolygonF shape = arrowShape(a, b, 2.2 * k, 16 * k);
                    if (!shape.isEmpty()) {
                        p.setPen(QPen(QColor(255, 255, 255, 220), 2.5 * k));
                        p.setBrush(termColour(t.kind, colours));
                        p.drawPolygon(shape);
                        // The label beside the arrow's middle, on its left.
                        const QPointF d = b - a;
                        const double len = std::hypot(d.x(), d.y());
                        const QPointF across = len > 0 ? QPointF(-d.y(), d.x()) / len : QPointF(0, -1);
                        const QString text = QString::fromStdString(t.label);
                        const QPointF mid = (a + b) / 2 + across * (10 * k + fm.height() / 2);
                        labels.push_back({mid, across, text, termColour(t.kind, colours)});
                    }
                    at = to;
                }
            }
            if (magnify > 1) {
                const QPointF a = m(f.first->x.x(), f.first->x.y());
                const QString text = QObject::tr("arrows ×%1").arg(magnify, 0, 'g', 3);
                labels.push_back({a + QPointF(0, fm.height() + 14 * k), QPointF(0, 1), text, QColor(40, 40, 40)});
            }
        }
        // The ring where the particle is now, with its column.
        const QPointF c = m(s.particles(0, column), s.particles(1, column));
        const QString name = QStringLiteral("#%1").arg(column);
        p.setBrush(Qt::NoBrush);
        p.setPen(QPen(QColor(255, 255, 255, 230), 5 * k));
        p.drawEllipse(c, 11 * k, 11 * k);
        p.setPen(QPen(QColor(20, 20, 20), 2.5 * k));
        p.drawEllipse(c, 11 * k, 11 * k);
        labels.push_back({c + QPointF(16 * k + fm.horizontalAdvance(name) / 2, -14 * k), QPointF(0, -1), name,
                          QColor(20, 20, 20)});
    }
    for (const Label& l : labels) haloText(p, place(l.centre, l.away, l.text), l.text, l.colour, k);
    p.restore();
}

void paintStepCard(QPainter& p, const app::ParticleSnapshot& s, const QRectF& world, QSizeF size, double k)
{
    if (s.followed.empty()) return;
    const Eigen::Index column = s.followed.front();
    struct Line {
        QString text;
        bool bold = false, equation = false;
    };
    std::vector<Line> lines;
    std::size_t slot = 0; // the first followed particle's place in the parts
    bool found = false;
    for (const StepPart& part : s.trace.parts) {
        for (std::size_t i = 0; i < part.particles.size(); ++i)
            if (part.particles[i].index == column) {
                slot = i;
                found = true;
            }
        if (found) break;
    }
    const QString head =
        column >= s.particles.cols()
            ? QObject::tr("Particle #%1 is not in this run (%2 particles): click one to follow it")
                  .arg(column)
                  .arg(s.particles.cols())
        : s.trace.empty() || !found ? QObject::tr("Following particle #%1: take a step (→) to see its update").arg(column)
                                    : QObject::tr("Step %1 · particle #%2").arg(s.trace.step).arg(column);
    lines.push_back({head, true});
    if (found) {
        bool stages = false;
        for (const StepPart& part : s.trace.parts) {
            if (part.stage) {
                if (!stages) lines.push_back({QString::fromUtf8(kStageVelocityLine), false, true});
                stages = true;
                lines.push_back({QString::fromStdString(describeStage(part, slot))});
                continue;
            }
            const std::vector<std::string> text = describePart(part, slot);
            for (std::size_t i = 0; i < text.size(); ++i)
                lines.push_back({QString::fromStdString(text[i]), i == 0, i == 1});
        }
    }
    if (s.followed.size() > 1)
        lines.push_back({QObject::tr("(%n more followed: their arrows are drawn)", nullptr, int(s.followed.size() - 1))});

    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    QFont plain = p.font(), bold = p.font();
    bold.setBold(true);
    const double W = size.width(), H = size.height();
    const double maxWidth = W * 0.9 - 40 * k; // wide lines wrap only in a narrow scene
    std::vector<QRectF> boxes;
    double width = 0, height = 0;
    const auto measure = [&] {
        boxes.clear();
        width = height = 0;
        for (const Line& l : lines) {
            const QFontMetricsF fm(l.bold ? bold : plain);
            const QRectF r = fm.boundingRect(QRectF(0, 0, maxWidth, H), Qt::TextWordWrap, l.text);
            boxes.push_back(r);
            width = std::max(width, r.width());
            height += r.height() + 2 * k;
        }
    };
    measure();
    // At most 40% of the scene's height: very large text would bury the particle it explains.
    if (height > 0.4 * H && plain.pointSizeF() > 0) {
        const double shrink = std::max(0.4, 0.4 * H / height);
        plain.setPointSizeF(plain.pointSizeF() * shrink);
        bold.setPointSizeF(bold.pointSizeF() * shrink);
        measure();
    }
    const double pad = 10 * k;
    const double axisRoom = QFontMetricsF(plain).height() + 16 * k; // the x axis' labels below
    QRectF card(14 * k, H - axisRoom - height - 2 * pad, width + 2 * pad, height + 2 * pad);
    if (column < s.particles.cols()) {
        const QPointF at = Mapping{world, size}(s.particles(0, column), s.particles(1, column));
        const double captionRoom = 3.6 * QFontMetricsF(plain).height() + 20 * k; // the caption's three lines
        if (card.adjusted(-20 * k, -20 * k, 20 * k, 20 * k).contains(at)) card.moveTop(captionRoom);
    }
    p.setPen(QPen(QColor(60, 60, 60, 120), 1 * k));
    p.setBrush(QColor(255, 255, 255, 230));
    p.drawRoundedRect(card, 6 * k, 6 * k);
    double y = card.top() + pad;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        p.setFont(lines[i].bold ? bold : plain);
        p.setPen(lines[i].equation ? QColor(20, 50, 140) : QColor(20, 20, 20));
        p.drawText(QRectF(card.left() + pad, y, maxWidth, boxes[i].height()), Qt::TextWordWrap, lines[i].text);
        y += boxes[i].height() + 2 * k;
    }
    p.restore();
}

} // namespace ss::view

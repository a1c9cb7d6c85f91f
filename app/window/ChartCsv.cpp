#include "window/ChartCsv.h"

#include "core/Csv.h"

#include <QStringList>

#include <cmath>

namespace ss::window {

namespace {
QString number(double v) { return std::isnan(v) ? QStringLiteral("nan") : QString::number(v, 'g', 17); }
} // namespace

QString csvField(const QString& text)
{
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) && !text.contains(QLatin1Char('\n')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1Char('"'), QStringLiteral("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

QString chartCsv(const QString& xName, const QString& yName, const std::vector<CurveValues>& curves,
                 const std::vector<ChartValue>& values)
{
    QString out = QStringList{QStringLiteral("series"), csvField(xName), csvField(yName), QStringLiteral("standard_error")}
                      .join(QLatin1Char(',')) +
                  QLatin1Char('\n');
    for (const CurveValues& c : curves)
        for (const QPointF& p : c.points)
            out += QStringList{csvField(c.name), number(p.x()), number(p.y()), QString()}.join(QLatin1Char(',')) +
                   QLatin1Char('\n');
    for (const ChartValue& v : values)
        out += QStringList{csvField(v.name), QString(), number(v.value), v.standardError > 0 ? number(v.standardError) : QString()}
                   .join(QLatin1Char(',')) +
               QLatin1Char('\n');
    return out;
}

bool saveTextAtomically(const QString& path, const QString& text, QString* error)
{
    try {
        writeFileAtomically(path.toStdString(), text.toStdString());
        return true;
    } catch (const std::exception& e) {
        if (error) *error = QString::fromUtf8(e.what());
        return false;
    }
}

} // namespace ss::window

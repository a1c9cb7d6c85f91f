#pragma once
// What the tst_cli* programs share: running the real scorescope-cli (the
// build passes its path as SCORESCOPE_CLI) and reading its --json output.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace clitest {

struct Run {
    int status = -1; // the exit code; -1 when the program crashed or did not finish
    QString out, err;
};

// Runs the CLI with args in dir and waits (at most 4 minutes).
inline Run cli(const QStringList& args, const QString& dir)
{
    QProcess p;
    p.setWorkingDirectory(dir);
    p.start(QStringLiteral(SCORESCOPE_CLI), args);
    p.waitForFinished(240000);
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, QString::fromUtf8(p.readAllStandardOutput()),
            QString::fromUtf8(p.readAllStandardError())};
}

inline QJsonObject json(const Run& r) { return QJsonDocument::fromJson(r.out.toUtf8()).object(); }

} // namespace clitest

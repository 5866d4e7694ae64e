#pragma once

// A stand-in for an npm tarball of @anthropic-ai/claude-code, laid out as `npm pack` does
// (everything under package/), for the agent-image tests. Test-only, header-only.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QString>

namespace Parallax::AgentTest {

// Writes <folder>/pack-<version>/anthropic-ai-claude-code-<version>.tgz whose cli.js is
// `cliScript` (deliberately not executable: npm tarballs often are not). Empty on failure.
inline QString
makeFakeCliTarball(const QString &folder, const QString &version, const QByteArray &cliScript)
{
    const QString root = folder + QStringLiteral("/pack-") + version;
    QDir().mkpath(root + QStringLiteral("/package"));
    QFile json(root + QStringLiteral("/package/package.json"));
    if (!json.open(QIODevice::WriteOnly))
        return {};
    json.write(QJsonDocument(QJsonObject{{"name", "@anthropic-ai/claude-code"},
                                         {"version", version},
                                         {"bin", QJsonObject{{"claude", "cli.js"}}}})
                       .toJson());
    json.close();
    QFile cli(root + QStringLiteral("/package/cli.js"));
    if (!cli.open(QIODevice::WriteOnly))
        return {};
    cli.write(cliScript);
    cli.close();
    const QString tarball = root + QStringLiteral("/anthropic-ai-claude-code-") + version
                            + QStringLiteral(".tgz");
    QProcess tar;
    tar.setWorkingDirectory(root);
    tar.start(QStringLiteral("tar"), {QStringLiteral("-czf"), tarball, QStringLiteral("package")});
    tar.waitForFinished();
    return tar.exitCode() == 0 ? tarball : QString();
}

} // namespace Parallax::AgentTest

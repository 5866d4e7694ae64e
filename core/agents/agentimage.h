#pragma once

#include "docker/imagebuild.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

namespace Parallax {

class DockerClient;

// Which agent CLI an image is built for: a preset's "agent" block (docs/agents.md).
struct AgentSpec
{
    static constexpr const char *kDefaultBase = "node:22-bookworm-slim";

    QString name;    // a template under resources/agents/: "claude-code", "codex-cli", ...
    QString package; // the npm package: "@anthropic-ai/claude-code"
    QString version; // pinned: "2.1.112"
    QString base = QString::fromLatin1(kDefaultBase); // needs node and git
    QString bin; // the executable; empty: the template's default ("claude")

    // Validates an "agent" object; problems name their field under `path` ("agent.version").
    static Result<AgentSpec> fromJson(const QJsonObject &object,
                                      const QString &path = QStringLiteral("agent"));
    QJsonObject toJson() const;
    QString effectiveBin() const;

    // The agents there are templates for, and each one's default executable.
    static QStringList knownAgents();
    static QString defaultBin(const QString &agent);
};

// A build context for an agent image, ready for DockerClient::buildImage.
struct AgentBuildContext
{
    QByteArray tar;
    QString tag; // parallax/agent-<name>:<12 hex digits of sha256 over everything below>
    QMap<QString, QString> buildArgs;
    QStringList files; // the entries, for display and tests
};

// Makes the image an agent preset runs in, and skips the work when it exists. The build
// context is the agent's Dockerfile.in (its @...@ defaults filled in) and parallax/ with its
// entrypoint.sh, the shared install-cli.sh and cli/ — empty, or the CLI itself for offline
// builds (an `npm pack` tarball, an unpacked package or a node_modules tree: setCliSource()) —
// plus any extra files.
// The tag is a hash of the context bytes (TarWriter is deterministic) and the build arguments
// (base image, package, version, bin), so changing any input gives a new tag and an unchanged
// preset is never rebuilt. start() looks the tag up (GET /images/{tag}/json) and builds only
// when it is missing; finished() then says whether it was reused or built. Owned by whoever
// launches (the launch panel, a test, the e2e harness); main thread.
class AgentImage : public QObject
{
    Q_OBJECT
public:
    enum class State { Idle, Checking, Building, Ready, Failed, Cancelled };

    AgentImage(DockerClient *client, AgentSpec spec, QObject *parent = nullptr);
    ~AgentImage() override;

    const AgentSpec &spec() const { return m_spec; }
    // A `.tgz` from `npm pack`, a directory holding package.json (an unpacked package) or a
    // directory holding node_modules/<package> (or the node_modules directory itself).
    void setCliSource(const QString &path) { m_cliSource = path; }
    QString cliSource() const { return m_cliSource; }
    // Any other file for the context (a CA bundle, a settings file the Dockerfile does not use
    // by itself); `path` is relative to the context root.
    void addExtraFile(const QString &path, const QByteArray &data, int mode = 0644);

    // The context and its tag; pure, so a caller can show the tag before building.
    Result<AgentBuildContext> context() const;

    QString tag() const { return m_tag; } // known once start() has made the context
    State state() const { return m_state; }
    bool wasBuilt() const { return m_built; } // false when an existing image was reused
    QString errorString() const { return m_error; }
    ImageBuild *build() const { return m_build; } // while and after building; else null

    void start();
    void cancel();

signals:
    void stateChanged(Parallax::AgentImage::State state);
    // The build begins (not emitted when the image exists): connect to its progress().
    void buildStarted(Parallax::ImageBuild *build);
    void finished(const Parallax::Result<void> &result);

private:
    void setState(State state);
    void finish(Result<void> result);
    void startBuild();

    DockerClient *m_client;
    AgentSpec m_spec;
    QString m_cliSource;
    QList<std::pair<QString, std::pair<QByteArray, int>>> m_extraFiles;
    AgentBuildContext m_context;
    QString m_tag;
    QPointer<ImageBuild> m_build;
    State m_state = State::Idle;
    QString m_error;
    bool m_built = false;
    int m_generation = 0; // drops the answer of an image lookup that cancel() abandoned
};

} // namespace Parallax

#pragma once

#include "util/result.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace Parallax {

// Where the Docker Engine API answers: a unix socket path and why that one was chosen.
// resolve() follows the docker CLI's precedence, with Parallax's own engine choice first:
//   an explicit engine name (`--engine`, the window's selector, PARALLAX_ENGINE)
//   > DOCKER_HOST (unix:// only) > DOCKER_CONTEXT > config.json's currentContext
//   > the first socket that exists of the system one, rootless Docker's and Podman's
//   > the system socket path, so the connection error names it.
// Engines are named: a Docker context by its name, a detected socket by a short id ("default",
// "rootless", "podman-user", "podman"), DOCKER_HOST by "DOCKER_HOST". Pure; any thread.
struct DockerEndpoint
{
    QString socketPath;
    QString source; // "DOCKER_HOST", "default", "rootless Docker", "Podman", "context NAME"
    // Defaulted, so that DockerEndpoint{path, source} still initialises everything.
    QString name = {};  // the engine name a selector or --engine uses; empty for ad-hoc ones
    QString error = {}; // available() only: why this engine cannot be used (a tcp:// context)

    QString url() const { return QStringLiteral("unix://") + socketPath; }
    // "unix:///var/run/docker.sock (default)"
    QString describe() const { return QStringLiteral("%1 (%2)").arg(url(), source); }
    bool usable() const { return error.isEmpty() && !socketPath.isEmpty(); }

    static constexpr const char *kEngineEnv = "PARALLAX_ENGINE";

    // `engine` empty: PARALLAX_ENGINE, then the precedence above.
    static Result<DockerEndpoint> resolve(const QProcessEnvironment &env
                                          = QProcessEnvironment::systemEnvironment(),
                                          const QString &engine = QString());
    // The engine a name selects, among available(); an unknown name lists the known ones.
    static Result<DockerEndpoint> byName(const QString &name, const QProcessEnvironment &env);
    // The candidate sockets tried in order when nothing else decides, with their sources.
    static QList<DockerEndpoint> candidates(const QProcessEnvironment &env);
    // What a selector offers: DOCKER_HOST when set, every Docker context (unusable ones with
    // their error), then the detected sockets that exist (always "default"). Broken context
    // files are described in `problems`.
    static QList<DockerEndpoint> available(const QProcessEnvironment &env
                                           = QProcessEnvironment::systemEnvironment(),
                                           QStringList *problems = nullptr);
    // A Docker host URL ("unix:///path") as an endpoint; `what` names where it came from in
    // errors ("DOCKER_HOST=tcp://x" or "Docker context 'remote' (Host tcp://x)").
    static Result<DockerEndpoint>
    fromHost(const QString &host, const QString &what, const QString &source, const QString &name);
};

} // namespace Parallax

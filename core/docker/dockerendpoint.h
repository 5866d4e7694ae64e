#pragma once

#include "util/result.h"

#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

namespace Parallax {

// Where the Docker Engine API answers: a unix socket path and why that one was chosen. Resolved
// from DOCKER_HOST (unix:// only for now), else the first socket that exists of the system
// socket, rootless Docker's and Podman's; else the system socket path, so the error names it.
struct DockerEndpoint
{
    QString socketPath;
    QString source; // "DOCKER_HOST", "default", "rootless Docker", "Podman"

    QString url() const { return QStringLiteral("unix://") + socketPath; }
    // "unix:///var/run/docker.sock (default)"
    QString describe() const { return QStringLiteral("%1 (%2)").arg(url(), source); }

    static Result<DockerEndpoint> resolve(const QProcessEnvironment &env
                                          = QProcessEnvironment::systemEnvironment());
    // The candidate sockets tried in order when DOCKER_HOST is not set, with their sources.
    static QList<DockerEndpoint> candidates(const QProcessEnvironment &env);
};

} // namespace Parallax

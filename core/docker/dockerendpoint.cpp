#include "dockerendpoint.h"

#include <QFileInfo>

namespace Parallax {

QList<DockerEndpoint> DockerEndpoint::candidates(const QProcessEnvironment &env)
{
    QList<DockerEndpoint> list;
    list.append({QStringLiteral("/var/run/docker.sock"), QStringLiteral("default")});
    const QString runtimeDir = env.value(QStringLiteral("XDG_RUNTIME_DIR"));
    if (!runtimeDir.isEmpty()) {
        list.append(
                {runtimeDir + QStringLiteral("/docker.sock"), QStringLiteral("rootless Docker")});
        list.append({runtimeDir + QStringLiteral("/podman/podman.sock"), QStringLiteral("Podman")});
    }
    list.append({QStringLiteral("/run/podman/podman.sock"), QStringLiteral("Podman")});
    return list;
}

Result<DockerEndpoint> DockerEndpoint::resolve(const QProcessEnvironment &env)
{
    const QString host = env.value(QStringLiteral("DOCKER_HOST")).trimmed();
    if (!host.isEmpty()) {
        if (host.startsWith(QLatin1String("unix://"))) {
            const QString path = host.mid(7);
            if (path.isEmpty() || !path.startsWith(QLatin1Char('/')))
                return Error{QStringLiteral("DOCKER_HOST=%1 does not name an absolute socket path "
                                            "(unix:///path/to/docker.sock)")
                                     .arg(host),
                             2};
            return DockerEndpoint{path, QStringLiteral("DOCKER_HOST")};
        }
        const QString scheme = host.section(QStringLiteral("://"), 0, 0);
        if (host.contains(QLatin1String("://")))
            return Error{
                    QStringLiteral(
                            "DOCKER_HOST=%1: the %2:// scheme is not supported yet; Parallax talks "
                            "to Docker over a local unix socket (unix:///var/run/docker.sock)")
                            .arg(host, scheme),
                    2};
        return Error{QStringLiteral("DOCKER_HOST=%1 is not a Docker endpoint URL like "
                                    "unix:///var/run/docker.sock")
                             .arg(host),
                     2};
    }
    const QList<DockerEndpoint> list = candidates(env);
    for (const DockerEndpoint &candidate : list) {
        if (QFileInfo::exists(candidate.socketPath))
            return candidate;
    }
    return list.first();
}

} // namespace Parallax

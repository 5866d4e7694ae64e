#include "dockerendpoint.h"

#include "dockercontexts.h"

#include <QFileInfo>

namespace Parallax {

QList<DockerEndpoint> DockerEndpoint::candidates(const QProcessEnvironment &env)
{
    QList<DockerEndpoint> list;
    list.append({QStringLiteral("/var/run/docker.sock"),
                 QStringLiteral("default"),
                 QStringLiteral("default"),
                 {}});
    const QString runtimeDir = env.value(QStringLiteral("XDG_RUNTIME_DIR"));
    if (!runtimeDir.isEmpty()) {
        list.append({runtimeDir + QStringLiteral("/docker.sock"),
                     QStringLiteral("rootless Docker"),
                     QStringLiteral("rootless"),
                     {}});
        list.append({runtimeDir + QStringLiteral("/podman/podman.sock"),
                     QStringLiteral("Podman"),
                     QStringLiteral("podman-user"),
                     {}});
    }
    list.append({QStringLiteral("/run/podman/podman.sock"),
                 QStringLiteral("Podman"),
                 QStringLiteral("podman"),
                 {}});
    return list;
}

Result<DockerEndpoint> DockerEndpoint::fromHost(const QString &host,
                                                const QString &what,
                                                const QString &source,
                                                const QString &name)
{
    if (host.startsWith(QLatin1String("unix://"))) {
        const QString path = host.mid(7);
        if (path.isEmpty() || !path.startsWith(QLatin1Char('/')))
            return Error{QStringLiteral("%1 does not name an absolute socket path "
                                        "(unix:///path/to/docker.sock)")
                                 .arg(what),
                         2};
        return DockerEndpoint{path, source, name, {}};
    }
    const QString scheme = host.section(QStringLiteral("://"), 0, 0);
    if (host.contains(QLatin1String("://")))
        return Error{QStringLiteral("%1: the %2:// scheme is not supported yet; Parallax talks "
                                    "to Docker over a local unix socket "
                                    "(unix:///var/run/docker.sock)")
                             .arg(what, scheme),
                     2};
    return Error{QStringLiteral("%1 is not a Docker endpoint URL like unix:///var/run/docker.sock")
                         .arg(what),
                 2};
}

static Result<DockerEndpoint> fromContext(const QString &name, const QProcessEnvironment &env)
{
    const Result<DockerContext> context = DockerContexts::find(name, env);
    if (!context)
        return context.error();
    return DockerEndpoint::fromHost(
            context->host,
            QStringLiteral("Docker context '%1' (Host %2)").arg(name, context->host),
            QStringLiteral("context %1").arg(name),
            name);
}

static DockerEndpoint firstExisting(const QProcessEnvironment &env)
{
    const QList<DockerEndpoint> list = DockerEndpoint::candidates(env);
    for (const DockerEndpoint &candidate : list) {
        if (QFileInfo::exists(candidate.socketPath))
            return candidate;
    }
    return list.first();
}

Result<DockerEndpoint> DockerEndpoint::resolve(const QProcessEnvironment &env,
                                               const QString &engine)
{
    QString chosen = engine.trimmed();
    if (chosen.isEmpty())
        chosen = env.value(QString::fromLatin1(kEngineEnv)).trimmed();
    if (!chosen.isEmpty())
        return byName(chosen, env);

    const QString host = env.value(QStringLiteral("DOCKER_HOST")).trimmed();
    if (!host.isEmpty())
        return fromHost(host,
                        QStringLiteral("DOCKER_HOST=") + host,
                        QStringLiteral("DOCKER_HOST"),
                        QStringLiteral("DOCKER_HOST"));

    const Result<QString> context = DockerContexts::currentName(env);
    if (!context)
        return context.error();
    if (*context != QLatin1String("default"))
        return fromContext(*context, env);
    return firstExisting(env);
}

QList<DockerEndpoint> DockerEndpoint::available(const QProcessEnvironment &env,
                                                QStringList *problems)
{
    QList<DockerEndpoint> list;
    const QString host = env.value(QStringLiteral("DOCKER_HOST")).trimmed();
    if (!host.isEmpty()) {
        const Result<DockerEndpoint> endpoint = fromHost(host,
                                                         QStringLiteral("DOCKER_HOST=") + host,
                                                         QStringLiteral("DOCKER_HOST"),
                                                         QStringLiteral("DOCKER_HOST"));
        list.append(endpoint ? *endpoint
                             : DockerEndpoint{{},
                                              QStringLiteral("DOCKER_HOST"),
                                              QStringLiteral("DOCKER_HOST"),
                                              endpoint.errorString()});
    }
    QStringList names;
    for (const DockerContext &context : DockerContexts::list(env, problems)) {
        const Result<DockerEndpoint> endpoint = fromHost(
                context.host,
                QStringLiteral("Docker context '%1' (Host %2)").arg(context.name, context.host),
                QStringLiteral("context %1").arg(context.name),
                context.name);
        list.append(endpoint ? *endpoint
                             : DockerEndpoint{{},
                                              QStringLiteral("context %1").arg(context.name),
                                              context.name,
                                              endpoint.errorString()});
        names.append(context.name);
    }
    for (const DockerEndpoint &candidate : candidates(env)) {
        if (names.contains(candidate.name))
            continue;
        // The system socket is always offered, so there is something to pick and its error
        // (not running) can be seen; the others only when they exist.
        if (candidate.name == QLatin1String("default") || QFileInfo::exists(candidate.socketPath))
            list.append(candidate);
    }
    return list;
}

Result<DockerEndpoint> DockerEndpoint::byName(const QString &name, const QProcessEnvironment &env)
{
    QStringList problems;
    const QList<DockerEndpoint> list = available(env, &problems);
    for (const DockerEndpoint &endpoint : list) {
        if (endpoint.name != name)
            continue;
        if (!endpoint.error.isEmpty())
            return Error{endpoint.error, 2};
        return endpoint;
    }
    // A detected socket that does not exist yet can still be chosen by its id.
    for (const DockerEndpoint &candidate : candidates(env)) {
        if (candidate.name == name)
            return candidate;
    }
    // A context whose meta.json is broken: say what is wrong with it.
    const Result<DockerContext> context = DockerContexts::find(name, env);
    if (!context
        && QFileInfo::exists(DockerContexts::configDir(env) + QStringLiteral("/contexts/meta/")
                             + DockerContexts::storeDigest(name)))
        return context.error();
    QStringList names;
    for (const DockerEndpoint &endpoint : list)
        names.append(endpoint.name);
    return Error{QStringLiteral("No Docker engine named '%1' (known: %2)")
                         .arg(name, names.join(QStringLiteral(", "))),
                 2};
}

} // namespace Parallax

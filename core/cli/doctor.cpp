#include "cli.h"
#include "output.h"

#include "docker/dockerclient.h"
#include "docker/dockercontexts.h"
#include "docker/syncwait.h"

#include <QJsonObject>

namespace Parallax::Cli {

// Which rule of DockerEndpoint::resolve's precedence decides, in words.
static QString chosenBy(const QProcessEnvironment &env)
{
    const QString engine = env.value(QString::fromLatin1(DockerEndpoint::kEngineEnv)).trimmed();
    if (!engine.isEmpty())
        return QStringLiteral("engine '%1' (--engine or PARALLAX_ENGINE)").arg(engine);
    if (!env.value(QStringLiteral("DOCKER_HOST")).trimmed().isEmpty())
        return QStringLiteral("DOCKER_HOST");
    if (!env.value(QStringLiteral("DOCKER_CONTEXT")).trimmed().isEmpty())
        return QStringLiteral("DOCKER_CONTEXT=%1").arg(env.value(QStringLiteral("DOCKER_CONTEXT")));
    const Result<QString> context = DockerContexts::currentName(env);
    if (!context)
        return QStringLiteral("the Docker CLI configuration, which cannot be read");
    if (*context != QLatin1String("default"))
        return QStringLiteral("Docker context '%1' (currentContext in %2/config.json)")
                .arg(*context, DockerContexts::configDir(env));
    return QStringLiteral("the first Docker or Podman socket found (no DOCKER_HOST, no context)");
}

int doctor(const QStringList &args)
{
    if (!args.isEmpty()) {
        Output::err(
                QStringLiteral("parallax doctor: unexpected argument '%1'\n").arg(args.first()));
        return ExitUsage;
    }
    Output::out(QStringLiteral("Parallax %1\n").arg(QStringLiteral(PARALLAX_VERSION)));
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    Output::out(QStringLiteral("Chosen by:  %1\n").arg(chosenBy(env)));
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(env);
    if (!endpoint) {
        Output::err(QStringLiteral("Endpoint:   %1\n").arg(endpoint.errorString()));
        return ExitNoDocker;
    }
    Output::out(QStringLiteral("Endpoint:   %1\n").arg(endpoint->describe()));
    QStringList problems;
    QStringList engines;
    for (const DockerEndpoint &engine : DockerEndpoint::available(env, &problems)) {
        QString text
                = engine.name == endpoint->name ? QStringLiteral("*") + engine.name : engine.name;
        if (!engine.usable())
            text += QStringLiteral(" (unusable)");
        engines.append(text);
    }
    Output::out(QStringLiteral("Engines:    %1 (--engine NAME to choose)\n")
                        .arg(engines.join(QStringLiteral(", "))));
    for (const QString &problem : std::as_const(problems))
        Output::out(QStringLiteral("Warning:    %1\n").arg(problem));
    DockerClient client(*endpoint);
    client.setTimeout(10000);
    const Result<PingInfo> ping
            = syncCall<PingInfo>([&](QObject *ctx, auto cb) { client.ping(ctx, cb); });
    if (!ping) {
        Output::err(QStringLiteral("Docker:     %1\n").arg(ping.errorString()));
        return ExitNoDocker;
    }
    const Result<QJsonObject> version
            = syncCall<QJsonObject>([&](QObject *ctx, auto cb) { client.version(ctx, cb); });
    if (!version) {
        Output::err(QStringLiteral("Docker:     %1\n").arg(version.errorString()));
        return ExitNoDocker;
    }
    QString product = ping->podman ? QStringLiteral("Podman") : QStringLiteral("Docker Engine");
    Output::out(QStringLiteral("Daemon:     %1 %2 (%3/%4)\n")
                        .arg(product,
                             version->value(QLatin1String("Version")).toString(),
                             version->value(QLatin1String("Os")).toString(),
                             version->value(QLatin1String("Arch")).toString()));
    Output::out(QStringLiteral("API:        API %1 (daemon %2, Parallax up to %3)\n")
                        .arg(ping->negotiatedApiVersion,
                             ping->daemonApiVersion.isEmpty() ? QStringLiteral("did not say")
                                                              : ping->daemonApiVersion,
                             QString::fromLatin1(DockerClient::kMaxApiVersion)));
    const QString demo = QStringLiteral(PARALLAX_DEMO_IMAGE);
    const Result<QJsonObject> image = syncCall<QJsonObject>(
            [&](QObject *ctx, auto cb) { client.inspectImage(demo, ctx, cb); });
    if (image) {
        Output::out(QStringLiteral("Demo image: %1 present (%2, %3 MB)\n")
                            .arg(demo, image->value(QLatin1String("Id")).toString().left(19))
                            .arg(image->value(QLatin1String("Size")).toDouble() / 1e6, 0, 'f', 1));
    } else {
        Output::out(QStringLiteral("Demo image: %1 missing — build it with ./dev.sh image\n")
                            .arg(demo));
    }
    Output::out(QStringLiteral("Healthy.\n"));
    return ExitOk;
}

} // namespace Parallax::Cli

#include "cli.h"
#include "output.h"

#include "docker/dockerclient.h"
#include "docker/syncwait.h"

#include <QJsonObject>

namespace Parallax::Cli {

int doctor(const QStringList &args)
{
    if (!args.isEmpty()) {
        Output::err(
                QStringLiteral("parallax doctor: unexpected argument '%1'\n").arg(args.first()));
        return ExitUsage;
    }
    Output::out(QStringLiteral("Parallax %1\n").arg(QStringLiteral(PARALLAX_VERSION)));
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
    if (!endpoint) {
        Output::err(QStringLiteral("Endpoint:   %1\n").arg(endpoint.errorString()));
        return ExitNoDocker;
    }
    Output::out(QStringLiteral("Endpoint:   %1\n").arg(endpoint->describe()));
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

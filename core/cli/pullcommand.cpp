#include "cli.h"
#include "output.h"
#include "signalwatcher.h"

#include "docker/dockerclient.h"
#include "docker/imagepull.h"
#include "docker/syncwait.h"

#include <QEventLoop>
#include <QHash>

namespace Parallax::Cli {

// `parallax pull IMAGE`: pulls through the chosen engine, printing each layer's status as it
// changes ("3f4ca61aafcd: Downloading 12.0 MB / 24.0 MB" at most every 10 %), then the
// daemon's final status. Ctrl-C cancels the pull on the daemon (exit 130).
int pull(const QStringList &args)
{
    if (args.size() != 1 || args.first().startsWith(QLatin1Char('-'))) {
        Output::err(QStringLiteral("Usage: parallax pull IMAGE   (e.g. parallax pull "
                                   "busybox:1.36)\n"));
        return ExitUsage;
    }
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
    if (!endpoint) {
        Output::err(QStringLiteral("parallax pull: %1\n").arg(endpoint.errorString()));
        return ExitNoDocker;
    }
    DockerClient client(*endpoint);
    const Result<PingInfo> ping
            = syncCall<PingInfo>([&](QObject *ctx, auto cb) { client.ping(ctx, cb); });
    if (!ping) {
        Output::err(QStringLiteral("parallax pull: %1\n").arg(ping.errorString()));
        return ExitNoDocker;
    }

    ImagePull pull(&client, args.first());
    QHash<QString, QString> printed; // layer -> last line printed
    QObject::connect(pull.progress(),
                     &QAbstractItemModel::dataChanged,
                     &pull,
                     [&](const QModelIndex &from, const QModelIndex &to) {
                         for (int row = from.row(); row <= to.row(); ++row) {
                             const PullProgress::Layer &layer = pull.progress()->layers().at(row);
                             // Within one phase, a line per tenth of it is enough.
                             const int decile
                                     = layer.total > 0 ? int(10 * layer.current / layer.total) : 0;
                             const QString key = layer.status + QString::number(decile);
                             if (printed.value(layer.id) == key)
                                 continue;
                             printed.insert(layer.id, key);
                             Output::err(QStringLiteral("%1: %2\n")
                                                 .arg(layer.id, PullProgress::describe(layer)));
                         }
                     });
    QObject::connect(pull.progress(),
                     &PullProgress::statusLineChanged,
                     &pull,
                     [](const QString &line) { Output::err(line + QLatin1Char('\n')); });
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::interrupted, &pull, [&pull] { pull.cancel(); });
    QEventLoop loop;
    QObject::connect(&pull, &ImagePull::finished, &loop, &QEventLoop::quit);
    pull.start();
    if (pull.state() == ImagePull::State::Pulling)
        loop.exec();
    switch (pull.state()) {
    case ImagePull::State::Succeeded:
        Output::out(QStringLiteral("%1\n").arg(pull.reference()));
        return ExitOk;
    case ImagePull::State::Cancelled:
        Output::err(QStringLiteral("parallax pull: %1\n").arg(pull.errorString()));
        return ExitInterrupted;
    default:
        Output::err(QStringLiteral("parallax pull: %1\n").arg(pull.errorString()));
        return ExitFailed;
    }
}

} // namespace Parallax::Cli

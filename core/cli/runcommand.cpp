#include "cli.h"
#include "output.h"
#include "signalwatcher.h"
#include "streamprinter.h"

#include "docker/dockerclient.h"
#include "docker/syncwait.h"
#include "history/historydb.h"
#include "run/run.h"
#include "run/runfolder.h"
#include "secrets/secretstore.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QSet>

#include <unistd.h>

namespace Parallax::Cli {

static QString formatSeconds(qint64 ms)
{
    return QStringLiteral("%1s").arg(ms / 1000.0, 0, 'f', 2);
}

static QString summaryTable(const Run &run)
{
    QList<QStringList> rows{{QStringLiteral("VARIATION"),
                             QStringLiteral("STATE"),
                             QStringLiteral("EXIT"),
                             QStringLiteral("DURATION"),
                             QStringLiteral("LINES"),
                             QStringLiteral("NOTE")}};
    for (const VariationRunner *v : run.variations()) {
        const bool hasExit
                = v->exitCode() >= 0 && isFinal(v->state()) && v->state() != VariationState::Failed;
        QString note = v->error().isEmpty() ? v->note() : v->error();
        note.replace(QLatin1Char('\n'), QLatin1Char(' '));
        rows.append({v->name(),
                     stateLabel(v->state(), v->exitCode()),
                     hasExit ? QString::number(v->exitCode()) : QStringLiteral("-"),
                     formatSeconds(v->durationMs()),
                     QString::number(v->lines(StreamType::Stdout) + v->lines(StreamType::Stderr)),
                     note});
    }
    QList<int> widths(rows.first().size(), 0);
    for (const QStringList &row : rows)
        for (int i = 0; i < row.size(); ++i)
            widths[i] = qMax(widths[i], int(row[i].size()));
    QString out;
    for (const QStringList &row : rows) {
        QString line;
        for (int i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row[i].leftJustified(widths[i] + 2) : row[i];
        out += line.trimmed() + QLatin1Char('\n');
    }
    return out;
}

// Drives a Run on the command line: streams its output, cancels it on SIGINT/SIGTERM, prints
// the summary and maps the outcome to an exit status.
static int driveRun(Run *run)
{
    HistoryDb history;
    if (const Result<void> opened = history.open(); opened)
        run->setHistory(&history);
    else
        Output::err(
                QStringLiteral("parallax: warning: this run is not recorded in the history: %1\n")
                        .arg(opened.errorString()));
    QStringList names;
    for (const VariationRunner *v : run->variations())
        names.append(v->name());
    if (names.isEmpty()) { // a fresh run makes its runners in start()
        for (const ResolvedVariation &v : run->spec().resolvedVariations())
            names.append(v.name);
    }
    const bool colour = ::isatty(1) && qEnvironmentVariableIsEmpty("NO_COLOR");
    StreamPrinter printer(names, colour);
    bool interrupted = false;
    SignalWatcher watcher;
    QObject::connect(&watcher, &SignalWatcher::interrupted, run, [&](int) {
        if (!interrupted)
            Output::err(QStringLiteral(
                    "\nparallax: interrupted — stopping every container of this run…\n"));
        interrupted = true;
        run->cancel();
    });
    QObject::connect(run,
                     &Run::outputReceived,
                     run,
                     [&](int variation, StreamType stream, const QByteArray &data) {
                         Output::out(printer.format(variation, stream, data));
                     });
    QObject::connect(
            run, &Run::variationStateChanged, run, [&](int variation, VariationState state) {
                const VariationRunner *v = run->variation(variation);
                if (state == VariationState::Failed)
                    Output::err(QStringLiteral("[%1] failed: %2\n").arg(v->name(), v->error()));
            });
    QObject::connect(run, &Run::reconnectingChanged, run, [&](int variation, bool reconnecting) {
        Output::err(QStringLiteral("[%1] %2\n")
                            .arg(run->variation(variation)->name(),
                                 reconnecting ? QStringLiteral("lost Docker, reconnecting…")
                                              : QStringLiteral("reconnected")));
    });
    QEventLoop loop;
    QObject::connect(run, &Run::finished, &loop, &QEventLoop::quit);
    run->start();
    if (!run->isFinished())
        loop.exec();

    if (!run->error().isEmpty()) {
        Output::err(QStringLiteral("parallax: %1\n").arg(run->error()));
        return ExitUsage;
    }
    Output::out(printer.finish());
    Output::out(QStringLiteral("\n") + summaryTable(*run));
    Output::out(QStringLiteral("Transcripts: %1\n").arg(run->directory()));
    if (interrupted)
        return ExitInterrupted;
    return run->allSucceeded() ? ExitOk : ExitFailed;
}

static Result<DockerClient *> connectDocker(QObject *parent)
{
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
    if (!endpoint)
        return endpoint.error();
    auto *client = new DockerClient(*endpoint, parent);
    const Result<PingInfo> ping
            = syncCall<PingInfo>([&](QObject *ctx, auto cb) { client->ping(ctx, cb); });
    if (!ping) {
        delete client;
        return ping.error();
    }
    return client;
}

int run(const QStringList &args)
{
    QString specPath;
    QString outDir;
    int count = 0;
    int parallel = 0;
    bool keep = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        auto value = [&](const QString &flag) -> std::optional<QString> {
            if (i + 1 >= args.size()) {
                Output::err(QStringLiteral("parallax run: %1 needs a value\n").arg(flag));
                return std::nullopt;
            }
            return args[++i];
        };
        if (arg == QLatin1String("--out") || arg == QLatin1String("-o")) {
            const auto v = value(arg);
            if (!v)
                return ExitUsage;
            outDir = *v;
        } else if (arg == QLatin1String("-n") || arg == QLatin1String("--variations")
                   || arg == QLatin1String("-j") || arg == QLatin1String("--parallel")) {
            const auto v = value(arg);
            if (!v)
                return ExitUsage;
            bool ok = false;
            const int n = v->toInt(&ok);
            if (!ok || n < 1 || n > RunSpec::MaxVariations) {
                Output::err(
                        QStringLiteral("parallax run: %1 takes a number from 1 to %2, not '%3'\n")
                                .arg(arg)
                                .arg(RunSpec::MaxVariations)
                                .arg(*v));
                return ExitUsage;
            }
            (arg == QLatin1String("-j") || arg == QLatin1String("--parallel") ? parallel : count)
                    = n;
        } else if (arg == QLatin1String("--keep-containers")) {
            keep = true;
        } else if (arg.startsWith(QLatin1Char('-'))) {
            Output::err(
                    QStringLiteral("parallax run: unknown option '%1'\n\n%2").arg(arg, usage()));
            return ExitUsage;
        } else if (specPath.isEmpty()) {
            specPath = arg;
        } else {
            Output::err(QStringLiteral("parallax run: unexpected argument '%1'\n").arg(arg));
            return ExitUsage;
        }
    }
    if (specPath.isEmpty()) {
        Output::err(QStringLiteral("parallax run: which spec? parallax run SPEC.json\n"));
        return ExitUsage;
    }
    QList<SpecProblem> problems;
    Result<RunSpec> spec = RunSpec::fromFile(specPath, &problems);
    if (!spec) {
        Output::err(QStringLiteral("parallax run: %1 is not a valid spec:\n").arg(specPath));
        const QStringList lines = spec.errorString().split(QLatin1Char('\n'));
        for (const QString &line : lines)
            Output::err(QStringLiteral("  %1\n").arg(line));
        return ExitUsage;
    }
    if (count > 0)
        spec->setVariationCount(count);
    if (keep)
        spec->keepContainers = true;

    // Secrets first: a missing API key is the user's to fix, and says so before Docker is even
    // asked (no image is inspected, pulled or built, no container created).
    RunOptions options;
    if (!spec->secrets.isEmpty()) {
        // Keychain first, then the environment variable of the same name.
        SecretStore secrets;
        const SecretResolution resolved
                = secrets.resolveBlocking(spec->secrets, options.environment);
        if (!resolved.keychainAvailable)
            Output::err(
                    QStringLiteral("parallax: warning: %1 (%2)\n")
                            .arg(QLatin1String(SecretStore::kNoKeychain), secrets.keychainError()));
        if (!resolved.missing.isEmpty()) {
            Output::err(QStringLiteral("parallax run: %1\n")
                                .arg(Run::missingSecretsMessage(resolved.missing)));
            return ExitUsage;
        }
        options.environment = resolved.environment;
    }

    Result<DockerClient *> client = connectDocker(qApp);
    if (!client) {
        Output::err(QStringLiteral("parallax: %1\n").arg(client.errorString()));
        return ExitNoDocker;
    }
    // A missing image fails every variation the same way: say so once, before creating anything.
    QSet<QString> images;
    for (const ResolvedVariation &v : spec->resolvedVariations())
        images.insert(v.image);
    for (const QString &image : std::as_const(images)) {
        const Result<QJsonObject> inspected = syncCall<QJsonObject>(
                [&](QObject *ctx, auto cb) { (*client)->inspectImage(image, ctx, cb); });
        if (!inspected) {
            Output::err(QStringLiteral("parallax: %1\n").arg(inspected.errorString()));
            return inspected.error().code < 0 ? ExitNoDocker : ExitFailed;
        }
    }

    options.outDir = outDir;
    options.parallelism = parallel;
    options.specPath = QFileInfo(specPath).absoluteFilePath();
    Run run(*client, *spec, options);
    Output::err(QStringLiteral("parallax: run %1, %2 variation(s) → %3 (Docker: %4)\n")
                        .arg(run.id())
                        .arg(spec->resolvedVariations().size())
                        .arg(run.directory(), (*client)->endpoint().describe()));
    return driveRun(&run);
}

int resume(const QStringList &args)
{
    if (args.size() != 1 || args.first().startsWith(QLatin1Char('-'))) {
        Output::err(QStringLiteral("parallax resume: which run? parallax resume RUN_DIR\n"));
        return ExitUsage;
    }
    Result<DockerClient *> client = connectDocker(qApp);
    if (!client) {
        Output::err(QStringLiteral("parallax: %1\n").arg(client.errorString()));
        return ExitNoDocker;
    }
    // The rest of the transcripts is masked with the same values: keychain, then environment.
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (const Result<QJsonObject> record = readRunJson(args.first())) {
        QStringList names;
        const QJsonArray secrets = record->value(QLatin1String("spec"))
                                           .toObject()
                                           .value(QLatin1String("secrets"))
                                           .toArray();
        for (const QJsonValue &name : secrets)
            names << name.toString();
        if (!names.isEmpty())
            environment = SecretStore().resolveBlocking(names, environment).environment;
    }
    Result<Run *> run = Run::resume(*client, args.first(), qApp, environment);
    if (!run) {
        Output::err(QStringLiteral("parallax resume: %1\n").arg(run.errorString()));
        return ExitUsage;
    }
    Output::err(QStringLiteral("parallax: resuming run %1 in %2\n")
                        .arg((*run)->id(), (*run)->directory()));
    return driveRun(*run);
}

} // namespace Parallax::Cli

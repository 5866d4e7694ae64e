#include "cli.h"

#include "exportcommand.h"
#include "historycommand.h"
#include "output.h"

#include <QCoreApplication>

namespace Parallax::Cli {

static const QStringList kCommands = {QStringLiteral("doctor"),
                                      QStringLiteral("run"),
                                      QStringLiteral("resume"),
                                      QStringLiteral("--version"),
                                      QStringLiteral("-v"),
                                      QStringLiteral("--help"),
                                      QStringLiteral("-h"),
                                      QStringLiteral("help"),
                                      QStringLiteral("history"),
                                      QStringLiteral("show"),
                                      QStringLiteral("export"),
                                      QStringLiteral("pull")};

int pull(const QStringList &args); // pullcommand.cpp

// `--engine NAME` (or --engine=NAME) before the command picks the Docker engine, as
// PARALLAX_ENGINE does: sets that variable for this process and returns how many arguments it
// took (0 when absent).
static int takeEngineOption(const QStringList &args)
{
    if (args.size() >= 2 && args.first() == QLatin1String("--engine")) {
        qputenv("PARALLAX_ENGINE", args.at(1).toLocal8Bit());
        return 2;
    }
    if (!args.isEmpty() && args.first().startsWith(QLatin1String("--engine="))) {
        qputenv("PARALLAX_ENGINE", args.first().mid(9).toLocal8Bit());
        return 1;
    }
    return 0;
}

bool isCommandLine(int argc, char *argv[])
{
    int first = 1;
    if (argc > 1 && QString::fromLocal8Bit(argv[1]) == QLatin1String("--engine"))
        first = 3;
    else if (argc > 1 && QString::fromLocal8Bit(argv[1]).startsWith(QLatin1String("--engine=")))
        first = 2;
    return argc > first && kCommands.contains(QString::fromLocal8Bit(argv[first]));
}

QString usage()
{
    return QStringLiteral(
            "Usage:\n"
            "  parallax [SPEC.json] [--start]     open the window (with a spec; --start launches "
            "it)\n"
            "  parallax run SPEC.json [--out DIR] [-n N] [--keep-containers]\n"
            "                                     run a spec headless, streaming every variation\n"
            "  parallax resume RUN_DIR            complete an interrupted run's transcripts\n"
            "  parallax history [--state S] [--name TEXT] [--limit N]\n"
            "                                     list recorded runs\n"
            "  parallax show RUN [--winner NAME]  a run's summary (RUN: a run id or folder)\n"
            "  parallax export RUN --format markdown|html|json|text [-o FILE]\n"
            "  parallax doctor                    check the Docker connection\n"
            "  parallax pull IMAGE                pull an image, showing each layer\n"
            "  parallax --engine NAME COMMAND ... use that Docker engine (a context, default,\n"
            "                                     rootless, podman-user, podman; or\n"
            "                                     PARALLAX_ENGINE=NAME)\n"
            "  parallax --version | --help\n"
            "\n"
            "Exit status: 0 all variations exited 0; 1 some did not; 2 bad arguments or spec;\n"
            "3 Docker unreachable; 130 interrupted.\n"
            "Docker endpoint: DOCKER_HOST (unix://...), else /var/run/docker.sock, rootless "
            "Docker's\n"
            "or Podman's socket.\n");
}

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("parallax"));
    QCoreApplication::setOrganizationName(QStringLiteral("parallax"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PARALLAX_VERSION));
    QStringList args = QCoreApplication::arguments().mid(1);
    args = args.mid(takeEngineOption(args));
    const QString command = args.takeFirst();
    if (command == QLatin1String("--version") || command == QLatin1String("-v")) {
        Output::out(QStringLiteral("parallax %1\n").arg(QStringLiteral(PARALLAX_VERSION)));
        return ExitOk;
    }
    if (command == QLatin1String("--help") || command == QLatin1String("-h")
        || command == QLatin1String("help")) {
        Output::out(usage());
        return ExitOk;
    }
    if (command == QLatin1String("doctor"))
        return doctor(args);
    if (command == QLatin1String("run"))
        return run(args);
    if (command == QLatin1String("resume"))
        return resume(args);
    if (command == QLatin1String("history"))
        return history(args);
    if (command == QLatin1String("show"))
        return show(args);
    if (command == QLatin1String("export"))
        return exportRun(args);
    if (command == QLatin1String("pull"))
        return pull(args);
    Output::err(usage());
    return ExitUsage;
}

} // namespace Parallax::Cli

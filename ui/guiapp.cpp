#include "guiapp.h"

#include "mainwindow.h"
#include "runviewer.h"
#include "theme.h"

#include "docker/dockerendpoint.h"
#include "docker/dockermonitor.h"
#include "export/runexporter.h"
#include "run/run.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QProcessEnvironment>
#include <QSettings>
#include <QTimer>
#include <QWindow>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <unistd.h>

namespace Parallax::Gui {

namespace {

double clockMs(clockid_t clock)
{
    timespec ts{};
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// PARALLAX_TRACE_STARTUP=1 (docs/benchmarks.md): when the main window is first exposed, print
// to stderr how long after the process started that was (the start from /proc/self/stat, in
// clock ticks since boot), and the CLOCK_MONOTONIC reading then, so that whoever started the
// process can compute it precisely. PARALLAX_TRACE_STARTUP=exit then quits. Nothing at all is
// installed without the variable.
class StartupTracer : public QObject
{
public:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        auto *window = qobject_cast<QWindow *>(watched);
        if (event->type() != QEvent::Expose || !window || !window->isExposed())
            return false;
        const double bootMs = clockMs(CLOCK_BOOTTIME), monoMs = clockMs(CLOCK_MONOTONIC);
        double sinceStart = -1;
        if (FILE *f = std::fopen("/proc/self/stat", "r")) {
            char buf[1024];
            const size_t n = std::fread(buf, 1, sizeof buf - 1, f);
            std::fclose(f);
            buf[n] = 0;
            // Field 22 (starttime) counts from after the ")" that ends field 2.
            if (const char *p = std::strrchr(buf, ')')) {
                unsigned long long start = 0;
                if (std::sscanf(p + 2,
                                "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d "
                                "%*d %*d %*d %*d %*d %llu",
                                &start)
                    == 1)
                    sinceStart = bootMs - double(start) * 1e3 / double(sysconf(_SC_CLK_TCK));
            }
        }
        std::fprintf(stderr,
                     "parallax: startup: first window exposed %.1f ms after process start "
                     "(monotonic %.3f ms)\n",
                     sinceStart,
                     monoMs);
        std::fflush(stderr);
        watched->removeEventFilter(this);
        if (qgetenv("PARALLAX_TRACE_STARTUP") == "exit")
            QTimer::singleShot(0, qApp, [] { QApplication::exit(0); });
        return false;
    }
};

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("parallax"));
    QApplication::setOrganizationName(QStringLiteral("parallax"));
    QApplication::setApplicationDisplayName(QStringLiteral("Parallax"));
    QApplication::setApplicationVersion(QStringLiteral(PARALLAX_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("io.parallax.Parallax"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/parallax.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(
            QStringLiteral("Run AI coding agents side by side in Docker."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("spec"),
                                 QStringLiteral("A run spec (JSON) to load."),
                                 QStringLiteral("[SPEC.json]"));
    const QCommandLineOption start(QStringLiteral("start"),
                                   QStringLiteral("Launch the spec at once."));
    const QCommandLineOption theme(QStringLiteral("theme"),
                                   QStringLiteral("system, light or dark (remembered)."),
                                   QStringLiteral("theme"));
    parser.addOption(theme);
    const QCommandLineOption noResume(QStringLiteral("no-resume"),
                                      QStringLiteral("Do not reopen unfinished runs."));
    const QCommandLineOption open(QStringLiteral("open"),
                                  QStringLiteral("Open a recorded run (a run id or folder)."),
                                  QStringLiteral("run"));
    const QCommandLineOption replay(QStringLiteral("replay"),
                                    QStringLiteral("With --open: replay it at 1, 4 or 16x speed."),
                                    QStringLiteral("speed"));
    const QCommandLineOption compare(
            QStringLiteral("compare"),
            QStringLiteral("Compare a run's variations (a run id or folder)."),
            QStringLiteral("run"));
    const QCommandLineOption engine(
            QStringLiteral("engine"),
            QStringLiteral("Use this Docker engine for the session (a context, default, "
                           "rootless, podman, ...), as PARALLAX_ENGINE does."),
            QStringLiteral("name"));
    parser.addOption(engine);
    parser.addOption(start);
    parser.addOption(noResume);
    parser.addOption(open);
    parser.addOption(replay);
    parser.addOption(compare);
    parser.process(app);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() > 1) {
        std::fprintf(stderr,
                     "parallax: one spec at a time (got %lld)\n",
                     static_cast<long long>(positional.size()));
        return 2;
    }
    if (parser.isSet(start) && positional.isEmpty()) {
        std::fprintf(stderr, "parallax: --start needs a spec: parallax SPEC.json --start\n");
        return 2;
    }

    // Run folders are checked before any window appears, so a typo is a clear exit 2.
    const auto runFolder = [&parser](const QCommandLineOption &option) -> std::optional<QString> {
        if (!parser.isSet(option))
            return QString();
        const Result<QString> folder = RunExporter::resolveRunFolder(parser.value(option));
        if (!folder) {
            std::fprintf(stderr,
                         "parallax: --%s: %s\n",
                         qPrintable(option.names().first()),
                         qPrintable(folder.errorString()));
            return std::nullopt;
        }
        return *folder;
    };
    const std::optional<QString> openFolder = runFolder(open);
    const std::optional<QString> compareFolder = runFolder(compare);
    if (!openFolder || !compareFolder)
        return 2;
    double replaySpeed = 0;
    if (parser.isSet(replay)) {
        const QString value = parser.value(replay).remove(QLatin1Char('x'));
        bool ok = false;
        replaySpeed = value.toDouble(&ok);
        if (!ok || !RunViewer::speeds().contains(replaySpeed) || replaySpeed == 0) {
            std::fprintf(stderr,
                         "parallax: --replay takes 1, 4 or 16 (got '%s')\n",
                         qPrintable(parser.value(replay)));
            return 2;
        }
        if (openFolder->isEmpty()) {
            std::fprintf(stderr, "parallax: --replay goes with --open RUN\n");
            return 2;
        }
    }

    if (parser.isSet(engine)) {
        const QString name = parser.value(engine);
        if (const Result<DockerEndpoint> chosen
            = DockerEndpoint::byName(name, QProcessEnvironment::systemEnvironment());
            !chosen) {
            std::fprintf(stderr, "parallax: --engine: %s\n", qPrintable(chosen.errorString()));
            return 2;
        }
        qputenv("PARALLAX_ENGINE", name.toLocal8Bit());
    }

    QSettings settings;
    if (parser.isSet(theme))
        settings.setValue(QStringLiteral("view/theme"), parser.value(theme));
    Theme::apply(Theme::fromString(
            settings.value(QStringLiteral("view/theme"), QStringLiteral("system")).toString()));

    MainWindow window;
    StartupTracer tracer;
    if (qEnvironmentVariableIsSet("PARALLAX_TRACE_STARTUP")) {
        window.winId(); // creates the QWindow to watch before it is shown
        window.windowHandle()->installEventFilter(&tracer);
    }
    window.show();
    if (!positional.isEmpty()) {
        if (!window.openSpec(positional.first()))
            return 2;
    }
    if (!openFolder->isEmpty() && !window.openRecordedRun(*openFolder, replaySpeed))
        return 2;
    if (!compareFolder->isEmpty() && !window.showCompare(*compareFolder))
        return 2;
    if (!parser.isSet(noResume))
        window.resumeUnfinishedRuns(Run::defaultRunsDirectory(), !parser.isSet(start));
    if (parser.isSet(start)) {
        // Launch once Docker has answered (or said it cannot).
        QTimer::singleShot(0, &window, [&window] {
            auto *monitor = window.dockerMonitor();
            if (monitor->health() != DockerMonitor::Health::Unknown) {
                window.launch();
                return;
            }
            auto connection = std::make_shared<QMetaObject::Connection>();
            *connection = QObject::connect(
                    monitor, &DockerMonitor::healthChanged, &window, [&window, connection] {
                        QObject::disconnect(*connection);
                        window.launch();
                    });
        });
    }
    return QApplication::exec();
}

} // namespace Parallax::Gui

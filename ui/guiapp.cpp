#include "guiapp.h"

#include "mainwindow.h"
#include "theme.h"

#include "docker/dockermonitor.h"
#include "run/run.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>

#include <cstdio>

namespace Parallax::Gui {

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
    parser.addOption(start);
    parser.addOption(noResume);
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

    QSettings settings;
    if (parser.isSet(theme))
        settings.setValue(QStringLiteral("view/theme"), parser.value(theme));
    Theme::apply(Theme::fromString(
            settings.value(QStringLiteral("view/theme"), QStringLiteral("system")).toString()));

    MainWindow window;
    window.show();
    if (!positional.isEmpty()) {
        if (!window.openSpec(positional.first()))
            return 2;
    }
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

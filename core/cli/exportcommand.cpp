#include "exportcommand.h"

#include "cli.h"
#include "output.h"

#include "export/runexporter.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace Parallax::Cli {

static QString exportUsage()
{
    return QStringLiteral("usage: parallax export RUN --format markdown|html|json|text [-o FILE]\n"
                          "RUN is a run folder or a run id; without -o the export goes to "
                          "stdout.\n");
}

static int usageError(const QString &message)
{
    Output::err(QStringLiteral("parallax export: %1\n%2").arg(message, exportUsage()));
    return ExitUsage;
}

int exportRun(const QStringList &args)
{
    QString run, formatName, outPath;
    bool haveFormat = false, haveOut = false;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        auto takeValue = [&](QString *target, bool *seen) {
            if (*seen)
                return usageError(QStringLiteral("%1 given twice").arg(arg));
            *seen = true;
            if (i + 1 >= args.size())
                return usageError(QStringLiteral("%1 needs a value").arg(arg));
            *target = args[++i];
            return int(ExitOk);
        };
        if (arg == QLatin1String("--format") || arg == QLatin1String("-f")) {
            if (const int status = takeValue(&formatName, &haveFormat))
                return status;
        } else if (arg.startsWith(QLatin1String("--format="))) {
            if (haveFormat)
                return usageError(QStringLiteral("--format given twice"));
            haveFormat = true;
            formatName = arg.mid(9);
        } else if (arg == QLatin1String("-o") || arg == QLatin1String("--output")) {
            if (const int status = takeValue(&outPath, &haveOut))
                return status;
        } else if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            Output::out(exportUsage());
            return ExitOk;
        } else if (arg.startsWith(QLatin1Char('-')) && arg != QLatin1String("-")) {
            return usageError(QStringLiteral("unknown option %1").arg(arg));
        } else if (run.isEmpty()) {
            run = arg;
        } else {
            return usageError(QStringLiteral("one run at a time (got %1 and %2)").arg(run, arg));
        }
    }
    if (run.isEmpty())
        return usageError(QStringLiteral("which run?"));
    if (!haveFormat && haveOut) // -o report.html says which format is meant
        formatName = QFileInfo(outPath).suffix();
    if (!haveFormat && formatName.isEmpty())
        return usageError(QStringLiteral("which format? --format %1")
                                  .arg(RunExporter::formatNames().join(QLatin1Char('|'))));
    const std::optional<RunExporter::Format> format = RunExporter::formatFromName(formatName);
    if (!format)
        return usageError(
                QStringLiteral("unknown format \"%1\" (known: %2)")
                        .arg(formatName, RunExporter::formatNames().join(QStringLiteral(", "))));
    if (haveOut && outPath.isEmpty())
        return usageError(QStringLiteral("-o needs a file name"));

    const Result<QString> folder = RunExporter::resolveRunFolder(run);
    if (!folder)
        return usageError(folder.errorString());
    RunExporter exporter;
    if (const Result<void> opened = exporter.open(*folder); !opened)
        return usageError(opened.errorString());

    if (!haveOut || outPath == QLatin1String("-")) {
        QFile out;
        if (!out.open(1, QIODevice::WriteOnly, QFileDevice::DontCloseHandle)) {
            Output::err(QStringLiteral("parallax export: cannot write to stdout: %1\n")
                                .arg(out.errorString()));
            return ExitFailed;
        }
        const Result<void> written = exporter.write(*format, &out);
        out.flush();
        if (!written) {
            Output::err(QStringLiteral("parallax export: %1\n").arg(written.errorString()));
            return written.error().code == ExitUsage ? ExitUsage : ExitFailed;
        }
        return ExitOk;
    }
    // QSaveFile: a failed export never leaves a half-written file in place of a good one.
    QSaveFile out(outPath);
    if (!out.open(QIODevice::WriteOnly)) {
        Output::err(QStringLiteral("parallax export: cannot write %1: %2\n")
                            .arg(outPath, out.errorString()));
        return ExitFailed;
    }
    const Result<void> written = exporter.write(*format, &out);
    if (!written) {
        out.cancelWriting();
        Output::err(QStringLiteral("parallax export: %1\n").arg(written.errorString()));
        return ExitFailed;
    }
    if (!out.commit()) {
        Output::err(QStringLiteral("parallax export: cannot write %1: %2\n")
                            .arg(outPath, out.errorString()));
        return ExitFailed;
    }
    return ExitOk;
}

} // namespace Parallax::Cli

#include "historycommand.h"

#include "cli.h"
#include "output.h"

#include "history/historydb.h"
#include "history/historyformat.h"
#include "run/run.h"

#include <QDir>
#include <QFileInfo>

namespace Parallax::Cli {

QString historyUsage()
{
    return QStringLiteral(
            "Usage:\n"
            "  parallax history [--state running|finished|cancelled] [--name TEXT] [--image TEXT]\n"
            "                   [--limit N]      list recorded runs, newest first\n"
            "  parallax show RUN [--winner NAME | --no-winner]\n"
            "                                     a run's summary; RUN is a run id or folder\n");
}

namespace {

// Opens the history and reports why not, in the command's name.
bool openHistory(HistoryDb &db, const char *command)
{
    const Result<void> opened = db.open();
    if (!opened) {
        Output::err(QStringLiteral("parallax %1: %2\n")
                            .arg(QLatin1String(command), opened.errorString()));
        return false;
    }
    return true;
}

int exitFor(const Error &error)
{
    return error.code == ExitUsage ? ExitUsage : ExitFailed;
}

} // namespace

int history(const QStringList &args)
{
    HistoryFilter filter;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            Output::out(historyUsage());
            return ExitOk;
        }
        const bool takesValue = arg == QLatin1String("--state") || arg == QLatin1String("--name")
                                || arg == QLatin1String("--image")
                                || arg == QLatin1String("--limit");
        if (!takesValue) {
            Output::err(QStringLiteral("parallax history: unexpected argument '%1'\n%2")
                                .arg(arg, historyUsage()));
            return ExitUsage;
        }
        if (i + 1 >= args.size()) {
            Output::err(QStringLiteral("parallax history: %1 needs a value\n").arg(arg));
            return ExitUsage;
        }
        const QString value = args[++i];
        if (arg == QLatin1String("--state")) {
            static const QStringList states{QStringLiteral("running"),
                                            QStringLiteral("finished"),
                                            QStringLiteral("cancelled")};
            if (!states.contains(value)) {
                Output::err(QStringLiteral("parallax history: --state must be one of %1, not "
                                           "'%2'\n")
                                    .arg(states.join(QStringLiteral(", ")), value));
                return ExitUsage;
            }
            filter.state = value;
        } else if (arg == QLatin1String("--name")) {
            filter.name = value;
        } else if (arg == QLatin1String("--image")) {
            filter.image = value;
        } else {
            bool ok = false;
            filter.limit = value.toInt(&ok);
            if (!ok || filter.limit <= 0) {
                Output::err(QStringLiteral("parallax history: --limit needs a positive number, "
                                           "not '%1'\n")
                                    .arg(value));
                return ExitUsage;
            }
        }
    }

    HistoryDb db;
    if (!openHistory(db, "history"))
        return ExitFailed;
    // Runs recorded before the history existed, or by a process that died, show up too.
    const ImportReport report = db.importRunFolders(Run::defaultRunsDirectory());
    for (const QString &problem : report.problems)
        Output::err(QStringLiteral("parallax history: skipped %1\n").arg(problem));

    const QList<RunSummary> runs = db.runs(filter);
    if (runs.isEmpty()) {
        const bool filtered
                = !filter.name.isEmpty() || !filter.state.isEmpty() || !filter.image.isEmpty();
        Output::out(filtered ? QStringLiteral("No recorded run matches.\n")
                             : QStringLiteral("No runs recorded yet (history: %1).\n")
                                       .arg(QDir::toNativeSeparators(db.path())));
        return ExitOk;
    }
    Output::out(HistoryFormat::runTable(runs));
    return ExitOk;
}

int show(const QStringList &args)
{
    QString target;
    QString winner;
    bool setWinner = false;
    for (int i = 0; i < args.size(); ++i) {
        const QString &arg = args[i];
        if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            Output::out(historyUsage());
            return ExitOk;
        }
        if (arg == QLatin1String("--winner")) {
            if (i + 1 >= args.size() || args[i + 1].isEmpty()) {
                Output::err(QStringLiteral("parallax show: --winner needs a variation name\n"));
                return ExitUsage;
            }
            winner = args[++i];
            setWinner = true;
        } else if (arg == QLatin1String("--no-winner")) {
            winner.clear();
            setWinner = true;
        } else if (arg.startsWith(QLatin1Char('-')) || !target.isEmpty()) {
            Output::err(QStringLiteral("parallax show: unexpected argument '%1'\n%2")
                                .arg(arg, historyUsage()));
            return ExitUsage;
        } else {
            target = arg;
        }
    }
    if (target.isEmpty()) {
        Output::err(QStringLiteral("parallax show: which run? Give a run id or a run folder\n%1")
                            .arg(historyUsage()));
        return ExitUsage;
    }

    HistoryDb db;
    if (!openHistory(db, "show"))
        return ExitFailed;

    QString runId;
    const QFileInfo asFolder(target);
    if (asFolder.isDir()) {
        // A folder is re-read every time: the database follows its run.json, never the reverse.
        const Result<void> recorded = db.recordFromFolder(asFolder.absoluteFilePath());
        if (!recorded) {
            Output::err(QStringLiteral("parallax show: %1\n").arg(recorded.errorString()));
            return exitFor(recorded.error());
        }
        runId = db.runIdForFolder(asFolder.absoluteFilePath()).value_or(QString());
    } else {
        runId = target;
        std::optional<RunRecord> known = db.run(runId);
        const QString folder
                = known ? known->summary.folder : QDir(Run::defaultRunsDirectory()).filePath(runId);
        // Unknown ids may still name a folder in the runs directory; a run recorded as
        // running may have finished since (or died): its run.json knows.
        if ((!known || known->summary.state == QLatin1String("running"))
            && QFileInfo::exists(folder + QStringLiteral("/run.json"))) {
            const Result<void> recorded = db.recordFromFolder(folder);
            if (!recorded && !known) {
                Output::err(QStringLiteral("parallax show: %1\n").arg(recorded.errorString()));
                return exitFor(recorded.error());
            }
        }
    }
    std::optional<RunRecord> record = db.run(runId);
    if (!record) {
        Output::err(QStringLiteral("parallax show: no run '%1': it is neither a run id in the "
                                   "history (%2) nor a run folder\n")
                            .arg(target, QDir::toNativeSeparators(db.path())));
        return ExitUsage;
    }

    if (setWinner) {
        const Result<void> marked = db.setWinner(record->summary.id, winner);
        if (!marked) {
            Output::err(QStringLiteral("parallax show: %1\n").arg(marked.errorString()));
            return exitFor(marked.error());
        }
        record = db.run(record->summary.id);
        if (!record)
            return ExitFailed;
    }
    Output::out(HistoryFormat::runDetails(*record));
    return ExitOk;
}

} // namespace Parallax::Cli

#include "runfolder.h"

#include "util/backgroundwriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace Parallax {

namespace {

// run.json names files by their plain name in the run folder; anything with a directory part,
// or a dot entry, could lead a reader elsewhere.
bool isPlainFileName(const QString &name)
{
    return !name.isEmpty() && name != QLatin1String(".") && name != QLatin1String("..")
           && !name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\'));
}

std::optional<int> optionalInt(const QJsonValue &value)
{
    // toInt() gives the default for a fraction or a value out of range: both read as absent.
    if (!value.isDouble())
        return std::nullopt;
    const int fallback = value.toInt(-1);
    if (fallback != value.toInt(0))
        return std::nullopt;
    return fallback;
}

QDateTime timeOf(const QJsonValue &value)
{
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
}

} // namespace

QString RecordedVariation::patchFileName() const
{
    return patchPath.isEmpty() ? QString() : QFileInfo(patchPath).fileName();
}

Result<QList<RecordedVariation>> readRunVariations(const QJsonObject &runJson,
                                                   const QString &folder)
{
    const QDir dir(folder);
    const auto where = [&] {
        return QDir::toNativeSeparators(dir.absoluteFilePath(QStringLiteral("run.json")));
    };
    const QJsonValue array = runJson.value(QLatin1String("variations"));
    if (!array.isArray() && !array.isUndefined() && !array.isNull())
        return Error{QStringLiteral("%1 is damaged: its \"variations\" is not a list").arg(where()),
                     2};
    QList<RecordedVariation> result;
    const QJsonArray entries = array.toArray();
    result.reserve(entries.size());
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (!entries.at(i).isObject())
            return Error{QStringLiteral("%1 is damaged: variation %2 of %3 is not an object")
                                 .arg(where())
                                 .arg(i + 1)
                                 .arg(entries.size()),
                         2};
        const QJsonObject o = entries.at(i).toObject();
        RecordedVariation v;
        const auto text = [&o](const char *key) {
            return o.value(QLatin1String(key)).toString();
        };
        const auto integer = [&o](const char *key) {
            return o.value(QLatin1String(key)).toInteger();
        };
        v.name = text("name");
        v.image = text("image");
        v.state = text("state");
        v.exitCode = optionalInt(o.value(QLatin1String("exit_code")));
        v.startedAt = timeOf(o.value(QLatin1String("started_at")));
        v.finishedAt = timeOf(o.value(QLatin1String("finished_at")));
        v.durationMs = integer("duration_ms");
        v.stdoutBytes = integer("stdout_bytes");
        v.stderrBytes = integer("stderr_bytes");
        v.stdoutLines = integer("stdout_lines");
        v.stderrLines = integer("stderr_lines");
        v.error = text("error");
        v.note = text("note");

        // The one place file names from run.json become paths.
        const auto fileIn = [&](const char *key) {
            const QString name = text(key);
            if (name.isEmpty())
                return QString();
            if (isPlainFileName(name))
                return dir.absoluteFilePath(name);
            v.problems.append(QStringLiteral("variation \"%1\": run.json gives its %2 as \"%3\", "
                                             "which is not a file name in the run folder; ignored")
                                      .arg(v.name, QLatin1String(key), name));
            return QString();
        };
        v.transcriptPath = fileIn("transcript");
        if (v.transcriptPath.isEmpty()) {
            const QString fallback = v.name + QStringLiteral(".jsonl");
            if (isPlainFileName(fallback))
                v.transcriptPath = dir.absoluteFilePath(fallback);
            else
                v.problems.append(
                        QStringLiteral("variation \"%1\": its name cannot name a transcript "
                                       "in the run folder; none is read")
                                .arg(v.name));
        }
        v.logPath = fileIn("log");
        v.patchPath = fileIn("patch");
        v.filesChanged = integer("files_changed");
        v.insertions = integer("insertions");
        v.deletions = integer("deletions");
        const QJsonValue cpu = o.value(QLatin1String("cpu_peak_percent"));
        if (cpu.isDouble())
            v.cpuPeakPercent = cpu.toDouble();
        const QJsonValue memory = o.value(QLatin1String("memory_peak_bytes"));
        if (memory.isDouble())
            v.memoryPeakBytes = qint64(memory.toDouble());
        result.append(v);
    }
    return result;
}

Result<QJsonObject> readRunJson(const QString &folder)
{
    BackgroundWriter::instance().drain(); // a save this process queued comes first
    const QString path = QDir(folder).absoluteFilePath(QStringLiteral("run.json"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("%1 is not a run folder: cannot read %2 (%3)")
                             .arg(folder, path, file.errorString()),
                     2};
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!doc.isObject())
        return Error{QStringLiteral("%1 is damaged: %2").arg(path, parseError.errorString()), 2};
    return doc.object();
}

Result<void> writeRunWinner(const QString &folder, const QString &winner)
{
    Result<QJsonObject> read = readRunJson(folder);
    if (!read)
        return read.error();
    QJsonObject record = *read;
    if (record.value(QLatin1String("state")).toString() == QLatin1String("running"))
        return Error{QStringLiteral("the run in %1 is still running (or was interrupted and not "
                                    "resumed): mark a winner once it has finished")
                             .arg(QDir::toNativeSeparators(folder)),
                     2};
    if (!winner.isEmpty()) {
        const Result<QList<RecordedVariation>> variations = readRunVariations(record, folder);
        if (!variations)
            return variations.error();
        QStringList names;
        for (const RecordedVariation &v : *variations)
            names.append(v.name);
        if (!names.contains(winner))
            return Error{QStringLiteral("the run has no variation %1 (it has %2)")
                                 .arg(winner, names.join(QStringLiteral(", "))),
                         2};
        record.insert(QLatin1String("winner"), winner);
    } else {
        record.remove(QLatin1String("winner"));
    }
    const QString path = QDir(folder).absoluteFilePath(QStringLiteral("run.json"));
    QSaveFile file(path);
    const QByteArray bytes = QJsonDocument(record).toJson();
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit())
        return Error{QStringLiteral("cannot write %1: %2")
                             .arg(QDir::toNativeSeparators(path), file.errorString()),
                     1};
    return {};
}

} // namespace Parallax

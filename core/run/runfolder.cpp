#include "runfolder.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

namespace Parallax {

Result<QJsonObject> readRunJson(const QString &folder)
{
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
        QStringList names;
        for (const QJsonValue &v : record.value(QLatin1String("variations")).toArray())
            names.append(v.toObject().value(QLatin1String("name")).toString());
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

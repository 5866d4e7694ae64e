#include "runfolder.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>

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

} // namespace Parallax

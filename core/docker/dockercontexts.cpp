#include "dockercontexts.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace Parallax {

QString DockerContexts::configDir(const QProcessEnvironment &env)
{
    const QString dir = env.value(QStringLiteral("DOCKER_CONFIG"));
    if (!dir.isEmpty())
        return dir;
    return env.value(QStringLiteral("HOME"), QDir::homePath()) + QStringLiteral("/.docker");
}

QString DockerContexts::storeDigest(const QString &name)
{
    return QString::fromLatin1(
            QCryptographicHash::hash(name.toUtf8(), QCryptographicHash::Sha256).toHex());
}

static Result<QJsonObject> readJsonObject(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("Cannot read %1: %2").arg(path, file.errorString()), 2};
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError)
        return Error{QStringLiteral("%1 is not valid JSON: %2 at offset %3")
                             .arg(path, error.errorString())
                             .arg(error.offset),
                     2};
    if (!doc.isObject())
        return Error{QStringLiteral("%1 is not a JSON object").arg(path), 2};
    return doc.object();
}

Result<QString> DockerContexts::currentName(const QProcessEnvironment &env)
{
    const QString fromEnv = env.value(QStringLiteral("DOCKER_CONTEXT")).trimmed();
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QString path = configDir(env) + QStringLiteral("/config.json");
    if (!QFile::exists(path))
        return QStringLiteral("default");
    const Result<QJsonObject> config = readJsonObject(path);
    if (!config)
        return Error{QStringLiteral("Docker CLI configuration: %1").arg(config.errorString()), 2};
    const QJsonValue current = config->value(QLatin1String("currentContext"));
    if (current.isUndefined() || current.isNull())
        return QStringLiteral("default");
    if (!current.isString())
        return Error{QStringLiteral("Docker CLI configuration %1: \"currentContext\" must be a "
                                    "string")
                             .arg(path),
                     2};
    const QString name = current.toString().trimmed();
    return name.isEmpty() ? QStringLiteral("default") : name;
}

static Result<DockerContext> parseMeta(const QString &path)
{
    const Result<QJsonObject> meta = readJsonObject(path);
    if (!meta)
        return meta.error();
    DockerContext context;
    context.metaPath = path;
    context.name = meta->value(QLatin1String("Name")).toString();
    if (context.name.isEmpty())
        return Error{QStringLiteral("%1 has no \"Name\"").arg(path), 2};
    context.description = meta->value(QLatin1String("Metadata"))
                                  .toObject()
                                  .value(QLatin1String("Description"))
                                  .toString();
    context.host = meta->value(QLatin1String("Endpoints"))
                           .toObject()
                           .value(QLatin1String("docker"))
                           .toObject()
                           .value(QLatin1String("Host"))
                           .toString();
    if (context.host.isEmpty())
        return Error{QStringLiteral("Docker context '%1' (%2) has no Endpoints.docker.Host")
                             .arg(context.name, path),
                     2};
    return context;
}

Result<DockerContext> DockerContexts::find(const QString &name, const QProcessEnvironment &env)
{
    if (name == QLatin1String("default"))
        return Error{QStringLiteral("'default' is the built-in context; it has no stored "
                                    "endpoint"),
                     2};
    const QString path = configDir(env) + QStringLiteral("/contexts/meta/") + storeDigest(name)
                         + QStringLiteral("/meta.json");
    if (!QFile::exists(path))
        return Error{QStringLiteral("Docker context '%1' does not exist (no %2); see `docker "
                                    "context ls`")
                             .arg(name, path),
                     2};
    Result<DockerContext> context = parseMeta(path);
    if (!context)
        return Error{QStringLiteral("Docker context '%1': %2").arg(name, context.errorString()), 2};
    if (context->name != name)
        return Error{QStringLiteral("Docker context '%1': %2 names a different context ('%3')")
                             .arg(name, path, context->name),
                     2};
    return context;
}

QList<DockerContext> DockerContexts::list(const QProcessEnvironment &env, QStringList *problems)
{
    QList<DockerContext> contexts;
    const QDir meta(configDir(env) + QStringLiteral("/contexts/meta"));
    const QStringList dirs = meta.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &dir : dirs) {
        const QString path = meta.filePath(dir + QStringLiteral("/meta.json"));
        if (!QFile::exists(path))
            continue;
        const Result<DockerContext> context = parseMeta(path);
        if (context)
            contexts.append(*context);
        else if (problems)
            problems->append(context.errorString());
    }
    std::sort(contexts.begin(), contexts.end(), [](const DockerContext &a, const DockerContext &b) {
        return a.name < b.name;
    });
    return contexts;
}

} // namespace Parallax

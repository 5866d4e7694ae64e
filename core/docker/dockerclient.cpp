#include "dockerclient.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QUrl>

namespace Parallax {

DockerClient::DockerClient(DockerEndpoint endpoint, QObject *parent)
    : QObject(parent)
    , m_endpoint(std::move(endpoint))
{}

int DockerClient::compareVersions(const QString &a, const QString &b)
{
    const QStringList pa = a.split(QLatin1Char('.'));
    const QStringList pb = b.split(QLatin1Char('.'));
    for (int i = 0; i < qMax(pa.size(), pb.size()); ++i) {
        const int x = i < pa.size() ? pa[i].toInt() : 0;
        const int y = i < pb.size() ? pb[i].toInt() : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

QString DockerClient::negotiate(const QString &ours, const QString &daemons)
{
    static const QRegularExpression versionPattern(QStringLiteral("^\\d+\\.\\d+$"));
    if (daemons.isEmpty() || !versionPattern.match(daemons).hasMatch())
        return QString::fromLatin1(kFallbackApiVersion);
    return compareVersions(daemons, ours) < 0 ? daemons : ours;
}

QByteArray DockerClient::encode(const QString &text)
{
    return QUrl::toPercentEncoding(text);
}

DockerReply *DockerClient::send(DockerReply::Request request, bool unversioned)
{
    if (!unversioned && !m_apiVersion.isEmpty())
        request.path = "/v" + m_apiVersion.toLatin1() + request.path;
    if (request.timeoutMs == DockerReply::Request().timeoutMs)
        request.timeoutMs = m_timeoutMs;
    auto *reply = new DockerReply(m_endpoint.socketPath, std::move(request), this);
    // Start from the event loop: connecting can fail synchronously, and the caller must have
    // connected to finished() by then.
    QMetaObject::invokeMethod(reply, &DockerReply::start, Qt::QueuedConnection);
    return reply;
}

template<typename T, typename Parse>
DockerReply *DockerClient::call(DockerReply::Request request,
                                QObject *context,
                                Callback<T> callback,
                                Parse parse,
                                bool unversioned)
{
    DockerReply *reply = send(std::move(request), unversioned);
    connect(reply,
            &DockerReply::finished,
            context ? context : this,
            [reply, callback = std::move(callback), parse] {
                if (auto failure = reply->failure())
                    callback(Result<T>(*failure));
                else
                    callback(parse(reply));
            });
    return reply;
}

static Result<QJsonObject> jsonObject(DockerReply *reply)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(reply->body(), &error);
    if (!doc.isObject())
        return Error{QStringLiteral("Docker sent unexpected JSON for %1: %2")
                             .arg(QString::fromLatin1(reply->request().path), error.errorString()),
                     -2};
    return doc.object();
}

static Result<QJsonArray> jsonArray(DockerReply *reply)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(reply->body(), &error);
    if (!doc.isArray())
        return Error{QStringLiteral("Docker sent unexpected JSON for %1: %2")
                             .arg(QString::fromLatin1(reply->request().path), error.errorString()),
                     -2};
    return doc.array();
}

static Result<void> nothing(DockerReply *)
{
    return {};
}

DockerReply *DockerClient::ping(QObject *context, Callback<PingInfo> callback)
{
    DockerReply::Request request;
    request.path = "/_ping";
    return call<PingInfo>(
            request,
            context,
            [this, callback = std::move(callback)](Result<PingInfo> result) {
                if (result) {
                    m_apiVersion = result->negotiatedApiVersion;
                    m_podman = result->podman;
                }
                callback(std::move(result));
            },
            [](DockerReply *reply) -> Result<PingInfo> {
                PingInfo info;
                info.daemonApiVersion = QString::fromLatin1(reply->header("Api-Version"));
                info.negotiatedApiVersion
                        = negotiate(QString::fromLatin1(kMaxApiVersion), info.daemonApiVersion);
                info.osType = QString::fromLatin1(reply->header("Ostype"));
                info.server = QString::fromLatin1(reply->header("Server"));
                info.podman = !reply->header("Libpod-Api-Version").isEmpty();
                return info;
            },
            true);
}

DockerReply *DockerClient::version(QObject *context, Callback<QJsonObject> callback)
{
    DockerReply::Request request;
    request.path = "/version";
    return call<QJsonObject>(request, context, std::move(callback), jsonObject);
}

DockerReply *DockerClient::listImages(QObject *context, Callback<QList<ImageSummary>> callback)
{
    DockerReply::Request request;
    request.path = "/images/json";
    return call<QList<ImageSummary>>(
            request,
            context,
            std::move(callback),
            [](DockerReply *reply) -> Result<QList<ImageSummary>> {
                const Result<QJsonArray> array = jsonArray(reply);
                if (!array)
                    return array.error();
                QList<ImageSummary> images;
                for (const QJsonValue &value : *array) {
                    const QJsonObject o = value.toObject();
                    ImageSummary image;
                    image.id = o.value(QLatin1String("Id")).toString();
                    for (const QJsonValue &tag : o.value(QLatin1String("RepoTags")).toArray()) {
                        if (tag.toString() != QLatin1String("<none>:<none>"))
                            image.repoTags.append(tag.toString());
                    }
                    image.size = o.value(QLatin1String("Size")).toInteger();
                    image.created = o.value(QLatin1String("Created")).toInteger();
                    images.append(image);
                }
                return images;
            });
}

static Error imageError(const Error &error, const QString &image)
{
    if (error.code == 404)
        return Error{QStringLiteral("Image '%1' is not available locally (pull or build it first)")
                             .arg(image),
                     404};
    return error;
}

DockerReply *
DockerClient::inspectImage(const QString &image, QObject *context, Callback<QJsonObject> callback)
{
    DockerReply::Request request;
    request.path = "/images/" + encode(image) + "/json";
    return call<QJsonObject>(
            request,
            context,
            [image, callback = std::move(callback)](Result<QJsonObject> result) {
                callback(result ? std::move(result)
                                : Result<QJsonObject>(imageError(result.error(), image)));
            },
            jsonObject);
}

DockerReply *DockerClient::createContainer(const ContainerCreateOptions &options,
                                           QObject *context,
                                           Callback<QString> callback)
{
    DockerReply::Request request;
    request.method = "POST";
    request.path = "/containers/create";
    if (!options.name.isEmpty())
        request.path += "?name=" + encode(options.name);
    request.json = true;
    request.body = QJsonDocument(options.toJson()).toJson(QJsonDocument::Compact);
    const QString image = options.image;
    return call<QString>(
            request,
            context,
            [image, callback = std::move(callback)](Result<QString> result) {
                callback(result ? std::move(result)
                                : Result<QString>(imageError(result.error(), image)));
            },
            [](DockerReply *reply) -> Result<QString> {
                const Result<QJsonObject> object = jsonObject(reply);
                if (!object)
                    return object.error();
                const QString id = object->value(QLatin1String("Id")).toString();
                if (id.isEmpty())
                    return Error{QStringLiteral("Docker created a container but sent no id"), -2};
                return id;
            });
}

DockerReply *
DockerClient::startContainer(const QString &id, QObject *context, Callback<void> callback)
{
    DockerReply::Request request;
    request.method = "POST";
    request.path = "/containers/" + encode(id) + "/start";
    return call<void>(request, context, std::move(callback), nothing);
}

DockerReply *DockerClient::waitContainer(const QString &id,
                                         const QString &condition,
                                         QObject *context,
                                         Callback<WaitResult> callback)
{
    DockerReply::Request request;
    request.method = "POST";
    request.path = "/containers/" + encode(id) + "/wait";
    if (!condition.isEmpty())
        request.path += "?condition=" + encode(condition);
    request.streaming = true; // the header comes at once, the body at exit
    request.bufferBody = true;
    return call<WaitResult>(
            request, context, std::move(callback), [](DockerReply *reply) -> Result<WaitResult> {
                const QJsonDocument doc = QJsonDocument::fromJson(reply->body());
                if (!doc.isObject())
                    return Error{QStringLiteral("Docker ended the wait for the container without "
                                                "its exit status"),
                                 -4};
                WaitResult result;
                result.statusCode = doc.object().value(QLatin1String("StatusCode")).toInteger(-1);
                result.error = doc.object()
                                       .value(QLatin1String("Error"))
                                       .toObject()
                                       .value(QLatin1String("Message"))
                                       .toString();
                return result;
            });
}

DockerReply *DockerClient::stopContainer(const QString &id,
                                         int graceSeconds,
                                         QObject *context,
                                         Callback<void> callback)
{
    DockerReply::Request request;
    request.method = "POST";
    request.path = "/containers/" + encode(id) + "/stop?t=" + QByteArray::number(graceSeconds);
    request.timeoutMs = (graceSeconds + 30) * 1000;
    return call<void>(request, context, std::move(callback), nothing);
}

DockerReply *DockerClient::killContainer(const QString &id,
                                         const QString &signal,
                                         QObject *context,
                                         Callback<void> callback)
{
    DockerReply::Request request;
    request.method = "POST";
    request.path = "/containers/" + encode(id) + "/kill";
    if (!signal.isEmpty())
        request.path += "?signal=" + encode(signal);
    return call<void>(request, context, std::move(callback), nothing);
}

DockerReply *DockerClient::removeContainer(const QString &id,
                                           bool force,
                                           QObject *context,
                                           Callback<void> callback)
{
    DockerReply::Request request;
    request.method = "DELETE";
    request.path = "/containers/" + encode(id) + (force ? "?force=1" : "");
    return call<void>(request, context, std::move(callback), nothing);
}

DockerReply *DockerClient::listContainers(const QStringList &labelFilters,
                                          bool all,
                                          QObject *context,
                                          Callback<QList<ContainerSummary>> callback)
{
    QJsonObject filters;
    if (!labelFilters.isEmpty())
        filters.insert(QLatin1String("label"), QJsonArray::fromStringList(labelFilters));
    DockerReply::Request request;
    request.path = "/containers/json?all=" + QByteArray(all ? "1" : "0");
    if (!filters.isEmpty())
        request.path += "&filters="
                        + encode(QString::fromUtf8(
                                QJsonDocument(filters).toJson(QJsonDocument::Compact)));
    return call<QList<ContainerSummary>>(
            request,
            context,
            std::move(callback),
            [](DockerReply *reply) -> Result<QList<ContainerSummary>> {
                const Result<QJsonArray> array = jsonArray(reply);
                if (!array)
                    return array.error();
                QList<ContainerSummary> list;
                for (const QJsonValue &value : *array) {
                    const QJsonObject o = value.toObject();
                    ContainerSummary c;
                    c.id = o.value(QLatin1String("Id")).toString();
                    for (const QJsonValue &name : o.value(QLatin1String("Names")).toArray())
                        c.names.append(name.toString());
                    c.image = o.value(QLatin1String("Image")).toString();
                    c.state = o.value(QLatin1String("State")).toString();
                    c.status = o.value(QLatin1String("Status")).toString();
                    const QJsonObject labels = o.value(QLatin1String("Labels")).toObject();
                    for (auto it = labels.begin(); it != labels.end(); ++it)
                        c.labels.insert(it.key(), it.value().toString());
                    list.append(c);
                }
                return list;
            });
}

DockerReply *
DockerClient::inspectContainer(const QString &id, QObject *context, Callback<QJsonObject> callback)
{
    DockerReply::Request request;
    request.path = "/containers/" + encode(id) + "/json";
    return call<QJsonObject>(request, context, std::move(callback), jsonObject);
}

DockerReply *DockerClient::getArchive(const QString &id,
                                      const QString &path,
                                      QObject *context,
                                      Callback<QByteArray> callback)
{
    DockerReply::Request request;
    request.path = "/containers/" + encode(id) + "/archive?path=" + encode(path);
    return call<QByteArray>(request,
                            context,
                            std::move(callback),
                            [](DockerReply *reply) -> Result<QByteArray> { return reply->body(); });
}

ContainerStream *DockerClient::attach(const QString &id, bool tty, QObject *parent)
{
    DockerReply::Request request;
    request.method = "POST";
    request.path = "/containers/" + encode(id) + "/attach?stream=1&stdout=1&stderr=1";
    request.upgrade = true;
    request.streaming = true;
    return new ContainerStream(send(request), tty, false, parent ? parent : this);
}

ContainerStream *
DockerClient::logs(const QString &id, const LogsOptions &options, bool tty, QObject *parent)
{
    DockerReply::Request request;
    request.path = "/containers/" + encode(id)
                   + "/logs?stdout=" + (options.stdoutStream ? "1" : "0") + "&stderr="
                   + (options.stderrStream ? "1" : "0") + "&follow=" + (options.follow ? "1" : "0")
                   + "&timestamps=" + (options.timestamps ? "1" : "0");
    if (!options.since.isEmpty())
        request.path += "&since=" + encode(options.since);
    if (!options.tail.isEmpty())
        request.path += "&tail=" + encode(options.tail);
    request.streaming = true;
    return new ContainerStream(send(request), tty, options.timestamps, parent ? parent : this);
}

JsonLinesStream *DockerClient::events(const QJsonObject &filters, QObject *parent)
{
    DockerReply::Request request;
    request.path = "/events";
    if (!filters.isEmpty())
        request.path += "?filters="
                        + encode(QString::fromUtf8(
                                QJsonDocument(filters).toJson(QJsonDocument::Compact)));
    request.streaming = true;
    return new JsonLinesStream(send(request), parent ? parent : this);
}

JsonLinesStream *DockerClient::stats(const QString &id, QObject *parent)
{
    DockerReply::Request request;
    request.path = "/containers/" + encode(id) + "/stats?stream=1";
    request.streaming = true;
    return new JsonLinesStream(send(request), parent ? parent : this);
}

QPair<QString, QString> DockerClient::splitReference(const QString &reference)
{
    const QString ref = reference.trimmed();
    const qsizetype at = ref.indexOf(QLatin1Char('@'));
    if (at >= 0)
        return {ref.left(at), ref.mid(at + 1)};
    const qsizetype slash = ref.lastIndexOf(QLatin1Char('/'));
    const qsizetype colon = ref.lastIndexOf(QLatin1Char(':'));
    // A colon before the last slash belongs to a registry port, not a tag.
    if (colon > slash)
        return {ref.left(colon), ref.mid(colon + 1)};
    return {ref, QStringLiteral("latest")};
}

JsonLinesStream *DockerClient::pullImage(const QString &reference, QObject *parent)
{
    const auto [name, tag] = splitReference(reference);
    DockerReply::Request request;
    request.method = "POST";
    request.path = "/images/create?fromImage=" + encode(name) + "&tag=" + encode(tag);
    request.streaming = true;
    // The header only comes once the registry has answered for the manifest.
    request.timeoutMs = qMax(m_timeoutMs, 120000);
    return new JsonLinesStream(send(request), parent ? parent : this);
}

JsonLinesStream *DockerClient::buildImage(const QByteArray &context,
                                          const QString &tag,
                                          const QMap<QString, QString> &buildArgs,
                                          QObject *parent)
{
    QJsonObject args;
    for (auto it = buildArgs.cbegin(); it != buildArgs.cend(); ++it)
        args.insert(it.key(), it.value());
    DockerReply::Request request;
    request.method = "POST";
    request.path = "/build?rm=1&forcerm=1";
    if (!tag.isEmpty())
        request.path += "&t=" + encode(tag);
    if (!args.isEmpty())
        request.path
                += "&buildargs="
                   + encode(QString::fromUtf8(QJsonDocument(args).toJson(QJsonDocument::Compact)));
    request.body = context;
    request.contentType = "application/x-tar";
    request.streaming = true;
    // The daemon answers only once it has read the whole context; a big one takes a while.
    request.timeoutMs = qMax(m_timeoutMs, 300000);
    return new JsonLinesStream(send(request), parent ? parent : this);
}

} // namespace Parallax

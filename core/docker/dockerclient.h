#pragma once

#include "containerstream.h"
#include "dockerendpoint.h"
#include "dockerreply.h"
#include "dockertypes.h"
#include "util/result.h"

#include <QJsonObject>
#include <QMap>
#include <QObject>

#include <functional>

namespace Parallax {

// Typed, asynchronous access to the Docker Engine API over a unix socket. Every operation opens
// its own connection (DockerReply), so a slow stream never blocks another call. Callbacks run in
// the client's thread and are dropped when their context object is destroyed. Paths are
// prefixed with the API version negotiated by ping(): min(kMaxApiVersion, the daemon's).
// Owned by whoever drives runs (the CLI or the window); main thread.
class DockerClient : public QObject
{
    Q_OBJECT
public:
    template<typename T>
    using Callback = std::function<void(Result<T>)>;

    static constexpr const char *kMaxApiVersion = "1.45";
    static constexpr const char *kFallbackApiVersion = "1.24"; // what the Go client assumes
    static constexpr int kDefaultTimeoutMs = 30000;

    explicit DockerClient(DockerEndpoint endpoint, QObject *parent = nullptr);

    const DockerEndpoint &endpoint() const { return m_endpoint; }
    QString apiVersion() const { return m_apiVersion; }
    void setApiVersion(const QString &version) { m_apiVersion = version; }
    // Whether the engine is Podman, as ping() found out (false until then).
    bool isPodman() const { return m_podman; }
    void setPodman(bool podman) { m_podman = podman; }
    void setTimeout(int ms) { m_timeoutMs = ms; }
    static QString negotiate(const QString &ours, const QString &daemons);
    static int compareVersions(const QString &a, const QString &b);

    // Low level: an arbitrary request; the path gets the version prefix unless `unversioned`.
    DockerReply *send(DockerReply::Request request, bool unversioned = false);

    DockerReply *ping(QObject *context, Callback<PingInfo> callback);
    DockerReply *version(QObject *context, Callback<QJsonObject> callback);
    DockerReply *listImages(QObject *context, Callback<QList<ImageSummary>> callback);
    DockerReply *
    inspectImage(const QString &image, QObject *context, Callback<QJsonObject> callback);
    DockerReply *createContainer(const ContainerCreateOptions &options,
                                 QObject *context,
                                 Callback<QString> callback);
    DockerReply *startContainer(const QString &id, QObject *context, Callback<void> callback);
    DockerReply *waitContainer(const QString &id,
                               const QString &condition,
                               QObject *context,
                               Callback<WaitResult> callback);
    DockerReply *
    stopContainer(const QString &id, int graceSeconds, QObject *context, Callback<void> callback);
    DockerReply *killContainer(const QString &id,
                               const QString &signal,
                               QObject *context,
                               Callback<void> callback);
    DockerReply *
    removeContainer(const QString &id, bool force, QObject *context, Callback<void> callback);
    DockerReply *listContainers(const QStringList &labelFilters,
                                bool all,
                                QObject *context,
                                Callback<QList<ContainerSummary>> callback);
    DockerReply *
    inspectContainer(const QString &id, QObject *context, Callback<QJsonObject> callback);
    DockerReply *getArchive(const QString &id,
                            const QString &path,
                            QObject *context,
                            Callback<QByteArray> callback);

    // Streams: owned by the caller's context (parent), deleted after finished().
    ContainerStream *attach(const QString &id, bool tty, QObject *parent = nullptr);
    ContainerStream *
    logs(const QString &id, const LogsOptions &options, bool tty, QObject *parent = nullptr);
    JsonLinesStream *events(const QJsonObject &filters, QObject *parent = nullptr);
    JsonLinesStream *stats(const QString &id, QObject *parent = nullptr);
    // POST /images/create?fromImage=NAME&tag=TAG: the daemon's JSON progress messages, one per
    // line, until the pull ends; an error after the header comes as {"errorDetail": ...}.
    // Aborting the stream cancels the pull on the daemon.
    JsonLinesStream *pullImage(const QString &reference, QObject *parent = nullptr);
    // POST /build?t=TAG&buildargs=...&rm=1&forcerm=1 with `context` (a tar, see TarWriter) as
    // the body: the classic builder's JSON messages ({"stream": "Step 1/5 : ..."},
    // {"aux": {"ID": ...}}, {"errorDetail": ...}), one per line; BuildProgress models them.
    // Aborting the stream cancels the build on the daemon.
    JsonLinesStream *buildImage(const QByteArray &context,
                                const QString &tag,
                                const QMap<QString, QString> &buildArgs,
                                QObject *parent = nullptr);
    // "host:5000/team/app:1.2" -> {"host:5000/team/app", "1.2"}; no tag -> "latest"; a digest
    // ("app@sha256:...") is kept whole as the tag, as the docker CLI sends it.
    static QPair<QString, QString> splitReference(const QString &reference);

    // Percent-encodes a path segment or query value (container ids, image names, filters).
    static QByteArray encode(const QString &text);

private:
    template<typename T, typename Parse>
    DockerReply *call(DockerReply::Request request,
                      QObject *context,
                      Callback<T> callback,
                      Parse parse,
                      bool unversioned = false);

    DockerEndpoint m_endpoint;
    QString m_apiVersion;
    bool m_podman = false;
    int m_timeoutMs = kDefaultTimeoutMs;
};

} // namespace Parallax

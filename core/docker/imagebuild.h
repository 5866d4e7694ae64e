#pragma once

#include "buildprogress.h"
#include "util/result.h"

#include <QMap>
#include <QObject>
#include <QPointer>

namespace Parallax {

class DockerClient;
class JsonLinesStream;

// One image build, driven from start() to finished(): streams POST /build into a
// BuildProgress. An error message in the stream (a failing RUN step), or an HTTP error before
// it (a Dockerfile that does not parse), ends it with that error; a stream that ends without an
// image ID is an error too. cancel() closes the connection, which makes the daemon stop the
// build and remove its intermediate container, and ends it with an Error of code kCancelled.
// On success imageId() is the built image. Owned by whoever shows it (AgentImage, the build
// pane); main thread.
class ImageBuild : public QObject
{
    Q_OBJECT
public:
    static constexpr int kCancelled = -1;
    enum class State { Idle, Building, Succeeded, Failed, Cancelled };

    ImageBuild(DockerClient *client,
               QByteArray context,
               const QString &tag,
               const QMap<QString, QString> &buildArgs = {},
               QObject *parent = nullptr);
    ~ImageBuild() override; // cancels a build still going

    QString tag() const { return m_tag; }
    BuildProgress *progress() { return &m_progress; }
    State state() const { return m_state; }
    QString errorString() const { return m_error; }
    QString imageId() const { return m_progress.imageId(); }

    void start();
    void cancel();

signals:
    void finished(const Parallax::Result<void> &result);

private:
    void finish(Result<void> result);

    DockerClient *m_client;
    QByteArray m_context;
    QString m_tag;
    QMap<QString, QString> m_buildArgs;
    BuildProgress m_progress;
    QPointer<JsonLinesStream> m_stream;
    State m_state = State::Idle;
    QString m_error;
    bool m_failed = false;
};

} // namespace Parallax

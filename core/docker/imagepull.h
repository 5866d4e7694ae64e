#pragma once

#include "pullprogress.h"
#include "util/result.h"

#include <QObject>
#include <QPointer>

namespace Parallax {

class DockerClient;
class JsonLinesStream;

// One image pull, driven from start() to finished(): streams POST /images/create into a
// PullProgress model. An error message in the stream, or an HTTP error before it (a missing
// tag is a 404 on dockerd), ends it with that error; cancel() closes the connection, which
// makes the daemon stop the pull, and ends it with an Error of code kCancelled — a state, not a
// failure to show. Owned by whoever shows it (PullDialog, `parallax pull`); main thread.
class ImagePull : public QObject
{
    Q_OBJECT
public:
    static constexpr int kCancelled = -1;
    enum class State { Idle, Pulling, Succeeded, Failed, Cancelled };

    ImagePull(DockerClient *client, const QString &reference, QObject *parent = nullptr);
    ~ImagePull() override; // cancels a pull still going: the request belongs to the client

    QString reference() const { return m_reference; }
    PullProgress *progress() { return &m_progress; }
    State state() const { return m_state; }
    QString errorString() const { return m_error; }

    void start();
    void cancel();

signals:
    void finished(const Parallax::Result<void> &result);

private:
    void finish(Result<void> result);

    DockerClient *m_client;
    QString m_reference;
    PullProgress m_progress;
    QPointer<JsonLinesStream> m_stream;
    State m_state = State::Idle;
    QString m_error;
    bool m_cancelling = false;
};

} // namespace Parallax

#pragma once

#include "httpresponsereader.h"
#include "util/result.h"

#include <QByteArray>
#include <QLocalSocket>
#include <QObject>
#include <QTimer>

#include <optional>

namespace Parallax {

// One HTTP/1.1 exchange with the Docker Engine over its own QLocalSocket connection. Created by
// DockerClient; deletes itself (deleteLater) after finished(). Buffered replies collect their
// body and time out as a whole; streaming replies (attach, logs, wait, events, stats) hand on
// body bytes as they arrive and only time out waiting for the response header. A reply with an
// HTTP error status is always buffered so its {"message": ...} can be turned into an Error.
// Lives in the thread that created it (the main thread in the app).
class DockerReply : public QObject
{
    Q_OBJECT
public:
    struct Request
    {
        QByteArray method = "GET";
        QByteArray path;        // with query, already versioned
        QByteArray body;        // sent with Content-Type: application/json when non-empty or json
        QByteArray contentType; // overrides application/json (a build context: application/x-tar)
        bool json = false;
        bool upgrade = false;    // Connection: Upgrade / Upgrade: tcp (attach)
        bool streaming = false;  // no timeout once the header is in
        bool bufferBody = false; // a streaming reply that still collects its body (wait)
        int timeoutMs = 30000;   // 0: none
    };

    DockerReply(const QString &socketPath, Request request, QObject *parent = nullptr);
    ~DockerReply() override;

    void start();
    // Closes the connection; finished() follows with an "aborted" error (code -1).
    void abort();

    bool isFinished() const { return m_finished; }
    int statusCode() const { return m_reader.statusCode(); }
    QByteArray header(QByteArrayView name) const { return m_reader.header(name); }
    const HttpResponseReader &response() const { return m_reader; }
    QByteArray body() const { return m_body; }
    // The transport or HTTP error, if any, as a user-facing sentence. An HTTP status >= 400 is
    // an error with code = the status and the daemon's message.
    std::optional<Error> failure() const { return m_failure; }
    const Request &request() const { return m_request; }
    QString socketPath() const { return m_socketPath; }

    static QString connectErrorText(QLocalSocket::LocalSocketError error,
                                    const QString &socketPath,
                                    const QString &detail);

signals:
    void headersReceived();
    void dataReceived(const QByteArray &data); // streaming replies with a status < 400 only
    void finished();

private:
    void onConnected();
    void onReadyRead();
    void onDisconnected();
    void onError(QLocalSocket::LocalSocketError error);
    void onTimeout();
    void finish(std::optional<Error> failure);
    bool isStreamingBody() const
    {
        return m_request.streaming && !m_request.bufferBody && m_reader.statusCode() < 400;
    }

    QString m_socketPath;
    Request m_request;
    QLocalSocket *m_socket = nullptr;
    QTimer m_timer;
    HttpResponseReader m_reader;
    QByteArray m_body;
    std::optional<Error> m_failure;
    bool m_connected = false;
    bool m_headersSeen = false;
    bool m_finished = false;
};

} // namespace Parallax

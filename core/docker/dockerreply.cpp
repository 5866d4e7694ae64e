#include "dockerreply.h"

#include "dockerlogging.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

namespace Parallax {

DockerReply::DockerReply(const QString &socketPath, Request request, QObject *parent)
    : QObject(parent)
    , m_socketPath(socketPath)
    , m_request(std::move(request))
{
    m_reader.setHeadRequest(m_request.method == "HEAD");
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &DockerReply::onTimeout);
}

DockerReply::~DockerReply()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

QString DockerReply::connectErrorText(QLocalSocket::LocalSocketError error,
                                      const QString &socketPath,
                                      const QString &detail)
{
    switch (error) {
    case QLocalSocket::ServerNotFoundError:
        return QStringLiteral("Docker is not running: no socket at %1").arg(socketPath);
    case QLocalSocket::ConnectionRefusedError:
        return QStringLiteral(
                       "Docker is not running: %1 refuses connections (is the daemon stopped?)")
                .arg(socketPath);
    case QLocalSocket::SocketAccessError:
        return QStringLiteral("Permission denied on %1 — add your user to the 'docker' group (then "
                              "log in again)")
                .arg(socketPath);
    case QLocalSocket::SocketTimeoutError:
        return QStringLiteral("Docker did not accept a connection on %1 in time").arg(socketPath);
    default:
        return QStringLiteral("Cannot talk to Docker at %1: %2").arg(socketPath, detail);
    }
}

void DockerReply::start()
{
    m_socket = new QLocalSocket(this);
    m_socket->setReadBufferSize(0);
    connect(m_socket, &QLocalSocket::connected, this, &DockerReply::onConnected);
    connect(m_socket, &QLocalSocket::readyRead, this, &DockerReply::onReadyRead);
    connect(m_socket, &QLocalSocket::disconnected, this, &DockerReply::onDisconnected);
    connect(m_socket, &QLocalSocket::errorOccurred, this, &DockerReply::onError);
    if (m_request.timeoutMs > 0)
        m_timer.start(m_request.timeoutMs);
    qCDebug(lcDocker) << m_request.method << m_request.path;
    m_socket->connectToServer(m_socketPath);
}

void DockerReply::abort()
{
    if (m_finished)
        return;
    finish(Error{QStringLiteral("request cancelled"), -1});
}

void DockerReply::onConnected()
{
    m_connected = true;
    QByteArray head;
    head.reserve(256 + m_request.path.size());
    head += m_request.method + ' ' + m_request.path
            + " HTTP/1.1\r\nHost: docker\r\nUser-Agent: Parallax/" PARALLAX_VERSION "\r\n";
    if (m_request.upgrade)
        head += "Connection: Upgrade\r\nUpgrade: tcp\r\n";
    else
        head += "Connection: close\r\n";
    if (!m_request.contentType.isEmpty())
        head += "Content-Type: " + m_request.contentType + "\r\n";
    else if (m_request.json || !m_request.body.isEmpty())
        head += "Content-Type: application/json\r\n";
    if (m_request.method == "POST" || m_request.method == "PUT" || !m_request.body.isEmpty())
        head += "Content-Length: " + QByteArray::number(m_request.body.size()) + "\r\n";
    head += "\r\n";
    m_socket->write(head);
    if (!m_request.body.isEmpty())
        m_socket->write(m_request.body);
}

void DockerReply::onReadyRead()
{
    if (m_finished)
        return;
    const QByteArray data = m_socket->readAll();
    const bool hadHeaders = m_reader.headersComplete();
    if (!m_reader.feed(data, &m_body)) {
        finish(Error{QStringLiteral("Docker sent a malformed response to %1 %2: %3")
                             .arg(QString::fromLatin1(m_request.method),
                                  QString::fromLatin1(m_request.path),
                                  m_reader.errorString()),
                     -2});
        return;
    }
    QPointer<DockerReply> guard(this);
    if (!hadHeaders && m_reader.headersComplete()) {
        m_headersSeen = true;
        if (m_request.streaming)
            m_timer.stop();
        emit headersReceived();
        if (!guard || m_finished)
            return;
    }
    if (isStreamingBody() && !m_body.isEmpty()) {
        const QByteArray chunk = std::exchange(m_body, QByteArray());
        emit dataReceived(chunk);
        if (!guard || m_finished)
            return;
    }
    if (m_reader.isComplete())
        finish(std::nullopt);
}

void DockerReply::onDisconnected()
{
    if (m_finished)
        return;
    if (m_socket->bytesAvailable() > 0) {
        QPointer<DockerReply> guard(this);
        onReadyRead();
        if (!guard || m_finished)
            return;
    }
    if (!m_connected) {
        finish(Error{connectErrorText(m_socket->error(), m_socketPath, m_socket->errorString()),
                     -3});
        return;
    }
    if (!m_reader.finishInput()) {
        finish(Error{QStringLiteral("Lost the connection to Docker (%1 %2): %3")
                             .arg(QString::fromLatin1(m_request.method),
                                  QString::fromLatin1(m_request.path),
                                  m_reader.errorString()),
                     -4});
        return;
    }
    finish(std::nullopt);
}

void DockerReply::onError(QLocalSocket::LocalSocketError error)
{
    if (m_finished)
        return;
    if (!m_connected) {
        finish(Error{connectErrorText(error, m_socketPath, m_socket->errorString()), -3});
        return;
    }
    if (error == QLocalSocket::PeerClosedError)
        return; // disconnected() follows and completes a read-until-close body
    finish(Error{QStringLiteral("Lost the connection to Docker at %1: %2")
                         .arg(m_socketPath, m_socket->errorString()),
                 -4});
}

void DockerReply::onTimeout()
{
    if (m_finished)
        return;
    finish(Error{m_connected
                         ? QStringLiteral("Docker did not answer %1 %2 within %3 s")
                                   .arg(QString::fromLatin1(m_request.method),
                                        QString::fromLatin1(m_request.path))
                                   .arg(m_request.timeoutMs / 1000.0)
                         : QStringLiteral("Docker did not accept a connection on %1 within %2 s")
                                   .arg(m_socketPath)
                                   .arg(m_request.timeoutMs / 1000.0),
                 -5});
}

static QString daemonMessage(const QByteArray &body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QString message = doc.object().value(QLatin1String("message")).toString();
        if (!message.isEmpty())
            return message;
    }
    return QString::fromUtf8(body.trimmed().left(500));
}

void DockerReply::finish(std::optional<Error> failure)
{
    if (m_finished)
        return;
    m_finished = true;
    m_timer.stop();
    if (!failure && m_reader.statusCode() >= 400) {
        QString message = daemonMessage(m_body);
        if (message.isEmpty())
            message = QStringLiteral("HTTP %1 %2")
                              .arg(m_reader.statusCode())
                              .arg(QString::fromLatin1(m_reader.reasonPhrase()));
        failure = Error{message, m_reader.statusCode()};
    }
    m_failure = std::move(failure);
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
    if (m_failure)
        qCDebug(lcDocker) << m_request.method << m_request.path << "failed:" << m_failure->message;
    emit finished();
    deleteLater();
}

} // namespace Parallax

#include "containerstream.h"

#include "dockerreply.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace Parallax {

ContainerStream::ContainerStream(DockerReply *reply, bool tty, bool timestamps, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
    , m_demuxer(!tty)
    , m_timestamps(timestamps)
{
    connect(reply, &DockerReply::headersReceived, this, [this] {
        if (m_reply && m_reply->statusCode() < 300)
            emit started();
    });
    connect(reply, &DockerReply::dataReceived, this, &ContainerStream::onData);
    connect(reply, &DockerReply::finished, this, &ContainerStream::onFinished);
}

void ContainerStream::abort()
{
    if (m_reply)
        m_reply->abort();
}

void ContainerStream::flushPending()
{
    if (m_pending.isEmpty())
        return;
    QByteArray data;
    data.swap(m_pending);
    QPointer<ContainerStream> guard(this);
    emit outputReceived(m_pendingStream, data);
    // Reuse the buffer when no receiver kept a reference to it: a fresh allocation per read
    // costs a page fault per 4 KiB in a flood.
    if (guard && m_pending.isEmpty() && data.isDetached()) {
        data.resize(0);
        m_pending.swap(data);
    }
}

void ContainerStream::onData(const QByteArray &data)
{
    if (m_finished)
        return;
    QPointer<ContainerStream> guard(this);
    const bool ok = m_demuxer.feed(
            data, [this](StreamType stream, QByteArrayView payload, bool frameStart) {
                QByteArray spilled; // keeps a prefix that was no timestamp alive while `payload`
                                    // views it
                // The daemon's own errors (type 3, "Error grabbing logs: ...") carry no timestamp.
                if (m_timestamps && stream != StreamType::DaemonError) {
                    // Only multiplexed streams mark where a log message starts. dockerd 20.10
                    // writes
                    // "<timestamp> <line>" as one frame; newer daemons write the timestamp, the
                    // space and the line as three frames, so the frame after a complete prefix is
                    // the line itself.
                    if (frameStart && !m_expectLine)
                        m_inPrefix = true;
                    if (m_inPrefix) {
                        const qsizetype space = payload.indexOf(' ');
                        if (space < 0) {
                            m_prefix.append(payload);
                            if (m_prefix.size() > 64) { // not a timestamp after all: hand it on
                                m_inPrefix = false;
                                spilled = std::exchange(m_prefix, QByteArray());
                                payload = QByteArrayView(spilled);
                            } else {
                                return;
                            }
                        } else {
                            m_prefix.append(payload.first(space));
                            payload = payload.sliced(space + 1);
                            m_inPrefix = false;
                            m_expectLine = true;
                            if (m_prefix != m_timestamp) {
                                flushPending();
                                m_timestamp = m_prefix;
                            }
                            m_prefix.clear();
                        }
                    }
                }
                if (payload.isEmpty())
                    return;
                m_expectLine = false;
                if (stream != m_pendingStream)
                    flushPending();
                m_pendingStream = stream;
                m_pending.append(payload);
            });
    if (!guard)
        return;
    flushPending();
    if (!guard)
        return;
    if (!ok && m_reply)
        m_reply->abort();
}

void ContainerStream::onFinished()
{
    if (m_finished)
        return;
    m_finished = true;
    flushPending();
    Result<void> result;
    if (m_demuxer.hasError())
        result = Error{
                QStringLiteral("Docker sent a malformed stream: %1").arg(m_demuxer.errorString()),
                -2};
    else if (m_reply && m_reply->failure())
        result = *m_reply->failure();
    else if (!m_demuxer.finish())
        result = Error{QStringLiteral("The output stream was cut: %1").arg(m_demuxer.errorString()),
                       -4};
    emit finished(result);
    deleteLater();
}

JsonLinesStream::JsonLinesStream(DockerReply *reply, QObject *parent)
    : QObject(parent)
    , m_reply(reply)
{
    connect(reply, &DockerReply::headersReceived, this, [this] {
        if (m_reply && m_reply->statusCode() < 300)
            emit started();
    });
    connect(reply, &DockerReply::dataReceived, this, [this](const QByteArray &data) {
        m_buffer.append(data);
        QPointer<JsonLinesStream> guard(this);
        qsizetype start = 0;
        for (;;) {
            const qsizetype nl = m_buffer.indexOf('\n', start);
            if (nl < 0)
                break;
            const QByteArrayView line
                    = QByteArrayView(m_buffer).sliced(start, nl - start).trimmed();
            start = nl + 1;
            if (line.isEmpty())
                continue;
            const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray());
            if (doc.isObject()) {
                emit objectReceived(doc.object());
                if (!guard)
                    return;
            }
        }
        m_buffer.remove(0, start);
        if (m_buffer.size() > kMaxLine && m_reply)
            m_reply->abort();
    });
    connect(reply, &DockerReply::finished, this, [this] {
        if (m_finished)
            return;
        m_finished = true;
        Result<void> result;
        if (m_reply && m_reply->failure())
            result = *m_reply->failure();
        emit finished(result);
        deleteLater();
    });
}

void JsonLinesStream::abort()
{
    if (m_reply)
        m_reply->abort();
}

} // namespace Parallax

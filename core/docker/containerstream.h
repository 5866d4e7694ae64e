#pragma once

#include "streamdemuxer.h"
#include "util/result.h"
#include "util/streamtype.h"

#include <QObject>
#include <QPointer>

namespace Parallax {

class DockerReply;

// A container's output as it arrives, from attach or logs: demultiplexes the reply's raw bytes
// (or passes them through for a TTY) and emits them per stream. Consecutive bytes of the same
// stream within one read are emitted together. With log timestamps, the RFC 3339 prefix of each
// log message is split off and exposed as lastTimestamp(). Deletes itself after finished().
class ContainerStream : public QObject
{
    Q_OBJECT
public:
    ContainerStream(DockerReply *reply, bool tty, bool timestamps, QObject *parent = nullptr);

    void abort();
    bool isFinished() const { return m_finished; }
    // The daemon timestamp of the log message the last emitted bytes belong to (logs with
    // timestamps only), exactly as the daemon wrote it.
    QByteArray lastTimestamp() const { return m_timestamp; }

signals:
    void started(); // the response header arrived: the stream is live
    void outputReceived(Parallax::StreamType stream, const QByteArray &data);
    // Ok when the daemon ended the stream cleanly (the container's output closed).
    void finished(const Parallax::Result<void> &result);

private:
    void onData(const QByteArray &data);
    void onFinished();
    void flushPending();

    QPointer<DockerReply> m_reply;
    StreamDemuxer m_demuxer;
    bool m_timestamps;
    bool m_finished = false;
    // Timestamp parsing state (timestamps mode).
    bool m_inPrefix = false;
    bool m_expectLine = false; // a prefix is complete, its line has not started yet
    QByteArray m_prefix;
    QByteArray m_timestamp;
    // Coalescing within one read.
    StreamType m_pendingStream = StreamType::Stdout;
    QByteArray m_pending;
};

// A stream of JSON documents separated by newlines (events, stats, progress). Emits each
// object as its line completes. Deletes itself after finished().
class JsonLinesStream : public QObject
{
    Q_OBJECT
public:
    static constexpr qsizetype kMaxLine = 16 * 1024 * 1024;
    explicit JsonLinesStream(DockerReply *reply, QObject *parent = nullptr);
    void abort();

signals:
    void started();
    void objectReceived(const QJsonObject &object);
    void finished(const Parallax::Result<void> &result);

private:
    QPointer<DockerReply> m_reply;
    QByteArray m_buffer;
    bool m_finished = false;
};

} // namespace Parallax

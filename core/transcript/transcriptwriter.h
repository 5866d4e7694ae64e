#pragma once

#include "util/backgroundwriter.h"
#include "util/result.h"
#include "util/streamtype.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QString>

namespace Parallax {

// Records one variation's container output losslessly in its run folder: <variation>.jsonl,
// one JSON object per received chunk with its receipt time, stream and exact bytes, and
// <variation>.log, the plain bytes of both streams in arrival order (format: docs/transcripts.md).
// append() only formats into memory; flush(), called once per batch of chunks, hands the data
// to the BackgroundWriter (which writes it on its own thread, in order), so a flood costs one
// write per batch, not per chunk, and the caller never waits for the disk. Reopening an existing
// transcript continues it: a torn last line left by a crash is cut off first, and the totals
// include what was already there. Owned by the variation's runner; GUI thread.
class TranscriptWriter
{
public:
    TranscriptWriter() = default;
    ~TranscriptWriter();
    Q_DISABLE_COPY_MOVE(TranscriptWriter)

    // Creates runDir if needed, then creates or continues <variation>.jsonl and .log there.
    Result<void> open(const QString &runDir, const QString &variation);

    // `bytes` are already redacted; rawLength is how many bytes the container wrote for them
    // (recorded as "n" when it differs). An empty `time` stamps the chunk with rfc3339Nanos().
    // Stdout and Stderr only: a DaemonError is not container output and is not recorded.
    void append(StreamType stream, QByteArrayView bytes, qint64 rawLength, const QByteArray &time);

    // Hands what append() buffered to the writer thread. Returns false while the writes are
    // failing (errorString() says why): the writer cuts a partly written batch off the file
    // again and retries it before the next one.
    bool flush();
    void close(); // flushes

    bool isOpen() const { return m_jsonlSink != nullptr; }
    qint64 bytes(StreamType stream) const;
    qint64 rawBytes(StreamType stream) const;
    qint64 lines(StreamType stream) const;
    QString jsonlPath() const { return m_jsonlPath; }
    QString logPath() const { return m_logPath; }
    QString errorString() const { return m_error; }

private:
    Result<void> openLog(qint64 recordedBytes);
    bool writeBuffer(QFile &file, QByteArray &buffer, qint64 *committedSize);

    QFile m_jsonl; // while opening: repairs and the log's catch-up
    QFile m_log;
    // Then the bytes go through the BackgroundWriter, off the caller's thread.
    std::shared_ptr<BackgroundWriter::Sink> m_jsonlSink;
    std::shared_ptr<BackgroundWriter::Sink> m_logSink;
    QString m_jsonlPath;
    QString m_logPath;
    QString m_error;
    QByteArray m_jsonBuffer;
    QByteArray m_logBuffer;
    qint64 m_jsonlSize = 0; // bytes of whole records on disk
    qint64 m_logSize = 0;
    qint64 m_bytes[2] = {0, 0};
    qint64 m_rawBytes[2] = {0, 0};
    qint64 m_lines[2] = {0, 0};
};

} // namespace Parallax

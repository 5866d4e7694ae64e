#include "transcriptwriter.h"

#include "jsonstring.h"
#include "transcriptreader.h"
#include "util/bytecount.h"
#include "util/clock.h"

#include <QDir>
#include <QLoggingCategory>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcTranscript, "parallax.transcript", QtWarningMsg)

namespace Parallax {

namespace {

// append() writes through on its own once this much is buffered, so a caller that flushes
// rarely still keeps memory bounded.
constexpr qsizetype kAutoFlushBytes = 4 << 20;

int streamIndex(StreamType stream)
{
    return stream == StreamType::Stdout ? 0 : 1;
}

bool isRecorded(StreamType stream)
{
    return stream == StreamType::Stdout || stream == StreamType::Stderr;
}

} // namespace

TranscriptWriter::~TranscriptWriter()
{
    close();
}

Result<void> TranscriptWriter::open(const QString &runDir, const QString &variation)
{
    close();
    m_error.clear();
    m_jsonBuffer.clear();
    m_logBuffer.clear();
    std::fill(std::begin(m_bytes), std::end(m_bytes), 0);
    std::fill(std::begin(m_rawBytes), std::end(m_rawBytes), 0);
    std::fill(std::begin(m_lines), std::end(m_lines), 0);

    const QDir dir(runDir);
    if (!QDir().mkpath(runDir)) {
        m_error = QStringLiteral("Cannot create the run folder %1").arg(runDir);
        return Error{m_error};
    }
    m_jsonlPath = dir.filePath(variation + QStringLiteral(".jsonl"));
    m_logPath = dir.filePath(variation + QStringLiteral(".log"));

    TranscriptTotals totals;
    if (QFile::exists(m_jsonlPath)) {
        auto scanned = TranscriptReader::scan(m_jsonlPath);
        if (!scanned) {
            m_error = scanned.errorString();
            return scanned.error();
        }
        totals = *scanned;
    }

    m_jsonl.setFileName(m_jsonlPath);
    if (!m_jsonl.open(QIODevice::ReadWrite | QIODevice::Unbuffered)) {
        m_error = QStringLiteral("Cannot write transcript %1: %2")
                          .arg(m_jsonlPath, m_jsonl.errorString());
        return Error{m_error, int(m_jsonl.error())};
    }
    if (m_jsonl.size() > totals.validFileLength) {
        qCInfo(lcTranscript) << "cutting a torn last line off" << m_jsonlPath << "at"
                             << totals.validFileLength;
        if (!m_jsonl.resize(totals.validFileLength)) {
            m_error = QStringLiteral("Cannot repair transcript %1: %2")
                              .arg(m_jsonlPath, m_jsonl.errorString());
            m_jsonl.close();
            return Error{m_error, int(m_jsonl.error())};
        }
    }
    m_jsonlSize = totals.validFileLength;
    // The last record may be whole but lack its newline (the write stopped just before it).
    char last = '\n';
    if (m_jsonlSize > 0 && m_jsonl.seek(m_jsonlSize - 1) && m_jsonl.getChar(&last) && last != '\n')
        m_jsonBuffer.append('\n');
    m_jsonl.seek(m_jsonlSize);

    for (int i = 0; i < 2; ++i) {
        m_bytes[i] = totals.bytes[i];
        m_rawBytes[i] = totals.rawBytes[i];
        m_lines[i] = totals.lines[i];
    }
    if (auto logOpened = openLog(totals.bytes[0] + totals.bytes[1]); !logOpened) {
        m_jsonl.close();
        return logOpened;
    }
    // From here on the writer thread appends, through its own descriptors.
    const int jsonlFd = ::fcntl(m_jsonl.handle(), F_DUPFD_CLOEXEC, 0);
    const int logFd = ::fcntl(m_log.handle(), F_DUPFD_CLOEXEC, 0);
    m_jsonl.close();
    m_log.close();
    if (jsonlFd < 0 || logFd < 0) {
        m_error = QStringLiteral("Cannot write transcript %1: %2")
                          .arg(m_jsonlPath, QString::fromLocal8Bit(std::strerror(errno)));
        if (jsonlFd >= 0)
            ::close(jsonlFd);
        if (logFd >= 0)
            ::close(logFd);
        return Error{m_error};
    }
    BackgroundWriter &writer = BackgroundWriter::instance();
    m_jsonlSink = writer.adopt(jsonlFd, m_jsonlSize, m_jsonlPath, true);
    // The .log is best effort and must not hold memory forever when it cannot be written.
    m_logSink = writer.adopt(logFd, m_logSize, m_logPath, false);
    if (!m_jsonBuffer.isEmpty())
        flush();
    return {};
}

// The .log is derived data: bring it in line with the records (a crash can leave it ahead of
// the .jsonl, which is written first, or behind it) so that it stays "both streams in order".
Result<void> TranscriptWriter::openLog(qint64 recordedBytes)
{
    m_log.setFileName(m_logPath);
    if (!m_log.open(QIODevice::ReadWrite | QIODevice::Unbuffered)) {
        m_error = QStringLiteral("Cannot write %1: %2").arg(m_logPath, m_log.errorString());
        return Error{m_error, int(m_log.error())};
    }
    m_logSize = m_log.size();
    if (m_logSize > recordedBytes && m_log.resize(recordedBytes))
        m_logSize = recordedBytes;
    m_log.seek(m_logSize);
    if (m_logSize < recordedBytes) {
        TranscriptReader reader;
        if (reader.open(m_jsonlPath)) {
            TranscriptChunk chunk;
            qint64 offset = 0;
            while (reader.next(&chunk) && offset < recordedBytes) {
                const qint64 chunkEnd = offset + chunk.data.size();
                if (chunkEnd > m_logSize) {
                    const qint64 from = std::max<qint64>(0, m_logSize - offset);
                    m_logBuffer.append(chunk.data.constData() + from, chunk.data.size() - from);
                    if (m_logBuffer.size() >= kAutoFlushBytes
                        && !writeBuffer(m_log, m_logBuffer, &m_logSize))
                        break;
                }
                offset = chunkEnd;
            }
        }
        if (!writeBuffer(m_log, m_logBuffer, &m_logSize))
            qCWarning(lcTranscript) << "cannot complete" << m_logPath << m_log.errorString();
    }
    return {};
}

void TranscriptWriter::append(StreamType stream,
                              QByteArrayView bytes,
                              qint64 rawLength,
                              const QByteArray &time)
{
    if (!m_jsonlSink || !isRecorded(stream))
        return;
    if (rawLength < 0)
        rawLength = bytes.size();
    if (bytes.isEmpty() && rawLength == 0)
        return;

    QByteArray &out = m_jsonBuffer;
    out.append("{\"t\":\"", 6);
    if (time.isEmpty() || !JsonString::appendEscapedUtf8(out, time))
        out.append(rfc3339Nanos());
    out.append(stream == StreamType::Stdout ? QByteArrayView("\",\"s\":\"out\",")
                                            : QByteArrayView("\",\"s\":\"err\","));
    const qsizetype dataStart = out.size();
    out.append("\"d\":\"", 5);
    if (!JsonString::appendEscapedUtf8(out, bytes)) {
        out.resize(dataStart);
        out.append("\"b64\":\"", 7);
        out.append(QByteArray::fromRawData(bytes.data(), bytes.size()).toBase64());
    }
    out.append('"');
    if (rawLength != bytes.size()) {
        out.append(",\"n\":", 5);
        out.append(QByteArray::number(rawLength));
    }
    out.append("}\n", 2);

    m_logBuffer.append(bytes);
    const int index = streamIndex(stream);
    m_bytes[index] += bytes.size();
    m_rawBytes[index] += rawLength;
    m_lines[index] += countByte(bytes, '\n');

    if (m_jsonBuffer.size() >= kAutoFlushBytes)
        flush();
}

bool TranscriptWriter::writeBuffer(QFile &file, QByteArray &buffer, qint64 *committedSize)
{
    if (buffer.isEmpty())
        return true;
    const qint64 written = file.write(buffer);
    if (written == buffer.size()) {
        *committedSize += written;
        buffer.resize(0);
        return true;
    }
    m_error = QStringLiteral("Cannot write %1: %2").arg(file.fileName(), file.errorString());
    // Never leave half a record behind: later records would follow it on the same line.
    if (written > 0) {
        file.resize(*committedSize);
        file.seek(*committedSize);
    }
    return false;
}

bool TranscriptWriter::flush()
{
    if (!m_jsonlSink)
        return m_jsonBuffer.isEmpty();
    BackgroundWriter &writer = BackgroundWriter::instance();
    // Handed over whole: the buffer goes to the writer, and one it has written comes back to
    // be filled meanwhile.
    if (!m_jsonBuffer.isEmpty()) {
        m_jsonlSize += m_jsonBuffer.size();
        writer.append(m_jsonlSink, std::exchange(m_jsonBuffer, m_jsonlSink->takeSpare()));
    }
    if (!m_logBuffer.isEmpty()) {
        m_logSize += m_logBuffer.size();
        writer.append(m_logSink, std::exchange(m_logBuffer, m_logSink->takeSpare()));
    }
    // What the writer has found so far: a failure shows on a later flush, and clears once a
    // retry went through.
    const bool failing = m_jsonlSink->failing();
    if (failing)
        m_error = m_jsonlSink->errorString();
    return !failing;
}

void TranscriptWriter::close()
{
    if (!m_jsonlSink)
        return;
    flush();
    BackgroundWriter &writer = BackgroundWriter::instance();
    writer.close(m_jsonlSink);
    writer.close(m_logSink);
    m_jsonlSink.reset();
    m_logSink.reset();
    m_jsonBuffer.clear();
    m_logBuffer.clear();
}

qint64 TranscriptWriter::bytes(StreamType stream) const
{
    return isRecorded(stream) ? m_bytes[streamIndex(stream)] : 0;
}

qint64 TranscriptWriter::rawBytes(StreamType stream) const
{
    return isRecorded(stream) ? m_rawBytes[streamIndex(stream)] : 0;
}

qint64 TranscriptWriter::lines(StreamType stream) const
{
    return isRecorded(stream) ? m_lines[streamIndex(stream)] : 0;
}

} // namespace Parallax

#pragma once

#include "util/result.h"
#include "util/streamtype.h"

#include <QByteArray>
#include <QFile>
#include <QString>

namespace Parallax {

// One record of a transcript: a chunk of one stream as it was received.
struct TranscriptChunk
{
    QByteArray time; // RFC 3339 receipt time, as recorded
    StreamType stream = StreamType::Stdout;
    QByteArray data;      // the recorded (redacted) bytes
    qint64 rawLength = 0; // bytes the container wrote for them ("n", else data.size())
};

// Totals over a transcript; index 0 is stdout, 1 stderr.
struct TranscriptTotals
{
    qint64 bytes[2] = {0, 0};
    qint64 rawBytes[2] = {0, 0};
    qint64 lines[2] = {0, 0}; // count of '\n'
    qint64 chunks = 0;
    qint64 validFileLength = 0; // file offset just after the last good record
    bool tornTail = false; // bytes after validFileLength are an incomplete/unparsable last line
};

// Reads a variation's <variation>.jsonl transcript (see docs/transcripts.md) record by record
// in bounded memory: one read block plus the longest line. Lines in the exact shape that
// TranscriptWriter produces take a hand-written fast path; any other JSON spelling of the same
// object (key order, whitespace, \uXXXX escapes, extra keys) goes through QJsonDocument. A torn
// or unparsable last line - what a crash in the middle of a write leaves - ends the transcript
// and is reported by tornTail(); an unparsable line followed by more lines is corruption and
// an error. Used by the writer on reopen, by exports and by tests; one thread at a time.
class TranscriptReader
{
public:
    TranscriptReader() = default;
    Q_DISABLE_COPY_MOVE(TranscriptReader)

    Result<void> open(const QString &jsonlPath);
    bool next(TranscriptChunk *chunk); // false at the end or on an error (see errorString())
    bool tornTail() const { return m_tornTail; }
    QString errorString() const { return m_error; }
    qint64 validFileLength() const { return m_validLength; } // after the last record read

    static Result<TranscriptTotals> scan(const QString &jsonlPath);
    static Result<QByteArray> readStream(const QString &jsonlPath, StreamType stream);

private:
    bool readLine(QByteArrayView *line, bool *complete);
    bool parseLine(QByteArrayView line, TranscriptChunk *chunk);
    bool atEndOfData();

    QFile m_file;
    QByteArray m_buffer;
    qsizetype m_pos = 0;        // start of the next line in m_buffer
    qsizetype m_searchFrom = 0; // where to resume looking for '\n' in m_buffer
    qint64 m_bufferOffset = 0;  // file offset of m_buffer[0]
    qint64 m_lineEnd = 0;       // file offset after the line last returned by readLine()
    qint64 m_lineNumber = 0;
    qint64 m_validLength = 0;
    bool m_tornTail = false;
    bool m_failed = false;
    QString m_error;
    QByteArray m_scratch; // reused decode buffers
    QByteArray m_keyScratch;
};

} // namespace Parallax

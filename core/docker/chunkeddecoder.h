#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Parallax {

// Incremental decoder for HTTP/1.1 `Transfer-Encoding: chunked` bodies. Feed it whatever the
// socket delivered; it appends the decoded payload and keeps its place between calls, so chunk
// sizes, CRLFs and payloads may be split anywhere. Memory is bounded: only a size line (at most
// kMaxLineLength bytes) is ever buffered, never a chunk's payload. Pure, no Qt event loop.
class ChunkedDecoder
{
public:
    static constexpr qsizetype kMaxLineLength = 1024;

    // Decodes as much of `data` as possible into `out`. Returns the number of bytes consumed;
    // stops early after the terminating chunk (the rest belongs to whatever follows). On a
    // protocol error returns -1 and errorString() says why.
    qsizetype feed(QByteArrayView data, QByteArray *out);

    bool isFinished() const { return m_state == State::Done; }
    bool hasError() const { return m_state == State::Failed; }
    QString errorString() const { return m_error; }
    void reset();

private:
    enum class State { SizeLine, Data, DataCr, DataLf, Trailer, Done, Failed };
    qsizetype fail(const QString &message);

    State m_state = State::SizeLine;
    QByteArray m_line;
    quint64 m_remaining = 0;
    QString m_error;
};

} // namespace Parallax

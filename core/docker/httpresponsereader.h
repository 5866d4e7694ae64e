#pragma once

#include "chunkeddecoder.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QPair>
#include <QString>

namespace Parallax {

// Incremental HTTP/1.1 response parser, fed with whatever readyRead delivered. It handles the
// status line, headers (bounded by kMaxHeaderBytes), and every body framing the Docker Engine
// uses: Content-Length, chunked, read-until-close, and the hijacked raw stream of attach (101
// UPGRADED, or a 200 without length), where every byte after the blank line - including bytes
// that arrived in the same read as the header - belongs to the stream. Decoded body bytes are
// appended to the caller's buffer as they arrive; nothing is held back. Pure; one per request.
class HttpResponseReader
{
public:
    static constexpr qsizetype kMaxHeaderBytes = 64 * 1024;

    enum class State { Headers, Body, Done, Failed };
    enum class BodyMode { None, Length, Chunked, UntilClose };

    // A response to HEAD carries no body, whatever its headers say.
    void setHeadRequest(bool head) { m_head = head; }

    // Consumes `data`, appending decoded body bytes to `body`. Returns false once the response
    // is malformed (see errorString()). Bytes after a complete response are ignored.
    bool feed(QByteArrayView data, QByteArray *body);
    // The peer closed the connection. Completes a read-until-close body; anything else that
    // was still incomplete becomes an error. Returns whether the response is complete.
    bool finishInput();

    State state() const { return m_state; }
    bool headersComplete() const { return m_state == State::Body || m_state == State::Done; }
    bool isComplete() const { return m_state == State::Done; }
    bool hasError() const { return m_state == State::Failed; }
    QString errorString() const { return m_error; }

    int statusCode() const { return m_status; }
    QByteArray reasonPhrase() const { return m_reason; }
    BodyMode bodyMode() const { return m_bodyMode; }
    // True for a hijacked connection: 101 Switching Protocols or a body read until close.
    bool isRawStream() const { return m_status == 101 || m_bodyMode == BodyMode::UntilClose; }
    QByteArray header(QByteArrayView name) const; // case-insensitive; empty when absent
    const QList<QPair<QByteArray, QByteArray>> &headers() const { return m_headers; }

private:
    bool fail(const QString &message);
    bool parseHead(QByteArrayView head);
    bool feedBody(QByteArrayView data, QByteArray *body);

    State m_state = State::Headers;
    BodyMode m_bodyMode = BodyMode::None;
    bool m_head = false;
    QByteArray m_headBuffer;
    int m_status = 0;
    QByteArray m_reason;
    QList<QPair<QByteArray, QByteArray>> m_headers;
    qint64 m_remaining = 0;
    ChunkedDecoder m_chunked;
    QString m_error;
};

} // namespace Parallax

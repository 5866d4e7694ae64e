#include "httpresponsereader.h"

namespace Parallax {

bool HttpResponseReader::fail(const QString &message)
{
    m_state = State::Failed;
    m_error = message;
    m_headBuffer.clear();
    return false;
}

QByteArray HttpResponseReader::header(QByteArrayView name) const
{
    for (const auto &[key, value] : m_headers) {
        if (key.compare(name, Qt::CaseInsensitive) == 0)
            return value;
    }
    return {};
}

bool HttpResponseReader::feed(QByteArrayView data, QByteArray *body)
{
    switch (m_state) {
    case State::Failed:
        return false;
    case State::Done:
        return true;
    case State::Body:
        return feedBody(data, body);
    case State::Headers:
        break;
    }

    // Reject garbage at its first byte rather than after 64 KiB, and before looking for the
    // blank line, so that the verdict does not depend on how the bytes were split.
    const qsizetype searchFrom = qMax<qsizetype>(0, m_headBuffer.size() - 2);
    m_headBuffer.append(data);
    if (!QByteArrayView("HTTP/").startsWith(
                QByteArrayView(m_headBuffer).first(qMin<qsizetype>(m_headBuffer.size(), 5))))
        return fail(QStringLiteral("malformed response: not an HTTP status line"));

    // The header ends at the first empty line, "\n\n" or "\n\r\n", whatever the other lines end
    // with: searching for "\r\n\r\n" first could find it in a body after an LF-only header.
    // Only the new bytes are searched, plus 2 bytes of overlap for a split separator.
    qsizetype end = -1;
    qsizetype sepLength = 0;
    const qsizetype size = m_headBuffer.size();
    for (qsizetype nl = m_headBuffer.indexOf('\n', searchFrom); nl >= 0 && nl + 1 < size;
         nl = m_headBuffer.indexOf('\n', nl + 1)) {
        if (m_headBuffer.at(nl + 1) == '\n') {
            end = nl;
            sepLength = 2;
            break;
        }
        if (nl + 2 < size && m_headBuffer.at(nl + 1) == '\r' && m_headBuffer.at(nl + 2) == '\n') {
            end = nl;
            sepLength = 3;
            break;
        }
    }
    // The limit covers the header with its blank line, found or not, so that it holds at the
    // same byte however the input was split.
    if (end < 0 ? size > kMaxHeaderBytes : end + sepLength > kMaxHeaderBytes)
        return fail(QStringLiteral("malformed response: header larger than %1 bytes")
                            .arg(kMaxHeaderBytes));
    if (end < 0)
        return true;

    const QByteArray head = m_headBuffer.left(end);
    const QByteArray rest = m_headBuffer.mid(end + sepLength);
    m_headBuffer.clear();
    m_headBuffer.squeeze();
    if (!parseHead(head))
        return false;
    return feedBody(rest, body);
}

bool HttpResponseReader::parseHead(QByteArrayView head)
{
    qsizetype lineEnd = head.indexOf('\n');
    QByteArrayView statusLine = lineEnd < 0 ? head : head.first(lineEnd);
    if (statusLine.endsWith('\r'))
        statusLine.chop(1);
    // "HTTP/1.1 200 OK": version, a 3-digit code, an optional reason.
    if (!statusLine.startsWith("HTTP/1.") || statusLine.size() < 12 || statusLine[8] != ' ')
        return fail(QStringLiteral("malformed response: bad status line '%1'")
                            .arg(QString::fromLatin1(
                                    statusLine.first(qMin<qsizetype>(statusLine.size(), 40)))));
    int code = 0;
    for (int i = 9; i < 12; ++i) {
        const char c = statusLine[i];
        if (c < '0' || c > '9')
            return fail(QStringLiteral("malformed response: bad status code in '%1'")
                                .arg(QString::fromLatin1(
                                        statusLine.first(qMin<qsizetype>(statusLine.size(), 40)))));
        code = code * 10 + (c - '0');
    }
    if (statusLine.size() > 12 && statusLine[12] != ' ')
        return fail(QStringLiteral("malformed response: bad status code"));
    m_status = code;
    m_reason = statusLine.size() > 13 ? statusLine.sliced(13).toByteArray() : QByteArray();

    qsizetype pos = lineEnd < 0 ? head.size() : lineEnd + 1;
    while (pos < head.size()) {
        qsizetype nl = head.indexOf('\n', pos);
        if (nl < 0)
            nl = head.size();
        QByteArrayView line = head.sliced(pos, nl - pos);
        pos = nl + 1;
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return fail(QStringLiteral("malformed response: bad header line '%1'")
                                .arg(QString::fromLatin1(
                                        line.first(qMin<qsizetype>(line.size(), 40)))));
        m_headers.append({line.first(colon).trimmed().toByteArray(),
                          line.sliced(colon + 1).trimmed().toByteArray()});
    }

    const bool noBody = m_head || (m_status >= 100 && m_status < 200 && m_status != 101)
                        || m_status == 204 || m_status == 304;
    const QByteArray transferEncoding = header("Transfer-Encoding");
    const QByteArray contentLength = header("Content-Length");
    if (m_status == 101) {
        m_bodyMode = BodyMode::UntilClose;
    } else if (noBody) {
        m_bodyMode = BodyMode::None;
    } else if (transferEncoding.toLower().contains("chunked")) {
        m_bodyMode = BodyMode::Chunked;
    } else if (!contentLength.isEmpty()) {
        bool ok = false;
        const qint64 length = contentLength.toLongLong(&ok);
        if (!ok || length < 0)
            return fail(QStringLiteral("malformed response: bad Content-Length '%1'")
                                .arg(QString::fromLatin1(contentLength.left(32))));
        m_bodyMode = BodyMode::Length;
        m_remaining = length;
    } else {
        m_bodyMode = BodyMode::UntilClose;
    }
    m_state = State::Body;
    if (m_bodyMode == BodyMode::None || (m_bodyMode == BodyMode::Length && m_remaining == 0))
        m_state = State::Done;
    return true;
}

bool HttpResponseReader::feedBody(QByteArrayView data, QByteArray *body)
{
    if (m_state != State::Body || data.isEmpty())
        return m_state != State::Failed;
    switch (m_bodyMode) {
    case BodyMode::None:
        m_state = State::Done;
        return true;
    case BodyMode::UntilClose:
        body->append(data);
        return true;
    case BodyMode::Length: {
        const qsizetype take = qsizetype(qMin<qint64>(m_remaining, data.size()));
        body->append(data.first(take));
        m_remaining -= take;
        if (m_remaining == 0)
            m_state = State::Done;
        return true;
    }
    case BodyMode::Chunked:
        if (m_chunked.feed(data, body) < 0)
            return fail(m_chunked.errorString());
        if (m_chunked.isFinished())
            m_state = State::Done;
        return true;
    }
    return true;
}

bool HttpResponseReader::finishInput()
{
    switch (m_state) {
    case State::Done:
        return true;
    case State::Failed:
        return false;
    case State::Headers:
        return fail(m_headBuffer.isEmpty()
                            ? QStringLiteral("the connection closed before any response")
                            : QStringLiteral(
                                    "the connection closed in the middle of the response header"));
    case State::Body:
        if (m_bodyMode == BodyMode::UntilClose) {
            m_state = State::Done;
            return true;
        }
        if (m_bodyMode == BodyMode::Length)
            return fail(QStringLiteral(
                                "the connection closed with %1 bytes of the response body missing")
                                .arg(m_remaining));
        return fail(
                QStringLiteral("the connection closed in the middle of a chunked response body"));
    }
    return false;
}

} // namespace Parallax

#include "chunkeddecoder.h"

namespace Parallax {

static constexpr quint64 kMaxChunkSize = quint64(1) << 40;

void ChunkedDecoder::reset()
{
    m_state = State::SizeLine;
    m_line.clear();
    m_remaining = 0;
    m_error.clear();
}

qsizetype ChunkedDecoder::fail(const QString &message)
{
    m_state = State::Failed;
    m_error = message;
    m_line.clear();
    return -1;
}

// Parses "1a2b[;extension]" (the CR/LF already removed).
static bool parseChunkSize(const QByteArray &line, quint64 *size)
{
    qsizetype end = line.indexOf(';');
    if (end < 0)
        end = line.size();
    QByteArrayView digits = QByteArrayView(line).first(end).trimmed();
    if (digits.isEmpty() || digits.size() > 11)
        return false;
    quint64 value = 0;
    for (char c : digits) {
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            return false;
        value = value * 16 + quint64(v);
    }
    if (value > kMaxChunkSize)
        return false;
    *size = value;
    return true;
}

qsizetype ChunkedDecoder::feed(QByteArrayView data, QByteArray *out)
{
    if (m_state == State::Failed)
        return -1; // also for empty data, which would otherwise report 0 bytes consumed
    qsizetype pos = 0;
    const qsizetype size = data.size();
    while (pos < size) {
        switch (m_state) {
        case State::SizeLine:
        case State::Trailer: {
            const qsizetype nl = data.indexOf('\n', pos);
            const qsizetype take = (nl < 0 ? size : nl) - pos;
            if (m_line.size() + take > kMaxLineLength)
                return fail(QStringLiteral("malformed chunked body: chunk header line too long"));
            m_line.append(data.sliced(pos, take));
            if (nl < 0)
                return size;
            pos = nl + 1;
            if (m_line.endsWith('\r'))
                m_line.chop(1);
            if (m_state == State::Trailer) {
                const bool empty = m_line.isEmpty();
                m_line.clear();
                if (empty) {
                    m_state = State::Done;
                    return pos;
                }
                continue;
            }
            quint64 chunkSize = 0;
            if (!parseChunkSize(m_line, &chunkSize)) {
                return fail(QStringLiteral("malformed chunked body: bad chunk size '%1'")
                                    .arg(QString::fromLatin1(m_line.left(32))));
            }
            m_line.clear();
            if (chunkSize == 0) {
                m_state = State::Trailer;
            } else {
                m_remaining = chunkSize;
                m_state = State::Data;
            }
            break;
        }
        case State::Data: {
            const qsizetype take = qsizetype(qMin<quint64>(m_remaining, quint64(size - pos)));
            out->append(data.sliced(pos, take));
            pos += take;
            m_remaining -= quint64(take);
            if (m_remaining == 0)
                m_state = State::DataCr;
            break;
        }
        case State::DataCr:
            if (data[pos] == '\r') {
                ++pos;
                m_state = State::DataLf;
            } else if (data[pos] == '\n') {
                ++pos;
                m_state = State::SizeLine;
            } else {
                return fail(
                        QStringLiteral("malformed chunked body: missing CRLF after chunk data"));
            }
            break;
        case State::DataLf:
            if (data[pos] != '\n')
                return fail(QStringLiteral("malformed chunked body: missing LF after chunk data"));
            ++pos;
            m_state = State::SizeLine;
            break;
        case State::Done:
            return pos;
        case State::Failed:
            return -1;
        }
    }
    return pos;
}

} // namespace Parallax

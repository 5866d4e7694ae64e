#include "streamdemuxer.h"

namespace Parallax {

bool StreamDemuxer::feed(QByteArrayView data, const Sink &sink)
{
    if (hasError())
        return false;
    if (!m_multiplexed) {
        if (!data.isEmpty())
            sink(StreamType::Stdout, data, false);
        return true;
    }
    qsizetype pos = 0;
    const qsizetype size = data.size();
    while (pos < size) {
        if (m_remaining == 0) {
            while (m_headerFill < 8 && pos < size)
                m_header[m_headerFill++] = static_cast<unsigned char>(data[pos++]);
            if (m_headerFill < 8)
                return true;
            m_headerFill = 0;
            const unsigned char type = m_header[0];
            if (type > 3 || m_header[1] != 0 || m_header[2] != 0 || m_header[3] != 0) {
                m_error = QStringLiteral("malformed stream: bad frame header %1")
                                  .arg(QString::fromLatin1(
                                          QByteArray(reinterpret_cast<const char *>(m_header), 8)
                                                  .toHex(' ')));
                return false;
            }
            // Type 0 is stdin, which Docker only echoes on stdout.
            m_stream = type == 2   ? StreamType::Stderr
                       : type == 3 ? StreamType::DaemonError
                                   : StreamType::Stdout;
            m_frameSize = m_remaining = (quint32(m_header[4]) << 24) | (quint32(m_header[5]) << 16)
                                        | (quint32(m_header[6]) << 8) | quint32(m_header[7]);
            m_frameStart = true;
            // When the header ends the feed (Podman writes it separately), the payload's first
            // slice comes with the next feed: no empty slice now, and frameStart stays set.
            if (m_remaining == 0 || pos == size)
                continue;
        }
        const qsizetype take = qMin<qsizetype>(qsizetype(m_remaining), size - pos);
        sink(m_stream, data.sliced(pos, take), m_frameStart);
        m_frameStart = false;
        pos += take;
        m_remaining -= quint32(take);
    }
    return true;
}

bool StreamDemuxer::finish()
{
    if (hasError())
        return false;
    if (m_headerFill != 0) {
        m_error = QStringLiteral("stream ended inside a frame header (%1 of 8 bytes)")
                          .arg(m_headerFill);
        return false;
    }
    if (m_remaining != 0) {
        m_error = QStringLiteral("stream ended inside a frame (%1 of %2 payload bytes missing)")
                          .arg(m_remaining)
                          .arg(m_frameSize);
        return false;
    }
    return true;
}

} // namespace Parallax

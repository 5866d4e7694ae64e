#pragma once

#include <QByteArrayView>
#include <QString>

namespace Parallax {

// Decodes a UTF-8 byte stream that arrives in chunks, appending UTF-16 to a QString. Ill-formed
// input becomes U+FFFD, one per maximal ill-formed subpart (the Unicode and WHATWG recommended
// practice), and the result never depends on where the stream was cut into chunks. (Qt 6.4's
// QStringDecoder silently drops a partial character that is interrupted in the next chunk.)
// Owned by whoever parses the stream, usually an AnsiParser.
class Utf8Decoder
{
public:
    void decode(QByteArrayView bytes, QString *out);
    // Ends a character left incomplete (by the end of the stream or by a control byte the
    // caller handles itself): appends U+FFFD if one is pending.
    void flush(QString *out);
    bool hasPendingBytes() const { return m_needed != 0; }
    void reset();

private:
    char16_t *decodeNonAscii(const uchar *p, const uchar *end, char16_t *dst);
    void resetSequence();

    char32_t m_codePoint = 0;
    quint8 m_needed = 0;                   // continuation bytes the current character needs in all
    quint8 m_seen = 0;                     // ... and has had
    quint8 m_lower = 0x80, m_upper = 0xbf; // the range the next continuation byte must be in
};

} // namespace Parallax

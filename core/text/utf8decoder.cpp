#include "text/utf8decoder.h"

#include <cstring>

namespace Parallax {

namespace {

constexpr char16_t ReplacementCharacter = 0xfffd;

const uchar *asciiRunEnd(const uchar *p, const uchar *end)
{
    // Eight bytes at a time: agent output is overwhelmingly ASCII.
    while (end - p >= 8) {
        quint64 word;
        std::memcpy(&word, p, sizeof word);
        if (word & 0x8080808080808080ULL)
            break;
        p += 8;
    }
    while (p < end && *p < 0x80)
        ++p;
    return p;
}

} // namespace

void Utf8Decoder::decode(QByteArrayView bytes, QString *out)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.data());
    const auto *end = p + bytes.size();
    while (p < end) {
        if (m_needed == 0) {
            const uchar *asciiEnd = asciiRunEnd(p, end);
            if (asciiEnd != p) {
                // QString's Latin-1 conversion is vectorised, and ASCII is Latin-1.
                out->append(QLatin1StringView(reinterpret_cast<const char *>(p), asciiEnd - p));
                p = asciiEnd;
                continue;
            }
        }

        const uchar *segmentEnd = p;
        while (segmentEnd < end && *segmentEnd >= 0x80)
            ++segmentEnd;
        // A character pending from earlier input can complete as two UTF-16 units on the
        // segment's first byte, and an ASCII byte cutting it short adds one U+FFFD.
        const qsizetype oldSize = out->size();
        out->resize(oldSize + (segmentEnd - p) + 2);
        char16_t *const begin = reinterpret_cast<char16_t *>(out->data());
        char16_t *dst = decodeNonAscii(p, segmentEnd, begin + oldSize);
        if (segmentEnd < end && m_needed != 0) {
            *dst++ = ReplacementCharacter;
            resetSequence();
        }
        out->resize(dst - begin);
        p = segmentEnd;
    }
}

void Utf8Decoder::flush(QString *out)
{
    if (m_needed == 0)
        return;
    out->append(QChar(ReplacementCharacter));
    resetSequence();
}

void Utf8Decoder::reset()
{
    resetSequence();
}

// Bytes >= 0x80 only. The bounds on the second byte (m_lower, m_upper) rule out overlong forms,
// surrogates and code points above U+10FFFF, so whatever completes is a valid scalar value.
char16_t *Utf8Decoder::decodeNonAscii(const uchar *p, const uchar *end, char16_t *dst)
{
    while (p < end) {
        const uchar b = *p;
        if (m_needed == 0) {
            ++p;
            if (b >= 0xc2 && b <= 0xdf) {
                m_needed = 1;
                m_codePoint = b & 0x1f;
            } else if (b >= 0xe0 && b <= 0xef) {
                if (b == 0xe0)
                    m_lower = 0xa0;
                else if (b == 0xed)
                    m_upper = 0x9f;
                m_needed = 2;
                m_codePoint = b & 0x0f;
            } else if (b >= 0xf0 && b <= 0xf4) {
                if (b == 0xf0)
                    m_lower = 0x90;
                else if (b == 0xf4)
                    m_upper = 0x8f;
                m_needed = 3;
                m_codePoint = b & 0x07;
            } else {
                *dst++ = ReplacementCharacter; // stray continuation byte, C0, C1, F5..FF
            }
            continue;
        }
        if (b < m_lower || b > m_upper) {
            // The pending character is ill-formed; this byte may start the next one.
            *dst++ = ReplacementCharacter;
            resetSequence();
            continue;
        }
        ++p;
        m_lower = 0x80;
        m_upper = 0xbf;
        m_codePoint = m_codePoint << 6 | (b & 0x3f);
        if (++m_seen < m_needed)
            continue;
        if (m_codePoint < 0x10000) {
            *dst++ = char16_t(m_codePoint);
        } else {
            *dst++ = char16_t(0xd800 + ((m_codePoint - 0x10000) >> 10));
            *dst++ = char16_t(0xdc00 + ((m_codePoint - 0x10000) & 0x3ff));
        }
        resetSequence();
    }
    return dst;
}

void Utf8Decoder::resetSequence()
{
    m_codePoint = 0;
    m_needed = 0;
    m_seen = 0;
    m_lower = 0x80;
    m_upper = 0xbf;
}

} // namespace Parallax

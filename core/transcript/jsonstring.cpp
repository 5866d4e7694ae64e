#include "jsonstring.h"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace Parallax::JsonString {

namespace {

constexpr quint64 kOnes = 0x0101010101010101ULL;
constexpr quint64 kHighBits = 0x8080808080808080ULL;

// SWAR tests on 8 bytes at a time: "is any byte zero" and "is any byte below n" (n <= 128) are
// exact as yes/no answers, which is all the fast paths need.
constexpr quint64 anyZero(quint64 v)
{
    return (v - kOnes) & ~v & kHighBits;
}

constexpr quint64 anyBelow(quint64 v, quint64 n)
{
    return (v - kOnes * n) & ~v & kHighBits;
}

inline quint64 load8(const uchar *p)
{
    quint64 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// True when none of the 8 bytes needs attention from the escaper: all printable ASCII other
// than '"', '\\' and DEL.
inline bool plainAscii8(quint64 v)
{
    return !((v & kHighBits) | anyBelow(v, 0x20) | anyZero(v ^ (kOnes * '"'))
             | anyZero(v ^ (kOnes * '\\')) | anyZero(v ^ (kOnes * 0x7F)));
}

// True when none of the 8 bytes ends or escapes a JSON string or is a raw control character.
inline bool plainStringBody8(quint64 v)
{
    return !(anyBelow(v, 0x20) | anyZero(v ^ (kOnes * '"')) | anyZero(v ^ (kOnes * '\\')));
}

// Length of the well-formed UTF-8 sequence at p, whose lead byte is >= 0x80; 0 if the
// sequence is ill-formed or runs past end (Unicode 15, table 3-7).
inline int utf8SequenceLength(const uchar *p, const uchar *end)
{
    const uchar lead = p[0];
    const qsizetype available = end - p;
    const auto continuation = [](uchar b) {
        return (b & 0xC0) == 0x80;
    };
    if (lead >= 0xC2 && lead <= 0xDF)
        return available >= 2 && continuation(p[1]) ? 2 : 0;
    if (lead >= 0xE0 && lead <= 0xEF) {
        if (available < 3)
            return 0;
        const uchar low = lead == 0xE0 ? 0xA0 : 0x80;
        const uchar high = lead == 0xED ? 0x9F : 0xBF;
        return p[1] >= low && p[1] <= high && continuation(p[2]) ? 3 : 0;
    }
    if (lead >= 0xF0 && lead <= 0xF4) {
        if (available < 4)
            return 0;
        const uchar low = lead == 0xF0 ? 0x90 : 0x80;
        const uchar high = lead == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= low && p[1] <= high && continuation(p[2]) && continuation(p[3]) ? 4 : 0;
    }
    return 0;
}

void appendEscape(QByteArray &out, uchar c)
{
    switch (c) {
    case '"':
        out.append("\\\"", 2);
        return;
    case '\\':
        out.append("\\\\", 2);
        return;
    case '\n':
        out.append("\\n", 2);
        return;
    case '\r':
        out.append("\\r", 2);
        return;
    case '\t':
        out.append("\\t", 2);
        return;
    case '\b':
        out.append("\\b", 2);
        return;
    case '\f':
        out.append("\\f", 2);
        return;
    default: {
        static constexpr char hex[] = "0123456789abcdef";
        const char escape[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
        out.append(escape, 6);
        return;
    }
    }
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool readHex4(const char *p, const char *end, char32_t *value)
{
    if (end - p < 4)
        return false;
    char32_t result = 0;
    for (int i = 0; i < 4; ++i) {
        const int digit = hexValue(p[i]);
        if (digit < 0)
            return false;
        result = result << 4 | char32_t(digit);
    }
    *value = result;
    return true;
}

void appendUtf8(QByteArray &out, char32_t cp)
{
    char buffer[4];
    int length = 0;
    if (cp < 0x80) {
        buffer[length++] = char(cp);
    } else if (cp < 0x800) {
        buffer[length++] = char(0xC0 | cp >> 6);
        buffer[length++] = char(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        buffer[length++] = char(0xE0 | cp >> 12);
        buffer[length++] = char(0x80 | (cp >> 6 & 0x3F));
        buffer[length++] = char(0x80 | (cp & 0x3F));
    } else {
        buffer[length++] = char(0xF0 | cp >> 18);
        buffer[length++] = char(0x80 | (cp >> 12 & 0x3F));
        buffer[length++] = char(0x80 | (cp >> 6 & 0x3F));
        buffer[length++] = char(0x80 | (cp & 0x3F));
    }
    out.append(buffer, length);
}

} // namespace

bool appendEscapedUtf8(QByteArray &out, QByteArrayView bytes)
{
    const qsizetype originalSize = out.size();
    const auto *p = reinterpret_cast<const uchar *>(bytes.data());
    const auto *const end = p + bytes.size();
    const auto *run = p; // start of the bytes not yet copied to out
    out.reserve(originalSize + bytes.size() + 16);
    while (p < end) {
#if defined(__SSE2__)
        if (end - p >= 16) {
            // One signed compare flags control characters and every byte >= 0x80 (negative
            // as signed); three more flag '"', '\\' and DEL. No flag: 16 plain bytes.
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
            const __m128i special
                    = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
                                                _mm_cmpeq_epi8(v, _mm_set1_epi8('"'))),
                                   _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')),
                                                _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7F))));
            const unsigned mask = unsigned(_mm_movemask_epi8(special));
            if (mask == 0) {
                p += 16;
                continue;
            }
            p += std::countr_zero(mask); // straight to the first byte that needs a look
        }
#endif
        if (end - p >= 8 && plainAscii8(load8(p))) {
            p += 8;
            continue;
        }
        const uchar c = *p;
        if (c >= 0x80) {
            const int length = utf8SequenceLength(p, end);
            if (length == 0) {
                out.resize(originalSize);
                return false;
            }
            p += length;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7F) {
            ++p;
            continue;
        }
        out.append(reinterpret_cast<const char *>(run), p - run);
        appendEscape(out, c);
        run = ++p;
    }
    out.append(reinterpret_cast<const char *>(run), p - run);
    return true;
}

bool isValidUtf8(QByteArrayView bytes)
{
    const auto *p = reinterpret_cast<const uchar *>(bytes.data());
    const auto *const end = p + bytes.size();
    while (p < end) {
        if (end - p >= 8 && !(load8(p) & kHighBits)) {
            p += 8;
            continue;
        }
        if (*p < 0x80) {
            ++p;
            continue;
        }
        const int length = utf8SequenceLength(p, end);
        if (length == 0)
            return false;
        p += length;
    }
    return true;
}

bool appendUnescaped(QByteArray &out, const char **cursor, const char *end)
{
    const char *p = *cursor;
    const char *run = p;
    while (p < end) {
        if (end - p >= 8 && plainStringBody8(load8(reinterpret_cast<const uchar *>(p)))) {
            p += 8;
            continue;
        }
        const auto c = uchar(*p);
        if (c == '"') {
            out.append(run, p - run);
            *cursor = p + 1;
            return true;
        }
        if (c < 0x20)
            return false;
        if (c != '\\') {
            ++p;
            continue;
        }
        out.append(run, p - run);
        if (++p >= end)
            return false;
        switch (*p) {
        case '"':
            out.append('"');
            break;
        case '\\':
            out.append('\\');
            break;
        case '/':
            out.append('/');
            break;
        case 'b':
            out.append('\b');
            break;
        case 'f':
            out.append('\f');
            break;
        case 'n':
            out.append('\n');
            break;
        case 'r':
            out.append('\r');
            break;
        case 't':
            out.append('\t');
            break;
        case 'u': {
            char32_t unit = 0;
            if (!readHex4(p + 1, end, &unit))
                return false;
            p += 4;
            if (unit >= 0xDC00 && unit <= 0xDFFF)
                return false;
            if (unit >= 0xD800 && unit <= 0xDBFF) {
                char32_t low = 0;
                if (end - p < 3 || p[1] != '\\' || p[2] != 'u' || !readHex4(p + 3, end, &low)
                    || low < 0xDC00 || low > 0xDFFF)
                    return false;
                p += 6;
                unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
            }
            appendUtf8(out, unit);
            break;
        }
        default:
            return false;
        }
        run = ++p;
    }
    return false;
}

} // namespace Parallax::JsonString

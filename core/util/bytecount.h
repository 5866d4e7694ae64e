#pragma once

#include <QByteArrayView>

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace Parallax {

// How many times `byte` occurs in `bytes` (newlines in a chunk, for line counts). 16 bytes per
// step with SSE2 (every x86-64): std::count compiles to a byte loop at -O2, and it ran once or
// twice over every byte of a flood.
inline qsizetype countByte(QByteArrayView bytes, char byte)
{
    const char *p = bytes.data();
    const char *const end = p + bytes.size();
    qsizetype count = 0;
#if defined(__SSE2__)
    const __m128i needle = _mm_set1_epi8(byte);
    for (; end - p >= 16; p += 16) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i *>(p));
        count += std::popcount(unsigned(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, needle))));
    }
#endif
    for (; p < end; ++p)
        count += *p == byte;
    return count;
}

} // namespace Parallax

#pragma once

#include <QByteArray>
#include <QByteArrayView>

namespace Parallax::JsonString {

// Byte-level JSON string escaping and unescaping for the transcript format. These work on raw
// bytes, without QString or QJsonDocument, because a transcript writes and reads every chunk of
// a container's output (floods of a million lines, 100 MB files). Pure functions, any thread.

// Appends `bytes` to `out` as the body of a JSON string (without the quotes) if they are valid
// UTF-8. Escapes '"', '\\', the control characters below 0x20 (as \n \r \t \b \f, otherwise
// \u00XX) and DEL (\u007f); copies everything else, valid non-ASCII included, unchanged.
// Returns false and leaves `out` as it was when `bytes` is not valid UTF-8 (overlong forms,
// surrogates, code points above U+10FFFF and truncated sequences are all invalid).
bool appendEscapedUtf8(QByteArray &out, QByteArrayView bytes);

bool isValidUtf8(QByteArrayView bytes);

// Decodes a JSON string body that starts at *cursor (just after the opening quote) and appends
// the bytes it stands for to `out`; \uXXXX escapes, surrogate pairs included, become UTF-8.
// On success *cursor points just after the closing quote. Returns false for an unterminated
// string, a raw control character, an unknown escape or a lone surrogate; `out` then holds
// whatever had been decoded.
bool appendUnescaped(QByteArray &out, const char **cursor, const char *end);

} // namespace Parallax::JsonString

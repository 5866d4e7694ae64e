#pragma once

#include "text/ansievent.h"
#include "text/textstyle.h"
#include "text/utf8decoder.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace Parallax {

// Turns the raw bytes of a terminal stream (what an agent writes to its pty) into styled text
// spans, carriage returns and newlines. SGR colours and attributes are tracked; every other
// escape sequence (cursor movement, erasing, modes, OSC titles and hyperlinks, ...) is stripped.
// Bytes arrive in arbitrary chunks: a partial escape sequence, a partial UTF-8 character and a
// trailing "\r" (which may turn out to be half of "\r\n") are kept until the next feed().
// Use one parser per output stream, owned by whoever reads that stream; not thread-safe, but
// it has no thread affinity. See docs/ansi.md for what exactly is supported.
class AnsiParser
{
public:
    // An escape sequence still unterminated after this many bytes (counting its ESC) is
    // abandoned: its bytes are dropped and the following bytes are parsed as ordinary output.
    static constexpr qsizetype MaxSequenceLength = 4096;

    // Appends the events for these bytes to *out. Text is merged into the last event of *out
    // when that is text of the same style, so a span is never split by chunk boundaries.
    void feed(QByteArrayView bytes, QList<AnsiEvent> *out);
    // End of stream: emits a held "\r", turns an incomplete UTF-8 character into U+FFFD and
    // drops an unterminated escape sequence. Style is kept; feed() may be called again.
    void finish(QList<AnsiEvent> *out);
    // Back to the initial state: default style, nothing pending.
    void reset();

    TextStyle currentStyle() const { return m_style; }

    // One-shot: all escape sequences and control characters except \t, \r and \n removed
    // (those three are kept as they are), invalid UTF-8 replaced by U+FFFD.
    static QString stripToPlainText(QByteArrayView bytes);

private:
    enum class State : quint8 {
        Ground,
        Escape,             // after ESC
        EscapeIntermediate, // ESC ( B, ESC # 8 ...: waiting for the final byte
        Csi,                // ESC [ ...
        String,             // ESC ] (OSC), ESC P (DCS), ESC X, ESC ^, ESC _: up to BEL or ST
        StringEscape,       // ESC inside a string: ST if followed by '\'
    };

    qsizetype feedGround(QByteArrayView bytes, qsizetype pos, QList<AnsiEvent> *out);
    bool feedSequenceByte(uchar c);
    void appendText(QByteArrayView bytes, QList<AnsiEvent> *out);
    void flushDecoder(QList<AnsiEvent> *out);
    QString &textSpan(QList<AnsiEvent> *out);
    void emitPendingCarriageReturn(QList<AnsiEvent> *out);
    void applySgr();

    Utf8Decoder m_decoder;
    QByteArray m_csi; // parameter and intermediate bytes of the CSI sequence being read
    TextStyle m_style;
    qsizetype m_sequenceLength = 0;
    State m_state = State::Ground;
    bool m_pendingCarriageReturn = false;
    bool m_plainText = false; // stripToPlainText(): \r and \n are text, SGR is ignored
};

} // namespace Parallax

#include "text/ansiparser.h"

#include <QVarLengthArray>

#include <array>
#include <optional>

namespace Parallax {

namespace {

constexpr uchar Bel = 0x07;
constexpr uchar Can = 0x18;
constexpr uchar Sub = 0x1a;
constexpr uchar Esc = 0x1b;

// Which bytes may go to the UTF-8 decoder as they are, in one run. Everything else is a
// control byte that needs a decision. Bytes >= 0x80 are all "text": the decoder, not us,
// decides what is valid UTF-8.
constexpr std::array<bool, 256> textBytes(bool lineControlsAreText)
{
    std::array<bool, 256> table{};
    for (int c = 0; c < 256; ++c)
        table[c] = (c >= 0x20 && c != 0x7f) || c == '\t'
                   || (lineControlsAreText && (c == '\r' || c == '\n'));
    return table;
}

constexpr auto terminalTextBytes = textBytes(false);
constexpr auto plainTextBytes = textBytes(true);

constexpr std::array<bool, 256> endsString = [] {
    std::array<bool, 256> table{};
    table[Bel] = table[Can] = table[Sub] = table[Esc] = true;
    return table;
}();

// One SGR parameter. value -1 means omitted ("ESC[;1m"); sub means it was joined to the one
// before by ':' (ITU T.416 sub-parameters, as in "38:2::255:0:0").
struct SgrParam
{
    int value;
    bool sub;
};

constexpr int MaxParamValue = 0xffff;

int paramValue(const SgrParam &p)
{
    return p.value < 0 ? 0 : p.value;
}

std::optional<TextColor> indexedColor(int index)
{
    if (index > 255)
        return std::nullopt;
    return TextColor::indexed(index);
}

std::optional<TextColor> rgbColor(int r, int g, int b)
{
    if (r > 255 || g > 255 || b > 255)
        return std::nullopt;
    return TextColor::rgb(r, g, b);
}

// The colour of "38:5:n" / "38:2:[colourspace]:r:g:b"; args are the sub-parameters after 38.
std::optional<TextColor> colonFormColor(const SgrParam *args, qsizetype count)
{
    if (count >= 2 && paramValue(args[0]) == 5)
        return indexedColor(paramValue(args[1]));
    if (paramValue(args[0]) == 2) {
        // The colourspace id is optional in practice: "38:2::r:g:b" and "38:2:r:g:b" both occur.
        if (count >= 5)
            return rgbColor(paramValue(args[2]), paramValue(args[3]), paramValue(args[4]));
        if (count == 4)
            return rgbColor(paramValue(args[1]), paramValue(args[2]), paramValue(args[3]));
    }
    return std::nullopt;
}

// The colour of "38;5;n" / "38;2;r;g;b"; args are the parameters after 38. *consumed says how
// many of them belong to the colour.
std::optional<TextColor>
semicolonFormColor(const SgrParam *args, qsizetype count, qsizetype *consumed)
{
    *consumed = 0;
    if (count == 0)
        return std::nullopt;
    const int mode = paramValue(args[0]);
    if (mode == 5) {
        *consumed = qMin<qsizetype>(count, 2);
        return count >= 2 ? indexedColor(paramValue(args[1])) : std::nullopt;
    }
    if (mode == 2) {
        *consumed = qMin<qsizetype>(count, 4);
        if (count < 4)
            return std::nullopt;
        return rgbColor(paramValue(args[1]), paramValue(args[2]), paramValue(args[3]));
    }
    *consumed = 1;
    return std::nullopt;
}

} // namespace

void AnsiParser::feed(QByteArrayView bytes, QList<AnsiEvent> *out)
{
    const auto *data = reinterpret_cast<const uchar *>(bytes.data());
    const qsizetype size = bytes.size();
    qsizetype pos = 0;
    while (pos < size) {
        if (m_state == State::Ground) {
            pos = feedGround(bytes, pos, out);
            continue;
        }
        if (m_state == State::Csi || m_state == State::String) {
            // CSI parameters and string payloads (OSC titles, hyperlink targets) in bulk; only
            // the byte that ends them, or that reaches the length limit, is looked at alone.
            const qsizetype limit = qMin(size, pos + (MaxSequenceLength - m_sequenceLength));
            qsizetype end = pos;
            if (m_state == State::Csi) {
                while (end < limit && data[end] >= 0x20 && data[end] <= 0x3f)
                    ++end;
                m_csi.append(bytes.sliced(pos, end - pos));
            } else {
                while (end < limit && !endsString[data[end]])
                    ++end;
            }
            m_sequenceLength += end - pos;
            pos = end;
            if (pos == size)
                break;
        }
        if (feedSequenceByte(data[pos]))
            ++pos;
    }
}

void AnsiParser::finish(QList<AnsiEvent> *out)
{
    flushDecoder(out);
    emitPendingCarriageReturn(out);
    m_state = State::Ground;
    m_csi.resize(0);
}

void AnsiParser::reset()
{
    m_decoder.reset();
    m_csi.clear();
    m_style = {};
    m_sequenceLength = 0;
    m_state = State::Ground;
    m_pendingCarriageReturn = false;
}

QString AnsiParser::stripToPlainText(QByteArrayView bytes)
{
    AnsiParser parser;
    parser.m_plainText = true;
    QList<AnsiEvent> events;
    parser.feed(bytes, &events);
    parser.finish(&events);
    // Plain mode never changes the style and never emits line events: at most one span.
    return events.isEmpty() ? QString() : events.constFirst().span.text;
}

// Handles bytes outside escape sequences until one starts or the input ends; returns the
// position after the last byte consumed. Runs of text bytes go to the decoder in one call.
qsizetype AnsiParser::feedGround(QByteArrayView bytes, qsizetype pos, QList<AnsiEvent> *out)
{
    const auto *data = reinterpret_cast<const uchar *>(bytes.data());
    const qsizetype size = bytes.size();
    const auto &isText = m_plainText ? plainTextBytes : terminalTextBytes;

    while (pos < size) {
        const qsizetype start = pos;
        while (pos < size && isText[data[pos]])
            ++pos;

        if (pos > start) {
            emitPendingCarriageReturn(out);
            appendText(bytes.sliced(start, pos - start), out);
        }
        if (pos == size)
            return pos; // the decoder may hold the start of a character the next chunk ends

        // A control byte cuts short any UTF-8 character in progress.
        flushDecoder(out);
        switch (data[pos++]) {
        case '\r':
            // Held back: "\r\n" is one Newline, even when the two arrive in different chunks.
            emitPendingCarriageReturn(out);
            m_pendingCarriageReturn = true;
            break;
        case '\n':
            m_pendingCarriageReturn = false;
            out->append(AnsiEvent{AnsiEvent::Newline, {}});
            break;
        case Esc:
            emitPendingCarriageReturn(out);
            m_state = State::Escape;
            m_sequenceLength = 1;
            return pos;
        default:
            // BEL, backspace, DEL and the other C0 controls have no place in a text pane.
            break;
        }
    }
    return pos;
}

// Consumes one byte of an escape sequence. Returns false when the byte ends the sequence
// without belonging to it; the caller then feeds it again in the state this leaves behind.
bool AnsiParser::feedSequenceByte(uchar c)
{
    if (++m_sequenceLength > MaxSequenceLength) {
        // Most likely a stray ESC ] or ESC P in binary output. Giving up keeps memory bounded
        // and, more importantly, keeps the rest of the stream from vanishing.
        m_state = State::Ground;
        m_csi.resize(0);
        return false;
    }

    const auto restartEscape = [this] {
        m_state = State::Escape;
        m_sequenceLength = 1;
    };
    // A control byte or non-ASCII byte where the sequence grammar allows none: the sequence is
    // broken. Dropping it and handling the byte as output matches what terminals do for
    // \n and \r and keeps UTF-8 text visible.
    const auto abandon = [this] {
        m_state = State::Ground;
        return false;
    };

    switch (m_state) {
    case State::Ground:
        return false;
    case State::Escape:
        if (c == '[') {
            m_state = State::Csi;
            m_csi.resize(0);
        } else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
            m_state = State::String;
        } else if (c >= 0x20 && c <= 0x2f) {
            m_state = State::EscapeIntermediate;
        } else if (c >= 0x30 && c <= 0x7e) {
            if (c == 'c') // RIS, full reset
                m_style = {};
            m_state = State::Ground;
        } else if (c == Esc) {
            restartEscape();
        } else {
            return abandon();
        }
        return true;
    case State::EscapeIntermediate:
        if (c >= 0x20 && c <= 0x2f)
            return true;
        if (c >= 0x30 && c <= 0x7e) {
            m_state = State::Ground;
            return true;
        }
        if (c == Esc) {
            restartEscape();
            return true;
        }
        return abandon();
    case State::Csi:
        if (c >= 0x20 && c <= 0x3f) {
            m_csi.append(char(c));
            return true;
        }
        if (c >= 0x40 && c <= 0x7e) {
            if (c == 'm')
                applySgr();
            m_state = State::Ground;
            return true;
        }
        if (c == Esc) {
            restartEscape();
            return true;
        }
        return abandon();
    case State::String:
        // The payload (titles, hyperlink targets, ...) is never stored, only skipped.
        if (c == Bel || c == Can || c == Sub)
            m_state = State::Ground;
        else if (c == Esc)
            m_state = State::StringEscape;
        return true;
    case State::StringEscape:
        if (c == '\\') {
            m_state = State::Ground;
            return true;
        }
        // Not ST: the string ended and this ESC starts a new sequence.
        restartEscape();
        return false;
    }
    return true;
}

// The string of the last event if that is text in the current style, else of a new one.
QString &AnsiParser::textSpan(QList<AnsiEvent> *out)
{
    if (out->isEmpty() || out->constLast().kind != AnsiEvent::Text
        || out->constLast().span.style != m_style) {
        out->append(AnsiEvent{AnsiEvent::Text, TextSpan{QString(), m_style}});
    }
    return out->last().span.text;
}

void AnsiParser::appendText(QByteArrayView bytes, QList<AnsiEvent> *out)
{
    QString &text = textSpan(out);
    m_decoder.decode(bytes, &text);
    // Only the start of a multi-byte character: nothing to show yet.
    if (text.isEmpty())
        out->removeLast();
}

void AnsiParser::flushDecoder(QList<AnsiEvent> *out)
{
    if (m_decoder.hasPendingBytes())
        m_decoder.flush(&textSpan(out));
}

void AnsiParser::emitPendingCarriageReturn(QList<AnsiEvent> *out)
{
    if (!m_pendingCarriageReturn)
        return;
    m_pendingCarriageReturn = false;
    out->append(AnsiEvent{AnsiEvent::CarriageReturn, {}});
}

void AnsiParser::applySgr()
{
    if (m_plainText)
        return;

    QVarLengthArray<SgrParam, 32> params;
    int value = -1;
    bool sub = false;
    for (const char c : std::as_const(m_csi)) {
        if (c >= '0' && c <= '9') {
            value = qMin((value < 0 ? 0 : value) * 10 + (c - '0'), MaxParamValue);
        } else if (c == ';' || c == ':') {
            params.append({value, sub});
            value = -1;
            sub = c == ':';
        } else {
            return; // private ("ESC[>4;2m" is modifyOtherKeys) or intermediate bytes: not SGR
        }
    }
    params.append({value, sub});

    TextStyle style = m_style;
    qsizetype i = 0;
    while (i < params.size()) {
        const int code = paramValue(params[i]);
        qsizetype next = i + 1; // the next parameter that is not a sub-parameter of this one
        while (next < params.size() && params[next].sub)
            ++next;
        const qsizetype subCount = next - i - 1;

        switch (code) {
        case 0:
            style = {};
            break;
        case 1:
            style.bold = true;
            break;
        case 2:
            style.dim = true;
            break;
        case 3:
            style.italic = true;
            break;
        case 4: // 4:0 is "no underline"; 4:1 to 4:5 are underline styles (curly, dotted ...)
            style.underline = subCount == 0 || paramValue(params[i + 1]) != 0;
            break;
        case 7:
            style.inverse = true;
            break;
        case 9:
            style.strike = true;
            break;
        case 21: // double underline
            style.underline = true;
            break;
        case 22:
            style.bold = style.dim = false;
            break;
        case 23:
            style.italic = false;
            break;
        case 24:
            style.underline = false;
            break;
        case 27:
            style.inverse = false;
            break;
        case 29:
            style.strike = false;
            break;
        case 39:
            style.fg = {};
            break;
        case 49:
            style.bg = {};
            break;
        case 38:
        case 48:
        case 58: { // 58 is the underline colour: parsed so its arguments are skipped, not kept
            std::optional<TextColor> color;
            if (subCount > 0) {
                color = colonFormColor(params.data() + i + 1, subCount);
            } else {
                qsizetype consumed = 0;
                color = semicolonFormColor(params.data() + i + 1, params.size() - i - 1, &consumed);
                next = i + 1 + consumed;
            }
            if (color && code == 38)
                style.fg = *color;
            else if (color && code == 48)
                style.bg = *color;
            break;
        }
        default:
            if (code >= 30 && code <= 37)
                style.fg = TextColor::indexed(code - 30);
            else if (code >= 40 && code <= 47)
                style.bg = TextColor::indexed(code - 40);
            else if (code >= 90 && code <= 97)
                style.fg = TextColor::indexed(code - 90 + 8);
            else if (code >= 100 && code <= 107)
                style.bg = TextColor::indexed(code - 100 + 8);
            // Blink, conceal, overline, fonts ...: no effect in a pane.
            break;
        }
        i = next;
    }
    m_style = style;
}

} // namespace Parallax

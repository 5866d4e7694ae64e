#include "styledlineassembler.h"

namespace Parallax {

QList<TextSpan> StyledLineAssembler::Line::spans() const
{
    QList<TextSpan> result;
    if (styleIndex.isEmpty()) {
        if (!text.isEmpty())
            result.append(TextSpan{text, TextStyle()});
        return result;
    }
    qsizetype start = 0;
    for (qsizetype i = 1; i <= text.size(); ++i) {
        if (i == text.size() || styleIndex[i] != styleIndex[start]) {
            result.append(TextSpan{text.mid(start, i - start), styles[styleIndex[start]]});
            start = i;
        }
    }
    return result;
}

StyledLineAssembler::StyledLineAssembler(bool plainText)
    : m_plainText(plainText)
{
    m_streams[0].line.stream = StreamType::Stdout;
    m_streams[1].line.stream = StreamType::Stderr;
}

void StyledLineAssembler::feed(StreamType stream, QByteArrayView bytes, const LineHandler &handler)
{
    StreamState &state = m_streams[stream == StreamType::Stderr ? 1 : 0];
    state.parser.feed(bytes, &m_events);
    apply(state, handler);
}

void StyledLineAssembler::finish(const LineHandler &handler)
{
    for (StreamState &state : m_streams) {
        state.parser.finish(&m_events);
        apply(state, handler);
        if (state.open)
            handOut(state, false, handler);
    }
}

void StyledLineAssembler::apply(StreamState &state, const LineHandler &handler)
{
    for (const AnsiEvent &event : std::as_const(m_events)) {
        switch (event.kind) {
        case AnsiEvent::Text:
            writeText(state, event.span, handler);
            break;
        case AnsiEvent::CarriageReturn:
            state.cursor = 0;
            state.open = true;
            break;
        case AnsiEvent::Newline:
            handOut(state, true, handler);
            break;
        }
    }
    m_events.clear();
}

void StyledLineAssembler::writeText(StreamState &state,
                                    const TextSpan &span,
                                    const LineHandler &handler)
{
    Line &line = state.line;
    quint16 index = 0;
    if (!m_plainText) {
        // Lines rarely have more than a handful of styles; the newest is the likeliest match.
        qsizetype found = -1;
        for (qsizetype i = line.styles.size() - 1; i >= 0; --i) {
            if (line.styles[i] == span.style) {
                found = i;
                break;
            }
        }
        if (found < 0 && line.styles.size() < 0xffff) {
            line.styles.append(span.style);
            found = line.styles.size() - 1;
        }
        index = quint16(found < 0 ? 0 : found);
    }
    const QString &text = span.text;
    qsizetype pos = 0;
    while (pos < text.size()) {
        if (state.cursor >= MaxLineChars) {
            const TextStyle style = m_plainText ? TextStyle() : line.styles.value(index);
            handOut(state, false, handler);
            if (!m_plainText) {
                line.styles.append(style);
                index = 0;
            }
        }
        const qsizetype count = qMin(text.size() - pos, MaxLineChars - state.cursor);
        const qsizetype overlap = qMin(count, line.text.size() - state.cursor);
        line.text.replace(state.cursor, overlap, text.constData() + pos, count);
        if (!m_plainText) {
            line.styleIndex.remove(state.cursor, overlap);
            line.styleIndex.insert(state.cursor, count, index);
        }
        state.cursor += count;
        pos += count;
        state.open = true;
    }
}

void StyledLineAssembler::handOut(StreamState &state, bool complete, const LineHandler &handler)
{
    state.line.complete = complete;
    handler(state.line);
    // resize(0) keeps the capacity: most lines are about as long as the one before.
    state.line.text.resize(0);
    state.line.styleIndex.resize(0);
    state.line.styles.resize(0);
    state.cursor = 0;
    state.open = false;
}

} // namespace Parallax

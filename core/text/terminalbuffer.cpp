#include "text/terminalbuffer.h"

#include <QChar>
#include <QRegularExpression>

#include <algorithm>

namespace Parallax {

namespace {

// East Asian Wide / Fullwidth blocks and the emoji that terminals draw two columns wide
// (Unicode's EastAsianWidth.txt, W and F, condensed to blocks; close enough for a pane).
struct Range
{
    char32_t first, last;
};

constexpr Range wideRanges[] = {
        {0x1100, 0x115f},   {0x231a, 0x231b},   {0x2329, 0x232a},   {0x23e9, 0x23ec},
        {0x23f0, 0x23f0},   {0x23f3, 0x23f3},   {0x25fd, 0x25fe},   {0x2614, 0x2615},
        {0x2648, 0x2653},   {0x267f, 0x267f},   {0x2693, 0x2693},   {0x26a1, 0x26a1},
        {0x26aa, 0x26ab},   {0x26bd, 0x26be},   {0x26c4, 0x26c5},   {0x26ce, 0x26ce},
        {0x26d4, 0x26d4},   {0x26ea, 0x26ea},   {0x26f2, 0x26f3},   {0x26f5, 0x26f5},
        {0x26fa, 0x26fa},   {0x26fd, 0x26fd},   {0x2705, 0x2705},   {0x270a, 0x270b},
        {0x2728, 0x2728},   {0x274c, 0x274c},   {0x274e, 0x274e},   {0x2753, 0x2755},
        {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27b0, 0x27b0},   {0x27bf, 0x27bf},
        {0x2b1b, 0x2b1c},   {0x2b50, 0x2b50},   {0x2b55, 0x2b55},   {0x2e80, 0x303e},
        {0x3041, 0x33ff},   {0x3400, 0x4dbf},   {0x4e00, 0x9fff},   {0xa000, 0xa4cf},
        {0xa960, 0xa97f},   {0xac00, 0xd7a3},   {0xf900, 0xfaff},   {0xfe10, 0xfe19},
        {0xfe30, 0xfe6f},   {0xff00, 0xff60},   {0xffe0, 0xffe6},   {0x16fe0, 0x16fe4},
        {0x17000, 0x18aff}, {0x1b000, 0x1b2ff}, {0x1f004, 0x1f004}, {0x1f0cf, 0x1f0cf},
        {0x1f18e, 0x1f18e}, {0x1f191, 0x1f19a}, {0x1f200, 0x1f251}, {0x1f300, 0x1f64f},
        {0x1f680, 0x1f6ff}, {0x1f7e0, 0x1f7eb}, {0x1f90c, 0x1f9ff}, {0x1fa70, 0x1faff},
        {0x20000, 0x2fffd}, {0x30000, 0x3fffd},
};

bool isWide(char32_t c)
{
    if (c < wideRanges[0].first)
        return false;
    const auto *it = std::upper_bound(
            std::begin(wideRanges), std::end(wideRanges), c, [](char32_t value, const Range &r) {
                return value < r.first;
            });
    return it != std::begin(wideRanges) && c <= (it - 1)->last;
}

bool allSingleWidth(QStringView text)
{
    for (const QChar c : text) {
        // Fast path for the common case; the full check is only for the rest.
        if (c.unicode() >= 0x300 && !TerminalBuffer::isSingleWidth(c))
            return false;
    }
    return true;
}

bool styleIsDefault(const TextStyle &style)
{
    return style == TextStyle{};
}

} // namespace

TextStyle TerminalBuffer::Line::styleAt(qsizetype pos) const
{
    return runs.isEmpty() ? TextStyle{} : runs.at(runIndexAt(pos)).style;
}

qsizetype TerminalBuffer::Line::runIndexAt(qsizetype pos) const
{
    const auto it = std::upper_bound(
            runs.cbegin(), runs.cend(), pos, [](qsizetype p, const StyleRun &run) {
                return p < run.start;
            });
    return it == runs.cbegin() ? 0 : (it - runs.cbegin()) - 1;
}

qsizetype TerminalBuffer::Line::runEnd(qsizetype runIndex) const
{
    return runIndex + 1 < runs.size() ? runs.at(runIndex + 1).start : text.size();
}

TerminalBuffer::TerminalBuffer(QObject *parent)
    : QObject(parent)
{}

TerminalBuffer::~TerminalBuffer() = default;

TerminalBuffer::StreamState &TerminalBuffer::stateFor(std::array<StreamState, 3> &states,
                                                      StreamType stream)
{
    switch (stream) {
    case StreamType::Stdout:
        return states[0];
    case StreamType::Stderr:
        return states[1];
    case StreamType::DaemonError:
        return states[2];
    }
    return states[0];
}

void TerminalBuffer::append(StreamType stream, QByteArrayView bytes, qint64 receiptMsecs)
{
    if (bytes.isEmpty())
        return;
    m_events.clear(); // keeps its capacity
    stateFor(m_streams, stream).parser.feed(bytes, &m_events);
    if (!m_events.isEmpty())
        apply(stream, receiptMsecs);
}

void TerminalBuffer::finish(qint64 receiptMsecs)
{
    for (StreamType stream : {StreamType::Stdout, StreamType::Stderr, StreamType::DaemonError}) {
        m_events.clear();
        stateFor(m_streams, stream).parser.finish(&m_events);
        if (!m_events.isEmpty())
            apply(stream, receiptMsecs);
    }
}

void TerminalBuffer::appendLines(const QList<Line> &lines)
{
    if (lines.isEmpty())
        return;
    for (StreamState &state : m_streams)
        closeLine(state);
    for (const Line &line : lines) {
        m_lines.push_back(line);
        m_maxLineLength = qMax(m_maxLineLength, line.text.size());
    }
    m_droppedInCall = 0;
    dropExcess();
    const qsizetype kept = qMin(lines.size(), lineCount());
    ++m_revision;
    emit changed(lineCount() - kept, kept, m_droppedInCall);
}

void TerminalBuffer::clear()
{
    m_lines.clear();
    for (StreamState &state : m_streams) {
        state.parser.reset();
        state.openLine = -1;
        state.cursor = 0;
    }
    m_dropped = 0;
    m_maxLineLength = 0;
    ++m_revision;
    emit cleared();
}

void TerminalBuffer::setMaxLines(qsizetype maxLines)
{
    m_maxLines = qMax<qsizetype>(1, maxLines);
    m_droppedInCall = 0;
    dropExcess();
    if (m_droppedInCall > 0) {
        ++m_revision;
        emit changed(lineCount(), 0, m_droppedInCall);
    }
}

void TerminalBuffer::apply(StreamType stream, qint64 receiptMsecs)
{
    const qint64 totalBefore = totalLinesSeen();
    m_appendedInCall = 0;
    m_droppedInCall = 0;
    m_touched = false;
    qint64 updatedLine = -1;

    StreamState &state = stateFor(m_streams, stream);
    for (const AnsiEvent &event : std::as_const(m_events)) {
        switch (event.kind) {
        case AnsiEvent::Text: {
            Line *line = openLine(state, stream, receiptMsecs);
            if (updatedLine < 0 && state.openLine < totalBefore)
                updatedLine = state.openLine;
            writeText(line, &state.cursor, event.span.text, event.span.style);
            m_touched = true;
            break;
        }
        case AnsiEvent::CarriageReturn:
            state.cursor = 0;
            break;
        case AnsiEvent::Newline:
            // A line feed on its own is an empty line.
            openLine(state, stream, receiptMsecs);
            closeLine(state);
            break;
        }
    }

    if (!m_touched && m_appendedInCall == 0 && m_droppedInCall == 0)
        return; // only a "\r" or nothing visible
    ++m_revision;
    qsizetype first;
    if (updatedLine >= m_dropped)
        first = qsizetype(updatedLine - m_dropped);
    else if (m_appendedInCall > 0)
        first = qsizetype(qMax(totalBefore, m_dropped) - m_dropped);
    else
        first = lineCount();
    emit changed(first, qsizetype(m_appendedInCall), qsizetype(m_droppedInCall));
}

TerminalBuffer::Line *
TerminalBuffer::openLine(StreamState &state, StreamType stream, qint64 receiptMsecs)
{
    if (state.openLine >= m_dropped)
        return &m_lines[size_t(state.openLine - m_dropped)];

    // No partial line, or it was dropped meanwhile (another stream flooded past it).
    Line line;
    line.receiptMsecs = receiptMsecs;
    line.stream = stream;
    m_lines.push_back(std::move(line));
    state.openLine = totalLinesSeen() - 1;
    state.cursor = 0;
    ++m_appendedInCall;
    // The new line is the newest, and maxLines() >= 1, so it survives; deque::pop_front()
    // leaves references to the other elements valid.
    dropExcess();
    return &m_lines.back();
}

void TerminalBuffer::closeLine(StreamState &state)
{
    if (state.openLine >= m_dropped) {
        Line &line = m_lines[size_t(state.openLine - m_dropped)];
        // Finished lines keep no slack: 100000 of them per pane add up.
        if (line.text.capacity() > line.text.size() + line.text.size() / 8 + 8)
            line.text.squeeze();
        if (line.runs.capacity() > line.runs.size())
            line.runs.squeeze();
    }
    state.openLine = -1;
    state.cursor = 0;
}

void TerminalBuffer::dropExcess()
{
    while (qsizetype(m_lines.size()) > m_maxLines) {
        m_lines.pop_front();
        ++m_dropped;
        ++m_droppedInCall;
    }
}

void TerminalBuffer::writeText(Line *line,
                               qint64 *cursor,
                               const QString &span,
                               const TextStyle &style)
{
    QStringView text = span;
    if (span.contains(QLatin1Char('\t'))) {
        // Tab stops are counted from the cursor's column, which is the character index here.
        m_expanded.resize(0);
        qint64 column = *cursor;
        for (const QChar c : span) {
            if (c == QLatin1Char('\t')) {
                const qint64 spaces = TabWidth - column % TabWidth;
                m_expanded.append(QString(qsizetype(spaces), QLatin1Char(' ')));
                column += spaces;
            } else {
                m_expanded.append(c);
                ++column;
            }
        }
        text = m_expanded;
    }

    const qint64 c = *cursor;
    const qint64 n = text.size();
    const qsizetype oldSize = line->text.size();
    const qint64 virtualEnd = qMax<qint64>(oldSize + line->hiddenChars, c + n);
    // The cursor never passes the stored text unless the text is full: below MaxLineChars,
    // c <= oldSize holds.
    if (c < MaxLineChars) {
        const qsizetype start = qsizetype(c);
        const qsizetype end = qsizetype(qMin<qint64>(c + n, MaxLineChars));
        const QStringView stored = text.first(end - start);
        if (line->singleWidth)
            line->singleWidth = allSingleWidth(stored);
        if (start == oldSize) {
            if (oldSize == 0 && stored.size() == span.size())
                line->text = span; // shares the parser's string: no copy
            else
                line->text.append(stored);
        } else {
            line->text.replace(start, qMin(end, oldSize) - start, stored.data(), stored.size());
        }
        applyStyle(line, start, end, oldSize, style);
        m_maxLineLength = qMax(m_maxLineLength, line->text.size());
    }
    line->hiddenChars = virtualEnd - line->text.size();
    *cursor = c + n;
}

void TerminalBuffer::applyStyle(
        Line *line, qsizetype start, qsizetype end, qsizetype oldSize, const TextStyle &style)
{
    QList<StyleRun> &runs = line->runs;
    if (start == oldSize) {
        // Appending at the end, by far the most common case: O(1).
        if (runs.isEmpty()) {
            if (styleIsDefault(style))
                return;
            if (oldSize > 0)
                runs.append(StyleRun{0, {}});
            runs.append(StyleRun{qint32(start), style});
        } else if (runs.constLast().style != style) {
            runs.append(StyleRun{qint32(start), style});
        }
        return;
    }

    // Overwriting after "\r": splice [start, end) into the runs. O(runs), like the text
    // replacement itself is O(text).
    if (runs.isEmpty()) {
        if (styleIsDefault(style))
            return;
        runs.append(StyleRun{0, {}});
    }
    const bool textFollows = end < oldSize;
    const TextStyle after = textFollows ? line->styleAt(end) : TextStyle{};
    const auto byStart = [](const StyleRun &run, qsizetype pos) {
        return run.start < pos;
    };
    const auto first = std::lower_bound(runs.begin(), runs.end(), start, byStart);
    const qsizetype index = first - runs.begin();
    const auto last = std::lower_bound(runs.begin() + index, runs.end(), end, byStart);
    runs.erase(runs.begin() + index, last);
    runs.insert(index, StyleRun{qint32(start), style});
    if (textFollows && (index + 1 == runs.size() || runs.at(index + 1).start != end))
        runs.insert(index + 1, StyleRun{qint32(end), after});

    // Neighbours in the same style merge, and all-default needs no runs at all.
    qsizetype out = 1;
    for (qsizetype i = 1; i < runs.size(); ++i) {
        if (runs.at(i).style != runs.at(out - 1).style)
            runs[out++] = runs.at(i);
    }
    runs.resize(out);
    if (runs.size() == 1 && styleIsDefault(runs.constFirst().style))
        runs.clear();
}

QString TerminalBuffer::truncationSuffix(qint64 hiddenChars)
{
    return QStringLiteral(" \u2026 (%1 more characters in the transcript)").arg(hiddenChars);
}

QList<TerminalBuffer::Match> TerminalBuffer::find(const QString &pattern,
                                                  FindFlags flags,
                                                  qsizetype from,
                                                  qsizetype to,
                                                  qsizetype limit) const
{
    QList<Match> matches;
    if (pattern.isEmpty() || limit == 0)
        return matches;
    from = qMax<qsizetype>(0, from);
    to = to < 0 ? lineCount() : qMin(to, lineCount());
    const Qt::CaseSensitivity cs
            = flags.testFlag(CaseSensitive) ? Qt::CaseSensitive : Qt::CaseInsensitive;
    const auto full = [&] {
        return limit >= 0 && matches.size() >= limit;
    };

    if (flags.testFlag(RegularExpression)) {
        QRegularExpression re(pattern,
                              cs == Qt::CaseSensitive ? QRegularExpression::NoPatternOption
                                                      : QRegularExpression::CaseInsensitiveOption);
        if (!re.isValid())
            return matches;
        re.optimize();
        for (qsizetype i = from; i < to && !full(); ++i) {
            const QString &text = line(i).text;
            if (text.isEmpty())
                continue;
            auto it = re.globalMatch(text);
            while (it.hasNext() && !full()) {
                const QRegularExpressionMatch m = it.next();
                if (m.capturedLength() > 0)
                    matches.append({i, m.capturedStart(), m.capturedLength()});
            }
        }
        return matches;
    }

    for (qsizetype i = from; i < to && !full(); ++i) {
        const QStringView text = line(i).text;
        qsizetype pos = 0;
        while (!full() && (pos = text.indexOf(pattern, pos, cs)) >= 0) {
            matches.append({i, pos, pattern.size()});
            pos += pattern.size();
        }
    }
    return matches;
}

QString TerminalBuffer::patternError(const QString &pattern, FindFlags flags)
{
    if (!flags.testFlag(RegularExpression) || pattern.isEmpty())
        return {};
    const QRegularExpression re(pattern);
    return re.isValid() ? QString() : re.errorString();
}

int TerminalBuffer::columnWidth(char32_t c)
{
    if (c < 0x300)
        return c == 0xad ? 1 : (c < 0x20 ? 0 : 1);
    const QChar::Category category = QChar::category(c);
    if (category == QChar::Mark_NonSpacing || category == QChar::Mark_Enclosing
        || category == QChar::Other_Format) {
        return 0;
    }
    return isWide(c) ? 2 : 1;
}

bool TerminalBuffer::isSingleWidth(QChar c)
{
    const char16_t u = c.unicode();
    if (u < 0x0300)
        return u >= 0x20 || u == '\t';
    if (u >= 0x0370 && u < 0x0530) // Greek, Cyrillic (minus its combining marks)
        return u < 0x0483 || u > 0x0489;
    if ((u >= 0x2010 && u <= 0x2027) || (u >= 0x2030 && u <= 0x205e))
        return true; // punctuation: dashes, quotes, bullets, ellipsis
    if ((u >= 0x2070 && u <= 0x20cf) || (u >= 0x2100 && u <= 0x214f))
        return true;                // super- and subscripts, currency, letterlike symbols
    if (u >= 0x2190 && u <= 0x23ff) // arrows, mathematical operators, technical
        return !isWide(u);
    if (u >= 0x2500 && u <= 0x27bf) // box drawing, blocks, shapes, symbols, dingbats
        return !isWide(u);
    if (u >= 0x2800 && u <= 0x28ff) // Braille, the spinners' favourite
        return true;
    return false;
}

} // namespace Parallax

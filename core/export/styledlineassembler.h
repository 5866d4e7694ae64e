#pragma once

#include "text/ansiparser.h"
#include "text/textstyle.h"
#include "util/streamtype.h"

#include <QByteArrayView>
#include <QList>
#include <QString>

#include <array>
#include <functional>

namespace Parallax {

// Turns the interleaved chunks of a transcript's two streams into finished lines, for exports
// that stream a transcript from disk. Each stream has its own AnsiParser and its own open line,
// as in a pane: "\r" moves back to column 0 and later text overwrites (a progress bar keeps its
// final state), "\n" ends the line, which is then handed to the callback and forgotten. Lines
// come out in the order they end. Bounded: a line longer than MaxLineChars is handed out in
// pieces of that size (Line::complete false), so one huge line cannot grow without limit.
// Owned by one export; any one thread.
class StyledLineAssembler
{
public:
    static constexpr qsizetype MaxLineChars = 256 * 1024;

    struct Line
    {
        StreamType stream = StreamType::Stdout;
        QString text;              // escape sequences and control characters removed
        QList<quint16> styleIndex; // per UTF-16 unit, into styles (empty in plain mode)
        QList<TextStyle> styles;   // the distinct styles of this line (empty in plain mode)
        bool complete = false;     // ended by "\n" (false: cut at MaxLineChars or stream end)

        QList<TextSpan> spans() const; // runs of equal style, in order
    };
    using LineHandler = std::function<void(const Line &)>;

    // plainText: styles are not tracked (text, Markdown); otherwise lines carry their styles.
    explicit StyledLineAssembler(bool plainText);

    void feed(StreamType stream, QByteArrayView bytes, const LineHandler &handler);
    // End of both streams: whatever the parsers hold and the open lines are handed out.
    void finish(const LineHandler &handler);

private:
    struct StreamState
    {
        AnsiParser parser;
        Line line;
        qsizetype cursor = 0;
        bool open = false; // the line has received something since it was last handed out
    };

    void apply(StreamState &state, const LineHandler &handler);
    void writeText(StreamState &state, const TextSpan &span, const LineHandler &handler);
    static void handOut(StreamState &state, bool complete, const LineHandler &handler);

    std::array<StreamState, 2> m_streams;
    QList<AnsiEvent> m_events; // reused between calls
    bool m_plainText;
};

} // namespace Parallax

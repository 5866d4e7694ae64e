#pragma once

#include "text/ansiparser.h"
#include "text/textstyle.h"
#include "util/streamtype.h"

#include <QByteArrayView>
#include <QFlags>
#include <QList>
#include <QObject>
#include <QString>

#include <array>
#include <deque>

namespace Parallax {

// The text model behind one output pane: the styled lines an agent's container wrote, built
// incrementally from raw stream bytes. Every stream (stdout, stderr, daemon errors) has its own
// AnsiParser and its own open (partial) line, so escape and UTF-8 state never leak between
// streams and a stderr line arriving in the middle of a stdout line does not split it: the
// partial line stays where its first byte put it and is completed in place. "\r" moves back to
// column 0 of the stream's open line and later text overwrites (progress bars); "\n" ends it.
// A partial last line is visible at once.
//
// Bounded: beyond maxLines() the oldest lines are dropped (the full transcript lives on disk)
// and counted in droppedLines(); a single line keeps at most MaxLineChars characters and counts
// the rest in Line::hiddenChars. Appending costs amortised O(bytes). Tabs are expanded to spaces
// (stops every TabWidth columns) when stored, so a character index is a column on simple lines.
//
// Owned by the pane (OutputView creates one unless given a shared one); GUI thread, or any one
// thread, since it is not thread-safe. Readers learn about changes from changed() and
// revision(); a view batches them and repaints on its own frame timer.
class TerminalBuffer : public QObject
{
    Q_OBJECT

public:
    static constexpr qsizetype DefaultMaxLines = 100000;
    static constexpr qsizetype MaxLineChars = 256 * 1024;
    static constexpr int TabWidth = 8;

    // Text from `start` up to the next run's start (or the end of the line) has `style`.
    struct StyleRun
    {
        qint32 start = 0;
        TextStyle style;

        bool operator==(const StyleRun &) const = default;
    };

    struct Line
    {
        QString text;            // at most MaxLineChars characters, tabs expanded
        QList<StyleRun> runs;    // empty: all in the default style; else runs[0].start == 0
        qint64 receiptMsecs = 0; // when the line's first byte arrived (ms since the epoch)
        qint64 hiddenChars = 0;  // characters written beyond MaxLineChars, not stored
        StreamType stream = StreamType::Stdout;
        // Every character takes exactly one terminal column (ASCII, Latin, Greek, Cyrillic, box
        // drawing, Braille ...): a view can map columns to characters without measuring.
        bool singleWidth = true;

        TextStyle styleAt(qsizetype pos) const;
        // Index into runs of the run covering pos (0 when runs is empty).
        qsizetype runIndexAt(qsizetype pos) const;
        qsizetype runEnd(qsizetype runIndex) const;
    };

    struct Match
    {
        qsizetype line = 0; // index into the buffer at the time of find()
        qsizetype start = 0;
        qsizetype length = 0;

        bool operator==(const Match &) const = default;
    };

    enum FindFlag {
        PlainText = 0x0,
        RegularExpression = 0x1,
        CaseSensitive = 0x2,
    };
    Q_DECLARE_FLAGS(FindFlags, FindFlag)

    explicit TerminalBuffer(QObject *parent = nullptr);
    ~TerminalBuffer() override;

    // Parses and stores bytes of one stream, received at receiptMsecs (ms since the epoch).
    void append(StreamType stream, QByteArrayView bytes, qint64 receiptMsecs);
    // End of all streams: flushes what the parsers hold back (a partial UTF-8 character, a "\r").
    void finish(qint64 receiptMsecs);
    // Appends finished lines made elsewhere (a comparison's aligned rows), after closing every
    // stream's open line; one changed() for all of them.
    void appendLines(const QList<Line> &lines);
    // Forgets all lines and parser state; the counters start again at 0.
    void clear();

    void setMaxLines(qsizetype maxLines); // at least 1; drops lines at once if needed
    qsizetype maxLines() const { return m_maxLines; }

    qsizetype lineCount() const { return qsizetype(m_lines.size()); }
    const Line &line(qsizetype index) const { return m_lines[size_t(index)]; }
    // Line numbers count every line since the start (or clear()): line(i) is line number
    // firstLineNumber() + i. Stable while lines are dropped, so views anchor on them.
    qint64 firstLineNumber() const { return m_dropped; }
    qint64 totalLinesSeen() const { return m_dropped + qint64(m_lines.size()); }
    qint64 droppedLines() const { return m_dropped; }
    // The longest line held so far, in stored characters (not lowered when lines are dropped).
    qsizetype maxLineLength() const { return m_maxLineLength; }
    // Increases with every change (each changed() signal, clear(), setMaxLines()).
    quint64 revision() const { return m_revision; }

    // The text a view shows after a line that lost characters to MaxLineChars.
    static QString truncationSuffix(qint64 hiddenChars);

    // Non-overlapping matches of pattern in lines [from, to) (to -1: the end), in order, at most
    // `limit` of them (-1: all). Empty matches of a regular expression are skipped. An empty
    // or invalid pattern finds nothing; patternError() says what is wrong with it.
    QList<Match> find(const QString &pattern,
                      FindFlags flags,
                      qsizetype from = 0,
                      qsizetype to = -1,
                      qsizetype limit = -1) const;
    static QString patternError(const QString &pattern, FindFlags flags);

    // How many terminal columns a character takes: 0 for combining marks and zero-width
    // characters, 2 for East Asian wide characters and emoji, 1 otherwise.
    static int columnWidth(char32_t c);
    static bool isSingleWidth(QChar c);

signals:
    // After an append()/finish()/setMaxLines() that changed anything. Only two kinds of lines
    // change in one call: firstChangedLine (an index after dropping: the stream's partial line,
    // or else the first new line; lineCount() if no line changed) and the linesAppended newest
    // lines (fewer may be left if one call brought more than maxLines()). linesDropped lines
    // left the front.
    void changed(qsizetype firstChangedLine, qsizetype linesAppended, qsizetype linesDropped);
    void cleared();

private:
    struct StreamState
    {
        AnsiParser parser;
        qint64 openLine = -1; // line number of the stream's partial line, -1 if none
        qint64 cursor = 0;    // column in that line where the next text goes
    };

    void apply(StreamType stream, qint64 receiptMsecs);
    Line *openLine(StreamState &state, StreamType stream, qint64 receiptMsecs);
    void closeLine(StreamState &state);
    void writeText(Line *line, qint64 *cursor, const QString &span, const TextStyle &style);
    static void applyStyle(
            Line *line, qsizetype start, qsizetype end, qsizetype oldSize, const TextStyle &style);
    void dropExcess();
    static StreamState &stateFor(std::array<StreamState, 3> &states, StreamType stream);

    std::deque<Line> m_lines;
    std::array<StreamState, 3> m_streams;
    QList<AnsiEvent> m_events; // reused between calls
    QString m_expanded;        // scratch for tab expansion
    qint64 m_dropped = 0;
    qint64 m_droppedInCall = 0;
    qint64 m_appendedInCall = 0;
    bool m_touched = false;
    qsizetype m_maxLines = DefaultMaxLines;
    qsizetype m_maxLineLength = 0;
    quint64 m_revision = 0;
};

Q_DECLARE_OPERATORS_FOR_FLAGS(TerminalBuffer::FindFlags)

} // namespace Parallax

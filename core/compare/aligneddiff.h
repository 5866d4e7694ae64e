#pragma once

#include "compare/linediff.h"

#include <QList>

#include <vector>

namespace Parallax {

class TerminalBuffer;

// Two texts laid out for a side-by-side view: rows that pair a line of the left text with a
// line of the right one (or with a filler gap), so that the two panes scroll together row for
// row. Lines are matched with LineDiff (ANSI codes and timestamps ignored). Aligned by
// content, equal lines share a row and a changed stretch pairs its removed and added lines;
// aligned by time, lines keep the order they arrived in on a common clock that starts at each
// side's own start, lines closer than `toleranceMs` share a row, and each line still carries
// whether the content diff matched it. A value computed once; any thread.
class AlignedDiff
{
public:
    enum class Align { Content, Time };
    enum class Mark : quint8 { Same, Changed, Filler };

    struct Row
    {
        qsizetype left = -1;  // line index in the left text, -1 for a filler
        qsizetype right = -1; // line index in the right text, -1 for a filler
        Mark leftMark = Mark::Filler;
        Mark rightMark = Mark::Filler;

        bool changed() const { return leftMark == Mark::Changed || rightMark == Mark::Changed; }
    };

    struct Side
    {
        QStringList lines;
        std::vector<qint64> msecs; // receipt time of each line (Time alignment), may be empty
        qint64 startMsecs = -1;    // the side's time zero; -1: its first line's time
    };

    static constexpr qint64 DefaultToleranceMs = 250;

    AlignedDiff() = default;
    AlignedDiff(const Side &left,
                const Side &right,
                Align align,
                qint64 toleranceMs = DefaultToleranceMs,
                qsizetype costLimit = LineDiff::DefaultCostLimit);
    // The lines a TerminalBuffer holds, with their receipt times.
    static Side sideOf(const TerminalBuffer &buffer, qint64 startMsecs = -1);

    Align align() const { return m_align; }
    const std::vector<Row> &rows() const { return m_rows; }
    const QList<LineDiff::Op> &ops() const { return m_ops; }
    // The first row of each stretch of changed rows, in order.
    const QList<qsizetype> &differences() const { return m_differences; }
    // Index into differences() of the stretch that starts after `row` (next) or before it
    // (previous); -1 when there is none.
    int nextDifference(qsizetype row) const;
    int previousDifference(qsizetype row) const;

    qsizetype sameLines() const { return m_same; }
    qsizetype removedLines() const { return m_removed; } // left lines the right text lacks
    qsizetype addedLines() const { return m_added; }     // right lines the left text lacks
    bool identical() const { return m_removed == 0 && m_added == 0; }

private:
    void alignByContent(qsizetype leftCount, qsizetype rightCount);
    void alignByTime(const Side &left, const Side &right, qint64 toleranceMs);
    void findDifferences();

    Align m_align = Align::Content;
    QList<LineDiff::Op> m_ops;
    std::vector<Row> m_rows;
    QList<qsizetype> m_differences;
    qsizetype m_same = 0;
    qsizetype m_removed = 0;
    qsizetype m_added = 0;
};

} // namespace Parallax

#include "compare/aligneddiff.h"

#include "text/terminalbuffer.h"

#include <algorithm>

namespace Parallax {

AlignedDiff::AlignedDiff(
        const Side &left, const Side &right, Align align, qint64 toleranceMs, qsizetype costLimit)
    : m_align(align)
{
    m_ops = LineDiff::compare(left.lines, right.lines, costLimit);
    for (const LineDiff::Op &op : std::as_const(m_ops)) {
        if (op.kind == LineDiff::Kind::Equal)
            m_same += op.count;
        else if (op.kind == LineDiff::Kind::Delete)
            m_removed += op.count;
        else
            m_added += op.count;
    }
    if (align == Align::Time)
        alignByTime(left, right, toleranceMs);
    else
        alignByContent(left.lines.size(), right.lines.size());
    findDifferences();
}

AlignedDiff::Side AlignedDiff::sideOf(const TerminalBuffer &buffer, qint64 startMsecs)
{
    Side side;
    side.startMsecs = startMsecs;
    side.lines.reserve(buffer.lineCount());
    side.msecs.reserve(size_t(buffer.lineCount()));
    for (qsizetype i = 0; i < buffer.lineCount(); ++i) {
        side.lines.append(buffer.line(i).text);
        side.msecs.push_back(buffer.line(i).receiptMsecs);
    }
    return side;
}

void AlignedDiff::alignByContent(qsizetype leftCount, qsizetype rightCount)
{
    m_rows.reserve(size_t(qMax(leftCount, rightCount)));
    for (qsizetype i = 0; i < m_ops.size(); ++i) {
        const LineDiff::Op &op = m_ops[i];
        if (op.kind == LineDiff::Kind::Equal) {
            for (qsizetype k = 0; k < op.count; ++k)
                m_rows.push_back({op.aStart + k, op.bStart + k, Mark::Same, Mark::Same});
            continue;
        }
        // A changed stretch is a run of deletions and insertions between two equal runs: pair
        // them row by row, the longer side's rest against fillers.
        qsizetype removedStart = -1, removedCount = 0, addedStart = -1, addedCount = 0;
        for (; i < m_ops.size() && m_ops[i].kind != LineDiff::Kind::Equal; ++i) {
            const LineDiff::Op &change = m_ops[i];
            if (change.kind == LineDiff::Kind::Delete) {
                if (removedStart < 0)
                    removedStart = change.aStart;
                removedCount += change.count;
            } else {
                if (addedStart < 0)
                    addedStart = change.bStart;
                addedCount += change.count;
            }
        }
        --i; // the loop's own increment moves on to the equal run
        for (qsizetype k = 0; k < qMax(removedCount, addedCount); ++k) {
            Row row;
            if (k < removedCount) {
                row.left = removedStart + k;
                row.leftMark = Mark::Changed;
            }
            if (k < addedCount) {
                row.right = addedStart + k;
                row.rightMark = Mark::Changed;
            }
            m_rows.push_back(row);
        }
    }
}

void AlignedDiff::alignByTime(const Side &left, const Side &right, qint64 toleranceMs)
{
    // Which lines the content diff matched, per side.
    std::vector<bool> leftSame(size_t(left.lines.size()), false);
    std::vector<bool> rightSame(size_t(right.lines.size()), false);
    for (const LineDiff::Op &op : std::as_const(m_ops)) {
        if (op.kind != LineDiff::Kind::Equal)
            continue;
        std::fill(leftSame.begin() + op.aStart, leftSame.begin() + op.aStart + op.count, true);
        std::fill(rightSame.begin() + op.bStart, rightSame.begin() + op.bStart + op.count, true);
    }
    const auto timeOf = [](const Side &side, qsizetype i) -> qint64 {
        if (size_t(i) >= side.msecs.size())
            return i; // no times: one millisecond per line keeps the order
        const qint64 zero = side.startMsecs >= 0 ? side.startMsecs
                                                 : (side.msecs.empty() ? 0 : side.msecs.front());
        return side.msecs[size_t(i)] - zero;
    };
    const qsizetype n = left.lines.size();
    const qsizetype m = right.lines.size();
    m_rows.reserve(size_t(qMax(n, m)));
    qsizetype i = 0;
    qsizetype j = 0;
    while (i < n || j < m) {
        Row row;
        const bool takeLeft
                = i < n && (j >= m || timeOf(left, i) <= timeOf(right, j) + toleranceMs);
        const bool takeRight
                = j < m && (i >= n || timeOf(right, j) <= timeOf(left, i) + toleranceMs);
        if (takeLeft) {
            row.left = i;
            row.leftMark = leftSame[size_t(i)] ? Mark::Same : Mark::Changed;
            ++i;
        }
        if (takeRight) {
            row.right = j;
            row.rightMark = rightSame[size_t(j)] ? Mark::Same : Mark::Changed;
            ++j;
        }
        m_rows.push_back(row);
    }
}

void AlignedDiff::findDifferences()
{
    bool inside = false;
    for (size_t row = 0; row < m_rows.size(); ++row) {
        const bool changed = m_rows[row].changed();
        if (changed && !inside)
            m_differences.append(qsizetype(row));
        inside = changed;
    }
}

int AlignedDiff::nextDifference(qsizetype row) const
{
    const auto it = std::upper_bound(m_differences.cbegin(), m_differences.cend(), row);
    return it == m_differences.cend() ? -1 : int(it - m_differences.cbegin());
}

int AlignedDiff::previousDifference(qsizetype row) const
{
    const auto it = std::lower_bound(m_differences.cbegin(), m_differences.cend(), row);
    return it == m_differences.cbegin() ? -1 : int(it - m_differences.cbegin()) - 1;
}

} // namespace Parallax

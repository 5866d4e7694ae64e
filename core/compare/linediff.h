#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringView>

#include <vector>

namespace Parallax {

// A line diff: the shortest edit script between two sequences of lines (Myers' O(ND)
// algorithm in its linear-space, divide-and-conquer form, after stripping common prefixes and
// suffixes). Lines are compared after normalize(): ANSI codes are already gone from the text
// a TerminalBuffer holds, so what is left to ignore is the timestamps agents print and
// trailing blanks. A search whose edit distance passes `costLimit` stops and reports that
// stretch as replaced wholesale, so two unrelated 100k-line transcripts still compare in
// milliseconds (GNU diff's "too expensive" heuristic, simplified). Pure; any thread.
class LineDiff
{
public:
    enum class Kind { Equal, Delete, Insert };

    // Equal: a[aStart, aStart+count) matches b[bStart, bStart+count). Delete: a's lines
    // [aStart, aStart+count) are not in b (bStart: where they would be). Insert: b's lines
    // [bStart, bStart+count) are not in a.
    struct Op
    {
        Kind kind = Kind::Equal;
        qsizetype aStart = 0;
        qsizetype bStart = 0;
        qsizetype count = 0;

        bool operator==(const Op &) const = default;
    };

    static constexpr qsizetype DefaultCostLimit = 4096;

    // Lines equal after normalize() compare equal.
    static QList<Op>
    compare(const QStringList &a, const QStringList &b, qsizetype costLimit = DefaultCostLimit);
    // The same over lines already reduced to ids (equal ids: equal lines).
    static QList<Op> compareIds(const std::vector<quint32> &a,
                                const std::vector<quint32> &b,
                                qsizetype costLimit = DefaultCostLimit);

    // The line as the comparison sees it: timestamps (2026-11-24T10:00:00.123Z, 10:00:00,
    // 10:00:00.5) replaced by one placeholder, trailing whitespace removed.
    static QString normalize(QStringView line);
};

// Turns lines into ids for LineDiff::compareIds, equal ids for lines equal after
// LineDiff::normalize(). Use one interner for both sides of a comparison.
class LineInterner
{
public:
    quint32 id(QStringView line);

private:
    QHash<QString, quint32> m_ids;
};

} // namespace Parallax

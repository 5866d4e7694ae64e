#include "compare/linediff.h"

#include <QRegularExpression>

#include <algorithm>

namespace Parallax {

namespace {

// Marks changed lines on both sides; LineDiff::Op lists are built from the marks afterwards,
// since the lines left unmarked on the two sides correspond one to one, in order.
class Differ
{
public:
    Differ(const std::vector<quint32> &a, const std::vector<quint32> &b, qsizetype costLimit)
        : m_a(a)
        , m_b(b)
        , m_changedA(a.size(), false)
        , m_changedB(b.size(), false)
        , m_costLimit(qMax<qsizetype>(1, costLimit))
    {}

    void run()
    {
        // An explicit stack rather than recursion: a long chain of splits must not exhaust the
        // thread's stack.
        std::vector<Range> stack{{0, qsizetype(m_a.size()), 0, qsizetype(m_b.size())}};
        while (!stack.empty()) {
            Range r = stack.back();
            stack.pop_back();
            while (r.x0 < r.x1 && r.y0 < r.y1 && m_a[size_t(r.x0)] == m_b[size_t(r.y0)]) {
                ++r.x0;
                ++r.y0;
            }
            while (r.x0 < r.x1 && r.y0 < r.y1 && m_a[size_t(r.x1 - 1)] == m_b[size_t(r.y1 - 1)]) {
                --r.x1;
                --r.y1;
            }
            if (r.x0 == r.x1 || r.y0 == r.y1) {
                markAll(r);
                continue;
            }
            qsizetype xs = 0;
            qsizetype ys = 0;
            if (!bisect(r, &xs, &ys)) {
                markAll(r); // nothing in common, or too expensive to find out
                continue;
            }
            stack.push_back({xs, r.x1, ys, r.y1});
            stack.push_back({r.x0, xs, r.y0, ys});
        }
    }

    QList<LineDiff::Op> ops() const
    {
        QList<LineDiff::Op> result;
        const auto add = [&result](LineDiff::Kind kind, qsizetype a, qsizetype b) {
            if (!result.isEmpty() && result.last().kind == kind) {
                ++result.last().count;
                return;
            }
            result.append({kind, a, b, 1});
        };
        const qsizetype n = qsizetype(m_a.size());
        const qsizetype m = qsizetype(m_b.size());
        qsizetype i = 0;
        qsizetype j = 0;
        while (i < n || j < m) {
            if (i < n && m_changedA[size_t(i)]) {
                add(LineDiff::Kind::Delete, i, j);
                ++i;
            } else if (j < m && m_changedB[size_t(j)]) {
                add(LineDiff::Kind::Insert, i, j);
                ++j;
            } else {
                // Unchanged on both sides: they pair up (the counts of unchanged lines agree).
                Q_ASSERT(i < n && j < m);
                add(LineDiff::Kind::Equal, i, j);
                ++i;
                ++j;
            }
        }
        return result;
    }

private:
    struct Range
    {
        qsizetype x0, x1, y0, y1;
    };

    void markAll(const Range &r)
    {
        std::fill(m_changedA.begin() + r.x0, m_changedA.begin() + r.x1, true);
        std::fill(m_changedB.begin() + r.y0, m_changedB.begin() + r.y1, true);
    }

    // Myers' middle snake, searched from both ends at once (the shape of diff-match-patch's
    // bisect): finds a point on a shortest edit path, or false when the two ranges share nothing
    // or the edit distance exceeds the cost limit.
    bool bisect(const Range &r, qsizetype *xs, qsizetype *ys)
    {
        const qsizetype n = r.x1 - r.x0;
        const qsizetype m = r.y1 - r.y0;
        const qsizetype maxD = qMin((n + m + 1) / 2, m_costLimit);
        const qsizetype offset = maxD + 1;
        const qsizetype length = 2 * maxD + 3;
        m_v1.assign(size_t(length), -1);
        m_v2.assign(size_t(length), -1);
        m_v1[size_t(offset + 1)] = 0;
        m_v2[size_t(offset + 1)] = 0;
        const qsizetype delta = n - m;
        const bool front = (delta % 2) != 0;
        const quint32 *a = m_a.data() + r.x0;
        const quint32 *b = m_b.data() + r.y0;
        qsizetype k1start = 0, k1end = 0, k2start = 0, k2end = 0;
        for (qsizetype d = 0; d < maxD; ++d) {
            for (qsizetype k1 = -d + k1start; k1 <= d - k1end; k1 += 2) {
                const qsizetype k1o = offset + k1;
                qsizetype x1
                        = (k1 == -d || (k1 != d && m_v1[size_t(k1o - 1)] < m_v1[size_t(k1o + 1)]))
                                  ? m_v1[size_t(k1o + 1)]
                                  : m_v1[size_t(k1o - 1)] + 1;
                qsizetype y1 = x1 - k1;
                while (x1 < n && y1 < m && a[x1] == b[y1]) {
                    ++x1;
                    ++y1;
                }
                m_v1[size_t(k1o)] = x1;
                if (x1 > n) {
                    k1end += 2;
                } else if (y1 > m) {
                    k1start += 2;
                } else if (front) {
                    const qsizetype k2o = offset + delta - k1;
                    if (k2o >= 0 && k2o < length && m_v2[size_t(k2o)] != -1
                        && x1 >= n - m_v2[size_t(k2o)]) {
                        *xs = r.x0 + x1;
                        *ys = r.y0 + y1;
                        return true;
                    }
                }
            }
            for (qsizetype k2 = -d + k2start; k2 <= d - k2end; k2 += 2) {
                const qsizetype k2o = offset + k2;
                qsizetype x2
                        = (k2 == -d || (k2 != d && m_v2[size_t(k2o - 1)] < m_v2[size_t(k2o + 1)]))
                                  ? m_v2[size_t(k2o + 1)]
                                  : m_v2[size_t(k2o - 1)] + 1;
                qsizetype y2 = x2 - k2;
                while (x2 < n && y2 < m && a[n - x2 - 1] == b[m - y2 - 1]) {
                    ++x2;
                    ++y2;
                }
                m_v2[size_t(k2o)] = x2;
                if (x2 > n) {
                    k2end += 2;
                } else if (y2 > m) {
                    k2start += 2;
                } else if (!front) {
                    const qsizetype k1o = offset + delta - k2;
                    if (k1o >= 0 && k1o < length && m_v1[size_t(k1o)] != -1) {
                        const qsizetype x1 = m_v1[size_t(k1o)];
                        const qsizetype y1 = offset + x1 - k1o;
                        if (x1 >= n - x2) {
                            *xs = r.x0 + x1;
                            *ys = r.y0 + y1;
                            return true;
                        }
                    }
                }
            }
        }
        return false;
    }

    const std::vector<quint32> &m_a;
    const std::vector<quint32> &m_b;
    std::vector<bool> m_changedA;
    std::vector<bool> m_changedB;
    std::vector<qsizetype> m_v1;
    std::vector<qsizetype> m_v2;
    qsizetype m_costLimit;
};

} // namespace

QList<LineDiff::Op> LineDiff::compareIds(const std::vector<quint32> &a,
                                         const std::vector<quint32> &b,
                                         qsizetype costLimit)
{
    Differ differ(a, b, costLimit);
    differ.run();
    return differ.ops();
}

QList<LineDiff::Op>
LineDiff::compare(const QStringList &a, const QStringList &b, qsizetype costLimit)
{
    LineInterner interner;
    std::vector<quint32> ia;
    std::vector<quint32> ib;
    ia.reserve(size_t(a.size()));
    ib.reserve(size_t(b.size()));
    for (const QString &line : a)
        ia.push_back(interner.id(line));
    for (const QString &line : b)
        ib.push_back(interner.id(line));
    return compareIds(ia, ib, costLimit);
}

QString LineDiff::normalize(QStringView line)
{
    qsizetype end = line.size();
    while (end > 0 && line[end - 1].isSpace())
        --end;
    line = line.first(end);
    // Every timestamp shape below has a digit, a colon and a digit: most lines skip the regex.
    bool clock = false;
    for (qsizetype i = 1; i + 1 < line.size() && !clock; ++i)
        clock = line[i] == QLatin1Char(':') && line[i - 1].isDigit() && line[i + 1].isDigit();
    if (!clock)
        return line.toString();
    static const QRegularExpression timestamp(QStringLiteral(
            R"((?:\d{4}-\d{2}-\d{2}[T ]|\b)\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2}\b)?)"));
    QString result = line.toString();
    result.replace(timestamp, QStringLiteral("<time>"));
    return result;
}

quint32 LineInterner::id(QStringView line)
{
    const QString key = LineDiff::normalize(line);
    const auto it = m_ids.constFind(key);
    if (it != m_ids.constEnd())
        return it.value();
    const quint32 next = quint32(m_ids.size());
    m_ids.insert(key, next);
    return next;
}

} // namespace Parallax

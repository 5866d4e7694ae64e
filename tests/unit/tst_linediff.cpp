// Unit tests of the compare view's line diff (LineDiff) and its side-by-side alignment
// (AlignedDiff): known inputs with known edit scripts, minimality against a dynamic-programming
// reference on random inputs, the cost limit's fallback, what normalisation ignores (timestamps,
// trailing blanks; ANSI codes through TerminalBuffer), rows by content and by time, and
// difference navigation.

#include "compare/aligneddiff.h"
#include "compare/linediff.h"
#include "text/terminalbuffer.h"
#include "util/difflines.h"

#include <QRandomGenerator>
#include <QTest>

#include <vector>

using namespace Parallax;

namespace {

QStringList chars(const char *text)
{
    QStringList lines;
    for (const char *c = text; *c; ++c)
        lines.append(QString(QLatin1Char(*c)));
    return lines;
}

// "=2 -1 +1 =3": the script in a compact form that reads like the test data.
QString script(const QList<LineDiff::Op> &ops)
{
    QStringList parts;
    for (const LineDiff::Op &op : ops) {
        const char sign = op.kind == LineDiff::Kind::Equal    ? '='
                          : op.kind == LineDiff::Kind::Delete ? '-'
                                                              : '+';
        parts.append(QStringLiteral("%1%2").arg(QLatin1Char(sign)).arg(op.count));
    }
    return parts.join(QLatin1Char(' '));
}

// Checks that the ops walk both sequences exactly once, in order, and that Equal ops pair
// equal lines; returns the number of deleted plus inserted lines.
qsizetype checkScript(const std::vector<quint32> &a,
                      const std::vector<quint32> &b,
                      const QList<LineDiff::Op> &ops,
                      QString *problem)
{
    qsizetype i = 0, j = 0, edits = 0;
    for (const LineDiff::Op &op : ops) {
        if (op.count <= 0 || op.aStart != i || op.bStart != j) {
            *problem = QStringLiteral("op out of place at a=%1 b=%2").arg(i).arg(j);
            return -1;
        }
        if (op.kind == LineDiff::Kind::Equal) {
            for (qsizetype k = 0; k < op.count; ++k) {
                if (a[size_t(i + k)] != b[size_t(j + k)]) {
                    *problem = QStringLiteral("unequal lines paired at a=%1").arg(i + k);
                    return -1;
                }
            }
            i += op.count;
            j += op.count;
        } else if (op.kind == LineDiff::Kind::Delete) {
            i += op.count;
            edits += op.count;
        } else {
            j += op.count;
            edits += op.count;
        }
    }
    if (i != qsizetype(a.size()) || j != qsizetype(b.size())) {
        *problem = QStringLiteral("the script stops at a=%1 b=%2").arg(i).arg(j);
        return -1;
    }
    return edits;
}

// The fewest deletions plus insertions, by the textbook LCS table.
qsizetype minimalEdits(const std::vector<quint32> &a, const std::vector<quint32> &b)
{
    std::vector<std::vector<qsizetype>> lcs(a.size() + 1, std::vector<qsizetype>(b.size() + 1, 0));
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j)
            lcs[i][j] = a[i - 1] == b[j - 1] ? lcs[i - 1][j - 1] + 1
                                             : qMax(lcs[i - 1][j], lcs[i][j - 1]);
    }
    return qsizetype(a.size() + b.size()) - 2 * lcs[a.size()][b.size()];
}

TerminalBuffer::Line line(const QString &text, qint64 msecs)
{
    TerminalBuffer::Line l;
    l.text = text;
    l.receiptMsecs = msecs;
    return l;
}

} // namespace

class TestLineDiff : public QObject
{
    Q_OBJECT

private slots:
    void diffLineKinds_data();
    void diffLineKinds();
    void knownScripts_data();
    void knownScripts();
    void minimalOnRandomInputs();
    void costLimitStillGivesAValidScript();
    void largeInputsWithFewChanges();
    void normalize_data();
    void normalize();
    void ansiCodesAreIgnored();
    void rowsByContent();
    void rowsByTime();
    void differenceNavigation();
};

void TestLineDiff::knownScripts_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<QString>("expected");
    QTest::addRow("both empty") << ""
                                << ""
                                << "";
    QTest::addRow("left empty") << ""
                                << "abc"
                                << "+3";
    QTest::addRow("right empty") << "abc"
                                 << ""
                                 << "-3";
    QTest::addRow("identical") << "abcd"
                               << "abcd"
                               << "=4";
    QTest::addRow("one changed") << "abcde"
                                 << "abXde"
                                 << "=2 -1 +1 =2";
    QTest::addRow("inserted in the middle") << "abde"
                                            << "abcde"
                                            << "=2 +1 =2";
    QTest::addRow("removed at the start") << "xabc"
                                          << "abc"
                                          << "-1 =3";
    QTest::addRow("appended") << "abc"
                              << "abcde"
                              << "=3 +2";
    QTest::addRow("nothing in common") << "abc"
                                       << "xyz"
                                       << "-3 +3";
    // Myers' paper's example: five edits.
    QTest::addRow("myers example") << "abcabba"
                                   << "cbabac"
                                   << "-2 =1 +1 =2 -1 =1 -1 +1";
}

void TestLineDiff::knownScripts()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(QString, expected);
    const QList<LineDiff::Op> ops = LineDiff::compare(chars(qPrintable(a)), chars(qPrintable(b)));
    if (QTest::currentDataTag() == QByteArray("myers example")) {
        // Several five-edit scripts exist; the test pins the count, not the choice.
        qsizetype edits = 0;
        for (const LineDiff::Op &op : ops)
            edits += op.kind == LineDiff::Kind::Equal ? 0 : op.count;
        QCOMPARE(edits, qsizetype(5));
        return;
    }
    QCOMPARE(script(ops), expected);
}

void TestLineDiff::minimalOnRandomInputs()
{
    QRandomGenerator random(20261124);
    for (int round = 0; round < 400; ++round) {
        const int alphabet = 2 + int(random.bounded(5));
        std::vector<quint32> a(size_t(random.bounded(40)));
        std::vector<quint32> b(size_t(random.bounded(40)));
        for (quint32 &x : a)
            x = random.bounded(alphabet);
        // Half the time b is an edited copy of a, the usual case between two variations.
        if (round % 2 == 0) {
            b = a;
            for (int edits = int(random.bounded(6)); edits > 0; --edits) {
                const size_t at = b.empty() ? 0 : size_t(random.bounded(int(b.size())));
                if (random.bounded(2) && !b.empty())
                    b.erase(b.begin() + qsizetype(at));
                else
                    b.insert(b.begin() + qsizetype(at), random.bounded(alphabet));
            }
        } else {
            for (quint32 &x : b)
                x = random.bounded(alphabet);
        }
        QString problem;
        const qsizetype edits = checkScript(a, b, LineDiff::compareIds(a, b), &problem);
        QVERIFY2(edits >= 0, qPrintable(QStringLiteral("round %1: %2").arg(round).arg(problem)));
        QCOMPARE(edits, minimalEdits(a, b));
    }
}

void TestLineDiff::costLimitStillGivesAValidScript()
{
    QRandomGenerator random(7);
    std::vector<quint32> a(300);
    std::vector<quint32> b(300);
    for (quint32 &x : a)
        x = random.bounded(20);
    for (quint32 &x : b)
        x = random.bounded(20);
    // A limit far below the edit distance: the answer is coarser but still a correct script.
    const QList<LineDiff::Op> limited = LineDiff::compareIds(a, b, 3);
    QString problem;
    const qsizetype edits = checkScript(a, b, limited, &problem);
    QVERIFY2(edits >= 0, qPrintable(problem));
    QVERIFY(edits >= minimalEdits(a, b));
    QVERIFY(edits <= qsizetype(a.size() + b.size()));
}

void TestLineDiff::largeInputsWithFewChanges()
{
    // Two 100k-line transcripts that differ in three places: exactly three small hunks.
    QStringList a;
    for (int i = 0; i < 100000; ++i)
        a.append(QStringLiteral("line %1 of the output").arg(i));
    QStringList b = a;
    b[10] = QStringLiteral("changed");
    b.removeAt(50000);
    b.insert(90000, QStringLiteral("inserted"));
    const QList<LineDiff::Op> ops = LineDiff::compare(a, b);
    QCOMPARE(script(ops), QStringLiteral("=10 -1 +1 =49989 -1 =40000 +1 =9999"));
}

void TestLineDiff::normalize_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("equal");
    QTest::addRow("iso timestamps") << "2026-11-24T10:00:01.123Z started"
                                    << "2026-11-23T09:59:58.5+01:00 started" << true;
    QTest::addRow("space separated") << "[2026-11-24 10:00:01] ok"
                                     << "[2026-11-25 11:12:13] ok" << true;
    QTest::addRow("clock only") << "at 10:00:01 done"
                                << "at 9:59:58.25 done" << true;
    QTest::addRow("trailing blanks") << "same  \t"
                                     << "same" << true;
    QTest::addRow("leading blanks count") << "  same"
                                          << "same" << false;
    QTest::addRow("compiler positions are not times") << "main.c:12:34: error"
                                                      << "main.c:12:35: error" << false;
    QTest::addRow("other text differs") << "10:00:01 pass"
                                        << "10:00:01 fail" << false;
}

void TestLineDiff::normalize()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, equal);
    LineInterner interner;
    QCOMPARE(interner.id(a) == interner.id(b), equal);
}

void TestLineDiff::ansiCodesAreIgnored()
{
    TerminalBuffer coloured;
    TerminalBuffer plain;
    coloured.append(
            StreamType::Stdout, "\x1b[1;32mPASSED\x1b[m test_one\n\x1b[31mFAILED\x1b[0m\n", 1000);
    plain.append(StreamType::Stdout, "PASSED test_one\nFAILED\n", 5000);
    const AlignedDiff diff(
            AlignedDiff::sideOf(coloured), AlignedDiff::sideOf(plain), AlignedDiff::Align::Content);
    QVERIFY(diff.identical());
    QCOMPARE(diff.sameLines(), qsizetype(2));
    QCOMPARE(diff.differences().size(), 0);
}

void TestLineDiff::rowsByContent()
{
    AlignedDiff::Side left;
    left.lines = QStringList{"a", "b", "c", "d", "e"};
    AlignedDiff::Side right;
    right.lines = QStringList{"a", "x", "y", "c", "e", "f"};
    const AlignedDiff diff(left, right, AlignedDiff::Align::Content);
    using M = AlignedDiff::Mark;
    struct Expected
    {
        qsizetype left, right;
        M leftMark, rightMark;
    };
    // b is replaced by x y (paired row by row, y against a gap), d removed, f added.
    const QList<Expected> expected{{0, 0, M::Same, M::Same},
                                   {1, 1, M::Changed, M::Changed},
                                   {-1, 2, M::Filler, M::Changed},
                                   {2, 3, M::Same, M::Same},
                                   {3, -1, M::Changed, M::Filler},
                                   {4, 4, M::Same, M::Same},
                                   {-1, 5, M::Filler, M::Changed}};
    QCOMPARE(qsizetype(diff.rows().size()), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        const AlignedDiff::Row &row = diff.rows()[size_t(i)];
        QVERIFY2(row.left == expected[i].left && row.right == expected[i].right
                         && row.leftMark == expected[i].leftMark
                         && row.rightMark == expected[i].rightMark,
                 qPrintable(QStringLiteral("row %1: %2/%3").arg(i).arg(row.left).arg(row.right)));
    }
    QCOMPARE(diff.differences(), (QList<qsizetype>{1, 4, 6}));
    QCOMPARE(diff.removedLines(), qsizetype(2));
    QCOMPARE(diff.addedLines(), qsizetype(3));
    QCOMPARE(diff.sameLines(), qsizetype(3));
}

void TestLineDiff::rowsByTime()
{
    // Both sides print the same three lines; the right one is slower. By content they pair up;
    // by time (each from its own start) the right side's late lines sit lower, against gaps.
    TerminalBuffer leftBuffer;
    TerminalBuffer rightBuffer;
    leftBuffer.appendLines({line("start", 10000), line("work", 10100), line("done", 10200)});
    rightBuffer.appendLines({line("start", 50000), line("work", 51000), line("done", 52000)});
    const AlignedDiff byContent(AlignedDiff::sideOf(leftBuffer),
                                AlignedDiff::sideOf(rightBuffer),
                                AlignedDiff::Align::Content);
    QCOMPARE(byContent.rows().size(), size_t(3));
    QVERIFY(byContent.identical());

    const AlignedDiff byTime(AlignedDiff::sideOf(leftBuffer, 10000),
                             AlignedDiff::sideOf(rightBuffer, 50000),
                             AlignedDiff::Align::Time,
                             250);
    const std::vector<AlignedDiff::Row> &rows = byTime.rows();
    // t=0: start|start; t=100: work|-; t=200: done|-; t=1000: -|work; t=2000: -|done.
    QCOMPARE(rows.size(), size_t(5));
    QCOMPARE(rows[0].left, qsizetype(0));
    QCOMPARE(rows[0].right, qsizetype(0));
    QCOMPARE(rows[1].left, qsizetype(1));
    QCOMPARE(rows[1].right, qsizetype(-1));
    QCOMPARE(rows[2].left, qsizetype(2));
    QCOMPARE(rows[3].right, qsizetype(1));
    QCOMPARE(rows[3].left, qsizetype(-1));
    QCOMPARE(rows[4].right, qsizetype(2));
    // The lines still count as the same content: no differences to step through.
    QVERIFY(byTime.differences().isEmpty());
    QCOMPARE(rows[1].leftMark, AlignedDiff::Mark::Same);
    QCOMPARE(rows[1].rightMark, AlignedDiff::Mark::Filler);

    // A line only the right side printed is a difference in time order as well.
    rightBuffer.appendLines({line("extra", 52100)});
    const AlignedDiff extra(AlignedDiff::sideOf(leftBuffer, 10000),
                            AlignedDiff::sideOf(rightBuffer, 50000),
                            AlignedDiff::Align::Time);
    QCOMPARE(extra.differences().size(), 1);
    QCOMPARE(extra.rows()[size_t(extra.differences().first())].rightMark,
             AlignedDiff::Mark::Changed);
}

void TestLineDiff::differenceNavigation()
{
    AlignedDiff::Side left;
    AlignedDiff::Side right;
    for (int i = 0; i < 100; ++i) {
        left.lines.append(QString::number(i));
        right.lines.append(i % 25 == 5 ? QStringLiteral("changed") : QString::number(i));
    }
    const AlignedDiff diff(left, right, AlignedDiff::Align::Content);
    QCOMPARE(diff.differences(), (QList<qsizetype>{5, 30, 55, 80}));
    QCOMPARE(diff.nextDifference(-1), 0);
    QCOMPARE(diff.nextDifference(5), 1);
    QCOMPARE(diff.nextDifference(29), 1);
    QCOMPARE(diff.nextDifference(80), -1);
    QCOMPARE(diff.previousDifference(5), -1);
    QCOMPARE(diff.previousDifference(6), 0);
    QCOMPARE(diff.previousDifference(55), 1);
    QCOMPARE(diff.previousDifference(1000), 3);
}

// One classifier colours patches in the compare window, the exports and the structured view.
void TestLineDiff::diffLineKinds_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<int>("kind");
    const auto row = [](const char *line, DiffLine kind) {
        QTest::addRow("%s", line) << QByteArray(line) << int(kind);
    };
    row("diff --git a/x b/x", DiffLine::FileHeader);
    row("index 83db48f..bf269f4 100644", DiffLine::FileHeader);
    row("new file mode 100644", DiffLine::FileHeader);
    row("--- a/x", DiffLine::FileHeader);
    row("+++ b/x", DiffLine::FileHeader);
    row("@@ -1,2 +1,3 @@ def f():", DiffLine::Hunk);
    row("+added", DiffLine::Added);
    row("-removed", DiffLine::Removed);
    row("--removed SQL comment", DiffLine::Removed);
    row("++added", DiffLine::Added);
    row(" context", DiffLine::Context);
    row("", DiffLine::Context);
}

void TestLineDiff::diffLineKinds()
{
    QFETCH(QByteArray, line);
    QFETCH(int, kind);
    QCOMPARE(int(classifyDiffLine(QByteArrayView(line))), kind);
    const QString text = QString::fromLatin1(line);
    QCOMPARE(int(classifyDiffLine(QStringView(text))), kind);
}

QTEST_GUILESS_MAIN(TestLineDiff)
#include "tst_linediff.moc"

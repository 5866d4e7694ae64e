#include "text/terminalbuffer.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include "describestyle.h"

using namespace Parallax;
using namespace Parallax::TestText;

namespace {

using Chunks = QList<QByteArray>;

// A byte array from a literal, embedded NULs included.
template<qsizetype N>
QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, N - 1);
}

StreamType streamOf(char c)
{
    return c == 'e' ? StreamType::Stderr : c == 'd' ? StreamType::DaemonError : StreamType::Stdout;
}

// A line as "E:" (stderr) / "D:" (daemon error) prefix, then its text with every styled part
// written as {style:text}: "ab{b,fg=1:cd}ef".
QString describe(const TerminalBuffer::Line &line)
{
    QString out = line.stream == StreamType::Stderr        ? QStringLiteral("E:")
                  : line.stream == StreamType::DaemonError ? QStringLiteral("D:")
                                                           : QString();
    if (line.runs.isEmpty())
        return out + line.text;
    for (qsizetype i = 0; i < line.runs.size(); ++i) {
        const QString text = line.text.mid(line.runs[i].start, line.runEnd(i) - line.runs[i].start);
        const QString style = describeStyle(line.runs[i].style);
        out += style.isEmpty()
                       ? text
                       : QLatin1Char('{') + style + QLatin1Char(':') + text + QLatin1Char('}');
    }
    return out;
}

QStringList describe(const TerminalBuffer &buffer)
{
    QStringList lines;
    for (qsizetype i = 0; i < buffer.lineCount(); ++i)
        lines << describe(buffer.line(i));
    return lines;
}

// Checks the invariants every line keeps, whatever was written: runs start at 0, increase,
// stay inside the text and never repeat a style.
bool runsAreNormal(const TerminalBuffer::Line &line)
{
    if (line.runs.isEmpty())
        return true;
    if (line.runs.first().start != 0)
        return false;
    for (qsizetype i = 1; i < line.runs.size(); ++i) {
        if (line.runs[i].start <= line.runs[i - 1].start || line.runs[i].start >= line.text.size()
            || line.runs[i].style == line.runs[i - 1].style) {
            return false;
        }
    }
    return line.runs.size() > 1 || line.runs.first().style != TextStyle{};
}

// Feeds chunks written as stream letter ('o' stdout, 'e' stderr, 'd' daemon) + bytes.
void feed(TerminalBuffer *buffer, const Chunks &chunks, qint64 time = 1000)
{
    for (const QByteArray &chunk : chunks)
        buffer->append(streamOf(chunk.at(0)), QByteArrayView(chunk).sliced(1), time++);
}

QByteArray numberedLines(int first, int count)
{
    QByteArray out;
    for (int i = first; i < first + count; ++i)
        out += "line " + QByteArray::number(i) + '\n';
    return out;
}

} // namespace

class TestTerminalBuffer : public QObject
{
    Q_OBJECT

private slots:
    void lines_data();
    void lines();
    void partialLineIsVisibleAndUpdated();
    void changedSignal();
    void receiptTimeIsFirstByte();
    void finishFlushesParsers();
    void boundedDropsOldest();
    void setMaxLinesShrinks();
    void droppedPartialLineContinuesOnNewLine();
    void clear();
    void longLineIsCappedAndFast();
    void longStyledLineIsFast();
    void progressBarOverwriteIsFast();
    void find_data();
    void find();
    void findRangeAndLimit();
    void patternError();
    void columnWidths();
    void throughput();
};

void TestTerminalBuffer::lines_data()
{
    QTest::addColumn<Chunks>("chunks");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("plain") << Chunks{"ohello\nworld\n"} << QStringList{"hello", "world"};
    QTest::addRow("partial last line") << Chunks{"oab\ncd"} << QStringList{"ab", "cd"};
    QTest::addRow("empty lines") << Chunks{"o\n\n"} << QStringList{"", ""};
    QTest::addRow("crlf") << Chunks{"oa\r\nb\r\n"} << QStringList{"a", "b"};
    QTest::addRow("nothing visible") << Chunks{"o\033[1m", "o\033]0;title\007"} << QStringList{};
    QTest::addRow("cr overwrites") << Chunks{"o50%\r100%\n"} << QStringList{"100%"};
    QTest::addRow("cr keeps longer tail")
            << Chunks{"odownloading\rdone\n"} << QStringList{"doneloading"};
    QTest::addRow("cr at chunk end") << Chunks{"oabc\r", "oX\n"} << QStringList{"Xbc"};
    QTest::addRow("cr before newline") << Chunks{"oabc\r", "o\n"} << QStringList{"abc"};
    QTest::addRow("progress bar")
            << Chunks{"o[    ] 0%\r[=>  ] 25%\r[==> ] 50%\r[====] 100%\ndone\n"}
            << QStringList{"[====] 100%", "done"};
    QTest::addRow("progress bar with erase")
            << Chunks{"o\033[2K\r3/10\033[K", "o\033[2K\r10/10\033[K\n"} << QStringList{"10/10"};
    QTest::addRow("spinner rewrites prefix")
            << Chunks{"o| working", "o\r/", "o\r-", "o\n"} << QStringList{"- working"};

    QTest::addRow("styles") << Chunks{"o\033[1mbold\033[0m plain \033[31mred\033[39m\n"}
                            << QStringList{"{b:bold} plain {fg=1:red}"};
    QTest::addRow("all attributes")
            << Chunks{"o\033[1;2;3;4;7;9mx\033[m\n"} << QStringList{"{b,d,i,u,v,s:x}"};
    QTest::addRow("256 and truecolour") << Chunks{"o\033[38;5;208ma\033[48;2;1;2;3mb\033[0mc\n"}
                                        << QStringList{"{fg=208:a}{fg=208,bg=#010203:b}c"};
    QTest::addRow("style continues across lines")
            << Chunks{"o\033[32mone\ntwo\033[0m\n"} << QStringList{"{fg=2:one}", "{fg=2:two}"};
    QTest::addRow("styled overwrite at start")
            << Chunks{"oaaaaaa\r\033[32mbb\033[0m\n"} << QStringList{"{fg=2:bb}aaaa"};
    QTest::addRow("overwrite inside a run keeps the rest")
            << Chunks{"o\033[31mrrrrrr\033[0m\r\033[1mxx\033[0m\n"}
            << QStringList{"{b:xx}{fg=1:rrrr}"};
    QTest::addRow("overwrite across runs")
            << Chunks{"oaa\033[31mbb\033[32mcc\033[0mdd\r\033[34mxxxxx\033[0m\n"}
            << QStringList{"{fg=4:xxxxx}{fg=2:c}dd"};
    QTest::addRow("default overwrite clears style")
            << Chunks{"o\033[31mab\033[0m\rxy\n"} << QStringList{"xy"};
    QTest::addRow("overwrite then extend")
            << Chunks{"oab\r\033[1mwxyz\033[0m!\n"} << QStringList{"{b:wxyz}!"};
    QTest::addRow("same style overwrite merges")
            << Chunks{"o\033[31mabcd\rxy\033[0m\n"} << QStringList{"{fg=1:xycd}"};

    QTest::addRow("tab") << Chunks{"oa\tb\n"} << QStringList{"a       b"};
    QTest::addRow("tab stops count columns")
            << Chunks{"oabc", "o\tx\t\ty\n"} << QStringList{"abc     x               y"};

    QTest::addRow("stderr interleave")
            << Chunks{"oout1\n", "eerr1\n", "oout2\n"} << QStringList{"out1", "E:err1", "out2"};
    QTest::addRow("partial stdout survives stderr line")
            << Chunks{"oabc", "eerr\n", "odef\n"} << QStringList{"abcdef", "E:err"};
    QTest::addRow("streams keep separate escape state")
            << Chunks{"o\033[31", "ex\n", "omred\n"} << QStringList{"E:x", "{fg=1:red}"};
    QTest::addRow("streams keep separate styles")
            << Chunks{"o\033[1mA", "eB\n", "oC\033[0m\n"} << QStringList{"{b:AC}", "E:B"};
    QTest::addRow("streams keep separate utf8 state")
            << Chunks{"o\xe2\x82", "ey\n", "o\xac\n"}
            << QStringList{"E:y", QString::fromUtf8("\xe2\x82\xac")};
    QTest::addRow("stderr progress line is updated in place")
            << Chunks{"o1\n", "e10%", "o2\n", "e\r20%\n", "o3\n"}
            << QStringList{"1", "E:20%", "2", "3"};
    QTest::addRow("daemon error") << Chunks{"dboom\n"} << QStringList{"D:boom"};
    QTest::addRow("utf8") << Chunks{"o\xe2\x9c\x93 caf\xc3\xa9\n"}
                          << QStringList{QString::fromUtf8("\xe2\x9c\x93 caf\xc3\xa9")};
}

void TestTerminalBuffer::lines()
{
    QFETCH(Chunks, chunks);
    QFETCH(QStringList, expected);

    const auto check = [&](const Chunks &input, const QString &how) {
        TerminalBuffer buffer;
        feed(&buffer, input);
        const QStringList actual = describe(buffer);
        if (actual != expected) {
            qWarning().noquote() << how << "\n  actual:  " << actual << "\n  expected:" << expected;
            return false;
        }
        for (qsizetype i = 0; i < buffer.lineCount(); ++i) {
            if (!runsAreNormal(buffer.line(i))) {
                qWarning().noquote() << how << "line" << i << "has unnormalised runs";
                return false;
            }
        }
        return true;
    };

    QVERIFY(check(chunks, QStringLiteral("as given")));

    // The result never depends on where the bytes of a stream were cut: split each chunk at
    // every position, and feed everything one byte at a time.
    for (qsizetype c = 0; c < chunks.size(); ++c) {
        const QByteArray &chunk = chunks[c];
        for (qsizetype pos = 2; pos < chunk.size(); ++pos) {
            Chunks split = chunks;
            split[c] = chunk.first(pos);
            split.insert(c + 1, chunk.at(0) + chunk.mid(pos));
            QVERIFY(check(split, QStringLiteral("chunk %1 split at %2").arg(c).arg(pos)));
        }
    }
    Chunks bytewise;
    for (const QByteArray &chunk : std::as_const(chunks)) {
        for (qsizetype pos = 1; pos < chunk.size(); ++pos)
            bytewise << QByteArray(1, chunk.at(0)) + chunk.at(pos);
    }
    QVERIFY(check(bytewise, QStringLiteral("byte by byte")));
}

void TestTerminalBuffer::partialLineIsVisibleAndUpdated()
{
    TerminalBuffer buffer;
    buffer.append(StreamType::Stdout, "Compiling", 1);
    QCOMPARE(buffer.lineCount(), 1);
    QCOMPARE(buffer.line(0).text, "Compiling");
    buffer.append(StreamType::Stdout, " foo", 2);
    QCOMPARE(buffer.lineCount(), 1);
    QCOMPARE(buffer.line(0).text, "Compiling foo");
    buffer.append(StreamType::Stdout, "\nnext", 3);
    QCOMPARE(describe(buffer), (QStringList{"Compiling foo", "next"}));
}

void TestTerminalBuffer::changedSignal()
{
    TerminalBuffer buffer;
    QSignalSpy spy(&buffer, &TerminalBuffer::changed);
    const auto take = [&] {
        const QList<QVariant> args = spy.takeFirst();
        return std::tuple{
                args[0].value<qsizetype>(), args[1].value<qsizetype>(), args[2].value<qsizetype>()};
    };
    const quint64 revision = buffer.revision();

    buffer.append(StreamType::Stdout, "a\nb", 1);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(take(), std::tuple(qsizetype(0), qsizetype(2), qsizetype(0)));
    QVERIFY(buffer.revision() > revision);

    buffer.append(StreamType::Stdout, "c\nd\n", 2); // completes line 1, adds line 2
    QCOMPARE(take(), std::tuple(qsizetype(1), qsizetype(1), qsizetype(0)));

    buffer.append(StreamType::Stderr, "x", 3); // a new partial line
    QCOMPARE(take(), std::tuple(qsizetype(3), qsizetype(1), qsizetype(0)));
    buffer.append(StreamType::Stdout, "e\n", 4);
    QCOMPARE(take(), std::tuple(qsizetype(4), qsizetype(1), qsizetype(0)));
    buffer.append(StreamType::Stderr, "y", 5); // updates the old partial line 3 only
    QCOMPARE(take(), std::tuple(qsizetype(3), qsizetype(0), qsizetype(0)));

    // Invisible input changes nothing and says nothing.
    buffer.append(StreamType::Stdout, "\033[1m", 6);
    buffer.append(StreamType::Stderr, "\r", 7);
    QCOMPARE(spy.size(), 0);

    buffer.setMaxLines(2);
    QCOMPARE(take(), std::tuple(qsizetype(2), qsizetype(0), qsizetype(3)));
    buffer.append(StreamType::Stdout, "f\ng\nh\n", 8);
    QCOMPARE(take(), std::tuple(qsizetype(0), qsizetype(3), qsizetype(3)));
    QCOMPARE(describe(buffer), (QStringList{"{b:g}", "{b:h}"}));
}

void TestTerminalBuffer::receiptTimeIsFirstByte()
{
    TerminalBuffer buffer;
    buffer.append(StreamType::Stdout, "one\ntw", 100);
    buffer.append(StreamType::Stderr, "err", 150);
    buffer.append(StreamType::Stdout, "o\nthree\n", 200);
    buffer.append(StreamType::Stderr, "\n", 250);
    QCOMPARE(describe(buffer), (QStringList{"one", "two", "E:err", "three"}));
    QCOMPARE(buffer.line(0).receiptMsecs, 100);
    QCOMPARE(buffer.line(1).receiptMsecs, 100);
    QCOMPARE(buffer.line(2).receiptMsecs, 150);
    QCOMPARE(buffer.line(3).receiptMsecs, 200);
}

void TestTerminalBuffer::finishFlushesParsers()
{
    TerminalBuffer buffer;
    buffer.append(StreamType::Stdout, "ab\xe2\x82", 1);
    buffer.finish(2);
    QCOMPARE(describe(buffer), QStringList{QStringLiteral("ab\ufffd")});
}

void TestTerminalBuffer::boundedDropsOldest()
{
    TerminalBuffer buffer;
    QCOMPARE(buffer.maxLines(), TerminalBuffer::DefaultMaxLines);
    buffer.setMaxLines(10);
    QSignalSpy spy(&buffer, &TerminalBuffer::changed);
    qsizetype appended = 0, dropped = 0;
    connect(&buffer, &TerminalBuffer::changed, this, [&](qsizetype, qsizetype a, qsizetype d) {
        appended += a;
        dropped += d;
    });

    for (int i = 0; i < 25; i += 5)
        buffer.append(StreamType::Stdout, numberedLines(i, 5), i);
    QCOMPARE(buffer.lineCount(), 10);
    QCOMPARE(buffer.droppedLines(), 15);
    QCOMPARE(buffer.firstLineNumber(), 15);
    QCOMPARE(buffer.totalLinesSeen(), 25);
    QCOMPARE(buffer.line(0).text, "line 15");
    QCOMPARE(buffer.line(9).text, "line 24");
    QCOMPARE(appended, 25);
    QCOMPARE(dropped, 15);

    // One call bringing more than maxLines keeps only the newest.
    buffer.append(StreamType::Stdout, numberedLines(25, 100), 99);
    QCOMPARE(buffer.lineCount(), 10);
    QCOMPARE(buffer.droppedLines(), 115);
    QCOMPARE(buffer.line(0).text, "line 115");
    QCOMPARE(spy.last()[1].value<qsizetype>(), 100);
    QCOMPARE(spy.last()[2].value<qsizetype>(), 100);
    QCOMPARE(spy.last()[0].value<qsizetype>(), 0);
}

void TestTerminalBuffer::setMaxLinesShrinks()
{
    TerminalBuffer buffer;
    buffer.append(StreamType::Stdout, numberedLines(0, 50), 1);
    buffer.setMaxLines(0); // clamped to 1
    QCOMPARE(buffer.maxLines(), 1);
    QCOMPARE(buffer.lineCount(), 1);
    QCOMPARE(buffer.droppedLines(), 49);
    QCOMPARE(buffer.line(0).text, "line 49");
}

void TestTerminalBuffer::droppedPartialLineContinuesOnNewLine()
{
    TerminalBuffer buffer;
    buffer.setMaxLines(3);
    buffer.append(StreamType::Stdout, "partial", 1);
    buffer.append(StreamType::Stderr, "e1\ne2\ne3\n", 2);
    QCOMPARE(describe(buffer), (QStringList{"E:e1", "E:e2", "E:e3"}));
    buffer.append(StreamType::Stdout, " rest\n", 3);
    QCOMPARE(describe(buffer), (QStringList{"E:e2", "E:e3", " rest"}));
    QCOMPARE(buffer.line(2).receiptMsecs, 3);
}

void TestTerminalBuffer::clear()
{
    TerminalBuffer buffer;
    buffer.setMaxLines(2);
    buffer.append(StreamType::Stdout, "a\nb\nc\n\033[31", 1);
    QSignalSpy spy(&buffer, &TerminalBuffer::cleared);
    buffer.clear();
    QCOMPARE(spy.size(), 1);
    QCOMPARE(buffer.lineCount(), 0);
    QCOMPARE(buffer.droppedLines(), 0);
    QCOMPARE(buffer.totalLinesSeen(), 0);
    buffer.append(StreamType::Stdout, "mx\n", 2); // the partial escape sequence was forgotten
    QCOMPARE(describe(buffer), QStringList{"mx"});
}

void TestTerminalBuffer::longLineIsCappedAndFast()
{
    const qsizetype total = 1 << 20;
    QByteArray chunk(4096, 'x');
    TerminalBuffer buffer;
    QElapsedTimer timer;
    timer.start();
    for (qsizetype sent = 0; sent < total; sent += chunk.size())
        buffer.append(StreamType::Stdout, chunk, 1);
    buffer.append(StreamType::Stdout, "\nafter\n", 2);
    const qint64 ms = timer.elapsed();
    qInfo("1 MiB line in 4 KiB chunks: %lld ms", ms);
    QVERIFY2(ms < 2000, "appending a long line must not be quadratic");

    QCOMPARE(buffer.lineCount(), 2);
    QCOMPARE(buffer.line(0).text.size(), TerminalBuffer::MaxLineChars);
    QCOMPARE(buffer.line(0).hiddenChars, total - TerminalBuffer::MaxLineChars);
    QCOMPARE(buffer.line(1).text, "after");
    QVERIFY(TerminalBuffer::truncationSuffix(buffer.line(0).hiddenChars)
                    .contains(QString::number(total - TerminalBuffer::MaxLineChars)));

    // Overwriting after "\r" counts hidden characters by position, not twice.
    TerminalBuffer overwrite;
    const QByteArray big(TerminalBuffer::MaxLineChars + 100, 'a');
    overwrite.append(StreamType::Stdout, big, 1);
    overwrite.append(
            StreamType::Stdout, "\r" + QByteArray(TerminalBuffer::MaxLineChars + 50, 'b'), 2);
    QCOMPARE(overwrite.line(0).hiddenChars, 100);
    QCOMPARE(overwrite.line(0).text.back(), QLatin1Char('b'));
    overwrite.append(StreamType::Stdout, QByteArray(100, 'c'), 3);
    QCOMPARE(overwrite.line(0).hiddenChars, 150);
}

void TestTerminalBuffer::longStyledLineIsFast()
{
    // 1 MiB without a newline, the style changing every 16 bytes, in 1 KiB chunks.
    QByteArray unit;
    for (int i = 0; i < 64; ++i)
        unit += "\033[3" + QByteArray::number(i % 8) + "m0123456789abcdef";
    TerminalBuffer buffer;
    QElapsedTimer timer;
    timer.start();
    qsizetype sent = 0;
    while (sent < (1 << 20)) {
        for (qsizetype pos = 0; pos < unit.size(); pos += 1024)
            buffer.append(StreamType::Stdout,
                          QByteArrayView(unit).sliced(pos).first(
                                  qMin<qsizetype>(1024, unit.size() - pos)),
                          1);
        sent += unit.size();
    }
    const qint64 ms = timer.elapsed();
    qInfo("1 MiB styled line: %lld ms, %lld runs", ms, qint64(buffer.line(0).runs.size()));
    QVERIFY2(ms < 2000, "appending a long styled line must not be quadratic");
    QCOMPARE(buffer.lineCount(), 1);
    QCOMPARE(buffer.line(0).text.size(), TerminalBuffer::MaxLineChars);
    QVERIFY(runsAreNormal(buffer.line(0)));
    QCOMPARE(buffer.line(0).runs.size(), TerminalBuffer::MaxLineChars / 16);
}

void TestTerminalBuffer::progressBarOverwriteIsFast()
{
    TerminalBuffer buffer;
    QElapsedTimer timer;
    timer.start();
    for (int i = 0; i <= 100000; ++i) {
        const int percent = i / 1000;
        const QByteArray bar = "\r\033[32m" + QByteArray(percent * 60 / 100, '=') + "\033[0m"
                               + QByteArray(60 - percent * 60 / 100, ' ') + ' '
                               + QByteArray::number(percent) + '%';
        buffer.append(StreamType::Stdout, bar, i);
    }
    buffer.append(StreamType::Stdout, "\n", 0);
    qInfo("100000 progress bar redraws: %lld ms", timer.elapsed());
    QVERIFY(timer.elapsed() < 5000);
    QCOMPARE(buffer.lineCount(), 1);
    QCOMPARE(buffer.line(0).text, QString(60, QLatin1Char('=')) + QStringLiteral(" 100%"));
    QVERIFY(runsAreNormal(buffer.line(0)));
}

void TestTerminalBuffer::find_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<bool>("regex");
    QTest::addColumn<bool>("caseSensitive");
    QTest::addColumn<QString>("expected"); // "line:start+length ..."

    // Lines: 0 "Error: disk full", 1 "error error", 2 "no problem", 3 "ERROR 42"
    QTest::addRow("plain, any case") << "error" << false << false << "0:0+5 1:0+5 1:6+5 3:0+5";
    QTest::addRow("plain, case sensitive") << "error" << false << true << "1:0+5 1:6+5";
    QTest::addRow("plain, no match") << "warning" << false << false << "";
    QTest::addRow("plain, empty") << "" << false << false << "";
    QTest::addRow("plain, regex characters are literal") << "r:" << false << false << "0:4+2";
    QTest::addRow("non-overlapping") << "rr" << false << false << "0:1+2 1:1+2 1:7+2 3:1+2";
    QTest::addRow("regex") << "err\\w+ \\d+" << true << false << "3:0+8";
    QTest::addRow("regex, case sensitive") << "[a-z]+or" << true << true << "0:1+4 1:0+5 1:6+5";
    QTest::addRow("regex, anchored") << "^e\\w+" << true << false << "0:0+5 1:0+5 3:0+5";
    QTest::addRow("regex, empty matches skipped") << "x*" << true << false << "";
    QTest::addRow("regex, invalid") << "(unclosed" << true << false << "";
}

void TestTerminalBuffer::find()
{
    QFETCH(QString, pattern);
    QFETCH(bool, regex);
    QFETCH(bool, caseSensitive);
    QFETCH(QString, expected);

    TerminalBuffer buffer;
    buffer.append(StreamType::Stdout, "Error: disk full\nerror error\n", 1);
    buffer.append(StreamType::Stderr, "no problem\n\033[31mERROR\033[0m 42\n", 2);
    TerminalBuffer::FindFlags flags;
    if (regex)
        flags |= TerminalBuffer::RegularExpression;
    if (caseSensitive)
        flags |= TerminalBuffer::CaseSensitive;
    QStringList actual;
    for (const TerminalBuffer::Match &m : buffer.find(pattern, flags))
        actual << QStringLiteral("%1:%2+%3").arg(m.line).arg(m.start).arg(m.length);
    QCOMPARE(actual.join(QLatin1Char(' ')), expected);
}

void TestTerminalBuffer::findRangeAndLimit()
{
    TerminalBuffer buffer;
    buffer.append(StreamType::Stdout, "a a\na\na a a\n", 1);
    QCOMPARE(buffer.find("a", {}).size(), 6);
    QCOMPARE(buffer.find("a", {}, 1).size(), 4);
    QCOMPARE(buffer.find("a", {}, 1, 2).size(), 1);
    QCOMPARE(buffer.find("a", {}, 0, -1, 4).size(), 4);
    QCOMPARE(buffer.find("a", TerminalBuffer::RegularExpression, 0, -1, 3).size(), 3);
    QCOMPARE(buffer.find("a", {}, 5).size(), 0);

    TerminalBuffer overlapping;
    overlapping.append(StreamType::Stdout, "aaaaa\n", 1);
    QCOMPARE(overlapping.find("aa", {}), (QList<TerminalBuffer::Match>{{0, 0, 2}, {0, 2, 2}}));
}

void TestTerminalBuffer::patternError()
{
    QVERIFY(TerminalBuffer::patternError("(x", TerminalBuffer::RegularExpression).size() > 0);
    QVERIFY(TerminalBuffer::patternError("(x", TerminalBuffer::PlainText).isEmpty());
    QVERIFY(TerminalBuffer::patternError("a+", TerminalBuffer::RegularExpression).isEmpty());
}

void TestTerminalBuffer::columnWidths()
{
    QCOMPARE(TerminalBuffer::columnWidth(U'a'), 1);
    QCOMPARE(TerminalBuffer::columnWidth(U'\u00e9'), 1);
    QCOMPARE(TerminalBuffer::columnWidth(U'\u0301'), 0);     // combining acute
    QCOMPARE(TerminalBuffer::columnWidth(U'\u200d'), 0);     // zero width joiner
    QCOMPARE(TerminalBuffer::columnWidth(U'\u4e2d'), 2);     // CJK
    QCOMPARE(TerminalBuffer::columnWidth(U'\u2705'), 2);     // white heavy check mark (emoji)
    QCOMPARE(TerminalBuffer::columnWidth(U'\u2713'), 1);     // check mark
    QCOMPARE(TerminalBuffer::columnWidth(U'\U0001F680'), 2); // rocket

    TerminalBuffer buffer;
    buffer.append(StreamType::Stdout,
                  "ascii \xe2\x94\x82 box \xe2\xa0\x8b braille \xe2\x9c\x93\n" // │ ⠋ ✓
                  "wide \xe4\xb8\xad\n"
                  "emoji \xf0\x9f\x9a\x80\n",
                  1);
    QVERIFY(buffer.line(0).singleWidth);
    QVERIFY(!buffer.line(1).singleWidth);
    QVERIFY(!buffer.line(2).singleWidth);
}

void TestTerminalBuffer::throughput()
{
    // Typical agent output: coloured log lines of ~70 bytes.
    QByteArray chunk;
    for (int i = 0; i < 1000; ++i) {
        chunk += "\033[2m12:00:01\033[0m \033[32mINFO\033[0m worker-" + QByteArray::number(i % 7)
                 + ": processed item " + QByteArray::number(i) + " in 3 ms\n";
    }
    TerminalBuffer buffer;
    buffer.setMaxLines(100000);
    QElapsedTimer timer;
    timer.start();
    for (int round = 0; round < 500; ++round) {
        for (qsizetype pos = 0; pos < chunk.size(); pos += 16384)
            buffer.append(StreamType::Stdout,
                          QByteArrayView(chunk).sliced(pos).first(
                                  qMin<qsizetype>(16384, chunk.size() - pos)),
                          round);
    }
    const double seconds = timer.nsecsElapsed() / 1e9;
    qInfo("throughput: %.0f lines/s (%.0f MiB/s), 500000 lines through a 100000 line buffer",
          500000 / seconds,
          500.0 * chunk.size() / seconds / (1 << 20));
    QCOMPARE(buffer.lineCount(), 100000);
    QCOMPARE(buffer.droppedLines(), 400000);
    QVERIFY(seconds < 30);
}

QTEST_GUILESS_MAIN(TestTerminalBuffer)
#include "tst_terminalbuffer.moc"

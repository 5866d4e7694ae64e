#include "text/ansiparser.h"
#include "text/xtermpalette.h"

#include <QElapsedTimer>
#include <QTest>

#include "describestyle.h"

using namespace Parallax;
using namespace Parallax::TestText;

namespace {

// A byte array from a literal, embedded NULs included.
template<qsizetype N>
QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, N - 1);
}

// Events in a compact, diffable notation: text as 'quoted' (\t, \\ and anything outside
// printable ASCII escaped as \uXXXX) prefixed by its style ("b,fg=1:'x'"), then CR and NL.
QString describe(const QList<AnsiEvent> &events)
{
    QStringList parts;
    for (const AnsiEvent &event : events) {
        switch (event.kind) {
        case AnsiEvent::CarriageReturn:
            parts << QStringLiteral("CR");
            break;
        case AnsiEvent::Newline:
            parts << QStringLiteral("NL");
            break;
        case AnsiEvent::Text: {
            QString text;
            for (const QChar c : event.span.text) {
                if (c == QLatin1Char('\t'))
                    text += QLatin1String("\\t");
                else if (c == QLatin1Char('\\'))
                    text += QLatin1String("\\\\");
                else if (c.unicode() < 0x20 || c.unicode() > 0x7e)
                    text += QStringLiteral("\\u%1").arg(c.unicode(), 4, 16, QLatin1Char('0'));
                else
                    text += c;
            }
            const QString style = describeStyle(event.span.style);
            parts << (style.isEmpty() ? QString() : style + QLatin1Char(':')) + QLatin1Char('\'')
                             + text + QLatin1Char('\'');
            break;
        }
        }
    }
    return parts.join(QLatin1Char(' '));
}

// Merges adjacent text events of the same style, as feed() does within one list.
QList<AnsiEvent> merged(const QList<AnsiEvent> &events)
{
    QList<AnsiEvent> result;
    for (const AnsiEvent &event : events) {
        if (event.kind == AnsiEvent::Text && !result.isEmpty()
            && result.constLast().kind == AnsiEvent::Text
            && result.constLast().span.style == event.span.style) {
            result.last().span.text += event.span.text;
        } else {
            result.append(event);
        }
    }
    return result;
}

QList<AnsiEvent> parseAll(const QList<QByteArray> &chunks)
{
    AnsiParser parser;
    QList<AnsiEvent> events;
    for (const QByteArray &chunk : chunks)
        parser.feed(chunk, &events);
    parser.finish(&events);
    return events;
}

} // namespace

class TestAnsiParser : public QObject
{
    Q_OBJECT

private slots:
    void parse_data();
    void parse();
    void parseSplit_data() { parse_data(); }
    void parseSplit();
    void parseByteByByte_data() { parse_data(); }
    void parseByteByByte();

    void carriageReturnHeldUntilNextByte();
    void currentStyle();
    void resetDropsPartialSequence();
    void feedMergesIntoExistingEvents();

    void stripToPlainText_data();
    void stripToPlainText();

    void xterm256Rgb_data();
    void xterm256Rgb();

    void plainTextFlood();
    void unterminatedOscIsBounded();
    void unterminatedCsiIsBounded();
    void throughput();
};

void TestAnsiParser::parse_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");

    // Text, lines and control characters
    QTest::addRow("empty") << bytes("") << "";
    QTest::addRow("plain") << bytes("hello") << "'hello'";
    QTest::addRow("tab kept") << bytes("a\tb") << R"('a\tb')";
    QTest::addRow("newline") << bytes("a\nb") << "'a' NL 'b'";
    QTest::addRow("blank lines") << bytes("\n\n") << "NL NL";
    QTest::addRow("crlf is one newline") << bytes("a\r\nb") << "'a' NL 'b'";
    QTest::addRow("cr overwrites") << bytes("50%\r100%") << "'50%' CR '100%'";
    QTest::addRow("cr at end") << bytes("a\r") << "'a' CR";
    QTest::addRow("cr cr lf") << bytes("a\r\r\nb") << "'a' CR NL 'b'";
    QTest::addRow("lf cr") << bytes("a\n\rb") << "'a' NL CR 'b'";
    QTest::addRow("backspace dropped") << bytes("ab\bc") << "'abc'";
    QTest::addRow("other C0 and DEL dropped") << bytes("a\000b\007c\177d\001") << "'abcd'";
    QTest::addRow("dropped control keeps crlf") << bytes("a\r\007\nb") << "'a' NL 'b'";

    // UTF-8
    QTest::addRow("utf8") << bytes("caf\xc3\xa9 \xe2\x82\xac") << R"('caf\u00e9 \u20ac')";
    QTest::addRow("utf8 4-byte") << bytes("\xf0\x9f\x98\x80!") << R"('\ud83d\ude00!')";
    QTest::addRow("invalid byte") << bytes("a\xff"
                                           "b")
                                  << R"('a\ufffdb')";
    QTest::addRow("lone continuation") << bytes("\x80x") << R"('\ufffdx')";
    QTest::addRow("truncated before escape") << bytes("\xe2\x82\033[1mx") << R"('\ufffd' b:'x')";
    QTest::addRow("truncated before newline") << bytes("\xe2\x82\nx") << R"('\ufffd' NL 'x')";
    QTest::addRow("truncated at end") << bytes("ab\xe2\x82") << R"('ab\ufffd')";
    QTest::addRow("truncated then valid") << bytes("\xe2\xc3\xa9") << R"('\ufffd\u00e9')";
    QTest::addRow("truncated 4-byte then ascii") << bytes("\xf0\x9f\x98x") << R"('\ufffdx')";
    QTest::addRow("overlong") << bytes("\xc0\xaf\xe0\x80\xaf")
                              << R"('\ufffd\ufffd\ufffd\ufffd\ufffd')";
    QTest::addRow("surrogate") << bytes("\xed\xa0\x80") << R"('\ufffd\ufffd\ufffd')";
    QTest::addRow("above U+10FFFF") << bytes("\xf4\x90\x80\x80") << R"('\ufffd\ufffd\ufffd\ufffd')";
    QTest::addRow("highest code point") << bytes("\xf4\x8f\xbf\xbf") << R"('\udbff\udfff')";

    // SGR attributes
    QTest::addRow("bold") << bytes("\033[1mB\033[0mn") << "b:'B' 'n'";
    QTest::addRow("dim") << bytes("\033[2mx") << "d:'x'";
    QTest::addRow("italic") << bytes("\033[3mx") << "i:'x'";
    QTest::addRow("underline") << bytes("\033[4mx") << "u:'x'";
    QTest::addRow("inverse") << bytes("\033[7mx") << "v:'x'";
    QTest::addRow("strike") << bytes("\033[9mx") << "s:'x'";
    QTest::addRow("attributes off one by one")
            << bytes("\033[1;2;3;4;7;9mx\033[22my\033[23mz\033[24mw\033[27mv\033[29mu")
            << "b,d,i,u,v,s:'x' i,u,v,s:'y' u,v,s:'z' v,s:'w' s:'v' 'u'";
    QTest::addRow("reset") << bytes("\033[1;4;31mx\033[0my") << "b,u,fg=1:'x' 'y'";
    QTest::addRow("empty params reset") << bytes("\033[1;31mx\033[my") << "b,fg=1:'x' 'y'";
    QTest::addRow("empty param is 0") << bytes("\033[1mx\033[;3my") << "b:'x' i:'y'";
    QTest::addRow("curly underline 4:3") << bytes("\033[4:3mx\033[4:0my") << "u:'x' 'y'";

    // SGR colours
    QTest::addRow("fg 30-37") << bytes("\033[30ma\033[37mb") << "fg=0:'a' fg=7:'b'";
    QTest::addRow("fg 90-97") << bytes("\033[90ma\033[97mb") << "fg=8:'a' fg=15:'b'";
    QTest::addRow("bg 40-47") << bytes("\033[40ma\033[47mb") << "bg=0:'a' bg=7:'b'";
    QTest::addRow("bg 100-107") << bytes("\033[100ma\033[107mb") << "bg=8:'a' bg=15:'b'";
    QTest::addRow("combined") << bytes("\033[1;31;42mx") << "b,fg=1,bg=2:'x'";
    QTest::addRow("256 colours") << bytes("\033[38;5;196ma\033[48;5;21mb")
                                 << "fg=196:'a' fg=196,bg=21:'b'";
    QTest::addRow("truecolour fg") << bytes("\033[38;2;255;128;0mx") << "fg=#ff8000:'x'";
    QTest::addRow("truecolour bg") << bytes("\033[48;2;1;2;3mx") << "bg=#010203:'x'";
    QTest::addRow("colon 256") << bytes("\033[38:5:208mx") << "fg=208:'x'";
    QTest::addRow("colon truecolour") << bytes("\033[38:2::1:2:3mx") << "fg=#010203:'x'";
    QTest::addRow("colon truecolour with colourspace")
            << bytes("\033[48:2:0:10:20:30mx") << "bg=#0a141e:'x'";
    QTest::addRow("colon truecolour without colourspace")
            << bytes("\033[38:2:1:2:3mx") << "fg=#010203:'x'";
    QTest::addRow("extended colour among others") << bytes("\033[1;38;5;10;4mx") << "b,u,fg=10:'x'";
    QTest::addRow("colon colour among others")
            << bytes("\033[1;38:2::9:8:7;4mx") << "b,u,fg=#090807:'x'";
    QTest::addRow("default fg and bg")
            << bytes("\033[31;41mx\033[39my\033[49mz") << "fg=1,bg=1:'x' bg=1:'y' 'z'";
    QTest::addRow("out of range colour ignored") << bytes("\033[38;5;300;1mx") << "b:'x'";
    QTest::addRow("truncated colour ignored") << bytes("\033[31m\033[38;5mx") << "fg=1:'x'";
    QTest::addRow("underline colour skipped") << bytes("\033[58;2;1;2;3;1mx") << "b:'x'";

    // Spans
    QTest::addRow("same style merged") << bytes("\033[1ma\033[1mb\033[0m\033[1mc") << "b:'abc'";
    QTest::addRow("style without text") << bytes("\033[1m\033[0mx\033[32m") << "'x'";
    QTest::addRow("cr then style") << bytes("a\r\033[32mdone\033[0m\n") << "'a' CR fg=2:'done' NL";

    // Other CSI sequences
    QTest::addRow("cursor movement")
            << bytes("a\033[2Ab\033[10;20Hc\033[5Gd\033[s\033[u") << "'abcd'";
    QTest::addRow("erase line") << bytes("\r\033[Kdone") << "CR 'done'";
    QTest::addRow("clear screen") << bytes("\033[2J\033[Hx\033[0J") << "'x'";
    QTest::addRow("private modes") << bytes("\033[?25lx\033[?25h\033[?2004h") << "'x'";
    QTest::addRow("private m is not SGR") << bytes("\033[>4;2mx") << "'x'";
    QTest::addRow("csi with intermediate") << bytes("\033[2 qx") << "'x'";
    QTest::addRow("csi broken by newline") << bytes("\033[1\nx") << "NL 'x'";
    QTest::addRow("csi broken by utf8") << bytes("\033[1\xc3\xa9x") << R"('\u00e9x')";
    QTest::addRow("csi cancelled") << bytes("\033[1\030x") << "'x'";

    // OSC and other strings
    QTest::addRow("title with BEL") << bytes("\033]0;my title\007x") << "'x'";
    QTest::addRow("title with ST") << bytes("\033]2;title\033\\x") << "'x'";
    QTest::addRow("hyperlink keeps text")
            << bytes("see \033]8;;https://example.com/a?b=c\033\\link\033]8;;\033\\ here")
            << "'see link here'";
    QTest::addRow("hyperlink with BEL")
            << bytes("\033]8;id=1;file:///x\007name\033]8;;\007") << "'name'";
    QTest::addRow("osc with utf8 payload") << bytes("\033]0;caf\xc3\xa9\007x") << "'x'";
    QTest::addRow("osc ended by other escape") << bytes("\033]0;t\033[1mx") << "b:'x'";
    QTest::addRow("osc cancelled") << bytes("\033]0;t\030x") << "'x'";
    QTest::addRow("dcs") << bytes("\033P1$r0m\033\\x") << "'x'";
    QTest::addRow("apc") << bytes("\033_Gf=100;AAAA\033\\x") << "'x'";

    // Two-byte and other escapes
    QTest::addRow("charset, keypad, cursor save")
            << bytes("\033(Bx\033=y\0337z\0338w\033>v\033M") << "'xyzwv'";
    QTest::addRow("escape with intermediates") << bytes("\033#8x\033%Gy") << "'xy'";
    QTest::addRow("full reset") << bytes("\033[1ma\033cb") << "b:'a' 'b'";
    QTest::addRow("escape escape") << bytes("\033\033[1mx") << "b:'x'";
    QTest::addRow("escape then newline") << bytes("a\033\nb") << "'a' NL 'b'";
    QTest::addRow("escape at end") << bytes("a\033") << "'a'";

    // The length limit, exactly: ESC [ and the parameters up to the final byte may be 4096 bytes.
    const qsizetype limit = AnsiParser::MaxSequenceLength;
    QTest::addRow("sequence at the length limit") << "\033[" + QByteArray(limit - 4, '0') + "1mx"
                                                  << "b:'x'";
    QTest::addRow("sequence over the length limit, dropped")
            << "\033[" + QByteArray(limit - 3, '0') + "1mx"
            << "'mx'";
    QTest::addRow("long hyperlink within the limit")
            << "\033]8;;" + QByteArray(limit - 7, 'u') + "\033\\link"
            << "'link'";
}

void TestAnsiParser::parse()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);

    QCOMPARE(describe(parseAll({input})), expected);
}

void TestAnsiParser::parseSplit()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);

    const QList<AnsiEvent> whole = parseAll({input});
    for (qsizetype split = 0; split <= input.size(); ++split) {
        const QByteArray first = input.first(split);
        const QByteArray second = input.sliced(split);

        // Into one list: feed() itself must merge across the boundary.
        const QList<AnsiEvent> oneList = parseAll({first, second});
        if (oneList != whole)
            qWarning() << "split at" << split;
        QCOMPARE(describe(oneList), expected);
        QCOMPARE(oneList, whole);

        // Into two lists, merged afterwards.
        AnsiParser parser;
        QList<AnsiEvent> a, b;
        parser.feed(first, &a);
        parser.feed(second, &b);
        parser.finish(&b);
        QCOMPARE(merged(a + b), whole);
    }
}

void TestAnsiParser::parseByteByByte()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);

    QList<QByteArray> chunks;
    for (const char c : std::as_const(input))
        chunks.append(QByteArray(1, c));
    QCOMPARE(describe(parseAll(chunks)), expected);
}

void TestAnsiParser::carriageReturnHeldUntilNextByte()
{
    AnsiParser parser;
    QList<AnsiEvent> events;
    parser.feed("a\r", &events);
    QCOMPARE(describe(events), "'a'");
    parser.feed("\n", &events);
    QCOMPARE(describe(events), "'a' NL");
    parser.feed("b\r", &events);
    parser.feed("c", &events);
    QCOMPARE(describe(events), "'a' NL 'b' CR 'c'");
    parser.feed("\r", &events);
    parser.finish(&events);
    QCOMPARE(describe(events), "'a' NL 'b' CR 'c' CR");
}

void TestAnsiParser::currentStyle()
{
    AnsiParser parser;
    QList<AnsiEvent> events;
    QCOMPARE(parser.currentStyle(), TextStyle());

    parser.feed("\033[1;3;38;2;1;2;3;48;5;17m", &events);
    TextStyle expected;
    expected.bold = true;
    expected.italic = true;
    expected.fg = TextColor::rgb(1, 2, 3);
    expected.bg = TextColor::indexed(17);
    QCOMPARE(parser.currentStyle(), expected);
    QVERIFY(events.isEmpty());

    // A style set in one chunk applies to text in the next.
    parser.feed("x", &events);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.constFirst().span, (TextSpan{QStringLiteral("x"), expected}));

    parser.feed("\033[0m", &events);
    QCOMPARE(parser.currentStyle(), TextStyle());
}

void TestAnsiParser::resetDropsPartialSequence()
{
    AnsiParser parser;
    QList<AnsiEvent> events;
    parser.feed("\033[1mx\033[3", &events);
    parser.reset();
    QCOMPARE(parser.currentStyle(), TextStyle());
    parser.feed("my", &events);
    QCOMPARE(describe(events), "b:'x' 'my'");
}

void TestAnsiParser::feedMergesIntoExistingEvents()
{
    AnsiParser parser;
    QList<AnsiEvent> events{AnsiEvent{AnsiEvent::Text, TextSpan{QStringLiteral("before "), {}}}};
    parser.feed("after\033[1m!", &events);
    QCOMPARE(describe(events), "'before after' b:'!'");
}

void TestAnsiParser::stripToPlainText_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("expected");

    QTest::addRow("empty") << bytes("") << "";
    QTest::addRow("plain") << bytes("hello") << "hello";
    QTest::addRow("colours") << bytes("\033[1;31merror:\033[0m \033[38;2;1;2;3mbad\033[m")
                             << "error: bad";
    QTest::addRow("line endings kept") << bytes("a\r\nb\rc\n") << "a\r\nb\rc\n";
    QTest::addRow("tab kept, other controls dropped") << bytes("a\tb\bc\007") << "a\tbc";
    QTest::addRow("cursor and erase stripped") << bytes("\r\033[K\033[2A50%\033[?25l") << "\r50%";
    QTest::addRow("title stripped") << bytes("\033]0;title\007text") << "text";
    QTest::addRow("hyperlink text kept")
            << bytes("\033]8;;https://example.com\033\\link\033]8;;\033\\") << "link";
    QTest::addRow("charset stripped") << bytes("\033(Bx") << "x";
    QTest::addRow("utf8") << bytes("\xe2\x9c\x93 ok") << QStringLiteral("\u2713 ok");
    QTest::addRow("invalid utf8") << bytes("a\xff"
                                           "b")
                                  << QStringLiteral("a\ufffdb");
    QTest::addRow("truncated utf8 at end") << bytes("a\xe2\x82") << QStringLiteral("a\ufffd");
    QTest::addRow("unterminated escape at end") << bytes("a\033[1") << "a";
}

void TestAnsiParser::stripToPlainText()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, expected);

    QCOMPARE(AnsiParser::stripToPlainText(input), expected);
}

void TestAnsiParser::xterm256Rgb_data()
{
    QTest::addColumn<int>("index");
    QTest::addColumn<quint32>("rgb");

    QTest::addRow("0 black") << 0 << 0x000000u;
    QTest::addRow("1 red") << 1 << 0xcd0000u;
    QTest::addRow("4 blue") << 4 << 0x0000eeu;
    QTest::addRow("9 bright red") << 9 << 0xff0000u;
    QTest::addRow("12 bright blue") << 12 << 0x5c5cffu;
    QTest::addRow("15 white") << 15 << 0xffffffu;
    QTest::addRow("16 cube start") << 16 << 0x000000u;
    QTest::addRow("67 cube 1,2,3") << 67 << 0x5f87afu;
    QTest::addRow("196 cube red") << 196 << 0xff0000u;
    QTest::addRow("231 cube end") << 231 << 0xffffffu;
    QTest::addRow("232 grey start") << 232 << 0x080808u;
    QTest::addRow("244 grey middle") << 244 << 0x808080u;
    QTest::addRow("255 grey end") << 255 << 0xeeeeeeu;
    QTest::addRow("-1 out of range") << -1 << 0u;
    QTest::addRow("256 out of range") << 256 << 0u;
}

void TestAnsiParser::xterm256Rgb()
{
    QFETCH(int, index);
    QFETCH(quint32, rgb);

    QCOMPARE(Parallax::xterm256Rgb(index), rgb);
}

void TestAnsiParser::plainTextFlood()
{
    QByteArray input;
    input.reserve(4 << 20);
    while (input.size() < (4 << 20))
        input += "The quick brown fox jumps over the lazy dog. \xc3\xa9\xe2\x82\xac\t";
    input.truncate(4 << 20);
    const QString expected = QString::fromUtf8(input);

    // In one call, and in chunks of an odd size that cut UTF-8 characters.
    for (const qsizetype chunkSize : {input.size(), qsizetype(65521)}) {
        AnsiParser parser;
        QList<AnsiEvent> events;
        for (qsizetype pos = 0; pos < input.size(); pos += chunkSize)
            parser.feed(QByteArrayView(input).sliced(pos, qMin(chunkSize, input.size() - pos)),
                        &events);
        parser.finish(&events);
        QCOMPARE(events.size(), 1);
        QCOMPARE(events.constFirst().kind, AnsiEvent::Text);
        QVERIFY(events.constFirst().span.text == expected);
    }
}

void TestAnsiParser::unterminatedOscIsBounded()
{
    const qsizetype floodSize = 1 << 20;
    AnsiParser parser;
    QList<AnsiEvent> events;
    parser.feed("before\033]0;", &events);
    const QByteArray flood(4096, 'x');
    for (qsizetype fed = 0; fed < floodSize; fed += flood.size())
        parser.feed(flood, &events);
    parser.feed("\033[1mafter", &events);

    // ESC ] 0 ; and the first 4092 x are the abandoned sequence; the rest is output again.
    const qsizetype shown = floodSize - (AnsiParser::MaxSequenceLength - 4);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).span.text, QStringLiteral("before") + QString(shown, QLatin1Char('x')));
    QCOMPARE(describe({events.at(1)}), "b:'after'");
}

void TestAnsiParser::unterminatedCsiIsBounded()
{
    const qsizetype floodSize = 1 << 20;
    AnsiParser parser;
    QList<AnsiEvent> events;
    parser.feed("\033[", &events);
    parser.feed(QByteArray(floodSize, '1'), &events);
    parser.feed("\033[3mafter", &events);

    const qsizetype shown = floodSize - (AnsiParser::MaxSequenceLength - 2);
    QCOMPARE(events.size(), 2);
    QCOMPARE(events.at(0).span.text, QString(shown, QLatin1Char('1')));
    QCOMPARE(describe({events.at(1)}), "i:'after'");
}

void TestAnsiParser::throughput()
{
    // What an agent's terminal typically shows: coloured log lines, a progress bar redrawn
    // with \r, some UTF-8.
    QByteArray sample;
    for (int i = 0; i < 200; ++i) {
        sample += "\033[32m\xe2\x9c\x93\033[0m test_" + QByteArray::number(i)
                  + " \033[2m(12 ms)\033[22m passed with \033[1;38;5;208mwarnings\033[0m\r\n";
        sample += "\r\033[K[=====>    ] 50% \033[38;2;10;20;30mdownloading\033[39m layer "
                  "sha256:abcdef";
    }
    QByteArray plain(sample.size(), 'a');
    for (qsizetype i = 79; i < plain.size(); i += 80)
        plain[i] = '\n';

    const qsizetype total = 64 << 20;
    const qsizetype chunk = 64 << 10;
    for (const auto &[name, unit] : {std::pair{"styled", &sample}, std::pair{"plain", &plain}}) {
        QByteArray input;
        while (input.size() < chunk)
            input += *unit;
        input.truncate(chunk);

        AnsiParser parser;
        QList<AnsiEvent> events;
        qsizetype eventCount = 0;
        QElapsedTimer timer;
        timer.start();
        for (qsizetype fed = 0; fed < total; fed += chunk) {
            parser.feed(input, &events);
            eventCount += events.size();
            events.clear(); // as a pane would after each flush
        }
        const double seconds = qMax<qint64>(timer.nsecsElapsed(), 1) / 1e9;
        qDebug("%s: %lld MiB in %.3f s = %.0f MiB/s (%lld events)",
               name,
               qlonglong(total >> 20),
               seconds,
               (total >> 20) / seconds,
               qlonglong(eventCount));
        QVERIFY(eventCount > 0);
    }
}

QTEST_GUILESS_MAIN(TestAnsiParser)
#include "tst_ansiparser.moc"

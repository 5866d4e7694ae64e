#include "docker/chunkeddecoder.h"

#include <QRandomGenerator>
#include <QTest>

#include "splitfeeding.h"

using namespace Parallax;
using namespace Parallax::TestSplit;

namespace {

// Everything observable about one decoding, so that two ways of feeding can be compared.
struct Decoded
{
    QByteArray body;
    qsizetype consumed = 0; // the sum of what feed() returned
    bool finished = false;
    bool failed = false;
    QString error;
    bool contractBroken = false; // feed() stopped short before the end, or lied about failure

    bool operator==(const Decoded &) const = default;

    QString toString() const
    {
        return QLatin1String("body ") + abbreviated(body) + QLatin1String(", consumed ")
               + QString::number(consumed) + QLatin1String(", finished ") + yesNo(finished)
               + QLatin1String(", failed ") + yesNo(failed) + QLatin1String(", error '") + error
               + QLatin1Char('\'')
               + (contractBroken ? QLatin1String(", CONTRACT BROKEN") : QLatin1String());
    }
};

Decoded decode(QByteArrayView input, const Split &split)
{
    ChunkedDecoder decoder;
    Decoded result;
    feedPieces(input, split, [&](QByteArrayView piece) {
        const qsizetype n = decoder.feed(piece, &result.body);
        if (n < 0) {
            if (!decoder.hasError())
                result.contractBroken = true;
            return false;
        }
        // Everything is consumed until the terminating chunk; never more than was given.
        if (n > piece.size() || (n < piece.size() && !decoder.isFinished()))
            result.contractBroken = true;
        result.consumed += n;
        return true;
    });
    result.finished = decoder.isFinished();
    result.failed = decoder.hasError();
    result.error = decoder.errorString();
    // Once failed, it stays failed: every later feed, even an empty one, says so.
    if (result.failed
        && (decoder.feed("1\r\nx\r\n", &result.body) != -1 || decoder.feed({}, &result.body) != -1))
        result.contractBroken = true;
    return result;
}

QByteArray chunk(const QByteArray &payload, const QByteArray &sizeSuffix = {})
{
    return QByteArray::number(payload.size(), 16) + sizeSuffix + "\r\n" + payload + "\r\n";
}

} // namespace

class tst_ChunkedDecoder : public QObject
{
    Q_OBJECT

private slots:
    void decode_data();
    void decode();
    void errors_data();
    void errors();
    void sizeLineIsBounded();
    void payloadIsNotHeldBack();
    void stopsAfterTerminator();
    void reset();
};

void tst_ChunkedDecoder::decode_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("finished");
    // Bytes consumed when finished; the input size otherwise.
    QTest::addColumn<qsizetype>("consumed");

    const auto row = [](const char *name, const QByteArray &input, const QByteArray &body) {
        QTest::addRow("%s", name) << input << body << true << input.size();
    };
    row("one chunk", "5\r\nhello\r\n0\r\n\r\n", "hello");
    row("empty body", "0\r\n\r\n", "");
    row("several chunks",
        "3\r\nabc\r\n1\r\nd\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n",
        "abcd0123456789abcdef");
    row("uppercase hex",
        "A\r\n0123456789\r\n1F\r\n" + QByteArray(31, 'x') + "\r\n0\r\n\r\n",
        "0123456789" + QByteArray(31, 'x'));
    row("mixed case hex",
        "1a\r\n" + QByteArray(26, 'y') + "\r\n1B\r\n" + QByteArray(27, 'z') + "\r\n0\r\n\r\n",
        QByteArray(26, 'y') + QByteArray(27, 'z'));
    row("leading zeros", "0005\r\nhello\r\n000\r\n\r\n", "hello");
    row("extensions",
        "5;name=value\r\nhello\r\n6;a;b=\"q;u\"\r\n world\r\n0;last\r\n\r\n",
        "hello world");
    row("whitespace before extension", "5 ;ext\r\nhello\r\n0 \r\n\r\n", "hello");
    row("trailers", "5\r\nhello\r\n0\r\nX-Trailer: one\r\nX-Other: two\r\n\r\n", "hello");
    row("LF-only line ends", "5\nhello\n6\n world\n0\n\n", "hello world");
    row("LF-only with trailer", "5\nhello\n0\nX-Trailer: x\n\n", "hello");
    row("mixed line ends", "5\r\nhello\n6\n world\r\n0\n\r\n", "hello world");
    row("payload with CRLF and NUL",
        chunk(bytes("a\r\n0\r\n\r\n\0b")) + "0\r\n\r\n",
        bytes("a\r\n0\r\n\r\n\0b"));
    row("docker events",
        chunk(R"({"status":"create","id":"4f1c","Type":"container","Action":"create"})"
              "\n")
                + chunk(R"({"status":"start","id":"4f1c","Type":"container","Action":"start"})"
                        "\n")
                + "0\r\n\r\n",
        R"({"status":"create","id":"4f1c","Type":"container","Action":"create"})"
        "\n"
        R"({"status":"start","id":"4f1c","Type":"container","Action":"start"})"
        "\n");
    row("size line of 1023 bytes", "5;" + QByteArray(1021, 'e') + "\nhello\r\n0\r\n\r\n", "hello");
    row("size line of 1023 bytes and CR",
        "5;" + QByteArray(1021, 'e') + "\r\nhello\r\n0\r\n\r\n",
        "hello");

    const QByteArray k16 = pattern(16 * 1024);
    row("16 KiB chunk", chunk(k16) + "0\r\n\r\n", k16);
    const QByteArray m1 = pattern(1024 * 1024);
    row("1 MiB chunk", chunk(m1) + "0\r\n\r\n", m1);
    QByteArray sixteens;
    for (qsizetype at = 0; at < m1.size(); at += 16 * 1024)
        sixteens += chunk(m1.mid(at, 16 * 1024));
    row("1 MiB in 16 KiB chunks", sixteens + "0\r\n\r\n", m1);

    QTest::addRow("bytes after the terminator")
            << QByteArray("5\r\nhello\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n") << QByteArray("hello")
            << true << qsizetype(15);
    QTest::addRow("unfinished: inside size line")
            << QByteArray("5\r\nhello\r\n1") << QByteArray("hello") << false << qsizetype(11);
    QTest::addRow("unfinished: inside payload")
            << QByteArray("a\r\nhello") << QByteArray("hello") << false << qsizetype(8);
    QTest::addRow("unfinished: before CRLF after payload")
            << QByteArray("5\r\nhello") << QByteArray("hello") << false << qsizetype(8);
    QTest::addRow("unfinished: in trailers") << QByteArray("5\r\nhello\r\n0\r\nX-T: 1\r\n")
                                             << QByteArray("hello") << false << qsizetype(21);
    QTest::addRow("unfinished: nothing") << QByteArray() << QByteArray() << false << qsizetype(0);
}

void tst_ChunkedDecoder::decode()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, body);
    QFETCH(bool, finished);
    QFETCH(qsizetype, consumed);

    const QList<Split> splits = splitsFor(input.size());
    const Decoded reference = ::decode(input, splits.first());
    QVERIFY2(!reference.contractBroken, qPrintable(reference.toString()));
    QVERIFY2(!reference.failed, qPrintable(reference.error));
    QCOMPARE(reference.body, body);
    QCOMPARE(reference.finished, finished);
    QCOMPARE(reference.consumed, consumed);
    for (const Split &split : splits) {
        const Decoded got = ::decode(input, split);
        QVERIFY2(got == reference,
                 qPrintable(QStringLiteral("%1: %2\nwhole: %3")
                                    .arg(split.name(), got.toString(), reference.toString())));
    }
}

void tst_ChunkedDecoder::errors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("bodyBeforeError");
    QTest::addColumn<QString>("error");

    const QString badSize = QStringLiteral("bad chunk size");
    QTest::addRow("not hex") << QByteArray("xyz\r\nabc\r\n") << QByteArray() << badSize;
    QTest::addRow("negative") << QByteArray("-1\r\n") << QByteArray() << badSize;
    QTest::addRow("0x prefix") << QByteArray("0x5\r\nhello\r\n") << QByteArray() << badSize;
    QTest::addRow("empty size line") << QByteArray("\r\nhello\r\n") << QByteArray() << badSize;
    QTest::addRow("only an extension") << QByteArray(";ext\r\n") << QByteArray() << badSize;
    QTest::addRow("space inside size") << QByteArray("1 0\r\n") << QByteArray() << badSize;
    QTest::addRow("above 2^40") << QByteArray("10000000001\r\n") << QByteArray() << badSize;
    QTest::addRow("64-bit overflow")
            << QByteArray("ffffffffffffffffffff\r\n") << QByteArray() << badSize;
    QTest::addRow("bad size after a good chunk")
            << QByteArray("5\r\nhello\r\nzz\r\nmore\r\n") << QByteArray("hello") << badSize;
    QTest::addRow("HTTP instead of a size")
            << QByteArray("HTTP/1.1 200 OK\r\n\r\n") << QByteArray() << badSize;
    QTest::addRow("payload longer than its size")
            << QByteArray("5\r\nhello world\r\n0\r\n\r\n") << QByteArray("hello")
            << QStringLiteral("missing CRLF after chunk data");
    QTest::addRow("CR then something else")
            << QByteArray("5\r\nhello\rX0\r\n\r\n") << QByteArray("hello")
            << QStringLiteral("missing LF after chunk data");
    QTest::addRow("endless size line")
            << QByteArray(4096, '1') << QByteArray() << QStringLiteral("line too long");
    QTest::addRow("size line of 1024 bytes and CR")
            << "5;" + QByteArray(1022, 'e') + "\r\nhello\r\n0\r\n\r\n"
            << QByteArray() << QStringLiteral("line too long");
    QTest::addRow("size line of 1025 bytes")
            << "5;" + QByteArray(1023, 'e') + "\nhello\r\n0\r\n\r\n"
            << QByteArray() << QStringLiteral("line too long");
    QTest::addRow("endless trailer line")
            << "5\r\nhello\r\n0\r\nX-Trailer: " + QByteArray(2000, 't') << QByteArray("hello")
            << QStringLiteral("line too long");
}

void tst_ChunkedDecoder::errors()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, bodyBeforeError);
    QFETCH(QString, error);

    const QList<Split> splits = splitsFor(input.size());
    const Decoded reference = ::decode(input, splits.first());
    QVERIFY2(!reference.contractBroken, qPrintable(reference.toString()));
    QVERIFY(reference.failed);
    QVERIFY(!reference.finished);
    QVERIFY2(reference.error.contains(error), qPrintable(reference.error));
    QVERIFY2(reference.error.startsWith(QLatin1String("malformed chunked body")),
             qPrintable(reference.error));
    QCOMPARE(reference.body, bodyBeforeError);
    for (const Split &split : splits) {
        Decoded got = ::decode(input, split);
        // How much was consumed before the failing feed depends on the split; nothing else may.
        got.consumed = reference.consumed;
        QVERIFY2(got == reference,
                 qPrintable(QStringLiteral("%1: %2\nwhole: %3")
                                    .arg(split.name(), got.toString(), reference.toString())));
    }
}

// A size line that never ends fails within one feed of the limit: the decoder never buffers
// more than kMaxLineLength bytes of it.
void tst_ChunkedDecoder::sizeLineIsBounded()
{
    for (const qsizetype feedSize : {1, 100, 1000, 4096}) {
        ChunkedDecoder decoder;
        QByteArray out;
        const QByteArray piece(feedSize, 'a');
        qsizetype fed = 0;
        while (decoder.feed(piece, &out) >= 0) {
            fed += feedSize;
            QVERIFY2(fed <= ChunkedDecoder::kMaxLineLength, qPrintable(QString::number(fed)));
        }
        QVERIFY(decoder.hasError());
        QVERIFY(out.isEmpty());
    }
}

// Payload bytes are handed on as they arrive, not when the chunk is complete.
void tst_ChunkedDecoder::payloadIsNotHeldBack()
{
    ChunkedDecoder decoder;
    QByteArray out;
    QCOMPARE(decoder.feed("100000\r\n", &out), 8);
    const QByteArray half(0x80000, 'p');
    QCOMPARE(decoder.feed(half, &out), half.size());
    QCOMPARE(out.size(), half.size());
    QCOMPARE(decoder.feed(half, &out), half.size());
    QCOMPARE(out.size(), 2 * half.size());
    QVERIFY(!decoder.isFinished());
    QCOMPARE(decoder.feed("\r\n0\r\n\r\n", &out), 7);
    QVERIFY(decoder.isFinished());
}

void tst_ChunkedDecoder::stopsAfterTerminator()
{
    ChunkedDecoder decoder;
    QByteArray out;
    const QByteArray input = "3\r\nabc\r\n0\r\n\r\nnext response";
    QCOMPARE(decoder.feed(input, &out), input.indexOf("next"));
    QVERIFY(decoder.isFinished());
    QCOMPARE(decoder.feed("more", &out), 0);
    QCOMPARE(out, QByteArray("abc"));
    QVERIFY(!decoder.hasError());
}

void tst_ChunkedDecoder::reset()
{
    ChunkedDecoder decoder;
    QByteArray out;
    QCOMPARE(decoder.feed("zz\r\n", &out), -1);
    QVERIFY(decoder.hasError());
    decoder.reset();
    QVERIFY(!decoder.hasError());
    QVERIFY(decoder.errorString().isEmpty());
    QCOMPARE(decoder.feed("2\r\nok\r\n0\r\n\r\n", &out), 12);
    QVERIFY(decoder.isFinished());
    QCOMPARE(out, QByteArray("ok"));

    // A reset in the middle of a size line forgets it.
    decoder.reset();
    out.clear();
    QCOMPARE(decoder.feed("ff", &out), 2);
    decoder.reset();
    QCOMPARE(decoder.feed("1\r\nx\r\n0\r\n\r\n", &out), 11);
    QCOMPARE(out, QByteArray("x"));
}

QTEST_GUILESS_MAIN(tst_ChunkedDecoder)
#include "tst_chunkeddecoder.moc"

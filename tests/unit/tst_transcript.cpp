#include "transcript/jsonstring.h"
#include "transcript/transcriptreader.h"
#include "transcript/transcriptwriter.h"
#include "util/backgroundwriter.h"
#include "util/clock.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

namespace {

// What the file holds once the writer thread has written everything handed to it.
QByteArray readAll(const QString &path)
{
    BackgroundWriter::instance().drain();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

bool appendRaw(const QString &path, const QByteArray &bytes)
{
    BackgroundWriter::instance().drain(); // after what the writer thread still has
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Append) && file.write(bytes) == bytes.size();
}

QList<TranscriptChunk>
readChunks(const QString &path, QString *error = nullptr, bool *torn = nullptr)
{
    TranscriptReader reader;
    QList<TranscriptChunk> chunks;
    if (!reader.open(path))
        return chunks;
    TranscriptChunk chunk;
    while (reader.next(&chunk))
        chunks.append(chunk);
    if (error)
        *error = reader.errorString();
    if (torn)
        *torn = reader.tornTail();
    return chunks;
}

StreamType streamOf(char c)
{
    return c == 'e' ? StreamType::Stderr : StreamType::Stdout;
}

QByteArray everyByte(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char(i * 7 % 256);
    return bytes;
}

QByteArray megabyteOfText()
{
    // Valid UTF-8 with something to escape in every few bytes, 1 MiB ending in a newline.
    const QByteArray pattern
            = "plain \"quoted\" back\\slash\ttab \x01\x7f caf\xc3\xa9 \xf0\x9f\x9a\x80 ";
    QByteArray text;
    while (text.size() + pattern.size() < (1 << 20))
        text += pattern;
    text += QByteArray((1 << 20) - 1 - text.size(), 'x');
    text += '\n';
    return text;
}

const QByteArray kTime = "2026-11-23T21:40:01.123456789Z";

} // namespace

class TranscriptTest : public QObject
{
    Q_OBJECT

private slots:
    void formatRfc3339_data();
    void formatRfc3339();
    void parseRfc3339_data();
    void parseRfc3339();
    void nowRoundTrips();

    void recordLine_data();
    void recordLine();
    void escapeAtEveryOffset();
    void roundTrip_data();
    void roundTrip();
    void rawLengthRecorded();
    void daemonErrorNotRecorded();
    void tornTail_data();
    void tornTail();
    void corruptMiddleLine();
    void reopenContinues();
    void logRepairedOnReopen_data();
    void logRepairedOnReopen();
    void foreignJson_data();
    void foreignJson();
    void flood();

private:
    QTemporaryDir m_dir;
};

void TranscriptTest::formatRfc3339_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<int>("nanos");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("epoch") << qint64(0) << 0 << QByteArray("1970-01-01T00:00:00.000000000Z");
    QTest::addRow("example") << qint64(1795470001) << 123456789
                             << QByteArray("2026-11-23T21:40:01.123456789Z");
    QTest::addRow("leap day") << qint64(951825600) << 1
                              << QByteArray("2000-02-29T12:00:00.000000001Z");
    QTest::addRow("before epoch") << qint64(-1) << 999999999
                                  << QByteArray("1969-12-31T23:59:59.999999999Z");
    QTest::addRow("nanos carried")
            << qint64(0) << 1500000000 << QByteArray("1970-01-01T00:00:01.500000000Z");
    QTest::addRow("negative nanos")
            << qint64(1) << -1 << QByteArray("1970-01-01T00:00:00.999999999Z");
    QTest::addRow("year 9999") << qint64(253402300799) << 0
                               << QByteArray("9999-12-31T23:59:59.000000000Z");
}

void TranscriptTest::formatRfc3339()
{
    QFETCH(qint64, seconds);
    QFETCH(int, nanos);
    QFETCH(QByteArray, expected);
    QCOMPARE(rfc3339Nanos(seconds, nanos), expected);
}

void TranscriptTest::parseRfc3339_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<int>("nanos");
    QTest::addRow("nanos Z") << QByteArray("2026-11-23T21:40:01.123456789Z") << true
                             << qint64(1795470001) << 123456789;
    QTest::addRow("no fraction") << QByteArray("2026-11-23T21:40:01Z") << true << qint64(1795470001)
                                 << 0;
    QTest::addRow("short fraction")
            << QByteArray("2026-11-23T21:40:01.5Z") << true << qint64(1795470001) << 500000000;
    QTest::addRow("3 digits") << QByteArray("2026-11-23T21:40:01.012Z") << true
                              << qint64(1795470001) << 12000000;
    QTest::addRow("more than 9 digits truncated") << QByteArray("2026-11-23T21:40:01.1234567899Z")
                                                  << true << qint64(1795470001) << 123456789;
    QTest::addRow("+02:00") << QByteArray("2026-11-23T23:40:01.25+02:00") << true
                            << qint64(1795470001) << 250000000;
    QTest::addRow("-05:30") << QByteArray("2026-11-23T16:10:01-05:30") << true << qint64(1795470001)
                            << 0;
    QTest::addRow("+00:00") << QByteArray("2026-11-23T21:40:01+00:00") << true << qint64(1795470001)
                            << 0;
    QTest::addRow("offset crosses midnight")
            << QByteArray("2026-11-24T03:10:01+05:30") << true << qint64(1795470001) << 0;
    QTest::addRow("lowercase") << QByteArray("2026-11-23t21:40:01z") << true << qint64(1795470001)
                               << 0;
    QTest::addRow("space") << QByteArray("2026-11-23 21:40:01Z") << true << qint64(1795470001) << 0;
    QTest::addRow("leap day 2000")
            << QByteArray("2000-02-29T12:00:00Z") << true << qint64(951825600) << 0;
    QTest::addRow("leap second") << QByteArray("2016-12-31T23:59:60Z") << true << qint64(1483228800)
                                 << 0;
    QTest::addRow("before epoch") << QByteArray("1969-12-31T23:59:59.999999999Z") << true
                                  << qint64(-1) << 999999999;
    QTest::addRow("no zone") << QByteArray("2026-11-23T21:40:01") << false << qint64(0) << 0;
    QTest::addRow("no zone, fraction")
            << QByteArray("2026-11-23T21:40:01.5") << false << qint64(0) << 0;
    QTest::addRow("empty fraction")
            << QByteArray("2026-11-23T21:40:01.Z") << false << qint64(0) << 0;
    QTest::addRow("month 13") << QByteArray("2026-13-23T21:40:01Z") << false << qint64(0) << 0;
    QTest::addRow("day 0") << QByteArray("2026-11-00T21:40:01Z") << false << qint64(0) << 0;
    QTest::addRow("Feb 29 2023") << QByteArray("2023-02-29T00:00:00Z") << false << qint64(0) << 0;
    QTest::addRow("Feb 29 1900") << QByteArray("1900-02-29T00:00:00Z") << false << qint64(0) << 0;
    QTest::addRow("hour 24") << QByteArray("2026-11-23T24:00:00Z") << false << qint64(0) << 0;
    QTest::addRow("short offset") << QByteArray("2026-11-23T21:40:01+2:00") << false << qint64(0)
                                  << 0;
    QTest::addRow("offset no colon")
            << QByteArray("2026-11-23T21:40:01+0200") << false << qint64(0) << 0;
    QTest::addRow("trailing text")
            << QByteArray("2026-11-23T21:40:01Zx") << false << qint64(0) << 0;
    QTest::addRow("letters") << QByteArray("2026-1a-23T21:40:01Z") << false << qint64(0) << 0;
    QTest::addRow("empty") << QByteArray() << false << qint64(0) << 0;
}

void TranscriptTest::parseRfc3339()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QFETCH(qint64, seconds);
    QFETCH(int, nanos);
    const auto parsed = parseRfc3339Nanos(text);
    QCOMPARE(parsed.has_value(), valid);
    if (valid) {
        QCOMPARE(parsed->first, seconds);
        QCOMPARE(parsed->second, nanos);
    }
}

void TranscriptTest::nowRoundTrips()
{
    const QByteArray now = rfc3339Nanos();
    QCOMPARE(now.size(), 30);
    const auto parsed = parseRfc3339Nanos(now);
    QVERIFY(parsed);
    QCOMPARE(rfc3339Nanos(parsed->first, parsed->second), now);
    const qint64 systemNow = QDateTime::currentSecsSinceEpoch();
    QVERIFY(qAbs(parsed->first - systemNow) <= 2);
}

// The exact line the writer produces for one chunk.
void TranscriptTest::recordLine_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<char>("stream");
    QTest::addColumn<qint64>("rawLength");
    QTest::addColumn<QByteArray>("expected");
    const QByteArray prefix = "{\"t\":\"" + kTime + "\",\"s\":\"out\",";
    QTest::addRow("text") << QByteArray("hello world\n") << 'o' << qint64(-1)
                          << prefix + "\"d\":\"hello world\\n\"}\n";
    QTest::addRow("stderr") << QByteArray("oops") << 'e' << qint64(-1)
                            << "{\"t\":\"" + kTime + "\",\"s\":\"err\",\"d\":\"oops\"}\n";
    QTest::addRow("short escapes") << QByteArray("\"\\\b\f\n\r\t/") << 'o' << qint64(-1)
                                   << prefix + "\"d\":\"\\\"\\\\\\b\\f\\n\\r\\t/\"}\n";
    QTest::addRow("NUL") << QByteArray("a\0b", 3) << 'o' << qint64(-1)
                         << prefix + "\"d\":\"a\\u0000b\"}\n";
    QTest::addRow("ESC and DEL") << QByteArray("\x1b[1m\x7f\x1f") << 'o' << qint64(-1)
                                 << prefix + "\"d\":\"\\u001b[1m\\u007f\\u001f\"}\n";
    QTest::addRow("specials at every offset of an 8-byte block")
            << QByteArray("0123456\"89abcdef\\hijklmn\x7fpqrstu\x01") << 'o' << qint64(-1)
            << prefix + "\"d\":\"0123456\\\"89abcdef\\\\hijklmn\\u007fpqrstu\\u0001\"}\n";
    QTest::addRow("UTF-8 kept")
            << QByteArray("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80") << 'o' << qint64(-1)
            << prefix + "\"d\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x9a\x80\"}\n";
    QTest::addRow("invalid byte") << QByteArray("\xff") << 'o' << qint64(-1)
                                  << prefix + "\"b64\":\"/w==\"}\n";
    QTest::addRow("truncated sequence")
            << QByteArray("\xe2\x82") << 'o' << qint64(-1) << prefix + "\"b64\":\"4oI=\"}\n";
    QTest::addRow("overlong") << QByteArray("\xc0\xaf") << 'o' << qint64(-1)
                              << prefix + "\"b64\":\"wK8=\"}\n";
    QTest::addRow("surrogate") << QByteArray("\xed\xa0\x80") << 'o' << qint64(-1)
                               << prefix + "\"b64\":\"7aCA\"}\n";
    QTest::addRow("above U+10FFFF") << QByteArray("\xf4\x90\x80\x80") << 'o' << qint64(-1)
                                    << prefix + "\"b64\":\"9JCAgA==\"}\n";
    QTest::addRow("redacted") << QByteArray("k=\xe2\x80\xa2") << 'o' << qint64(9)
                              << prefix + "\"d\":\"k=\xe2\x80\xa2\",\"n\":9}\n";
    QTest::addRow("same length, no n")
            << QByteArray("abc") << 'o' << qint64(3) << prefix + "\"d\":\"abc\"}\n";
    QTest::addRow("all masked away")
            << QByteArray() << 'o' << qint64(4) << prefix + "\"d\":\"\",\"n\":4}\n";
    QTest::addRow("nothing") << QByteArray() << 'o' << qint64(0) << QByteArray();
}

// The escaper's fast paths (16 and 8 bytes at a time) against a byte-at-a-time reference:
// every byte value, and 2-, 3- and 4-byte UTF-8 sequences, at every offset of a 48-byte run of
// plain text, so that each lands inside and across the 16- and 8-byte blocks.
void TranscriptTest::escapeAtEveryOffset()
{
    const auto reference = [](const QByteArray &in, QByteArray *out) {
        out->clear();
        for (qsizetype i = 0; i < in.size(); ++i) {
            const uchar c = uchar(in[i]);
            if (c >= 0x80) {
                const int n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
                out->append(in.mid(i, n)); // only well-formed sequences are fed below
                i += n - 1;
            } else if (c == '"' || c == '\\') {
                out->append('\\').append(char(c));
            } else if (c == '\n') {
                out->append("\\n");
            } else if (c == '\r') {
                out->append("\\r");
            } else if (c == '\t') {
                out->append("\\t");
            } else if (c == '\b') {
                out->append("\\b");
            } else if (c == '\f') {
                out->append("\\f");
            } else if (c < 0x20 || c == 0x7F) {
                out->append(QByteArray("\\u00") + QByteArray::number(c, 16).rightJustified(2, '0'));
            } else {
                out->append(char(c));
            }
        }
    };
    const QByteArray plain = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKL"; // 48
    QList<QByteArray> inserts;
    for (int b = 0; b < 0x80; ++b)
        inserts.append(QByteArray(1, char(b)));
    inserts << QByteArray("\xc3\xa9") << QByteArray("\xe2\x82\xac")
            << QByteArray("\xf0\x9f\x9a\x80");
    int checked = 0;
    for (const QByteArray &insert : std::as_const(inserts)) {
        for (int at = 0; at <= plain.size(); ++at) {
            const QByteArray in = plain.left(at) + insert + plain.mid(at);
            QByteArray expected;
            reference(in, &expected);
            QByteArray got = "prefix";
            QVERIFY(JsonString::appendEscapedUtf8(got, in));
            QCOMPARE(got, "prefix" + expected);
            ++checked;
        }
    }
    // An invalid byte anywhere makes the whole chunk base64 (false, out untouched).
    for (int at = 0; at <= plain.size(); ++at) {
        QByteArray got = "prefix";
        QVERIFY(!JsonString::appendEscapedUtf8(got, plain.left(at) + '\xff' + plain.mid(at)));
        QCOMPARE(got, QByteArray("prefix"));
    }
    QCOMPARE(checked, (0x80 + 3) * 49);
}

void TranscriptTest::recordLine()
{
    QFETCH(QByteArray, bytes);
    QFETCH(char, stream);
    QFETCH(qint64, rawLength);
    QFETCH(QByteArray, expected);
    const QString dir = m_dir.filePath(QStringLiteral("line-%1").arg(QTest::currentDataTag()));
    TranscriptWriter writer;
    QVERIFY2(writer.open(dir, QStringLiteral("v1")), qPrintable(writer.errorString()));
    writer.append(streamOf(stream), bytes, rawLength, kTime);
    QVERIFY(writer.flush());
    QCOMPARE(readAll(writer.jsonlPath()), expected);
    writer.close();
    const auto chunks = readChunks(dir + QStringLiteral("/v1.jsonl"));
    QCOMPARE(chunks.size(), expected.isEmpty() ? 0 : 1);
    if (!chunks.isEmpty()) {
        QCOMPARE(chunks[0].data, bytes);
        QCOMPARE(chunks[0].time, kTime);
        QCOMPARE(chunks[0].stream, streamOf(stream));
        QCOMPARE(chunks[0].rawLength, rawLength < 0 ? bytes.size() : rawLength);
    }
}

void TranscriptTest::roundTrip_data()
{
    QTest::addColumn<QList<QByteArray>>("chunks");
    QTest::addColumn<QByteArray>("streams"); // 'o' stdout or 'e' stderr per chunk
    QTest::addColumn<int>("base64Chunks");

    QTest::addRow("progress bar") << QList<QByteArray>{"Pulling  10%\r",
                                                       "Pulling  55%\r",
                                                       "Pulling 100%\r\n",
                                                       "done\n"}
                                  << QByteArray("oooo") << 0;
    QTest::addRow("NUL bytes") << QList<QByteArray>{QByteArray("a\0b\n", 4),
                                                    QByteArray("\0\0\0", 3)}
                               << QByteArray("oe") << 0;
    QTest::addRow("invalid UTF-8")
            << QList<QByteArray>{"ok\n", "bad \xff\xfe\x80 bytes\n", "ok again\n"}
            << QByteArray("ooo") << 1;
    QTest::addRow("1 MiB line") << QList<QByteArray>{QByteArray((1 << 20) - 1, 'x') + '\n'}
                                << QByteArray("o") << 0;
    QTest::addRow("1 MiB of escapes and UTF-8")
            << QList<QByteArray>{megabyteOfText()} << QByteArray("e") << 0;
    QTest::addRow("1 MiB of every byte value")
            << QList<QByteArray>{everyByte(1 << 20)} << QByteArray("o") << 1;
    QTest::addRow("multibyte char split") << QList<QByteArray>{"price: \xe2\x82",
                                                               "\xac"
                                                               "5\n"}
                                          << QByteArray("oo") << 2;
    QTest::addRow("emoji split in three")
            << QList<QByteArray>{"go \xf0\x9f", "\x9a", "\x80!\n"} << QByteArray("eee") << 3;
    QTest::addRow("final chunk without newline")
            << QList<QByteArray>{"line 1\nline 2\n", "prompt> "} << QByteArray("oo") << 0;
    QTest::addRow("JSON specials")
            << QList<QByteArray>{"{\"key\": \"va\\lue\"}\t/\b\f\n", "\\u0041 \"\n"}
            << QByteArray("oe") << 0;
    QTest::addRow("DEL") << QList<QByteArray>{"\x7f\x7f\n"} << QByteArray("o") << 0;
    QTest::addRow("emoji") << QList<QByteArray>{"\xf0\x9f\x9a\x80 done \xe2\x9c\x85\n",
                                                "\xf0\x9f\x98\x80\n"}
                           << QByteArray("oe") << 0;
    QByteArray controls;
    for (int c = 0; c < 0x20; ++c)
        controls += char(c);
    controls += '\x7f';
    QTest::addRow("all control characters") << QList<QByteArray>{controls} << QByteArray("o") << 0;
    QTest::addRow("interleaved streams") << QList<QByteArray>{"out 1\n",
                                                              "err 1\n",
                                                              "out 2\nout 3\n",
                                                              "err 2",
                                                              " continued\n",
                                                              "out 4\n"}
                                         << QByteArray("oeoeeo") << 0;
    QTest::addRow("CRLF") << QList<QByteArray>{"a\r\nb\r\n"} << QByteArray("o") << 0;
}

void TranscriptTest::roundTrip()
{
    QFETCH(QList<QByteArray>, chunks);
    QFETCH(QByteArray, streams);
    QFETCH(int, base64Chunks);
    QCOMPARE(chunks.size(), streams.size());

    const QString dir = m_dir.filePath(QStringLiteral("rt-%1").arg(QTest::currentDataTag()));
    QByteArray expected[2];
    QByteArray log;
    qint64 lines[2] = {0, 0};
    {
        TranscriptWriter writer;
        QVERIFY2(writer.open(dir, QStringLiteral("v1")), qPrintable(writer.errorString()));
        for (qsizetype i = 0; i < chunks.size(); ++i) {
            const StreamType stream = streamOf(streams[i]);
            writer.append(stream, chunks[i], chunks[i].size(), rfc3339Nanos());
            expected[streams[i] == 'e' ? 1 : 0] += chunks[i];
            lines[streams[i] == 'e' ? 1 : 0] += chunks[i].count('\n');
            log += chunks[i];
        }
        QVERIFY(writer.flush());
        QCOMPARE(writer.bytes(StreamType::Stdout), expected[0].size());
        QCOMPARE(writer.bytes(StreamType::Stderr), expected[1].size());
        QCOMPARE(writer.rawBytes(StreamType::Stdout), expected[0].size());
        QCOMPARE(writer.lines(StreamType::Stdout), lines[0]);
        QCOMPARE(writer.lines(StreamType::Stderr), lines[1]);
        writer.close();
    }
    const QString jsonl = dir + QStringLiteral("/v1.jsonl");

    // Every record is one line of valid JSON text; invalid UTF-8 chunks went to "b64".
    const QByteArray file = readAll(jsonl);
    QVERIFY(file.endsWith('\n'));
    QCOMPARE(file.count('\n'), chunks.size());
    QCOMPARE(file.count("\"b64\":"), base64Chunks);

    QString error;
    bool torn = true;
    const QList<TranscriptChunk> read = readChunks(jsonl, &error, &torn);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QVERIFY(!torn);
    QCOMPARE(read.size(), chunks.size());
    for (qsizetype i = 0; i < read.size(); ++i) {
        QCOMPARE(read[i].data, chunks[i]);
        QCOMPARE(read[i].stream, streamOf(streams[i]));
        QCOMPARE(read[i].rawLength, chunks[i].size());
        QVERIFY(parseRfc3339Nanos(read[i].time));
    }

    const auto out = TranscriptReader::readStream(jsonl, StreamType::Stdout);
    const auto err = TranscriptReader::readStream(jsonl, StreamType::Stderr);
    QVERIFY(out && err);
    QVERIFY(*out == expected[0]); // QVERIFY: a 1 MiB QCOMPARE failure message is unreadable
    QVERIFY(*err == expected[1]);
    QVERIFY(readAll(dir + QStringLiteral("/v1.log")) == log);

    const auto totals = TranscriptReader::scan(jsonl);
    QVERIFY(totals);
    QCOMPARE(totals->chunks, chunks.size());
    QCOMPARE(totals->bytes[0], expected[0].size());
    QCOMPARE(totals->bytes[1], expected[1].size());
    QCOMPARE(totals->rawBytes[1], expected[1].size());
    QCOMPARE(totals->lines[0], lines[0]);
    QCOMPARE(totals->lines[1], lines[1]);
    QCOMPARE(totals->validFileLength, file.size());
    QVERIFY(!totals->tornTail);
}

void TranscriptTest::rawLengthRecorded()
{
    const QString dir = m_dir.filePath(QStringLiteral("raw"));
    TranscriptWriter writer;
    QVERIFY(writer.open(dir, QStringLiteral("v1")));
    const QByteArray mask
            = "\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2\xe2\x80\xa2";
    writer.append(StreamType::Stdout, "token=", 6, kTime);
    writer.append(StreamType::Stdout, mask + "\n", 41, kTime);
    writer.append(StreamType::Stderr, "warn\n", 5, kTime);
    QCOMPARE(writer.bytes(StreamType::Stdout), 6 + 19);
    QCOMPARE(writer.rawBytes(StreamType::Stdout), 47);
    QCOMPARE(writer.rawBytes(StreamType::Stderr), 5);
    writer.close();

    const auto chunks = readChunks(writer.jsonlPath());
    QCOMPARE(chunks.size(), 3);
    QCOMPARE(chunks[1].data, mask + "\n");
    QCOMPARE(chunks[1].rawLength, 41);
    const auto totals = TranscriptReader::scan(writer.jsonlPath());
    QVERIFY(totals);
    QCOMPARE(totals->rawBytes[0], 47);
    QCOMPARE(totals->bytes[0], 25);
    QCOMPARE(totals->rawBytes[1], 5);
}

void TranscriptTest::daemonErrorNotRecorded()
{
    const QString dir = m_dir.filePath(QStringLiteral("daemon"));
    TranscriptWriter writer;
    QVERIFY(writer.open(dir, QStringLiteral("v1")));
    writer.append(StreamType::DaemonError, "daemon says no", 14, kTime);
    writer.close();
    QCOMPARE(readAll(writer.jsonlPath()), QByteArray());
    QCOMPARE(writer.bytes(StreamType::DaemonError), 0);
}

void TranscriptTest::tornTail_data()
{
    QTest::addColumn<QByteArray>("tail");
    QTest::addColumn<bool>("torn");
    QTest::addRow("half a line") << QByteArray(
            "{\"t\":\"2026-11-23T21:40:01.1Z\",\"s\":\"out\",\"d\":\"hal")
                                 << true;
    QTest::addRow("one brace") << QByteArray("{") << true;
    QTest::addRow("cut inside an escape")
            << QByteArray("{\"t\":\"x\",\"s\":\"err\",\"d\":\"a\\u00") << true;
    QTest::addRow("cut before the newline")
            << QByteArray("{\"t\":\"x\",\"s\":\"out\",\"d\":\"whole\"}") << false;
    QTest::addRow("garbage last line") << QByteArray("\x01\x02garbage\n") << true;
    QTest::addRow("wrong shape last line") << QByteArray("{\"t\":\"x\",\"s\":\"out\"}\n") << true;
}

void TranscriptTest::tornTail()
{
    QFETCH(QByteArray, tail);
    QFETCH(bool, torn);
    const QString dir = m_dir.filePath(QStringLiteral("torn-%1").arg(QTest::currentDataTag()));
    QByteArray expected = "one\ntwo\nthree\n";
    {
        TranscriptWriter writer;
        QVERIFY(writer.open(dir, QStringLiteral("v1")));
        writer.append(StreamType::Stdout, "one\n", 4, kTime);
        writer.append(StreamType::Stdout, "two\n", 4, kTime);
        writer.append(StreamType::Stdout, "three\n", 6, kTime);
    }
    const QString jsonl = dir + QStringLiteral("/v1.jsonl");
    BackgroundWriter::instance().drain();
    const qint64 goodSize = QFileInfo(jsonl).size();
    QVERIFY(appendRaw(jsonl, tail));
    if (!torn)
        expected += "whole";

    QString error;
    bool wasTorn = false;
    QCOMPARE(readChunks(jsonl, &error, &wasTorn).size(), torn ? 3 : 4);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(wasTorn, torn);
    auto totals = TranscriptReader::scan(jsonl);
    QVERIFY(totals);
    QCOMPARE(totals->tornTail, torn);
    QCOMPARE(totals->validFileLength, torn ? goodSize : goodSize + tail.size());
    QCOMPARE(totals->bytes[0], expected.size());

    // Reopening cuts the torn line off (or completes the unterminated one) and goes on after it.
    TranscriptWriter writer;
    QVERIFY2(writer.open(dir, QStringLiteral("v1")), qPrintable(writer.errorString()));
    QCOMPARE(writer.bytes(StreamType::Stdout), expected.size());
    QCOMPARE(writer.lines(StreamType::Stdout), 3);
    writer.append(StreamType::Stdout, "four\n", 5, kTime);
    writer.close();
    expected += "four\n";

    QCOMPARE(readChunks(jsonl, &error, &wasTorn).size(), torn ? 4 : 5);
    QVERIFY(error.isEmpty());
    QVERIFY(!wasTorn);
    QCOMPARE(*TranscriptReader::readStream(jsonl, StreamType::Stdout), expected);
    QCOMPARE(readAll(writer.logPath()), expected);
}

void TranscriptTest::corruptMiddleLine()
{
    const QString dir = m_dir.filePath(QStringLiteral("corrupt"));
    {
        TranscriptWriter writer;
        QVERIFY(writer.open(dir, QStringLiteral("v1")));
        writer.append(StreamType::Stdout, "one\n", 4, kTime);
    }
    const QString jsonl = dir + QStringLiteral("/v1.jsonl");
    QVERIFY(appendRaw(jsonl, "{\"t\":\"x\",\"s\":\"out\",\"d\":\"bro\n"));
    QVERIFY(appendRaw(jsonl, "{\"t\":\"x\",\"s\":\"out\",\"d\":\"two\\n\"}\n"));

    QString error;
    QCOMPARE(readChunks(jsonl, &error).size(), 1);
    QVERIFY(error.contains(QLatin1String("line 2")));
    QVERIFY(!TranscriptReader::scan(jsonl));
    TranscriptWriter writer;
    QVERIFY(!writer.open(dir, QStringLiteral("v1")));
    QVERIFY(!writer.errorString().isEmpty());
}

void TranscriptTest::reopenContinues()
{
    const QString dir = m_dir.filePath(QStringLiteral("reopen"));
    {
        TranscriptWriter writer;
        QVERIFY(writer.open(dir, QStringLiteral("v1")));
        writer.append(StreamType::Stdout, "a\nb\n", 4, kTime);
        writer.append(StreamType::Stderr, "e\xff\n", 9, kTime);
    }
    TranscriptWriter writer;
    QVERIFY(writer.open(dir, QStringLiteral("v1")));
    QCOMPARE(writer.bytes(StreamType::Stdout), 4);
    QCOMPARE(writer.bytes(StreamType::Stderr), 3);
    QCOMPARE(writer.rawBytes(StreamType::Stderr), 9);
    QCOMPARE(writer.lines(StreamType::Stdout), 2);
    QCOMPARE(writer.lines(StreamType::Stderr), 1);
    writer.append(StreamType::Stdout, "c", 1, kTime);
    writer.append(StreamType::Stderr, "f\n", 2, kTime);
    QCOMPARE(writer.bytes(StreamType::Stdout), 5);
    QCOMPARE(writer.rawBytes(StreamType::Stderr), 11);
    QCOMPARE(writer.lines(StreamType::Stderr), 2);
    writer.close();

    QCOMPARE(*TranscriptReader::readStream(writer.jsonlPath(), StreamType::Stdout),
             QByteArray("a\nb\nc"));
    QCOMPARE(*TranscriptReader::readStream(writer.jsonlPath(), StreamType::Stderr),
             QByteArray("e\xff\nf\n"));
    QCOMPARE(readAll(writer.logPath()), QByteArray("a\nb\ne\xff\ncf\n"));
    QCOMPARE(TranscriptReader::scan(writer.jsonlPath())->chunks, 4);
}

void TranscriptTest::logRepairedOnReopen_data()
{
    QTest::addColumn<int>("logSize"); // -1: remove the file; otherwise cut or pad to this size
    QTest::addRow("missing") << -1;
    QTest::addRow("empty") << 0;
    QTest::addRow("cut inside a chunk") << 6;
    QTest::addRow("cut at a chunk boundary") << 4;
    QTest::addRow("longer than the records") << 40;
}

void TranscriptTest::logRepairedOnReopen()
{
    QFETCH(int, logSize);
    const QString dir = m_dir.filePath(QStringLiteral("log-%1").arg(QTest::currentDataTag()));
    const QByteArray log = "one\ntwo\nthree\n";
    {
        TranscriptWriter writer;
        QVERIFY(writer.open(dir, QStringLiteral("v1")));
        writer.append(StreamType::Stdout, "one\n", 4, kTime);
        writer.append(StreamType::Stderr, "two\n", 4, kTime);
        writer.append(StreamType::Stdout, "three\n", 6, kTime);
    }
    BackgroundWriter::instance().drain(); // the files as the writer left them
    const QString logPath = dir + QStringLiteral("/v1.log");
    if (logSize < 0) {
        QVERIFY(QFile::remove(logPath));
    } else {
        QFile file(logPath);
        QVERIFY(file.open(QIODevice::ReadWrite));
        if (logSize > file.size()) {
            QVERIFY(file.seek(file.size()));
            file.write(QByteArray(logSize - file.size(), '?'));
        }
        QVERIFY(file.resize(logSize));
    }
    TranscriptWriter writer;
    QVERIFY(writer.open(dir, QStringLiteral("v1")));
    writer.append(StreamType::Stderr, "four\n", 5, kTime);
    writer.close();
    QCOMPARE(readAll(logPath), log + "four\n");
}

void TranscriptTest::foreignJson_data()
{
    QTest::addColumn<QByteArray>("line");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<char>("stream");
    QTest::addColumn<QByteArray>("data");
    QTest::addColumn<qint64>("rawLength");
    QTest::addColumn<QByteArray>("time");

    const QByteArray t = "2026-11-23T21:40:01Z";
    QTest::addRow("writer's shape")
            << QByteArray(R"({"t":"2026-11-23T21:40:01Z","s":"out","d":"hi\n"})") << true << 'o'
            << QByteArray("hi\n") << qint64(3) << t;
    QTest::addRow("keys reordered")
            << QByteArray(R"({"d":"hi","n":7,"s":"err","t":"2026-11-23T21:40:01Z"})") << true << 'e'
            << QByteArray("hi") << qint64(7) << t;
    QTest::addRow("whitespace") << QByteArray(
            " { \"t\" : \"2026-11-23T21:40:01Z\" ,\t\"s\":\"out\" , \"d\" : \"x\" , \"n\" : 12 } ")
                                << true << 'o' << QByteArray("x") << qint64(12) << t;
    QTest::addRow("unicode escapes") << QByteArray(
            R"({"t":"2026-11-23T21:40:01Z","s":"out","d":"caf\u00e9 \u20AC \ud83d\ude00 \u0000 \/ \u001b"})")
                                     << true << 'o'
                                     << QByteArray("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \0 / "
                                                   "\x1b",
                                                   20)
                                     << qint64(20) << t;
    QTest::addRow("escaped key") << QByteArray(
            R"({"\u0074":"2026-11-23T21:40:01Z","\u0073":"out","\u0064":"k"})")
                                 << true << 'o' << QByteArray("k") << qint64(1) << t;
    QTest::addRow("unknown keys") << QByteArray(
            R"({"v":2,"t":"2026-11-23T21:40:01Z","x":"y","ok":true,"no":null,"s":"out","d":"z","f":false})")
                                  << true << 'o' << QByteArray("z") << qint64(1) << t;
    QTest::addRow("nested unknown key (QJsonDocument)") << QByteArray(
            R"({"meta":{"a":[1,2,{"b":"c"}]},"t":"2026-11-23T21:40:01Z","s":"err","d":"\ud83d\ude80"})")
                                                        << true << 'e'
                                                        << QByteArray("\xf0\x9f\x9a\x80")
                                                        << qint64(4) << t;
    QTest::addRow("n as 1.2e1 (QJsonDocument)")
            << QByteArray(R"({"t":"2026-11-23T21:40:01Z","s":"out","d":"ab","n":1.2e1})") << true
            << 'o' << QByteArray("ab") << qint64(12) << t;
    QTest::addRow("b64 reordered")
            << QByteArray(R"({"b64":"/w==","s":"out","t":"2026-11-23T21:40:01Z"})") << true << 'o'
            << QByteArray("\xff") << qint64(1) << t;
    QTest::addRow("no time") << QByteArray(R"({"s":"out","d":"q"})") << true << 'o'
                             << QByteArray("q") << qint64(1) << QByteArray();
    QTest::addRow("CRLF") << QByteArray(
            "{\"t\":\"2026-11-23T21:40:01Z\",\"s\":\"out\",\"d\":\"w\"}\r")
                          << true << 'o' << QByteArray("w") << qint64(1) << t;
    QTest::addRow("unknown stream") << QByteArray(R"({"t":"x","s":"xyz","d":"a"})") << false << 'o'
                                    << QByteArray() << qint64(0) << QByteArray();
    QTest::addRow("no data") << QByteArray(R"({"t":"x","s":"out"})") << false << 'o' << QByteArray()
                             << qint64(0) << QByteArray();
    QTest::addRow("d and b64") << QByteArray(R"({"s":"out","d":"a","b64":"YQ=="})") << false << 'o'
                               << QByteArray() << qint64(0) << QByteArray();
    QTest::addRow("bad base64") << QByteArray(R"({"s":"out","b64":"*not*"})") << false << 'o'
                                << QByteArray() << qint64(0) << QByteArray();
    QTest::addRow("negative n") << QByteArray(R"({"s":"out","d":"a","n":-1})") << false << 'o'
                                << QByteArray() << qint64(0) << QByteArray();
    QTest::addRow("fractional n") << QByteArray(R"({"s":"out","d":"a","n":1.5})") << false << 'o'
                                  << QByteArray() << qint64(0) << QByteArray();
    QTest::addRow("n as string") << QByteArray(R"({"s":"out","d":"a","n":"1"})") << false << 'o'
                                 << QByteArray() << qint64(0) << QByteArray();
    QTest::addRow("array") << QByteArray(R"(["s","out"])") << false << 'o' << QByteArray()
                           << qint64(0) << QByteArray();
}

// Lines written by other JSON writers parse to the same records; a bad one is an error when a
// good line follows it.
void TranscriptTest::foreignJson()
{
    QFETCH(QByteArray, line);
    QFETCH(bool, valid);
    QFETCH(char, stream);
    QFETCH(QByteArray, data);
    QFETCH(qint64, rawLength);
    QFETCH(QByteArray, time);
    const QString path
            = m_dir.filePath(QStringLiteral("foreign-%1.jsonl").arg(QTest::currentDataTag()));
    QVERIFY(appendRaw(path, line + "\n" + R"({"t":"x","s":"out","d":"after"})" + "\n"));

    QString error;
    const auto chunks = readChunks(path, &error);
    if (!valid) {
        QCOMPARE(chunks.size(), 0);
        QVERIFY(error.contains(QLatin1String("line 1")));
        return;
    }
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(chunks.size(), 2);
    QCOMPARE(chunks[0].stream, streamOf(stream));
    QCOMPARE(chunks[0].data, data);
    QCOMPARE(chunks[0].rawLength, rawLength);
    QCOMPARE(chunks[0].time, time);
    QCOMPARE(chunks[1].data, QByteArray("after"));
}

// A flood of small chunks: totals stay exact, and the timing shows the cost per chunk.
void TranscriptTest::flood()
{
    constexpr int kChunks = 300000;
    const QString dir = m_dir.filePath(QStringLiteral("flood"));
    QElapsedTimer timer;
    timer.start();
    qint64 bytes = 0;
    {
        TranscriptWriter writer;
        QVERIFY(writer.open(dir, QStringLiteral("v1")));
        const QByteArray time = rfc3339Nanos();
        for (int i = 0; i < kChunks; ++i) {
            const QByteArray line
                    = "building target " + QByteArray::number(i) + " [\x1b[32mok\x1b[0m]\n";
            writer.append(
                    i % 10 ? StreamType::Stdout : StreamType::Stderr, line, line.size(), time);
            bytes += line.size();
            if (i % 256 == 255)
                QVERIFY(writer.flush());
        }
        writer.close();
        QCOMPARE(writer.lines(StreamType::Stdout) + writer.lines(StreamType::Stderr), kChunks);
    }
    const qint64 writeMs = timer.restart();
    const auto totals = TranscriptReader::scan(dir + QStringLiteral("/v1.jsonl"));
    const qint64 readMs = timer.elapsed();
    QVERIFY(totals);
    QCOMPARE(totals->chunks, kChunks);
    QCOMPARE(totals->bytes[0] + totals->bytes[1], bytes);
    QCOMPARE(totals->lines[0], kChunks - kChunks / 10);
    QCOMPARE(totals->lines[1], kChunks / 10);
    qInfo("%d chunks (%lld MB of jsonl): written in %lld ms, scanned in %lld ms",
          kChunks,
          totals->validFileLength >> 20,
          writeMs,
          readMs);
}

QTEST_GUILESS_MAIN(TranscriptTest)
#include "tst_transcript.moc"

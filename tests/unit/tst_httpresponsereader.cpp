#include "docker/httpresponsereader.h"
#include "docker/streamdemuxer.h"

#include <QRandomGenerator>
#include <QTest>

#include "splitfeeding.h"

#include <algorithm>

using namespace Parallax;
using namespace Parallax::TestSplit;

using Reader = HttpResponseReader;

namespace {

// Everything observable about one response, so that two ways of feeding can be compared.
struct Response
{
    Reader::State state = Reader::State::Headers;
    int status = 0;
    QByteArray reason;
    QList<QPair<QByteArray, QByteArray>> headers;
    Reader::BodyMode mode = Reader::BodyMode::None;
    bool raw = false;
    QByteArray body;
    QString error;
    bool contractBroken = false; // feed() or finishInput() disagreed with state()

    bool operator==(const Response &) const = default;

    QString toString() const
    {
        return QStringLiteral("state %1, status %2 '%3', %4 headers, mode %5, raw %6, body ")
                       .arg(int(state))
                       .arg(status)
                       .arg(QString::fromLatin1(reason))
                       .arg(headers.size())
                       .arg(int(mode))
                       .arg(yesNo(raw))
               + abbreviated(body) + QLatin1String(", error '") + error + QLatin1Char('\'')
               + (contractBroken ? QLatin1String(", CONTRACT BROKEN") : QLatin1String());
    }
};

Response readResponse(QByteArrayView input, const Split &split, bool head, bool finish)
{
    Reader reader;
    reader.setHeadRequest(head);
    Response result;
    feedPieces(input, split, [&](QByteArrayView piece) {
        const bool ok = reader.feed(piece, &result.body);
        if (ok == reader.hasError())
            result.contractBroken = true;
        return ok;
    });
    if (finish) {
        const bool complete = reader.finishInput();
        if (complete != reader.isComplete() || complete == reader.hasError())
            result.contractBroken = true;
    }
    result.state = reader.state();
    result.status = reader.statusCode();
    result.reason = reader.reasonPhrase();
    result.headers = reader.headers();
    result.mode = reader.bodyMode();
    result.raw = reader.isRawStream();
    result.error = reader.errorString();
    // Once failed, it stays failed; once done, the rest is ignored.
    if (result.state == Reader::State::Failed || result.state == Reader::State::Done) {
        QByteArray more;
        if (reader.feed("HTTP/1.1 200 OK\r\n\r\nmore", &more)
                    != (result.state == Reader::State::Done)
            || !more.isEmpty() || reader.state() != result.state
            || reader.finishInput() != (result.state == Reader::State::Done))
            result.contractBroken = true;
    }
    return result;
}

// A complete response with a Content-Length body.
QByteArray withLength(const QByteArray &statusAndHeaders, const QByteArray &body)
{
    return statusAndHeaders + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
           + body;
}

QByteArray chunk(const QByteArray &payload)
{
    return QByteArray::number(payload.size(), 16) + "\r\n" + payload + "\r\n";
}

// dockerd's usual response headers (API 1.41).
const QByteArray kDockerHeaders = "Api-Version: 1.41\r\n"
                                  "Docker-Experimental: false\r\n"
                                  "Ostype: linux\r\n"
                                  "Server: Docker/20.10.24 (linux)\r\n"
                                  "Date: Tue, 14 May 2024 09:12:31 GMT\r\n";

// The hand-written answer to an attach with Upgrade headers: no Date, no Api-Version.
const QByteArray kUpgraded = "HTTP/1.1 101 UPGRADED\r\n"
                             "Content-Type: application/vnd.docker.raw-stream\r\n"
                             "Connection: Upgrade\r\n"
                             "Upgrade: tcp\r\n"
                             "\r\n";

constexpr int kHeaders = int(Reader::State::Headers);
constexpr int kBody = int(Reader::State::Body);
constexpr int kDone = int(Reader::State::Done);
constexpr int kFailed = int(Reader::State::Failed);
constexpr int kNone = int(Reader::BodyMode::None);
constexpr int kLength = int(Reader::BodyMode::Length);
constexpr int kChunked = int(Reader::BodyMode::Chunked);
constexpr int kUntilClose = int(Reader::BodyMode::UntilClose);

} // namespace

class tst_HttpResponseReader : public QObject
{
    Q_OBJECT

private slots:
    void read_data();
    void read();
    void errors_data();
    void errors();
    void headers();
    void headerSizeIsBounded();
    void headerAtTheLimit();
    void bodyIsNotHeldBack();
    void pipeline_data();
    void pipeline();
};

void tst_HttpResponseReader::read_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("head");   // the request was a HEAD
    QTest::addColumn<bool>("finish"); // the peer closed after the input
    QTest::addColumn<int>("state");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("reason");
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("raw");
    QTest::addColumn<QByteArray>("body");

    // Content-Length.
    QTest::addRow("ping")
            << "HTTP/1.1 200 OK\r\n" + kDockerHeaders
                       + "Cache-Control: no-cache, no-store, must-revalidate\r\n"
                         "Content-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\n"
                         "Pragma: no-cache\r\n\r\nOK"
            << false << false << kDone << 200 << QByteArray("OK") << kLength << false
            << QByteArray("OK");
    QTest::addRow("create 201")
            << withLength(
                       "HTTP/1.1 201 Created\r\n" + kDockerHeaders
                               + "Content-Type: application/json\r\n",
                       R"({"Id":"4f1cd2b8a0e2c0f8f5b7b4e6a3f1e9d7c5b3a1f0e8d6c4b2a0f9e7d5c3b1a2f3","Warnings":[]})"
                       "\n")
            << false << false << kDone << 201 << QByteArray("Created") << kLength << false
            << QByteArray(
                       R"({"Id":"4f1cd2b8a0e2c0f8f5b7b4e6a3f1e9d7c5b3a1f0e8d6c4b2a0f9e7d5c3b1a2f3","Warnings":[]})"
                       "\n");
    QTest::addRow("bytes after the body are ignored")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\n\r\n")
            << false << false << kDone << 200 << QByteArray("OK") << kLength << false
            << QByteArray("abc");
    QTest::addRow("zero length") << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                                 << false << false << kDone << 200 << QByteArray("OK") << kLength
                                 << false << QByteArray();
    QTest::addRow("Content-Length with spaces")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length:    5   \r\n\r\nhello") << false
            << false << kDone << 200 << QByteArray("OK") << kLength << false << QByteArray("hello");
    QTest::addRow("404 JSON error")
            << withLength("HTTP/1.1 404 Not Found\r\n" + kDockerHeaders
                                  + "Content-Type: application/json\r\n",
                          R"({"message":"No such container: parallax-missing"})")
            << false << false << kDone << 404 << QByteArray("Not Found") << kLength << false
            << QByteArray(R"({"message":"No such container: parallax-missing"})");
    QTest::addRow("409 conflict")
            << withLength("HTTP/1.1 409 Conflict\r\n" + kDockerHeaders
                                  + "Content-Type: application/json\r\n",
                          R"({"message":"Conflict. The container name \"/p1\" is already in use"})")
            << false << false << kDone << 409 << QByteArray("Conflict") << kLength << false
            << QByteArray(
                       R"({"message":"Conflict. The container name \"/p1\" is already in use"})");
    const QByteArray k16 = pattern(16 * 1024);
    QTest::addRow("16 KiB body") << "HTTP/1.1 200 OK\r\nContent-Length: 16384\r\n\r\n" + k16
                                 << false << false << kDone << 200 << QByteArray("OK") << kLength
                                 << false << k16;
    const QByteArray m1 = pattern(1024 * 1024);
    QTest::addRow("1 MiB body") << "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n" + m1
                                << false << false << kDone << 200 << QByteArray("OK") << kLength
                                << false << m1;
    QTest::addRow("incomplete body, still open")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello") << false << false
            << kBody << 200 << QByteArray("OK") << kLength << false << QByteArray("hello");

    // No body.
    QTest::addRow("204 start") << "HTTP/1.1 204 No Content\r\n" + kDockerHeaders + "\r\n"
                               << false << false << kDone << 204 << QByteArray("No Content")
                               << kNone << false << QByteArray();
    QTest::addRow("204 with a Content-Length")
            << QByteArray("HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello") << false
            << false << kDone << 204 << QByteArray("No Content") << kNone << false << QByteArray();
    QTest::addRow("304 already started")
            << "HTTP/1.1 304 Not Modified\r\n" + kDockerHeaders + "\r\n"
            << false << false << kDone << 304 << QByteArray("Not Modified") << kNone << false
            << QByteArray();
    QTest::addRow("304 with chunked")
            << QByteArray("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n")
            << false << false << kDone << 304 << QByteArray("Not Modified") << kNone << false
            << QByteArray();
    QTest::addRow("HEAD ping")
            << "HTTP/1.1 200 OK\r\n" + kDockerHeaders
                       + "Content-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            << true << false << kDone << 200 << QByteArray("OK") << kNone << false << QByteArray();
    QTest::addRow("HEAD chunked") << QByteArray(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                                  << true << false << kDone << 200 << QByteArray("OK") << kNone
                                  << false << QByteArray();

    // Chunked.
    const QByteArray events
            = R"({"status":"create","id":"4f1c","from":"alpine","Type":"container","Action":"create","time":1715677951})"
              "\n";
    const QByteArray events2
            = R"({"status":"start","id":"4f1c","from":"alpine","Type":"container","Action":"start","time":1715677951})"
              "\n";
    QTest::addRow("chunked events")
            << "HTTP/1.1 200 OK\r\n" + kDockerHeaders
                       + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                       + chunk(events) + chunk(events2) + "0\r\n\r\n"
            << false << false << kDone << 200 << QByteArray("OK") << kChunked << false
            << events + events2;
    QTest::addRow("chunked, still open")
            << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk(events) << false
            << false << kBody << 200 << QByteArray("OK") << kChunked << false << events;
    QTest::addRow("chunked with extensions and trailers") << QByteArray(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
            "5;name=value\r\nhello\r\n1;x\r\n!\r\n0;end\r\nX-Sum: 6\r\nX-More: 1\r\n\r\n")
                                                          << false << false << kDone << 200
                                                          << QByteArray("OK") << kChunked << false
                                                          << QByteArray("hello!");
    QTest::addRow("chunked uppercase hex")
            << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\n1F\r\n"
                       + QByteArray(31, 'f') + "\r\n0\r\n\r\n"
            << false << false << kDone << 200 << QByteArray("OK") << kChunked << false
            << "0123456789" + QByteArray(31, 'f');
    QTest::addRow("LF-only line ends") << QByteArray(
            "HTTP/1.1 200 OK\nContent-Type: text/plain\nTransfer-Encoding: chunked\n\n"
            "5\nhello\n6\n world\n0\n\n")
                                       << false << false << kDone << 200 << QByteArray("OK")
                                       << kChunked << false << QByteArray("hello world");
    QTest::addRow("chunked wins over Content-Length") << QByteArray(
            "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n"
            "2\r\nok\r\n0\r\n\r\n") << false << false << kDone
                                                      << 200 << QByteArray("OK") << kChunked
                                                      << false << QByteArray("ok");
    QTest::addRow("gzip, chunked")
            << QByteArray("HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, Chunked\r\n\r\n"
                          "2\r\nok\r\n0\r\n\r\n")
            << false << false << kDone << 200 << QByteArray("OK") << kChunked << false
            << QByteArray("ok");
    QByteArray m1Chunked;
    for (qsizetype at = 0; at < m1.size(); at += 16 * 1024)
        m1Chunked += chunk(m1.mid(at, 16 * 1024));
    QTest::addRow("1 MiB chunked")
            << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + m1Chunked + "0\r\n\r\n"
            << false << false << kDone << 200 << QByteArray("OK") << kChunked << false << m1;

    // Until close, and hijacked streams.
    QTest::addRow("until close, finished")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\n")
            << false << true << kDone << 200 << QByteArray("OK") << kUntilClose << true
            << QByteArray("{\"a\":1}\n");
    QTest::addRow("until close, still open")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}\n")
            << false << false << kBody << 200 << QByteArray("OK") << kUntilClose << true
            << QByteArray("{\"a\":1}\n");
    QTest::addRow("until close, empty")
            << QByteArray("HTTP/1.1 200 OK\r\n\r\n") << false << true << kDone << 200
            << QByteArray("OK") << kUntilClose << true << QByteArray();
    const QByteArray attachFrames
            = frame(1, "agent: starting\n") + frame(2, "warning: no config\n");
    QTest::addRow("101 with stream bytes in the same read")
            << kUpgraded + attachFrames << false << false << kBody << 101 << QByteArray("UPGRADED")
            << kUntilClose << true << attachFrames;
    QTest::addRow("101 closed") << kUpgraded + attachFrames << false << true << kDone << 101
                                << QByteArray("UPGRADED") << kUntilClose << true << attachFrames;
    QTest::addRow("101 with a Content-Length")
            << "HTTP/1.1 101 UPGRADED\r\nContent-Length: 0\r\nUpgrade: tcp\r\n\r\n" + attachFrames
            << false << false << kBody << 101 << QByteArray("UPGRADED") << kUntilClose << true
            << attachFrames;
    QTest::addRow("hijacked 200 without length")
            << "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n"
                       + attachFrames
            << false << true << kDone << 200 << QByteArray("OK") << kUntilClose << true
            << attachFrames;
    QTest::addRow("404 after hijack, no length")
            << QByteArray("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n"
                          "{\"message\":\"No such container: 4f1c\"}\n")
            << false << true << kDone << 404 << QByteArray("Not Found") << kUntilClose << true
            << QByteArray("{\"message\":\"No such container: 4f1c\"}\n");

    // Status line and header variants.
    QTest::addRow("no reason phrase")
            << QByteArray("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n") << false << false << kDone
            << 200 << QByteArray() << kLength << false << QByteArray();
    QTest::addRow("empty reason phrase")
            << QByteArray("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n") << false << false << kDone
            << 200 << QByteArray() << kLength << false << QByteArray();
    QTest::addRow("HTTP/1.0") << QByteArray("HTTP/1.0 200 OK\r\n\r\nold") << false << true << kDone
                              << 200 << QByteArray("OK") << kUntilClose << true
                              << QByteArray("old");
    QTest::addRow("status line only")
            << QByteArray("HTTP/1.1 204 No Content\r\n\r\n") << false << false << kDone << 204
            << QByteArray("No Content") << kNone << false << QByteArray();
    QTest::addRow("uppercase header names")
            << QByteArray("HTTP/1.1 200 OK\r\nCONTENT-LENGTH: 2\r\n\r\nhi") << false << false
            << kDone << 200 << QByteArray("OK") << kLength << false << QByteArray("hi");
    QTest::addRow("lowercase header names")
            << QByteArray("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nhi") << false << false
            << kDone << 200 << QByteArray("OK") << kLength << false << QByteArray("hi");
    // The header ends at its first empty line, however the lines end; the body may contain
    // what would be a blank line in another line-end style.
    QTest::addRow("LF-only header, CRLFCRLF in the body")
            << QByteArray("HTTP/1.1 200 OK\nContent-Length: 8\n\nab\r\n\r\ncd") << false << false
            << kDone << 200 << QByteArray("OK") << kLength << false << QByteArray("ab\r\n\r\ncd");
    QTest::addRow("CRLF lines, LF blank line")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\nhi") << false << false << kDone
            << 200 << QByteArray("OK") << kLength << false << QByteArray("hi");
    QTest::addRow("LF lines, CRLF blank line")
            << QByteArray("HTTP/1.1 200 OK\nContent-Length: 2\n\r\nhi") << false << false << kDone
            << 200 << QByteArray("OK") << kLength << false << QByteArray("hi");
    QTest::addRow("CR inside a header value")
            << QByteArray("HTTP/1.1 200 OK\r\nX-Odd: a\rb\r\nContent-Length: 2\r\n\r\nhi") << false
            << false << kDone << 200 << QByteArray("OK") << kLength << false << QByteArray("hi");
    QTest::addRow("header without a value")
            << QByteArray("HTTP/1.1 200 OK\r\nX-Empty:\r\nContent-Length: 2\r\n\r\nhi") << false
            << false << kDone << 200 << QByteArray("OK") << kLength << false << QByteArray("hi");

    // Incomplete: nothing is decided yet.
    QTest::addRow("half a header")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Le") << false << false << kHeaders << 0
            << QByteArray() << kNone << false << QByteArray();
    QTest::addRow("nothing") << QByteArray() << false << false << kHeaders << 0 << QByteArray()
                             << kNone << false << QByteArray();
}

void tst_HttpResponseReader::read()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, head);
    QFETCH(bool, finish);
    QFETCH(int, state);
    QFETCH(int, status);
    QFETCH(QByteArray, reason);
    QFETCH(int, mode);
    QFETCH(bool, raw);
    QFETCH(QByteArray, body);

    const QList<Split> splits = splitsFor(input.size());
    const Response reference = readResponse(input, splits.first(), head, finish);
    QVERIFY2(!reference.contractBroken, qPrintable(reference.toString()));
    QVERIFY2(reference.error.isEmpty(), qPrintable(reference.error));
    QCOMPARE(int(reference.state), state);
    QCOMPARE(reference.status, status);
    QCOMPARE(reference.reason, reason);
    QCOMPARE(int(reference.mode), mode);
    QCOMPARE(reference.raw, raw);
    QCOMPARE(reference.body, body);
    for (const Split &split : splits) {
        const Response got = readResponse(input, split, head, finish);
        QVERIFY2(got == reference,
                 qPrintable(QStringLiteral("%1: %2\nwhole: %3")
                                    .arg(split.name(), got.toString(), reference.toString())));
    }
}

void tst_HttpResponseReader::errors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("finish");
    QTest::addColumn<QByteArray>("bodyBeforeError");
    QTest::addColumn<QString>("error");

    const QString notHttp = QStringLiteral("malformed response: not an HTTP status line");
    QTest::addRow("bad status line") << QByteArray("HTTP/1.1 OK\r\n\r\n") << false << QByteArray()
                                     << QStringLiteral("bad status line 'HTTP/1.1 OK'");
    QTest::addRow("short status line") << QByteArray("HTTP/1.1 20\r\n\r\n") << false << QByteArray()
                                       << QStringLiteral("bad status line");
    QTest::addRow("HTTP/2") << QByteArray("HTTP/2 200\r\n\r\n") << false << QByteArray()
                            << QStringLiteral("bad status line");
    QTest::addRow("two spaces") << QByteArray("HTTP/1.1  200 OK\r\n\r\n") << false << QByteArray()
                                << QStringLiteral("bad status code");
    QTest::addRow("non-numeric status")
            << QByteArray("HTTP/1.1 2x0 OK\r\n\r\n") << false << QByteArray()
            << QStringLiteral("bad status code in 'HTTP/1.1 2x0 OK'");
    QTest::addRow("four-digit status") << QByteArray("HTTP/1.1 2000 OK\r\n\r\n") << false
                                       << QByteArray() << QStringLiteral("bad status code");
    QTest::addRow("garbage") << QByteArray("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n") << false
                             << QByteArray() << notHttp;
    QTest::addRow("garbage with a blank line")
            << QByteArray("garbage\r\n\r\nmore") << false << QByteArray() << notHttp;
    QTest::addRow("blank line first")
            << QByteArray("\r\nHTTP/1.1 200 OK\r\n\r\n") << false << QByteArray() << notHttp;
    QTest::addRow("lowercase http")
            << QByteArray("http/1.1 200 OK\r\n\r\n") << false << QByteArray() << notHttp;
    QTest::addRow("a stream frame instead of HTTP")
            << frame(1, "hello\n") << false << QByteArray() << notHttp;
    QTest::addRow("HTML") << QByteArray("<html><body>Bad Gateway</body></html>\n") << false
                          << QByteArray() << notHttp;
    QTest::addRow("header without colon")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length 2\r\n\r\nhi") << false << QByteArray()
            << QStringLiteral("bad header line 'Content-Length 2'");
    QTest::addRow("header with empty name")
            << QByteArray("HTTP/1.1 200 OK\r\n: value\r\n\r\n") << false << QByteArray()
            << QStringLiteral("bad header line");
    QTest::addRow("bad Content-Length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n") << false << QByteArray()
            << QStringLiteral("bad Content-Length 'abc'");
    QTest::addRow("negative Content-Length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\nhello") << false
            << QByteArray() << QStringLiteral("bad Content-Length '-5'");
    QTest::addRow("two Content-Lengths in one")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nhi") << false
            << QByteArray() << QStringLiteral("bad Content-Length");
    QTest::addRow("bad chunk size")
            << QByteArray(
                       "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nxyz\r\n")
            << false << QByteArray("hello") << QStringLiteral("bad chunk size 'xyz'");
    QTest::addRow("endless chunk-size line")
            << "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + QByteArray(1500, '1')
            << false << QByteArray() << QStringLiteral("chunk header line too long");
    QTest::addRow("missing CRLF after chunk")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhello\r\n")
            << false << QByteArray("he") << QStringLiteral("missing CRLF after chunk data");
    QTest::addRow("endless header")
            << "HTTP/1.1 200 OK\r\nX-Long: " + QByteArray(70 * 1024, 'a') << false << QByteArray()
            << QStringLiteral("header larger than 65536 bytes");
    QTest::addRow("endless header with a late blank line")
            << "HTTP/1.1 200 OK\r\nX-Long: " + QByteArray(70 * 1024, 'a') + "\r\n\r\n"
            << false << QByteArray() << QStringLiteral("header larger than 65536 bytes");

    // The peer closed too early.
    QTest::addRow("closed before any response")
            << QByteArray() << true << QByteArray() << QStringLiteral("closed before any response");
    QTest::addRow("closed in the header")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Len") << true << QByteArray()
            << QStringLiteral("in the middle of the response header");
    QTest::addRow("truncated Content-Length body")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello") << true
            << QByteArray("hello")
            << QStringLiteral("the connection closed with 5 bytes of the response body missing");
    QTest::addRow("truncated 1 MiB body")
            << "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n"
                       + pattern(1024 * 1024).chopped(1)
            << true << pattern(1024 * 1024).chopped(1)
            << QStringLiteral("with 1 bytes of the response body missing");
    QTest::addRow("truncated chunked body, in a chunk")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhello") << true
            << QByteArray("hello") << QStringLiteral("in the middle of a chunked response body");
    QTest::addRow("truncated chunked body, no terminator")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
            << true << QByteArray("hello")
            << QStringLiteral("in the middle of a chunked response body");
    QTest::addRow("truncated chunked body, in the trailers")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: 1\r\n")
            << true << QByteArray() << QStringLiteral("in the middle of a chunked response body");
}

void tst_HttpResponseReader::errors()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, finish);
    QFETCH(QByteArray, bodyBeforeError);
    QFETCH(QString, error);

    const QList<Split> splits = splitsFor(input.size());
    const Response reference = readResponse(input, splits.first(), false, finish);
    QVERIFY2(!reference.contractBroken, qPrintable(reference.toString()));
    QCOMPARE(reference.state, Reader::State::Failed);
    QVERIFY2(reference.error.contains(error), qPrintable(reference.error));
    QCOMPARE(reference.body, bodyBeforeError);
    for (const Split &split : splits) {
        const Response got = readResponse(input, split, false, finish);
        QVERIFY2(got == reference,
                 qPrintable(QStringLiteral("%1: %2\nwhole: %3")
                                    .arg(split.name(), got.toString(), reference.toString())));
    }
}

void tst_HttpResponseReader::headers()
{
    Reader reader;
    QByteArray body;
    QVERIFY(reader.feed("HTTP/1.1 200 OK\r\n"
                        "Content-Type: application/json\r\n"
                        "api-version:1.41\r\n"
                        "X-Spaces:   padded value  \r\n"
                        "X-Twice: first\r\n"
                        "x-twice: second\r\n"
                        "X-Colons: a:b:c\r\n"
                        "Content-Length: 2\r\n"
                        "\r\n"
                        "{}",
                        &body));
    QVERIFY(reader.isComplete());
    QVERIFY(reader.headersComplete());
    QCOMPARE(reader.header("content-type"), QByteArray("application/json"));
    QCOMPARE(reader.header("CONTENT-TYPE"), QByteArray("application/json"));
    QCOMPARE(reader.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(reader.header("Api-Version"), QByteArray("1.41"));
    QCOMPARE(reader.header("x-spaces"), QByteArray("padded value"));
    QCOMPARE(reader.header("X-TWICE"), QByteArray("first"));
    QCOMPARE(reader.header("x-colons"), QByteArray("a:b:c"));
    QCOMPARE(reader.header("X-Absent"), QByteArray());
    QCOMPARE(reader.header("Content"), QByteArray());
    QCOMPARE(reader.headers().size(), 7);
    QCOMPARE(reader.headers().at(1), qMakePair(QByteArray("api-version"), QByteArray("1.41")));
    QCOMPARE(reader.headers().at(4), qMakePair(QByteArray("x-twice"), QByteArray("second")));
    QCOMPARE(body, QByteArray("{}"));

    // Nothing is known before the header is complete.
    Reader partial;
    QVERIFY(partial.feed("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n", &body));
    QVERIFY(!partial.headersComplete());
    QCOMPARE(partial.statusCode(), 0);
    QVERIFY(partial.headers().isEmpty());
}

// A header that never ends fails within one feed of kMaxHeaderBytes, whatever the feed size:
// the reader buffers at most 64 KiB plus one feed.
void tst_HttpResponseReader::headerSizeIsBounded()
{
    for (const qsizetype feedSize : {1, 1000, 4096, 65536}) {
        Reader reader;
        QByteArray body;
        QByteArray data = "HTTP/1.1 200 OK\r\nX-Endless: ";
        data += QByteArray(feedSize - data.size() % feedSize, 'x');
        const QByteArray filler(feedSize, 'x');
        qsizetype fed = 0;
        bool ok = true;
        for (qsizetype i = 0; ok && fed < 16 * Reader::kMaxHeaderBytes; ++i) {
            const QByteArray &piece = i == 0 ? data : filler;
            ok = reader.feed(piece, &body);
            fed += piece.size();
        }
        QVERIFY2(!ok, qPrintable(QString::number(feedSize)));
        QVERIFY2(fed > Reader::kMaxHeaderBytes, qPrintable(QString::number(fed)));
        QVERIFY2(fed <= Reader::kMaxHeaderBytes + qMax(feedSize, data.size()),
                 qPrintable(QString::number(fed)));
        QCOMPARE(reader.state(), Reader::State::Failed);
        QVERIFY(body.isEmpty());
        QVERIFY(!reader.feed(filler, &body));
    }

    // One huge read fails at once.
    Reader reader;
    QByteArray body;
    QVERIFY(!reader.feed("HTTP/1.1 200 OK\r\nX: " + QByteArray(1024 * 1024, 'x'), &body));
    QCOMPARE(reader.state(), Reader::State::Failed);
}

// The limit covers the header with its blank line, at the same byte however it is split.
void tst_HttpResponseReader::headerAtTheLimit()
{
    for (const QByteArray &blank :
         {QByteArray("\r\n\r\n"), QByteArray("\n\n"), QByteArray("\r\n\n")}) {
        const QByteArray start = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nX-Fill: ";
        const QByteArray fits
                = start + QByteArray(Reader::kMaxHeaderBytes - start.size() - blank.size(), 'f')
                  + blank;
        QCOMPARE(fits.size(), Reader::kMaxHeaderBytes);
        const QByteArray tooBig
                = start + QByteArray(Reader::kMaxHeaderBytes - start.size() - blank.size() + 1, 'f')
                  + blank;
        QList<Split> splits = splitsFor(fits.size() + 1);
        for (qsizetype at = fits.size() - 5; at <= fits.size(); ++at)
            splits.append({Split::Two, at});
        for (const Split &split : splits) {
            const Response ok = readResponse(fits + "!", split, false, false);
            QVERIFY2(ok.state == Reader::State::Done && ok.body == "!",
                     qPrintable(split.name() + QLatin1String(": ") + ok.toString()));
            const Response failed = readResponse(tooBig + "!", split, false, false);
            QVERIFY2(failed.state == Reader::State::Failed
                             && failed.error.contains(QLatin1String("header larger than")),
                     qPrintable(split.name() + QLatin1String(": ") + failed.toString()));
        }
    }
}

// Body bytes are handed on as they arrive, not when the body is complete.
void tst_HttpResponseReader::bodyIsNotHeldBack()
{
    Reader reader;
    QByteArray body;
    QVERIFY(reader.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", &body));
    QVERIFY(reader.headersComplete());
    QCOMPARE(body, QByteArray("abc"));
    QVERIFY(reader.feed("defg", &body));
    QCOMPARE(body, QByteArray("abcdefg"));
    QVERIFY(!reader.isComplete());
    QVERIFY(reader.feed("hijklmn", &body));
    QCOMPARE(body, QByteArray("abcdefghij"));
    QVERIFY(reader.isComplete());

    Reader chunked;
    body.clear();
    QVERIFY(chunked.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nab", &body));
    QCOMPARE(body, QByteArray("ab"));
}

// HttpResponseReader, ChunkedDecoder and StreamDemuxer together, on exchanges written by hand
// after what dockerd 20.10 (API 1.41) and Podman 4.3 were seen to send.
void tst_HttpResponseReader::pipeline_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("multiplexed");
    QTest::addColumn<bool>("closed"); // the peer closed after the input
    QTest::addColumn<int>("status");
    QTest::addColumn<bool>("complete");
    QTest::addColumn<QByteArray>("out");
    QTest::addColumn<QByteArray>("err");
    QTest::addColumn<QByteArray>("daemon");
    QTest::addColumn<int>("frames");
    QTest::addColumn<QString>("error"); // from the reader or the demuxer; empty if none

    // docker run: attach before start, then the container writes a line, a warning, a
    // 40,001-byte line in pipe-sized frames, and exits; the daemon closes the connection.
    const QByteArray longLine = QByteArray(40000, 'L') + '\n';
    QByteArray attach = kUpgraded + frame(1, "agent: starting in /workspace\n")
                        + frame(2, "warning: OPENAI_API_KEY is not set\n");
    qsizetype at = 0;
    for (const qsizetype size : {8192, 8192, 8192, 15424, 7}) {
        attach += frame(1, longLine.mid(at, size));
        at += size;
    }
    attach += frame(1, "done\n");
    QTest::addRow("attach, dockerd")
            << attach << true << true << 101 << true
            << "agent: starting in /workspace\n" + longLine + "done\n"
            << QByteArray("warning: OPENAI_API_KEY is not set\n") << QByteArray() << 8 << QString();
    QTest::addRow("attach, still running")
            << attach << true << false << 101 << false
            << "agent: starting in /workspace\n" + longLine + "done\n"
            << QByteArray("warning: OPENAI_API_KEY is not set\n") << QByteArray() << 8 << QString();
    QTest::addRow("attach cut inside a frame")
            << attach.chopped(3) << true << true << 101 << true
            << "agent: starting in /workspace\n" + longLine + "do"
            << QByteArray("warning: OPENAI_API_KEY is not set\n") << QByteArray() << 8
            << QStringLiteral("stream ended inside a frame (3 of 5 payload bytes missing)");

    // Without Upgrade headers dockerd hijacks a plain 200.
    QTest::addRow("attach, hijacked 200")
            << "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n"
                       + frame(1, "hello\n") + frame(2, "bye\n")
            << true << true << 200 << true << QByteArray("hello\n") << QByteArray("bye\n")
            << QByteArray() << 2 << QString();

    // TTY attach: raw bytes, CRLF line ends, stderr merged.
    QTest::addRow("attach, tty")
            << kUpgraded + "\x1b[1;32m$\x1b[0m make\r\nbuilding 10%\rbuilding 100%\r\nerror: x\r\n"
            << false << true << 101 << true
            << QByteArray("\x1b[1;32m$\x1b[0m make\r\nbuilding 10%\rbuilding 100%\r\nerror: x\r\n")
            << QByteArray() << QByteArray() << 0 << QString();

    // logs?follow=1&stdout=1&stderr=1&timestamps=1 on dockerd: chunked, one frame per chunk,
    // then a daemon error frame and the end of the body.
    const QByteArray l1 = "2024-05-14T09:12:31.123456789Z agent: starting\n";
    const QByteArray l2 = "2024-05-14T09:12:31.223456789Z warning: retrying\n";
    const QByteArray l3 = "2024-05-14T09:12:32.000000001Z agent: done\n";
    const QByteArray daemonError = "Error grabbing logs: invalid character '\\x00' looking for "
                                   "beginning of value\n";
    const QByteArray logsHead
            = "HTTP/1.1 200 OK\r\n" + kDockerHeaders + "Transfer-Encoding: chunked\r\n\r\n";
    const QByteArray dockerdLogs = logsHead + chunk(frame(1, l1)) + chunk(frame(2, l2))
                                   + chunk(frame(1, l3)) + chunk(frame(3, daemonError))
                                   + "0\r\n\r\n";
    QTest::addRow("logs, dockerd") << dockerdLogs << true << true << 200 << true << l1 + l3 << l2
                                   << daemonError << 4 << QString();
    QTest::addRow("logs, dockerd, not closed") << dockerdLogs << true << false << 200 << true
                                               << l1 + l3 << l2 << daemonError << 4 << QString();

    // The same on Podman: header and payload in separate chunks, and one frame whose header
    // straddles two chunks.
    const QByteArray podmanHead = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n"
                                  "Libpod-Api-Version: 4.3.1\r\nServer: Libpod/4.3.1 (linux)\r\n"
                                  "X-Reference-Id: 0xc000510000\r\n"
                                  "Date: Tue, 14 May 2024 09:12:31 GMT\r\n"
                                  "Content-Type: text/plain; charset=utf-8\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n";
    const QByteArray f3 = frame(1, l3);
    const QByteArray podmanLogs = podmanHead + chunk(frame(1, l1).left(8)) + chunk(l1)
                                  + chunk(frame(2, l2).left(8)) + chunk(l2) + chunk(f3.left(3))
                                  + chunk(f3.mid(3, 7)) + chunk(f3.mid(10)) + chunk(frame(1, {}))
                                  + "0\r\n\r\n";
    QTest::addRow("logs, podman") << podmanLogs << true << true << 200 << true << l1 + l3 << l2
                                  << QByteArray() << 3 << QString();
    // A 16 KiB log message: split over chunks of 4000 bytes.
    const QByteArray big = "2024-05-14T09:12:33.000000000Z " + pattern(16 * 1024 - 31);
    const QByteArray bigFrame = frame(2, big);
    QByteArray bigChunks = podmanHead;
    for (qsizetype pos = 0; pos < bigFrame.size(); pos += 4000)
        bigChunks += chunk(bigFrame.mid(pos, 4000));
    bigChunks += "0\r\n\r\n";
    QTest::addRow("logs, 16 KiB message over chunks")
            << bigChunks << true << true << 200 << true << QByteArray() << big << QByteArray() << 1
            << QString();

    // TTY logs: chunked raw bytes.
    QTest::addRow("logs, tty") << logsHead + chunk("line 1\r\nline") + chunk(" 2\r\n") + "0\r\n\r\n"
                               << false << true << 200 << true << QByteArray("line 1\r\nline 2\r\n")
                               << QByteArray() << QByteArray() << 0 << QString();

    // Errors: a 404 JSON body is not a stream; the connection drops in the middle.
    QTest::addRow("logs, no such container")
            << withLength("HTTP/1.1 404 Not Found\r\n" + kDockerHeaders
                                  + "Content-Type: application/json\r\n",
                          R"({"message":"No such container: 4f1c"})"
                          "\n")
            << false << true << 404 << true
            << QByteArray(R"({"message":"No such container: 4f1c"})"
                          "\n")
            << QByteArray() << QByteArray() << 0 << QString();
    QTest::addRow("logs, connection lost")
            << dockerdLogs.left(dockerdLogs.indexOf("agent: done") + 5) << true << true << 200
            << false << l1 + "2024-05-14T09:12:32.000000001Z agent" << l2 << QByteArray() << 3
            << QStringLiteral("the connection closed in the middle of a chunked response body");
    QTest::addRow("logs, corrupt frame")
            << logsHead + chunk(frame(1, l1)) + chunk("\x07garbage") + "0\r\n\r\n"
            << true << true << 200 << true << l1 << QByteArray() << QByteArray() << 1
            << QStringLiteral("malformed stream: bad frame header 07 67 61 72 62 61 67 65");
}

void tst_HttpResponseReader::pipeline()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, multiplexed);
    QFETCH(bool, closed);
    QFETCH(int, status);
    QFETCH(bool, complete);
    QFETCH(QByteArray, out);
    QFETCH(QByteArray, err);
    QFETCH(QByteArray, daemon);
    QFETCH(int, frames);
    QFETCH(QString, error);

    struct Result
    {
        int status = 0;
        bool complete = false;
        QByteArray streams[4];
        int frames = 0;
        QString error;

        bool operator==(const Result &other) const
        {
            return status == other.status && complete == other.complete
                   && std::equal(std::begin(streams), std::end(streams), std::begin(other.streams))
                   && frames == other.frames && error == other.error;
        }
        QString toString() const
        {
            return QStringLiteral("status %1, complete %2, %3 frames, out ")
                           .arg(status)
                           .arg(yesNo(complete))
                           .arg(frames)
                   + abbreviated(streams[1]) + QLatin1String(", err ") + abbreviated(streams[2])
                   + QLatin1String(", daemon ") + abbreviated(streams[3])
                   + QLatin1String(", error '") + error + QLatin1Char('\'');
        }
    };

    const auto run = [&](const Split &split) {
        Result result;
        Reader reader;
        StreamDemuxer demuxer(multiplexed);
        const StreamDemuxer::Sink sink
                = [&](StreamType stream, QByteArrayView payload, bool start) {
                      result.streams[int(stream)] += payload.toByteArray();
                      result.frames += start ? 1 : 0;
                  };
        QByteArray body;
        feedPieces(input, split, [&](QByteArrayView piece) {
            if (!reader.feed(piece, &body))
                return false;
            // Only a successful response carries a stream; an error body is JSON. After a
            // stream error the response is still read to its end.
            if (reader.statusCode() < 300) {
                if (!demuxer.hasError())
                    demuxer.feed(body, sink);
                body.clear();
            }
            return true;
        });
        if (closed && reader.finishInput() && !demuxer.hasError())
            demuxer.finish();
        result.status = reader.statusCode();
        result.complete = reader.isComplete();
        if (reader.statusCode() >= 300)
            result.streams[1] = body;
        result.error = reader.hasError() ? reader.errorString() : demuxer.errorString();
        return result;
    };

    const QList<Split> splits = splitsFor(input.size());
    const Result reference = run(splits.first());
    QCOMPARE(reference.status, status);
    QCOMPARE(reference.complete, complete);
    QCOMPARE(reference.streams[1], out);
    QCOMPARE(reference.streams[2], err);
    QCOMPARE(reference.streams[3], daemon);
    QCOMPARE(reference.frames, frames);
    QCOMPARE(reference.error, error);
    for (const Split &split : splits) {
        const Result got = run(split);
        QVERIFY2(got == reference,
                 qPrintable(QStringLiteral("%1: %2\nwhole: %3")
                                    .arg(split.name(), got.toString(), reference.toString())));
    }
}

QTEST_GUILESS_MAIN(tst_HttpResponseReader)
#include "tst_httpresponsereader.moc"

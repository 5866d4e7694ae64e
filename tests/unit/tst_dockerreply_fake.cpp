// DockerClient, DockerReply and ContainerStream end to end against a fake daemon: a QLocalServer
// at a temporary path that answers every request with scripted bytes. It does what a real daemon
// will not do on demand: split a response at every byte, cut a stream inside a frame, answer
// garbage, never answer, or write frames the way Podman does.

#include "docker/dockerclient.h"
#include "docker/syncwait.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

using namespace Parallax;

namespace {

// One scripted action of the fake daemon on a connection.
struct Step
{
    enum Kind { Write, Pause, Close, Abort };
    Kind kind = Write;
    QByteArray data;
    // Event-loop delay before this step: the client normally reads each write separately. -1
    // runs the step in the same breath as the previous one.
    int delayMs = 1;
};
using Script = QList<Step>;

Step write(const QByteArray &data, int delayMs = 1)
{
    return Step{Step::Write, data, delayMs};
}
Step pause(int ms)
{
    return Step{Step::Pause, {}, ms};
}
Step closeConnection(int delayMs = 1)
{
    return Step{Step::Close, {}, delayMs};
}
Step abortConnection(int delayMs = 1)
{
    return Step{Step::Abort, {}, delayMs};
}

// How the pieces of a response go out.
enum class Delivery { Pieces, OneWrite, ByteByByte };

Script deliver(const QList<QByteArray> &pieces, Delivery delivery)
{
    Script script;
    switch (delivery) {
    case Delivery::Pieces:
        for (const QByteArray &piece : pieces)
            script << write(piece);
        break;
    case Delivery::OneWrite:
        script << write(pieces.join());
        break;
    case Delivery::ByteByByte: {
        const QByteArray all = pieces.join();
        for (char c : all)
            script << write(QByteArray(1, c), 0);
        break;
    }
    }
    return script;
}

// A connection on the fake daemon: reads one request, then plays the script.
class FakeConnection : public QObject
{
public:
    using Handler = std::function<Script(const QByteArray &request)>;

    FakeConnection(QLocalSocket *socket, Handler handler, QList<QByteArray> *requests)
        : QObject(socket)
        , m_socket(socket)
        , m_handler(std::move(handler))
        , m_requests(requests)
    {
        connect(socket, &QLocalSocket::readyRead, this, &FakeConnection::onReadyRead);
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        onReadyRead();
    }

private:
    void onReadyRead()
    {
        m_in += m_socket->readAll();
        if (m_started)
            return;
        const qsizetype headEnd = m_in.indexOf("\r\n\r\n");
        if (headEnd < 0)
            return;
        qsizetype length = 0;
        for (const QByteArray &line : m_in.left(headEnd).split('\n')) {
            if (line.toLower().startsWith("content-length:"))
                length = line.mid(15).trimmed().toLongLong();
        }
        if (m_in.size() < headEnd + 4 + length)
            return;
        m_started = true;
        const QByteArray request = m_in.left(headEnd + 4 + length);
        m_requests->append(request);
        m_script = m_handler(request);
        runSteps();
    }

    void runSteps()
    {
        while (m_index < m_script.size()) {
            const Step step = m_script.at(m_index++);
            switch (step.kind) {
            case Step::Write:
                m_socket->write(step.data);
                m_socket->flush();
                break;
            case Step::Pause:
                break;
            case Step::Close:
                m_socket->disconnectFromServer();
                return;
            case Step::Abort:
                m_socket->abort();
                return;
            }
            if (m_index < m_script.size() && m_script.at(m_index).delayMs >= 0) {
                QTimer::singleShot(m_script.at(m_index).delayMs, this, &FakeConnection::runSteps);
                return;
            }
        }
    }

    QLocalSocket *m_socket;
    Handler m_handler;
    QList<QByteArray> *m_requests;
    QByteArray m_in;
    bool m_started = false;
    Script m_script;
    qsizetype m_index = 0;
};

// The fake daemon. Every connection gets the handler's script for its request; connections stay
// open when the script does not close them.
class FakeDaemon : public QObject
{
public:
    using Handler = FakeConnection::Handler;

    FakeDaemon()
    {
        connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *socket = m_server.nextPendingConnection()) {
                ++m_connections;
                new FakeConnection(socket, m_handler, &m_requests);
            }
        });
    }

    bool listen()
    {
        return m_dir.isValid() && m_server.listen(m_dir.filePath(QStringLiteral("docker.sock")));
    }
    void setHandler(Handler handler) { m_handler = std::move(handler); }
    // Answers every request with the same script.
    void respond(const Script &script)
    {
        m_handler = [script](const QByteArray &) {
            return script;
        };
    }

    DockerEndpoint endpoint() const
    {
        return DockerEndpoint{m_server.fullServerName(), QStringLiteral("fake")};
    }
    const QList<QByteArray> &requests() const { return m_requests; }
    int connections() const { return m_connections; }

private:
    QTemporaryDir m_dir;
    QLocalServer m_server;
    Handler m_handler = [](const QByteArray &) {
        return Script();
    };
    QList<QByteArray> m_requests;
    int m_connections = 0;
};

// ---- response builders ----

QByteArray httpResponse(int code,
                        const QByteArray &reason,
                        const QByteArray &body,
                        const QByteArray &extraHeaders = "Content-Type: application/json\r\n")
{
    return "HTTP/1.1 " + QByteArray::number(code) + ' ' + reason + "\r\nApi-Version: 1.41\r\n"
           + extraHeaders + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n"
           + body;
}

const QByteArray kChunkedHead
        = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
          "Date: Mon, 01 Jan 2024 00:00:00 GMT\r\nTransfer-Encoding: chunked\r\n\r\n";
const QByteArray kLogsHead
        = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nServer: Docker/20.10.24 (linux)\r\n"
          "Transfer-Encoding: chunked\r\n\r\n";
// Exactly what dockerd writes by hand for attach.
const QByteArray kUpgradeHead
        = "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
          "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";

QByteArray chunk(const QByteArray &data)
{
    return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
}
const QByteArray kLastChunk = "0\r\n\r\n";

QByteArray frameHeader(StreamType type, quint32 size)
{
    QByteArray header(8, '\0');
    header[0] = char(type);
    header[4] = char(size >> 24);
    header[5] = char(size >> 16);
    header[6] = char(size >> 8);
    header[7] = char(size);
    return header;
}

QByteArray frame(StreamType type, const QByteArray &payload)
{
    return frameHeader(type, quint32(payload.size())) + payload;
}

// The container output most stream tests send: both streams, an empty-looking frame boundary,
// a frame larger than one read, partial lines, bytes that look like frame headers.
QList<QPair<StreamType, QByteArray>> sampleFrames()
{
    QByteArray big;
    for (int i = 0; i < 700; ++i)
        big += "line " + QByteArray::number(i) + '\n';
    return {
            {StreamType::Stdout, "hello "},
            {StreamType::Stdout, "world\n"},
            {StreamType::Stderr, "warning: something\n"},
            {StreamType::Stdout,
             QByteArray("\x01\x00\x00\x00\x00\x00\x00\x05 binary-looking\n", 24)},
            {StreamType::Stderr, "partial"},
            {StreamType::Stdout, big},
            {StreamType::Stderr, " line\n"},
            {StreamType::Stdout, "no newline at the end"},
    };
}

// Podman writes a frame's header and its payload separately: one piece each.
QList<QByteArray> framePieces(const QList<QPair<StreamType, QByteArray>> &frames)
{
    QList<QByteArray> pieces;
    for (const auto &[type, payload] : frames) {
        pieces << frameHeader(type, quint32(payload.size()));
        pieces << payload;
    }
    return pieces;
}

QByteArray joined(const QList<QPair<StreamType, QByteArray>> &frames, StreamType which)
{
    QByteArray all;
    for (const auto &[type, payload] : frames) {
        if (type == which)
            all += payload;
    }
    return all;
}

// Collects what a ContainerStream emits.
struct StreamRecorder
{
    QByteArray out;
    QByteArray err;
    QByteArray daemonErrors;
    int pieces = 0;
    bool startedBeforeOutput = true;
    bool started = false;
    std::optional<Result<void>> result;

    void attach(ContainerStream *stream, QObject *context)
    {
        QObject::connect(stream, &ContainerStream::started, context, [this] { started = true; });
        QObject::connect(stream,
                         &ContainerStream::outputReceived,
                         context,
                         [this](StreamType type, const QByteArray &data) {
                             if (!started)
                                 startedBeforeOutput = false;
                             ++pieces;
                             (type == StreamType::Stdout   ? out
                              : type == StreamType::Stderr ? err
                                                           : daemonErrors)
                                     += data;
                         });
        QObject::connect(
                stream, &ContainerStream::finished, context, [this](const Result<void> &r) {
                    result.emplace(r);
                    if (loop)
                        loop->quit();
                });
    }

    // Runs the event loop until finished() (true) or the timeout (false).
    bool wait(int timeoutMs = 5000)
    {
        if (!result) {
            QEventLoop eventLoop;
            QTimer::singleShot(timeoutMs, &eventLoop, &QEventLoop::quit);
            loop = &eventLoop;
            eventLoop.exec();
            loop = nullptr;
        }
        return result.has_value();
    }

    QEventLoop *loop = nullptr;
};

void addDeliveryRows()
{
    QTest::addColumn<Delivery>("delivery");
    QTest::addRow("one write") << Delivery::OneWrite;
    QTest::addRow("pieces in separate writes") << Delivery::Pieces;
    QTest::addRow("one byte per write") << Delivery::ByteByByte;
}

} // namespace

Q_DECLARE_METATYPE(Delivery)

class TestDockerReplyFake : public QObject
{
    Q_OBJECT

private slots:
    void ping_data();
    void ping();
    void requestFormat();

    void bufferedJson_data() { addDeliveryRows(); }
    void bufferedJson();
    void chunkedJson_data() { addDeliveryRows(); }
    void chunkedJson();
    void httpError_data() { addDeliveryRows(); }
    void httpError();
    void waitChunked_data() { addDeliveryRows(); }
    void waitChunked();
    void attachFrames_data() { addDeliveryRows(); }
    void attachFrames();
    void logsChunkedTimestamps_data();
    void logsChunkedTimestamps();
    void framesStraddleChunks();
    void eventsChunked_data() { addDeliveryRows(); }
    void eventsChunked();
    void everySplitPoint_data();
    void everySplitPoint();

    void malformed_data();
    void malformed();
    void malformedStream_data();
    void malformedStream();
    void cutMidStream_data();
    void cutMidStream();
    void cutChunkedLogs();
    void closedBeforeResponse();

    void noAnswerTimesOut();
    void noAnswerTimesOutStreaming();
    void streamingNeverTimesOutAfterHeader();

    void upgradeWithDataInSameWrite_data();
    void upgradeWithDataInSameWrite();
    void errorAfterHijack();
    void abortLiveStream();
    void clientDestroyedWithOpenStreams();
    void connectionRefused();

private:
    template<typename T, typename Call>
    Result<T> sync(Call call)
    {
        return syncCall<T>(
                [&](QObject *context, DockerClient::Callback<T> done) { call(context, done); });
    }
};

// ---------------------------------------------------------------------------------------------

void TestDockerReplyFake::ping_data()
{
    QTest::addColumn<QByteArray>("headers");
    QTest::addColumn<QString>("negotiated");
    QTest::addColumn<bool>("podman");
    QTest::addRow("dockerd 20.10") << QByteArray(
            "Api-Version: 1.41\r\nOstype: linux\r\nServer: Docker/20.10.24 (linux)\r\n")
                                   << "1.41" << false;
    QTest::addRow("newer daemon") << QByteArray("Api-Version: 1.51\r\nOstype: linux\r\n") << "1.45"
                                  << false;
    QTest::addRow("no Api-Version") << QByteArray("Ostype: linux\r\n") << "1.24" << false;
    QTest::addRow("Podman") << QByteArray(
            "Api-Version: 1.41\r\nLibpod-Api-Version: 4.3.1\r\nOstype: linux\r\n")
                            << "1.41" << true;
    QTest::addRow("lower-case names")
            << QByteArray("api-version: 1.40\r\nostype: linux\r\n") << "1.40" << false;
}

void TestDockerReplyFake::ping()
{
    QFETCH(QByteArray, headers);
    QFETCH(QString, negotiated);
    QFETCH(bool, podman);
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.setHandler([&](const QByteArray &request) -> Script {
        if (request.startsWith("GET /_ping "))
            return {write("HTTP/1.1 200 OK\r\n" + headers + "Content-Length: 2\r\n\r\nOK")};
        return {write(httpResponse(200, "OK", R"({"ApiVersion":"1.41","Version":"20.10.24"})"))};
    });
    DockerClient client(daemon.endpoint());
    const Result<PingInfo> info
            = sync<PingInfo>([&](QObject *c, auto done) { client.ping(c, done); });
    QVERIFY2(info, qPrintable(info.errorString()));
    QCOMPARE(info->negotiatedApiVersion, negotiated);
    QCOMPARE(info->podman, podman);
    QCOMPARE(info->osType, QStringLiteral("linux"));
    QCOMPARE(client.apiVersion(), negotiated);

    const Result<QJsonObject> version
            = sync<QJsonObject>([&](QObject *c, auto done) { client.version(c, done); });
    QVERIFY2(version, qPrintable(version.errorString()));
    QCOMPARE(version->value(QLatin1String("Version")).toString(), QStringLiteral("20.10.24"));
    QCOMPARE(daemon.requests().size(), 2);
    QVERIFY2(daemon.requests().at(0).startsWith("GET /_ping HTTP/1.1\r\n"),
             daemon.requests().at(0).constData());
    const QByteArray versioned = "GET /v" + negotiated.toLatin1() + "/version HTTP/1.1\r\n";
    QVERIFY2(daemon.requests().at(1).startsWith(versioned), daemon.requests().at(1).constData());
}

void TestDockerReplyFake::requestFormat()
{
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.setHandler([](const QByteArray &request) -> Script {
        if (request.startsWith("POST /v1.41/containers/create"))
            return {write(httpResponse(201, "Created", R"({"Id":"abc123","Warnings":[]})"))};
        if (request.contains("/attach?"))
            return {write(kUpgradeHead), closeConnection()};
        return {write(httpResponse(404, "Not Found", R"({"message":"unexpected"})"))};
    });
    DockerClient client(daemon.endpoint());
    client.setApiVersion(QStringLiteral("1.41"));

    ContainerCreateOptions options;
    options.name = QStringLiteral("pa run/1");
    options.image = QStringLiteral("parallax/demo-agent:0.1.0");
    options.cmd
            = QStringList{QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo hi")};
    options.labels.insert(QStringLiteral("parallax.test"), QStringLiteral("fake"));
    const Result<QString> id = sync<QString>(
            [&](QObject *c, auto done) { client.createContainer(options, c, done); });
    QVERIFY2(id, qPrintable(id.errorString()));
    QCOMPARE(*id, QStringLiteral("abc123"));

    const QByteArray create = daemon.requests().at(0);
    const qsizetype headEnd = create.indexOf("\r\n\r\n");
    const QByteArray head = create.left(headEnd);
    const QByteArray body = create.mid(headEnd + 4);
    QVERIFY2(head.startsWith("POST /v1.41/containers/create?name=pa%20run%2F1 HTTP/1.1\r\n"),
             head.constData());
    QVERIFY(head.contains("\r\nContent-Type: application/json"));
    QVERIFY(head.contains("\r\nContent-Length: " + QByteArray::number(body.size())));
    QVERIFY(head.contains("\r\nConnection: close"));
    QVERIFY(head.contains("\r\nHost: "));
    const QJsonObject json = QJsonDocument::fromJson(body).object();
    QCOMPARE(json.value(QLatin1String("Image")).toString(), options.image);
    QCOMPARE(json.value(QLatin1String("Cmd")).toArray().size(), 3);
    QCOMPARE(json.value(QLatin1String("Labels"))
                     .toObject()
                     .value(QLatin1String("parallax.test"))
                     .toString(),
             QStringLiteral("fake"));
    QCOMPARE(json.value(QLatin1String("HostConfig"))
                     .toObject()
                     .value(QLatin1String("Privileged"))
                     .toBool(true),
             false);

    QObject context;
    StreamRecorder recorder;
    recorder.attach(client.attach(QStringLiteral("abc123"), false, &context), &context);
    QVERIFY(recorder.wait());
    QVERIFY2(*recorder.result, qPrintable(recorder.result->errorString()));
    const QByteArray attach = daemon.requests().at(1);
    QVERIFY2(
            attach.startsWith(
                    "POST /v1.41/containers/abc123/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\n"),
            attach.constData());
    QVERIFY(attach.contains("\r\nConnection: Upgrade\r\n"));
    QVERIFY(attach.contains("\r\nUpgrade: tcp\r\n"));
}

// ---------------------------------------------------------------------------------------------

void TestDockerReplyFake::bufferedJson()
{
    QFETCH(Delivery, delivery);
    const QByteArray body = R"({"Id":"abc","State":{"Status":"exited","ExitCode":3},"Name":"/x"})";
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    // The connection stays open after the body: Content-Length alone must end the reply.
    daemon.respond(deliver({"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: "
                            "application/json\r\nContent-Length: "
                                    + QByteArray::number(body.size()) + "\r\n\r\n",
                            body.left(10),
                            body.mid(10)},
                           delivery));
    DockerClient client(daemon.endpoint());
    const Result<QJsonObject> inspect = sync<QJsonObject>(
            [&](QObject *c, auto done) { client.inspectContainer("abc", c, done); });
    QVERIFY2(inspect, qPrintable(inspect.errorString()));
    QCOMPARE(inspect->value(QLatin1String("State"))
                     .toObject()
                     .value(QLatin1String("ExitCode"))
                     .toInt(),
             3);
}

void TestDockerReplyFake::chunkedJson()
{
    QFETCH(Delivery, delivery);
    const QByteArray json
            = R"({"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux"})";
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    // Odd chunk sizes, upper-case hex, a chunk extension and a trailer.
    const QByteArray a = json.left(1);
    const QByteArray b = json.mid(1, 0x1A);
    const QByteArray c = json.mid(1 + 0x1A);
    daemon.respond(deliver({kChunkedHead,
                            chunk(a),
                            "1A;ext=1\r\n" + b + "\r\n",
                            chunk(c),
                            "0\r\nX-Trailer: yes\r\n\r\n"},
                           delivery));
    DockerClient client(daemon.endpoint());
    const Result<QJsonObject> version
            = sync<QJsonObject>([&](QObject *ctx, auto done) { client.version(ctx, done); });
    QVERIFY2(version, qPrintable(version.errorString()));
    QCOMPARE(version->value(QLatin1String("MinAPIVersion")).toString(), QStringLiteral("1.12"));
    QCOMPARE(QJsonDocument(*version).toJson(QJsonDocument::Compact).size(), json.size());
}

void TestDockerReplyFake::httpError()
{
    QFETCH(Delivery, delivery);
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.setHandler([delivery](const QByteArray &request) -> Script {
        if (request.startsWith("DELETE"))
            return deliver({"HTTP/1.1 404 Not Found\r\nContent-Type: "
                            "application/json\r\nContent-Length: 46\r\n\r\n",
                            R"({"message":"No such container: parallax-gone"})"},
                           delivery);
        // A chunked error, as an error that happens after the handler has started writing.
        return deliver({"HTTP/1.1 409 Conflict\r\nContent-Type: "
                        "application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                        chunk(R"({"message":"Container abc is not running"})"
                              "\n"),
                        kLastChunk},
                       delivery);
    });
    DockerClient client(daemon.endpoint());
    const Result<void> removed = sync<void>(
            [&](QObject *c, auto done) { client.removeContainer("parallax-gone", true, c, done); });
    QVERIFY(!removed);
    QCOMPARE(removed.error().code, 404);
    QCOMPARE(removed.errorString(), QStringLiteral("No such container: parallax-gone"));
    const Result<void> killed
            = sync<void>([&](QObject *c, auto done) { client.killContainer("abc", {}, c, done); });
    QVERIFY(!killed);
    QCOMPARE(killed.error().code, 409);
    QCOMPARE(killed.errorString(), QStringLiteral("Container abc is not running"));
}

void TestDockerReplyFake::waitChunked()
{
    QFETCH(Delivery, delivery);
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    // The header at once, the status at exit, as dockerd does.
    Script script = deliver({kChunkedHead}, delivery);
    script << pause(200);
    script << deliver({chunk(R"({"Error":null,"StatusCode":3})"
                             "\n"),
                       kLastChunk},
                      delivery);
    daemon.respond(script);
    DockerClient client(daemon.endpoint());
    client.setTimeout(100); // the wait is streaming: once the header is in, it has no deadline
    const Result<WaitResult> wait = sync<WaitResult>(
            [&](QObject *c, auto done) { client.waitContainer("abc", "next-exit", c, done); });
    QVERIFY2(wait, qPrintable(wait.errorString()));
    QCOMPARE(wait->statusCode, 3);
    QCOMPARE(wait->error, QString());
    QVERIFY(daemon.requests().first().startsWith(
            "POST /containers/abc/wait?condition=next-exit HTTP/1.1"));
}

void TestDockerReplyFake::attachFrames()
{
    QFETCH(Delivery, delivery);
    const auto frames = sampleFrames();
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.respond(deliver(QList<QByteArray>{kUpgradeHead} + framePieces(frames), delivery)
                   << closeConnection());
    DockerClient client(daemon.endpoint());
    QObject context;
    StreamRecorder recorder;
    recorder.attach(client.attach("abc", false, &context), &context);
    QVERIFY(recorder.wait(10000));
    QVERIFY2(*recorder.result, qPrintable(recorder.result->errorString()));
    QVERIFY(recorder.started);
    QVERIFY(recorder.startedBeforeOutput);
    QCOMPARE(recorder.out, joined(frames, StreamType::Stdout));
    QCOMPARE(recorder.err, joined(frames, StreamType::Stderr));
    if (delivery == Delivery::ByteByByte) // the split really happened
        QVERIFY2(recorder.pieces > 1000, qPrintable(QString::number(recorder.pieces)));
}

void TestDockerReplyFake::logsChunkedTimestamps_data()
{
    QTest::addColumn<Delivery>("delivery");
    QTest::addColumn<bool>("threeFrames");
    // dockerd 20.10 writes "<timestamp> <line>" as one frame; moby's current tree
    // (daemon/server/httputils/write_log_stream.go) writes the timestamp, the space and the line
    // with three separate writes, hence three frames per message.
    for (bool threeFrames : {false, true}) {
        const char *format = threeFrames ? "three frames per message" : "one frame per message";
        QTest::addRow("%s, one write", format) << Delivery::OneWrite << threeFrames;
        QTest::addRow("%s, pieces in separate writes", format) << Delivery::Pieces << threeFrames;
        QTest::addRow("%s, one byte per write", format) << Delivery::ByteByByte << threeFrames;
    }
}

void TestDockerReplyFake::logsChunkedTimestamps()
{
    QFETCH(Delivery, delivery);
    QFETCH(bool, threeFrames);
    struct Message
    {
        StreamType stream;
        QByteArray timestamp;
        QByteArray text;
    };
    const QList<Message> messages{
            {StreamType::Stdout, "2024-05-01T12:00:00.000000001Z", "hello\n"},
            {StreamType::Stderr, "2024-05-01T12:00:00.000000002Z", "oops\n"},
            {StreamType::Stdout, "2024-05-01T12:00:00.000000003Z", QByteArray(100, 'x') + '\n'},
            {StreamType::Stdout, "2024-05-01T12:00:00.000000004Z", "two spaces  here\n"},
            {StreamType::Stdout, "2024-05-01T12:00:00.000000005Z", "\n"},
            // An application that logs its own timestamps: only the daemon's is split off.
            {StreamType::Stderr,
             "2024-05-01T12:00:00.000000006Z",
             "2024-05-01T11:59:59.999999999Z app: started\n"},
            // dockerd's in-band error (moby api/server/httputils/write_log_stream.go): type 3, and
            // no timestamp even with timestamps=1.
            {StreamType::DaemonError, "", "Error grabbing logs: log message is too large\n"},
            {StreamType::Stdout, "2024-05-01T12:00:01.000000000Z", "bye"},
    };
    QList<QByteArray> pieces{kLogsHead};
    for (const Message &m : messages) {
        QList<QByteArray> payloads;
        if (m.timestamp.isEmpty())
            payloads << m.text;
        else if (threeFrames)
            payloads << m.timestamp << " " << m.text;
        else
            payloads << m.timestamp + ' ' + m.text;
        // Podman style: header and payload in separate writes, each its own chunk.
        for (const QByteArray &payload : payloads)
            pieces << chunk(frameHeader(m.stream, quint32(payload.size()))) << chunk(payload);
    }
    pieces << kLastChunk;
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.respond(deliver(pieces, delivery));

    DockerClient client(daemon.endpoint());
    QObject context;
    LogsOptions options;
    options.timestamps = true;
    ContainerStream *stream = client.logs("abc", options, false, &context);
    QList<Message> seen;
    connect(stream,
            &ContainerStream::outputReceived,
            &context,
            [&](StreamType type, const QByteArray &data) {
                if (!seen.isEmpty() && seen.last().stream == type
                    && seen.last().timestamp == stream->lastTimestamp())
                    seen.last().text += data;
                else
                    seen.append({type, stream->lastTimestamp(), data});
            });
    QSignalSpy finished(stream, &ContainerStream::finished);
    QVERIFY(finished.wait(10000));
    const auto result = finished.first().first().value<Result<void>>();
    QVERIFY2(result, qPrintable(result.errorString()));
    QCOMPARE(seen.size(), messages.size());
    for (int i = 0; i < messages.size(); ++i) {
        QCOMPARE(seen[i].stream, messages[i].stream);
        QCOMPARE(seen[i].text, messages[i].text);
        if (!messages[i].timestamp.isEmpty())
            QCOMPARE(seen[i].timestamp, messages[i].timestamp);
    }
    QVERIFY(daemon.requests().first().startsWith(
            "GET /containers/abc/logs?stdout=1&stderr=1&follow=0&timestamps=1 HTTP/1.1\r\n"));
}

void TestDockerReplyFake::framesStraddleChunks()
{
    // Chunk boundaries that fall anywhere in the frame stream, for every chunk size up to 20.
    const auto frames = sampleFrames();
    QByteArray stream;
    for (const auto &[type, payload] : frames)
        stream += frame(type, payload);
    for (int size = 1; size <= 20; ++size) {
        QList<QByteArray> pieces{kLogsHead};
        for (qsizetype pos = 0; pos < stream.size(); pos += size)
            pieces << chunk(stream.mid(pos, size));
        pieces << kLastChunk;
        FakeDaemon daemon;
        QVERIFY(daemon.listen());
        daemon.respond(deliver({pieces.join()}, Delivery::OneWrite));
        DockerClient client(daemon.endpoint());
        QObject context;
        StreamRecorder recorder;
        recorder.attach(client.logs("abc", LogsOptions(), false, &context), &context);
        QVERIFY(recorder.wait(5000));
        QVERIFY2(*recorder.result, qPrintable(recorder.result->errorString()));
        QCOMPARE(recorder.out, joined(frames, StreamType::Stdout));
        QCOMPARE(recorder.err, joined(frames, StreamType::Stderr));
    }
}

void TestDockerReplyFake::eventsChunked()
{
    QFETCH(Delivery, delivery);
    const QByteArray e1
            = R"({"status":"create","id":"abc","Type":"container","Action":"create","Actor":{"ID":"abc"}})";
    const QByteArray e2
            = R"({"status":"start","id":"abc","Type":"container","Action":"start","Actor":{"ID":"abc"}})";
    const QByteArray e3
            = R"({"status":"die","id":"abc","Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{"exitCode":"3"}}})";
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    // Objects split across chunks, a blank line, two objects in one chunk; never closed.
    daemon.respond(deliver({kChunkedHead,
                            chunk(e1.left(20)),
                            chunk(e1.mid(20) + "\n"),
                            chunk("\n"),
                            chunk(e2 + '\n' + e3 + '\n')},
                           delivery));
    DockerClient client(daemon.endpoint());
    QObject context;
    JsonLinesStream *events = client.events(
            {{QStringLiteral("type"), QJsonArray{QStringLiteral("container")}}}, &context);
    QStringList actions;
    connect(events, &JsonLinesStream::objectReceived, &context, [&](const QJsonObject &o) {
        actions << o.value(QLatin1String("Action")).toString();
    });
    QSignalSpy finished(events, &JsonLinesStream::finished);
    QTRY_COMPARE_WITH_TIMEOUT(actions, QStringList({"create", "start", "die"}), 10000);
    QCOMPARE(finished.size(), 0);
    QVERIFY2(daemon.requests().first().startsWith(
                     "GET /events?filters=%7B%22type%22%3A%5B%22container%22%5D%7D HTTP/1.1"),
             daemon.requests().first().constData());
    events->abort();
    QTRY_COMPARE(finished.size(), 1);
    QCOMPARE(finished.first().first().value<Result<void>>().error().code, -1);
}

void TestDockerReplyFake::everySplitPoint_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addRow("ping") << "ping";
    QTest::addRow("attach 101") << "attach";
    QTest::addRow("logs chunked") << "logs";
}

void TestDockerReplyFake::everySplitPoint()
{
    // The response in two writes, split at every position: across the status line, a header,
    // the blank line, a chunk size, a frame header.
    QFETCH(QString, kind);
    const QList<QPair<StreamType, QByteArray>> frames{{StreamType::Stdout, "out\n"},
                                                      {StreamType::Stderr, "err"},
                                                      {StreamType::Stdout, "more"}};
    QByteArray response;
    if (kind == QLatin1String("ping")) {
        response = "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK";
    } else if (kind == QLatin1String("attach")) {
        response = kUpgradeHead;
        for (const auto &[type, payload] : frames)
            response += frame(type, payload);
    } else {
        response = kLogsHead;
        for (const auto &[type, payload] : frames)
            response += chunk(frame(type, payload));
        response += kLastChunk;
    }
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    DockerClient client(daemon.endpoint());
    for (qsizetype split = 1; split < response.size(); ++split) {
        daemon.respond(
                {write(response.left(split)), write(response.mid(split)), closeConnection()});
        if (kind == QLatin1String("ping")) {
            const Result<PingInfo> info
                    = sync<PingInfo>([&](QObject *c, auto done) { client.ping(c, done); });
            QVERIFY2(info,
                     qPrintable(QStringLiteral("split %1: %2").arg(split).arg(info.errorString())));
            QCOMPARE(info->daemonApiVersion, QStringLiteral("1.41"));
            continue;
        }
        QObject context;
        StreamRecorder recorder;
        recorder.attach(kind == QLatin1String("attach")
                                ? client.attach("abc", false, &context)
                                : client.logs("abc", LogsOptions(), false, &context),
                        &context);
        QVERIFY(recorder.wait());
        QVERIFY2(*recorder.result,
                 qPrintable(QStringLiteral("split %1: %2")
                                    .arg(split)
                                    .arg(recorder.result->errorString())));
        QCOMPARE(recorder.out, QByteArray("out\nmore"));
        QCOMPARE(recorder.err, QByteArray("err"));
    }
}

// ---------------------------------------------------------------------------------------------

void TestDockerReplyFake::malformed_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<bool>("keepOpen"); // the fake never closes: the client must not wait for more
    QTest::addRow("not HTTP") << QByteArray("HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                              << false;
    QTest::addRow("letters in the code")
            << QByteArray("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n") << false;
    QTest::addRow("no space after the code")
            << QByteArray("HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n") << false;
    QTest::addRow("status line too short") << QByteArray("HTTP/1.1 20\r\n\r\n") << false;
    QTest::addRow("garbage, no blank line, kept open")
            << QByteArray("SSH-2.0-OpenSSH_9.2\r\n") << true;
    QTest::addRow("header without colon")
            << QByteArray("HTTP/1.1 200 OK\r\nNoColonHere\r\nContent-Length: 0\r\n\r\n") << false;
    QTest::addRow("bad Content-Length")
            << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n{}") << false;
    QTest::addRow("bad chunk size, kept open")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}") << true;
    QTest::addRow("no CRLF after a chunk, kept open")
            << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}XX") << true;
}

void TestDockerReplyFake::malformed()
{
    QFETCH(QByteArray, response);
    QFETCH(bool, keepOpen);
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    Script script{write(response)};
    if (!keepOpen)
        script << closeConnection();
    daemon.respond(script);
    DockerClient client(daemon.endpoint());
    QElapsedTimer timer;
    timer.start();
    const Result<QJsonObject> version
            = sync<QJsonObject>([&](QObject *c, auto done) { client.version(c, done); });
    QVERIFY(!version);
    QVERIFY2(version.errorString().contains(QLatin1String("malformed")),
             qPrintable(version.errorString()));
    QCOMPARE(version.error().code, -2);
    QVERIFY2(version.errorString().contains(QLatin1String("GET /version")),
             qPrintable(version.errorString()));
    QVERIFY2(timer.elapsed() < 5000, "the malformed answer was only noticed at the timeout");

    // The same answer to a stream ends the stream with the same kind of error.
    QObject context;
    StreamRecorder recorder;
    recorder.attach(client.attach("abc", false, &context), &context);
    QVERIFY(recorder.wait(5000));
    QVERIFY(!*recorder.result);
    QVERIFY2(recorder.result->errorString().contains(QLatin1String("malformed")),
             qPrintable(recorder.result->errorString()));
}

void TestDockerReplyFake::malformedStream_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addRow("unknown stream type")
            << (frame(StreamType::Stdout, "ok\n") + QByteArray("\x09\0\0\0\0\0\0\x02hi", 10));
    QTest::addRow("non-zero padding")
            << (frame(StreamType::Stdout, "ok\n") + QByteArray("\x01\x01\0\0\0\0\0\x02hi", 10));
    QTest::addRow("a TTY stream read as multiplexed")
            << QByteArray("ok\nplain text from a TTY\r\n");
}

void TestDockerReplyFake::malformedStream()
{
    QFETCH(QByteArray, stream);
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.respond({write(kUpgradeHead + stream)}); // kept open: the client must give up by itself
    DockerClient client(daemon.endpoint());
    QObject context;
    StreamRecorder recorder;
    recorder.attach(client.attach("abc", false, &context), &context);
    QVERIFY(recorder.wait(5000));
    QVERIFY(!*recorder.result);
    QVERIFY2(recorder.result->errorString().contains(QLatin1String("malformed stream")),
             qPrintable(recorder.result->errorString()));
    QCOMPARE(recorder.result->error().code, -2);
    if (stream.startsWith('\x01') && stream.size() > 11)
        QCOMPARE(recorder.out, QByteArray("ok\n")); // what came before the bad header
}

void TestDockerReplyFake::cutMidStream_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<bool>("abort");     // abort() instead of an orderly close
    QTest::addColumn<QString>("error");  // empty: a clean end
    QTest::addColumn<QByteArray>("out"); // what arrives before the cut
    const QByteArray first = frame(StreamType::Stdout, "complete\n");
    const QByteArray partialPayload = frameHeader(StreamType::Stdout, 100) + QByteArray(10, 'p');
    const QByteArray partialHeader = frameHeader(StreamType::Stderr, 5).left(5);
    QTest::addRow("inside a payload")
            << first + partialPayload << false << "90 of 100 payload bytes missing"
            << QByteArray("complete\n") + QByteArray(10, 'p');
    QTest::addRow("inside a payload, aborted")
            << first + partialPayload << true << "90 of 100 payload bytes missing"
            << QByteArray("complete\n") + QByteArray(10, 'p');
    QTest::addRow("inside a header")
            << first + partialHeader << false << "inside a frame header (5 of 8 bytes)"
            << QByteArray("complete\n");
    QTest::addRow("between frames") << first << false << QString() << QByteArray("complete\n");
    QTest::addRow("right after the 101") << QByteArray() << false << QString() << QByteArray();
}

void TestDockerReplyFake::cutMidStream()
{
    QFETCH(QByteArray, stream);
    QFETCH(bool, abort);
    QFETCH(QString, error);
    QFETCH(QByteArray, out);
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.respond({write(kUpgradeHead),
                    write(stream),
                    pause(50),
                    abort ? abortConnection() : closeConnection()});
    DockerClient client(daemon.endpoint());
    QObject context;
    StreamRecorder recorder;
    recorder.attach(client.attach("abc", false, &context), &context);
    QVERIFY(recorder.wait(5000));
    QCOMPARE(recorder.out, out); // payload is handed on as it arrives, even of a frame cut short
    if (error.isEmpty()) {
        QVERIFY2(*recorder.result, qPrintable(recorder.result->errorString()));
    } else {
        QVERIFY(!*recorder.result);
        QCOMPARE(recorder.result->error().code, -4);
        QVERIFY2(recorder.result->errorString().contains(QLatin1String("cut")),
                 qPrintable(recorder.result->errorString()));
        QVERIFY2(recorder.result->errorString().contains(error),
                 qPrintable(recorder.result->errorString()));
    }
}

void TestDockerReplyFake::cutChunkedLogs()
{
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    const QByteArray payload
            = frame(StreamType::Stdout, "first\n") + frame(StreamType::Stdout, "second\n");
    daemon.respond({write(kLogsHead),
                    write("40\r\n" + payload),
                    pause(20),
                    closeConnection()}); // 0x40 > what came
    DockerClient client(daemon.endpoint());
    QObject context;
    StreamRecorder recorder;
    LogsOptions options;
    options.follow = true;
    recorder.attach(client.logs("abc", options, false, &context), &context);
    QVERIFY(recorder.wait(5000));
    QCOMPARE(recorder.out, QByteArray("first\nsecond\n"));
    QVERIFY(!*recorder.result);
    QCOMPARE(recorder.result->error().code, -4);
    QVERIFY2(recorder.result->errorString().contains(QLatin1String("chunked")),
             qPrintable(recorder.result->errorString()));
}

void TestDockerReplyFake::closedBeforeResponse()
{
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.setHandler([](const QByteArray &request) -> Script {
        if (request.startsWith("GET /_ping"))
            return {closeConnection()};
        return {write("HTTP/1.1 200 OK\r\nContent-"), closeConnection()};
    });
    DockerClient client(daemon.endpoint());
    const Result<PingInfo> ping
            = sync<PingInfo>([&](QObject *c, auto done) { client.ping(c, done); });
    QVERIFY(!ping);
    QCOMPARE(ping.error().code, -4);
    QVERIFY2(ping.errorString().contains(QLatin1String("closed before any response")),
             qPrintable(ping.errorString()));
    const Result<QJsonObject> version
            = sync<QJsonObject>([&](QObject *c, auto done) { client.version(c, done); });
    QVERIFY(!version);
    QVERIFY2(version.errorString().contains(QLatin1String("in the middle of the response header")),
             qPrintable(version.errorString()));
}

// ---------------------------------------------------------------------------------------------

void TestDockerReplyFake::noAnswerTimesOut()
{
    FakeDaemon daemon;
    QVERIFY(daemon.listen()); // accepts, reads the request, never answers
    DockerClient client(daemon.endpoint());
    client.setTimeout(300);
    QElapsedTimer timer;
    timer.start();
    const Result<QJsonObject> inspect = sync<QJsonObject>(
            [&](QObject *c, auto done) { client.inspectContainer("abc", c, done); });
    const qint64 elapsed = timer.elapsed();
    QVERIFY(!inspect);
    QCOMPARE(inspect.error().code, -5);
    QVERIFY2(inspect.errorString().contains(QLatin1String("did not answer")),
             qPrintable(inspect.errorString()));
    QVERIFY2(inspect.errorString().contains(QLatin1String("GET /containers/abc/json")),
             qPrintable(inspect.errorString()));
    QVERIFY2(elapsed >= 250 && elapsed < 3000, qPrintable(QStringLiteral("%1 ms").arg(elapsed)));
    QCOMPARE(daemon.requests().size(), 1);

    // A header that never ends times out just the same.
    daemon.respond({write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n")});
    const Result<QJsonObject> partial = sync<QJsonObject>(
            [&](QObject *c, auto done) { client.inspectContainer("abc", c, done); });
    QVERIFY(!partial);
    QVERIFY2(partial.errorString().contains(QLatin1String("did not answer")),
             qPrintable(partial.errorString()));

    // As does a body that stops short of its Content-Length.
    daemon.respond({write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Id\":")});
    const Result<QJsonObject> shortBody = sync<QJsonObject>(
            [&](QObject *c, auto done) { client.inspectContainer("abc", c, done); });
    QVERIFY(!shortBody);
    QVERIFY2(shortBody.errorString().contains(QLatin1String("did not answer")),
             qPrintable(shortBody.errorString()));
}

void TestDockerReplyFake::noAnswerTimesOutStreaming()
{
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    DockerClient client(daemon.endpoint());
    client.setTimeout(300);
    QObject context;
    StreamRecorder recorder;
    QElapsedTimer timer;
    timer.start();
    recorder.attach(client.attach("abc", false, &context), &context);
    QVERIFY(recorder.wait(5000));
    QVERIFY(timer.elapsed() >= 250);
    QVERIFY(!recorder.started);
    QVERIFY(!*recorder.result);
    QVERIFY2(recorder.result->errorString().contains(QLatin1String("did not answer")),
             qPrintable(recorder.result->errorString()));
}

void TestDockerReplyFake::streamingNeverTimesOutAfterHeader()
{
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.respond({write(kUpgradeHead),
                    pause(800),
                    write(frame(StreamType::Stdout, "late\n")),
                    pause(200),
                    closeConnection()});
    DockerClient client(daemon.endpoint());
    client.setTimeout(300);
    QObject context;
    StreamRecorder recorder;
    recorder.attach(client.attach("abc", false, &context), &context);
    QVERIFY(recorder.wait(5000));
    QVERIFY2(*recorder.result, qPrintable(recorder.result->errorString()));
    QCOMPARE(recorder.out, QByteArray("late\n"));
}

// ---------------------------------------------------------------------------------------------

void TestDockerReplyFake::upgradeWithDataInSameWrite_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<int>("closeDelay"); // -1: closed in the same breath as the write
    const QByteArray hijacked200
            = "HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n";
    QTest::addRow("101, closed later") << kUpgradeHead << 20;
    QTest::addRow("101, closed at once") << kUpgradeHead << -1;
    QTest::addRow("hijacked 200 without Upgrade, closed later") << hijacked200 << 20;
    QTest::addRow("hijacked 200 without Upgrade, closed at once") << hijacked200 << -1;
}

void TestDockerReplyFake::upgradeWithDataInSameWrite()
{
    QFETCH(QByteArray, head);
    QFETCH(int, closeDelay);
    const auto frames = sampleFrames();
    QByteArray all = head;
    for (const auto &[type, payload] : frames)
        all += frame(type, payload);
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.respond({write(all), closeConnection(closeDelay)});
    DockerClient client(daemon.endpoint());
    QObject context;
    StreamRecorder recorder;
    recorder.attach(client.attach("abc", false, &context), &context);
    QVERIFY(recorder.wait(5000));
    QVERIFY2(*recorder.result, qPrintable(recorder.result->errorString()));
    QVERIFY(recorder.started);
    QVERIFY(recorder.startedBeforeOutput);
    QCOMPARE(recorder.out, joined(frames, StreamType::Stdout));
    QCOMPARE(recorder.err, joined(frames, StreamType::Stderr));
}

void TestDockerReplyFake::errorAfterHijack()
{
    // What dockerd sends when attach fails after the hijack: an error status, no length.
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.respond({write("HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n"),
                    write(R"({"message":"No such container: abc"})"
                          "\n"),
                    closeConnection()});
    DockerClient client(daemon.endpoint());
    QObject context;
    StreamRecorder recorder;
    recorder.attach(client.attach("abc", false, &context), &context);
    QVERIFY(recorder.wait(5000));
    QVERIFY(!*recorder.result);
    QCOMPARE(recorder.result->error().code, 404);
    QCOMPARE(recorder.result->errorString(), QStringLiteral("No such container: abc"));
    QVERIFY(!recorder.started);
    QCOMPARE(recorder.out, QByteArray());
    QCOMPARE(recorder.pieces, 0);
}

void TestDockerReplyFake::abortLiveStream()
{
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.respond({write(kUpgradeHead
                          + frame(StreamType::Stdout, "one\n"))}); // and then nothing, forever
    DockerClient client(daemon.endpoint());
    QObject context;
    StreamRecorder recorder;
    ContainerStream *stream = client.attach("abc", false, &context);
    recorder.attach(stream, &context);
    // Abort from inside an output slot, the way a UI "Stop" reacting to output would.
    connect(stream, &ContainerStream::outputReceived, &context, [stream] { stream->abort(); });
    QVERIFY(recorder.wait(5000));
    QVERIFY(!*recorder.result);
    QCOMPARE(recorder.result->error().code, -1);
    QCOMPARE(recorder.out, QByteArray("one\n"));
    QTest::qWait(20); // the deferred deletions run without a crash
}

void TestDockerReplyFake::clientDestroyedWithOpenStreams()
{
    FakeDaemon daemon;
    QVERIFY(daemon.listen());
    daemon.respond({write(kUpgradeHead + frame(StreamType::Stdout, "one\n"))});
    auto client = std::make_unique<DockerClient>(daemon.endpoint());
    QPointer<ContainerStream> a = client->attach("a", false);
    QPointer<ContainerStream> b = client->attach("b", false);
    QPointer<JsonLinesStream> events = client->events({});
    QPointer<DockerReply> wait
            = client->waitContainer("a", "next-exit", nullptr, [](Result<WaitResult>) {});
    QTRY_COMPARE(daemon.requests().size(), 4);
    client.reset();
    QVERIFY(!a && !b && !events && !wait);
    QTest::qWait(20);
}

void TestDockerReplyFake::connectionRefused()
{
    // A socket file nobody listens on.
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("stale.sock"));
    {
        QLocalServer server;
        server.setSocketOptions(QLocalServer::UserAccessOption);
        QVERIFY(server.listen(path));
        // Leave the file behind, as a crashed daemon does.
        QFile::rename(path, path + QStringLiteral(".keep"));
        server.close();
        QFile::rename(path + QStringLiteral(".keep"), path);
    }
    DockerClient client(DockerEndpoint{path, QStringLiteral("test")});
    const Result<PingInfo> ping
            = sync<PingInfo>([&](QObject *c, auto done) { client.ping(c, done); });
    QVERIFY(!ping);
    QCOMPARE(ping.error().code, -3);
    QVERIFY2(ping.errorString().startsWith(
                     QStringLiteral("Docker is not running: %1 refuses connections").arg(path)),
             qPrintable(ping.errorString()));
}

QTEST_GUILESS_MAIN(TestDockerReplyFake)
#include "tst_dockerreply_fake.moc"

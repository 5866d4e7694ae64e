// A container whose create answer never arrives (label `docker`). Docker made the container,
// but the connection broke before its id reached Parallax: the runner must find it by its
// labels and carry on with it - one container, run to the end and removed - rather than fail
// and leave an orphan, or create a second one. A real daemon will not drop its own answer on
// demand, so the test puts a small proxy between Parallax and the real dockerd that passes
// everything through, except that it cuts the connection of a create request the moment the
// daemon starts answering. Everything else is the real daemon and real containers.

#include "runtesthelpers.h"

#include "docker/dockerclient.h"
#include "run/run.h"
#include "run/runspec.h"

#include <QLocalServer>
#include <QLocalSocket>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Parallax;
using namespace Parallax::RunTest;

namespace {

// Pipes each client connection to the daemon's socket. A connection whose request line is
// `POST .../containers/create` is forwarded whole, and closed as soon as the first byte of the
// daemon's answer arrives, without passing that answer on.
class DroppingProxy : public QObject
{
public:
    explicit DroppingProxy(QString upstream)
        : m_upstream(std::move(upstream))
    {
        connect(&m_server, &QLocalServer::newConnection, this, [this] {
            while (QLocalSocket *client = m_server.nextPendingConnection())
                pipe(client);
        });
    }

    bool listen(const QString &path) { return m_server.listen(path); }
    int createsSeen() const { return m_createsSeen; }
    int answersDropped() const { return m_answersDropped; }
    QStringList requestLines() const { return m_requestLines; }

private:
    void pipe(QLocalSocket *client)
    {
        client->setParent(this);
        auto *upstream = new QLocalSocket(client);
        auto pending = std::make_shared<QByteArray>();
        auto isCreate = std::make_shared<bool>(false);
        auto decided = std::make_shared<bool>(false);
        upstream->connectToServer(m_upstream);
        connect(client, &QLocalSocket::readyRead, client, [=, this] {
            pending->append(client->readAll());
            if (!*decided) {
                const qsizetype end = pending->indexOf("\r\n");
                if (end < 0)
                    return;
                *decided = true;
                const QByteArray line = pending->left(end);
                m_requestLines.append(QString::fromLatin1(line));
                *isCreate = line.startsWith("POST ") && line.contains("/containers/create");
                if (*isCreate)
                    ++m_createsSeen;
            }
            if (upstream->state() == QLocalSocket::ConnectedState) {
                upstream->write(*pending);
                pending->clear();
            }
        });
        connect(upstream, &QLocalSocket::connected, upstream, [=] {
            if (!pending->isEmpty()) {
                upstream->write(*pending);
                pending->clear();
            }
        });
        connect(upstream, &QLocalSocket::readyRead, upstream, [=, this] {
            if (*isCreate) {
                // Docker has made the container and is answering: the answer is lost.
                upstream->readAll();
                ++m_answersDropped;
                client->abort();
                upstream->abort();
                return;
            }
            client->write(upstream->readAll());
        });
        connect(upstream, &QLocalSocket::disconnected, client, [client] {
            client->disconnectFromServer();
        });
        connect(client, &QLocalSocket::disconnected, upstream, [upstream, client] {
            upstream->disconnectFromServer();
            client->deleteLater();
        });
    }

    QString m_upstream;
    QLocalServer m_server;
    int m_createsSeen = 0;
    int m_answersDropped = 0;
    QStringList m_requestLines;
};

} // namespace

class TestCreateAdopt : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void lostCreateAnswerIsAdopted();

private:
    std::unique_ptr<DockerClient> m_client; // straight to the daemon, for checks and cleanup
    DockerEndpoint m_endpoint;
    QStringList m_runIds;
};

void TestCreateAdopt::initTestCase()
{
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
    if (!endpoint)
        QSKIP(qPrintable(endpoint.errorString()));
    m_endpoint = *endpoint;
    m_client = std::make_unique<DockerClient>(m_endpoint);
    const Result<PingInfo> ping
            = syncCall<PingInfo>([&](QObject *context, DockerClient::Callback<PingInfo> done) {
                  m_client->ping(context, done);
              });
    if (!ping) {
        qWarning("*** DOCKER INTEGRATION TESTS SKIPPED: no Docker daemon: %s",
                 qPrintable(ping.errorString()));
        QSKIP(qPrintable(ping.errorString()));
    }
}

void TestCreateAdopt::cleanup()
{
    if (!m_client)
        return;
    const Result<int> removed = removeRunContainers(*m_client, m_runIds);
    QVERIFY2(removed, qPrintable(removed.errorString()));
    m_runIds.clear();
}

void TestCreateAdopt::lostCreateAnswerIsAdopted()
{
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    DroppingProxy proxy(m_endpoint.socketPath);
    const QString proxyPath = temp.filePath(QStringLiteral("proxy.sock"));
    QVERIFY(proxy.listen(proxyPath));

    const Result<RunSpec> spec = RunSpec::fromJson(
            R"({"name":"adopt","image":")" PARALLAX_DEMO_IMAGE
            R"(","command":["sh","-c","echo adopted; echo oops >&2; exit 3"]})");
    QVERIFY2(spec, qPrintable(spec.errorString()));
    DockerClient client(DockerEndpoint{proxyPath, QStringLiteral("test proxy")});
    RunOptions options;
    options.outDir = temp.filePath(QStringLiteral("run"));
    Run run(&client, *spec, options);
    m_runIds.append(run.id());
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    QVERIFY2(finished.count() > 0 || finished.wait(60000), "the run did not finish");

    // The answer really was lost, once; no second container was asked for.
    QCOMPARE(proxy.createsSeen(), 1);
    QCOMPARE(proxy.answersDropped(), 1);
    const VariationRunner *v = run.variation(0);
    QVERIFY2(v->error().isEmpty(), qPrintable(v->error()));
    QCOMPARE(v->state(), VariationState::Exited);
    QCOMPARE(v->exitCode(), 3);
    QCOMPARE(*TranscriptReader::readStream(v->transcriptPath(), StreamType::Stdout),
             QByteArray("adopted\n"));
    QCOMPARE(*TranscriptReader::readStream(v->transcriptPath(), StreamType::Stderr),
             QByteArray("oops\n"));
    // The adopted container was the run's own (found by its labels), and it was removed.
    QVERIFY(!v->containerId().isEmpty());
    const Result<QList<ContainerSummary>> left = runContainers(*m_client, run.id());
    QVERIFY2(left && left->isEmpty(),
             qPrintable(QStringLiteral("%1 container(s) of the run are left")
                                .arg(left ? left->size() : -1)));
    bool lookedUp = false;
    for (const QString &line : proxy.requestLines())
        lookedUp |= line.startsWith(QLatin1String("GET "))
                    && line.contains(QLatin1String("/containers/json"));
    QVERIFY2(lookedUp, qPrintable(proxy.requestLines().join(QLatin1Char('\n'))));
}

QTEST_GUILESS_MAIN(TestCreateAdopt)
#include "tst_createadopt.moc"

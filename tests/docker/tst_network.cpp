// The spec's `network` through a real Run: "none" leaves a container only the loopback
// interface, "host" shows it the host's own interfaces, and "default" sends nothing, so the
// container gets what a plain `docker run` gets.
// Read from /proc/net/dev inside the demo image (busybox).

#include "docker/dockerclient.h"
#include "docker/syncwait.h"
#include "dockertesthelpers.h"
#include "run/run.h"
#include "runtesthelpers.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

class TestNetwork : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void interfaces_data();
    void interfaces();

private:
    // The interface names the container saw, from its transcript.
    QStringList runAndListInterfaces(const QString &network, QJsonObject *createdHostConfig);

    std::unique_ptr<DockerClient> m_client;
    QTemporaryDir m_dir;
    QStringList m_runIds;
};

void TestNetwork::initTestCase()
{
    const Result<DockerEndpoint> endpoint = DockerTest::testEndpoint();
    QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
    m_client = std::make_unique<DockerClient>(*endpoint);
    const Result<PingInfo> ping = syncCall<PingInfo>(
            [&](QObject *context, auto done) { m_client->ping(context, done); });
    QVERIFY2(ping, qPrintable(ping.errorString()));
}

void TestNetwork::cleanupTestCase()
{
    if (m_client)
        RunTest::removeRunContainers(*m_client, m_runIds);
}

QStringList TestNetwork::runAndListInterfaces(const QString &network, QJsonObject *hostConfig)
{
    QJsonObject json{
            {"image", QStringLiteral(PARALLAX_DEMO_IMAGE)},
            {"command",
             QJsonArray{"sh", "-c", "sed -n '3,$p' /proc/net/dev | cut -d: -f1 | tr -d ' '"}},
            {"keep_containers", true}};
    if (!network.isEmpty())
        json.insert("network", network);
    const Result<RunSpec> spec = RunSpec::fromJson(QJsonDocument(json).toJson());
    if (!spec)
        return {QStringLiteral("spec: ") + spec.errorString()};
    RunOptions options;
    options.outDir = m_dir.filePath(network.isEmpty() ? QStringLiteral("unset") : network);
    Run run(m_client.get(), *spec, options);
    m_runIds << run.id();
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    if (!finished.wait(60000))
        return {QStringLiteral("the run did not finish")};
    VariationRunner *variation = run.variation(0);
    if (!variation || variation->exitCode() != 0)
        return {QStringLiteral("the variation failed: ")
                + (variation ? variation->error() : QString())};
    const Result<QJsonObject> inspected = syncCall<QJsonObject>([&](QObject *context, auto done) {
        m_client->inspectContainer(variation->containerId(), context, done);
    });
    if (inspected)
        *hostConfig = inspected->value(QLatin1String("HostConfig")).toObject();
    QStringList names;
    for (const TranscriptChunk &chunk :
         RunTest::readChunks(options.outDir + QStringLiteral("/v1.jsonl"))) {
        for (const QByteArray &line : chunk.data.split('\n')) {
            if (!line.trimmed().isEmpty())
                names << QString::fromUtf8(line.trimmed());
        }
    }
    names.sort();
    return names;
}

void TestNetwork::interfaces_data()
{
    QTest::addColumn<QString>("network");
    QTest::addRow("none") << "none";
    QTest::addRow("host") << "host";
    QTest::addRow("default") << "default";
    QTest::addRow("left out") << "";
}

void TestNetwork::interfaces()
{
    QFETCH(QString, network);
    QJsonObject hostConfig;
    const QStringList names = runAndListInterfaces(network, &hostConfig);
    qInfo("network %s: %s", qPrintable(network), qPrintable(names.join(u' ')));
    const QString mode = hostConfig.value(QLatin1String("NetworkMode")).toString();
    if (network == QLatin1String("none")) {
        QCOMPARE(names, QStringList{QStringLiteral("lo")});
        QCOMPARE(mode, QStringLiteral("none"));
    } else if (network == QLatin1String("host")) {
        QCOMPARE(mode, QStringLiteral("host"));
        // Exactly the host's interfaces (this test runs where dockerd runs).
        QStringList host;
        QFile dev(QStringLiteral("/proc/net/dev"));
        QVERIFY(dev.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = dev.readAll().split('\n');
        for (qsizetype i = 2; i < lines.size(); ++i) {
            if (lines[i].contains(':'))
                host << QString::fromUtf8(lines[i].split(':').first().trimmed());
        }
        host.sort();
        QCOMPARE(names, host);
        QVERIFY(names.contains(QStringLiteral("docker0")) || names.size() > 2);
    } else {
        // Docker's default: nothing sent, so the daemon's own choice, the same as a plain
        // `docker run` (the reference) gets. On a daemon with a bridge that is lo and eth0; on
        // one started with --bridge=none (this project's CI) only lo.
        QCOMPARE(mode, QStringLiteral("default"));
        QProcess docker;
        docker.start(QStringLiteral("docker"),
                     {QStringLiteral("run"),
                      QStringLiteral("--rm"),
                      QStringLiteral(PARALLAX_DEMO_IMAGE),
                      QStringLiteral("sh"),
                      QStringLiteral("-c"),
                      QStringLiteral("sed -n '3,$p' /proc/net/dev | cut -d: -f1 | tr -d ' '")});
        QVERIFY(docker.waitForFinished(60000));
        QStringList reference = QString::fromUtf8(docker.readAllStandardOutput())
                                        .split(u'\n', Qt::SkipEmptyParts);
        reference.sort();
        QVERIFY(reference.contains(QStringLiteral("lo")));
        QCOMPARE(names, reference);
    }
}

QTEST_GUILESS_MAIN(TestNetwork)
#include "tst_network.moc"

#pragma once

// A private Docker registry for pull tests: Debian's `docker-registry` serving a temporary
// folder on a free loopback port (dockerd treats 127.0.0.0/8 registries as insecure, so no TLS
// is needed), plus a throttling TCP proxy in front of it so a pull can be slowed down enough to
// watch or cancel. Test images are made with the docker CLI (import + build + push) as a
// reference tool, and removed again by cleanup(). Header-only and test-only.

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QList>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <memory>

namespace Parallax::RegistryTest {

// Forwards every connection to 127.0.0.1:target, holding what comes back to at most
// `bytesPerSecond` (0: no limit). Lives in the test's thread.
class ThrottlingProxy : public QObject
{
public:
    ThrottlingProxy(quint16 target, qint64 bytesPerSecond)
        : m_target(target)
        , m_rate(bytesPerSecond)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] { accept(); });
        m_server.listen(QHostAddress::LocalHost, 0);
        m_timer.setInterval(10);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] { pump(); });
        m_timer.start();
    }
    quint16 port() const { return m_server.serverPort(); }
    void setRate(qint64 bytesPerSecond) { m_rate = bytesPerSecond; }
    qint64 forwarded() const { return m_forwarded; }

private:
    struct Pair
    {
        QPointer<QTcpSocket> client;
        QPointer<QTcpSocket> upstream;
        QByteArray pending; // upstream -> client, waiting for the rate
        bool upstreamClosed = false;
    };

    void accept()
    {
        while (QTcpSocket *client = m_server.nextPendingConnection()) {
            auto pair = std::make_shared<Pair>();
            pair->client = client;
            pair->upstream = new QTcpSocket(client);
            m_pairs.append(pair);
            QObject::connect(client, &QTcpSocket::readyRead, client, [pair] {
                if (pair->upstream)
                    pair->upstream->write(pair->client->readAll());
            });
            QObject::connect(pair->upstream, &QTcpSocket::readyRead, client, [pair] {
                pair->pending.append(pair->upstream->readAll());
            });
            QObject::connect(pair->upstream, &QTcpSocket::disconnected, client, [pair] {
                pair->upstreamClosed = true;
            });
            QObject::connect(client, &QTcpSocket::disconnected, client, [pair] {
                if (pair->upstream)
                    pair->upstream->abort();
                pair->client->deleteLater();
            });
            pair->upstream->connectToHost(QHostAddress::LocalHost, m_target);
        }
    }

    void pump()
    {
        qint64 budget = m_rate > 0 ? m_rate / 100 : std::numeric_limits<qint64>::max();
        for (auto it = m_pairs.begin(); it != m_pairs.end();) {
            const std::shared_ptr<Pair> pair = *it;
            if (!pair->client) {
                it = m_pairs.erase(it);
                continue;
            }
            if (!pair->pending.isEmpty() && budget > 0) {
                const qint64 n = qMin<qint64>(budget, pair->pending.size());
                pair->client->write(pair->pending.left(n));
                pair->pending.remove(0, n);
                budget -= n;
                m_forwarded += n;
            }
            if (pair->pending.isEmpty() && pair->upstreamClosed)
                pair->client->disconnectFromHost();
            ++it;
        }
    }

    QTcpServer m_server;
    QTimer m_timer;
    quint16 m_target;
    qint64 m_rate;
    qint64 m_forwarded = 0;
    QList<std::shared_ptr<Pair>> m_pairs;
};

// Runs a docker CLI command to completion; the error names the command and its stderr.
inline QString docker(const QStringList &args, int timeoutMs = 300000, QByteArray *out = nullptr)
{
    QProcess process;
    process.start(QStringLiteral("docker"), args);
    if (!process.waitForStarted(10000))
        return QStringLiteral("docker could not be started: %1").arg(process.errorString());
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return QStringLiteral("docker %1 did not finish").arg(args.join(QLatin1Char(' ')));
    }
    if (out)
        *out = process.readAllStandardOutput();
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QStringLiteral("docker %1 failed (%2): %3")
                .arg(args.join(QLatin1Char(' ')))
                .arg(process.exitCode())
                .arg(QString::fromLocal8Bit(process.readAllStandardError().trimmed()));
    return {};
}

inline QString writeRandomFile(const QString &path, qint64 size)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return file.errorString();
    QByteArray block(1 << 20, Qt::Uninitialized);
    for (qint64 written = 0; written < size; written += block.size()) {
        QRandomGenerator::global()->fillRange(reinterpret_cast<quint32 *>(block.data()),
                                              block.size() / 4);
        file.write(block.constData(), qMin<qint64>(block.size(), size - written));
    }
    return {};
}

// The registry process, its storage, and the images pushed to it.
class Registry
{
public:
    static QString binary() { return QStandardPaths::findExecutable("docker-registry"); }

    // Empty on success, else why the registry could not be started.
    QString start()
    {
        if (!m_dir.isValid())
            return QStringLiteral("no temporary folder");
        QTcpServer probe;
        probe.listen(QHostAddress::LocalHost, 0);
        m_port = probe.serverPort();
        probe.close();
        const QString config = m_dir.filePath(QStringLiteral("config.yml"));
        QFile file(config);
        if (!file.open(QIODevice::WriteOnly))
            return file.errorString();
        file.write(QStringLiteral("version: 0.1\n"
                                  "log:\n  level: warn\n"
                                  "storage:\n  filesystem:\n    rootdirectory: %1\n"
                                  "  delete:\n    enabled: true\n"
                                  "http:\n  addr: 127.0.0.1:%2\n")
                           .arg(m_dir.filePath(QStringLiteral("storage")))
                           .arg(m_port)
                           .toUtf8());
        file.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(binary(), {QStringLiteral("serve"), config});
        if (!m_process.waitForStarted(10000))
            return QStringLiteral("docker-registry did not start: %1").arg(m_process.errorString());
        for (int i = 0; i < 100; ++i) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_port);
            if (socket.waitForConnected(200)) {
                socket.write("GET /v2/ HTTP/1.1\r\nHost: registry\r\nConnection: close\r\n\r\n");
                if (socket.waitForReadyRead(2000) && socket.readAll().contains(" 200 OK"))
                    return {};
            }
            if (m_process.state() != QProcess::Running)
                return QStringLiteral("docker-registry exited: %1")
                        .arg(QString::fromLocal8Bit(m_process.readAll()));
            QTest::qWait(100);
        }
        return QStringLiteral("docker-registry did not answer on 127.0.0.1:%1").arg(m_port);
    }

    ~Registry()
    {
        cleanup();
        m_process.kill();
        m_process.waitForFinished(5000);
    }

    quint16 port() const { return m_port; }
    QString host() const { return QStringLiteral("127.0.0.1:%1").arg(m_port); }
    QString workDir() const { return m_dir.path(); }

    // Makes a local image of `layers` layers with random files of `layerBytes` each, pushes it
    // to this registry as REPO:TAG and removes it locally, so pulling it downloads every layer.
    // Returns an error text, empty on success.
    QString pushRandomImage(const QString &repo,
                            const QString &tag,
                            int layers,
                            qint64 layerBytes,
                            QString *reference = nullptr)
    {
        const QString ref = host() + QLatin1Char('/') + repo + QLatin1Char(':') + tag;
        const QString context = m_dir.filePath(repo + QLatin1Char('-') + tag);
        QDir().mkpath(context);
        QString error = writeRandomFile(context + QStringLiteral("/base.bin"), layerBytes);
        if (!error.isEmpty())
            return error;
        // A one-layer base from a tarball, then one more layer per COPY.
        QProcess tar;
        tar.setWorkingDirectory(context);
        tar.start(QStringLiteral("tar"),
                  {QStringLiteral("-cf"), QStringLiteral("base.tar"), QStringLiteral("base.bin")});
        if (!tar.waitForFinished(60000) || tar.exitCode() != 0)
            return QStringLiteral("tar failed");
        const QString base = ref + QStringLiteral("-base");
        error = docker({QStringLiteral("import"), context + QStringLiteral("/base.tar"), base});
        if (!error.isEmpty())
            return error;
        m_localImages << base;
        QByteArray dockerfile = "FROM " + base.toUtf8() + "\n";
        for (int i = 1; i < layers; ++i) {
            error = writeRandomFile(context + QStringLiteral("/layer%1.bin").arg(i), layerBytes);
            if (!error.isEmpty())
                return error;
            dockerfile += "COPY layer" + QByteArray::number(i) + ".bin /\n";
        }
        QFile file(context + QStringLiteral("/Dockerfile"));
        file.open(QIODevice::WriteOnly);
        file.write(dockerfile);
        file.close();
        QFile::remove(context + QStringLiteral("/base.tar"));
        QFile::remove(context + QStringLiteral("/base.bin"));
        error = docker({QStringLiteral("build"),
                        QStringLiteral("-q"),
                        QStringLiteral("-t"),
                        ref,
                        context});
        if (!error.isEmpty())
            return error;
        m_localImages << ref;
        error = docker({QStringLiteral("push"), ref});
        if (!error.isEmpty())
            return error;
        if (reference)
            *reference = ref;
        return removeLocal();
    }

    // Removes the local images this registry made (and the ones a test pulled, when added).
    QString removeLocal()
    {
        QString errors;
        // Newest first: a built image before the base it was built on.
        for (auto it = m_localImages.crbegin(); it != m_localImages.crend(); ++it) {
            const QString &image = *it;
            QByteArray out;
            if (!docker({QStringLiteral("image"), QStringLiteral("inspect"), image}, 30000, &out)
                         .isEmpty())
                continue; // not there
            const QString error = docker({QStringLiteral("rmi"), QStringLiteral("-f"), image});
            if (!error.isEmpty())
                errors += error + QLatin1Char('\n');
        }
        m_localImages.clear();
        return errors;
    }
    void addLocal(const QString &image) { m_localImages << image; }
    void cleanup() { removeLocal(); }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QStringList m_localImages;
};

} // namespace Parallax::RegistryTest

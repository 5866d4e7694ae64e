// Integration tests of DockerClient against the real daemon (label `docker`). Every container
// created here carries parallax.test=tst_dockerclient and is removed in cleanup(), also when a
// test failed. Without a daemon the daemon tests are skipped, loudly; the pure ones still run.

#include "dockertesthelpers.h"

#include "docker/dockerclient.h"
#include "docker/streamdemuxer.h"
#include "docker/syncwait.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Parallax;
using namespace Parallax::DockerTest;

namespace {

const QString kLabelValue = QStringLiteral("tst_dockerclient");

// The mixed output of the `docker run` test: stdout and stderr interleaved, partial lines, a
// 100 KiB burst, and exit code 3.
const QString kMixedScript
        = QStringLiteral("printf out1; printf err1 >&2; "
                         "seq 1 30000 | head -c 102400; "
                         "printf 'mid\\n'; printf 'err2\\n' >&2; "
                         "i=0; while [ $i -lt 50 ]; do i=$((i+1)); echo \"err line $i\" >&2; echo "
                         "\"out line $i\"; done; "
                         "printf tail-without-newline; printf 'err-tail' >&2; exit 3");

QByteArray seqText(int from, int to)
{
    QByteArray text;
    for (int i = from; i <= to; ++i)
        text += QByteArray::number(i) + '\n';
    return text;
}

QByteArray expectedMixedStdout()
{
    QByteArray out = "out1" + seqText(1, 30000).left(102400) + "mid\n";
    for (int i = 1; i <= 50; ++i)
        out += "out line " + QByteArray::number(i) + '\n';
    return out + "tail-without-newline";
}

QByteArray expectedMixedStderr()
{
    QByteArray err = "err1err2\n";
    for (int i = 1; i <= 50; ++i)
        err += "err line " + QByteArray::number(i) + '\n';
    return err + "err-tail";
}

// "2024-05-01T12:00:00.123456789Z" → "1714564800.123456789", the only form `since` accepts.
QString sinceFromTimestamp(const QByteArray &timestamp)
{
    static const QRegularExpression pattern(
            QStringLiteral("^(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d)\\.(\\d{9})Z$"));
    const QRegularExpressionMatch match = pattern.match(QString::fromLatin1(timestamp));
    if (!match.hasMatch())
        return {};
    const QDateTime seconds
            = QDateTime::fromString(match.captured(1) + QLatin1Char('Z'), Qt::ISODate);
    if (!seconds.isValid())
        return {};
    return QString::number(seconds.toSecsSinceEpoch()) + QLatin1Char('.') + match.captured(2);
}

bool isRfc3339Nano(const QByteArray &timestamp)
{
    static const QRegularExpression pattern(
            QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z$"));
    if (!pattern.match(QString::fromLatin1(timestamp)).hasMatch())
        return false;
    const QDateTime parsed
            = QDateTime::fromString(QString::fromLatin1(timestamp.left(19)), Qt::ISODate);
    return parsed.isValid() && parsed.date().year() >= 2020;
}

struct LogMessage
{
    StreamType stream;
    QByteArray timestamp;
    QByteArray text;
    bool operator==(const LogMessage &other) const = default;
};

QString describe(const QList<LogMessage> &messages)
{
    QStringList lines;
    for (const LogMessage &m : messages)
        lines << QStringLiteral("%1 %2 %3")
                         .arg(int(m.stream))
                         .arg(QString::fromLatin1(m.timestamp),
                              QString::fromUtf8(m.text).trimmed());
    return lines.join(QLatin1String(" | "));
}

// Tar archive members (ustar): name → content. Enough for what getArchive returns.
QMap<QString, QByteArray> untar(const QByteArray &tar)
{
    QMap<QString, QByteArray> files;
    qsizetype pos = 0;
    while (pos + 512 <= tar.size()) {
        const QByteArray header = tar.mid(pos, 512);
        if (header.count('\0') == 512)
            break;
        const QByteArray name = header.left(100).split('\0').first();
        const qint64 size
                = header.mid(124, 12).split('\0').first().trimmed().toLongLong(nullptr, 8);
        const char type = header[156];
        pos += 512;
        if (type == '0' || type == '\0')
            files.insert(QString::fromUtf8(name), tar.mid(pos, size));
        pos += (size + 511) / 512 * 512;
    }
    return files;
}

} // namespace

#define REQUIRE_DOCKER()                                                                           \
    do {                                                                                           \
        if (!m_daemonUp)                                                                           \
            QSKIP(qPrintable(m_skipReason));                                                       \
    } while (false)

class TestDockerClient : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    // Pure: no daemon needed.
    void negotiate_data();
    void negotiate();
    void compareVersions_data();
    void compareVersions();
    void resolveEndpoint_data();
    void resolveEndpoint();
    void endpointCandidates();
    void missingSocket();

    // The real daemon.
    void pingAndVersion();
    void runSequence_data();
    void runSequence();
    void runWithTty();
    void inspectShowsExitCode();
    void logsTimestamps();
    void logsSinceIsInclusive();
    void logsFollowEndsAtExit();
    void stopRunningContainer();
    void killContainer();
    void removeContainer();
    void listContainersByLabel();
    void eventsInOrder();
    void getArchive();
    void unknownImage();

private:
    QString caseValue() const { return m_case; }
    ContainerCreateOptions shell(const QString &script, bool tty = false) const
    {
        ContainerCreateOptions options = shellOptions(kLabelValue, script, tty);
        options.labels.insert(QString::fromLatin1(kCaseLabelKey), m_case);
        return options;
    }
    // Runs `script` to completion with the `docker run` sequence.
    Result<RunOutcome> run(const QString &script, bool tty = false)
    {
        return runContainer(*m_client, shell(script, tty));
    }
    QList<LogMessage> rawLogs(const QString &id, const QString &since = {});
    void skipLoudly(const QString &reason)
    {
        m_skipReason = reason;
        const QByteArray banner(100, '*');
        qWarning("%s", banner.constData());
        qWarning("*** DOCKER INTEGRATION TESTS SKIPPED: %s", qPrintable(reason));
        qWarning("%s", banner.constData());
    }

    std::unique_ptr<DockerClient> m_client;
    bool m_daemonUp = false;
    QString m_skipReason;
    QString m_case;
};

void TestDockerClient::initTestCase()
{
    const Result<DockerEndpoint> endpoint = testEndpoint();
    m_client = std::make_unique<DockerClient>(endpoint ? *endpoint : DockerEndpoint());
    if (!endpoint) {
        skipLoudly(QStringLiteral("no usable Docker endpoint: %1").arg(endpoint.errorString()));
        return;
    }
    const Result<PingInfo> ping
            = syncCall<PingInfo>([&](QObject *context, DockerClient::Callback<PingInfo> done) {
                  m_client->ping(context, done);
              });
    if (!ping) {
        // A daemon that answers badly is a failure; only "nobody answers" skips.
        if (ping.error().code != -3 && ping.error().code != -5)
            QFAIL(qPrintable(QStringLiteral("The daemon at %1 answered _ping badly: %2")
                                     .arg(m_client->endpoint().describe(), ping.errorString())));
        skipLoudly(QStringLiteral("no Docker daemon answers at %1: %2")
                           .arg(m_client->endpoint().describe(), ping.errorString()));
        return;
    }
    m_daemonUp = true;
    qInfo("Docker daemon at %s, API %s (negotiated %s)",
          qPrintable(m_client->endpoint().describe()),
          qPrintable(ping->daemonApiVersion),
          qPrintable(ping->negotiatedApiVersion));
    // Leftovers of an earlier run that crashed.
    const Result<int> removed = removeLabelledContainers(*m_client, kLabelValue);
    QVERIFY2(removed, qPrintable(removed.errorString()));
    if (*removed > 0)
        qInfo("removed %d leftover test containers", *removed);
    // The image must exist: every test below uses it.
    const Result<QJsonObject> image = syncCall<QJsonObject>(
            [&](QObject *context, DockerClient::Callback<QJsonObject> done) {
                m_client->inspectImage(QStringLiteral(PARALLAX_DEMO_IMAGE), context, done);
            });
    QVERIFY2(image,
             qPrintable(image.errorString()
                        + QStringLiteral(" — build it with resources/demo-agent/build.sh")));
}

void TestDockerClient::init()
{
    m_case = uniqueCaseValue(QStringLiteral("case"));
}

void TestDockerClient::cleanup()
{
    if (!m_daemonUp)
        return;
    const Result<int> removed = removeLabelledContainers(*m_client, kLabelValue);
    QVERIFY2(removed, qPrintable(removed.errorString()));
}

void TestDockerClient::cleanupTestCase()
{
    if (!m_daemonUp)
        return;
    const Result<int> removed = removeLabelledContainers(*m_client, kLabelValue);
    QVERIFY2(removed, qPrintable(removed.errorString()));
    const Result<QList<ContainerSummary>> left
            = listContainers(*m_client, {labelFilter(kLabelValue)});
    QVERIFY2(left, qPrintable(left.errorString()));
    QVERIFY2(left->isEmpty(), "test containers were left behind");
}

// ---------------------------------------------------------------------------------------------

void TestDockerClient::negotiate_data()
{
    QTest::addColumn<QString>("ours");
    QTest::addColumn<QString>("daemons");
    QTest::addColumn<QString>("expected");
    QTest::addRow("missing header: Go client's fallback") << "1.45"
                                                          << ""
                                                          << "1.24";
    QTest::addRow("garbage header: fallback") << "1.45"
                                              << "latest"
                                              << "1.24";
    QTest::addRow("three-part header: fallback") << "1.45"
                                                 << "1.41.0"
                                                 << "1.24";
    QTest::addRow("higher daemon: ours") << "1.45"
                                         << "1.50"
                                         << "1.45";
    QTest::addRow("much higher daemon: ours") << "1.45"
                                              << "2.0"
                                              << "1.45";
    QTest::addRow("equal") << "1.45"
                           << "1.45"
                           << "1.45";
    QTest::addRow("lower daemon (dockerd 20.10): daemon's") << "1.45"
                                                            << "1.41"
                                                            << "1.41";
    QTest::addRow("numeric, not lexical: 1.100 > 1.45") << "1.45"
                                                        << "1.100"
                                                        << "1.45";
    QTest::addRow("numeric, not lexical: 1.9 < 1.45") << "1.45"
                                                      << "1.9"
                                                      << "1.9";
    QTest::addRow("our kMaxApiVersion vs Podman 4") << DockerClient::kMaxApiVersion << "1.41"
                                                    << "1.41";
}

void TestDockerClient::negotiate()
{
    QFETCH(QString, ours);
    QFETCH(QString, daemons);
    QFETCH(QString, expected);
    QCOMPARE(DockerClient::negotiate(ours, daemons), expected);
}

void TestDockerClient::compareVersions_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<int>("expected");
    QTest::addRow("equal") << "1.41"
                           << "1.41" << 0;
    QTest::addRow("minor") << "1.41"
                           << "1.44" << -1;
    QTest::addRow("two digits vs one") << "1.10"
                                       << "1.9" << 1;
    QTest::addRow("major") << "2.0"
                           << "1.99" << 1;
    QTest::addRow("missing part is 0") << "1"
                                       << "1.0" << 0;
}

void TestDockerClient::compareVersions()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(int, expected);
    QCOMPARE(DockerClient::compareVersions(a, b), expected);
    QCOMPARE(DockerClient::compareVersions(b, a), -expected);
}

void TestDockerClient::resolveEndpoint_data()
{
    QTest::addColumn<QString>("dockerHost");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("expected"); // the socket path, or a piece of the error text
    QTest::addRow("unix, system socket")
            << "unix:///var/run/docker.sock" << true << "/var/run/docker.sock";
    QTest::addRow("unix, other path") << "unix:///tmp/podman.sock" << true << "/tmp/podman.sock";
    QTest::addRow("unix, surrounding blanks") << "  unix:///tmp/d.sock \n" << true << "/tmp/d.sock";
    QTest::addRow("unix, relative path")
            << "unix://docker.sock" << false << "does not name an absolute socket path";
    QTest::addRow("unix, no path") << "unix://" << false << "does not name an absolute socket path";
    QTest::addRow("tcp") << "tcp://127.0.0.1:2375" << false
                         << "the tcp:// scheme is not supported yet";
    QTest::addRow("ssh") << "ssh://me@build-host" << false
                         << "the ssh:// scheme is not supported yet";
    QTest::addRow("npipe") << "npipe:////./pipe/docker_engine" << false
                           << "the npipe:// scheme is not supported yet";
    QTest::addRow("garbage") << "garbage" << false << "is not a Docker endpoint URL";
    QTest::addRow("bare path") << "/var/run/docker.sock" << false << "is not a Docker endpoint URL";
}

void TestDockerClient::resolveEndpoint()
{
    QFETCH(QString, dockerHost);
    QFETCH(bool, ok);
    QFETCH(QString, expected);
    QProcessEnvironment env;
    env.insert(QStringLiteral("DOCKER_HOST"), dockerHost);
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(env);
    QCOMPARE(endpoint.ok(), ok);
    if (ok) {
        QCOMPARE(endpoint->socketPath, expected);
        QCOMPARE(endpoint->source, QStringLiteral("DOCKER_HOST"));
        QCOMPARE(endpoint->url(), QStringLiteral("unix://") + expected);
    } else {
        QVERIFY2(endpoint.errorString().contains(expected), qPrintable(endpoint.errorString()));
        QVERIFY2(endpoint.errorString().contains(QStringLiteral("DOCKER_HOST=")
                                                 + dockerHost.trimmed()),
                 qPrintable(endpoint.errorString()));
        // It shows what a valid value looks like.
        QVERIFY(endpoint.errorString().contains(QLatin1String("unix:///")));
    }
}

void TestDockerClient::endpointCandidates()
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), QStringLiteral("/run/user/1000"));
    const QList<DockerEndpoint> list = DockerEndpoint::candidates(env);
    QStringList paths;
    for (const DockerEndpoint &candidate : list)
        paths << candidate.socketPath;
    QCOMPARE(paths,
             QStringList({"/var/run/docker.sock",
                          "/run/user/1000/docker.sock",
                          "/run/user/1000/podman/podman.sock",
                          "/run/podman/podman.sock"}));
    QCOMPARE(list.first().source, QStringLiteral("default"));

    // Without DOCKER_HOST, resolve picks the first socket that exists, else names the default.
    const Result<DockerEndpoint> resolved = DockerEndpoint::resolve(env);
    QVERIFY(resolved);
    if (QFileInfo::exists(QStringLiteral("/var/run/docker.sock")))
        QCOMPARE(resolved->describe(), QStringLiteral("unix:///var/run/docker.sock (default)"));
}

void TestDockerClient::missingSocket()
{
    const QString path = QStringLiteral("/tmp/nonexistent.sock");
    QVERIFY2(!QFileInfo::exists(path), "the test needs /tmp/nonexistent.sock not to exist");
    DockerClient client(DockerEndpoint{path, QStringLiteral("test")});
    QElapsedTimer timer;
    timer.start();
    const Result<PingInfo> ping
            = syncCall<PingInfo>([&](QObject *context, DockerClient::Callback<PingInfo> done) {
                  client.ping(context, done);
              });
    QVERIFY(!ping);
    QCOMPARE(ping.errorString(),
             QStringLiteral("Docker is not running: no socket at /tmp/nonexistent.sock"));
    QCOMPARE(ping.error().code, -3);
    QVERIFY2(timer.elapsed() < 1000, qPrintable(QStringLiteral("took %1 ms").arg(timer.elapsed())));

    // Every kind of call fails the same way, streams included.
    const Result<QString> created
            = syncCall<QString>([&](QObject *context, DockerClient::Callback<QString> done) {
                  client.createContainer(shell(QStringLiteral("true")), context, done);
              });
    QCOMPARE(created.errorString(),
             QStringLiteral("Docker is not running: no socket at /tmp/nonexistent.sock"));
    ContainerStream *stream = client.attach(QStringLiteral("abc"), false);
    QSignalSpy finished(stream, &ContainerStream::finished);
    QVERIFY(finished.wait(1000));
    const auto result = finished.first().first().value<Result<void>>();
    QCOMPARE(result.errorString(),
             QStringLiteral("Docker is not running: no socket at /tmp/nonexistent.sock"));
}

// ---------------------------------------------------------------------------------------------

void TestDockerClient::pingAndVersion()
{
    REQUIRE_DOCKER();
    DockerClient client(m_client->endpoint());
    QCOMPARE(client.apiVersion(), QString());
    const Result<PingInfo> ping
            = syncCall<PingInfo>([&](QObject *context, DockerClient::Callback<PingInfo> done) {
                  client.ping(context, done);
              });
    QVERIFY2(ping, qPrintable(ping.errorString()));
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d+\\.\\d+$"))
                     .match(ping->daemonApiVersion)
                     .hasMatch(),
             qPrintable(ping->daemonApiVersion));
    const QString expected
            = DockerClient::compareVersions(ping->daemonApiVersion,
                                            QString::fromLatin1(DockerClient::kMaxApiVersion))
                              < 0
                      ? ping->daemonApiVersion
                      : QString::fromLatin1(DockerClient::kMaxApiVersion);
    QCOMPARE(ping->negotiatedApiVersion, expected);
    QCOMPARE(client.apiVersion(), expected);
    QCOMPARE(ping->osType, QStringLiteral("linux"));

    // /version goes through the negotiated prefix, and the daemon agrees on its API version.
    const Result<QJsonObject> version = syncCall<QJsonObject>(
            [&](QObject *context, DockerClient::Callback<QJsonObject> done) {
                client.version(context, done);
            });
    QVERIFY2(version, qPrintable(version.errorString()));
    QCOMPARE(version->value(QLatin1String("ApiVersion")).toString(), ping->daemonApiVersion);
    QVERIFY(!version->value(QLatin1String("Version")).toString().isEmpty());
    QVERIFY(!version->value(QLatin1String("MinAPIVersion")).toString().isEmpty());

    // A version the daemon does not speak is refused by the daemon, with its message.
    client.setApiVersion(QStringLiteral("1.99"));
    const Result<QJsonObject> tooNew = syncCall<QJsonObject>(
            [&](QObject *context, DockerClient::Callback<QJsonObject> done) {
                client.version(context, done);
            });
    QVERIFY(!tooNew);
    QCOMPARE(tooNew.error().code, 400);
    QVERIFY2(tooNew.errorString().contains(QLatin1String("too new")),
             qPrintable(tooNew.errorString()));
}

void TestDockerClient::runSequence_data()
{
    QTest::addColumn<int>("round");
    for (int i = 1; i <= 10; ++i)
        QTest::addRow("round %d", i) << i;
}

void TestDockerClient::runSequence()
{
    REQUIRE_DOCKER();
    static const QByteArray expectedOut = expectedMixedStdout();
    static const QByteArray expectedErr = expectedMixedStderr();
    QVERIFY(expectedOut.size() > 102400);

    const Result<RunOutcome> run = this->run(kMixedScript);
    QVERIFY2(run, qPrintable(run.errorString()));
    QVERIFY2(*run->streamResult, qPrintable(run->streamResult->errorString()));
    QVERIFY2(*run->waitResult, qPrintable(run->waitResult->errorString()));
    QCOMPARE(run->waitResult->value().statusCode, 3);
    QCOMPARE(run->waitResult->value().error, QString());

    QCOMPARE(run->out.size(), expectedOut.size());
    QVERIFY2(run->out == expectedOut, "stdout differs");
    QCOMPARE(run->err.size(), expectedErr.size());
    QCOMPARE(run->err, expectedErr);
    for (const auto &[type, data] : run->pieces) {
        QVERIFY(type == StreamType::Stdout || type == StreamType::Stderr);
        QVERIFY(!data.isEmpty());
    }
}

void TestDockerClient::runWithTty()
{
    REQUIRE_DOCKER();
    const Result<RunOutcome> run = this->run(
            QStringLiteral("printf 'line1\\nline2\\n'; printf 'err\\n' >&2; printf end; exit 4"),
            true);
    QVERIFY2(run, qPrintable(run.errorString()));
    QVERIFY2(*run->streamResult, qPrintable(run->streamResult->errorString()));
    QVERIFY2(*run->waitResult, qPrintable(run->waitResult->errorString()));
    QCOMPARE(run->waitResult->value().statusCode, 4);
    // Raw: no frame headers, the terminal's \r\n line ends, stderr merged into stdout.
    QCOMPARE(run->out, QByteArray("line1\r\nline2\r\nerr\r\nend"));
    QCOMPARE(run->err, QByteArray());
    for (const auto &piece : run->pieces)
        QCOMPARE(piece.first, StreamType::Stdout);

    const Result<QJsonObject> inspect = inspectContainer(*m_client, run->id);
    QVERIFY2(inspect, qPrintable(inspect.errorString()));
    QCOMPARE(
            inspect->value(QLatin1String("Config")).toObject().value(QLatin1String("Tty")).toBool(),
            true);
}

void TestDockerClient::inspectShowsExitCode()
{
    REQUIRE_DOCKER();
    const Result<RunOutcome> run = this->run(QStringLiteral("echo bye; exit 3"));
    QVERIFY2(run, qPrintable(run.errorString()));
    QCOMPARE(run->waitResult->value().statusCode, 3);
    const Result<QJsonObject> inspect = inspectContainer(*m_client, run->id);
    QVERIFY2(inspect, qPrintable(inspect.errorString()));
    QCOMPARE(inspect->value(QLatin1String("Id")).toString(), run->id);
    const QJsonObject state = inspect->value(QLatin1String("State")).toObject();
    QCOMPARE(state.value(QLatin1String("ExitCode")).toInt(-1), 3);
    QCOMPARE(state.value(QLatin1String("Status")).toString(), QStringLiteral("exited"));
    QCOMPARE(state.value(QLatin1String("Running")).toBool(true), false);
    const QJsonObject config = inspect->value(QLatin1String("Config")).toObject();
    QCOMPARE(config.value(QLatin1String("Tty")).toBool(true), false);
    QCOMPARE(config.value(QLatin1String("Labels"))
                     .toObject()
                     .value(QLatin1String(kLabelKey))
                     .toString(),
             kLabelValue);
    const QJsonObject host = inspect->value(QLatin1String("HostConfig")).toObject();
    QCOMPARE(host.value(QLatin1String("Privileged")).toBool(true), false);
    QCOMPARE(host.value(QLatin1String("SecurityOpt")).toArray().first().toString(),
             QStringLiteral("no-new-privileges"));

    const Result<QJsonObject> missing
            = inspectContainer(*m_client, QStringLiteral("parallax-no-such-container"));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, 404);
}

// Fetches logs with timestamps=1 as raw frames, without ContainerStream, to check the daemon's
// format itself: every message is one frame that starts with its timestamp and a space.
QList<LogMessage> TestDockerClient::rawLogs(const QString &id, const QString &since)
{
    DockerReply::Request request;
    request.path
            = "/containers/" + DockerClient::encode(id) + "/logs?stdout=1&stderr=1&timestamps=1";
    if (!since.isEmpty())
        request.path += "&since=" + DockerClient::encode(since);
    QObject context; // ends the connection below even when the reply outlives this function
    DockerReply *reply = m_client->send(request);
    QSignalSpy finished(reply, &DockerReply::finished);
    QByteArray body;
    QString failure;
    connect(reply, &DockerReply::finished, &context, [&] {
        body = reply->body();
        if (reply->failure())
            failure = reply->failure()->message;
    });
    if (!finished.wait(15000) || !failure.isEmpty()) {
        qWarning("raw logs failed: %s", qPrintable(failure));
        return {};
    }
    QList<LogMessage> messages;
    StreamDemuxer demuxer;
    demuxer.feed(body, [&](StreamType stream, QByteArrayView payload, bool frameStart) {
        if (frameStart)
            messages.append({stream, {}, {}});
        messages.last().text.append(payload);
    });
    if (!demuxer.finish())
        qWarning("raw logs: %s", qPrintable(demuxer.errorString()));
    for (LogMessage &m : messages) {
        const qsizetype space = m.text.indexOf(' ');
        m.timestamp = m.text.left(space);
        m.text = m.text.mid(space + 1);
    }
    return messages;
}

static QString timedScript()
{
    // Pauses keep the two streams' messages in a clear order (each pipe has its own copier).
    QStringList lines;
    for (int i = 1; i <= 4; ++i) {
        lines << QStringLiteral("echo 'out %1'; sleep 0.03; echo 'err %1' >&2; sleep 0.03").arg(i);
    }
    return lines.join(QLatin1String("; "));
}

void TestDockerClient::logsTimestamps()
{
    REQUIRE_DOCKER();
    const Result<RunOutcome> run = this->run(timedScript());
    QVERIFY2(run, qPrintable(run.errorString()));
    QCOMPARE(run->waitResult->value().statusCode, 0);

    const QList<LogMessage> raw = rawLogs(run->id);
    QCOMPARE(raw.size(), 8);
    for (int i = 0; i < raw.size(); ++i) {
        const LogMessage &m = raw[i];
        QVERIFY2(isRfc3339Nano(m.timestamp), qPrintable(QString::fromLatin1(m.timestamp)));
        QCOMPARE(m.timestamp.size() + 1, 31);
        QCOMPARE(m.stream, i % 2 == 0 ? StreamType::Stdout : StreamType::Stderr);
        QCOMPARE(m.text,
                 QByteArray(i % 2 == 0 ? "out " : "err ") + QByteArray::number(i / 2 + 1) + '\n');
        if (i > 0)
            QVERIFY2(m.timestamp > raw[i - 1].timestamp, qPrintable(describe(raw)));
    }

    // ContainerStream strips the prefixes and reports each message's timestamp.
    QObject context;
    LogsOptions options;
    options.timestamps = true;
    ContainerStream *stream = m_client->logs(run->id, options, false, &context);
    QList<LogMessage> seen;
    connect(stream,
            &ContainerStream::outputReceived,
            &context,
            [&](StreamType type, const QByteArray &data) {
                // A message split over two reads arrives in two pieces with the same timestamp.
                if (!seen.isEmpty() && seen.last().stream == type
                    && seen.last().timestamp == stream->lastTimestamp())
                    seen.last().text += data;
                else
                    seen.append({type, stream->lastTimestamp(), data});
            });
    QSignalSpy finished(stream, &ContainerStream::finished);
    QVERIFY(finished.wait(15000));
    const auto result = finished.first().first().value<Result<void>>();
    QVERIFY2(result, qPrintable(result.errorString()));
    QCOMPARE(describe(seen), describe(raw));
    QCOMPARE(seen, raw);
}

void TestDockerClient::logsSinceIsInclusive()
{
    REQUIRE_DOCKER();
    const Result<RunOutcome> run = this->run(timedScript());
    QVERIFY2(run, qPrintable(run.errorString()));
    const QList<LogMessage> all = rawLogs(run->id);
    QCOMPARE(all.size(), 8);

    for (int from : {0, 3, 7}) {
        const QString since = sinceFromTimestamp(all[from].timestamp);
        QVERIFY2(!since.isEmpty(), all[from].timestamp.constData());
        // Raw: the message stamped exactly `since` is included, the ones before are not.
        const QList<LogMessage> rest = rawLogs(run->id, since);
        QCOMPARE(describe(rest), describe(all.mid(from)));

        // The same through ContainerStream, which is how a resumed follow would do it.
        QObject context;
        LogsOptions options;
        options.since = since;
        ContainerStream *stream = m_client->logs(run->id, options, false, &context);
        QByteArray out;
        connect(stream,
                &ContainerStream::outputReceived,
                &context,
                [&](StreamType type, const QByteArray &data) {
                    if (type == StreamType::Stdout)
                        out += data;
                });
        QSignalSpy finished(stream, &ContainerStream::finished);
        QVERIFY(finished.wait(15000));
        QByteArray expected;
        for (const LogMessage &m : all.mid(from)) {
            if (m.stream == StreamType::Stdout)
                expected += m.text;
        }
        QCOMPARE(out, expected);
    }
}

void TestDockerClient::logsFollowEndsAtExit()
{
    REQUIRE_DOCKER();
    const Result<QString> id = createContainer(
            *m_client, shell(QStringLiteral("echo first; sleep 1.5; echo second; echo gone >&2")));
    QVERIFY2(id, qPrintable(id.errorString()));
    const Result<void> started = startContainer(*m_client, *id);
    QVERIFY2(started, qPrintable(started.errorString()));

    QObject context;
    LogsOptions options;
    options.follow = true;
    ContainerStream *stream = m_client->logs(*id, options, false, &context);
    QByteArray out;
    QByteArray err;
    connect(stream,
            &ContainerStream::outputReceived,
            &context,
            [&](StreamType type, const QByteArray &data) {
                (type == StreamType::Stderr ? err : out) += data;
            });
    QSignalSpy finished(stream, &ContainerStream::finished);
    QTRY_COMPARE_WITH_TIMEOUT(out, QByteArray("first\n"), 10000);
    // Still running: the stream stays open.
    QCOMPARE(finished.size(), 0);
    QVERIFY(finished.wait(15000));
    const auto result = finished.first().first().value<Result<void>>();
    QVERIFY2(result, qPrintable(result.errorString()));
    QCOMPARE(out, QByteArray("first\nsecond\n"));
    QCOMPARE(err, QByteArray("gone\n"));
    const Result<QJsonObject> inspect = inspectContainer(*m_client, *id);
    QVERIFY2(inspect, qPrintable(inspect.errorString()));
    QCOMPARE(inspect->value(QLatin1String("State"))
                     .toObject()
                     .value(QLatin1String("Running"))
                     .toBool(true),
             false);
}

void TestDockerClient::stopRunningContainer()
{
    REQUIRE_DOCKER();
    const Result<QString> id
            = createContainer(*m_client, containerOptions(kLabelValue, {"sleep", "60"}));
    QVERIFY2(id, qPrintable(id.errorString()));
    QVERIFY(startContainer(*m_client, *id));
    QElapsedTimer timer;
    timer.start();
    const Result<void> stopped
            = syncCall<void>([&](QObject *context, DockerClient::Callback<void> done) {
                  m_client->stopContainer(*id, 1, context, done);
              });
    QVERIFY2(stopped, qPrintable(stopped.errorString()));
    // `sleep` as PID 1 ignores SIGTERM, so the stop waits out its 1 s grace and kills.
    QVERIFY2(timer.elapsed() < 15000,
             qPrintable(QStringLiteral("stop took %1 ms").arg(timer.elapsed())));
    const Result<QJsonObject> inspect = inspectContainer(*m_client, *id);
    QVERIFY2(inspect, qPrintable(inspect.errorString()));
    const QJsonObject state = inspect->value(QLatin1String("State")).toObject();
    QCOMPARE(state.value(QLatin1String("Running")).toBool(true), false);
    QCOMPARE(state.value(QLatin1String("ExitCode")).toInt(), 137);

    // Stopping a stopped container is a 304, which is not an error.
    const Result<void> again
            = syncCall<void>([&](QObject *context, DockerClient::Callback<void> done) {
                  m_client->stopContainer(*id, 1, context, done);
              });
    QVERIFY2(again, qPrintable(again.errorString()));
}

void TestDockerClient::killContainer()
{
    REQUIRE_DOCKER();
    const Result<QString> id
            = createContainer(*m_client, containerOptions(kLabelValue, {"sleep", "60"}));
    QVERIFY2(id, qPrintable(id.errorString()));
    QVERIFY(startContainer(*m_client, *id));
    const Result<void> killed
            = syncCall<void>([&](QObject *context, DockerClient::Callback<void> done) {
                  m_client->killContainer(*id, QStringLiteral("SIGKILL"), context, done);
              });
    QVERIFY2(killed, qPrintable(killed.errorString()));
    const Result<WaitResult> waited = waitContainer(*m_client, *id, QStringLiteral("not-running"));
    QVERIFY2(waited, qPrintable(waited.errorString()));
    QCOMPARE(waited->statusCode, 137);

    // Killing a container that is not running is a conflict.
    const Result<void> again
            = syncCall<void>([&](QObject *context, DockerClient::Callback<void> done) {
                  m_client->killContainer(*id, QString(), context, done);
              });
    QVERIFY(!again);
    QCOMPARE(again.error().code, 409);
    QVERIFY2(again.errorString().contains(QLatin1String("is not running")),
             qPrintable(again.errorString()));
}

void TestDockerClient::removeContainer()
{
    REQUIRE_DOCKER();
    const Result<QString> id
            = createContainer(*m_client, containerOptions(kLabelValue, {"sleep", "60"}));
    QVERIFY2(id, qPrintable(id.errorString()));
    QVERIFY(startContainer(*m_client, *id));
    auto remove = [&](const QString &which, bool force) {
        return syncCall<void>([&](QObject *context, DockerClient::Callback<void> done) {
            m_client->removeContainer(which, force, context, done);
        });
    };

    const Result<void> refused = remove(*id, false);
    QVERIFY(!refused);
    QCOMPARE(refused.error().code, 409);

    const Result<void> removed = remove(*id, true);
    QVERIFY2(removed, qPrintable(removed.errorString()));
    const Result<QJsonObject> inspect = inspectContainer(*m_client, *id);
    QVERIFY(!inspect);
    QCOMPARE(inspect.error().code, 404);

    const Result<void> missing = remove(*id, true);
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, 404);
    QVERIFY2(missing.errorString().contains(QLatin1String("No such container")),
             qPrintable(missing.errorString()));
}

void TestDockerClient::listContainersByLabel()
{
    REQUIRE_DOCKER();
    // Two containers of this case and one with only the test label.
    ContainerCreateOptions mine = shell(QStringLiteral("true"));
    const Result<QString> a = createContainer(*m_client, mine);
    const Result<QString> b = createContainer(*m_client, mine);
    const Result<QString> other
            = createContainer(*m_client, containerOptions(kLabelValue, {"true"}));
    QVERIFY2(a && b && other, "create failed");
    QVERIFY(startContainer(*m_client, *b));

    const Result<QList<ContainerSummary>> list = listContainers(
            *m_client, {QString::fromLatin1(kCaseLabelKey) + QLatin1Char('=') + m_case});
    QVERIFY2(list, qPrintable(list.errorString()));
    QStringList ids;
    for (const ContainerSummary &c : *list) {
        ids << c.id;
        QCOMPARE(c.labels.value(QString::fromLatin1(kCaseLabelKey)), m_case);
        QCOMPARE(c.labels.value(QString::fromLatin1(kLabelKey)), kLabelValue);
        QCOMPARE(c.image, QStringLiteral(PARALLAX_DEMO_IMAGE));
        QVERIFY(!c.names.isEmpty());
        QVERIFY(!c.state.isEmpty());
    }
    ids.sort();
    QStringList expected{*a, *b};
    expected.sort();
    QCOMPARE(ids, expected);

    // The test label alone finds all three (and maybe nothing else: every test cleans up).
    const Result<QList<ContainerSummary>> all
            = listContainers(*m_client, {labelFilter(kLabelValue)});
    QVERIFY2(all, qPrintable(all.errorString()));
    QStringList allIds;
    for (const ContainerSummary &c : *all)
        allIds << c.id;
    QVERIFY(allIds.contains(*a) && allIds.contains(*b) && allIds.contains(*other));

    // A label nobody has finds nothing.
    const Result<QList<ContainerSummary>> none = listContainers(
            *m_client, {uniqueCaseValue(QStringLiteral("parallax.none")) + QStringLiteral("=x")});
    QVERIFY2(none, qPrintable(none.errorString()));
    QVERIFY(none->isEmpty());
}

void TestDockerClient::eventsInOrder()
{
    REQUIRE_DOCKER();
    QObject context;
    const QJsonObject filters{
            {QStringLiteral("type"), QJsonArray{QStringLiteral("container")}},
            {QStringLiteral("label"),
             QJsonArray{QString::fromLatin1(kCaseLabelKey) + QLatin1Char('=') + m_case}}};
    JsonLinesStream *events = m_client->events(filters, &context);
    QList<QJsonObject> received;
    connect(events, &JsonLinesStream::objectReceived, &context, [&](const QJsonObject &o) {
        received.append(o);
    });
    QSignalSpy started(events, &JsonLinesStream::started);
    QSignalSpy finished(events, &JsonLinesStream::finished);
    QVERIFY(started.wait(10000));

    const Result<RunOutcome> run = this->run(QStringLiteral("echo hi; exit 5"));
    QVERIFY2(run, qPrintable(run.errorString()));
    QCOMPARE(run->waitResult->value().statusCode, 5);
    const Result<void> removed
            = syncCall<void>([&](QObject *ctx, DockerClient::Callback<void> done) {
                  m_client->removeContainer(run->id, false, ctx, done);
              });
    QVERIFY2(removed, qPrintable(removed.errorString()));

    auto actions = [&] {
        QStringList list;
        for (const QJsonObject &o : received) {
            const QString action = o.value(QLatin1String("Action")).toString();
            if (action == QLatin1String("create") || action == QLatin1String("start")
                || action == QLatin1String("die") || action == QLatin1String("destroy"))
                list << action;
        }
        return list;
    };
    QTRY_VERIFY_WITH_TIMEOUT(actions().contains(QLatin1String("destroy")), 10000);
    QCOMPARE(actions(), QStringList({"create", "start", "die", "destroy"}));
    for (const QJsonObject &o : received) {
        QCOMPARE(o.value(QLatin1String("Type")).toString(), QStringLiteral("container"));
        const QJsonObject actor = o.value(QLatin1String("Actor")).toObject();
        QCOMPARE(actor.value(QLatin1String("ID")).toString(), run->id);
        if (o.value(QLatin1String("Action")).toString() == QLatin1String("die"))
            QCOMPARE(actor.value(QLatin1String("Attributes"))
                             .toObject()
                             .value(QLatin1String("exitCode"))
                             .toString(),
                     QStringLiteral("5"));
    }
    QCOMPARE(finished.size(), 0); // events never end by themselves
    events->abort();              // finished() may come from inside abort()
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 5000);
    QCOMPARE(finished.first().first().value<Result<void>>().error().code, -1);
}

void TestDockerClient::getArchive()
{
    REQUIRE_DOCKER();
    const Result<RunOutcome> run
            = this->run(QStringLiteral("printf 'hello archive\\n' > /workspace/out.txt"));
    QVERIFY2(run, qPrintable(run.errorString()));
    QCOMPARE(run->waitResult->value().statusCode, 0);

    const Result<QByteArray> tar = syncCall<QByteArray>(
            [&](QObject *context, DockerClient::Callback<QByteArray> done) {
                m_client->getArchive(run->id, QStringLiteral("/workspace/out.txt"), context, done);
            });
    QVERIFY2(tar, qPrintable(tar.errorString()));
    QVERIFY(tar->size() >= 1024);
    QCOMPARE(tar->size() % 512, 0);
    const QMap<QString, QByteArray> files = untar(*tar);
    QCOMPARE(files.keys(), QStringList{QStringLiteral("out.txt")});
    QCOMPARE(files.value(QStringLiteral("out.txt")), QByteArray("hello archive\n"));

    const Result<QByteArray> missing = syncCall<QByteArray>(
            [&](QObject *context, DockerClient::Callback<QByteArray> done) {
                m_client->getArchive(run->id, QStringLiteral("/workspace/nope.txt"), context, done);
            });
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, 404);
}

void TestDockerClient::unknownImage()
{
    REQUIRE_DOCKER();
    ContainerCreateOptions options = shell(QStringLiteral("true"));
    options.image = QStringLiteral("no-such-image:nope");
    const Result<QString> created
            = syncCall<QString>([&](QObject *context, DockerClient::Callback<QString> done) {
                  m_client->createContainer(options, context, done);
              });
    QVERIFY(!created);
    QCOMPARE(created.error().code, 404);
    QCOMPARE(created.errorString(),
             QStringLiteral("Image 'no-such-image:nope' is not available locally (pull or build it "
                            "first)"));

    const Result<QJsonObject> inspected = syncCall<QJsonObject>(
            [&](QObject *context, DockerClient::Callback<QJsonObject> done) {
                m_client->inspectImage(QStringLiteral("no-such-image:nope"), context, done);
            });
    QVERIFY(!inspected);
    QCOMPARE(inspected.error().code, 404);
    QVERIFY(inspected.errorString().startsWith(
            QLatin1String("Image 'no-such-image:nope' is not available locally")));
}

QTEST_GUILESS_MAIN(TestDockerClient)
#include "tst_dockerclient.moc"

// Parallax against Podman's Docker-compatible service, end to end (label `docker`). The test
// starts its own rootful `podman system service` on a socket in a temporary folder, with its
// own storage (--root/--runroot, vfs) and a containers.conf with `default_ulimits = []`
// (runc cannot set rlimits on these machines), loads the demo image into it from Docker
// (`docker save | podman load`), then drives real Runs and the `parallax` CLI through
// DOCKER_HOST=unix://…/podman.sock: byte-exact output, exit codes, labels, removal, and a
// SIGKILLed `parallax run` resumed from Podman's logs. Skipped only when podman is missing.

#include "runtesthelpers.h"

#include "docker/containerstream.h"
#include "docker/dockerclient.h"
#include "run/run.h"
#include "run/runspec.h"
#include "transcript/transcriptreader.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace Parallax;
using namespace Parallax::RunTest;

namespace {

QString describeDiff(const QByteArray &actual, const QByteArray &expected)
{
    qsizetype at = 0;
    while (at < actual.size() && at < expected.size() && actual[at] == expected[at])
        ++at;
    return QStringLiteral("%1 bytes vs %2 expected; first difference at %3: got '%4', expected "
                          "'%5'")
            .arg(actual.size())
            .arg(expected.size())
            .arg(at)
            .arg(QString::fromLatin1(
                         actual.mid(qMax<qsizetype>(0, at - 10), 30).toPercentEncoding()),
                 QString::fromLatin1(
                         expected.mid(qMax<qsizetype>(0, at - 10), 30).toPercentEncoding()));
}

QJsonObject variation(const QString &name, const QString &script)
{
    return QJsonObject{{"name", name}, {"command", QJsonArray{"sh", "-c", script}}};
}

QByteArray streamOf(const QString &jsonl, StreamType stream)
{
    const Result<QByteArray> bytes = TranscriptReader::readStream(jsonl, stream);
    return bytes ? *bytes : QByteArray("<unreadable: " + bytes.errorString().toUtf8() + '>');
}

} // namespace

class TestPodman : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void cleanup();

    void pingSaysPodman();
    void runIsByteExact();
    void exitCodesLabelsRemoval();
    void logsWithTimestamps();
    void killedCliResumesFromLogs();

private:
    QString podmanError(const QStringList &args, QByteArray *out = nullptr);
    QStringList podmanArgs(const QStringList &args) const;
    Result<std::unique_ptr<Run>> newRun(const QJsonObject &spec);
    bool runToEnd(Run &run, int timeoutMs);
    QProcessEnvironment cliEnvironment() const;

    QString m_podman;
    std::unique_ptr<QTemporaryDir> m_dir;
    QProcess m_service;
    QString m_socket;
    std::unique_ptr<DockerClient> m_client;
    QStringList m_runIds;
    int m_runs = 0;
};

QStringList TestPodman::podmanArgs(const QStringList &args) const
{
    return QStringList{"--root",
                       m_dir->filePath("root"),
                       "--runroot",
                       m_dir->filePath("runroot"),
                       "--storage-driver",
                       "vfs",
                       "--events-backend",
                       "file",
                       "--cgroup-manager",
                       "cgroupfs"}
           + args;
}

QString TestPodman::podmanError(const QStringList &args, QByteArray *out)
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("CONTAINERS_CONF", m_dir->filePath("containers.conf"));
    process.setProcessEnvironment(env);
    process.start(m_podman, podmanArgs(args));
    if (!process.waitForFinished(120000) || process.exitCode() != 0)
        return QStringLiteral("podman %1 failed: %2")
                .arg(args.join(' '), QString::fromLocal8Bit(process.readAllStandardError()));
    if (out)
        *out = process.readAllStandardOutput();
    return {};
}

void TestPodman::initTestCase()
{
    m_podman = QStandardPaths::findExecutable("podman");
    if (m_podman.isEmpty())
        QSKIP("podman is not installed (apt-get install podman): the Podman tests need it");
    QVERIFY2(geteuid() == 0, "the Podman tests start a rootful podman service: run them as root");
    // Short: a unix socket path must fit in 108 bytes.
    m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/pxpod-XXXXXX"));
    QVERIFY(m_dir->isValid());
    QFile conf(m_dir->filePath("containers.conf"));
    QVERIFY(conf.open(QIODevice::WriteOnly));
    conf.write("[containers]\ndefault_ulimits = []\n");
    conf.close();

    // The demo image, moved from Docker: `docker save IMAGE | podman load`.
    QProcess save;
    QProcess load;
    save.setStandardOutputProcess(&load);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("CONTAINERS_CONF", m_dir->filePath("containers.conf"));
    load.setProcessEnvironment(env);
    save.start("docker", {"save", demoImage()});
    load.start(m_podman, podmanArgs({"load"}));
    QVERIFY2(save.waitForFinished(60000) && save.exitCode() == 0,
             save.readAllStandardError().constData());
    QVERIFY2(load.waitForFinished(60000) && load.exitCode() == 0,
             load.readAllStandardError().constData());

    m_socket = m_dir->filePath("podman.sock");
    m_service.setProcessEnvironment(env);
    m_service.setProcessChannelMode(QProcess::MergedChannels);
    m_service.start(m_podman, podmanArgs({"system", "service", "--time=0", "unix://" + m_socket}));
    QVERIFY2(m_service.waitForStarted(10000), qPrintable(m_service.errorString()));
    QVERIFY2(QTest::qWaitFor([&] { return QFileInfo::exists(m_socket); }, 30000),
             m_service.readAll().constData());

    // The endpoint as the app resolves it from DOCKER_HOST.
    QProcessEnvironment hostEnv;
    hostEnv.insert("DOCKER_HOST", "unix://" + m_socket);
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(hostEnv);
    QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
    m_client = std::make_unique<DockerClient>(*endpoint);
    QVERIFY2(QTest::qWaitFor(
                     [&] {
                         return syncCall<PingInfo>(
                                        [&](QObject *c, auto done) { m_client->ping(c, done); })
                                 .ok();
                     },
                     30000),
             m_service.readAll().constData());
}

void TestPodman::cleanup()
{
    if (!m_client)
        return;
    const Result<int> removed = removeRunContainers(*m_client, m_runIds);
    QVERIFY2(removed, qPrintable(removed.errorString()));
    m_runIds.clear();
}

void TestPodman::cleanupTestCase()
{
    if (!m_dir)
        return;
    if (m_service.state() == QProcess::Running) {
        // Whatever a failed test left, then the service itself.
        podmanError({"rm", "-af"});
        m_service.terminate();
        if (!m_service.waitForFinished(10000)) {
            m_service.kill();
            m_service.waitForFinished(5000);
        }
    }
    QByteArray mounts;
    QFile proc("/proc/self/mounts");
    if (proc.open(QIODevice::ReadOnly))
        mounts = proc.readAll();
    QVERIFY2(!mounts.contains(m_dir->path().toUtf8()), "podman left mounts in the test folder");
}

Result<std::unique_ptr<Run>> TestPodman::newRun(const QJsonObject &spec)
{
    const Result<RunSpec> parsed = RunSpec::fromJson(QJsonDocument(spec).toJson());
    if (!parsed)
        return Error{QStringLiteral("bad test spec: %1").arg(parsed.errorString())};
    RunOptions options;
    options.outDir = m_dir->filePath(QStringLiteral("run%1").arg(++m_runs));
    auto run = std::make_unique<Run>(m_client.get(), *parsed, options);
    m_runIds.append(run->id());
    return run;
}

bool TestPodman::runToEnd(Run &run, int timeoutMs)
{
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    return finished.count() > 0 || finished.wait(timeoutMs);
}

void TestPodman::pingSaysPodman()
{
    QVERIFY(m_client);
    // Negotiation from Podman's own Api-Version (1.40/1.41/1.44 depending on its release).
    DockerClient fresh(m_client->endpoint());
    const Result<PingInfo> ping
            = syncCall<PingInfo>([&](QObject *c, auto done) { fresh.ping(c, done); });
    QVERIFY2(ping, qPrintable(ping.errorString()));
    QVERIFY(ping->podman);
    QVERIFY2(QRegularExpression("^1\\.\\d+$").match(ping->daemonApiVersion).hasMatch(),
             qPrintable(ping->daemonApiVersion));
    QCOMPARE(ping->negotiatedApiVersion,
             DockerClient::negotiate(DockerClient::kMaxApiVersion, ping->daemonApiVersion));
    QCOMPARE(fresh.apiVersion(), ping->negotiatedApiVersion);
    QVERIFY(ping->server.startsWith("Libpod/"));
    const Result<QJsonObject> version
            = syncCall<QJsonObject>([&](QObject *c, auto done) { fresh.version(c, done); });
    QVERIFY2(version, qPrintable(version.errorString()));
    QCOMPARE(version->value("ApiVersion").toString(), ping->daemonApiVersion);
    // The short name resolves to the image podman load stored as localhost/...
    const Result<QJsonObject> image = syncCall<QJsonObject>(
            [&](QObject *c, auto done) { fresh.inspectImage(demoImage(), c, done); });
    QVERIFY2(image, qPrintable(image.errorString()));
}

// Podman writes each frame's header and payload separately, so frames straddle reads; the
// transcripts must still be exact, per stream, for floods, long lines and interleaving.
void TestPodman::runIsByteExact()
{
    QByteArray flood;
    for (int n = 1; n <= 20000; ++n) {
        QByteArray line = "line " + QByteArray::number(n) + ' ';
        line += QByteArray(79 - line.size(), 'x') + '\n';
        flood += line;
    }
    QByteArray longLine(1 << 20, Qt::Uninitialized);
    static const QByteArray alphabet(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    for (qsizetype k = 0; k < longLine.size(); ++k)
        longLine[k] = alphabet[k % 64];
    QByteArray out;
    QByteArray err;
    for (int i = 1; i <= 2000; ++i) {
        out += "out " + QByteArray::number(i) + '\n';
        err += "err " + QByteArray::number(i) + '\n';
    }
    const QJsonObject spec{
            {"name", "podman byte-exact"},
            {"image", demoImage()},
            {"variations",
             QJsonArray{QJsonObject{{"name", "flood"},
                                    {"env",
                                     QJsonObject{{"DEMO_MODE", "flood"}, {"DEMO_LINES", "20000"}}}},
                        QJsonObject{
                                {"name", "longline"},
                                {"env",
                                 QJsonObject{{"DEMO_MODE", "longline"}, {"DEMO_NO_NEWLINE", "1"}}}},
                        variation("mixed",
                                  "i=1; while [ $i -le 2000 ]; do echo \"out $i\"; echo \"err "
                                  "$i\" >&2; i=$((i+1)); done"),
                        variation("binary", "printf 'a\\000b\\377\\n'; printf 'no newline' >&2")}}};
    auto made = newRun(spec);
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QVERIFY(runToEnd(run, 180000));
    const QList<QPair<QByteArray, QByteArray>> expected{
            {flood, {}}, {longLine, {}}, {out, err}, {QByteArray("a\0b\xff\n", 5), "no newline"}};
    for (int i = 0; i < expected.size(); ++i) {
        const VariationRunner *v = run.variation(i);
        QVERIFY2(v->error().isEmpty(), qPrintable(v->name() + ": " + v->error()));
        QCOMPARE(v->state(), VariationState::Exited);
        QCOMPARE(v->exitCode(), 0);
        const QByteArray gotOut = streamOf(v->transcriptPath(), StreamType::Stdout);
        QVERIFY2(gotOut == expected[i].first,
                 qPrintable(v->name() + ": " + describeDiff(gotOut, expected[i].first)));
        const QByteArray gotErr = streamOf(v->transcriptPath(), StreamType::Stderr);
        QVERIFY2(gotErr == expected[i].second,
                 qPrintable(v->name() + ": " + describeDiff(gotErr, expected[i].second)));
    }
    // The run removed its containers from Podman.
    const Result<QList<ContainerSummary>> left = runContainers(*m_client, run.id());
    QVERIFY2(left, qPrintable(left.errorString()));
    QVERIFY(left->isEmpty());
}

void TestPodman::exitCodesLabelsRemoval()
{
    const QJsonObject spec{{"name", "podman exits"},
                           {"image", demoImage()},
                           {"keep_containers", true},
                           {"variations",
                            QJsonArray{variation("zero", "echo fine"),
                                       variation("three", "echo bad >&2; exit 3"),
                                       QJsonObject{{"name", "demo-exit"},
                                                   {"env",
                                                    QJsonObject{{"DEMO_MODE", "exit"},
                                                                {"DEMO_EXIT_CODE", "42"}}}}}}};
    auto made = newRun(spec);
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QVERIFY(runToEnd(run, 60000));
    const QList<int> codes{0, 3, 42};
    for (int i = 0; i < codes.size(); ++i) {
        const VariationRunner *v = run.variation(i);
        QVERIFY2(v->error().isEmpty(), qPrintable(v->error()));
        QCOMPARE(v->state(), VariationState::Exited);
        QCOMPARE(v->exitCode(), codes[i]);
    }
    QCOMPARE(streamOf(run.variation(1)->transcriptPath(), StreamType::Stderr), QByteArray("bad\n"));
    QCOMPARE(streamOf(run.variation(2)->transcriptPath(), StreamType::Stdout),
             QByteArray("exiting with code 42\n"));
    // Kept, and found by Parallax's labels through Podman's filters.
    const Result<QList<ContainerSummary>> kept = runContainers(*m_client, run.id());
    QVERIFY2(kept, qPrintable(kept.errorString()));
    QCOMPARE(kept->size(), 3);
    QStringList variations;
    for (const ContainerSummary &c : *kept) {
        QCOMPARE(c.labels.value(Labels::kOwner), QString::fromLatin1(Labels::kOwnerValue));
        QCOMPARE(c.labels.value(Labels::kRun), run.id());
        QCOMPARE(c.state, QStringLiteral("exited"));
        variations << c.labels.value(Labels::kVariation);
    }
    variations.sort();
    QCOMPARE(variations, QStringList({"demo-exit", "three", "zero"}));
    const Result<QList<ContainerSummary>> other
            = labelledContainers(*m_client, {runFilter(QStringLiteral("no-such-run"))});
    QVERIFY(other && other->isEmpty());
    const Result<int> removed = removeRunContainers(*m_client, {run.id()});
    QVERIFY2(removed, qPrintable(removed.errorString()));
    QCOMPARE(*removed, 3);
    const Result<QList<ContainerSummary>> left = runContainers(*m_client, run.id());
    QVERIFY(left && left->isEmpty());
}

// Podman's compat logs carry RFC 3339 timestamps with whole seconds ("…T00:15:19Z "), unlike
// dockerd's nine fractional digits: the prefix is still split off and the bytes stay exact.
void TestPodman::logsWithTimestamps()
{
    const QJsonObject spec{
            {"name", "podman logs"},
            {"image", demoImage()},
            {"keep_containers", true},
            {"variations",
             QJsonArray{variation("lines", "echo one; echo two >&2; printf 'three'")}}};
    auto made = newRun(spec);
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QVERIFY(runToEnd(run, 60000));
    const QString id = run.variation(0)->containerId();
    QVERIFY(!id.isEmpty());
    LogsOptions options;
    options.follow = false;
    options.timestamps = true;
    ContainerStream *stream = m_client->logs(id, options, false);
    QByteArray out;
    QByteArray err;
    QByteArrayList stamps;
    connect(stream,
            &ContainerStream::outputReceived,
            this,
            [&](StreamType type, const QByteArray &data) {
                (type == StreamType::Stdout ? out : err) += data;
                stamps << stream->lastTimestamp();
            });
    std::optional<Result<void>> ended;
    connect(stream, &ContainerStream::finished, this, [&](const Result<void> &result) {
        ended = result;
    });
    QTRY_VERIFY_WITH_TIMEOUT(ended.has_value(), 30000);
    QVERIFY2(ended->ok(), qPrintable(ended->errorString()));
    QCOMPARE(out, QByteArray("one\nthree"));
    QCOMPARE(err, QByteArray("two\n"));
    QVERIFY(!stamps.isEmpty());
    for (const QByteArray &stamp : std::as_const(stamps))
        QVERIFY2(QRegularExpression(
                         "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?(Z|[+-]\\d\\d:"
                         "\\d\\d)$")
                         .match(QString::fromLatin1(stamp))
                         .hasMatch(),
                 stamp.constData());
}

QProcessEnvironment TestPodman::cliEnvironment() const
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert("DOCKER_HOST", "unix://" + m_socket);
    env.insert("NO_COLOR", "1");
    return env;
}

// `parallax run` killed mid-run, then `parallax resume`: the rest of the output comes from
// Podman's logs, by byte offset (never `since`, whose precision and edge Podman treats
// differently), and the transcripts hold every byte once, in order.
void TestPodman::killedCliResumesFromLogs()
{
    const QString binary = qEnvironmentVariable("PARALLAX_BINARY");
    if (binary.isEmpty() || !QFileInfo(binary).isExecutable())
        QSKIP("PARALLAX_BINARY does not name the built parallax");
    QByteArray liveOut;
    for (int i = 0; i < 150; ++i)
        liveOut += "live " + QByteArray::number(i) + '\n';
    liveOut += "live done";
    QByteArray doneOut;
    QByteArray doneErr;
    for (int i = 0; i < 100; ++i) {
        doneOut += "row " + QByteArray::number(i) + '\n';
        doneErr += "row err " + QByteArray::number(i) + '\n';
    }
    const QJsonObject spec{
            {"name", "podman resume"},
            {"image", demoImage()},
            {"variations",
             QJsonArray{variation("live",
                                  "i=0; while [ $i -lt 150 ]; do echo \"live $i\"; i=$((i+1)); "
                                  "sleep 0.04; done; printf 'live done'"),
                        variation("done",
                                  "i=0; while [ $i -lt 100 ]; do echo \"row $i\"; echo \"row err "
                                  "$i\" >&2; i=$((i+1)); sleep 0.01; done")}}};
    const QString specPath = m_dir->filePath("resume-spec.json");
    QFile specFile(specPath);
    QVERIFY(specFile.open(QIODevice::WriteOnly));
    specFile.write(QJsonDocument(spec).toJson());
    specFile.close();
    const QString dir = m_dir->filePath("resume-run");
    QProcess cli;
    cli.setProcessEnvironment(cliEnvironment());
    cli.setProcessChannelMode(QProcess::MergedChannels);
    cli.start(binary, {"run", specPath, "--out", dir});
    QVERIFY2(cli.waitForStarted(5000), qPrintable(cli.errorString()));
    const auto lines = [](const QString &path) {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll().count('\n') : 0;
    };
    QVERIFY2(QTest::qWaitFor([&] { return lines(dir + "/live.jsonl") >= 10; }, 60000),
             cli.readAll().constData());
    QCOMPARE(cli.state(), QProcess::Running);
    cli.kill();
    QVERIFY(cli.waitForFinished(5000));
    const QJsonObject killed = readRunJson(dir);
    QCOMPARE(killed.value("state").toString(), QStringLiteral("running"));
    m_runIds << killed.value("run_id").toString();
    QVERIFY2(lines(dir + "/live.jsonl") < 150,
             "the live variation was recorded whole before "
             "the kill: the test's timing is off");

    QProcess resume;
    resume.setProcessEnvironment(cliEnvironment());
    resume.setProcessChannelMode(QProcess::MergedChannels);
    resume.start(binary, {"resume", dir});
    const bool ended = resume.waitForFinished(120000);
    const QByteArray output = resume.readAll();
    QVERIFY2(ended && resume.exitCode() == 0, output.constData());
    QByteArray got = streamOf(dir + "/live.jsonl", StreamType::Stdout);
    QVERIFY2(got == liveOut, qPrintable(describeDiff(got, liveOut)));
    got = streamOf(dir + "/done.jsonl", StreamType::Stdout);
    QVERIFY2(got == doneOut, qPrintable(describeDiff(got, doneOut)));
    got = streamOf(dir + "/done.jsonl", StreamType::Stderr);
    QVERIFY2(got == doneErr, qPrintable(describeDiff(got, doneErr)));
    const QJsonObject record = readRunJson(dir);
    QCOMPARE(record.value("state").toString(), QStringLiteral("finished"));
    const Result<QList<ContainerSummary>> left
            = runContainers(*m_client, killed.value("run_id").toString());
    QVERIFY(left && left->isEmpty());
}

QTEST_GUILESS_MAIN(TestPodman)
#include "tst_podman.moc"

// Integration tests of `parallax run` against the real daemon (label `docker`): the executable
// ($PARALLAX_BINARY) runs in a QProcess, its stdout is read as it arrives, and its exit status,
// messages, summary and run folder are checked. Every run writes into a temporary folder; its
// containers are found by the run id that `parallax run` announces and removed in cleanup(),
// also when the test failed. Without a daemon the tests that need one are skipped, loudly.

#include "runtesthelpers.h"

#include "docker/dockerclient.h"
#include "transcript/secretredactor.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace Parallax;
using namespace Parallax::RunTest;

namespace {

// One `parallax` process: its output as it arrived, with arrival times.
class CliProcess
{
public:
    CliProcess(const QString &binary,
               const QStringList &args,
               const QProcessEnvironment &env,
               QStringList *runIds)
    {
        m_process.setProgram(binary);
        m_process.setArguments(args);
        m_process.setProcessEnvironment(env);
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, &m_process, [this] {
            out += m_process.readAllStandardOutput();
            m_arrivals.append({m_clock.elapsed(), out.size()});
        });
        QObject::connect(&m_process, &QProcess::readyReadStandardError, &m_process, [this, runIds] {
            err += m_process.readAllStandardError();
            // Known as soon as announced, so that cleanup finds the run's containers even if
            // the test fails while it runs.
            if (m_runId.isEmpty()) {
                m_runId = runIdFromCliOutput(err);
                if (!m_runId.isEmpty() && runIds)
                    runIds->append(m_runId);
            }
        });
        m_clock.start();
        m_process.start();
    }

    ~CliProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.kill();
            m_process.waitForFinished(5000);
        }
    }

    bool waitForStarted() { return m_process.waitForStarted(10000); }
    // Waits in the event loop (so arrivals are timed as they happen) for the process to end.
    bool waitForFinished(int timeoutMs)
    {
        if (m_process.state() == QProcess::NotRunning)
            return true;
        QSignalSpy finished(&m_process, &QProcess::finished);
        if (!finished.wait(timeoutMs))
            return false;
        out += m_process.readAllStandardOutput();
        err += m_process.readAllStandardError();
        return true;
    }
    bool waitForOutput(const QByteArray &needle, int timeoutMs)
    {
        return QTest::qWaitFor(
                       [&] {
                           return out.contains(needle) || m_process.state() == QProcess::NotRunning;
                       },
                       timeoutMs)
               && out.contains(needle);
    }
    // Milliseconds from the start until stdout first held all of `needle`; -1 if it never did.
    qint64 arrivalMs(const QByteArray &needle) const
    {
        const qsizetype at = out.indexOf(needle);
        if (at < 0)
            return -1;
        for (const auto &[ms, size] : m_arrivals) {
            if (size >= at + needle.size())
                return ms;
        }
        return -1;
    }
    bool exitedNormally() const { return m_process.exitStatus() == QProcess::NormalExit; }
    int exitCode() const { return m_process.exitCode(); }
    qint64 pid() const { return m_process.processId(); }
    QString runId() const { return m_runId; }
    QByteArray describe() const
    {
        return "exit " + QByteArray::number(m_process.exitCode()) + "\n--- stdout ---\n"
               + out.right(3000) + "\n--- stderr ---\n" + err.right(3000);
    }

    QByteArray out;
    QByteArray err;

private:
    QProcess m_process;
    QElapsedTimer m_clock;
    QList<QPair<qint64, qsizetype>> m_arrivals; // (ms since start, stdout size after it)
    QString m_runId;
};

} // namespace

#define REQUIRE_DOCKER()                                                                           \
    do {                                                                                           \
        if (!m_daemonUp)                                                                           \
            QSKIP(qPrintable(m_skipReason));                                                       \
    } while (false)

class TestRunCli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    // No daemon needed.
    void badSpec();
    void usageErrors_data();
    void usageErrors();
    void dockerUnreachable();

    // The real daemon.
    void streamsProgressively();
    void partialLineAtOnce();
    void exitStatusWhenVariationFails();
    void missingImage();
    void secrets();
    void interrupted_data();
    void interrupted();
    void outDirAndVariationCount();
    void parallelismFlag();
    void keepContainersFlag();
    void resumeStartsQueuedVariations();
    void showAndExportAfterRun();

private:
    QString writeSpec(const QJsonObject &spec);
    std::unique_ptr<CliProcess> start(const QStringList &args,
                                      const QProcessEnvironment &env
                                      = QProcessEnvironment::systemEnvironment());
    void verifyNoContainers(const QString &runId);

    QString m_binary;
    std::unique_ptr<DockerClient> m_client;
    bool m_daemonUp = false;
    QString m_skipReason;
    QStringList m_runIds;
    std::unique_ptr<QTemporaryDir> m_temp;
};

void TestRunCli::initTestCase()
{
    m_binary = qEnvironmentVariable("PARALLAX_BINARY");
    QVERIFY2(!m_binary.isEmpty(),
             "set PARALLAX_BINARY to the built parallax executable (CTest does)");
    QVERIFY2(QFileInfo(m_binary).isExecutable(),
             qPrintable(m_binary + QStringLiteral(" is not executable")));

    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
    m_client = std::make_unique<DockerClient>(endpoint ? *endpoint : DockerEndpoint());
    const Result<PingInfo> ping
            = endpoint ? syncCall<PingInfo>(
                      [&](QObject *context, DockerClient::Callback<PingInfo> done) {
                          m_client->ping(context, done);
                      })
                       : Result<PingInfo>(endpoint.error());
    if (!ping) {
        m_skipReason = QStringLiteral("no Docker daemon answers: %1").arg(ping.errorString());
        const QByteArray banner(100, '*');
        qWarning("%s", banner.constData());
        qWarning("*** DOCKER INTEGRATION TESTS SKIPPED: %s", qPrintable(m_skipReason));
        qWarning("%s", banner.constData());
        return;
    }
    m_daemonUp = true;
}

void TestRunCli::init()
{
    m_temp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_temp->isValid());
}

void TestRunCli::cleanup()
{
    if (m_daemonUp) {
        // A failed test may have left a create request in flight: let it land first.
        if (QTest::currentTestFailed())
            QTest::qWait(2000);
        const Result<int> removed = removeRunContainers(*m_client, m_runIds);
        QVERIFY2(removed, qPrintable(removed.errorString()));
    }
    m_runIds.clear();
    m_temp.reset();
}

QString TestRunCli::writeSpec(const QJsonObject &spec)
{
    static int count = 0;
    const QString path = m_temp->filePath(QStringLiteral("spec%1.json").arg(++count));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(QJsonDocument(spec).toJson());
    return path;
}

std::unique_ptr<CliProcess> TestRunCli::start(const QStringList &args,
                                              const QProcessEnvironment &env)
{
    return std::make_unique<CliProcess>(m_binary, args, env, &m_runIds);
}

void TestRunCli::verifyNoContainers(const QString &runId)
{
    QVERIFY(!runId.isEmpty());
    const Result<QList<ContainerSummary>> left = runContainers(*m_client, runId);
    QVERIFY2(left, qPrintable(left.errorString()));
    QVERIFY2(left->isEmpty(),
             qPrintable(QStringLiteral("%1 containers of run %2 left behind")
                                .arg(left->size())
                                .arg(runId)));
}

// ---------------------------------------------------------------------------------------------

void TestRunCli::badSpec()
{
    const QString spec = writeSpec({{"imagee", demoImage()}});
    auto cli = start({"run", spec, "--out", m_temp->filePath("out")});
    QVERIFY(cli->waitForFinished(30000));
    QCOMPARE(cli->exitCode(), 2);
    QVERIFY2(cli->err.contains("imagee: unknown field (did you mean \"image\"?)"),
             cli->describe().constData());
    QVERIFY2(cli->err.contains("image: required"), cli->describe().constData());
    QVERIFY2(cli->err.contains(spec.toUtf8()), cli->describe().constData());
    QVERIFY(cli->runId().isEmpty()); // nothing started
    QVERIFY(!QFile::exists(m_temp->filePath("out")));
}

void TestRunCli::usageErrors_data()
{
    QTest::addColumn<QStringList>("args"); // SPEC stands for a valid spec file
    QTest::addColumn<QString>("message");

    QTest::addRow("-n 0") << QStringList{"run", "SPEC", "-n", "0"}
                          << "-n takes a number from 1 to 64, not '0'";
    QTest::addRow("-n 65") << QStringList{"run", "SPEC", "-n", "65"}
                           << "-n takes a number from 1 to 64, not '65'";
    QTest::addRow("-n without value") << QStringList{"run", "SPEC", "-n"} << "-n needs a value";
    QTest::addRow("-j 0") << QStringList{"run", "SPEC", "-j", "0"}
                          << "-j takes a number from 1 to 64, not '0'";
    QTest::addRow("no spec") << QStringList{"run"} << "which spec?";
    QTest::addRow("unknown option")
            << QStringList{"run", "SPEC", "--frobnicate"} << "unknown option '--frobnicate'";
    QTest::addRow("missing spec file")
            << QStringList{"run", "/nonexistent/spec.json"} << "cannot read /nonexistent/spec.json";
    QTest::addRow("resume without folder") << QStringList{"resume"} << "which run?";
}

void TestRunCli::usageErrors()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const QString spec
            = writeSpec({{"image", demoImage()}, {"env", QJsonObject{{"DEMO_MODE", "exit"}}}});
    args.replaceInStrings(QStringLiteral("SPEC"), spec);
    auto cli = start(args);
    QVERIFY(cli->waitForFinished(30000));
    QVERIFY(cli->exitedNormally());
    QVERIFY2(cli->exitCode() == 2, cli->describe().constData());
    QVERIFY2(cli->err.contains(message.toUtf8()), cli->describe().constData());
    QVERIFY(cli->runId().isEmpty());
}

void TestRunCli::dockerUnreachable()
{
    const QString spec = writeSpec({{"image", demoImage()}});
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix:///tmp/nonexistent.sock"));
    QElapsedTimer clock;
    clock.start();
    auto cli = start({"run", spec, "--out", m_temp->filePath("out")}, env);
    QVERIFY(cli->waitForFinished(30000));
    qInfo("exit %d after %lld ms: %s",
          cli->exitCode(),
          clock.elapsed(),
          cli->err.trimmed().constData());
    QVERIFY2(cli->exitCode() == 3, cli->describe().constData());
    QVERIFY2(cli->err.contains("/tmp/nonexistent.sock"), cli->describe().constData());
    QVERIFY(cli->runId().isEmpty());
}

void TestRunCli::streamsProgressively()
{
    REQUIRE_DOCKER();
    const QString spec = writeSpec(
            {{"image", demoImage()},
             {"env",
              QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "5"}, {"DEMO_INTERVAL", "1"}}}});
    const QString outDir = m_temp->filePath("out");
    auto cli = start({"run", spec, "--out", outDir});
    QVERIFY(cli->waitForStarted());
    QVERIFY2(cli->waitForFinished(60000), cli->describe().constData());
    QVERIFY2(cli->exitedNormally() && cli->exitCode() == 0, cli->describe().constData());

    QList<double> times;
    for (int n = 1; n <= 5; ++n) {
        const qint64 ms = cli->arrivalMs("[v1] Count: " + QByteArray::number(n) + '\n');
        QVERIFY2(ms >= 0, cli->describe().constData());
        times.append(ms / 1000.0);
    }
    const QList<double> measured = gaps(times);
    qInfo("stdout arrival gaps of [v1] Count: 1..5 (DEMO_INTERVAL=1): %s s",
          qPrintable(formatGaps(measured)));
    for (double gap : measured)
        QVERIFY2(qAbs(gap - 1.0) <= 0.1, qPrintable(formatGaps(measured)));

    // The summary comes after the output.
    const qsizetype table = cli->out.indexOf("VARIATION");
    QVERIFY2(table > cli->out.indexOf("[v1] Count: 5\n"), cli->describe().constData());
    const QByteArray summary = cli->out.mid(table);
    for (const char *column : {"STATE", "EXIT", "DURATION", "LINES"})
        QVERIFY2(summary.contains(column), summary.constData());
    QVERIFY2(summary.contains("v1") && summary.contains("exited 0"), summary.constData());
    QVERIFY2(summary.contains("Transcripts: " + QDir(outDir).absolutePath().toUtf8()),
             summary.constData());
    QCOMPARE(readRunJson(outDir).value("run_id").toString(), cli->runId());
    verifyNoContainers(cli->runId());
}

void TestRunCli::partialLineAtOnce()
{
    REQUIRE_DOCKER();
    const QString spec = writeSpec(
            {{"image", demoImage()},
             {"command", QJsonArray{"sh", "-c", "printf partial; sleep 2; echo ' done'"}}});
    auto cli = start({"run", spec, "--out", m_temp->filePath("out")});
    QVERIFY2(cli->waitForFinished(60000), cli->describe().constData());
    QVERIFY2(cli->exitCode() == 0, cli->describe().constData());
    QVERIFY2(cli->out.contains("[v1] partial done\n"), cli->describe().constData());
    // " done" comes 2 s after "partial" was printed: the partial line was shown within
    // 2 s - gap of being printed.
    const qint64 partial = cli->arrivalMs("[v1] partial");
    const qint64 done = cli->arrivalMs("[v1] partial done\n");
    QVERIFY(partial >= 0 && done >= 0);
    qInfo("\"partial\" shown %lld ms before its \" done\\n\" (printed 2000 ms apart): at most %lld "
          "ms late",
          done - partial,
          2000 - (done - partial));
    QVERIFY2(done - partial >= 1800, qPrintable(QString::number(done - partial)));
    verifyNoContainers(cli->runId());
}

void TestRunCli::exitStatusWhenVariationFails()
{
    REQUIRE_DOCKER();
    const QString spec
            = writeSpec({{"image", demoImage()},
                         {"env", QJsonObject{{"DEMO_MODE", "exit"}}},
                         {"variations",
                          QJsonArray{QJsonObject{{"name", "ok"}},
                                     QJsonObject{{"name", "bad"},
                                                 {"env", QJsonObject{{"DEMO_EXIT_CODE", "3"}}}}}}});
    auto cli = start({"run", spec, "--out", m_temp->filePath("out")});
    QVERIFY2(cli->waitForFinished(60000), cli->describe().constData());
    QVERIFY2(cli->exitCode() == 1, cli->describe().constData());
    QVERIFY2(cli->out.contains("[bad] exiting with code 3\n"), cli->describe().constData());
    QVERIFY2(cli->out.contains("exited 3"), cli->describe().constData());
    QVERIFY2(cli->out.contains("exited 0"), cli->describe().constData());
    verifyNoContainers(cli->runId());
}

void TestRunCli::missingImage()
{
    REQUIRE_DOCKER();
    const QString spec = writeSpec({{"image", "parallax/no-such-image:never"}});
    auto cli = start({"run", spec, "--out", m_temp->filePath("out")});
    QVERIFY2(cli->waitForFinished(60000), cli->describe().constData());
    QVERIFY(cli->exitedNormally());
    QVERIFY2(cli->exitCode() != 0, cli->describe().constData());
    QVERIFY2(cli->err.contains("Image 'parallax/no-such-image:never' is not available locally"),
             cli->describe().constData());
    if (!cli->runId().isEmpty())
        verifyNoContainers(cli->runId());
}

void TestRunCli::secrets()
{
    REQUIRE_DOCKER();
    const QString spec = writeSpec(
            {{"image", demoImage()},
             {"command",
              QJsonArray{"sh", "-c", "echo \"token=$MY_TOKEN\"; echo \"$MY_TOKEN\" >&2"}},
             {"secrets", QJsonArray{"MY_TOKEN"}}});
    const QString outDir = m_temp->filePath("out");

    // Not set where parallax runs: nothing starts, and the message names it.
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("MY_TOKEN"));
    auto missing = start({"run", spec, "--out", outDir}, env);
    QVERIFY2(missing->waitForFinished(30000), missing->describe().constData());
    QVERIFY2(missing->exitCode() == 2, missing->describe().constData());
    QVERIFY2(missing->err.contains("MY_TOKEN is not set"), missing->describe().constData());
    QVERIFY(!QFile::exists(outDir + "/run.json"));
    if (!missing->runId().isEmpty())
        verifyNoContainers(missing->runId());

    env.insert(QStringLiteral("MY_TOKEN"), QStringLiteral("s3cr3t-value-123"));
    auto cli = start({"run", spec, "--out", outDir}, env);
    QVERIFY2(cli->waitForFinished(60000), cli->describe().constData());
    QVERIFY2(cli->exitCode() == 0, cli->describe().constData());
    QVERIFY2(cli->out.contains("[v1] token=" + SecretRedactor::mask() + '\n'),
             cli->describe().constData());
    QVERIFY2(cli->out.contains("[v1:err] " + SecretRedactor::mask() + '\n'),
             cli->describe().constData());
    for (const QByteArray &bytes : {cli->out,
                                    cli->err,
                                    readFile(outDir + "/v1.jsonl"),
                                    readFile(outDir + "/v1.log"),
                                    readFile(outDir + "/run.json")})
        QVERIFY(!bytes.contains("s3cr3t"));
    verifyNoContainers(cli->runId());
}

void TestRunCli::interrupted_data()
{
    QTest::addColumn<int>("signal");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("printing"); // variations whose output comes before the signal
    QTest::addRow("SIGINT") << int(SIGINT) << QStringList{"-n", "2"} << QStringList{"v1", "v2"};
    QTest::addRow("SIGTERM") << int(SIGTERM) << QStringList{"-n", "2"} << QStringList{"v1", "v2"};
    // v2 and v3 still wait for their turn: they are cancelled without a container.
    QTest::addRow("SIGINT, one at a time")
            << int(SIGINT) << QStringList{"-n", "3", "-j", "1"} << QStringList{"v1"};
}

void TestRunCli::interrupted()
{
    REQUIRE_DOCKER();
    QFETCH(int, signal);
    QFETCH(QStringList, args);
    QFETCH(QStringList, printing);
    const QString spec
            = writeSpec({{"image", demoImage()},
                         {"env", QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "60"}}}});
    const QString outDir = m_temp->filePath("out");
    auto cli = start(QStringList{"run", spec, "--out", outDir} + args);
    for (const QString &name : printing)
        QVERIFY2(cli->waitForOutput("[" + name.toUtf8() + "] Count: 2\n", 20000),
                 cli->describe().constData());
    QElapsedTimer clock;
    clock.start();
    QCOMPARE(::kill(pid_t(cli->pid()), signal), 0);
    QVERIFY2(cli->waitForFinished(30000), cli->describe().constData());
    qInfo("exit %d %lld ms after the signal", cli->exitCode(), clock.elapsed());
    QVERIFY2(cli->exitedNormally() && cli->exitCode() == 130, cli->describe().constData());
    QVERIFY2(cli->err.contains("interrupted"), cli->describe().constData());
    const QJsonObject record = readRunJson(outDir);
    QCOMPARE(record.value("state").toString(), QStringLiteral("cancelled"));
    const QJsonArray variations = record.value("variations").toArray();
    const QByteArray summary = cli->out.mid(cli->out.indexOf("VARIATION"));
    QVERIFY2(summary.count("cancelled") == variations.size(), cli->describe().constData());
    for (const QJsonValue &v : variations) {
        QCOMPARE(v.toObject().value("state").toString(), QStringLiteral("cancelled"));
        const bool started = printing.contains(v.toObject().value("name").toString());
        QCOMPARE(v.toObject().value("container_id").toString().isEmpty(), !started);
    }
    verifyNoContainers(cli->runId());
}

void TestRunCli::outDirAndVariationCount()
{
    REQUIRE_DOCKER();
    const QString spec = writeSpec({{"image", demoImage()},
                                    {"env", QJsonObject{{"DEMO_MODE", "exit"}}},
                                    {"variations", 5}});
    const QString outDir = m_temp->filePath("nested/out");
    auto cli = start({"run", spec, "--out", outDir, "-n", "3"});
    QVERIFY2(cli->waitForFinished(60000), cli->describe().constData());
    QVERIFY2(cli->exitCode() == 0, cli->describe().constData());
    QVERIFY2(cli->err.contains("3 variation(s)"), cli->describe().constData());
    const QJsonObject record = readRunJson(outDir);
    QCOMPARE(record.value("run_id").toString(), cli->runId());
    QCOMPARE(record.value("spec_path").toString(), QFileInfo(spec).absoluteFilePath());
    const QJsonArray variations = record.value("variations").toArray();
    QCOMPARE(variations.size(), 3);
    for (int i = 1; i <= 3; ++i) {
        const QString name = QStringLiteral("v%1").arg(i);
        QCOMPARE(variations[i - 1].toObject().value("name").toString(), name);
        QCOMPARE(variations[i - 1].toObject().value("state").toString(), QStringLiteral("exited"));
        QVERIFY(QFile::exists(outDir + '/' + name + ".jsonl"));
        QCOMPARE(readFile(outDir + '/' + name + ".log"), QByteArray("exiting with code 0\n"));
        QVERIFY2(cli->out.contains("[" + name.toUtf8() + "] exiting with code 0\n"),
                 cli->describe().constData());
    }
    QVERIFY(!QFile::exists(outDir + "/v4.jsonl"));
    verifyNoContainers(cli->runId());
}

void TestRunCli::parallelismFlag()
{
    REQUIRE_DOCKER();
    const QString spec = writeSpec(
            {{"image", demoImage()},
             {"env",
              QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "2"}, {"DEMO_INTERVAL", "0.2"}}}});
    const QString outDir = m_temp->filePath("out");
    auto cli = start({"run", spec, "--out", outDir, "-n", "3", "-j", "1"});
    QVERIFY2(cli->waitForFinished(60000), cli->describe().constData());
    QVERIFY2(cli->exitCode() == 0, cli->describe().constData());
    // One at a time: each variation is created only after the one before it ended.
    const QJsonArray variations = readRunJson(outDir).value("variations").toArray();
    QCOMPARE(variations.size(), 3);
    QDateTime previousEnd;
    for (const QJsonValue &value : variations) {
        const QJsonObject v = value.toObject();
        QCOMPARE(v.value("state").toString(), QStringLiteral("exited"));
        QDateTime creating;
        for (const QJsonValue &t : v.value("transitions").toArray()) {
            if (t.toObject().value("state").toString() == QLatin1String("creating"))
                creating = QDateTime::fromString(t.toObject().value("at").toString(),
                                                 Qt::ISODateWithMs);
        }
        QVERIFY(creating.isValid());
        QVERIFY2(!previousEnd.isValid() || creating >= previousEnd,
                 qPrintable(v.value("name").toString()));
        previousEnd = QDateTime::fromString(v.value("finished_at").toString(), Qt::ISODateWithMs);
    }
    verifyNoContainers(cli->runId());
}

void TestRunCli::keepContainersFlag()
{
    REQUIRE_DOCKER();
    const QString spec
            = writeSpec({{"image", demoImage()}, {"env", QJsonObject{{"DEMO_MODE", "exit"}}}});
    auto cli = start({"run", spec, "--out", m_temp->filePath("out"), "--keep-containers"});
    QVERIFY2(cli->waitForFinished(60000), cli->describe().constData());
    QVERIFY2(cli->exitCode() == 0, cli->describe().constData());
    const Result<QList<ContainerSummary>> kept = runContainers(*m_client, cli->runId());
    QVERIFY2(kept, qPrintable(kept.errorString()));
    QCOMPARE(kept->size(), 1);
    QCOMPARE(kept->first().state, QStringLiteral("exited"));
    const Result<int> removed = removeRunContainers(*m_client, {cli->runId()});
    QVERIFY2(removed, qPrintable(removed.errorString()));
    verifyNoContainers(cli->runId());
}

// Killed while variations still waited behind -j: resume follows the running one and starts
// the queued ones, so every variation ends with its complete output.
void TestRunCli::resumeStartsQueuedVariations()
{
    REQUIRE_DOCKER();
    const QString spec = writeSpec(
            {{"image", demoImage()},
             {"env",
              QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "3"}, {"DEMO_INTERVAL", "0.5"}}}});
    const QString outDir = m_temp->filePath("out");
    auto cli = start({"run", spec, "--out", outDir, "-n", "3", "-j", "1"});
    QTRY_VERIFY_WITH_TIMEOUT(readFile(outDir + "/v1.jsonl").contains("Count: 1"), 20000);
    ::kill(cli->pid(), SIGKILL);
    QVERIFY(cli->waitForFinished(10000));
    QCOMPARE(readRunJson(outDir).value("state").toString(), QStringLiteral("running"));
    QCOMPARE(readRunJson(outDir).value("parallelism").toInt(), 1);

    auto resumed = start({"resume", outDir});
    QVERIFY2(resumed->waitForFinished(60000), resumed->describe().constData());
    QVERIFY2(resumed->exitCode() == 0, resumed->describe().constData());
    const QJsonObject record = readRunJson(outDir);
    QCOMPARE(record.value("state").toString(), QStringLiteral("finished"));
    for (const QJsonValue &value : record.value("variations").toArray()) {
        const QJsonObject v = value.toObject();
        QCOMPARE(v.value("state").toString(), QStringLiteral("exited"));
        const Result<QByteArray> out = TranscriptReader::readStream(
                outDir + "/" + v.value("name").toString() + ".jsonl", StreamType::Stdout);
        QVERIFY(out);
        QCOMPARE(*out, QByteArray("Count: 1\nCount: 2\nCount: 3\n"));
    }
    // The resumed run kept the -j 1 cap: each variation started running only after the one
    // before it had exited.
    const auto at = [](const QJsonObject &v, const QString &state) {
        for (const QJsonValue &t : v.value("transitions").toArray()) {
            if (t.toObject().value("state").toString() == state)
                return QDateTime::fromString(t.toObject().value("at").toString(),
                                             Qt::ISODateWithMs);
        }
        return QDateTime();
    };
    const QJsonArray variations = record.value("variations").toArray();
    for (int i = 1; i < variations.size(); ++i) {
        const QDateTime started = at(variations[i].toObject(), "running");
        const QDateTime previousEnd = at(variations[i - 1].toObject(), "exited");
        QVERIFY(started.isValid() && previousEnd.isValid());
        QVERIFY2(started >= previousEnd,
                 qPrintable(QStringLiteral("v%1 ran from %2, before v%3 exited at %4")
                                    .arg(i + 1)
                                    .arg(started.toString(Qt::ISODateWithMs))
                                    .arg(i)
                                    .arg(previousEnd.toString(Qt::ISODateWithMs))));
    }
    verifyNoContainers(record.value("run_id").toString());
}

// The history and export commands are reachable from the same binary and read a finished run.
void TestRunCli::showAndExportAfterRun()
{
    REQUIRE_DOCKER();
    const QString spec = writeSpec(
            {{"name", "show-export"},
             {"image", demoImage()},
             {"command", QJsonArray{"sh", "-c", "printf '\\033[31mred\\033[0m line\\n'"}}});
    const QString outDir = m_temp->filePath("out");
    auto cli = start({"run", spec, "--out", outDir});
    QVERIFY2(cli->waitForFinished(60000) && cli->exitCode() == 0, cli->describe().constData());

    auto show = start({"show", outDir, "--no-winner"});
    QVERIFY2(show->waitForFinished(20000) && show->exitCode() == 0, show->describe().constData());
    QVERIFY2(show->out.contains("show-export") && show->out.contains("v1"),
             show->describe().constData());

    auto text = start({"export", outDir, "--format", "text"});
    QVERIFY2(text->waitForFinished(20000) && text->exitCode() == 0, text->describe().constData());
    QVERIFY2(text->out.contains("red line"), text->describe().constData());
    QVERIFY(!text->out.contains('\x1b'));

    auto bad = start({"export", outDir, "--format", "pdf"});
    QVERIFY(bad->waitForFinished(20000));
    QCOMPARE(bad->exitCode(), 2);
}

QTEST_GUILESS_MAIN(TestRunCli)
#include "tst_runcli.moc"

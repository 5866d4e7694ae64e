// End-to-end test with the real Claude Code CLI, offline (label `docker`). The CLI (a pinned
// @anthropic-ai/claude-code 2.1.112 from npm) runs in an image made without any registry:
// Parallax's claude-code agent image (AgentImage, POST /build) on a Debian base from
// debootstrap (tests/e2e/make-base-image.sh), with the npm tarball as the CLI
// (tests/e2e/prepare-claude-code.sh --tarball). It clones a repository from `git daemon` on
// loopback and talks, over host networking and ANTHROPIC_BASE_URL, to a scripted streaming
// Messages API endpoint (tests/common/scriptedanthropic.h).
//
// editsFileThroughWindow launches through the window (offscreen) as a user would: the script
// makes the real CLI read greeting.txt, edit it with its Edit tool and answer with a final
// message. errorExitCodeRecorded runs a plain Run whose endpoint fails the first request, so
// the CLI exits non-zero. Both check what Parallax recorded against the kept container itself:
// the transcript byte for byte against `docker logs`, the exit code against `docker inspect`;
// plus the structured events (and the pane's Structured view), the workspace patch, and that
// the API key lands in no file and no export.
//
// Images are cached by tags derived from their inputs, so only the first run pays for
// debootstrap (~2 min) and the build (~1.5 min). Skipped loudly when no daemon answers or the
// Debian mirror / npm registry cannot be reached; never silently.

#include "runtesthelpers.h"
#include "scriptedanthropic.h"

#include "agents/agentimage.h"
#include "agents/eventstream.h"
#include "agents/eventstreammodel.h"
#include "docker/buildprogress.h"
#include "docker/dockerclient.h"
#include "docker/imagebuild.h"
#include "export/runexporter.h"
#include "run/run.h"
#include "run/runspec.h"

#include "launchpanel.h"
#include "mainwindow.h"
#include "outputview.h"
#include "panearea.h"
#include "structuredview.h"
#include "variationpane.h"

#include "docker/dockermonitor.h"
#include "text/terminalbuffer.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Parallax;
using namespace Parallax::AgentTest;
using namespace Parallax::RunTest;

namespace {

const QByteArray kSeed = "Hello, world\n";
const QByteArray kEdited = "Hello, Parallax\n";
const QString kFinalText
        = QStringLiteral("I changed the greeting in greeting.txt to say Hello, Parallax.");
const QString kErrorText = QStringLiteral("scripted failure: this model is unavailable");

// Set by CTest (tests/CMakeLists.txt): where tests/e2e/ is.
QString sourceDir()
{
    return qEnvironmentVariable("PARALLAX_SOURCE_DIR");
}

struct ProcessResult
{
    int exitCode = -1; // -1: crashed, did not start or did not finish
    QByteArray out;
    QByteArray err;
    QString error;
};

ProcessResult runProcess(const QString &program, const QStringList &args, int timeoutMs)
{
    ProcessResult result;
    QProcess process;
    process.start(program, args);
    if (!process.waitForStarted(10000)) {
        result.error
                = QStringLiteral("%1 could not be started: %2").arg(program, process.errorString());
        return result;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        result.error = QStringLiteral("%1 %2 did not finish within %3 s")
                               .arg(program, args.join(QLatin1Char(' ')))
                               .arg(timeoutMs / 1000);
        return result;
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    if (result.exitCode != 0)
        result.error = QStringLiteral("%1 %2 exited %3: %4")
                               .arg(program, args.join(QLatin1Char(' ')))
                               .arg(result.exitCode)
                               .arg(QString::fromLocal8Bit(result.err.trimmed().right(2000)));
    return result;
}

// The structured events of a Claude Code stdout, as the structured view shows them.
QList<EventItem> parseEvents(const QByteArray &stdoutBytes, EventStreamFormat *format)
{
    EventStreamParser parser;
    // In pieces of 1000 bytes, as chunks arrive: lines straddle feeds.
    for (qsizetype at = 0; at < stdoutBytes.size(); at += 1000)
        parser.feed(QByteArrayView(stdoutBytes)
                            .sliced(at, qMin<qsizetype>(1000, stdoutBytes.size() - at)));
    parser.finish();
    *format = parser.format();
    return parser.items();
}

QString describeItems(const QList<EventItem> &items)
{
    QStringList lines;
    for (const EventItem &item : items)
        lines.append(QStringLiteral("kind %1 title '%2' text '%3' input '%4' error %5")
                             .arg(int(item.kind))
                             .arg(item.title, item.text.left(80), item.input.left(120))
                             .arg(item.isError));
    return lines.join(QLatin1Char('\n'));
}

// A git repository the container clones (the spec's `repo`), served by `git daemon` on
// 127.0.0.1: host networking lets the container reach it, and git:// supports the shallow
// clone the entrypoint makes. Holds one commit with greeting.txt.
class GitRepoServer
{
public:
    ~GitRepoServer()
    {
        if (m_daemon.state() != QProcess::NotRunning) {
            m_daemon.terminate();
            if (!m_daemon.waitForFinished(5000)) {
                m_daemon.kill();
                m_daemon.waitForFinished(5000);
            }
        }
    }

    // Empty on success, else why not.
    QString start()
    {
        if (!m_dir.isValid())
            return QStringLiteral("no temporary folder");
        const QString work = m_dir.filePath(QStringLiteral("work"));
        QDir().mkpath(work);
        QFile seed(work + QStringLiteral("/greeting.txt"));
        if (!seed.open(QIODevice::WriteOnly) || seed.write(kSeed) != kSeed.size())
            return QStringLiteral("cannot write %1").arg(seed.fileName());
        seed.close();
        const QString git = QStringLiteral("git");
        const QStringList identity{QStringLiteral("-c"),
                                   QStringLiteral("user.name=tst_realagent"),
                                   QStringLiteral("-c"),
                                   QStringLiteral("user.email=tst_realagent@localhost"),
                                   QStringLiteral("-C"),
                                   work};
        for (const QStringList &args : {QStringList{QStringLiteral("init"), QStringLiteral("-q")},
                                        QStringList{QStringLiteral("add"), QStringLiteral("-A")},
                                        QStringList{QStringLiteral("commit"),
                                                    QStringLiteral("-q"),
                                                    QStringLiteral("-m"),
                                                    QStringLiteral("greeting")}}) {
            const ProcessResult done = runProcess(git, identity + args, 30000);
            if (!done.error.isEmpty())
                return done.error;
        }
        const ProcessResult bare = runProcess(git,
                                              {QStringLiteral("clone"),
                                               QStringLiteral("-q"),
                                               QStringLiteral("--bare"),
                                               work,
                                               m_dir.filePath(QStringLiteral("project.git"))},
                                              30000);
        if (!bare.error.isEmpty())
            return bare.error;

        QTcpServer probe;
        if (!probe.listen(QHostAddress::LocalHost, 0))
            return probe.errorString();
        m_port = probe.serverPort();
        probe.close();
        m_daemon.setProcessChannelMode(QProcess::MergedChannels);
        m_daemon.start(git,
                       {QStringLiteral("daemon"),
                        QStringLiteral("--reuseaddr"),
                        QStringLiteral("--listen=127.0.0.1"),
                        QStringLiteral("--port=%1").arg(m_port),
                        QStringLiteral("--base-path=") + m_dir.path(),
                        QStringLiteral("--export-all"),
                        QStringLiteral("--informative-errors"),
                        m_dir.path()});
        if (!m_daemon.waitForStarted(10000))
            return QStringLiteral("git daemon did not start: %1").arg(m_daemon.errorString());
        for (int i = 0; i < 100; ++i) {
            QTcpSocket socket;
            socket.connectToHost(QHostAddress::LocalHost, m_port);
            if (socket.waitForConnected(200))
                return {};
            if (m_daemon.state() != QProcess::Running)
                return QStringLiteral("git daemon exited: %1")
                        .arg(QString::fromLocal8Bit(m_daemon.readAll()));
            QTest::qWait(100);
        }
        return QStringLiteral("git daemon did not answer on 127.0.0.1:%1").arg(m_port);
    }

    QString url() const { return QStringLiteral("git://127.0.0.1:%1/project.git").arg(m_port); }

private:
    QTemporaryDir m_dir;
    QProcess m_daemon;
    quint16 m_port = 0;
};

// What a pane's raw output view holds, as text.
QString paneText(VariationPane *pane)
{
    QString text;
    const TerminalBuffer *buffer = pane->view()->buffer();
    for (qsizetype i = 0; i < buffer->lineCount(); ++i)
        text += buffer->line(i).text + QLatin1Char('\n');
    return text;
}

// The pane's structured view, switched on as a user would: the Read and Edit calls with their
// file, the edit's diff, and the final message.
void verifyStructuredPane(VariationPane *pane)
{
    QTRY_VERIFY_WITH_TIMEOUT(pane->isStructuredAvailable(), 5000);
    pane->setStructured(true);
    QVERIFY(pane->isStructured());
    StructuredView *view = pane->structuredView();
    QVERIFY(view);
    QTRY_VERIFY_WITH_TIMEOUT(view->isVisible(), 5000);
    view->flush();
    const EventStreamModel *model = view->model();
    QAbstractItemModelTester tester(const_cast<EventStreamModel *>(model),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QStringList rows;
    int editRow = -1;
    int readRow = -1;
    int finalRow = -1;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QModelIndex index = model->index(row, 0);
        const auto kind = EventItem::Kind(index.data(EventStreamModel::KindRole).toInt());
        const QString title = index.data(EventStreamModel::TitleRole).toString();
        const QString text = index.data(EventStreamModel::TextRole).toString();
        const QString input = index.data(EventStreamModel::InputRole).toString();
        rows.append(QStringLiteral("%1 %2 %3 %4")
                            .arg(int(kind))
                            .arg(title, text.left(60), input.left(80)));
        if (kind == EventItem::Kind::ToolCall && title == QLatin1String("Edit")
            && input.contains(QLatin1String("/workspace/greeting.txt")))
            editRow = row;
        if (kind == EventItem::Kind::ToolCall && title == QLatin1String("Read")
            && input.contains(QLatin1String("/workspace/greeting.txt")))
            readRow = row;
        if (kind == EventItem::Kind::AssistantText && text.contains(kFinalText))
            finalRow = row;
    }
    QVERIFY2(readRow >= 0 && editRow > readRow && finalRow > editRow,
             qPrintable(rows.join(QLatin1Char('\n'))));
    const QModelIndex edit = model->index(editRow, 0);
    const QString diff = edit.data(EventStreamModel::DiffRole).toString();
    QVERIFY2(diff.contains(QLatin1String("-Hello, world"))
                     && diff.contains(QLatin1String("+Hello, Parallax")),
             qPrintable(diff));
    QVERIFY(edit.data(EventStreamModel::HasResultRole).toBool());
    QVERIFY(!edit.data(EventStreamModel::IsErrorRole).toBool());
    // An edit is shown open, with its diff.
    QVERIFY(view->isExpanded(editRow));
    QVERIFY2(view->totalsText().contains(QLatin1String("turns")), qPrintable(view->totalsText()));
}

} // namespace

class TestRealAgent : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();

    void editsFileThroughWindow();
    void errorExitCodeRecorded();

private:
    void skipLoudly(const QString &reason);
    // Makes (or finds) the base and agent images; empty on success, else why not. Sets
    // m_skipReason instead when a mirror or the npm registry cannot be reached.
    QString ensureImages();
    struct Outcome
    {
        std::unique_ptr<ScriptedAnthropic> endpoint;
        std::unique_ptr<MainWindow> window; // set when the run went through the window
        std::unique_ptr<Run> ownedRun;      // set when it did not
        Run *run = nullptr;
        qint64 elapsedMs = 0;
    };
    // Runs the agent image through a real Run against a scripted endpoint, keeping the
    // container so the test can compare against it.
    enum class Through { Run, Window };
    void runAgent(const QList<ScriptedTurn> &script, Through through, Outcome *outcome);
    void verifyAgainstContainer(const VariationRunner &v, QByteArray *stdoutBytes);
    void verifyNoSecret(const Run &run);

    std::unique_ptr<DockerClient> m_client;
    std::unique_ptr<GitRepoServer> m_repo;
    bool m_ready = false;
    QString m_skipReason;
    QString m_agentImage;
    QByteArray m_apiKey;
    QStringList m_runIds;
    std::unique_ptr<QTemporaryDir> m_temp;
};

#define REQUIRE_READY()                                                                            \
    do {                                                                                           \
        if (!m_skipReason.isEmpty())                                                               \
            QSKIP(qPrintable(m_skipReason));                                                       \
        QVERIFY2(m_ready, "initTestCase failed");                                                  \
    } while (false)

void TestRealAgent::skipLoudly(const QString &reason)
{
    m_skipReason = reason;
    const QByteArray banner(100, '*');
    qWarning("%s", banner.constData());
    qWarning("*** REAL AGENT TEST SKIPPED: %s", qPrintable(m_skipReason));
    qWarning("%s", banner.constData());
}

void TestRealAgent::initTestCase()
{
    // The window keeps its runs, history and settings under ~/.qttest, not the user's; and it
    // must not find the user's own ANTHROPIC_API_KEY in their keychain: with no session bus
    // the window takes the secret from the environment, where this test puts a fake one.
    QStandardPaths::setTestModeEnabled(true);
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/tst_realagent-no-bus");
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
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
        skipLoudly(QStringLiteral("no Docker daemon answers at %1: %2")
                           .arg(m_client->endpoint().describe(), ping.errorString()));
        return;
    }
    QVERIFY2(!sourceDir().isEmpty(), "PARALLAX_SOURCE_DIR is not set (run through ctest)");
    QElapsedTimer timer;
    timer.start();
    const QString error = ensureImages();
    if (!m_skipReason.isEmpty())
        return;
    QVERIFY2(error.isEmpty(), qPrintable(error));
    qInfo("agent image %s ready in %.1f s", qPrintable(m_agentImage), timer.elapsed() / 1000.0);
    m_repo = std::make_unique<GitRepoServer>();
    const QString repoError = m_repo->start();
    QVERIFY2(repoError.isEmpty(), qPrintable(repoError));
    m_apiKey = "sk-ant-e2e-" + QByteArray::number(QRandomGenerator::global()->generate64(), 36);
    m_ready = true;
}

QString TestRealAgent::ensureImages()
{
    const QString e2e = sourceDir() + QStringLiteral("/tests/e2e");
    // The base: debootstrap + nodejs/git by chroot + docker import, cached by the script's hash.
    const ProcessResult base = runProcess(e2e + QStringLiteral("/make-base-image.sh"), {}, 900000);
    if (base.exitCode == 3) {
        skipLoudly(QStringLiteral("cannot make the Debian base image: %1")
                           .arg(QString::fromLocal8Bit(base.err.trimmed().right(1000))));
        return {};
    }
    if (!base.error.isEmpty())
        return base.error;
    // The pinned CLI: an `npm pack` tarball, fetched once into a cache and checked.
    const ProcessResult tarball = runProcess(
            e2e + QStringLiteral("/prepare-claude-code.sh"), {QStringLiteral("--tarball")}, 300000);
    if (tarball.exitCode == 3) {
        skipLoudly(QStringLiteral("cannot fetch Claude Code from npm: %1")
                           .arg(QString::fromLocal8Bit(tarball.err.trimmed().right(1000))));
        return {};
    }
    if (!tarball.error.isEmpty())
        return tarball.error;

    // The agent image, made by Parallax from its claude-code template (resources/agents/) with
    // the CLI in the build context: POST /build, no registry; reused when its inputs are unchanged.
    AgentSpec agent;
    agent.name = QStringLiteral("claude-code");
    agent.package = QStringLiteral("@anthropic-ai/claude-code");
    // The version pinned in the script, from the tarball's name (npm pack: NAME-VERSION.tgz).
    const QString tarballPath = QString::fromLocal8Bit(tarball.out.trimmed());
    static const QRegularExpression versioned(QStringLiteral("-(\\d+\\.\\d+\\.\\d+)\\.tgz$"));
    agent.version = versioned.match(tarballPath).captured(1);
    if (agent.version.isEmpty())
        return QStringLiteral("no version in the tarball's name: %1").arg(tarballPath);
    agent.base = QString::fromLatin1(base.out.trimmed());
    AgentImage image(m_client.get(), agent);
    image.setCliSource(tarballPath);
    QStringList buildLines;
    connect(&image, &AgentImage::buildStarted, this, [&buildLines, this](ImageBuild *build) {
        connect(build->progress(),
                &BuildProgress::lineReceived,
                this,
                [&buildLines](const QString &line) { buildLines << line; });
    });
    QSignalSpy finished(&image, &AgentImage::finished);
    image.start();
    if (finished.isEmpty() && !finished.wait(900000))
        return QStringLiteral("the agent image was not ready within 15 minutes");
    if (image.state() != AgentImage::State::Ready)
        return QStringLiteral("making the agent image failed: %1\n%2")
                .arg(image.errorString(), buildLines.join(QLatin1Char('\n')));
    m_agentImage = image.tag();
    qInfo("agent image %s %s", qPrintable(m_agentImage), image.wasBuilt() ? "built" : "reused");
    return {};
}

void TestRealAgent::cleanup()
{
    if (m_client && m_skipReason.isEmpty()) {
        const Result<int> removed = removeRunContainers(*m_client, m_runIds);
        QVERIFY2(removed, qPrintable(removed.errorString()));
    }
    m_runIds.clear();
    m_temp.reset();
}

void TestRealAgent::cleanupTestCase()
{
    m_repo.reset();
    // The window's run folders (test mode: under ~/.qttest).
    QDir(Run::defaultRunsDirectory()).removeRecursively();
}

void TestRealAgent::runAgent(const QList<ScriptedTurn> &script, Through through, Outcome *outcome)
{
    outcome->endpoint = std::make_unique<ScriptedAnthropic>(script);
    const QString listenError = outcome->endpoint->start();
    QVERIFY2(listenError.isEmpty(), qPrintable(listenError));

    m_temp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_temp->isValid());
    const QJsonObject spec{
            {"name", "real-claude-code"},
            {"image", m_agentImage},
            {"command",
             QJsonArray{"claude",
                        "-p",
                        "--output-format",
                        "stream-json",
                        "--verbose",
                        "--permission-mode",
                        "acceptEdits"}},
            {"workdir", "/workspace"},
            {"network", "host"},
            {"env",
             QJsonObject{{"ANTHROPIC_BASE_URL", outcome->endpoint->baseUrl()},
                         {"ANTHROPIC_MODEL", "claude-sonnet-4-5"},
                         {"DISABLE_TELEMETRY", "1"},
                         {"DISABLE_AUTOUPDATER", "1"},
                         {"CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1"}}},
            {"secrets", QJsonArray{"ANTHROPIC_API_KEY"}},
            {"prompt", "Change the greeting in greeting.txt to say Hello, Parallax."},
            {"repo", QJsonObject{{"url", m_repo->url()}}},
            {"limits", QJsonObject{{"timeout", "3m"}}},
            {"keep_containers", true},
            {"variations", QJsonArray{QJsonObject{{"name", "claude"}}}}};
    QList<SpecProblem> problems;
    const Result<RunSpec> parsed = RunSpec::fromJson(QJsonDocument(spec).toJson(), &problems);
    QVERIFY2(parsed, qPrintable(parsed.errorString()));

    QElapsedTimer timer;
    timer.start();
    if (through == Through::Window) {
        // As a user launches: the window resolves the secret (keychain, else the environment)
        // and shows the run in a pane as its output arrives.
        qputenv("ANTHROPIC_API_KEY", m_apiKey);
        outcome->window = std::make_unique<MainWindow>();
        MainWindow &window = *outcome->window;
        window.resize(1400, 900);
        window.show();
        window.launchPanel()->setSpec(*parsed);
        QTRY_VERIFY_WITH_TIMEOUT(window.dockerMonitor()->health() == DockerMonitor::Health::Healthy,
                                 20000);
        window.launch();
        QTRY_VERIFY_WITH_TIMEOUT(window.currentRun(), 20000);
        outcome->run = window.currentRun();
        m_runIds.append(outcome->run->id());
        // The form must carry the spec through: without host networking the CLI cannot reach
        // the endpoint.
        QCOMPARE(outcome->run->spec().network, QStringLiteral("host"));
        QSignalSpy finished(outcome->run, &Run::finished);
        QVERIFY2(outcome->run->isFinished() || finished.wait(240000),
                 qPrintable(QStringLiteral("the run did not finish; requests:\n")
                            + outcome->endpoint->describeRequests()));
    } else {
        RunOptions options;
        options.outDir = m_temp->filePath(QStringLiteral("run"));
        options.environment = QProcessEnvironment();
        options.environment.insert(QStringLiteral("ANTHROPIC_API_KEY"),
                                   QString::fromLatin1(m_apiKey));
        outcome->ownedRun = std::make_unique<Run>(m_client.get(), *parsed, options);
        outcome->run = outcome->ownedRun.get();
        m_runIds.append(outcome->run->id());
        QSignalSpy finished(outcome->run, &Run::finished);
        outcome->run->start();
        QVERIFY2(finished.count() > 0 || finished.wait(240000),
                 qPrintable(QStringLiteral("the run did not finish; requests:\n")
                            + outcome->endpoint->describeRequests()));
    }
    outcome->elapsedMs = timer.elapsed();
    QVERIFY2(outcome->run->error().isEmpty(), qPrintable(outcome->run->error()));
    const VariationRunner *v = outcome->run->variation(0);
    QVERIFY(v);
    QVERIFY2(v->error().isEmpty(), qPrintable(v->error()));
    QVERIFY2(!v->containerId().isEmpty(), "no container id");
    if (outcome->endpoint->messageRequests().isEmpty()) {
        // Say why, for the failure that follows: what the container printed.
        const Result<QByteArray> err
                = TranscriptReader::readStream(v->transcriptPath(), StreamType::Stderr);
        const Result<QByteArray> out
                = TranscriptReader::readStream(v->transcriptPath(), StreamType::Stdout);
        qWarning("no model request; exit %d; stderr: %s\nstdout: %s",
                 v->exitCode(),
                 err ? err->right(2000).constData() : "?",
                 out ? out->left(2000).constData() : "?");
    }
    qInfo("the run took %.1f s; requests seen:\n%s",
          outcome->elapsedMs / 1000.0,
          qPrintable(outcome->endpoint->describeRequests()));
}

// The transcript against `docker logs` of the kept container, and the recorded exit code
// against the container's own (`docker inspect`).
void TestRealAgent::verifyAgainstContainer(const VariationRunner &v, QByteArray *stdoutBytes)
{
    const ProcessResult logs = runProcess(
            QStringLiteral("docker"), {QStringLiteral("logs"), v.containerId()}, 60000);
    QVERIFY2(logs.error.isEmpty(), qPrintable(logs.error));
    const Result<QByteArray> recordedOut
            = TranscriptReader::readStream(v.transcriptPath(), StreamType::Stdout);
    QVERIFY2(recordedOut, qPrintable(recordedOut.errorString()));
    const Result<QByteArray> recordedErr
            = TranscriptReader::readStream(v.transcriptPath(), StreamType::Stderr);
    QVERIFY2(recordedErr, qPrintable(recordedErr.errorString()));
    QVERIFY2(!logs.out.isEmpty(), "the container printed nothing on stdout");
    QVERIFY2(*recordedOut == logs.out,
             qPrintable(QStringLiteral("stdout: transcript %1 bytes, docker logs %2 bytes")
                                .arg(recordedOut->size())
                                .arg(logs.out.size())));
    QVERIFY2(
            *recordedErr == logs.err,
            qPrintable(QStringLiteral("stderr: transcript '%1', docker logs '%2'")
                               .arg(QString::fromUtf8(*recordedErr), QString::fromUtf8(logs.err))));

    const ProcessResult inspect = runProcess(QStringLiteral("docker"),
                                             {QStringLiteral("inspect"),
                                              QStringLiteral("--format"),
                                              QStringLiteral("{{.State.ExitCode}}"),
                                              v.containerId()},
                                             30000);
    QVERIFY2(inspect.error.isEmpty(), qPrintable(inspect.error));
    QCOMPARE(v.exitCode(), inspect.out.trimmed().toInt());
    *stdoutBytes = *recordedOut;
}

// The API key's value in no file of the run and in no export.
void TestRealAgent::verifyNoSecret(const Run &run)
{
    QList<QPair<QString, QByteArray>> places;
    const QDir dir(run.directory());
    for (const QString &name : dir.entryList(QDir::Files))
        places.append({name, readFile(dir.filePath(name))});
    QVERIFY2(places.size() >= 3, qPrintable(dir.entryList(QDir::Files).join(QLatin1Char(' '))));
    RunExporter exporter(QProcessEnvironment{});
    QVERIFY2(exporter.open(run.directory()), "cannot open the run for export");
    for (const RunExporter::Format format : {RunExporter::Format::Markdown,
                                             RunExporter::Format::Html,
                                             RunExporter::Format::Json,
                                             RunExporter::Format::Text}) {
        QBuffer buffer;
        buffer.open(QIODevice::WriteOnly);
        const Result<void> written = exporter.write(format, &buffer);
        QVERIFY2(written, qPrintable(written.errorString()));
        QVERIFY(!buffer.data().isEmpty());
        places.append({QStringLiteral("export ") + RunExporter::formatName(format), buffer.data()});
    }
    for (const auto &[where, bytes] : places)
        QVERIFY2(!bytes.contains(m_apiKey) && !bytes.contains(m_apiKey.toBase64()),
                 qPrintable(QStringLiteral("%1 contains the API key").arg(where)));
}

void TestRealAgent::editsFileThroughWindow()
{
    REQUIRE_READY();
    const QList<ScriptedTurn> script{
            ScriptedTurn::toolUse(QStringLiteral("Read"),
                                  {{"file_path", "/workspace/greeting.txt"}}),
            ScriptedTurn::toolUse(QStringLiteral("Edit"),
                                  {{"file_path", "/workspace/greeting.txt"},
                                   {"old_string", "Hello, world"},
                                   {"new_string", "Hello, Parallax"}}),
            ScriptedTurn::message(kFinalText)};
    Outcome outcome;
    runAgent(script, Through::Window, &outcome);
    if (QTest::currentTestFailed())
        return;
    const Run &run = *outcome.run;
    const VariationRunner &v = *run.variation(0);

    // The CLI really talked to the endpoint: three turns of the agent loop, with the key.
    const QList<RecordedRequest> requests = outcome.endpoint->messageRequests();
    QList<int> turns;
    for (const RecordedRequest &request : requests) {
        if (request.turn >= 0)
            turns.append(request.turn);
        QCOMPARE(request.headers.value("x-api-key"), m_apiKey);
    }
    QVERIFY2(turns == QList<int>({0, 1, 2}), qPrintable(outcome.endpoint->describeRequests()));
    // The last request carries the Edit tool's result, as the CLI saw it.
    QVERIFY2(requests.last().body.contains("has been updated successfully"),
             requests.last().body.right(2000).constData());

    QCOMPARE(v.state(), VariationState::Exited);
    QCOMPARE(v.exitCode(), 0);
    QByteArray stdoutBytes;
    verifyAgainstContainer(v, &stdoutBytes);
    if (QTest::currentTestFailed())
        return;

    // The structured view: the Edit call with its file and diff, then the final message.
    EventStreamFormat format = EventStreamFormat::Undecided;
    const QList<EventItem> items = parseEvents(stdoutBytes, &format);
    QCOMPARE(format, EventStreamFormat::Claude);
    const EventItem *edit = nullptr;
    const EventItem *read = nullptr;
    bool finalText = false;
    bool result = false;
    for (const EventItem &item : items) {
        if (item.kind == EventItem::Kind::ToolCall && item.title == QLatin1String("Edit"))
            edit = &item;
        if (item.kind == EventItem::Kind::ToolCall && item.title == QLatin1String("Read"))
            read = &item;
        if (item.kind == EventItem::Kind::AssistantText && item.text.contains(kFinalText))
            finalText = true;
        if (item.kind == EventItem::Kind::Result && item.text.contains(kFinalText) && !item.isError)
            result = true;
    }
    QVERIFY2(read && edit && finalText && result, qPrintable(describeItems(items)));
    QVERIFY2(edit->input.contains(QLatin1String("/workspace/greeting.txt")),
             qPrintable(edit->input));
    QVERIFY2(edit->hasResult && !edit->isError && !edit->pending, qPrintable(edit->result));
    QVERIFY2(edit->diff.contains(QLatin1String("-Hello, world"))
                     && edit->diff.contains(QLatin1String("+Hello, Parallax")),
             qPrintable(edit->diff));
    QVERIFY2(read->result.contains(QLatin1String("Hello, world")), qPrintable(read->result));

    // The window: one pane for the variation, showing the CLI's events as they came.
    QVERIFY(outcome.window);
    const QList<VariationPane *> panes = outcome.window->paneArea()->panes();
    QCOMPARE(panes.size(), 1);
    VariationPane *pane = panes.first();
    QTRY_VERIFY_WITH_TIMEOUT(paneText(pane).contains(kFinalText), 5000);
    verifyStructuredPane(pane);
    if (const QString shot = qEnvironmentVariable("PARALLAX_REALAGENT_SCREENSHOT"); !shot.isEmpty())
        outcome.window->grab().save(shot); // to look at the pane by eye
    if (QTest::currentTestFailed())
        return;

    // The workspace patch: the edit, as git wrote it in the container.
    const QString patchPath = v.patchPath();
    QVERIFY2(!patchPath.isEmpty(), qPrintable(v.note()));
    QCOMPARE(QFileInfo(patchPath).fileName(), QStringLiteral("claude.patch"));
    const QByteArray patch = readFile(patchPath);
    QVERIFY2(patch.contains("+++ b/greeting.txt") && patch.contains("\n-Hello, world\n")
                     && patch.contains("\n+" + kEdited),
             patch.constData());
    const QJsonObject record = RunTest::readRunJson(run.directory());
    const QJsonObject variation = record.value("variations").toArray().at(0).toObject();
    QCOMPARE(variation.value("exit_code").toInt(-1), 0);
    QCOMPARE(variation.value("files_changed").toInt(), 1);
    QCOMPARE(variation.value("insertions").toInt(), 1);
    QCOMPARE(variation.value("deletions").toInt(), 1);

    verifyNoSecret(run);
}

void TestRealAgent::errorExitCodeRecorded()
{
    REQUIRE_READY();
    Outcome outcome;
    runAgent({ScriptedTurn::error(400, QStringLiteral("invalid_request_error"), kErrorText)},
             Through::Run,
             &outcome);
    if (QTest::currentTestFailed())
        return;
    const Run &run = *outcome.run;
    const VariationRunner &v = *run.variation(0);
    QVERIFY2(!outcome.endpoint->messageRequests().isEmpty(),
             qPrintable(outcome.endpoint->describeRequests()));
    QCOMPARE(v.state(), VariationState::Exited);
    QVERIFY2(v.exitCode() != 0, "the CLI exited 0 after the API failed");
    QByteArray stdoutBytes;
    verifyAgainstContainer(v, &stdoutBytes);
    if (QTest::currentTestFailed())
        return;
    const QJsonObject record = RunTest::readRunJson(run.directory());
    QCOMPARE(record.value("variations").toArray().at(0).toObject().value("exit_code").toInt(-1),
             v.exitCode());

    // The structured view ends in an error result that carries the API's message.
    EventStreamFormat format = EventStreamFormat::Undecided;
    const QList<EventItem> items = parseEvents(stdoutBytes, &format);
    QCOMPARE(format, EventStreamFormat::Claude);
    bool errorShown = false;
    for (const EventItem &item : items)
        if ((item.kind == EventItem::Kind::Result || item.kind == EventItem::Kind::Error
             || item.kind == EventItem::Kind::AssistantText)
            && item.text.contains(kErrorText))
            errorShown = true;
    QVERIFY2(errorShown, qPrintable(describeItems(items)));
    QVERIFY2(!items.isEmpty() && items.last().kind == EventItem::Kind::Result
                     && items.last().isError,
             qPrintable(describeItems(items)));
    // Nothing changed: an empty patch.
    QVERIFY2(!readFile(v.patchPath()).contains("+++"), qPrintable(v.patchPath()));
    verifyNoSecret(run);
}

QTEST_MAIN(TestRealAgent)
#include "tst_realagent.moc"

// The build pane and the window's build-on-launch, against the real daemon: a failing agent
// build (a base image without node) shows its step and reason; a build on the local Debian base
// (tests/e2e/make-base-image.sh) shows "Step n/9", the builder's output, and cancels; Launch
// with an agent preset whose base image cannot be pulled builds first, fails with the reason
// and starts no run. Set PARALLAX_BUILDPANE_HOLD_MS to keep the pane on screen mid-build (for a
// screenshot under Xvfb).

#include "buildpane.h"
#include "launchpanel.h"
#include "mainwindow.h"

#include "agents/agentimage.h"
#include "docker/dockerclient.h"
#include "docker/dockermonitor.h"
#include "docker/imagebuild.h"
#include "docker/syncwait.h"
#include "fakeclitarball.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

class TestBuildPane : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void showsFailure();
    void showsStepsAndCancels();
    void launchBuildsFirst();

private:
    QString dockerOut(const QStringList &args);
    QString makeTarball(const QString &version);

    std::unique_ptr<DockerClient> m_client;
    QTemporaryDir m_dir;
    QString m_base;
    QStringList m_tags;
};

QString TestBuildPane::dockerOut(const QStringList &args)
{
    QProcess process;
    process.start(QStringLiteral("docker"), args);
    process.waitForFinished(60000);
    return QString::fromUtf8(process.readAllStandardOutput());
}

void TestBuildPane::initTestCase()
{
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
    QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
    m_client = std::make_unique<DockerClient>(*endpoint);
    const Result<PingInfo> ping = syncCall<PingInfo>(
            [&](QObject *context, auto done) { m_client->ping(context, done); });
    if (!ping)
        QSKIP("Docker is not reachable");
    m_base = dockerOut({QStringLiteral("images"),
                        QStringLiteral("--format"),
                        QStringLiteral("{{.Repository}}:{{.Tag}}"),
                        QStringLiteral("parallax-test/bookworm-node")})
                     .split(u'\n', Qt::SkipEmptyParts)
                     .value(0)
                     .trimmed();
}

void TestBuildPane::cleanupTestCase()
{
    for (const QString &tag : std::as_const(m_tags))
        dockerOut({QStringLiteral("rmi"), QStringLiteral("-f"), tag});
}

QString TestBuildPane::makeTarball(const QString &version)
{
    return AgentTest::makeFakeCliTarball(
            m_dir.path(),
            version,
            "#!/usr/bin/env node\nconsole.log(process.argv.slice(2).join(' '));\n");
}

void TestBuildPane::showsFailure()
{
    // The demo image has a shell but no node: install-cli.sh says so and the step fails.
    AgentSpec agent;
    agent.name = QStringLiteral("claude-code");
    agent.package = QStringLiteral("@anthropic-ai/claude-code");
    agent.version = QStringLiteral("9.0.0");
    agent.base = QStringLiteral(PARALLAX_DEMO_IMAGE);
    AgentImage image(m_client.get(), agent);
    BuildPane pane;
    pane.resize(900, 400);
    pane.show();
    pane.setAgentImage(&image);
    QSignalSpy finished(&image, &AgentImage::finished);
    image.start();
    m_tags << image.tag();
    QVERIFY(finished.wait(120000));
    QVERIFY(!finished.at(0).at(0).value<Result<void>>());
    QVERIFY2(pane.statusText().contains(QStringLiteral("Step 5/9 failed")),
             qPrintable(pane.statusText()));
    QVERIFY2(pane.statusText().contains(QStringLiteral("the base image has no node")),
             qPrintable(pane.statusText()));
    QCOMPARE(pane.progressText(), QStringLiteral("Failed"));
    QVERIFY(!pane.isCancelEnabled());
    QVERIFY2(pane.outputText().contains(QStringLiteral("Step 1/9 : ARG BASE_IMAGE=")),
             qPrintable(pane.outputText()));
    QVERIFY(pane.outputText().contains(QStringLiteral("ERROR: The command")));
}

void TestBuildPane::showsStepsAndCancels()
{
    if (m_base.isEmpty())
        QSKIP("no local base image: run tests/e2e/make-base-image.sh");
    AgentSpec agent;
    agent.name = QStringLiteral("claude-code");
    agent.package = QStringLiteral("@anthropic-ai/claude-code");
    // A version of its own per run, so that no earlier build is found and the pane has work.
    agent.version = QStringLiteral("9.0.1-t%1").arg(QDateTime::currentMSecsSinceEpoch());
    agent.base = m_base;
    AgentImage image(m_client.get(), agent);
    image.setCliSource(makeTarball(agent.version));
    BuildPane pane;
    pane.setWindowTitle(QStringLiteral("Parallax — Image Build"));
    pane.resize(1000, 460);
    pane.show();
    pane.setAgentImage(&image);
    QSignalSpy finished(&image, &AgentImage::finished);
    image.start();
    m_tags << image.tag();
    // The RUN step (5 of 9) takes seconds on vfs: the pane shows it under way.
    QTRY_VERIFY_WITH_TIMEOUT(pane.progressText() == QStringLiteral("Step 5/9"), 120000);
    QCOMPARE(pane.progressValue(), 4);
    QVERIFY(pane.statusText().startsWith(
            QStringLiteral("Step 5/9 : RUN sh /opt/parallax/install-cli.sh")));
    QVERIFY(pane.isCancelEnabled());
    QTRY_VERIFY_WITH_TIMEOUT(
            pane.outputText().contains(QStringLiteral("Step 4/9 : COPY parallax/ /opt/parallax/")),
            5000);
    QVERIFY(pane.grab().save(QStringLiteral("/tmp/buildpane.png")));
    if (const int hold = qEnvironmentVariableIntValue("PARALLAX_BUILDPANE_HOLD_MS"); hold > 0)
        QTest::qWait(hold);
    QVERIFY(finished.isEmpty());
    pane.findChild<QPushButton *>(QStringLiteral("buildCancel"))->click();
    QCOMPARE(finished.size(), 1);
    QCOMPARE(image.state(), AgentImage::State::Cancelled);
    QCOMPARE(pane.progressText(), QStringLiteral("Cancelled"));
    QVERIFY(pane.statusText().contains(QStringLiteral("cancelled")));
    QVERIFY(!pane.isCancelEnabled());
    QTest::qWait(500);
    QVERIFY(dockerOut({QStringLiteral("images"), QStringLiteral("-q"), image.tag()}).isEmpty());
}

void TestBuildPane::launchBuildsFirst()
{
    // The claude-code preset as shipped: its base (node:22-bookworm-slim) is not on this
    // machine and no registry answers, so Launch builds, the build fails at FROM, and the banner
    // says why; no run starts.
    if (!dockerOut({QStringLiteral("images"),
                    QStringLiteral("-q"),
                    QStringLiteral("node:22-bookworm-slim")})
                 .isEmpty())
        QSKIP("node:22-bookworm-slim is present: the build would succeed (a different test)");
    qputenv("ANTHROPIC_API_KEY", "sk-test-not-a-real-key");
    auto restore = qScopeGuard([] { qunsetenv("ANTHROPIC_API_KEY"); });
    MainWindow window;
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.dockerMonitor()->health() != DockerMonitor::Health::Unknown,
                             10000);
    QVERIFY(window.launchPanel()->applyPreset(QStringLiteral("claude-code")));
    window.launch();
    QTRY_VERIFY_WITH_TIMEOUT(window.agentImage() != nullptr, 10000);
    AgentImage *image = window.agentImage();
    m_tags << image->tag();
    QTRY_VERIFY_WITH_TIMEOUT(image->state() == AgentImage::State::Failed, 120000);
    QVERIFY2(image->errorString().contains(QStringLiteral("Step 2/9 failed")),
             qPrintable(image->errorString()));
    QVERIFY2(image->errorString().contains(QStringLiteral("offline use")),
             qPrintable(image->errorString()));
    QVERIFY(window.buildPane());
    QVERIFY(window.buildPane()->isVisible());
    QCOMPARE(window.buildPane()->progressText(), QStringLiteral("Failed"));
    bool banner = false;
    for (QLabel *label : window.findChildren<QLabel *>()) {
        if (label->isVisible() && label->text().contains(QLatin1String("Cannot launch"))
            && label->text().contains(image->tag()))
            banner = true;
    }
    QVERIFY(banner);
    QVERIFY(window.currentRun() == nullptr);
}

QTEST_MAIN(TestBuildPane)
#include "tst_buildpane.moc"

// Integration test of the workspace patch (docs/agent-contract.md) against the real daemon
// (label `docker`): a run of the demo agent in session mode leaves <variation>.patch in the run
// folder - byte for byte what the same agent writes under the docker CLI - with its counts in
// run.json and a ```diff block in the Markdown export; a variation that writes no patch has
// none and no error. Every container is removed in cleanup() (by run id, and the CLI's
// reference containers by the parallax.test=tst_workspacepatch label). Without a daemon the
// test is skipped, loudly.

#include "runtesthelpers.h"

#include "docker/dockerclient.h"
#include "export/runexporter.h"
#include "run/run.h"
#include "run/runspec.h"

#include <QBuffer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Parallax;
using namespace Parallax::RunTest;

namespace {
const QString kLabelValue = QStringLiteral("tst_workspacepatch");
} // namespace

class TestWorkspacePatch : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanup();
    void sessionPatch();

private:
    std::unique_ptr<DockerClient> m_client;
    bool m_daemonUp = false;
    QStringList m_runIds;
};

void TestWorkspacePatch::initTestCase()
{
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
    m_client = std::make_unique<DockerClient>(endpoint ? *endpoint : DockerEndpoint());
    const Result<PingInfo> ping
            = syncCall<PingInfo>([&](QObject *context, DockerClient::Callback<PingInfo> done) {
                  m_client->ping(context, done);
              });
    if (!endpoint || !ping) {
        const QString reason = endpoint ? ping.errorString() : endpoint.errorString();
        qWarning("*** DOCKER INTEGRATION TESTS SKIPPED: no Docker daemon: %s", qPrintable(reason));
        QSKIP(qPrintable(reason));
    }
    m_daemonUp = true;
    const Result<QJsonObject> image = syncCall<QJsonObject>(
            [&](QObject *context, DockerClient::Callback<QJsonObject> done) {
                m_client->inspectImage(demoImage(), context, done);
            });
    QVERIFY2(image,
             qPrintable(image.errorString()
                        + QStringLiteral(" — build it with resources/demo-agent/build.sh")));
}

void TestWorkspacePatch::cleanup()
{
    if (!m_daemonUp)
        return;
    if (QTest::currentTestFailed())
        QTest::qWait(2000); // a create request may still be in flight
    const Result<int> removed = removeRunContainers(*m_client, m_runIds);
    QVERIFY2(removed, qPrintable(removed.errorString()));
    const Result<int> references
            = removeLabelledContainers(*m_client, {referenceLabel(kLabelValue)});
    QVERIFY2(references, qPrintable(references.errorString()));
    m_runIds.clear();
}

void TestWorkspacePatch::sessionPatch()
{
    // The reference: the patch the same agent writes into a fresh workspace.
    auto reference = startDockerRun(kLabelValue,
                                    {QStringLiteral("DEMO_MODE=session"),
                                     QStringLiteral("DEMO_SPEED=0"),
                                     QStringLiteral("PARALLAX_VARIATION=agent")},
                                    {QStringLiteral("sh"),
                                     QStringLiteral("-c"),
                                     QStringLiteral("parallax-demo-agent >/dev/null 2>&1; "
                                                    "cat /workspace/.parallax/changes.patch")});
    const CliOutput expected = finishDockerRun(*reference);
    QVERIFY2(expected.error.isEmpty(), qPrintable(expected.error));
    QCOMPARE(expected.exitCode, 0);
    QVERIFY(expected.out.contains("+++ b/src/greeting.py"));

    const QJsonObject spec{
            {"image", demoImage()},
            {"env", QJsonObject{{"DEMO_MODE", "session"}, {"DEMO_SPEED", "0"}}},
            {"variations",
             QJsonArray{QJsonObject{{"name", "agent"}},
                        QJsonObject{{"name", "none"}, {"command", QJsonArray{"true"}}}}}};
    const Result<RunSpec> parsed = RunSpec::fromJson(QJsonDocument(spec).toJson());
    QVERIFY2(parsed, qPrintable(parsed.errorString()));
    QTemporaryDir temp;
    QVERIFY(temp.isValid());
    RunOptions options;
    options.outDir = temp.filePath(QStringLiteral("run"));
    Run run(m_client.get(), *parsed, options);
    m_runIds.append(run.id());
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    QVERIFY2(finished.count() > 0 || finished.wait(120000), "the run did not finish");

    const QJsonObject record = RunTest::readRunJson(options.outDir);
    const QJsonArray variations = record.value("variations").toArray();
    QCOMPARE(variations.size(), 2);

    // The session: its patch, byte for byte, and its counts (a fresh workspace: 3 new files,
    // 39 lines, as docs/demo-agent.md says).
    const QJsonObject agent = variations[0].toObject();
    QCOMPARE(agent.value("state").toString(), QStringLiteral("exited"));
    QCOMPARE(agent.value("exit_code").toInt(), 0);
    QVERIFY2(!agent.contains("error") && !agent.contains("note"),
             qPrintable(QString::fromUtf8(QJsonDocument(agent).toJson())));
    QCOMPARE(agent.value("patch").toString(), QStringLiteral("agent.patch"));
    const QString patchPath = options.outDir + QStringLiteral("/agent.patch");
    QCOMPARE(readFile(patchPath), expected.out);
    QCOMPARE(agent.value("files_changed").toInt(), 3);
    QCOMPARE(agent.value("insertions").toInt(), 39);
    QCOMPARE(agent.value("deletions").toInt(), 0);

    // No patch: nothing recorded, and it is not an error.
    const QJsonObject none = variations[1].toObject();
    QCOMPARE(none.value("state").toString(), QStringLiteral("exited"));
    QCOMPARE(none.value("exit_code").toInt(), 0);
    for (const char *key : {"patch", "files_changed", "insertions", "deletions", "error", "note"})
        QVERIFY2(!none.contains(QLatin1String(key)), key);
    QVERIFY(!QFileInfo::exists(options.outDir + QStringLiteral("/none.patch")));

    // Both containers were removed after the patch was fetched.
    const Result<QList<ContainerSummary>> left = runContainers(*m_client, run.id());
    QVERIFY2(left, qPrintable(left.errorString()));
    QVERIFY(left->isEmpty());

    // The Markdown export shows the patch in a diff block.
    RunExporter exporter(QProcessEnvironment{});
    const Result<void> opened = exporter.open(options.outDir);
    QVERIFY2(opened, qPrintable(opened.errorString()));
    QBuffer markdown;
    markdown.open(QIODevice::WriteOnly);
    const Result<void> written = exporter.write(RunExporter::Format::Markdown, &markdown);
    QVERIFY2(written, qPrintable(written.errorString()));
    QVERIFY(markdown.data().contains("```diff\n" + expected.out + "```\n"));
    QVERIFY(markdown.data().contains("3 files changed, 39 insertions(+), 0 deletions(-)"));
    QCOMPARE(markdown.data().count("```diff"), 1);
    // The summary table counts it too, and says "-" for the variation without a patch.
    QVERIFY2(markdown.data().contains("| 3 files +39 -0 |"), markdown.data().constData());
    QVERIFY(markdown.data().contains("| - |"));

    // The HTML export colours it.
    QBuffer html;
    html.open(QIODevice::WriteOnly);
    QVERIFY(exporter.write(RunExporter::Format::Html, &html));
    QVERIFY(html.data().contains("<span class=\"da\">+++ b/src/greeting.py</span>")
            || html.data().contains("<span class=\"df\">+++ b/src/greeting.py</span>"));
    QVERIFY(html.data().contains("<pre class=\"t d\">"));
}

QTEST_GUILESS_MAIN(TestWorkspacePatch)

#include "tst_workspacepatch.moc"

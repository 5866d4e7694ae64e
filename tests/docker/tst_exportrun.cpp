// Exports of a real run (label `docker`): a 2-variation demo-agent session run against the real
// daemon, then exported in every format through Cli::exportRun (in process: the `export`
// dispatch is wired by the CLI) and RunExporter, and each export validated against the run's own
// transcripts. A secret passed to the containers must appear in no export. Every container the
// run made is removed in cleanupTestCase() by its io.parallax.run label. Without a daemon the
// tests are skipped, loudly. With PARALLAX_EXPORT_KEEP=DIR the exports are copied there (to look
// at the HTML, e.g. with headless Chromium).

#include "runtesthelpers.h"

#include "cli/exportcommand.h"
#include "docker/dockerclient.h"
#include "export/runexporter.h"
#include "run/run.h"
#include "run/runspec.h"
#include "transcript/secretredactor.h"
#include "transcript/transcriptreader.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

#include <memory>

using namespace Parallax;
using namespace Parallax::RunTest;

namespace {
const QByteArray kSecretValue = "tok-EXPORT-4c1d2b3a";
const char *const kSecretName = "EXPORT_RUN_TEST_SECRET";
} // namespace

class TestExportRun : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();

    void json();
    void html();
    void markdown();
    void text();
    void noSecretAnywhere();

private:
    QByteArray exportWith(const QString &format);

    std::unique_ptr<DockerClient> m_client;
    std::unique_ptr<Run> m_run;
    QTemporaryDir m_temp;
    QString m_skipReason;
};

#define REQUIRE_RUN()                                                                              \
    do {                                                                                           \
        if (!m_run)                                                                                \
            QSKIP(qPrintable(m_skipReason));                                                       \
    } while (false)

void TestExportRun::initTestCase()
{
    QVERIFY(m_temp.isValid());
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
    m_client = std::make_unique<DockerClient>(endpoint ? *endpoint : DockerEndpoint());
    const Result<PingInfo> ping
            = endpoint ? syncCall<PingInfo>(
                      [&](QObject *context, DockerClient::Callback<PingInfo> done) {
                          m_client->ping(context, done);
                      })
                       : Result<PingInfo>(endpoint.error());
    if (!ping) {
        m_skipReason = QStringLiteral("no Docker daemon: %1").arg(ping.errorString());
        qWarning("*** DOCKER INTEGRATION TESTS SKIPPED: %s", qPrintable(m_skipReason));
        return;
    }
    const QJsonObject spec{{"name", "export <demo> & \"friends\""},
                           {"image", demoImage()},
                           {"env", QJsonObject{{"DEMO_MODE", "session"}, {"DEMO_SPEED", "0"}}},
                           {"secrets", QJsonArray{QString::fromLatin1(kSecretName)}},
                           // The agent echoes its prompt: the secret reaches its output (masked
                           // in the recording) and run.json's spec (masked on export).
                           {"prompt", "Use " + QString::fromLatin1(kSecretValue) + " to log in"},
                           {"variations", 2}};
    const Result<RunSpec> parsed = RunSpec::fromJson(QJsonDocument(spec).toJson());
    QVERIFY2(parsed, qPrintable(parsed.errorString()));
    RunOptions options;
    options.outDir = m_temp.filePath("run");
    options.environment.insert(QString::fromLatin1(kSecretName), QString::fromLatin1(kSecretValue));
    m_run = std::make_unique<Run>(m_client.get(), *parsed, options);
    QSignalSpy finished(m_run.get(), &Run::finished);
    m_run->start();
    QVERIFY(finished.count() > 0 || finished.wait(120000));
    QVERIFY2(m_run->error().isEmpty(), qPrintable(m_run->error()));
    QVERIFY(m_run->allSucceeded());
    QCOMPARE(m_run->variations().size(), 2);
}

void TestExportRun::cleanupTestCase()
{
    if (!m_run)
        return;
    const Result<int> removed = removeRunContainers(*m_client, {m_run->id()});
    QVERIFY2(removed, qPrintable(removed.errorString()));
    if (const QString keep = qEnvironmentVariable("PARALLAX_EXPORT_KEEP"); !keep.isEmpty()) {
        QDir().mkpath(keep);
        qputenv(kSecretName, kSecretValue);
        for (const QString &format : RunExporter::formatNames())
            QCOMPARE(Cli::exportRun({m_run->directory(),
                                     "--format",
                                     format,
                                     "-o",
                                     keep + "/export." + (format == "markdown" ? "md" : format)}),
                     0);
        qunsetenv(kSecretName);
    }
}

// The export through the CLI entry point, with the run's secret in this process's environment.
QByteArray TestExportRun::exportWith(const QString &format)
{
    qputenv(kSecretName, kSecretValue);
    const QString path = m_temp.filePath("export." + format);
    const int status = Cli::exportRun({m_run->directory(), "--format", format, "-o", path});
    qunsetenv(kSecretName);
    if (status != 0)
        return {};
    return readFile(path);
}

void TestExportRun::json()
{
    REQUIRE_RUN();
    const QByteArray bytes = exportWith("json");
    QVERIFY(!bytes.isEmpty());
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    QVERIFY2(doc.isObject(), qPrintable(error.errorString()));
    QCOMPARE(doc.object().value("run").toObject().value("run_id").toString(), m_run->id());
    const QJsonArray transcripts = doc.object().value("transcripts").toArray();
    QCOMPARE(transcripts.size(), 2);
    for (int v = 0; v < 2; ++v) {
        const QString jsonl = m_run->variation(v)->transcriptPath();
        QByteArray streams[2];
        for (const QJsonValue &value : transcripts[v].toObject().value("chunks").toArray()) {
            const QJsonObject chunk = value.toObject();
            QByteArray &target = streams[chunk.value("s").toString() == "err" ? 1 : 0];
            target += chunk.contains("b64")
                              ? QByteArray::fromBase64(chunk.value("b64").toString().toLatin1())
                              : chunk.value("d").toString().toUtf8();
        }
        const Result<QByteArray> out = TranscriptReader::readStream(jsonl, StreamType::Stdout);
        const Result<QByteArray> err = TranscriptReader::readStream(jsonl, StreamType::Stderr);
        QVERIFY(out && err);
        QVERIFY(out->size() > 1000);
        QCOMPARE(streams[0], *out);
        QCOMPARE(streams[1], *err);
    }
}

void TestExportRun::html()
{
    REQUIRE_RUN();
    const QByteArray bytes = exportWith("html");
    QVERIFY(!bytes.isEmpty());
    QXmlStreamReader xml(bytes);
    int sections = 0, styledSpans = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            sections += xml.name() == QLatin1String("section");
            styledSpans += xml.name() == QLatin1String("span")
                           && xml.attributes().value("style").contains(QLatin1String("color"));
        }
    }
    QVERIFY2(
            !xml.hasError(),
            qPrintable(QStringLiteral("line %1: %2").arg(xml.lineNumber()).arg(xml.errorString())));
    QCOMPARE(sections, 2);
    QVERIFY2(styledSpans > 10, qPrintable(QString::number(styledSpans)));
    QVERIFY(bytes.contains("export &lt;demo&gt; &amp; &quot;friends&quot;"));
    QVERIFY(!bytes.contains('\x1b'));
    QVERIFY(!bytes.contains("<script"));
    QVERIFY(!bytes.contains("src="));
    QVERIFY(!bytes.contains("href="));
    QVERIFY(!bytes.contains("url("));
    qInfo("HTML export of the demo run: %lld bytes, %d coloured spans",
          qint64(bytes.size()),
          styledSpans);
}

void TestExportRun::markdown()
{
    REQUIRE_RUN();
    const QByteArray bytes = exportWith("markdown");
    QVERIFY(!bytes.isEmpty());
    const QString text = QString::fromUtf8(bytes);
    QVERIFY(text.startsWith("# Run: export"));
    QVERIFY(text.contains("## Summary\n"));
    QVERIFY(text.contains(QStringLiteral("- **Run id:** ` %1 `").arg(m_run->id())));
    for (const VariationRunner *v : m_run->variations()) {
        QVERIFY(text.contains(QStringLiteral("\n## Variation %1\n").arg(v->name())));
        QVERIFY(text.contains(QStringLiteral("| %1 | exited 0 | 0 |").arg(v->name())));
        QVERIFY(text.contains(QStringLiteral("Variation:   %1\n").arg(v->name())));
    }
    QVERIFY(text.contains("Done."));
    QVERIFY(!bytes.contains('\x1b'));
    // Fences: a transcript and a workspace diff per variation, every opening one closed.
    QCOMPARE(text.count(QRegularExpression("\n```+text\n")), 2);
    QCOMPARE(text.count(QRegularExpression("\n```+diff\n")), 2);
    QCOMPARE(text.count(QRegularExpression("\n```+\n")), 4);
}

void TestExportRun::text()
{
    REQUIRE_RUN();
    const QByteArray bytes = exportWith("text");
    QVERIFY(!bytes.isEmpty());
    QVERIFY(!bytes.contains('\x1b'));
    QVERIFY(!bytes.contains('\r'));
    for (const VariationRunner *v : m_run->variations())
        QVERIFY(bytes.contains("==== " + v->name().toUtf8() + ": exited 0"));
    QVERIFY(bytes.contains("Done."));
}

void TestExportRun::noSecretAnywhere()
{
    REQUIRE_RUN();
    // The agent printed the prompt holding the secret: masked in the recording, in run.json's
    // copy of the spec, and in every export.
    for (const VariationRunner *v : m_run->variations()) {
        const QByteArray transcript = readFile(v->transcriptPath());
        QVERIFY(!transcript.contains(kSecretValue));
        QVERIFY(transcript.contains("Use " + SecretRedactor::mask() + " to log in"));
    }
    const QByteArray runJson = readFile(m_run->directory() + "/run.json");
    QVERIFY(!runJson.isEmpty());
    QVERIFY(!runJson.contains(kSecretValue));
    QVERIFY(runJson.contains("Use " + SecretRedactor::mask() + " to log in"));
    for (const QString &format : RunExporter::formatNames()) {
        const QByteArray bytes = exportWith(format);
        QVERIFY2(!bytes.isEmpty(), qPrintable(format));
        QVERIFY2(!bytes.contains(kSecretValue), qPrintable(format));
        QVERIFY2(!bytes.contains(kSecretValue.toBase64()), qPrintable(format));
    }
    // The exporter with the secret in its environment reports that it masked again.
    QProcessEnvironment env;
    env.insert(QString::fromLatin1(kSecretName), QString::fromLatin1(kSecretValue));
    RunExporter exporter(env);
    QVERIFY(exporter.open(m_run->directory()));
    QVERIFY(exporter.remasking());
    QCOMPARE(exporter.variations().size(), 2);
}

QTEST_GUILESS_MAIN(TestExportRun)
#include "tst_exportrun.moc"

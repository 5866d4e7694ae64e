// Live resource sampling against the real daemon: a flood of output burns CPU in a demo-agent
// container; the run's StatsSampler must receive samples, find peaks above zero, and run.json,
// the history database and the exports must carry them. The same run passes a secret that the
// agent prints: its value must appear in no file the run, the history or an export wrote.

#include "privatesessionbus.h"
#include "runtesthelpers.h"

#include "docker/dockerclient.h"
#include "export/runexporter.h"
#include "history/historydb.h"
#include "run/run.h"
#include "run/statssampler.h"

#include <QBuffer>
#include <QDirIterator>
#include <QJsonArray>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

class TestStatsSampler : public QObject
{
    Q_OBJECT

    std::unique_ptr<DockerClient> m_client;
    QStringList m_runIds;

    static QByteArray allBytesUnder(const QString &dir)
    {
        QByteArray all;
        QDirIterator it(dir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            if (file.open(QIODevice::ReadOnly))
                all += file.readAll();
        }
        return all;
    }

private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
        QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
        m_client = std::make_unique<DockerClient>(*endpoint);
    }

    void cleanupTestCase()
    {
        if (m_client)
            RunTest::removeRunContainers(*m_client, m_runIds);
    }

    void sampleFrom_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<double>("cpu");
        QTest::addColumn<qint64>("memory");
        QTest::addColumn<bool>("valid");
        // cgroup v1: 0.5 s of CPU out of 4 s of system time on 2 CPUs = 25 %.
        QTest::addRow("cgroup v1") << QByteArray(R"({"read":"2026-01-02T03:04:05.123Z",
                    "cpu_stats":{"cpu_usage":{"total_usage":1500000000},
                                 "system_cpu_usage":14000000000,"online_cpus":2},
                    "precpu_stats":{"cpu_usage":{"total_usage":1000000000},
                                    "system_cpu_usage":10000000000},
                    "memory_stats":{"usage":10485760,"limit":2147483648,
                                    "stats":{"total_inactive_file":2097152,"cache":4194304}}})")
                                   << 25.0 << qint64(8388608) << true;
        // cgroup v2, no online_cpus: the per-CPU list counts them (4) -> 100 %.
        QTest::addRow("cgroup v2") << QByteArray(R"({"read":"2026-01-02T03:04:06Z",
                    "cpu_stats":{"cpu_usage":{"total_usage":300,"percpu_usage":[1,1,1,1]},
                                 "system_cpu_usage":1200},
                    "precpu_stats":{"cpu_usage":{"total_usage":200},"system_cpu_usage":800},
                    "memory_stats":{"usage":5000,"stats":{"inactive_file":1000}}})")
                                   << 100.0 << qint64(4000) << true;
        QTest::addRow("first document (no previous)")
                << QByteArray(R"({"read":"2026-01-02T03:04:06Z",
                    "cpu_stats":{"cpu_usage":{"total_usage":300},"system_cpu_usage":1200,
                                 "online_cpus":1},
                    "precpu_stats":{"cpu_usage":{"total_usage":0}},
                    "memory_stats":{"usage":5000}})")
                << 0.0 << qint64(5000) << true;
        QTest::addRow("stopped container")
                << QByteArray(R"({"read":"0001-01-01T00:00:00Z","cpu_stats":{},"memory_stats":{}})")
                << 0.0 << qint64(0) << false;
    }
    void sampleFrom()
    {
        QFETCH(QByteArray, json);
        QFETCH(double, cpu);
        QFETCH(qint64, memory);
        QFETCH(bool, valid);
        QJsonParseError error;
        const QJsonObject object = QJsonDocument::fromJson(json, &error).object();
        QCOMPARE(error.error, QJsonParseError::NoError);
        const std::optional<StatsSample> sample = StatsSampler::sampleFrom(object);
        QCOMPARE(sample.has_value(), valid);
        if (!valid)
            return;
        QVERIFY2(qAbs(sample->cpuPercent - cpu) < 1e-9,
                 qPrintable(QString::number(sample->cpuPercent)));
        QCOMPARE(sample->memoryBytes, memory);
    }

    void liveRunRecordsPeaks()
    {
        const QByteArray secret = "sk-live-9d1e77c0ffee";
        QTemporaryDir dir(QStringLiteral("/tmp/pxstats-XXXXXX"));
        QVERIFY(dir.isValid());

        RunSpec spec;
        spec.name = QStringLiteral("stats");
        spec.image = RunTest::demoImage();
        spec.secrets = {QStringLiteral("PX_STATS_TOKEN")};
        VariationSpec flood;
        flood.name = QStringLiteral("flood");
        flood.env = {{QStringLiteral("DEMO_MODE"), QStringLiteral("flood")},
                     {QStringLiteral("DEMO_LINES"), QStringLiteral("2000000")},
                     {QStringLiteral("DEMO_LINE_BYTES"), QStringLiteral("16")}};
        VariationSpec leak;
        leak.name = QStringLiteral("leak");
        leak.command = QStringList{QStringLiteral("sh"),
                                   QStringLiteral("-c"),
                                   QStringLiteral("echo token=$PX_STATS_TOKEN; sleep 2")};
        spec.variations = {flood, leak};

        HistoryDb history;
        const QString dbPath = dir.filePath(QStringLiteral("history/history.db"));
        QDir().mkpath(QFileInfo(dbPath).absolutePath());
        QVERIFY(history.open(dbPath));

        RunOptions options;
        options.outDir = dir.filePath(QStringLiteral("run"));
        options.environment = QProcessEnvironment();
        options.environment.insert(QStringLiteral("PX_STATS_TOKEN"), QString::fromLatin1(secret));
        Run run(m_client.get(), spec, options);
        run.setHistory(&history);
        m_runIds << run.id();
        QSignalSpy finished(&run, &Run::finished);
        run.start();
        QVERIFY2(run.error().isEmpty(), qPrintable(run.error()));
        StatsSampler *sampler = run.statsSampler(0);
        QVERIFY(sampler);
        QSignalSpy samples(sampler, &StatsSampler::sampleAdded);
        QVERIFY(finished.wait(120000));
        QVERIFY2(run.allSucceeded(), "both variations should exit 0");

        qInfo("flood: %d samples, peak CPU %.1f %%, peak memory %lld bytes",
              sampler->sampleCount(),
              sampler->cpuPeakPercent(),
              sampler->memoryPeakBytes());
        QVERIFY2(samples.size() >= 2, qPrintable(QString::number(samples.size())));
        QCOMPARE(sampler->sampleCount(), int(samples.size()));
        QVERIFY(sampler->cpuPeakPercent() > 0);
        QVERIFY(sampler->memoryPeakBytes() > 0);
        QVERIFY(!sampler->isRunning()); // stopped with the container
        QVERIFY(sampler->samples().size() <= size_t(StatsSampler::kCapacity));

        // run.json
        const QJsonObject record = RunTest::readRunJson(run.directory());
        const QJsonObject floodRecord = record[QLatin1String("variations")][0].toObject();
        QCOMPARE(floodRecord[QLatin1String("name")].toString(), QStringLiteral("flood"));
        QVERIFY(floodRecord[QLatin1String("cpu_peak_percent")].toDouble() > 0);
        QCOMPARE(qint64(floodRecord[QLatin1String("memory_peak_bytes")].toDouble()),
                 sampler->memoryPeakBytes());

        // Exports: the summary table carries the peaks. No environment given to the exporter,
        // so nothing is masked on the way out: the recorded data must already be clean.
        RunExporter exporter{QProcessEnvironment()};
        QVERIFY(exporter.open(run.directory()));
        QByteArray exports;
        for (const RunExporter::Format format : {RunExporter::Format::Markdown,
                                                 RunExporter::Format::Html,
                                                 RunExporter::Format::Json,
                                                 RunExporter::Format::Text}) {
            QBuffer buffer;
            buffer.open(QIODevice::WriteOnly);
            const Result<void> written = exporter.write(format, &buffer);
            QVERIFY2(written, qPrintable(written.errorString()));
            exports += buffer.data();
            if (format != RunExporter::Format::Json) {
                QVERIFY2(buffer.data().contains("CPU peak"),
                         qPrintable(RunExporter::formatName(format)));
                const QByteArray cpuText
                        = QByteArray::number(
                                  floodRecord[QLatin1String("cpu_peak_percent")].toDouble(), 'f', 1)
                          + " %";
                QVERIFY2(buffer.data().contains(cpuText), cpuText.constData());
            } else {
                QVERIFY(buffer.data().contains("cpu_peak_percent"));
            }
        }

        // The secret reached the container (it printed it) but no file holds its value.
        const QByteArray transcript = RunTest::readFile(run.variation(1)->transcriptPath());
        QVERIFY2(transcript.contains("token="), "the leak variation printed its line");
        QVERIFY2(!allBytesUnder(run.directory()).contains(secret), "secret in the run folder");
        QVERIFY2(!allBytesUnder(QFileInfo(dbPath).absolutePath()).contains(secret),
                 "secret in the history database");
        QVERIFY2(!exports.contains(secret), "secret in an export");
    }

    // `parallax run` on a machine without a keychain (a private bus with no Secret Service):
    // it says so once, takes the secret from the environment, and the run records the peaks.
    void cliWarnsWithoutKeychain()
    {
        const QString binary = qEnvironmentVariable("PARALLAX_BINARY");
        if (binary.isEmpty())
            QSKIP("PARALLAX_BINARY is not set (run through ctest)");
        PrivateSessionBus bus;
        const QString busError = bus.start();
        QVERIFY2(busError.isEmpty(), qPrintable(busError));
        QTemporaryDir dir(QStringLiteral("/tmp/pxstatscli-XXXXXX"));
        const QByteArray secret = "sk-cli-4411aa";
        QFile spec(dir.filePath(QStringLiteral("spec.json")));
        QVERIFY(spec.open(QIODevice::WriteOnly));
        const QJsonObject specJson{
                {QStringLiteral("name"), QStringLiteral("cli-secrets")},
                {QStringLiteral("image"), RunTest::demoImage()},
                {QStringLiteral("secrets"), QJsonArray{QStringLiteral("PX_CLI_TOKEN")}},
                {QStringLiteral("command"),
                 QJsonArray{QStringLiteral("sh"),
                            QStringLiteral("-c"),
                            QStringLiteral("echo got=$PX_CLI_TOKEN; i=0; "
                                           "while [ $i -lt 300000 ]; do i=$((i+1)); done")}}};
        spec.write(QJsonDocument(specJson).toJson());
        spec.close();
        QProcess cli;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), bus.address());
        env.insert(QStringLiteral("PX_CLI_TOKEN"), QString::fromLatin1(secret));
        env.insert(QStringLiteral("XDG_DATA_HOME"), dir.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), dir.filePath(QStringLiteral("config")));
        cli.setProcessEnvironment(env);
        const QString runDir = dir.filePath(QStringLiteral("run"));
        cli.start(binary, {QStringLiteral("run"), spec.fileName(), QStringLiteral("-o"), runDir});
        QVERIFY(cli.waitForFinished(120000));
        const QByteArray err = cli.readAllStandardError();
        const QByteArray out = cli.readAllStandardOutput();
        m_runIds << RunTest::runIdFromCliOutput(err);
        QVERIFY2(cli.exitCode() == 0, err.constData());
        QCOMPARE(err.count("no keychain available: secrets come from the environment"), 1);
        QVERIFY2(out.contains("got="), out.constData());
        QVERIFY2(!out.contains(secret), "the CLI printed a secret value");
        QVERIFY2(!allBytesUnder(dir.path()).contains(secret), "a secret value reached a file");
        const QJsonObject record = RunTest::readRunJson(runDir);
        const QJsonObject variation = record[QLatin1String("variations")][0].toObject();
        QVERIFY2(variation.contains(QLatin1String("memory_peak_bytes")),
                 QJsonDocument(variation).toJson().constData());
    }
};

QTEST_GUILESS_MAIN(TestStatsSampler)
#include "tst_statssampler.moc"

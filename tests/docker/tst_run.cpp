// Integration tests of Run against the real daemon (label `docker`): whole runs of the demo
// agent in process, checked byte for byte against the docker CLI or against bytes computed here,
// plus secrets, cancelling, timeouts, exit codes, out-of-memory and kept containers. Every run
// writes into a temporary folder of its test; every container a test made - the runs' (found by
// their io.parallax.run label) and the docker CLI's reference ones (parallax.test=tst_run) - is
// removed in cleanup(), also when the test failed. Without a daemon the tests are skipped, loudly.

#include "dockertesthelpers.h"
#include "runtesthelpers.h"

#include "docker/dockerclient.h"
#include "run/run.h"
#include "run/runspec.h"
#include "transcript/secretredactor.h"
#include "transcript/transcriptreader.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <array>
#include <memory>
#include <vector>

namespace Parallax {
// Lets QCOMPARE print states by name.
char *toString(const VariationState &state)
{
    return QTest::toString(stateName(state));
}
} // namespace Parallax

using namespace Parallax;
using namespace Parallax::RunTest;
using DockerTest::ContainerLogs;
using DockerTest::inspectContainer;
using DockerTest::readContainerLogs;

namespace {

const QString kLabelValue = QStringLiteral("tst_run");

// The demo agent's longline content: byte k is alphabet[k % 64].
QByteArray alphabetBytes(qsizetype size)
{
    static const QByteArray alphabet(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype k = 0; k < size; ++k)
        bytes[k] = alphabet[k % 64];
    return bytes;
}

// The demo agent's flood: line n is "line <n> " padded with 'x' to `width` bytes with its '\n'.
QByteArray floodBytes(int lines, int width)
{
    QByteArray bytes;
    bytes.reserve(qsizetype(lines) * width);
    for (int n = 1; n <= lines; ++n) {
        QByteArray line = "line " + QByteArray::number(n) + ' ';
        if (line.size() < width - 1)
            line.append(width - 1 - line.size(), 'x');
        bytes += line + '\n';
    }
    return bytes;
}

QByteArray countLines(int from, int to)
{
    QByteArray bytes;
    for (int i = from; i <= to; ++i)
        bytes += "Count: " + QByteArray::number(i) + '\n';
    return bytes;
}

// "sizes 10/11, first difference at byte 4: actual 61 62 …, expected 61 63 …" for a failed
// comparison of big byte arrays, which QCOMPARE would print unreadably.
QByteArray describeDifference(const QByteArray &actual, const QByteArray &expected)
{
    qsizetype at = 0;
    const qsizetype common = qMin(actual.size(), expected.size());
    while (at < common && actual[at] == expected[at])
        ++at;
    return "sizes " + QByteArray::number(actual.size()) + '/' + QByteArray::number(expected.size())
           + ", first difference at byte " + QByteArray::number(at) + ": actual "
           + actual.mid(at, 16).toHex(' ') + ", expected " + expected.mid(at, 16).toHex(' ');
}

QStringList stateNames(const QJsonArray &transitions)
{
    QStringList names;
    for (const QJsonValue &t : transitions)
        names.append(t.toObject().value(QLatin1String("state")).toString());
    return names;
}

// What a Run emitted: the output of each variation per stream, and its state changes.
struct RunRecorder
{
    explicit RunRecorder(Run *run)
    {
        QObject::connect(run,
                         &Run::outputReceived,
                         &context,
                         [this](int v, StreamType stream, const QByteArray &data) {
                             output[v][stream == StreamType::Stderr ? 1 : 0].append(data);
                         });
        QObject::connect(
                run, &Run::variationStateChanged, &context, [this](int v, VariationState state) {
                    states[v].append(state);
                    if (state == VariationState::Creating)
                        starting.insert(v);
                    else
                        starting.remove(v);
                    maxStarting = qMax(maxStarting, int(starting.size()));
                    const bool busy
                            = state == VariationState::Creating || state == VariationState::Running;
                    if (busy && !active.contains(v))
                        active.insert(v);
                    else if (!busy)
                        active.remove(v);
                    maxActive = qMax(maxActive, int(active.size()));
                });
    }
    QByteArray out(int v) const { return output.value(v)[0]; }
    QByteArray err(int v) const { return output.value(v)[1]; }

    QObject context;
    QMap<int, std::array<QByteArray, 2>> output;
    QMap<int, QList<VariationState>> states;
    QSet<int> active;
    int maxActive = 0;
    QSet<int> starting; // in Creating
    int maxStarting = 0;
};

} // namespace

#define REQUIRE_DOCKER()                                                                           \
    do {                                                                                           \
        if (!m_daemonUp)                                                                           \
            QSKIP(qPrintable(m_skipReason));                                                       \
    } while (false)

class TestRun : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void cleanupTestCase();

    void sessionFiveVariations();
    void countGaps();
    void startsAFewAtATime();
    void byteExact_data();
    void byteExact();
    void tty();
    void secretsMasked();
    void missingSecret();
    void cancelRun();
    void cancelOneVariation();
    void cancelPendingVariation();
    void cancelWithPendingVariations();
    void cancelWhileCreating();
    void timeout_data();
    void timeout();
    void exitCode();
    void missingImage();
    void outOfMemory();
    void keepContainers();

private:
    // Parses the spec and makes a Run that writes into a fresh folder of this test; its id is
    // remembered for cleanup().
    Result<std::unique_ptr<Run>> newRun(const QJsonObject &spec, RunOptions options = {});
    // Starts the run and waits for finished().
    bool runToEnd(Run &run, int timeoutMs);
    // The variation's transcript holds exactly these bytes per stream, its totals agree, its
    // .log is the records' bytes in record order (and equals `log` when given).
    void verifyTranscript(const VariationRunner &v,
                          const QByteArray &out,
                          const QByteArray &err,
                          const QByteArray &log = {});
    void verifyNoContainers(const QString &runId);
    void skipLoudly(const QString &reason);

    std::unique_ptr<DockerClient> m_client;
    bool m_daemonUp = false;
    QString m_skipReason;
    QStringList m_runIds;
    std::unique_ptr<QTemporaryDir> m_temp;
    int m_runCount = 0;
};

void TestRun::initTestCase()
{
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
        if (ping.error().code != -3 && ping.error().code != -5)
            QFAIL(qPrintable(QStringLiteral("The daemon at %1 answered _ping badly: %2")
                                     .arg(m_client->endpoint().describe(), ping.errorString())));
        skipLoudly(QStringLiteral("no Docker daemon answers at %1: %2")
                           .arg(m_client->endpoint().describe(), ping.errorString()));
        return;
    }
    m_daemonUp = true;
    const Result<int> removed = removeLabelledContainers(*m_client, {referenceLabel(kLabelValue)});
    QVERIFY2(removed, qPrintable(removed.errorString()));
    const Result<QJsonObject> image = syncCall<QJsonObject>(
            [&](QObject *context, DockerClient::Callback<QJsonObject> done) {
                m_client->inspectImage(demoImage(), context, done);
            });
    QVERIFY2(image,
             qPrintable(image.errorString()
                        + QStringLiteral(" — build it with resources/demo-agent/build.sh")));
}

void TestRun::skipLoudly(const QString &reason)
{
    m_skipReason = reason;
    const QByteArray banner(100, '*');
    qWarning("%s", banner.constData());
    qWarning("*** DOCKER INTEGRATION TESTS SKIPPED: %s", qPrintable(m_skipReason));
    qWarning("%s", banner.constData());
}

void TestRun::init()
{
    m_temp = std::make_unique<QTemporaryDir>();
    QVERIFY(m_temp->isValid());
}

void TestRun::cleanup()
{
    if (m_daemonUp) {
        // A failed test may have left a create request in flight: let it land first.
        if (QTest::currentTestFailed())
            QTest::qWait(2000);
        const Result<int> removed = removeRunContainers(*m_client, m_runIds);
        QVERIFY2(removed, qPrintable(removed.errorString()));
        const Result<int> references
                = removeLabelledContainers(*m_client, {referenceLabel(kLabelValue)});
        QVERIFY2(references, qPrintable(references.errorString()));
    }
    m_runIds.clear();
    m_temp.reset();
}

void TestRun::cleanupTestCase()
{
    if (!m_daemonUp)
        return;
    const Result<int> removed = removeLabelledContainers(*m_client, {referenceLabel(kLabelValue)});
    QVERIFY2(removed, qPrintable(removed.errorString()));
}

Result<std::unique_ptr<Run>> TestRun::newRun(const QJsonObject &spec, RunOptions options)
{
    const Result<RunSpec> parsed = RunSpec::fromJson(QJsonDocument(spec).toJson());
    if (!parsed)
        return Error{QStringLiteral("bad test spec: %1").arg(parsed.errorString())};
    if (options.outDir.isEmpty())
        options.outDir = m_temp->filePath(QStringLiteral("run%1").arg(++m_runCount));
    auto run = std::make_unique<Run>(m_client.get(), *parsed, options);
    m_runIds.append(run->id());
    return run;
}

bool TestRun::runToEnd(Run &run, int timeoutMs)
{
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    return finished.count() > 0 || finished.wait(timeoutMs);
}

void TestRun::verifyTranscript(const VariationRunner &v,
                               const QByteArray &out,
                               const QByteArray &err,
                               const QByteArray &log)
{
    const QString jsonl = v.transcriptPath();
    const Result<QByteArray> recordedOut = TranscriptReader::readStream(jsonl, StreamType::Stdout);
    QVERIFY2(recordedOut, qPrintable(recordedOut.errorString()));
    QVERIFY2(*recordedOut == out, describeDifference(*recordedOut, out).constData());
    const Result<QByteArray> recordedErr = TranscriptReader::readStream(jsonl, StreamType::Stderr);
    QVERIFY2(recordedErr, qPrintable(recordedErr.errorString()));
    QVERIFY2(*recordedErr == err, describeDifference(*recordedErr, err).constData());

    const Result<TranscriptTotals> totals = TranscriptReader::scan(jsonl);
    QVERIFY2(totals, qPrintable(totals.errorString()));
    QVERIFY(!totals->tornTail);
    QCOMPARE(totals->bytes[0], out.size());
    QCOMPARE(totals->bytes[1], err.size());
    QCOMPARE(totals->lines[0], out.count('\n'));
    QCOMPARE(totals->lines[1], err.count('\n'));
    QCOMPARE(v.bytes(StreamType::Stdout), out.size());
    QCOMPARE(v.bytes(StreamType::Stderr), err.size());

    // The .log is both streams in record order; receipt times never go backwards.
    QString readError;
    const QList<TranscriptChunk> chunks = readChunks(jsonl, &readError);
    QVERIFY2(readError.isEmpty(), qPrintable(readError));
    QByteArray inOrder;
    double previous = 0;
    for (const TranscriptChunk &chunk : chunks) {
        inOrder += chunk.data;
        const double t = epochSeconds(chunk.time);
        QVERIFY2(!qIsNaN(t), chunk.time.constData());
        QVERIFY2(t >= previous, chunk.time.constData());
        previous = t;
    }
    const QByteArray logBytes = readFile(v.logPath());
    QVERIFY2(logBytes == inOrder, describeDifference(logBytes, inOrder).constData());
    if (!log.isEmpty())
        QVERIFY2(logBytes == log, describeDifference(logBytes, log).constData());
}

void TestRun::verifyNoContainers(const QString &runId)
{
    const Result<QList<ContainerSummary>> left = runContainers(*m_client, runId);
    QVERIFY2(left, qPrintable(left.errorString()));
    QStringList names;
    for (const ContainerSummary &c : *left)
        names += c.names;
    QVERIFY2(left->isEmpty(),
             qPrintable(QStringLiteral("containers left behind: %1")
                                .arg(names.join(QLatin1String(", ")))));
}

// ---------------------------------------------------------------------------------------------

void TestRun::sessionFiveVariations()
{
    REQUIRE_DOCKER();
    constexpr int kVariations = 5;
    // The reference: the same agent with the same environment through the docker CLI. The
    // header names the variation, so there is one reference per variation.
    std::vector<std::unique_ptr<QProcess>> references;
    for (int i = 1; i <= kVariations; ++i)
        references.push_back(startDockerRun(
                kLabelValue,
                {QStringLiteral("DEMO_SPEED=0"), QStringLiteral("PARALLAX_VARIATION=v%1").arg(i)}));
    QList<CliOutput> expected;
    for (auto &process : references) {
        expected.append(finishDockerRun(*process));
        QVERIFY2(expected.last().error.isEmpty(), qPrintable(expected.last().error));
        QCOMPARE(expected.last().exitCode, 0);
        QVERIFY(expected.last().out.contains("Variation:   v" + QByteArray::number(expected.size())
                                             + '\n'));
        QVERIFY(expected.last().out.contains("Done."));
        QVERIFY(!expected.last().err.isEmpty());
    }

    auto made = newRun({{"image", demoImage()},
                        {"env", QJsonObject{{"DEMO_SPEED", "0"}}},
                        {"variations", kVariations}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    RunRecorder recorder(&run);
    QElapsedTimer wall;
    wall.start();
    QVERIFY(runToEnd(run, 120000));
    qInfo("%d parallel session variations (DEMO_SPEED=0): %.2f s wall time, at most %d at once",
          kVariations,
          wall.elapsed() / 1000.0,
          recorder.maxActive);
    QVERIFY2(run.error().isEmpty(), qPrintable(run.error()));
    QVERIFY(run.allSucceeded());
    QVERIFY(!run.wasCancelled());
    // In parallel, not one after another. Not necessarily all five at once: containers start
    // two at a time and these sessions (DEMO_SPEED=0) can end before the last one starts;
    // startsAFewAtATime checks that longer variations all run together.
    QVERIFY2(recorder.maxActive >= 2, qPrintable(QString::number(recorder.maxActive)));
    QCOMPARE(run.variations().size(), kVariations);

    const QJsonObject record = readRunJson(run.directory());
    QCOMPARE(record.value("format").toInt(), 1);
    QCOMPARE(record.value("run_id").toString(), run.id());
    QCOMPARE(record.value("state").toString(), QStringLiteral("finished"));
    QVERIFY(!record.value("finished_at").toString().isEmpty());
    const QJsonArray recorded = record.value("variations").toArray();
    QCOMPARE(recorded.size(), kVariations);

    const QStringList lifecycle{"pending", "creating", "running", "exited"};
    for (int i = 0; i < kVariations; ++i) {
        const VariationRunner *v = run.variation(i);
        const QString name = QStringLiteral("v%1").arg(i + 1);
        QCOMPARE(v->name(), name);
        QCOMPARE(v->state(), VariationState::Exited);
        QCOMPARE(v->exitCode(), 0);
        QVERIFY2(v->error().isEmpty(), qPrintable(v->error()));
        verifyTranscript(*v, expected[i].out, expected[i].err);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(recorder.out(i) == expected[i].out,
                 describeDifference(recorder.out(i), expected[i].out).constData());
        QVERIFY2(recorder.err(i) == expected[i].err,
                 describeDifference(recorder.err(i), expected[i].err).constData());
        QCOMPARE(recorder.states.value(i),
                 (QList<VariationState>{VariationState::Creating,
                                        VariationState::Running,
                                        VariationState::Exited}));

        // The life in memory: each state once, in order, at times that never go backwards.
        const QList<StateTransition> &transitions = v->transitions();
        QCOMPARE(transitions.size(), 4);
        for (int t = 0; t < transitions.size(); ++t) {
            QCOMPARE(stateName(transitions[t].state), lifecycle[t]);
            if (t > 0)
                QVERIFY(transitions[t - 1].at <= transitions[t].at);
        }

        const QJsonObject r = recorded[i].toObject();
        QCOMPARE(r.value("name").toString(), name);
        QCOMPARE(r.value("state").toString(), QStringLiteral("exited"));
        QCOMPARE(r.value("exit_code").toInt(-1), 0);
        QCOMPARE(r.value("image").toString(), demoImage());
        QVERIFY(r.value("image_id").toString().startsWith("sha256:"));
        QCOMPARE(r.value("container_id").toString(), v->containerId());
        QCOMPARE(r.value("stdout_bytes").toInteger(), expected[i].out.size());
        QCOMPARE(r.value("stderr_bytes").toInteger(), expected[i].err.size());
        QCOMPARE(r.value("stdout_lines").toInteger(), expected[i].out.count('\n'));
        QCOMPARE(r.value("stderr_lines").toInteger(), expected[i].err.count('\n'));
        QCOMPARE(r.value("transcript").toString(), name + ".jsonl");
        QCOMPARE(r.value("log").toString(), name + ".log");
        const QJsonArray recordedTransitions = r.value("transitions").toArray();
        QCOMPARE(stateNames(recordedTransitions), lifecycle);
        QDateTime previous;
        for (const QJsonValue &t : recordedTransitions) {
            const QDateTime at
                    = QDateTime::fromString(t.toObject().value("at").toString(), Qt::ISODateWithMs);
            QVERIFY(at.isValid());
            QVERIFY(!previous.isValid() || previous <= at);
            previous = at;
        }
        QCOMPARE(r.value("started_at").toString(),
                 recordedTransitions[2].toObject().value("at").toString());
        QCOMPARE(r.value("finished_at").toString(),
                 recordedTransitions[3].toObject().value("at").toString());
    }
    verifyNoContainers(run.id());
}

void TestRun::startsAFewAtATime()
{
    // Ten variations that each run ~3 s: their containers are created two at a time, and all
    // ten still end up running together (no -j cap), each with its whole output.
    REQUIRE_DOCKER();
    constexpr int kVariations = 10;
    auto made = newRun(
            {{"image", demoImage()},
             {"env",
              QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "6"}, {"DEMO_INTERVAL", "0.5"}}},
             {"variations", kVariations}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    RunRecorder recorder(&run);
    QVERIFY(runToEnd(run, 120000));
    QVERIFY2(run.allSucceeded(), qPrintable(run.error()));
    qInfo("at most %d variations creating at once, %d running at once",
          recorder.maxStarting,
          recorder.maxActive);
    QVERIFY(recorder.maxStarting >= 1);
    QVERIFY2(recorder.maxStarting <= 2, qPrintable(QString::number(recorder.maxStarting)));
    QVERIFY2(recorder.maxActive > 2, qPrintable(QString::number(recorder.maxActive)));
    for (int v = 0; v < kVariations; ++v) {
        QCOMPARE(run.variation(v)->state(), VariationState::Exited);
        QCOMPARE(recorder.out(v).count("Count: "), 6);
    }
}

void TestRun::countGaps()
{
    REQUIRE_DOCKER();
    auto made = newRun(
            {{"image", demoImage()},
             {"env",
              QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "5"}, {"DEMO_INTERVAL", "1"}}}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QVERIFY(runToEnd(run, 30000));
    QVERIFY(run.allSucceeded());
    const VariationRunner *v = run.variation(0);
    verifyTranscript(*v, countLines(1, 5), {});
    if (QTest::currentTestFailed())
        return;

    // The receipt time of each "Count: N" as the transcript records it.
    QList<double> times;
    for (const TranscriptChunk &chunk : readChunks(v->transcriptPath())) {
        for (int n = times.size() + 1;
             chunk.data.contains("Count: " + QByteArray::number(n) + '\n');
             ++n)
            times.append(epochSeconds(chunk.time));
    }
    QCOMPARE(times.size(), 5);
    const QList<double> measured = gaps(times);
    qInfo("receipt gaps between Count: 1..5 (DEMO_INTERVAL=1): %s s",
          qPrintable(formatGaps(measured)));
    for (double gap : measured)
        QVERIFY2(qAbs(gap - 1.0) <= 0.1, qPrintable(formatGaps(measured)));
    verifyNoContainers(run.id());
}

void TestRun::byteExact_data()
{
    QTest::addColumn<QStringList>("env");
    QTest::addColumn<QString>("script"); // for sh -c; empty: the agent
    QTest::addColumn<QByteArray>("out");
    QTest::addColumn<QByteArray>("err");
    QTest::addColumn<QByteArray>("log"); // the exact .log when the order is certain

    QTest::addRow("1 MiB line") << QStringList{"DEMO_MODE=longline"} << QString()
                                << alphabetBytes(1 << 20) + '\n'
                                << QByteArray() << QByteArray();
    QTest::addRow("1 MiB without newline")
            << QStringList{"DEMO_MODE=longline", "DEMO_NO_NEWLINE=1"} << QString()
            << alphabetBytes(1 << 20) << QByteArray() << QByteArray();
    QTest::addRow("flood") << QStringList{"DEMO_MODE=flood", "DEMO_LINES=20000"} << QString()
                           << floodBytes(20000, 80) << QByteArray() << QByteArray();
    QTest::addRow("invalid UTF-8") << QStringList()
                                   << QStringLiteral("printf 'ok \\377\\376 bad \\300\\200 "
                                                     "end\\n'; printf 'half \\342\\202\\n' >&2; "
                                                     "sleep 0.1; printf 'lone \\200'")
                                   << QByteArray("ok \xff\xfe bad \xc0\x80 end\nlone \x80")
                                   << QByteArray("half \xe2\x82\n") << QByteArray();
    QTest::addRow("NUL bytes")
            << QStringList()
            << QStringLiteral(
                       "printf 'a\\000b\\000\\000c\\n'; printf '\\000\\000' >&2; printf 'end\\000'")
            << QByteArray("a\0b\0\0c\nend\0", 11) << QByteArray("\0\0", 2) << QByteArray();
    // Written in one printf, so stdio's 4 KiB blocks put the 16 KiB boundary inside the character.
    QTest::addRow("é across 16 KiB")
            << QStringList()
            << QStringLiteral(
                       "printf '%s\\303\\251\\n' \"$(head -c 16383 /dev/zero | tr '\\000' a)\"")
            << QByteArray(16383, 'a') + "\xc3\xa9\n"
            << QByteArray() << QByteArray();
    QTest::addRow("emoji across 16 KiB")
            << QStringList()
            << QStringLiteral("printf '%s\\360\\237\\230\\200\\n' \"$(head -c 16382 /dev/zero | tr "
                              "'\\000' b)\"")
            << QByteArray(16382, 'b') + "\xf0\x9f\x98\x80\n"
            << QByteArray() << QByteArray();
    QByteArray bar;
    for (int percent = 0; percent <= 100; percent += 10)
        bar += QByteArray("\rProgress [") + QByteArray::number(percent).rightJustified(3, ' ')
               + "%]";
    QTest::addRow("\\r progress bar")
            << QStringList()
            << QStringLiteral("i=0; while [ $i -le 100 ]; do printf '\\rProgress [%3d%%]' $i; "
                              "i=$((i+10)); sleep 0.02; done; "
                              "printf '\\n'; printf 'a\\rb\\r\\n' >&2")
            << bar + '\n'
            << QByteArray("a\rb\r\n") << QByteArray();
    QTest::addRow("final line without newline")
            << QStringList()
            << QStringLiteral("printf 'line 1\\nline 2\\nno newline at the end'; printf 'err no "
                              "newline' >&2")
            << QByteArray("line 1\nline 2\nno newline at the end") << QByteArray("err no newline")
            << QByteArray();
    QByteArray out;
    QByteArray err;
    for (int i = 1; i <= 2000; ++i) {
        out += "out " + QByteArray::number(i) + '\n';
        err += "err " + QByteArray::number(i) + '\n';
    }
    QTest::addRow("interleaved stdout/stderr")
            << QStringList()
            << QStringLiteral("i=1; while [ $i -le 2000 ]; do echo \"out $i\"; echo \"err $i\" "
                              ">&2; i=$((i+1)); done")
            << out << err << QByteArray();
    QTest::addRow("stdout/stderr order")
            << QStringList()
            << QStringLiteral("printf 'o1\\n'; sleep 0.2; printf 'e1\\n' >&2; sleep 0.2; printf "
                              "o2; sleep 0.2; "
                              "printf 'e2\\n' >&2; sleep 0.2; printf ' o2-end\\n'")
            << QByteArray("o1\no2 o2-end\n") << QByteArray("e1\ne2\n")
            << QByteArray("o1\ne1\no2e2\n o2-end\n");
}

void TestRun::byteExact()
{
    REQUIRE_DOCKER();
    QFETCH(QStringList, env);
    QFETCH(QString, script);
    QFETCH(QByteArray, out);
    QFETCH(QByteArray, err);
    QFETCH(QByteArray, log);

    QJsonObject envObject;
    for (const QString &assignment : env)
        envObject.insert(assignment.section(QLatin1Char('='), 0, 0),
                         assignment.section(QLatin1Char('='), 1));
    QJsonObject spec{{"image", demoImage()}, {"env", envObject}};
    if (!script.isEmpty())
        spec.insert("command", QJsonArray{"sh", "-c", script});
    auto made = newRun(spec);
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    RunRecorder recorder(&run);
    QVERIFY(runToEnd(run, 60000));
    const VariationRunner *v = run.variation(0);
    QVERIFY2(v->error().isEmpty(), qPrintable(v->error()));
    QCOMPARE(v->state(), VariationState::Exited);
    QCOMPARE(v->exitCode(), 0);
    verifyTranscript(*v, out, err, log);
    if (QTest::currentTestFailed())
        return;
    QVERIFY2(recorder.out(0) == out, describeDifference(recorder.out(0), out).constData());
    QVERIFY2(recorder.err(0) == err, describeDifference(recorder.err(0), err).constData());
    const QJsonObject r
            = readRunJson(run.directory()).value("variations").toArray().first().toObject();
    QCOMPARE(r.value("stdout_bytes").toInteger(), out.size());
    QCOMPARE(r.value("stderr_bytes").toInteger(), err.size());
    verifyNoContainers(run.id());
}

void TestRun::tty()
{
    REQUIRE_DOCKER();
    // With a terminal both streams arrive as one, with the terminal's \r\n line ends.
    auto made = newRun(
            {{"image", demoImage()},
             {"tty", true},
             {"command",
              QJsonArray{
                      "sh", "-c", "printf 'out\\n'; printf 'err\\n' >&2; printf 'no newline'"}}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    RunRecorder recorder(&run);
    QVERIFY(runToEnd(run, 30000));
    const VariationRunner *v = run.variation(0);
    QVERIFY2(v->error().isEmpty(), qPrintable(v->error()));
    QCOMPARE(v->state(), VariationState::Exited);
    QCOMPARE(v->exitCode(), 0);
    verifyTranscript(*v, "out\r\nerr\r\nno newline", {}, "out\r\nerr\r\nno newline");
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(recorder.out(0), QByteArray("out\r\nerr\r\nno newline"));
    verifyNoContainers(run.id());
}

void TestRun::secretsMasked()
{
    REQUIRE_DOCKER();
    const QByteArray secret = "s3cr3t-value-123";
    // Whole, split across two writes with a pause between, on stderr, and as the stream's last
    // bytes (no newline: only the end of the stream decides it). The script itself holds no
    // part of the value, since run.json records it.
    const QString script = QStringLiteral(
            "echo \"token=$MY_TOKEN\"; printf 'split=%.7s' \"$MY_TOKEN\"; sleep 0.5; "
            "printf '%s\\n' \"${MY_TOKEN#???????}\"; echo \"err:$MY_TOKEN\" >&2; "
            "printf '%s' \"$MY_TOKEN\"");
    RunOptions options;
    options.environment = QProcessEnvironment();
    options.environment.insert(QStringLiteral("MY_TOKEN"), QString::fromLatin1(secret));
    auto made = newRun({{"image", demoImage()},
                        {"command", QJsonArray{"sh", "-c", script}},
                        // A value pasted into the prompt too: run.json masks it there as well.
                        {"prompt", "Log in with s3cr3t-value-123 and fix the bug"},
                        {"secrets", QJsonArray{"MY_TOKEN"}}},
                       options);
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    RunRecorder recorder(&run);
    QVERIFY(runToEnd(run, 30000));
    const VariationRunner *v = run.variation(0);
    QVERIFY2(v->error().isEmpty(), qPrintable(v->error()));
    QCOMPARE(v->state(), VariationState::Exited);
    QCOMPARE(v->exitCode(), 0);

    const QByteArray mask = SecretRedactor::mask();
    const QByteArray out = "token=" + mask + "\nsplit=" + mask + '\n' + mask;
    const QByteArray err = "err:" + mask + '\n';
    verifyTranscript(*v, out, err);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(recorder.out(0), out);
    QCOMPARE(recorder.err(0), err);
    // The raw offsets count what the container wrote, secret and all.
    const Result<TranscriptTotals> totals = TranscriptReader::scan(v->transcriptPath());
    QVERIFY(totals);
    QCOMPARE(totals->rawBytes[0], QByteArray(out).replace(mask, secret).size());
    QCOMPARE(totals->rawBytes[1], QByteArray(err).replace(mask, secret).size());

    const QByteArray jsonl = readFile(v->transcriptPath());
    const QByteArray log = readFile(v->logPath());
    const QByteArray runJson = readFile(run.directory() + "/run.json");
    QVERIFY(!jsonl.isEmpty() && !log.isEmpty() && !runJson.isEmpty());
    QVERIFY(jsonl.contains(mask) && log.contains(mask));
    const QList<QPair<const char *, QByteArray>> places{{"transcript", jsonl},
                                                        {"log", log},
                                                        {"run.json", runJson},
                                                        {"emitted stdout", recorder.out(0)},
                                                        {"emitted stderr", recorder.err(0)}};
    for (const auto &[where, bytes] : places) {
        for (const QByteArray &fragment :
             {secret, QByteArray("s3cr3t"), QByteArray("value-123"), secret.toBase64()})
            QVERIFY2(!bytes.contains(fragment),
                     qPrintable(QStringLiteral("%1 contains %2").arg(where, fragment)));
    }
    QCOMPARE(readRunJson(run.directory()).value("spec").toObject().value("secrets").toArray(),
             QJsonArray{"MY_TOKEN"});
    QCOMPARE(readRunJson(run.directory()).value("spec").toObject().value("prompt").toString(),
             QStringLiteral("Log in with %1 and fix the bug").arg(QString::fromUtf8(mask)));
    verifyNoContainers(run.id());
}

void TestRun::missingSecret()
{
    REQUIRE_DOCKER();
    RunOptions options;
    options.environment = QProcessEnvironment();
    options.environment.insert(QStringLiteral("MY_EMPTY_TOKEN"), QString());
    auto made = newRun({{"image", demoImage()},
                        {"secrets", QJsonArray{"MY_MISSING_TOKEN", "MY_EMPTY_TOKEN"}},
                        {"variations", 2}},
                       options);
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    QCOMPARE(finished.count(), 1); // at once: nothing was started
    QVERIFY(run.isFinished());
    QVERIFY2(run.error().contains("MY_MISSING_TOKEN"), qPrintable(run.error()));
    QVERIFY2(run.error().contains("MY_EMPTY_TOKEN"), qPrintable(run.error()));
    QVERIFY(run.variations().isEmpty());
    QVERIFY(!run.allSucceeded());
    QVERIFY(!QFile::exists(run.directory() + "/run.json"));
    QTest::qWait(300); // nothing asynchronous may follow
    verifyNoContainers(run.id());
}

void TestRun::cancelRun()
{
    REQUIRE_DOCKER();
    auto made = newRun({{"image", demoImage()},
                        {"env", QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "60"}}}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    RunRecorder recorder(&run);
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    QTRY_VERIFY_WITH_TIMEOUT(recorder.out(0).contains("Count: 2\n"), 15000);
    QElapsedTimer clock;
    clock.start();
    run.cancel();
    QVERIFY(finished.wait(20000));
    qInfo("cancelled after \"Count: 2\": the run finished %.2f s later", clock.elapsed() / 1000.0);
    QVERIFY(run.wasCancelled());
    const VariationRunner *v = run.variation(0);
    QCOMPARE(v->state(), VariationState::Cancelled);
    QCOMPARE(v->exitCode(), 143); // the agent's SIGTERM trap

    // Everything up to the end: consecutive counts, then the agent's last words on stderr.
    const Result<QByteArray> out
            = TranscriptReader::readStream(v->transcriptPath(), StreamType::Stdout);
    QVERIFY(out);
    const int last = int(out->count('\n'));
    QVERIFY2(last >= 2 && last <= 4, out->constData());
    QCOMPARE(*out, countLines(1, last));
    const Result<QByteArray> err
            = TranscriptReader::readStream(v->transcriptPath(), StreamType::Stderr);
    QVERIFY(err);
    QVERIFY2(err->contains("interrupted by SIGTERM"), err->constData());
    verifyTranscript(*v, *out, *err);
    if (QTest::currentTestFailed())
        return;

    const QJsonObject record = readRunJson(run.directory());
    QCOMPARE(record.value("state").toString(), QStringLiteral("cancelled"));
    const QJsonObject r = record.value("variations").toArray().first().toObject();
    QCOMPARE(r.value("state").toString(), QStringLiteral("cancelled"));
    QCOMPARE(r.value("exit_code").toInt(), 143);
    QCOMPARE(stateNames(r.value("transitions").toArray()),
             (QStringList{"pending", "creating", "running", "cancelled"}));
    verifyNoContainers(run.id());
}

void TestRun::cancelOneVariation()
{
    REQUIRE_DOCKER();
    auto made = newRun(
            {{"image", demoImage()},
             {"env", QJsonObject{{"DEMO_MODE", "count"}}},
             {"variations",
              QJsonArray{
                      QJsonObject{{"name", "long"}, {"env", QJsonObject{{"DEMO_COUNT", "60"}}}},
                      QJsonObject{{"name", "short"}, {"env", QJsonObject{{"DEMO_COUNT", "4"}}}}}}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    RunRecorder recorder(&run);
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    QTRY_VERIFY_WITH_TIMEOUT(recorder.out(0).contains("Count: 2\n"), 15000);
    QCOMPARE(run.variation(1)->state(), VariationState::Running);
    run.cancel(0);
    QVERIFY(finished.wait(20000));
    QVERIFY(!run.wasCancelled());
    QCOMPARE(run.variation(0)->state(), VariationState::Cancelled);
    QCOMPARE(run.variation(1)->state(), VariationState::Exited);
    QCOMPARE(run.variation(1)->exitCode(), 0);
    verifyTranscript(*run.variation(1), countLines(1, 4), {});
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!run.allSucceeded());
    const QJsonObject record = readRunJson(run.directory());
    QCOMPARE(record.value("state").toString(), QStringLiteral("finished"));
    const QJsonArray variations = record.value("variations").toArray();
    QCOMPARE(variations[0].toObject().value("state").toString(), QStringLiteral("cancelled"));
    QCOMPARE(variations[1].toObject().value("state").toString(), QStringLiteral("exited"));
    verifyNoContainers(run.id());
}

void TestRun::cancelPendingVariation()
{
    REQUIRE_DOCKER();
    // One at a time: while v1 runs, v2 and v3 wait. Cancelling v2 must neither start v3 early
    // nor keep the run from finishing.
    RunOptions options;
    options.parallelism = 1;
    auto made = newRun(
            {{"image", demoImage()},
             {"env",
              QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "3"}, {"DEMO_INTERVAL", "0.3"}}},
             {"variations", 3}},
            options);
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    RunRecorder recorder(&run);
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    QTRY_VERIFY_WITH_TIMEOUT(recorder.out(0).contains("Count: 1\n"), 15000);
    QCOMPARE(run.variation(1)->state(), VariationState::Pending);
    run.cancel(1);
    QCOMPARE(run.variation(1)->state(), VariationState::Cancelled);
    QCOMPARE(run.variation(2)->state(), VariationState::Pending);
    QVERIFY2(finished.wait(30000), "the run did not finish");
    QCOMPARE(recorder.maxActive, 1);
    QCOMPARE(run.variation(0)->state(), VariationState::Exited);
    QCOMPARE(run.variation(2)->state(), VariationState::Exited);
    QVERIFY(run.variation(1)->containerId().isEmpty());
    QCOMPARE(stateNames(readRunJson(run.directory())
                                .value("variations")
                                .toArray()[1]
                                .toObject()
                                .value("transitions")
                                .toArray()),
             (QStringList{"pending", "cancelled"}));
    verifyNoContainers(run.id());
}

void TestRun::cancelWithPendingVariations()
{
    REQUIRE_DOCKER();
    RunOptions options;
    options.parallelism = 1;
    auto made = newRun({{"image", demoImage()},
                        {"env", QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "60"}}},
                        {"variations", 3}},
                       options);
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    RunRecorder recorder(&run);
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    QTRY_VERIFY_WITH_TIMEOUT(recorder.out(0).contains("Count: 1\n"), 15000);
    run.cancel();
    QVERIFY2(finished.wait(20000), "the run did not finish");
    QVERIFY(run.wasCancelled());
    for (const VariationRunner *v : run.variations())
        QCOMPARE(v->state(), VariationState::Cancelled);
    QVERIFY(run.variation(1)->containerId().isEmpty());
    QVERIFY(run.variation(2)->containerId().isEmpty());
    QCOMPARE(recorder.maxActive, 1);
    QCOMPARE(readRunJson(run.directory()).value("state").toString(), QStringLiteral("cancelled"));
    verifyNoContainers(run.id());
}

void TestRun::cancelWhileCreating()
{
    REQUIRE_DOCKER();
    auto made = newRun({{"image", demoImage()},
                        {"env", QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "60"}}},
                        {"variations", 2}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QSignalSpy finished(&run, &Run::finished);
    run.start();
    QCOMPARE(run.variation(0)->state(), VariationState::Creating);
    run.cancel(); // before Docker answered the create
    QVERIFY2(finished.wait(20000), "the run did not finish");
    for (const VariationRunner *v : run.variations()) {
        QCOMPARE(v->state(), VariationState::Cancelled);
        QCOMPARE(v->bytes(StreamType::Stdout), 0);
    }
    QTest::qWait(300);
    verifyNoContainers(run.id());
}

void TestRun::timeout_data()
{
    QTest::addColumn<QJsonObject>("spec");
    QTest::addColumn<int>("grace");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<double>("minSeconds");
    QTest::addColumn<double>("maxSeconds");

    // The agent traps SIGTERM and ends at once.
    QTest::addRow("agent traps SIGTERM")
            << QJsonObject{{"image", demoImage()},
                           {"env", QJsonObject{{"DEMO_MODE", "count"}, {"DEMO_COUNT", "30"}}},
                           {"limits", QJsonObject{{"timeout", "2s"}}}}
            << 5 << 143 << 2.0 << 3.0;
    // `sleep` as PID 1 ignores SIGTERM: Docker kills it after the grace period.
    QTest::addRow("sleep ignores SIGTERM")
            << QJsonObject{{"image", demoImage()},
                           {"command", QJsonArray{"sleep", "30"}},
                           {"limits", QJsonObject{{"timeout", "2s"}}}}
            << 1 << 137 << 3.0 << 4.5;
}

void TestRun::timeout()
{
    REQUIRE_DOCKER();
    QFETCH(QJsonObject, spec);
    QFETCH(int, grace);
    QFETCH(int, exitCode);
    QFETCH(double, minSeconds);
    QFETCH(double, maxSeconds);
    RunOptions options;
    options.stopGraceSeconds = grace;
    auto made = newRun(spec, options);
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QVERIFY(runToEnd(run, 30000));
    const VariationRunner *v = run.variation(0);
    const double seconds = v->durationMs() / 1000.0;
    qInfo("timeout 2s, grace %d s: %s after %.2f s (exit %d)",
          grace,
          qPrintable(stateName(v->state())),
          seconds,
          v->exitCode());
    QCOMPARE(v->state(), VariationState::TimedOut);
    QCOMPARE(v->exitCode(), exitCode);
    QVERIFY2(seconds >= minSeconds && seconds <= maxSeconds, qPrintable(QString::number(seconds)));
    QVERIFY2(v->note().contains("timeout"), qPrintable(v->note()));
    QCOMPARE(readRunJson(run.directory())
                     .value("variations")
                     .toArray()
                     .first()
                     .toObject()
                     .value("state")
                     .toString(),
             QStringLiteral("timed out"));
    QVERIFY(!run.allSucceeded());
    verifyNoContainers(run.id());
}

void TestRun::exitCode()
{
    REQUIRE_DOCKER();
    auto made = newRun({{"image", demoImage()},
                        {"env", QJsonObject{{"DEMO_MODE", "exit"}, {"DEMO_EXIT_CODE", "3"}}}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QVERIFY(runToEnd(run, 30000));
    const VariationRunner *v = run.variation(0);
    QCOMPARE(v->state(), VariationState::Exited);
    QCOMPARE(v->exitCode(), 3);
    QVERIFY(!run.allSucceeded());
    verifyTranscript(*v, "exiting with code 3\n", {});
    if (QTest::currentTestFailed())
        return;
    const QJsonObject r
            = readRunJson(run.directory()).value("variations").toArray().first().toObject();
    QCOMPARE(r.value("state").toString(), QStringLiteral("exited"));
    QCOMPARE(r.value("exit_code").toInt(), 3);
    verifyNoContainers(run.id());
}

void TestRun::missingImage()
{
    REQUIRE_DOCKER();
    const QString missing = QStringLiteral("parallax/no-such-image:never");
    auto made = newRun({{"image", demoImage()},
                        {"env", QJsonObject{{"DEMO_MODE", "exit"}}},
                        {"variations",
                         QJsonArray{QJsonObject{{"name", "ok"}},
                                    QJsonObject{{"name", "missing"}, {"image", missing}}}}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QVERIFY(runToEnd(run, 30000));
    QCOMPARE(run.variation(0)->state(), VariationState::Exited);
    QCOMPARE(run.variation(0)->exitCode(), 0);
    const VariationRunner *v = run.variation(1);
    QCOMPARE(v->state(), VariationState::Failed);
    QVERIFY2(
            v->error().contains(QStringLiteral("Image '%1' is not available locally").arg(missing)),
            qPrintable(v->error()));
    QVERIFY(v->containerId().isEmpty());
    const QJsonObject r = readRunJson(run.directory()).value("variations").toArray()[1].toObject();
    QCOMPARE(r.value("state").toString(), QStringLiteral("failed"));
    QCOMPARE(r.value("error").toString(), v->error());
    QVERIFY(r.value("exit_code").isNull());
    verifyNoContainers(run.id());
}

void TestRun::outOfMemory()
{
    REQUIRE_DOCKER();
    auto made = newRun(
            {{"image", demoImage()},
             {"command",
              QJsonArray{"sh", "-c", "x=$(head -c 50000000 /dev/zero | tr '\\0' a); echo ${#x}"}},
             {"limits", QJsonObject{{"memory", "8m"}}}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QVERIFY(runToEnd(run, 60000));
    const VariationRunner *v = run.variation(0);
    qInfo("memory 8m, 50 MB in a shell variable: %s, exit %d",
          qPrintable(stateName(v->state())),
          v->exitCode());
    if (v->state() == VariationState::Exited)
        QSKIP(qPrintable(QStringLiteral("the daemon did not report OOMKilled here (exited %1)")
                                 .arg(v->exitCode())));
    QCOMPARE(v->state(), VariationState::OutOfMemory);
    QCOMPARE(v->exitCode(), 137);
    QCOMPARE(readRunJson(run.directory())
                     .value("variations")
                     .toArray()
                     .first()
                     .toObject()
                     .value("state")
                     .toString(),
             QStringLiteral("out of memory"));
    verifyNoContainers(run.id());
}

void TestRun::keepContainers()
{
    REQUIRE_DOCKER();
    auto made = newRun({{"image", demoImage()},
                        {"env", QJsonObject{{"DEMO_MODE", "exit"}}},
                        {"keep_containers", true}});
    QVERIFY2(made, qPrintable(made.errorString()));
    Run &run = **made;
    QVERIFY(runToEnd(run, 30000));
    const VariationRunner *v = run.variation(0);
    QCOMPARE(v->state(), VariationState::Exited);
    const Result<QList<ContainerSummary>> kept = runContainers(*m_client, run.id());
    QVERIFY2(kept, qPrintable(kept.errorString()));
    QCOMPARE(kept->size(), 1);
    const ContainerSummary &container = kept->first();
    QCOMPARE(container.id, v->containerId());
    QCOMPARE(container.state, QStringLiteral("exited"));
    QCOMPARE(container.labels.value(Labels::kOwner), QString::fromLatin1(Labels::kOwnerValue));
    QCOMPARE(container.labels.value(Labels::kVariation), QStringLiteral("v1"));
    QVERIFY(container.names.contains(QStringLiteral("/parallax-%1-v1").arg(run.id())));
    // Logged with the `local` driver, never rotated (recovery reads the log from its start).
    const Result<QJsonObject> inspected = inspectContainer(*m_client, container.id);
    QVERIFY2(inspected, qPrintable(inspected.errorString()));
    const QJsonObject logConfig = inspected->value(QLatin1String("HostConfig"))
                                          .toObject()
                                          .value(QLatin1String("LogConfig"))
                                          .toObject();
    QCOMPARE(logConfig.value(QLatin1String("Type")).toString(), QStringLiteral("local"));
    const QJsonObject logOptions = logConfig.value(QLatin1String("Config")).toObject();
    QCOMPARE(logOptions.value(QLatin1String("max-size")).toString(), QStringLiteral("1t"));
    QCOMPARE(logOptions.value(QLatin1String("compress")).toString(), QStringLiteral("false"));
    // Docker reads that log back as the transcript recorded it.
    const std::optional<ContainerLogs> logged = readContainerLogs(*m_client, container.id);
    QVERIFY(logged);
    QCOMPARE(logged->out, QByteArray("exiting with code 0\n"));
    QCOMPARE(logged->err, QByteArray());

    const Result<int> removed = removeRunContainers(*m_client, {run.id()});
    QVERIFY2(removed, qPrintable(removed.errorString()));
    QCOMPARE(*removed, 1);
    verifyNoContainers(run.id());
}

QTEST_GUILESS_MAIN(TestRun)
#include "tst_run.moc"

// readRunVariations, the one reader of run.json's per-variation fields (the exporter, the
// history database, the compare summary and the run viewer all use it): every field of a full
// record, defaults for missing ones, wrong types read as absent, file names confined to the run
// folder (an escaping name is dropped with a reason), and an absent, empty or damaged
// "variations" array. Each case writes a real run.json into a temporary folder and reads it back
// through readRunJson.

#include "compare/runsummarymodel.h"
#include "export/runexporter.h"
#include "run/runfolder.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

namespace {

QJsonObject runWith(const QJsonValue &variations)
{
    QJsonObject run{{"format", 1},
                    {"run_id", "20250101-000000-abcd"},
                    {"name", "demo"},
                    {"state", "finished"}};
    if (!variations.isUndefined())
        run.insert("variations", variations);
    return run;
}

// Writes run.json into `folder` and reads it back as the call sites do.
Result<QList<RecordedVariation>> writeAndRead(const QString &folder, const QJsonObject &run)
{
    QFile file(QDir(folder).filePath("run.json"));
    if (!file.open(QIODevice::WriteOnly) || file.write(QJsonDocument(run).toJson()) <= 0)
        return Error{"cannot write the test's run.json", 1};
    file.close();
    const Result<QJsonObject> read = readRunJson(folder);
    if (!read)
        return read.error();
    return readRunVariations(*read, folder);
}

// A run.json with one variation "v1" that has `key` set to `value`.
Result<QList<RecordedVariation>>
writeAndReadWith(const QString &folder, const QString &key, const QJsonValue &value)
{
    QJsonObject o{{"name", "v1"}};
    o.insert(key, value);
    return writeAndRead(folder, runWith(QJsonArray{o}));
}

} // namespace

class TestRunFolder : public QObject
{
    Q_OBJECT

private slots:
    void readsEveryField();
    void missingOptionalFields();
    void wrongTypesReadAsAbsent_data();
    void wrongTypesReadAsAbsent();
    void escapingFileNamesAreDropped_data();
    void escapingFileNamesAreDropped();
    void escapingVariationNameHasNoTranscript();
    void variationsArray_data();
    void variationsArray();
    void callSitesShowTheReason();
};

void TestRunFolder::readsEveryField()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QJsonObject v1{{"name", "v1"},
                         {"image", "parallax/demo-agent:0.1.0"},
                         {"container_id", "abc123"},
                         {"state", "exited"},
                         {"exit_code", 3},
                         {"error", "it broke"},
                         {"note", "a note"},
                         {"started_at", "2025-01-01T10:00:00.250Z"},
                         {"finished_at", "2025-01-01T10:00:05.750Z"},
                         {"duration_ms", 5500},
                         {"stdout_bytes", 1234},
                         {"stderr_bytes", 56},
                         {"stdout_lines", 40},
                         {"stderr_lines", 2},
                         {"transcript", "v1.jsonl"},
                         {"log", "v1.log"},
                         {"patch", "v1.patch"},
                         {"files_changed", 3},
                         {"insertions", 39},
                         {"deletions", 1},
                         {"cpu_peak_percent", 87.5},
                         {"memory_peak_bytes", 52428800}};
    const QJsonObject v2{{"name", "v2"}, {"state", "running"}, {"exit_code", QJsonValue()}};
    const Result<QList<RecordedVariation>> read
            = writeAndRead(dir.path(), runWith(QJsonArray{v1, v2}));
    QVERIFY2(read, qPrintable(read.errorString()));
    QCOMPARE(read->size(), 2);
    const RecordedVariation &v = read->at(0);
    QCOMPARE(v.name, QStringLiteral("v1"));
    QCOMPARE(v.image, QStringLiteral("parallax/demo-agent:0.1.0"));
    QCOMPARE(v.state, QStringLiteral("exited"));
    QCOMPARE(v.exitCode, std::optional<int>(3));
    QCOMPARE(v.error, QStringLiteral("it broke"));
    QCOMPARE(v.note, QStringLiteral("a note"));
    QCOMPARE(v.startedAt, QDateTime(QDate(2025, 1, 1), QTime(10, 0, 0, 250), Qt::UTC));
    QCOMPARE(v.finishedAt, QDateTime(QDate(2025, 1, 1), QTime(10, 0, 5, 750), Qt::UTC));
    QCOMPARE(v.durationMs, 5500);
    QCOMPARE(v.stdoutBytes, 1234);
    QCOMPARE(v.stderrBytes, 56);
    QCOMPARE(v.stdoutLines, 40);
    QCOMPARE(v.stderrLines, 2);
    const QDir folder(dir.path());
    QCOMPARE(v.transcriptPath, folder.absoluteFilePath("v1.jsonl"));
    QCOMPARE(v.logPath, folder.absoluteFilePath("v1.log"));
    QCOMPARE(v.patchPath, folder.absoluteFilePath("v1.patch"));
    QCOMPARE(v.patchFileName(), QStringLiteral("v1.patch"));
    QCOMPARE(v.filesChanged, 3);
    QCOMPARE(v.insertions, 39);
    QCOMPARE(v.deletions, 1);
    QCOMPARE(v.cpuPeakPercent, std::optional<double>(87.5));
    QCOMPARE(v.memoryPeakBytes, std::optional<qint64>(52428800));
    QVERIFY(v.problems.isEmpty());

    // Order is run.json's; a null exit code is no exit code.
    QCOMPARE(read->at(1).name, QStringLiteral("v2"));
    QCOMPARE(read->at(1).state, QStringLiteral("running"));
    QVERIFY(!read->at(1).exitCode);
}

void TestRunFolder::missingOptionalFields()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // What a variation that never started, recorded by an older Parallax, may look like.
    const Result<QList<RecordedVariation>> read
            = writeAndRead(dir.path(), runWith(QJsonArray{QJsonObject{{"name", "v3"}}}));
    QVERIFY2(read, qPrintable(read.errorString()));
    QCOMPARE(read->size(), 1);
    const RecordedVariation &v = read->first();
    QCOMPARE(v.name, QStringLiteral("v3"));
    QVERIFY(v.image.isEmpty());
    QVERIFY(v.state.isEmpty());
    QVERIFY(!v.exitCode);
    QVERIFY(!v.startedAt.isValid());
    QVERIFY(!v.finishedAt.isValid());
    QCOMPARE(v.durationMs, 0);
    QCOMPARE(v.stdoutBytes + v.stderrBytes + v.stdoutLines + v.stderrLines, 0);
    QVERIFY(v.error.isEmpty());
    QVERIFY(v.note.isEmpty());
    // No transcript named: the recorder's own name for it.
    QCOMPARE(v.transcriptPath, QDir(dir.path()).absoluteFilePath("v3.jsonl"));
    QVERIFY(v.logPath.isEmpty());
    QVERIFY(v.patchPath.isEmpty());
    QVERIFY(v.patchFileName().isEmpty());
    QVERIFY(!v.cpuPeakPercent);
    QVERIFY(!v.memoryPeakBytes);
    QVERIFY(v.problems.isEmpty());
}

void TestRunFolder::wrongTypesReadAsAbsent_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QJsonValue>("value");
    QTest::addRow("exit code as text") << "exit_code" << QJsonValue("0");
    QTest::addRow("exit code with a fraction") << "exit_code" << QJsonValue(1.5);
    QTest::addRow("exit code out of range") << "exit_code" << QJsonValue(1e12);
    QTest::addRow("exit code true") << "exit_code" << QJsonValue(true);
    QTest::addRow("duration as text") << "duration_ms" << QJsonValue("5500");
    QTest::addRow("bytes as an object") << "stdout_bytes" << QJsonValue(QJsonObject{{"n", 1}});
    QTest::addRow("state as a number") << "state" << QJsonValue(7);
    QTest::addRow("started_at not a time") << "started_at" << QJsonValue("yesterday");
    QTest::addRow("transcript as a number") << "transcript" << QJsonValue(7);
    QTest::addRow("log as a list") << "log" << QJsonValue(QJsonArray{"v.log"});
    QTest::addRow("patch as true") << "patch" << QJsonValue(true);
    QTest::addRow("cpu peak as text") << "cpu_peak_percent" << QJsonValue("87.5");
    QTest::addRow("memory peak null") << "memory_peak_bytes" << QJsonValue();
}

void TestRunFolder::wrongTypesReadAsAbsent()
{
    QFETCH(QString, key);
    QFETCH(QJsonValue, value);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<QList<RecordedVariation>> read = writeAndReadWith(dir.path(), key, value);
    QVERIFY2(read, qPrintable(read.errorString()));
    const RecordedVariation &v = read->first();
    // Whatever the field, the record reads exactly like one without it.
    const Result<QList<RecordedVariation>> plain
            = readRunVariations(runWith(QJsonArray{QJsonObject{{"name", "v1"}}}), dir.path());
    QVERIFY(plain);
    const RecordedVariation &p = plain->first();
    QCOMPARE(v.exitCode, p.exitCode);
    QCOMPARE(v.durationMs, p.durationMs);
    QCOMPARE(v.stdoutBytes, p.stdoutBytes);
    QCOMPARE(v.state, p.state);
    QCOMPARE(v.startedAt.isValid(), p.startedAt.isValid());
    QCOMPARE(v.transcriptPath, p.transcriptPath);
    QCOMPARE(v.logPath, p.logPath);
    QCOMPARE(v.patchPath, p.patchPath);
    QCOMPARE(v.cpuPeakPercent, p.cpuPeakPercent);
    QCOMPARE(v.memoryPeakBytes, p.memoryPeakBytes);
    QVERIFY(v.problems.isEmpty());
}

void TestRunFolder::escapingFileNamesAreDropped_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QString>("name");
    for (const char *key : {"transcript", "log", "patch"}) {
        for (const char *name :
             {"../x", "../../etc/passwd", "/etc/passwd", "sub/v1.jsonl", "..", ".", "a\\b"})
            QTest::addRow("%s %s", key, name) << QString::fromLatin1(key) << QString(name);
    }
}

void TestRunFolder::escapingFileNamesAreDropped()
{
    QFETCH(QString, key);
    QFETCH(QString, name);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<QList<RecordedVariation>> read = writeAndReadWith(dir.path(), key, name);
    QVERIFY2(read, qPrintable(read.errorString()));
    const RecordedVariation &v = read->first();
    const QDir folder(dir.path());
    // The transcript falls back to the recorder's name; a log or patch is simply not there.
    QCOMPARE(v.transcriptPath, folder.absoluteFilePath("v1.jsonl"));
    QVERIFY(v.logPath.isEmpty());
    QVERIFY(v.patchPath.isEmpty());
    QCOMPARE(v.problems.size(), 1);
    const QString problem = v.problems.first();
    QVERIFY2(problem.contains(QStringLiteral("\"v1\"")) && problem.contains(key)
                     && problem.contains(QLatin1Char('"') + name + QLatin1Char('"'))
                     && problem.contains(QStringLiteral("not a file name in the run folder")),
             qPrintable(problem));
}

void TestRunFolder::escapingVariationNameHasNoTranscript()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // No transcript named, and "<name>.jsonl" itself would leave the folder.
    const Result<QList<RecordedVariation>> read
            = writeAndRead(dir.path(), runWith(QJsonArray{QJsonObject{{"name", "../evil"}}}));
    QVERIFY2(read, qPrintable(read.errorString()));
    QVERIFY(read->first().transcriptPath.isEmpty());
    QCOMPARE(read->first().problems.size(), 1);
    QVERIFY2(read->first().problems.first().contains(QStringLiteral("\"../evil\"")),
             qPrintable(read->first().problems.first()));

    // A plain name inside the folder is kept even if it is not the recorder's own.
    const Result<QList<RecordedVariation>> other = writeAndRead(
            dir.path(),
            runWith(QJsonArray{QJsonObject{{"name", "v1"}, {"transcript", "renamed.jsonl"}}}));
    QVERIFY(other);
    QCOMPARE(other->first().transcriptPath, QDir(dir.path()).absoluteFilePath("renamed.jsonl"));
    QVERIFY(other->first().problems.isEmpty());
}

void TestRunFolder::variationsArray_data()
{
    QTest::addColumn<QJsonValue>("variations");
    QTest::addColumn<int>("count"); // -1: an error
    QTest::addColumn<QString>("errorPart");
    QTest::addRow("absent") << QJsonValue(QJsonValue::Undefined) << 0 << QString();
    QTest::addRow("null") << QJsonValue() << 0 << QString();
    QTest::addRow("empty") << QJsonValue(QJsonArray()) << 0 << QString();
    QTest::addRow("a number") << QJsonValue(3) << -1 << "\"variations\" is not a list";
    QTest::addRow("an object") << QJsonValue(QJsonObject{{"name", "v1"}}) << -1
                               << "\"variations\" is not a list";
    QTest::addRow("an entry that is a string")
            << QJsonValue(QJsonArray{QJsonObject{{"name", "v1"}}, "v2"}) << -1
            << "variation 2 of 2 is not an object";
}

void TestRunFolder::variationsArray()
{
    QFETCH(QJsonValue, variations);
    QFETCH(int, count);
    QFETCH(QString, errorPart);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const Result<QList<RecordedVariation>> read = writeAndRead(dir.path(), runWith(variations));
    if (count >= 0) {
        QVERIFY2(read, qPrintable(read.errorString()));
        QCOMPARE(read->size(), count);
        return;
    }
    QVERIFY(!read);
    QCOMPARE(read.error().code, 2);
    QVERIFY2(read.errorString().contains(errorPart), qPrintable(read.errorString()));
    QVERIFY2(read.errorString().contains(
                     QDir::toNativeSeparators(QDir(dir.path()).absoluteFilePath("run.json"))),
             qPrintable(read.errorString()));
}

// The exporter and the compare summary follow the reader: a patch named outside the folder is
// neither read nor counted, and the reason is shown with the variation.
void TestRunFolder::callSitesShowTheReason()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString runDir = dir.filePath("run");
    QVERIFY(QDir().mkpath(runDir));
    QFile outside(dir.filePath("outside.patch"));
    QVERIFY(outside.open(QIODevice::WriteOnly));
    outside.write("diff --git a/secret b/secret\n+OUTSIDE-MARKER\n");
    outside.close();
    const QJsonObject v1{{"name", "v1"},
                         {"state", "exited"},
                         {"exit_code", 0},
                         {"patch", "../outside.patch"},
                         {"files_changed", 1},
                         {"insertions", 1},
                         {"deletions", 0}};
    QVERIFY(writeAndRead(runDir, runWith(QJsonArray{v1})));

    RunExporter exporter{QProcessEnvironment()};
    QVERIFY(exporter.open(runDir));
    QBuffer out;
    QVERIFY(out.open(QIODevice::WriteOnly));
    const Result<void> written = exporter.write(RunExporter::Format::Markdown, &out);
    QVERIFY2(written, qPrintable(written.errorString()));
    const QString text = QString::fromUtf8(out.data());
    QVERIFY(!text.contains(QStringLiteral("OUTSIDE-MARKER")));
    QVERIFY(!text.contains(QStringLiteral("Workspace changes")));
    QVERIFY2(text.contains(QStringLiteral("not a file name in the run folder")), qPrintable(text));

    RunSummaryModel model;
    QVERIFY(model.load(runDir));
    QCOMPARE(model.rows().size(), 1);
    QVERIFY(model.rows().first().patchPath.isEmpty());
    QVERIFY(!model.rows().first().files);
    QVERIFY(model.rows().first().error.contains(QStringLiteral("../outside.patch")));
}

QTEST_GUILESS_MAIN(TestRunFolder)
#include "tst_runfolder.moc"

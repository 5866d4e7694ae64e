#include "history/historydb.h"
#include "history/historyformat.h"
#include "history/historymodel.h"

#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLockFile>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

namespace {

struct V
{
    QString name;
    QString state = QStringLiteral("running");
    QJsonValue exitCode = QJsonValue();
    qint64 stderrLines = 0;
};

// A run.json object shaped as Run::toJson() writes it.
QJsonObject runJson(const QString &id,
                    const QString &name,
                    const QString &state,
                    const QString &startedAt,
                    const QList<V> &variations,
                    const QString &image = QStringLiteral("parallax/demo-agent:0.1.0"))
{
    QJsonArray vs;
    for (const V &v : variations) {
        vs.append(QJsonObject{{QStringLiteral("name"), v.name},
                              {QStringLiteral("image"), image},
                              {QStringLiteral("container_id"), QStringLiteral("c0ffee")},
                              {QStringLiteral("state"), v.state},
                              {QStringLiteral("exit_code"), v.exitCode},
                              {QStringLiteral("transitions"), QJsonArray()},
                              {QStringLiteral("duration_ms"), 61500},
                              {QStringLiteral("stdout_bytes"), 2048},
                              {QStringLiteral("stderr_bytes"), 100},
                              {QStringLiteral("stdout_lines"), 40},
                              {QStringLiteral("stderr_lines"), v.stderrLines},
                              {QStringLiteral("transcript"), v.name + QStringLiteral(".jsonl")},
                              {QStringLiteral("log"), v.name + QStringLiteral(".log")}});
    }
    return QJsonObject{
            {QStringLiteral("format"), 1},
            {QStringLiteral("run_id"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("spec"),
             QJsonObject{{QStringLiteral("name"), name},
                         {QStringLiteral("image"), image},
                         {QStringLiteral("secrets"), QJsonArray{QStringLiteral("API_KEY")}}}},
            {QStringLiteral("state"), state},
            {QStringLiteral("started_at"), startedAt},
            {QStringLiteral("finished_at"),
             state == QLatin1String("running") ? QJsonValue() : QJsonValue(startedAt)},
            {QStringLiteral("docker"), QJsonObject()},
            {QStringLiteral("variations"), vs}};
}

bool writeRunFolder(const QString &folder, const QJsonObject &json)
{
    if (!QDir().mkpath(folder))
        return false;
    QFile file(folder + QStringLiteral("/run.json"));
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(json).toJson()) > 0;
}

QDateTime utc(const char *iso)
{
    return QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODateWithMs).toUTC();
}

} // namespace

Q_DECLARE_METATYPE(Parallax::HistoryFilter)

class TestHistoryDb : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void createsLatestSchema()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("sub/history.sqlite"));
        HistoryDb db;
        QCOMPARE(db.schemaVersion(), 0);
        const Result<void> opened = db.open(path);
        QVERIFY2(opened, qPrintable(opened.errorString()));
        QVERIFY(QFile::exists(path));
        QCOMPARE(db.schemaVersion(), HistoryDb::latestSchemaVersion());
        QVERIFY(HistoryDb::latestSchemaVersion() >= 3);
        QVERIFY(db.runs().isEmpty());

        // Reopening an up-to-date database migrates nothing and keeps its version.
        HistoryDb again;
        QVERIFY(again.open(path));
        QCOMPARE(again.schemaVersion(), HistoryDb::latestSchemaVersion());
    }

    void defaultPathIsInAppData()
    {
        QVERIFY(HistoryDb::defaultPath().startsWith(
                QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)));
        QVERIFY(HistoryDb::defaultPath().endsWith(QLatin1String("/history.sqlite")));
    }

    void recordTwiceIsAnUpsert()
    {
        QTemporaryDir dir;
        HistoryDb db;
        QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))));
        const QJsonObject json = runJson(QStringLiteral("r1"),
                                         QStringLiteral("fix bug"),
                                         QStringLiteral("running"),
                                         QStringLiteral("2026-11-23T21:40:01.123Z"),
                                         {{QStringLiteral("v1")}, {QStringLiteral("v2")}});
        for (int i = 0; i < 2; ++i) {
            const Result<void> recorded = db.recordRun(json, dir.filePath(QStringLiteral("r1")));
            QVERIFY2(recorded, qPrintable(recorded.errorString()));
        }
        const QList<RunSummary> runs = db.runs();
        QCOMPARE(runs.size(), 1);
        QCOMPARE(runs.first().id, QStringLiteral("r1"));
        QCOMPARE(runs.first().name, QStringLiteral("fix bug"));
        QCOMPARE(runs.first().variationCount, 2);
        QCOMPARE(runs.first().state, QStringLiteral("running"));
        QCOMPARE(runs.first().image, QStringLiteral("parallax/demo-agent:0.1.0"));
        QCOMPARE(runs.first().folder, QDir(dir.filePath(QStringLiteral("r1"))).absolutePath());
        QCOMPARE(runs.first().startedAt, utc("2026-11-23T21:40:01.123Z"));
        QVERIFY(!runs.first().finishedAt.isValid());

        const std::optional<RunRecord> record = db.run(QStringLiteral("r1"));
        QVERIFY(record);
        QCOMPARE(record->variations.size(), 2);
        QCOMPARE(record->spec.value(QLatin1String("secrets")).toArray(),
                 QJsonArray{QStringLiteral("API_KEY")});
        QVERIFY(!record->variations.first().exitCode.has_value());
    }

    void recordUpdatesOnFinishAndKeepsWinner()
    {
        QTemporaryDir dir;
        HistoryDb db;
        QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))));
        const QString started = QStringLiteral("2026-11-23T21:40:01.000Z");
        QVERIFY(db.recordRun(runJson(QStringLiteral("r1"),
                                     QStringLiteral("n"),
                                     QStringLiteral("running"),
                                     started,
                                     {{QStringLiteral("v1")}, {QStringLiteral("v2")}}),
                             dir.path()));
        QVERIFY(db.setWinner(QStringLiteral("r1"), QStringLiteral("v2")));
        const Result<void> finished
                = db.recordRun(runJson(QStringLiteral("r1"),
                                       QStringLiteral("n"),
                                       QStringLiteral("finished"),
                                       started,
                                       {{QStringLiteral("v1"), QStringLiteral("exited"), 0, 3},
                                        {QStringLiteral("v2"), QStringLiteral("exited"), 7, 9}}),
                               dir.path());
        QVERIFY2(finished, qPrintable(finished.errorString()));

        const std::optional<RunRecord> record = db.run(QStringLiteral("r1"));
        QVERIFY(record);
        QCOMPARE(record->summary.state, QStringLiteral("finished"));
        QCOMPARE(record->summary.finishedAt, utc("2026-11-23T21:40:01.000Z"));
        QCOMPARE(record->summary.winner, QStringLiteral("v2"));
        QCOMPARE(record->variations.size(), 2);
        const VariationRecord &v2 = record->variations.at(1);
        QCOMPARE(v2.name, QStringLiteral("v2"));
        QCOMPARE(v2.position, 1);
        QCOMPARE(v2.state, QStringLiteral("exited"));
        QCOMPARE(v2.exitCode, std::optional<int>(7));
        QCOMPARE(v2.stderrLines, 9);
        QCOMPARE(v2.stdoutLines, 40);
        QCOMPARE(v2.stdoutBytes, 2048);
        QCOMPARE(v2.stderrBytes, 100);
        QCOMPARE(v2.durationMs, 61500);
        QCOMPARE(v2.image, QStringLiteral("parallax/demo-agent:0.1.0"));
    }

    void recordRejectsMissingId()
    {
        QTemporaryDir dir;
        HistoryDb db;
        QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))));
        const Result<void> recorded = db.recordRun(QJsonObject(), dir.path());
        QVERIFY(!recorded);
        QVERIFY2(recorded.errorString().contains(QLatin1String("no run_id")),
                 qPrintable(recorded.errorString()));
        QVERIFY(db.runs().isEmpty());
    }

    void filters_data()
    {
        QTest::addColumn<HistoryFilter>("filter");
        QTest::addColumn<QStringList>("ids");

        auto make = [](auto setup) {
            HistoryFilter f;
            setup(f);
            return f;
        };
        QTest::addRow("all, newest first") << HistoryFilter() << QStringList{"c", "b", "a"};
        QTest::addRow("name substring, any case")
                << make([](HistoryFilter &f) { f.name = QStringLiteral("REFACTOR"); })
                << QStringList{"c", "a"};
        QTest::addRow("name with a LIKE wildcard is literal")
                << make([](HistoryFilter &f) { f.name = QStringLiteral("%"); }) << QStringList{};
        QTest::addRow("state") << make([](HistoryFilter &f) {
            f.state = QStringLiteral("finished");
        }) << QStringList{"b", "a"};
        QTest::addRow("image") << make([](HistoryFilter &f) { f.image = QStringLiteral("claude"); })
                               << QStringList{"b"};
        QTest::addRow("since") << make([](HistoryFilter &f) {
            f.since = utc("2026-11-02T00:00:00.000Z");
        }) << QStringList{"c", "b"};
        QTest::addRow("until") << make([](HistoryFilter &f) {
            f.until = utc("2026-11-02T00:00:00.000Z");
        }) << QStringList{"a"};
        QTest::addRow("since in another zone") << make([](HistoryFilter &f) {
            f.since = QDateTime::fromString(QStringLiteral("2026-11-02T01:00:00+02:00"),
                                            Qt::ISODate);
        }) << QStringList{"c", "b"};
        QTest::addRow("combined") << make([](HistoryFilter &f) {
            f.name = QStringLiteral("refactor");
            f.state = QStringLiteral("finished");
        }) << QStringList{"a"};
        QTest::addRow("limit") << make([](HistoryFilter &f) { f.limit = 2; })
                               << QStringList{"c", "b"};
    }

    void filters()
    {
        QFETCH(HistoryFilter, filter);
        QFETCH(QStringList, ids);
        QTemporaryDir dir;
        HistoryDb db;
        QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))));
        QVERIFY(db.recordRun(runJson(QStringLiteral("a"),
                                     QStringLiteral("Refactor parser"),
                                     QStringLiteral("finished"),
                                     QStringLiteral("2026-11-01T10:00:00.000Z"),
                                     {{QStringLiteral("v1")}}),
                             dir.path()));
        QVERIFY(db.recordRun(runJson(QStringLiteral("b"),
                                     QStringLiteral("Fix bug"),
                                     QStringLiteral("finished"),
                                     QStringLiteral("2026-11-02T10:00:00.000Z"),
                                     {{QStringLiteral("v1")}},
                                     QStringLiteral("ghcr.io/acme/claude-agent:2")),
                             dir.path()));
        // Recorded with a UTC offset: stored as UTC, so it still sorts by time.
        QVERIFY(db.recordRun(runJson(QStringLiteral("c"),
                                     QStringLiteral("refactor again"),
                                     QStringLiteral("cancelled"),
                                     QStringLiteral("2026-11-03T12:00:00.000+02:00"),
                                     {{QStringLiteral("v1")}}),
                             dir.path()));
        QStringList got;
        for (const RunSummary &run : db.runs(filter))
            got.append(run.id);
        QCOMPARE(got, ids);
    }

    void winner()
    {
        QTemporaryDir dir;
        HistoryDb db;
        QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))));
        QVERIFY(db.recordRun(runJson(QStringLiteral("r1"),
                                     QStringLiteral("n"),
                                     QStringLiteral("finished"),
                                     QStringLiteral("2026-11-01T10:00:00.000Z"),
                                     {{QStringLiteral("v1")}, {QStringLiteral("v2")}}),
                             dir.path()));
        QVERIFY(db.setWinner(QStringLiteral("r1"), QStringLiteral("v1")));
        QCOMPARE(db.run(QStringLiteral("r1"))->summary.winner, QStringLiteral("v1"));
        QCOMPARE(db.runs().first().winner, QStringLiteral("v1"));

        const Result<void> unknownVariation
                = db.setWinner(QStringLiteral("r1"), QStringLiteral("v9"));
        QVERIFY(!unknownVariation);
        QCOMPARE(unknownVariation.error().code, 2);
        QCOMPARE(unknownVariation.errorString(),
                 QStringLiteral("run r1 has no variation v9 (it has v1, v2)"));
        QCOMPARE(db.run(QStringLiteral("r1"))->summary.winner, QStringLiteral("v1"));

        const Result<void> unknownRun = db.setWinner(QStringLiteral("nope"), QStringLiteral("v1"));
        QVERIFY(!unknownRun);
        QCOMPARE(unknownRun.errorString(), QStringLiteral("no run nope in the history"));

        QVERIFY(db.setWinner(QStringLiteral("r1"), QString()));
        QVERIFY(db.run(QStringLiteral("r1"))->summary.winner.isEmpty());
    }

    void removeRun()
    {
        QTemporaryDir dir;
        HistoryDb db;
        QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))));
        const QString keep = dir.filePath(QStringLiteral("runs/keep"));
        const QString drop = dir.filePath(QStringLiteral("runs/drop"));
        const QString other = dir.filePath(QStringLiteral("runs/other"));
        const QString started = QStringLiteral("2026-11-01T10:00:00.000Z");
        QVERIFY(writeRunFolder(keep,
                               runJson(QStringLiteral("keep"),
                                       {},
                                       QStringLiteral("finished"),
                                       started,
                                       {{QStringLiteral("v1")}})));
        QVERIFY(writeRunFolder(drop,
                               runJson(QStringLiteral("drop"),
                                       {},
                                       QStringLiteral("finished"),
                                       started,
                                       {{QStringLiteral("v1")}})));
        QVERIFY(writeRunFolder(other,
                               runJson(QStringLiteral("someone-else"),
                                       {},
                                       QStringLiteral("finished"),
                                       started,
                                       {})));
        QFile log(drop + QStringLiteral("/v1.jsonl"));
        QVERIFY(log.open(QIODevice::WriteOnly));
        log.close();
        QVERIFY(db.recordFromFolder(keep));
        QVERIFY(db.recordFromFolder(drop));
        // A row pointing at a folder that holds another run: never delete that folder.
        QVERIFY(db.recordRun(
                runJson(QStringLiteral("wrong"), {}, QStringLiteral("finished"), started, {}),
                other));

        QVERIFY(db.removeRun(QStringLiteral("keep"), false));
        QVERIFY(QFile::exists(keep + QStringLiteral("/run.json")));
        QVERIFY(!db.run(QStringLiteral("keep")));

        const Result<void> removed = db.removeRun(QStringLiteral("drop"), true);
        QVERIFY2(removed, qPrintable(removed.errorString()));
        QVERIFY(!QFileInfo::exists(drop));
        QVERIFY(!db.run(QStringLiteral("drop")));

        const Result<void> refused = db.removeRun(QStringLiteral("wrong"), true);
        QVERIFY(!refused);
        QVERIFY2(refused.errorString().startsWith(QLatin1String("refusing to delete")),
                 qPrintable(refused.errorString()));
        QVERIFY(QFile::exists(other + QStringLiteral("/run.json")));
        QVERIFY(db.run(QStringLiteral("wrong")));

        const Result<void> unknown = db.removeRun(QStringLiteral("nope"), true);
        QVERIFY(!unknown);
        QCOMPARE(unknown.error().code, 2);
        QCOMPARE(db.runs().size(), 1);
    }

    void removeRefusesARunBeingRecorded()
    {
        QTemporaryDir dir;
        HistoryDb db;
        QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))));
        const QString folder = dir.filePath(QStringLiteral("live"));
        QVERIFY(writeRunFolder(folder,
                               runJson(QStringLiteral("live"),
                                       {},
                                       QStringLiteral("running"),
                                       QStringLiteral("2026-11-01T10:00:00.000Z"),
                                       {})));
        QVERIFY(db.recordFromFolder(folder));
        QLockFile lock(folder + QStringLiteral("/.lock")); // as Run holds it while recording
        QVERIFY(lock.tryLock(0));
        const Result<void> removed = db.removeRun(QStringLiteral("live"), true);
        QVERIFY(!removed);
        QVERIFY2(removed.errorString().contains(QLatin1String("still being recorded")),
                 qPrintable(removed.errorString()));
        QVERIFY(QFile::exists(folder + QStringLiteral("/run.json")));
        QVERIFY(db.run(QStringLiteral("live")));
    }

    void recordFromFolderAndImport()
    {
        QTemporaryDir dir;
        HistoryDb db;
        QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))));
        const QString runs = dir.filePath(QStringLiteral("runs"));
        const QString started = QStringLiteral("2026-11-01T10:00:00.000Z");
        QVERIFY(writeRunFolder(runs + QStringLiteral("/a"),
                               runJson(QStringLiteral("a"),
                                       {},
                                       QStringLiteral("finished"),
                                       started,
                                       {{QStringLiteral("v1")}})));
        QVERIFY(writeRunFolder(runs + QStringLiteral("/b"),
                               runJson(QStringLiteral("b"),
                                       {},
                                       QStringLiteral("running"),
                                       started,
                                       {{QStringLiteral("v1")}})));
        QVERIFY(QDir().mkpath(runs + QStringLiteral("/no-record"))); // a launch that failed early
        QVERIFY(QDir().mkpath(runs + QStringLiteral("/broken")));
        QFile broken(runs + QStringLiteral("/broken/run.json"));
        QVERIFY(broken.open(QIODevice::WriteOnly));
        broken.write("{not json");
        broken.close();

        const Result<void> notAFolder = db.recordFromFolder(runs + QStringLiteral("/no-record"));
        QVERIFY(!notAFolder);
        QVERIFY2(notAFolder.errorString().contains(QLatin1String("is not a run folder")),
                 qPrintable(notAFolder.errorString()));

        ImportReport report = db.importRunFolders(runs);
        QCOMPARE(report.imported, 2);
        QCOMPARE(report.refreshed, 0);
        QCOMPARE(report.problems.size(), 1);
        QVERIFY2(report.problems.first().contains(QLatin1String("broken/run.json is damaged")),
                 qPrintable(report.problems.first()));
        QCOMPARE(db.runs().size(), 2);
        QCOMPARE(db.runIdForFolder(runs + QStringLiteral("/a")),
                 std::optional<QString>(QStringLiteral("a")));

        // b finished since (its process recorded it in run.json only): the next import sees it.
        QVERIFY(writeRunFolder(runs + QStringLiteral("/b"),
                               runJson(QStringLiteral("b"),
                                       {},
                                       QStringLiteral("finished"),
                                       started,
                                       {{QStringLiteral("v1"), QStringLiteral("exited"), 0}})));
        report = db.importRunFolders(runs);
        QCOMPARE(report.imported, 0);
        QCOMPARE(report.refreshed, 1);
        QCOMPARE(db.run(QStringLiteral("b"))->summary.state, QStringLiteral("finished"));
        report = db.importRunFolders(runs);
        QCOMPARE(report.imported + report.refreshed, 0);
        QCOMPARE(db.runs().size(), 2);
    }

    void migratesFromVersion1KeepingData()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        {
            // The v1 schema exactly as the first release created it, with one run.
            QSqlDatabase v1
                    = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("v1"));
            v1.setDatabaseName(path);
            QVERIFY(v1.open());
            QSqlQuery q(v1);
            const QStringList ddl{
                    QStringLiteral(
                            "CREATE TABLE runs (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL "
                            "DEFAULT '', image TEXT NOT NULL DEFAULT '', spec_json TEXT NOT NULL "
                            "DEFAULT '{}', started_at TEXT, finished_at TEXT, state TEXT NOT NULL "
                            "DEFAULT 'running', folder TEXT NOT NULL DEFAULT '')"),
                    QStringLiteral(
                            "CREATE TABLE variations (run_id TEXT NOT NULL REFERENCES runs(id) ON "
                            "DELETE CASCADE, position INTEGER NOT NULL, name TEXT NOT NULL, state "
                            "TEXT NOT NULL DEFAULT '', exit_code INTEGER, duration_ms INTEGER NOT "
                            "NULL DEFAULT 0, stdout_bytes INTEGER NOT NULL DEFAULT 0, stderr_bytes "
                            "INTEGER NOT NULL DEFAULT 0, stdout_lines INTEGER NOT NULL DEFAULT 0, "
                            "error TEXT NOT NULL DEFAULT '', PRIMARY KEY (run_id, position))"),
                    QStringLiteral("CREATE INDEX runs_by_start ON runs(started_at)"),
                    QStringLiteral(
                            "INSERT INTO runs VALUES ('old', 'Old run', 'img:1', '{\"name\":\"Old "
                            "run\",\"secrets\":[\"TOKEN\"]}', '2025-01-02T03:04:05.000Z', "
                            "'2025-01-02T03:05:05.000Z', 'finished', '/tmp/old')"),
                    QStringLiteral("INSERT INTO variations VALUES ('old', 0, 'v1', 'exited', 0, "
                                   "60000, 10, 5, 2, '')"),
                    QStringLiteral("INSERT INTO variations VALUES ('old', 1, 'v2', 'failed', NULL, "
                                   "100, 0, 0, 0, 'pull failed')"),
                    QStringLiteral("PRAGMA user_version = 1")};
            for (const QString &statement : ddl)
                QVERIFY2(q.exec(statement), qPrintable(q.lastError().text()));
            q.finish();
            v1.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("v1"));

        HistoryDb db;
        const Result<void> opened = db.open(path);
        QVERIFY2(opened, qPrintable(opened.errorString()));
        QCOMPARE(db.schemaVersion(), HistoryDb::latestSchemaVersion());

        const std::optional<RunRecord> old = db.run(QStringLiteral("old"));
        QVERIFY(old);
        QCOMPARE(old->summary.name, QStringLiteral("Old run"));
        QCOMPARE(old->summary.image, QStringLiteral("img:1"));
        QCOMPARE(old->summary.state, QStringLiteral("finished"));
        QCOMPARE(old->summary.folder, QStringLiteral("/tmp/old"));
        QCOMPARE(old->summary.startedAt, utc("2025-01-02T03:04:05.000Z"));
        QCOMPARE(old->summary.finishedAt, utc("2025-01-02T03:05:05.000Z"));
        QVERIFY(old->summary.winner.isEmpty());
        QCOMPARE(old->spec.value(QLatin1String("secrets")).toArray(),
                 QJsonArray{QStringLiteral("TOKEN")});
        QCOMPARE(old->variations.size(), 2);
        QCOMPARE(old->variations.at(0).exitCode, std::optional<int>(0));
        QCOMPARE(old->variations.at(0).durationMs, 60000);
        QCOMPARE(old->variations.at(0).stdoutLines, 2);
        QCOMPARE(old->variations.at(0).stderrLines, 0); // new in v2: defaults to 0
        QVERIFY(!old->variations.at(1).exitCode);
        QCOMPARE(old->variations.at(1).error, QStringLiteral("pull failed"));

        // The new columns work on the migrated file.
        QVERIFY(db.setWinner(QStringLiteral("old"), QStringLiteral("v1")));
        QVERIFY(db.recordRun(runJson(QStringLiteral("new"),
                                     QStringLiteral("New"),
                                     QStringLiteral("finished"),
                                     QStringLiteral("2026-01-01T00:00:00.000Z"),
                                     {{QStringLiteral("v1"), QStringLiteral("exited"), 0, 4}}),
                             dir.path()));
        QCOMPARE(db.run(QStringLiteral("new"))->variations.first().stderrLines, 4);
        QCOMPARE(db.runs().size(), 2);

        QSqlDatabase check
                = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("check"));
        check.setDatabaseName(path);
        QVERIFY(check.open());
        {
            QSqlQuery version(QStringLiteral("PRAGMA user_version"), check);
            QVERIFY(version.next());
            QCOMPARE(version.value(0).toInt(), HistoryDb::latestSchemaVersion());
        }
        check.close();
        check = QSqlDatabase();
        QSqlDatabase::removeDatabase(QStringLiteral("check"));
    }

    void refusesNewerSchema()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        {
            QSqlDatabase future = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"),
                                                            QStringLiteral("future"));
            future.setDatabaseName(path);
            QVERIFY(future.open());
            QSqlQuery q(future);
            QVERIFY(q.exec(QStringLiteral("PRAGMA user_version = 99")));
            q.finish();
            future.close();
        }
        QSqlDatabase::removeDatabase(QStringLiteral("future"));
        HistoryDb db;
        const Result<void> opened = db.open(path);
        QVERIFY(!opened);
        QVERIFY2(opened.errorString().contains(QLatin1String("newer Parallax")),
                 qPrintable(opened.errorString()));
        QCOMPARE(db.schemaVersion(), 0);
        QVERIFY(db.runs().isEmpty());
    }

    void damagedFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("history.sqlite"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray garbage;
        for (int i = 0; i < 8192; ++i)
            garbage.append(char((i * 37 + 11) & 0xff));
        file.write(garbage);
        file.close();

        HistoryDb db;
        const Result<void> opened = db.open(path);
        QVERIFY(!opened);
        QVERIFY2(opened.errorString().startsWith(
                         QStringLiteral("history database %1 is damaged: ").arg(path)),
                 qPrintable(opened.errorString()));
        QVERIFY(!db.isOpen());
        QVERIFY(!db.recordRun(runJson(QStringLiteral("r"), {}, QStringLiteral("running"), {}, {}),
                              dir.path()));
        // The damaged file is left as it was, for the user to inspect or move aside.
        QFile again(path);
        QVERIFY(again.open(QIODevice::ReadOnly));
        QCOMPARE(again.readAll(), garbage);
    }

    void twoInstancesShareAFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("h.sqlite"));
        HistoryDb window;
        HistoryDb cli;
        QVERIFY(window.open(path));
        QVERIFY(cli.open(path));
        QVERIFY(cli.recordRun(runJson(QStringLiteral("r1"),
                                      {},
                                      QStringLiteral("running"),
                                      QStringLiteral("2026-11-01T10:00:00.000Z"),
                                      {{QStringLiteral("v1")}}),
                              dir.path()));
        QCOMPARE(window.runs().size(), 1);
    }

    void model()
    {
        QTemporaryDir dir;
        HistoryDb db;
        QVERIFY(db.open(dir.filePath(QStringLiteral("h.sqlite"))));
        QVERIFY(db.recordRun(runJson(QStringLiteral("a"),
                                     QStringLiteral("Alpha"),
                                     QStringLiteral("finished"),
                                     QStringLiteral("2026-11-01T10:00:00.000Z"),
                                     {{QStringLiteral("v1")}, {QStringLiteral("v2")}}),
                             dir.filePath(QStringLiteral("a"))));

        HistoryModel model(&db);
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.columnCount(), int(HistoryModel::ColumnCount));
        QCOMPARE(model.headerData(HistoryModel::NameColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Name"));
        QCOMPARE(model.headerData(HistoryModel::WinnerColumn, Qt::Horizontal).toString(),
                 QStringLiteral("Winner"));

        QVERIFY(db.recordRun(runJson(QStringLiteral("b"),
                                     QStringLiteral("Beta"),
                                     QStringLiteral("running"),
                                     QStringLiteral("2026-11-02T10:00:00.000Z"),
                                     {{QStringLiteral("v1")}},
                                     QStringLiteral("other:1")),
                             dir.filePath(QStringLiteral("b"))));
        QVERIFY(db.setWinner(QStringLiteral("a"), QStringLiteral("v2")));
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        model.reload();
        QCOMPARE(reset.size(), 1);
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.index(0, HistoryModel::NameColumn).data().toString(),
                 QStringLiteral("Beta"));
        QCOMPARE(model.index(0, HistoryModel::ImageColumn).data().toString(),
                 QStringLiteral("other:1"));
        QCOMPARE(model.index(1, HistoryModel::StateColumn).data().toString(),
                 QStringLiteral("finished"));
        QCOMPARE(model.index(1, HistoryModel::VariationsColumn).data().toInt(), 2);
        QCOMPARE(model.index(1, HistoryModel::WinnerColumn).data().toString(),
                 QStringLiteral("v2"));
        QCOMPARE(model.index(1, HistoryModel::StartedColumn)
                         .data(HistoryModel::SortRole)
                         .toDateTime(),
                 utc("2026-11-01T10:00:00.000Z"));
        QCOMPARE(model.index(1, HistoryModel::StartedColumn).data().toString(),
                 utc("2026-11-01T10:00:00.000Z")
                         .toLocalTime()
                         .toString(QStringLiteral("yyyy-MM-dd HH:mm")));
        QCOMPARE(
                model.index(1, HistoryModel::WinnerColumn).data(HistoryModel::RunIdRole).toString(),
                QStringLiteral("a"));
        QCOMPARE(model.index(1, 0).data(HistoryModel::FolderRole).toString(),
                 QDir(dir.filePath(QStringLiteral("a"))).absolutePath());
        QCOMPARE(model.rowOf(QStringLiteral("a")), 1);
        QCOMPARE(model.rowOf(QStringLiteral("zzz")), -1);
        QCOMPARE(model.runAt(0).id, QStringLiteral("b"));

        HistoryFilter filter;
        filter.state = QStringLiteral("running");
        model.setFilter(filter);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.index(0, 0).data(HistoryModel::RunIdRole).toString(), QStringLiteral("b"));

        QVERIFY(db.removeRun(QStringLiteral("b"), false));
        model.reload();
        QCOMPARE(model.rowCount(), 0);
        model.setFilter({});
        QCOMPARE(model.rowCount(), 1);
    }

    void formatTable()
    {
        const QString out = HistoryFormat::table(
                {QStringLiteral("A"), QStringLiteral("NUM"), QStringLiteral("LAST")},
                {{QStringLiteral("long value"), QStringLiteral("7"), QStringLiteral("x")},
                 {QStringLiteral("b"), QStringLiteral("1234"), QString()}},
                {1});
        QCOMPARE(out,
                 QStringLiteral("A            NUM  LAST\n"
                                "long value     7  x\n"
                                "b           1234\n"));
    }

    void formatRunTable()
    {
        RunSummary a;
        a.id = QStringLiteral("20261101-100000-00aa");
        a.name = QStringLiteral("Fix bug");
        a.startedAt = utc("2026-11-01T10:00:00.000Z");
        a.state = QStringLiteral("finished");
        a.variationCount = 3;
        a.winner = QStringLiteral("v2");
        a.folder = QStringLiteral("/runs/a");
        RunSummary b;
        b.id = QStringLiteral("b");
        b.name = QStringLiteral("n");
        b.state = QStringLiteral("running");
        b.variationCount = 12;
        b.folder = QStringLiteral("/runs/b");
        QCOMPARE(HistoryFormat::runTable({a, b}, QTimeZone::utc()),
                 QStringLiteral("ID                    NAME     STARTED              STATE     "
                                "VARIATIONS  WINNER  FOLDER\n"
                                "20261101-100000-00aa  Fix bug  2026-11-01 10:00:00  finished      "
                                "     3  v2      /runs/a\n"
                                "b                     n        -                    running       "
                                "    12  -       /runs/b\n"));
    }

    void formatRunDetails()
    {
        RunRecord run;
        run.summary.id = QStringLiteral("r1");
        run.summary.name = QStringLiteral("Fix bug");
        run.summary.folder = QStringLiteral("/runs/r1");
        run.summary.image = QStringLiteral("img:1");
        run.summary.state = QStringLiteral("finished");
        run.summary.startedAt = utc("2026-11-01T10:00:00.000Z");
        run.summary.finishedAt = utc("2026-11-01T10:01:05.000Z");
        run.summary.winner = QStringLiteral("v2");
        VariationRecord v1;
        v1.name = QStringLiteral("v1");
        v1.state = QStringLiteral("failed");
        v1.durationMs = 850;
        v1.error = QStringLiteral("image not found");
        VariationRecord v2;
        v2.position = 1;
        v2.name = QStringLiteral("v2");
        v2.state = QStringLiteral("exited");
        v2.exitCode = 0;
        v2.durationMs = 65000;
        v2.stdoutLines = 10;
        v2.stderrLines = 2;
        v2.stdoutBytes = 2000;
        v2.stderrBytes = 48;
        run.variations = {v1, v2};
        QCOMPARE(HistoryFormat::runDetails(run, QTimeZone::utc()),
                 QStringLiteral(
                         "Run:       Fix bug\n"
                         "ID:        r1\n"
                         "Folder:    /runs/r1\n"
                         "Image:     img:1\n"
                         "State:     finished\n"
                         "Started:   2026-11-01 10:00:00\n"
                         "Finished:  2026-11-01 10:01:05 (1m 05s)\n"
                         "Winner:    v2\n"
                         "\n"
                         "   VARIATION  STATE   EXIT  DURATION  LINES    BYTES  STDERR LINES\n"
                         "   v1         failed     -     850ms      0      0 B             0\n"
                         "*  v2         exited     0    1m 05s     12  2.0 KiB             2\n"
                         "\n"
                         "v1: image not found\n"));

        run.summary.winner.clear();
        const QString noWinner = HistoryFormat::runDetails(run, QTimeZone::utc());
        QVERIFY2(noWinner.contains(QLatin1String("\nVARIATION  STATE")), qPrintable(noWinner));
        QVERIFY(noWinner.contains(QLatin1String("Winner:    -\n")));
    }

    void formatDurationAndBytes_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("duration");
        QTest::addColumn<qint64>("bytes");
        QTest::addColumn<QString>("size");
        QTest::addRow("small") << qint64(0) << "0ms" << qint64(0) << "0 B";
        QTest::addRow("under a second") << qint64(999) << "999ms" << qint64(1023) << "1023 B";
        QTest::addRow("seconds") << qint64(12345) << "12.3s" << qint64(1536) << "1.5 KiB";
        QTest::addRow("minutes") << qint64(3599999) << "59m 59s" << qint64(3 * 1024 * 1024)
                                 << "3.0 MiB";
        QTest::addRow("hours") << qint64(3723000) << "1h 02m" << qint64(5) * 1024 * 1024 * 1024
                               << "5.0 GiB";
    }

    void formatDurationAndBytes()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, duration);
        QFETCH(qint64, bytes);
        QFETCH(QString, size);
        QCOMPARE(HistoryFormat::duration(ms), duration);
        QCOMPARE(HistoryFormat::bytes(bytes), size);
    }
};

QTEST_GUILESS_MAIN(TestHistoryDb)
#include "tst_historydb.moc"

#include "historydb.h"

#include "run/runfolder.h"

#include "historylogging.h"

#include <QAtomicInteger>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QLockFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QStandardPaths>

namespace Parallax {

namespace {

// The schema, as the ordered list of steps that build it. Entry i brings a database from
// version i to version i + 1; a new database runs them all. Never edit a released step: add one.
struct Migration
{
    const char *what;
    QList<const char *> statements;
};

const QList<Migration> &migrations()
{
    static const QList<Migration> list{
            {"runs and their variations",
             {"CREATE TABLE runs ("
              " id TEXT PRIMARY KEY NOT NULL,"
              " name TEXT NOT NULL DEFAULT '',"
              " image TEXT NOT NULL DEFAULT '',"
              " spec_json TEXT NOT NULL DEFAULT '{}',"
              " started_at TEXT,"
              " finished_at TEXT,"
              " state TEXT NOT NULL DEFAULT 'running',"
              " folder TEXT NOT NULL DEFAULT '')",
              "CREATE TABLE variations ("
              " run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
              " position INTEGER NOT NULL,"
              " name TEXT NOT NULL,"
              " state TEXT NOT NULL DEFAULT '',"
              " exit_code INTEGER,"
              " duration_ms INTEGER NOT NULL DEFAULT 0,"
              " stdout_bytes INTEGER NOT NULL DEFAULT 0,"
              " stderr_bytes INTEGER NOT NULL DEFAULT 0,"
              " stdout_lines INTEGER NOT NULL DEFAULT 0,"
              " error TEXT NOT NULL DEFAULT '',"
              " PRIMARY KEY (run_id, position))",
              "CREATE INDEX runs_by_start ON runs(started_at)"}},
            {"the winner and stderr line counts",
             {"ALTER TABLE runs ADD COLUMN winner TEXT",
              "ALTER TABLE variations ADD COLUMN stderr_lines INTEGER NOT NULL DEFAULT 0"}},
            {"per-variation images and a folder index",
             {"ALTER TABLE variations ADD COLUMN image TEXT NOT NULL DEFAULT ''",
              "CREATE INDEX runs_by_folder ON runs(folder)"}},
    };
    return list;
}

// Times are stored as UTC ISO 8601 with milliseconds so that text order is time order.
QVariant toDbTime(const QJsonValue &value)
{
    const QDateTime time = QDateTime::fromString(value.toString(), Qt::ISODateWithMs);
    if (!time.isValid())
        return QVariant(QMetaType::fromType<QString>());
    return time.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

QVariant toDbTime(const QDateTime &time)
{
    return time.toUTC().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"));
}

QDateTime fromDbTime(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromString(value.toString(), Qt::ISODateWithMs).toUTC();
}

// QSQLITE binds a null QString as NULL; the text columns are NOT NULL.
QString notNull(const QString &text)
{
    return text.isNull() ? QString(QLatin1String("")) : text;
}

QString cleanFolder(const QString &folder)
{
    return folder.isEmpty() ? QString() : QDir::cleanPath(QDir(folder).absolutePath());
}

QString runImage(const QJsonObject &runJson, const QList<RecordedVariation> &variations)
{
    const QString image = runJson.value(QLatin1String("spec"))
                                  .toObject()
                                  .value(QLatin1String("image"))
                                  .toString();
    if (!image.isEmpty())
        return image;
    return variations.isEmpty() ? QString() : variations.first().image;
}

const char kSummaryColumns[] = "r.id, r.name, r.image, r.started_at, r.finished_at, r.state, "
                               "r.folder, r.winner, "
                               "(SELECT COUNT(*) FROM variations v WHERE v.run_id = r.id)";

RunSummary readSummary(const QSqlQuery &query)
{
    RunSummary s;
    s.id = query.value(0).toString();
    s.name = query.value(1).toString();
    s.image = query.value(2).toString();
    s.startedAt = fromDbTime(query.value(3));
    s.finishedAt = fromDbTime(query.value(4));
    s.state = query.value(5).toString();
    s.folder = query.value(6).toString();
    s.winner = query.value(7).toString();
    s.variationCount = query.value(8).toInt();
    return s;
}

QAtomicInteger<quint64> s_connections;

} // namespace

HistoryDb::HistoryDb()
    : m_connection(QStringLiteral("parallax-history-%1").arg(s_connections.fetchAndAddRelaxed(1)))
{}

HistoryDb::~HistoryDb()
{
    {
        QSqlDatabase db = QSqlDatabase::database(m_connection, false);
        if (db.isValid())
            db.close();
    }
    if (QSqlDatabase::contains(m_connection))
        QSqlDatabase::removeDatabase(m_connection);
}

QString HistoryDb::defaultPath()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
           + QStringLiteral("/history.sqlite");
}

int HistoryDb::latestSchemaVersion()
{
    return int(migrations().size());
}

QSqlDatabase HistoryDb::database() const
{
    return QSqlDatabase::database(m_connection, false);
}

bool HistoryDb::isOpen() const
{
    return m_version > 0 && database().isOpen();
}

int HistoryDb::schemaVersion() const
{
    return isOpen() ? m_version : 0;
}

Error HistoryDb::sqlError(const QString &what, const QString &driverText) const
{
    // SQLite's own words for a file that is not (or no longer) a database.
    if (driverText.contains(QLatin1String("not a database"), Qt::CaseInsensitive)
        || driverText.contains(QLatin1String("malformed"), Qt::CaseInsensitive))
        return Error{QStringLiteral("history database %1 is damaged: %2 (move it aside to start "
                                    "a new history)")
                             .arg(m_path, driverText),
                     1};
    return Error{QStringLiteral("history database %1: %2 failed: %3").arg(m_path, what, driverText),
                 1};
}

Result<void> HistoryDb::open(const QString &path)
{
    m_path = QFileInfo(path.isEmpty() ? defaultPath() : path).absoluteFilePath();
    m_version = 0;
    if (!QDir().mkpath(QFileInfo(m_path).absolutePath()))
        return Error{QStringLiteral("cannot create the folder of history database %1").arg(m_path),
                     1};
    {
        QSqlDatabase db
                = QSqlDatabase::contains(m_connection)
                          ? QSqlDatabase::database(m_connection, false)
                          : QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connection);
        if (!db.isValid())
            return Error{QStringLiteral("cannot open history database %1: Qt's SQLite driver "
                                        "(QSQLITE) is not installed")
                                 .arg(m_path),
                         1};
        db.close();
        db.setDatabaseName(m_path);
        // The window and a CLI command may write at the same moment: wait rather than fail.
        db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open())
            return Error{QStringLiteral("cannot open history database %1: %2")
                                 .arg(m_path, db.lastError().text()),
                         1};
    }
    Result<void> migrated = migrate();
    if (!migrated) {
        database().close();
        m_version = 0;
    }
    return migrated;
}

Result<void> HistoryDb::migrate()
{
    QSqlDatabase db = database();
    QSqlQuery query(db);
    // The first read of the file: where a damaged file shows.
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return sqlError(QStringLiteral("reading the schema version"), query.lastError().text());
    int version = query.value(0).toInt();
    query.finish();
    const int latest = latestSchemaVersion();
    if (version > latest)
        return Error{QStringLiteral("history database %1 was written by a newer Parallax "
                                    "(schema %2; this one knows up to %3)")
                             .arg(m_path)
                             .arg(version)
                             .arg(latest),
                     1};
    if (!query.exec(QStringLiteral("PRAGMA foreign_keys = ON")))
        return sqlError(QStringLiteral("enabling foreign keys"), query.lastError().text());
    // Writes happen on the GUI thread as runs progress: a write-ahead log with NORMAL sync
    // commits without an fsync per transaction and stays crash-safe (a crash can only lose the
    // last commits, which the next start re-imports from run.json).
    query.exec(QStringLiteral("PRAGMA journal_mode = WAL"));
    query.exec(QStringLiteral("PRAGMA synchronous = NORMAL"));

    for (; version < latest; ++version) {
        const Migration &step = migrations().at(version);
        qCDebug(lcHistory) << "migrating" << m_path << "to version" << version + 1 << step.what;
        if (!db.transaction())
            return sqlError(QStringLiteral("starting a migration"), db.lastError().text());
        QSqlQuery ddl(db);
        bool ok = true;
        QString failure;
        for (const char *statement : step.statements) {
            if (!ddl.exec(QString::fromLatin1(statement))) {
                ok = false;
                failure = ddl.lastError().text();
                break;
            }
        }
        // PRAGMA user_version is part of the transaction: the version moves with the schema.
        if (ok && !ddl.exec(QStringLiteral("PRAGMA user_version = %1").arg(version + 1))) {
            ok = false;
            failure = ddl.lastError().text();
        }
        ddl.finish();
        if (!ok || !db.commit()) {
            if (ok)
                failure = db.lastError().text();
            db.rollback();
            return sqlError(QStringLiteral("migrating to schema %1 (%2)")
                                    .arg(version + 1)
                                    .arg(QLatin1String(step.what)),
                            failure);
        }
    }
    m_version = latest;
    return {};
}

Result<void> HistoryDb::recordRun(const QJsonObject &runJson, const QString &folder)
{
    if (!isOpen())
        return Error{QStringLiteral("the history database is not open"), 1};
    const QString id = runJson.value(QLatin1String("run_id")).toString();
    if (id.isEmpty())
        return Error{QStringLiteral("cannot record the run in %1: its run.json has no run_id")
                             .arg(folder),
                     2};
    // Read before the transaction: a damaged variations list records nothing.
    const Result<QList<RecordedVariation>> variations = readRunVariations(runJson, folder);
    if (!variations)
        return variations.error();

    QSqlDatabase db = database();
    if (!db.transaction())
        return sqlError(QStringLiteral("recording run %1").arg(id), db.lastError().text());
    QSqlQuery query(db);
    auto fail = [&](const QString &what) {
        const QString text = query.lastError().text();
        query.finish();
        db.rollback();
        return sqlError(what, text);
    };

    query.prepare(QStringLiteral(
            "INSERT INTO runs (id, name, image, spec_json, started_at, finished_at, state, "
            "folder, winner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET name = excluded.name, image = excluded.image, "
            "spec_json = excluded.spec_json, started_at = excluded.started_at, "
            "finished_at = excluded.finished_at, state = excluded.state, "
            "folder = excluded.folder, winner = COALESCE(excluded.winner, runs.winner)"));
    query.addBindValue(id);
    query.addBindValue(notNull(runJson.value(QLatin1String("name")).toString()));
    query.addBindValue(notNull(runImage(runJson, *variations)));
    // run.json's spec already holds secret names only (RunSpec::toJson never sees a value).
    query.addBindValue(
            QString::fromUtf8(QJsonDocument(runJson.value(QLatin1String("spec")).toObject())
                                      .toJson(QJsonDocument::Compact)));
    query.addBindValue(toDbTime(runJson.value(QLatin1String("started_at"))));
    query.addBindValue(toDbTime(runJson.value(QLatin1String("finished_at"))));
    const QString state = runJson.value(QLatin1String("state")).toString();
    query.addBindValue(state.isEmpty() ? QStringLiteral("running") : state);
    query.addBindValue(notNull(cleanFolder(folder)));
    // A winner in run.json (setWinner() writes it there too) wins over the stored one.
    const QJsonValue winner = runJson.value(QLatin1String("winner"));
    query.addBindValue(winner.isString() ? QVariant(winner.toString())
                                         : QVariant(QMetaType::fromType<QString>()));
    if (!query.exec())
        return fail(QStringLiteral("recording run %1").arg(id));

    // The variations are whatever the latest run.json says: replace them all.
    query.prepare(QStringLiteral("DELETE FROM variations WHERE run_id = ?"));
    query.addBindValue(id);
    if (!query.exec())
        return fail(QStringLiteral("recording run %1").arg(id));
    query.prepare(QStringLiteral(
            "INSERT INTO variations (run_id, position, name, image, state, exit_code, "
            "duration_ms, stdout_bytes, stderr_bytes, stdout_lines, stderr_lines, error) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    for (int i = 0; i < variations->size(); ++i) {
        const RecordedVariation &v = variations->at(i);
        query.addBindValue(id);
        query.addBindValue(i);
        query.addBindValue(notNull(v.name));
        query.addBindValue(notNull(v.image));
        query.addBindValue(notNull(v.state));
        query.addBindValue(v.exitCode ? QVariant(*v.exitCode)
                                      : QVariant(QMetaType::fromType<int>()));
        query.addBindValue(v.durationMs);
        query.addBindValue(v.stdoutBytes);
        query.addBindValue(v.stderrBytes);
        query.addBindValue(v.stdoutLines);
        query.addBindValue(v.stderrLines);
        query.addBindValue(notNull(v.error));
        if (!query.exec())
            return fail(QStringLiteral("recording the variations of run %1").arg(id));
    }
    query.finish();
    if (!db.commit()) {
        const QString text = db.lastError().text();
        db.rollback();
        return sqlError(QStringLiteral("recording run %1").arg(id), text);
    }
    return {};
}

Result<void> HistoryDb::recordFromFolder(const QString &folder)
{
    const Result<QJsonObject> runJson = readRunJson(folder);
    if (!runJson)
        return runJson.error();
    return recordRun(*runJson, folder);
}

ImportReport HistoryDb::importRunFolders(const QString &runsDir)
{
    ImportReport report;
    if (!isOpen())
        return report;
    QHash<QString, QString> known; // folder -> state
    {
        QSqlQuery query(database());
        if (query.exec(QStringLiteral("SELECT folder, state FROM runs"))) {
            while (query.next())
                known.insert(query.value(0).toString(), query.value(1).toString());
        } else {
            report.problems.append(
                    sqlError(QStringLiteral("listing runs"), query.lastError().text()).message);
            return report;
        }
    }
    const QDir dir(runsDir);
    const QStringList entries = dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &entry : entries) {
        const QString folder = cleanFolder(dir.filePath(entry));
        // A folder without run.json is a launch that failed before recording anything.
        if (!QFileInfo::exists(folder + QStringLiteral("/run.json")))
            continue;
        const auto it = known.constFind(folder);
        const bool isNew = it == known.constEnd();
        if (!isNew && *it != QLatin1String("running"))
            continue;
        const Result<void> recorded = recordFromFolder(folder);
        if (!recorded)
            report.problems.append(recorded.errorString());
        else if (isNew)
            ++report.imported;
        else
            ++report.refreshed;
    }
    return report;
}

QList<RunSummary> HistoryDb::runs(const HistoryFilter &filter) const
{
    QList<RunSummary> result;
    if (!isOpen())
        return result;
    QStringList where;
    QVariantList values;
    if (!filter.name.isEmpty()) {
        // instr() rather than LIKE: no wildcard in a name can widen the match.
        where.append(QStringLiteral("instr(lower(r.name), lower(?)) > 0"));
        values.append(filter.name);
    }
    if (!filter.state.isEmpty()) {
        where.append(QStringLiteral("r.state = ?"));
        values.append(filter.state);
    }
    if (!filter.image.isEmpty()) {
        where.append(QStringLiteral("instr(lower(r.image), lower(?)) > 0"));
        values.append(filter.image);
    }
    if (filter.since.isValid()) {
        where.append(QStringLiteral("r.started_at >= ?"));
        values.append(toDbTime(filter.since));
    }
    if (filter.until.isValid()) {
        where.append(QStringLiteral("r.started_at < ?"));
        values.append(toDbTime(filter.until));
    }
    QString sql = QStringLiteral("SELECT %1 FROM runs r").arg(QLatin1String(kSummaryColumns));
    if (!where.isEmpty())
        sql += QStringLiteral(" WHERE ") + where.join(QStringLiteral(" AND "));
    sql += QStringLiteral(" ORDER BY r.started_at DESC, r.id DESC");
    if (filter.limit > 0)
        sql += QStringLiteral(" LIMIT %1").arg(filter.limit);

    QSqlQuery query(database());
    query.prepare(sql);
    for (const QVariant &value : values)
        query.addBindValue(value);
    if (!query.exec()) {
        qCWarning(lcHistory)
                << sqlError(QStringLiteral("listing runs"), query.lastError().text()).message;
        return result;
    }
    while (query.next())
        result.append(readSummary(query));
    return result;
}

std::optional<RunRecord> HistoryDb::run(const QString &id) const
{
    if (!isOpen() || id.isEmpty())
        return std::nullopt;
    QSqlQuery query(database());
    query.prepare(QStringLiteral("SELECT %1, r.spec_json FROM runs r WHERE r.id = ?")
                          .arg(QLatin1String(kSummaryColumns)));
    query.addBindValue(id);
    if (!query.exec() || !query.next()) {
        if (query.lastError().isValid())
            qCWarning(lcHistory) << sqlError(QStringLiteral("reading run %1").arg(id),
                                             query.lastError().text())
                                            .message;
        return std::nullopt;
    }
    RunRecord record;
    record.summary = readSummary(query);
    record.spec = QJsonDocument::fromJson(query.value(9).toString().toUtf8()).object();
    query.finish();

    query.prepare(QStringLiteral(
            "SELECT position, name, image, state, exit_code, duration_ms, stdout_bytes, "
            "stderr_bytes, stdout_lines, stderr_lines, error FROM variations WHERE run_id = ? "
            "ORDER BY position"));
    query.addBindValue(id);
    if (!query.exec()) {
        qCWarning(lcHistory) << sqlError(QStringLiteral("reading run %1").arg(id),
                                         query.lastError().text())
                                        .message;
        return record;
    }
    while (query.next()) {
        VariationRecord v;
        v.position = query.value(0).toInt();
        v.name = query.value(1).toString();
        v.image = query.value(2).toString();
        v.state = query.value(3).toString();
        if (!query.isNull(4))
            v.exitCode = query.value(4).toInt();
        v.durationMs = query.value(5).toLongLong();
        v.stdoutBytes = query.value(6).toLongLong();
        v.stderrBytes = query.value(7).toLongLong();
        v.stdoutLines = query.value(8).toLongLong();
        v.stderrLines = query.value(9).toLongLong();
        v.error = query.value(10).toString();
        record.variations.append(v);
    }
    return record;
}

std::optional<QString> HistoryDb::runIdForFolder(const QString &folder) const
{
    if (!isOpen())
        return std::nullopt;
    QSqlQuery query(database());
    query.prepare(QStringLiteral("SELECT id FROM runs WHERE folder = ?"));
    query.addBindValue(notNull(cleanFolder(folder)));
    if (query.exec() && query.next())
        return query.value(0).toString();
    return std::nullopt;
}

Result<void> HistoryDb::setWinner(const QString &runId, const QString &variation)
{
    const std::optional<RunRecord> record = run(runId);
    if (!record)
        return Error{QStringLiteral("no run %1 in the history").arg(runId), 2};
    if (!variation.isEmpty()) {
        QStringList names;
        for (const VariationRecord &v : record->variations)
            names.append(v.name);
        if (!names.contains(variation))
            return Error{QStringLiteral("run %1 has no variation %2 (it has %3)")
                                 .arg(runId,
                                      variation,
                                      names.isEmpty() ? QStringLiteral("none")
                                                      : names.join(QStringLiteral(", "))),
                         2};
    }
    // run.json is what exports read: the mark goes there first, so a refused write (the run is
    // still recording) leaves both places as they were.
    const QString folder = record->summary.folder;
    if (!folder.isEmpty()
        && QFileInfo::exists(QDir(folder).absoluteFilePath(QStringLiteral("run.json")))) {
        if (Result<void> written = writeRunWinner(folder, variation); !written)
            return written;
    }
    QSqlQuery query(database());
    query.prepare(QStringLiteral("UPDATE runs SET winner = ? WHERE id = ?"));
    query.addBindValue(variation.isEmpty() ? QVariant(QMetaType::fromType<QString>())
                                           : QVariant(variation));
    query.addBindValue(runId);
    if (!query.exec())
        return sqlError(QStringLiteral("marking the winner of run %1").arg(runId),
                        query.lastError().text());
    return {};
}

Result<void> HistoryDb::removeRun(const QString &runId, bool deleteFolder)
{
    const std::optional<RunRecord> record = run(runId);
    if (!record)
        return Error{QStringLiteral("no run %1 in the history").arg(runId), 2};
    const QString folder = record->summary.folder;
    if (deleteFolder && !folder.isEmpty() && QFileInfo(folder).isDir()) {
        const Result<QJsonObject> runJson = readRunJson(folder);
        if (!runJson || runJson->value(QLatin1String("run_id")).toString() != runId)
            return Error{QStringLiteral("refusing to delete %1: its run.json does not name run %2")
                                 .arg(folder, runId),
                         2};
        QLockFile lock(folder + QStringLiteral("/.lock"));
        lock.setStaleLockTime(0);
        if (!lock.tryLock(0)) {
            qint64 pid = 0;
            QString host, app;
            lock.getLockInfo(&pid, &host, &app);
            return Error{QStringLiteral("run %1 is still being recorded by another Parallax "
                                        "process (pid %2)")
                                 .arg(runId)
                                 .arg(pid),
                         1};
        }
        lock.unlock();
        // The folder goes first: if that fails the row stays, so the user can try again.
        if (!QDir(folder).removeRecursively())
            return Error{QStringLiteral("could not delete all of %1; run %2 stays in the history")
                                 .arg(folder, runId),
                         1};
    }
    QSqlDatabase db = database();
    if (!db.transaction())
        return sqlError(QStringLiteral("removing run %1").arg(runId), db.lastError().text());
    QSqlQuery query(db);
    for (const QString &sql : {QStringLiteral("DELETE FROM variations WHERE run_id = ?"),
                               QStringLiteral("DELETE FROM runs WHERE id = ?")}) {
        query.prepare(sql);
        query.addBindValue(runId);
        if (!query.exec()) {
            const QString text = query.lastError().text();
            query.finish();
            db.rollback();
            return sqlError(QStringLiteral("removing run %1").arg(runId), text);
        }
    }
    query.finish();
    if (!db.commit()) {
        const QString text = db.lastError().text();
        db.rollback();
        return sqlError(QStringLiteral("removing run %1").arg(runId), text);
    }
    return {};
}

} // namespace Parallax

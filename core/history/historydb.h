#pragma once

#include "historytypes.h"

#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

class QSqlDatabase;

namespace Parallax {

// The run history: one SQLite file (Qt Sql, QSQLITE) recording every run's metadata, its
// variations' outcomes and the winner; transcripts stay in the run folders. The schema is
// versioned with PRAGMA user_version and brought up to date by open(), one migration per
// version, each in a transaction (see docs/history.md). Each instance has its own named
// connection, so several may be open at once (window, CLI, tests); an instance belongs to
// the thread that opened it. Not copyable.
class HistoryDb
{
public:
    HistoryDb();
    ~HistoryDb();
    HistoryDb(const HistoryDb &) = delete;
    HistoryDb &operator=(const HistoryDb &) = delete;

    // <AppDataLocation>/history.sqlite
    static QString defaultPath();
    // The schema version open() migrates to.
    static int latestSchemaVersion();

    // Opens (creating it and its folder when missing) and migrates the database at path, or
    // defaultPath() when empty. Fails with a sentence naming the file when it is damaged or
    // was written by a newer Parallax.
    Result<void> open(const QString &path = QString());
    bool isOpen() const;
    QString path() const { return m_path; }
    int schemaVersion() const; // 0 when not open

    // Records a run from its run.json object (Run::toJson()), upserting by run_id: call it at
    // start and at every state change; the variations are replaced, the winner is kept.
    Result<void> recordRun(const QJsonObject &runJson, const QString &folder);
    // recordRun() with <folder>/run.json.
    Result<void> recordFromFolder(const QString &folder);
    // Records every run folder under runsDir that the database does not know yet, and
    // re-reads those it still records as running (their process may have died or predated
    // the history). Unreadable folders are reported, not fatal.
    ImportReport importRunFolders(const QString &runsDir);

    QList<RunSummary> runs(const HistoryFilter &filter = {}) const; // newest first
    std::optional<RunRecord> run(const QString &id) const;
    // The id of the run recorded with this folder, if any.
    std::optional<QString> runIdForFolder(const QString &folder) const;

    // Marks a variation of a run as the winner; an empty name clears it.
    Result<void> setWinner(const QString &runId, const QString &variation);
    // Forgets a run; with deleteFolder also deletes its folder (only when that folder's
    // run.json names this run, so a wrong path can never take other files with it).
    Result<void> removeRun(const QString &runId, bool deleteFolder);

private:
    QSqlDatabase database() const;
    Result<void> migrate();
    Error sqlError(const QString &what, const QString &driverText) const;

    QString m_connection;
    QString m_path;
    int m_version = 0;
};

} // namespace Parallax

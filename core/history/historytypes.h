#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Parallax {

// Plain values read from and written to the run history (HistoryDb). Times are UTC.

// Which runs HistoryDb::runs() returns. Empty fields do not filter.
struct HistoryFilter
{
    QString name;    // substring of the run name, case-insensitive (ASCII)
    QString state;   // running | finished | cancelled, exact
    QString image;   // substring of the image, case-insensitive (ASCII)
    QDateTime since; // started at or after
    QDateTime until; // started before
    int limit = 0;   // at most this many, newest first; 0: all
};

// One row of the run list.
struct RunSummary
{
    QString id;
    QString name;
    QString image;
    QDateTime startedAt;
    QDateTime finishedAt; // invalid while running
    QString state;        // running | finished | cancelled
    QString folder;       // absolute path of the run folder
    QString winner;       // a variation name, or empty
    int variationCount = 0;
};

// One variation of a recorded run, as its run.json last said.
struct VariationRecord
{
    int position = 0; // index in the run
    QString name;
    QString image;
    QString state; // VariationState's name: pending, pulling, ..., exited, failed, cancelled
    std::optional<int> exitCode;
    qint64 durationMs = 0;
    qint64 stdoutBytes = 0;
    qint64 stderrBytes = 0;
    qint64 stdoutLines = 0;
    qint64 stderrLines = 0;
    QString error;
};

// A run with its spec and variations.
struct RunRecord
{
    RunSummary summary;
    QJsonObject spec; // run.json's spec: secret names, never values
    QList<VariationRecord> variations;
};

// What HistoryDb::importRunFolders() did.
struct ImportReport
{
    int imported = 0;     // folders new to the database
    int refreshed = 0;    // runs recorded as running, re-read from their run.json
    QStringList problems; // folders that could not be read, one sentence each
};

} // namespace Parallax

#pragma once

#include "util/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Parallax {

// Reads a run folder's run.json. Errors (code 2) name the folder and say whether it is not a
// run folder at all or its record is damaged. Used by resume, history, export and the window.
Result<QJsonObject> readRunJson(const QString &folder);

// One entry of run.json's "variations" array, typed: what the exporter, the history database,
// the compare summary and the run viewer read. A field that is absent or of the wrong type reads
// as absent (empty, 0, nullopt), as a run recorded by an older Parallax may lack it. File names
// are confined to the run folder here and nowhere else: run.json names plain files in its own
// folder, and a name that is not one ("../x", "/etc/passwd", "a/b") is dropped, with the reason
// in `problems`, so that no reader follows a damaged or hostile run.json outside its folder.
struct RecordedVariation
{
    QString name;
    QString image;
    QString state; // as run.json has it: "exited", "failed", ...; empty when absent
    std::optional<int> exitCode;
    QDateTime startedAt; // invalid when not recorded
    QDateTime finishedAt;
    qint64 durationMs = 0;
    qint64 stdoutBytes = 0;
    qint64 stderrBytes = 0;
    qint64 stdoutLines = 0;
    qint64 stderrLines = 0;
    QString error;
    QString note;
    // Absolute paths inside the run folder. The transcript falls back to "<name>.jsonl" when
    // run.json names none (or an unusable one); it is empty only when even that name would leave
    // the folder. The files need not exist (a variation that never started has none).
    QString transcriptPath;
    QString logPath;   // empty when none is recorded
    QString patchPath; // empty when the variation left no workspace patch
    // The patch's counts; meaningful only with a patchPath.
    qint64 filesChanged = 0;
    qint64 insertions = 0;
    qint64 deletions = 0;
    std::optional<double> cpuPeakPercent; // never sampled: nullopt
    std::optional<qint64> memoryPeakBytes;
    QStringList problems; // one sentence per file name that was dropped

    QString patchFileName() const; // the patch's file name, empty without one
};

// Reads the "variations" of a run.json read from `folder` (readRunJson), in order. An absent
// or null array is an empty list; an array that is not one, or an entry that is not an object,
// is an error (code 2) naming the run.json.
Result<QList<RecordedVariation>> readRunVariations(const QJsonObject &runJson,
                                                   const QString &folder);

// Records `winner` (a variation name; empty clears it) in the folder's run.json, atomically, so
// that exports and every later reader see it. A run that is still being recorded is refused
// (code 2): its recorder rewrites run.json and would drop the mark.
Result<void> writeRunWinner(const QString &folder, const QString &winner);

} // namespace Parallax

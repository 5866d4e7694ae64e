#pragma once

#include "historytypes.h"

#include <QTimeZone>

namespace Parallax::HistoryFormat {

// Plain-text renderings of the history for the terminal (`parallax history`, `parallax show`).
// Pure functions: the CLI prints what they return, tests compare it. Times are shown in zone.

// Columns padded to their widest cell, two spaces apart, no trailing spaces. rightAligned
// lists the columns whose cells are right-aligned (numbers).
QString table(const QStringList &headers,
              const QList<QStringList> &rows,
              const QList<int> &rightAligned = {});

// ID NAME STARTED STATE VARIATIONS WINNER FOLDER, one row per run.
QString runTable(const QList<RunSummary> &runs,
                 const QTimeZone &zone = QTimeZone::systemTimeZone());

// A run's header (name, id, folder, image, times, state) and a table of its variations with
// the winner marked.
QString runDetails(const RunRecord &run, const QTimeZone &zone = QTimeZone::systemTimeZone());

QString time(const QDateTime &at, const QTimeZone &zone);
QString duration(qint64 ms); // 850ms, 12.3s, 4m 05s, 1h 02m
QString bytes(qint64 count); // 512 B, 1.5 KiB, 3.0 MiB

} // namespace Parallax::HistoryFormat

#pragma once

#include "util/result.h"

#include <QJsonObject>
#include <QString>

namespace Parallax {

// Reads a run folder's run.json. Errors (code 2) name the folder and say whether it is not a
// run folder at all or its record is damaged. Used by resume, history, export and the window.
Result<QJsonObject> readRunJson(const QString &folder);

// Records `winner` (a variation name; empty clears it) in the folder's run.json, atomically, so
// that exports and every later reader see it. A run that is still being recorded is refused
// (code 2): its recorder rewrites run.json and would drop the mark.
Result<void> writeRunWinner(const QString &folder, const QString &winner);

} // namespace Parallax

#pragma once

#include "util/result.h"

#include <QJsonObject>
#include <QString>

namespace Parallax {

// Reads a run folder's run.json. Errors (code 2) name the folder and say whether it is not a
// run folder at all or its record is damaged. Used by resume, history, export and the window.
Result<QJsonObject> readRunJson(const QString &folder);

} // namespace Parallax

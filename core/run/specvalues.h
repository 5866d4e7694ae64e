#pragma once

#include "util/result.h"

#include <QString>
#include <QStringList>

namespace Parallax {

// The human spellings of sizes and durations used in run specs (`limits.memory`,
// `limits.timeout`) and on the command line. Pure functions, safe from any thread.
//
// Sizes are binary: "256k" is 256 KiB, "512m" 512 MiB, "1.5g" 1.5 GiB, "1t" 1 TiB; a plain
// integer is a byte count. Units are case-insensitive and may be followed by "b" or "ib"
// ("512MB", "2GiB"), as Docker accepts. A fractional value is rounded down to whole bytes.
//
// Durations are one or more number+unit parts, largest first or not: "500ms", "90s", "30m",
// "1h", "1h30m", "1.5h". Units are ms, s, m, h (case-insensitive); a bare number is rejected
// because it would be ambiguous.

// Bytes from "512m", "2g", "1.5g", "256k" or "1048576". The error reads
// "'2 gigs' is not a size like 512m or 2g".
Result<qint64> parseSize(const QString &text);

// Milliseconds from "90s", "30m", "1h", "500ms", "1h30m". The error reads
// "'5 minutes' is not a duration like 90s or 30m".
Result<qint64> parseDuration(const QString &text);

// The shortest exact spelling that parseSize() reads back: "512m", "2g", "1536m", "256k",
// or the plain byte count when no unit divides it.
QString formatSize(qint64 bytes);

// The spelling that parseDuration() reads back, in the unit a person would write: whole
// minutes as hours and minutes ("30m", "1h", "1h30m"), else whole seconds ("90s"), else
// milliseconds ("500ms", "1500ms").
QString formatDuration(qint64 ms);

// Case-insensitive Levenshtein distance (for "did you mean" hints; the words are short).
qsizetype editDistance(const QString &a, const QString &b);

// The candidate closest to `word` within `maxDistance` edits, for "did you mean \"host\"?";
// empty when none is that close.
QString closestMatch(const QString &word, const QStringList &candidates, qsizetype maxDistance = 2);

} // namespace Parallax

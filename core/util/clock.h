#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <optional>
#include <utility>

namespace Parallax {

// Wall-clock time stamps in RFC 3339, UTC, with nanoseconds: "2026-11-23T21:40:01.123456789Z".
// Transcripts stamp every received chunk with one, and Docker's log API speaks the same format,
// so parsing accepts what Docker and other writers emit as well.

// Now (CLOCK_REALTIME), formatted with 9 fractional digits and a "Z" suffix.
QByteArray rfc3339Nanos();

// The given instant (seconds since the Unix epoch plus nanoseconds; nanoseconds outside
// 0..999999999 are carried into the seconds). Years outside 0000..9999 are written with more
// digits or a sign, which RFC 3339 cannot express but keeps the value readable.
QByteArray rfc3339Nanos(qint64 secondsSinceEpoch, int nanoseconds);

// Parses "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+hh:mm|-hh:mm)" into seconds since the epoch (UTC)
// and nanoseconds. Accepts lowercase "t"/"z" and a space for "T" (RFC 3339 section 5.6 note),
// 0 to 9 fraction digits (further digits are truncated, not rounded) and a leap second ":60",
// which counts as the first second of the next minute. Returns nullopt for anything else.
std::optional<std::pair<qint64, int>> parseRfc3339Nanos(QByteArrayView text);

// The same, as milliseconds since the epoch (what Qt's clocks and the panes' gutters use).
std::optional<qint64> parseRfc3339Msecs(QByteArrayView text);

} // namespace Parallax

#pragma once

#include <QDateTime>
#include <QList>
#include <QString>

namespace Parallax {

// The life of one variation: Pending -> Creating -> Running -> one final state.
enum class VariationState {
    Pending,
    Creating,
    Running,
    Exited, // exitCode says how
    Failed, // error says why (Docker refused, image missing, daemon lost...)
    Cancelled,
    TimedOut,
    OutOfMemory, // the kernel killed it at its memory limit (State.OOMKilled)
};

bool isFinal(VariationState state);
QString stateName(VariationState state);           // "running", "timed out", ...
VariationState stateFromName(const QString &name); // inverse of stateName; Failed if unknown
// Words for a badge or a table: "exited 0", "exited 3", "out of memory", "failed".
QString stateLabel(VariationState state, int exitCode);

struct StateTransition
{
    VariationState state;
    QDateTime at; // UTC, millisecond precision
};

} // namespace Parallax

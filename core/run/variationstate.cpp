#include "variationstate.h"

namespace Parallax {

bool isFinal(VariationState state)
{
    return state != VariationState::Pending && state != VariationState::Creating
           && state != VariationState::Running;
}

QString stateName(VariationState state)
{
    switch (state) {
    case VariationState::Pending:
        return QStringLiteral("pending");
    case VariationState::Creating:
        return QStringLiteral("creating");
    case VariationState::Running:
        return QStringLiteral("running");
    case VariationState::Exited:
        return QStringLiteral("exited");
    case VariationState::Failed:
        return QStringLiteral("failed");
    case VariationState::Cancelled:
        return QStringLiteral("cancelled");
    case VariationState::TimedOut:
        return QStringLiteral("timed out");
    case VariationState::OutOfMemory:
        return QStringLiteral("out of memory");
    }
    return QStringLiteral("failed");
}

VariationState stateFromName(const QString &name)
{
    for (VariationState s : {VariationState::Pending,
                             VariationState::Creating,
                             VariationState::Running,
                             VariationState::Exited,
                             VariationState::Failed,
                             VariationState::Cancelled,
                             VariationState::TimedOut,
                             VariationState::OutOfMemory}) {
        if (stateName(s) == name)
            return s;
    }
    return VariationState::Failed;
}

QString stateLabel(VariationState state, int exitCode)
{
    if (state == VariationState::Exited)
        return QStringLiteral("exited %1").arg(exitCode);
    return stateName(state);
}

} // namespace Parallax

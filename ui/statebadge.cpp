#include "statebadge.h"

namespace Parallax {

StateBadge::StateBadge(QWidget *parent)
    : QLabel(parent)
{
    setAlignment(Qt::AlignCenter);
    setState(VariationState::Pending, -1);
}

QColor StateBadge::colorFor(VariationState state, int exitCode)
{
    switch (state) {
    case VariationState::Pending:
        return QColor(0x8a, 0x8f, 0x98);
    case VariationState::Creating:
        return QColor(0x5b, 0x8d, 0xd6);
    case VariationState::Running:
        return QColor(0x2f, 0x80, 0xed);
    case VariationState::Exited:
        return exitCode == 0 ? QColor(0x1e, 0x9e, 0x5a) : QColor(0xd6, 0x6a, 0x1f);
    case VariationState::Failed:
        return QColor(0xd0, 0x3b, 0x3b);
    case VariationState::Cancelled:
        return QColor(0x7a, 0x7f, 0x88);
    case VariationState::TimedOut:
        return QColor(0xb3, 0x6b, 0x00);
    case VariationState::OutOfMemory:
        return QColor(0xa3, 0x2c, 0x8c);
    }
    return Qt::gray;
}

void StateBadge::setState(VariationState state, int exitCode, bool reconnecting)
{
    const QColor color = reconnecting ? QColor(0xb3, 0x8f, 0x00) : colorFor(state, exitCode);
    setText(reconnecting ? QStringLiteral("reconnecting") : stateLabel(state, exitCode));
    setStyleSheet(
            QStringLiteral(
                    "QLabel { background: %1; color: white; border-radius: 8px; padding: 1px 8px;"
                    " font-weight: 600; }")
                    .arg(color.name()));
    setToolTip(text());
}

} // namespace Parallax

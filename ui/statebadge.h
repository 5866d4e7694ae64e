#pragma once

#include "run/variationstate.h"

#include <QLabel>

namespace Parallax {

// A rounded badge that names a variation's state in colour and words ("running", "exited 3",
// "out of memory"), readable on light and dark palettes.
class StateBadge : public QLabel
{
    Q_OBJECT
public:
    explicit StateBadge(QWidget *parent = nullptr);
    void setState(VariationState state, int exitCode, bool reconnecting = false);
    static QColor colorFor(VariationState state, int exitCode);
};

} // namespace Parallax

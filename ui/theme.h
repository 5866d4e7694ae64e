#pragma once

#include <QString>

namespace Parallax::Theme {

enum class Mode { System, Light, Dark };

// Applies a palette to the whole application: the system's own, or Fusion in light or dark.
// Panes resolve ANSI default colours against the palette, so text stays readable in all three.
// System leaves the palette unset, so it keeps following the desktop when it switches between
// light and dark while Parallax runs (Qt 6.4 has no colour-scheme API; it re-resolves the
// application palette on the platform's theme change).
void apply(Mode mode);
Mode fromString(const QString &name); // "system", "light", "dark"
QString toString(Mode mode);

} // namespace Parallax::Theme

#pragma once

#include <QString>

namespace Parallax::Theme {

enum class Mode { System, Light, Dark };

// Applies a palette to the whole application: the system's own, or Fusion in light or dark.
// Panes resolve ANSI default colours against the palette, so text stays readable in all three.
void apply(Mode mode);
Mode fromString(const QString &name); // "system", "light", "dark"
QString toString(Mode mode);

} // namespace Parallax::Theme

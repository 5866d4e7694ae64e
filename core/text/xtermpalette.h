#pragma once

#include <QtGlobal>

namespace Parallax {

// The 256-colour palette as 0xRRGGBB: 0-15 are xterm's default ANSI colours, 16-231 the
// 6x6x6 colour cube, 232-255 the grey ramp. Indexes outside 0-255 give 0 (black).
quint32 xterm256Rgb(int index);

} // namespace Parallax

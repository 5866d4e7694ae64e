#include "text/xtermpalette.h"

namespace Parallax {

quint32 xterm256Rgb(int index)
{
    // xterm's own defaults (XTerm-col.ad), which most themes start from.
    static constexpr quint32 base[16] = {
            0x000000,
            0xcd0000,
            0x00cd00,
            0xcdcd00,
            0x0000ee,
            0xcd00cd,
            0x00cdcd,
            0xe5e5e5,
            0x7f7f7f,
            0xff0000,
            0x00ff00,
            0xffff00,
            0x5c5cff,
            0xff00ff,
            0x00ffff,
            0xffffff,
    };
    static constexpr quint32 cubeLevel[6] = {0x00, 0x5f, 0x87, 0xaf, 0xd7, 0xff};

    if (index < 0 || index > 255)
        return 0;
    if (index < 16)
        return base[index];
    if (index < 232) {
        const int i = index - 16;
        return cubeLevel[i / 36] << 16 | cubeLevel[i / 6 % 6] << 8 | cubeLevel[i % 6];
    }
    const quint32 grey = 8 + 10 * quint32(index - 232);
    return grey << 16 | grey << 8 | grey;
}

} // namespace Parallax

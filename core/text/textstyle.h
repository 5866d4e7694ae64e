#pragma once

#include <QString>
#include <QtGlobal>

namespace Parallax {

// A foreground or background colour as a program asked for it. Default means "the theme's
// colour" (SGR 39/49); Indexed is one of the 256 palette entries (0-15 are the theme's ANSI
// colours, see xterm256Rgb() for the rest); Rgb is a 24-bit colour (SGR 38;2;r;g;b).
// Resolving to an actual colour is the view's job, so core needs no QColor.
struct TextColor
{
    enum Kind : quint8 { Default, Indexed, Rgb } kind = Default;
    quint8 index = 0;
    quint8 r = 0, g = 0, b = 0;

    bool operator==(const TextColor &) const = default;

    static TextColor indexed(int i) { return {Indexed, quint8(i), 0, 0, 0}; }
    static TextColor rgb(int red, int green, int blue)
    {
        return {Rgb, 0, quint8(red), quint8(green), quint8(blue)};
    }
};

// The graphic rendition (SGR) state that applies to a run of text. Inverse is kept as a flag;
// the view swaps the resolved colours.
struct TextStyle
{
    TextColor fg, bg;
    bool bold = false, dim = false, italic = false, underline = false, inverse = false,
         strike = false;

    bool operator==(const TextStyle &) const = default;
};

// A run of decoded text sharing one style.
struct TextSpan
{
    QString text;
    TextStyle style;

    bool operator==(const TextSpan &) const = default;
};

} // namespace Parallax

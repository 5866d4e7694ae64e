#pragma once

// Compact text for a TextStyle ("b,u,fg=#ff8000"), so style expectations in data-driven tests of
// the ANSI parser and the terminal buffer read as one short string.

#include "text/textstyle.h"

#include <QString>
#include <QStringList>

#include <utility>

namespace Parallax::TestText {

inline QString describeColor(const TextColor &color)
{
    switch (color.kind) {
    case TextColor::Default:
        return {};
    case TextColor::Indexed:
        return QString::number(color.index);
    case TextColor::Rgb:
        return QStringLiteral("#%1").arg(
                quint32(color.r) << 16 | quint32(color.g) << 8 | color.b, 6, 16, QLatin1Char('0'));
    }
    return {};
}

inline QString describeStyle(const TextStyle &style)
{
    QStringList parts;
    const std::pair<bool, const char *> flags[] = {{style.bold, "b"},
                                                   {style.dim, "d"},
                                                   {style.italic, "i"},
                                                   {style.underline, "u"},
                                                   {style.inverse, "v"},
                                                   {style.strike, "s"}};
    for (const auto &[on, name] : flags) {
        if (on)
            parts << QLatin1String(name);
    }
    if (style.fg.kind != TextColor::Default)
        parts << QStringLiteral("fg=") + describeColor(style.fg);
    if (style.bg.kind != TextColor::Default)
        parts << QStringLiteral("bg=") + describeColor(style.bg);
    return parts.join(QLatin1Char(','));
}

} // namespace Parallax::TestText

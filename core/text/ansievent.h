#pragma once

#include "text/textstyle.h"

namespace Parallax {

// One thing AnsiParser found in a terminal stream: a styled run of text, a carriage return
// (the cursor goes back to the start of the line, so following text overwrites it, as progress
// bars expect) or a line feed. "\r\n" is reported as a single Newline.
struct AnsiEvent
{
    enum Kind : quint8 { Text, CarriageReturn, Newline } kind = Text;
    TextSpan span; // only for Text

    bool operator==(const AnsiEvent &) const = default;
};

} // namespace Parallax

#pragma once

#include <QByteArrayView>
#include <QStringView>

namespace Parallax {

// What a line of a unified diff (git's or a plain one) is, for colouring it.
enum class DiffLine { Context, FileHeader, Hunk, Added, Removed };

namespace Detail {
inline bool startsWith(QByteArrayView line, const char *prefix)
{
    return line.startsWith(prefix);
}
inline bool startsWith(QStringView line, const char *prefix)
{
    return line.startsWith(QLatin1String(prefix));
}
} // namespace Detail

// git's file headers ("diff --git", "--- a/…", "+++ b/…", "index", modes, renames) first, so
// that "--- " and "+++ " are not taken for a removed or an added line.
template<typename View>
DiffLine classifyDiffLine(View line)
{
    for (const char *header : {"diff --git ",
                               "--- ",
                               "+++ ",
                               "index ",
                               "new file mode",
                               "deleted file mode",
                               "rename ",
                               "similarity index"}) {
        if (Detail::startsWith(line, header))
            return DiffLine::FileHeader;
    }
    if (Detail::startsWith(line, "@@"))
        return DiffLine::Hunk;
    if (Detail::startsWith(line, "+"))
        return DiffLine::Added;
    if (Detail::startsWith(line, "-"))
        return DiffLine::Removed;
    return DiffLine::Context;
}

} // namespace Parallax

#pragma once

#include "util/streamtype.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Parallax::Cli {

// Interleaves several variations' output on one terminal: every line is prefixed with its
// variation's name ("[v2] ", stderr as "[v2:err] "), a partial line is written at once rather
// than held for its newline, and when another variation speaks in the middle of a partial line
// that line is broken and later continued under its prefix again. Pure formatting: returns the
// bytes to write.
class StreamPrinter
{
public:
    explicit StreamPrinter(const QStringList &names, bool colour = false);

    QByteArray format(int variation, StreamType stream, QByteArrayView data);
    // Ends a dangling partial line (before a summary).
    QByteArray finish();

private:
    QByteArray prefix(int variation, StreamType stream) const;
    QByteArray makePrefix(const QByteArray &name, int variation, StreamType stream) const;

    QList<QByteArray> m_prefixes; // [variation * 2 + (stderr ? 1 : 0)]
    bool m_colour;
    int m_lastVariation = -1;
    StreamType m_lastStream = StreamType::Stdout;
    bool m_midLine = false;
    QByteArray m_out; // reused by format()
};

} // namespace Parallax::Cli

#include "streamprinter.h"

#include "util/bytecount.h"

#include <algorithm>

namespace Parallax::Cli {

static const char *const kColours[] = {"\x1b[36m",
                                       "\x1b[35m",
                                       "\x1b[33m",
                                       "\x1b[32m",
                                       "\x1b[34m",
                                       "\x1b[96m",
                                       "\x1b[95m",
                                       "\x1b[93m"};

StreamPrinter::StreamPrinter(const QStringList &names, bool colour)
    : m_colour(colour)
{
    // A flood prints a prefix per line: make each label once.
    for (int i = 0; i < names.size(); ++i) {
        for (StreamType stream : {StreamType::Stdout, StreamType::Stderr})
            m_prefixes.append(makePrefix(names[i].toUtf8(), i, stream));
    }
}

QByteArray StreamPrinter::makePrefix(const QByteArray &name, int variation, StreamType stream) const
{
    const QByteArray label = '[' + name + (stream == StreamType::Stderr ? ":err" : "") + "] ";
    if (!m_colour)
        return label;
    const char *colour = stream == StreamType::Stderr ? "\x1b[31m" : kColours[variation % 8];
    return QByteArray(colour) + label + "\x1b[0m";
}

QByteArray StreamPrinter::prefix(int variation, StreamType stream) const
{
    const qsizetype index = qsizetype(variation) * 2 + (stream == StreamType::Stderr ? 1 : 0);
    if (variation >= 0 && index < m_prefixes.size())
        return m_prefixes[index];
    return makePrefix(QByteArray::number(variation), variation, stream);
}

QByteArray StreamPrinter::format(int variation, StreamType stream, QByteArrayView data)
{
    // One buffer for every call: a flood formats megabytes per second, and a fresh allocation
    // per chunk costs a page fault per 4 KiB (the caller's copy is gone by the next call, so
    // resize(0) keeps the capacity). Sized up front: the data plus a label per line.
    QByteArray &out = m_out;
    out.resize(0);
    const qsizetype lines = countByte(data, '\n') + 2;
    out.reserve(data.size() + lines * prefix(variation, stream).size() + 8);
    const bool same = variation == m_lastVariation && stream == m_lastStream;
    if (m_midLine && !same) {
        out.append(m_colour ? "\x1b[0m\n" : "\n"); // break the other variation's partial line
        m_midLine = false;
    }
    qsizetype pos = 0;
    while (pos < data.size()) {
        if (!m_midLine)
            out.append(prefix(variation, stream));
        const qsizetype nl = data.indexOf('\n', pos);
        const qsizetype end = nl < 0 ? data.size() : nl + 1;
        out.append(data.sliced(pos, end - pos));
        m_midLine = nl < 0;
        pos = end;
    }
    m_lastVariation = variation;
    m_lastStream = stream;
    return out;
}

QByteArray StreamPrinter::finish()
{
    if (!m_midLine)
        return {};
    m_midLine = false;
    return m_colour ? QByteArray("\x1b[0m\n") : QByteArray("\n");
}

} // namespace Parallax::Cli

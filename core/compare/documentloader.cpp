#include "compare/documentloader.h"

#include "text/terminalbuffer.h"
#include "transcript/transcriptreader.h"
#include "util/clock.h"
#include "util/difflines.h"

#include <QDir>
#include <QFile>

namespace Parallax::DocumentLoader {

Result<void> loadTranscript(const QString &jsonlPath, TerminalBuffer *buffer)
{
    TranscriptReader reader;
    if (Result<void> opened = reader.open(jsonlPath); !opened)
        return opened;
    TranscriptChunk chunk;
    qint64 last = 0;
    while (reader.next(&chunk)) {
        last = parseRfc3339Msecs(chunk.time).value_or(0);
        buffer->append(chunk.stream, chunk.data, last);
    }
    if (!reader.errorString().isEmpty())
        return Error{reader.errorString(), 1};
    buffer->finish(last);
    return {};
}

QByteArray colorizePatch(QByteArrayView patch)
{
    static constexpr QByteArrayView Reset = "\x1b[m";
    QByteArray out;
    out.reserve(patch.size() + patch.size() / 4);
    qsizetype at = 0;
    while (at < patch.size()) {
        qsizetype end = patch.indexOf('\n', at);
        const bool newline = end >= 0;
        if (!newline)
            end = patch.size();
        const QByteArrayView line = patch.sliced(at, end - at);
        QByteArrayView sgr;
        switch (classifyDiffLine(line)) {
        case DiffLine::FileHeader:
            sgr = "\x1b[1m";
            break;
        case DiffLine::Hunk:
            sgr = "\x1b[36m";
            break;
        case DiffLine::Added:
            sgr = "\x1b[32m";
            break;
        case DiffLine::Removed:
            sgr = "\x1b[31m";
            break;
        case DiffLine::Context:
            break;
        }
        if (sgr.isEmpty()) {
            out.append(line);
        } else {
            out.append(sgr);
            out.append(line);
            out.append(Reset);
        }
        if (newline)
            out.append('\n');
        at = end + 1;
    }
    return out;
}

Result<void> loadPatch(const QString &patchPath, TerminalBuffer *buffer, bool colour)
{
    QFile file(patchPath);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("cannot read the patch %1: %2")
                             .arg(QDir::toNativeSeparators(patchPath), file.errorString()),
                     1};
    const QByteArray patch = file.readAll();
    buffer->append(StreamType::Stdout, colour ? colorizePatch(patch) : patch, 0);
    buffer->finish(0);
    return {};
}

} // namespace Parallax::DocumentLoader

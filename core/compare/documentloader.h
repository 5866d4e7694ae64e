#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Parallax {

class TerminalBuffer;

// Fills TerminalBuffers from what a run folder holds, for the compare and patch views: a
// variation's transcript (every chunk with its recorded receipt time, so time alignment and
// the timestamp gutter show when each line arrived) and a workspace patch (coloured like
// `git diff --color`). The buffer keeps its own line cap; what it drops is counted in its
// droppedLines(). Plain functions; the caller's thread.
namespace DocumentLoader {

// Appends the transcript's chunks; a torn last record (a crash mid-write) ends it quietly.
Result<void> loadTranscript(const QString &jsonlPath, TerminalBuffer *buffer);

// Appends the patch with SGR colours: file headers bold, hunk headers cyan, additions green,
// removals red. `colour` false appends it as it is (for comparing two patches).
Result<void> loadPatch(const QString &patchPath, TerminalBuffer *buffer, bool colour = true);

// The patch text with the SGR colours loadPatch() adds.
QByteArray colorizePatch(QByteArrayView patch);

} // namespace DocumentLoader

} // namespace Parallax

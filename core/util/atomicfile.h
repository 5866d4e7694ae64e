#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QString>

namespace Parallax {

// Replaces the file at `path` with `bytes` atomically: written to a temporary file beside it,
// then renamed over it, so a reader (or a Parallax killed mid-write) sees the old file or the
// new one, never a torn one. Unlike QSaveFile it does not fsync: run.json and patches are
// rewritten on the GUI thread at every state change, and an fsync there can block the window
// for hundreds of milliseconds on a busy disk (seen: 450 ms). A power cut may lose the latest
// version; the transcripts, which are the record that matters, and recovery do not depend on
// it. Any thread.
Result<void> writeFileAtomically(const QString &path, const QByteArray &bytes);

} // namespace Parallax

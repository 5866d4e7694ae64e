#pragma once

#include <QStringList>

namespace Parallax::Cli {

// `parallax export RUN --format markdown|html|json|text [-o FILE]`: writes an export of a run
// folder (or of the run with that id in the app data folder) to FILE, atomically, or to
// stdout. args are the words after "export". Returns 0, 1 when reading or writing failed, 2 for
// bad arguments, an unknown format or a folder that is not a run folder.
int exportRun(const QStringList &args);

} // namespace Parallax::Cli

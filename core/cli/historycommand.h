#pragma once

#include <QStringList>

namespace Parallax::Cli {

// `parallax history [--state S] [--name TEXT] [--image TEXT] [--limit N]`: imports run folders
// the history does not know yet, then prints a table of the recorded runs, newest first.
int history(const QStringList &args);
// `parallax show RUN [--winner NAME | --no-winner]`: a run's summary and its variations; RUN is
// a run id or a run folder (recorded on the way when the history does not know it).
int show(const QStringList &args);

QString historyUsage();

} // namespace Parallax::Cli

#pragma once

#include <QStringList>

namespace Parallax::Cli {

// Exit statuses shared by every command.
enum ExitCode {
    ExitOk = 0,
    ExitFailed = 1,   // a variation did not exit 0, or a command failed
    ExitUsage = 2,    // bad arguments or a bad spec
    ExitNoDocker = 3, // Docker cannot be reached
    ExitInterrupted = 130,
};

// Whether argv asks for a command-line subcommand (doctor, run, resume, --version, --help)
// rather than the window. Such commands never need a display.
bool isCommandLine(int argc, char *argv[]);
// Runs a subcommand with its own QCoreApplication.
int main(int argc, char *argv[]);

int doctor(const QStringList &args);
int run(const QStringList &args);
int resume(const QStringList &args);

QString usage();

} // namespace Parallax::Cli

#include "cli/cli.h"
#include "guiapp.h"

int main(int argc, char *argv[])
{
    // Subcommands (run, resume, doctor, --version) never need a display.
    if (Parallax::Cli::isCommandLine(argc, argv))
        return Parallax::Cli::main(argc, argv);
    return Parallax::Gui::main(argc, argv);
}

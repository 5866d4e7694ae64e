#include "cli/cli.h"

int main(int argc, char *argv[])
{
    if (Parallax::Cli::isCommandLine(argc, argv))
        return Parallax::Cli::main(argc, argv);
    return Parallax::Cli::main(argc, argv);
}

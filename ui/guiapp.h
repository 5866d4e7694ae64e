#pragma once

namespace Parallax::Gui {

// Starts the window: `parallax [SPEC.json] [--start]`.
int main(int argc, char *argv[]);

} // namespace Parallax::Gui

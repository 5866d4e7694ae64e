#pragma once

#include <QtGlobal>

namespace Parallax {

// Which of a container's output streams a piece of output came from. The values are those of
// Docker's stream frame header (1 stdout, 2 stderr, 3 a daemon error message in logs).
enum class StreamType : quint8 {
    Stdout = 1,
    Stderr = 2,
    DaemonError = 3,
};

} // namespace Parallax

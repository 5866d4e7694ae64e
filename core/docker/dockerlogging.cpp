#include "dockerlogging.h"

namespace Parallax {
Q_LOGGING_CATEGORY(lcDocker, "parallax.docker", QtWarningMsg)
}

#include "runlogging.h"

namespace Parallax {
Q_LOGGING_CATEGORY(lcRun, "parallax.run", QtWarningMsg)
}

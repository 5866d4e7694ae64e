#include "historylogging.h"

namespace Parallax {
Q_LOGGING_CATEGORY(lcHistory, "parallax.history", QtWarningMsg)
}

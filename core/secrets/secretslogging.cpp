#include "secretslogging.h"

namespace Parallax {
Q_LOGGING_CATEGORY(lcSecrets, "parallax.secrets", QtWarningMsg)
}

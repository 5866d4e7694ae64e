#pragma once

#include <QLoggingCategory>

namespace Parallax {
Q_DECLARE_LOGGING_CATEGORY(lcSecrets)
}

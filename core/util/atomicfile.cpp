#include "util/atomicfile.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace Parallax {

Result<void> writeFileAtomically(const QString &path, const QByteArray &bytes)
{
    // Beside the target (same filesystem, so the rename is atomic), unique per process.
    const QString temporary
            = QStringLiteral("%1.tmp-%2").arg(path).arg(QCoreApplication::applicationPid());
    QFile file(temporary);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return Error{QStringLiteral("cannot write %1: %2")
                             .arg(QDir::toNativeSeparators(path), file.errorString()),
                     1};
    if (file.write(bytes) != bytes.size() || !file.flush()) {
        const QString error = file.errorString();
        file.close();
        file.remove();
        return Error{
                QStringLiteral("cannot write %1: %2").arg(QDir::toNativeSeparators(path), error),
                1};
    }
    file.close();
    // POSIX rename() replaces the target in one step; QFile::rename() refuses an existing one.
    if (std::rename(QFile::encodeName(temporary).constData(), QFile::encodeName(path).constData())
        != 0) {
        const QString error = QString::fromLocal8Bit(std::strerror(errno));
        QFile::remove(temporary);
        return Error{
                QStringLiteral("cannot replace %1: %2").arg(QDir::toNativeSeparators(path), error),
                1};
    }
    return {};
}

} // namespace Parallax

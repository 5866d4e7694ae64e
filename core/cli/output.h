#pragma once

#include <QByteArrayView>
#include <QString>

namespace Parallax::Cli::Output {

// Unbuffered writes to stdout/stderr (write(2) until done), so streamed output reaches the
// terminal or pipe the moment it is produced.
void writeAll(int fd, QByteArrayView bytes);
inline void out(QByteArrayView bytes)
{
    writeAll(1, bytes);
}
inline void err(QByteArrayView bytes)
{
    writeAll(2, bytes);
}
inline void out(const QByteArray &bytes)
{
    writeAll(1, bytes);
}
inline void err(const QByteArray &bytes)
{
    writeAll(2, bytes);
}
void out(const QString &text);
void err(const QString &text);

} // namespace Parallax::Cli::Output

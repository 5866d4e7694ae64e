#include "output.h"

#include <cerrno>
#include <unistd.h>

namespace Parallax::Cli::Output {

void writeAll(int fd, QByteArrayView bytes)
{
    const char *data = bytes.data();
    qsizetype left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, data, size_t(left));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return; // a closed pipe: nothing more to do
        }
        data += n;
        left -= n;
    }
}

void out(const QString &text)
{
    writeAll(1, text.toUtf8());
}

void err(const QString &text)
{
    writeAll(2, text.toUtf8());
}

} // namespace Parallax::Cli::Output

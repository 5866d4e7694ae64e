#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

namespace Parallax {

// Reads the entries of a whole tar archive held in memory, as Docker's archive endpoint returns
// it (ustar, with the GNU long-name and pax extended headers it may add). Only what Parallax
// needs: names, types and the bytes of regular files. Sizes are octal (or GNU base-256);
// archives are bounded: an entry larger than kMaxEntryBytes, a truncated archive or a corrupt
// header is an error rather than a guess. A pure function; any thread.
class TarReader
{
public:
    static constexpr qint64 kMaxEntryBytes = 16 * 1024 * 1024;

    struct Entry
    {
        enum class Type { File, Directory, Other };
        QString name;
        Type type = Type::Other;
        QByteArray data; // regular files only
    };

    static Result<QList<Entry>> read(QByteArrayView archive);
    // The one regular file of an archive of a single path (as GET /containers/{id}/archive of a
    // file returns it); an error when there is none.
    static Result<QByteArray> singleFile(QByteArrayView archive);
};

} // namespace Parallax

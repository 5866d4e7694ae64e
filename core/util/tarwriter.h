#pragma once

#include "util/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Parallax {

// Writes a POSIX ustar archive in memory, as Docker's POST /build takes a build context.
// Regular files (with their mode) and directories only. Names longer than ustar's 100 bytes
// are split into its prefix/name fields when that fits, and otherwise carried by a pax
// extended header ("path="). The output is deterministic: every entry has the same mtime,
// uid/gid 0 and empty owner names, so the same entries in the same order give the same bytes
// (which is what lets an image tag be a hash of its inputs). A value type; any thread.
class TarWriter
{
public:
    // Fixed so that archives are reproducible; 2000-01-01T00:00:00Z.
    static constexpr qint64 kMtime = 946684800;
    // ustar's size field holds 11 octal digits.
    static constexpr qint64 kMaxEntryBytes = 077777777777LL;

    // A relative path with '/' separators ("bin/entrypoint.sh"); no "..", no leading '/'.
    Result<void> addFile(const QString &path, QByteArrayView data, int mode = 0644);
    // A directory entry ("node_modules/"); the trailing slash is added when missing.
    Result<void> addDirectory(const QString &path, int mode = 0755);
    // A symbolic link to a relative target that stays inside the archive ("../pkg/cli.js"), as
    // node_modules/.bin holds them.
    Result<void> addSymlink(const QString &path, const QString &target);
    // Adds a directory tree from disk under `prefix`, in sorted order. Files keep their
    // executable bit; relative symlinks that stay inside the tree are kept as links; absolute or
    // escaping links and special files are an error, so a context never depends on the host.
    Result<void> addTree(const QString &diskPath, const QString &prefix);

    // The archive so far plus the two zero blocks that end it.
    QByteArray finish() const;
    qsizetype entryCount() const { return m_entries; }
    qsizetype size() const { return m_data.size(); }

    static Result<void> checkPath(const QString &path);

private:
    Result<void> addEntry(const QString &path,
                          char type,
                          QByteArrayView data,
                          int mode,
                          const QByteArray &linkName = {});

    QByteArray m_data;
    qsizetype m_entries = 0;
};

} // namespace Parallax

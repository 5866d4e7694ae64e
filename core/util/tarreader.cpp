#include "tarreader.h"

#include <limits>

namespace Parallax {

namespace {

constexpr qsizetype kBlock = 512;

// A NUL- or space-terminated octal field; GNU writes base-256 (high bit set) for big values.
bool parseNumber(QByteArrayView field, qint64 *value)
{
    *value = 0;
    if (!field.isEmpty() && (uchar(field[0]) & 0x80)) {
        if (uchar(field[0]) & 0x40)
            return false; // negative
        qint64 v = uchar(field[0]) & 0x3f;
        for (qsizetype i = 1; i < field.size(); ++i) {
            if (v > (std::numeric_limits<qint64>::max() >> 8))
                return false;
            v = (v << 8) | uchar(field[i]);
        }
        *value = v;
        return true;
    }
    qsizetype i = 0;
    while (i < field.size() && field[i] == ' ')
        ++i;
    bool any = false;
    for (; i < field.size() && field[i] >= '0' && field[i] <= '7'; ++i) {
        if (*value > (std::numeric_limits<qint64>::max() >> 3))
            return false;
        *value = (*value << 3) | (field[i] - '0');
        any = true;
    }
    for (; i < field.size(); ++i) {
        if (field[i] != ' ' && field[i] != '\0')
            return false;
    }
    return any;
}

QByteArray cString(QByteArrayView field)
{
    const qsizetype end = field.indexOf('\0');
    return (end < 0 ? field : field.first(end)).toByteArray();
}

bool checksumMatches(QByteArrayView header)
{
    qint64 stored = 0;
    if (!parseNumber(header.sliced(148, 8), &stored))
        return false;
    qint64 sum = 0;
    for (qsizetype i = 0; i < kBlock; ++i)
        sum += (i >= 148 && i < 156) ? ' ' : uchar(header[i]);
    return sum == stored;
}

// The "path" record of a pax extended header ("<len> path=<value>\n" records).
QByteArray paxPath(QByteArrayView data)
{
    QByteArray path;
    qsizetype at = 0;
    while (at < data.size()) {
        const qsizetype space = data.indexOf(' ', at);
        if (space < 0)
            break;
        bool ok = false;
        const qsizetype length = data.sliced(at, space - at).toByteArray().toLongLong(&ok);
        if (!ok || length <= space - at || at + length > data.size())
            break;
        const QByteArrayView record = data.sliced(space + 1, at + length - space - 1);
        if (record.startsWith("path=") && record.endsWith('\n'))
            path = record.sliced(5, record.size() - 6).toByteArray();
        at += length;
    }
    return path;
}

} // namespace

Result<QList<TarReader::Entry>> TarReader::read(QByteArrayView archive)
{
    QList<Entry> entries;
    QByteArray longName; // from a GNU 'L' or pax 'x' header, for the next entry
    qsizetype at = 0;
    while (true) {
        if (at + kBlock > archive.size()) {
            // Two zero blocks end an archive; some writers stop after one or none.
            if (at == archive.size())
                return entries;
            return Error{QStringLiteral("the archive is truncated (a header at byte %1)").arg(at),
                         1};
        }
        const QByteArrayView header = archive.sliced(at, kBlock);
        if (header.count('\0') == kBlock)
            return entries;
        if (!checksumMatches(header))
            return Error{QStringLiteral("the archive is corrupt (bad header at byte %1)").arg(at),
                         1};
        qint64 size = 0;
        if (!parseNumber(header.sliced(124, 12), &size))
            return Error{QStringLiteral("the archive is corrupt (bad size at byte %1)").arg(at), 1};
        if (size > kMaxEntryBytes)
            return Error{QStringLiteral("an entry of the archive is too large (%1 bytes, at most "
                                        "%2)")
                                 .arg(size)
                                 .arg(kMaxEntryBytes),
                         1};
        at += kBlock;
        if (size > archive.size() - at)
            return Error{QStringLiteral("the archive is truncated (an entry of %1 bytes at byte "
                                        "%2)")
                                 .arg(size)
                                 .arg(at),
                         1};
        const QByteArrayView data = archive.sliced(at, qsizetype(size));
        at += qsizetype((size + kBlock - 1) / kBlock * kBlock);
        if (at > archive.size())
            at = archive.size(); // a last entry without its padding: its bytes are all there

        const char type = header[156];
        if (type == 'L') {
            longName = cString(data);
            continue;
        }
        if (type == 'x') {
            longName = paxPath(data);
            continue;
        }
        if (type == 'g' || type == 'K')
            continue; // global pax header, GNU long link name: nothing we use

        Entry entry;
        QByteArray name = longName;
        longName.clear();
        if (name.isEmpty()) {
            name = cString(header.sliced(0, 100));
            if (header.sliced(257, 5) == QByteArrayView("ustar")) {
                const QByteArray prefix = cString(header.sliced(345, 155));
                if (!prefix.isEmpty())
                    name = prefix + '/' + name;
            }
        }
        entry.name = QString::fromUtf8(name);
        if (type == '0' || type == '\0' || type == '7') {
            entry.type = Entry::Type::File;
            entry.data = data.toByteArray();
        } else if (type == '5') {
            entry.type = Entry::Type::Directory;
        }
        entries.append(std::move(entry));
    }
}

Result<QByteArray> TarReader::singleFile(QByteArrayView archive)
{
    const Result<QList<Entry>> entries = read(archive);
    if (!entries)
        return entries.error();
    for (const Entry &entry : *entries) {
        if (entry.type == Entry::Type::File)
            return entry.data;
    }
    return Error{QStringLiteral("the archive holds no regular file"), 1};
}

} // namespace Parallax

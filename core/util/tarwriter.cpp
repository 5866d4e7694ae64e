#include "tarwriter.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace Parallax {

namespace {

constexpr qsizetype kBlock = 512;

// A zero-padded octal field of `width` bytes: width-1 digits and a NUL.
void putOctal(char *field, int width, qint64 value)
{
    const QByteArray digits = QByteArray::number(value, 8).rightJustified(width - 1, '0');
    memcpy(field, digits.constData(), size_t(width - 1));
    field[width - 1] = '\0';
}

void putString(char *field, int width, QByteArrayView text)
{
    memcpy(field, text.data(), size_t(qMin<qsizetype>(width, text.size())));
}

void pad(QByteArray *data)
{
    const qsizetype rest = data->size() % kBlock;
    if (rest)
        data->append(kBlock - rest, '\0');
}

QByteArray header(QByteArrayView name,
                  QByteArrayView prefix,
                  char type,
                  qint64 size,
                  int mode,
                  QByteArrayView linkName = {})
{
    QByteArray block(kBlock, '\0');
    char *h = block.data();
    putString(h, 100, name);
    putOctal(h + 100, 8, mode & 07777);
    putOctal(h + 108, 8, 0); // uid
    putOctal(h + 116, 8, 0); // gid
    putOctal(h + 124, 12, size);
    putOctal(h + 136, 12, TarWriter::kMtime);
    memset(h + 148, ' ', 8); // checksum counts as spaces while it is computed
    h[156] = type;
    putString(h + 157, 100, linkName);
    putString(h + 257, 6, "ustar"); // "ustar\0"
    putString(h + 263, 2, "00");
    putOctal(h + 329, 8, 0); // devmajor
    putOctal(h + 337, 8, 0); // devminor
    putString(h + 345, 155, prefix);
    qint64 sum = 0;
    for (qsizetype i = 0; i < kBlock; ++i)
        sum += uchar(h[i]);
    // Six digits, NUL, space: what GNU tar and POSIX write.
    const QByteArray digits = QByteArray::number(sum, 8).rightJustified(6, '0');
    memcpy(h + 148, digits.constData(), 6);
    h[154] = '\0';
    h[155] = ' ';
    return block;
}

// ustar stores a long path as prefix + '/' + name with name <= 100 and prefix <= 155 bytes.
bool splitUstar(const QByteArray &path, QByteArray *prefix, QByteArray *name)
{
    if (path.size() <= 100) {
        *prefix = {};
        *name = path;
        return true;
    }
    // The latest slash that leaves a name of at most 100 bytes and a prefix of at most 155.
    for (qsizetype slash = path.lastIndexOf('/'); slash > 0;
         slash = path.lastIndexOf('/', slash - 1)) {
        if (path.size() - slash - 1 > 100)
            break;
        if (slash <= 155 && path.size() - slash - 1 > 0) {
            *prefix = path.first(slash);
            *name = path.sliced(slash + 1);
            return true;
        }
    }
    return false;
}

// One pax record: "<length> key=value\n", where length counts itself.
QByteArray paxRecord(QByteArrayView key, QByteArrayView value)
{
    const qsizetype body = key.size() + value.size() + 3; // ' ', '=', '\n'
    qsizetype length = body + QByteArray::number(body).size();
    if (QByteArray::number(length).size() != QByteArray::number(body).size())
        ++length;
    return QByteArray::number(length) + ' ' + key.toByteArray() + '=' + value.toByteArray() + '\n';
}

} // namespace

Result<void> TarWriter::checkPath(const QString &path)
{
    if (path.isEmpty())
        return Error{QStringLiteral("a tar entry needs a name")};
    if (path.startsWith(u'/'))
        return Error{QStringLiteral("tar entry \"%1\": the path must be relative").arg(path)};
    if (path.contains(u'\\') || path.contains(QChar(0)))
        return Error{QStringLiteral("tar entry \"%1\": the path has a backslash or NUL").arg(path)};
    const QStringList parts = path.split(u'/', Qt::SkipEmptyParts);
    if (parts.contains(QStringLiteral("..")))
        return Error{
                QStringLiteral("tar entry \"%1\": the path must not contain \"..\"").arg(path)};
    return {};
}

Result<void> TarWriter::addFile(const QString &path, QByteArrayView data, int mode)
{
    if (path.endsWith(u'/'))
        return Error{QStringLiteral("tar entry \"%1\": a file name cannot end in '/'").arg(path)};
    return addEntry(path, '0', data, mode);
}

Result<void> TarWriter::addDirectory(const QString &path, int mode)
{
    return addEntry(path.endsWith(u'/') ? path : path + u'/', '5', {}, mode);
}

Result<void> TarWriter::addSymlink(const QString &path, const QString &target)
{
    if (target.isEmpty() || target.startsWith(u'/'))
        return Error{QStringLiteral("tar entry \"%1\": the link target \"%2\" must be relative")
                             .arg(path, target)};
    // Resolve the target against the link's folder: it must not climb out of the archive.
    const QString folder = path.contains(u'/') ? path.left(path.lastIndexOf(u'/')) : QString();
    const QString resolved = QDir::cleanPath(folder.isEmpty() ? target : folder + u'/' + target);
    if (resolved == QLatin1String("..") || resolved.startsWith(QLatin1String("../")))
        return Error{QStringLiteral("tar entry \"%1\": the link target \"%2\" leaves the archive")
                             .arg(path, target)};
    const QByteArray link = target.toUtf8();
    if (link.size() > 100)
        return Error{QStringLiteral("tar entry \"%1\": the link target is longer than 100 bytes")
                             .arg(path)};
    return addEntry(path, '2', {}, 0777, link);
}

Result<void> TarWriter::addEntry(
        const QString &path, char type, QByteArrayView data, int mode, const QByteArray &linkName)
{
    if (auto ok = checkPath(path); !ok)
        return ok;
    if (data.size() > kMaxEntryBytes)
        return Error{QStringLiteral("tar entry \"%1\" is too large (%2 bytes)")
                             .arg(path)
                             .arg(data.size())};
    const QByteArray utf8 = path.toUtf8();
    QByteArray prefix;
    QByteArray name;
    if (!splitUstar(utf8, &prefix, &name)) {
        // Too long for ustar: a pax header carries the real path; the ustar name is a
        // truncated stand-in that readers without pax support still extract somewhere.
        const QByteArray records = paxRecord("path", utf8);
        m_data += header("PaxHeader/" + utf8.right(90), {}, 'x', records.size(), 0644);
        m_data += records;
        pad(&m_data);
        name = utf8.right(100);
        if (type == '5' && !name.endsWith('/'))
            name = utf8.right(99) + '/';
        prefix = {};
    }
    m_data += header(name, prefix, type, data.size(), mode, linkName);
    m_data.append(data.data(), data.size());
    pad(&m_data);
    ++m_entries;
    return {};
}

Result<void> TarWriter::addTree(const QString &diskPath, const QString &prefix)
{
    const QFileInfo root(diskPath);
    if (!root.isDir())
        return Error{QStringLiteral("%1 is not a directory").arg(diskPath)};
    QStringList paths;
    QDirIterator it(diskPath,
                    QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext())
        paths << it.next();
    std::sort(paths.begin(), paths.end());
    const QDir base(diskPath);
    const QString stem = prefix.isEmpty() || prefix.endsWith(u'/') ? prefix : prefix + u'/';
    if (!stem.isEmpty()) {
        if (auto ok = addDirectory(stem); !ok)
            return ok;
    }
    for (const QString &path : std::as_const(paths)) {
        const QFileInfo info(path);
        const QString name = stem + base.relativeFilePath(path);
        if (info.isSymLink()) {
            const QString target = QFile::symLinkTarget(path);
            const QString relative = QFileInfo(path).dir().relativeFilePath(target);
            // symLinkTarget() is absolute; keep the link relative and inside the tree.
            if (!QDir::cleanPath(target).startsWith(QDir::cleanPath(root.absoluteFilePath())
                                                    + u'/'))
                return Error{QStringLiteral("%1 is a symbolic link out of %2: build contexts take "
                                            "only files, directories and links inside them")
                                     .arg(path, diskPath)};
            if (auto ok = addSymlink(name, relative); !ok)
                return ok;
        } else if (info.isDir()) {
            if (auto ok = addDirectory(name); !ok)
                return ok;
        } else if (info.isFile()) {
            QFile file(path);
            if (!file.open(QIODevice::ReadOnly))
                return Error{QStringLiteral("cannot read %1: %2").arg(path, file.errorString())};
            const int mode = info.isExecutable() ? 0755 : 0644;
            if (auto ok = addFile(name, file.readAll(), mode); !ok)
                return ok;
        } else {
            return Error{QStringLiteral("%1 is not a regular file or directory").arg(path)};
        }
    }
    return {};
}

QByteArray TarWriter::finish() const
{
    QByteArray out = m_data;
    out.append(2 * kBlock, '\0');
    return out;
}

} // namespace Parallax

#include "specvalues.h"

#include <QList>
#include <QRegularExpression>

#include <algorithm>
#include <cmath>
#include <limits>

namespace Parallax {

namespace {

constexpr qint64 KiB = 1024;
constexpr qint64 MiB = KiB * 1024;
constexpr qint64 GiB = MiB * 1024;
constexpr qint64 TiB = GiB * 1024;

constexpr qint64 Second = 1000;
constexpr qint64 Minute = 60 * Second;
constexpr qint64 Hour = 60 * Minute;

// Beyond 2^53 a double no longer holds every integer; nobody means a limit that large, and
// refusing it keeps the arithmetic below exact.
constexpr double MaxExact = 9007199254740992.0;

Error sizeError(const QString &text)
{
    return Error{QStringLiteral("'%1' is not a size like 512m or 2g").arg(text), 2};
}

Error durationError(const QString &text)
{
    return Error{QStringLiteral("'%1' is not a duration like 90s or 30m").arg(text), 2};
}

qint64 sizeUnit(QChar unit)
{
    switch (unit.toLower().unicode()) {
    case 'k':
        return KiB;
    case 'm':
        return MiB;
    case 'g':
        return GiB;
    case 't':
        return TiB;
    default:
        return 1;
    }
}

qint64 durationUnit(const QString &unit)
{
    const QString u = unit.toLower();
    if (u == QLatin1String("ms"))
        return 1;
    if (u == QLatin1String("s"))
        return Second;
    if (u == QLatin1String("m"))
        return Minute;
    return Hour;
}

} // namespace

Result<qint64> parseSize(const QString &text)
{
    // Docker's own grammar (units.RAMInBytes): digits, an optional fraction, one optional space,
    // an optional unit with optional "i" and "b" ("2g", "2GB", "2GiB", "100b").
    static const QRegularExpression pattern(
            QStringLiteral(R"(^(\d+)(?:\.(\d+))? ?(?:([kmgt])(?:i?b)?|b)?$)"),
            QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return sizeError(text);

    const QString unitText = match.captured(3);
    const QString fraction = match.captured(2);
    if (unitText.isEmpty() && !fraction.isEmpty())
        return sizeError(text); // a fraction of a byte means a forgotten unit

    const qint64 unit = unitText.isEmpty() ? 1 : sizeUnit(unitText.at(0));
    const double value
            = match.captured(1).toDouble()
              + (fraction.isEmpty() ? 0.0 : QString(QLatin1String("0.") + fraction).toDouble());
    const double bytes = std::floor(value * double(unit));
    if (bytes >= MaxExact)
        return Error{QStringLiteral("'%1' is too large for a size").arg(text), 2};
    return qint64(bytes);
}

Result<qint64> parseDuration(const QString &text)
{
    static const QRegularExpression part(QStringLiteral(R"((\d+(?:\.\d+)?)(ms|h|m|s)\s*)"),
                                         QRegularExpression::CaseInsensitiveOption);
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return durationError(text);

    double total = 0;
    qsizetype offset = 0;
    while (offset < trimmed.size()) {
        const QRegularExpressionMatch match
                = part.match(trimmed,
                             offset,
                             QRegularExpression::NormalMatch,
                             QRegularExpression::AnchorAtOffsetMatchOption);
        if (!match.hasMatch())
            return durationError(text);
        total += match.captured(1).toDouble() * double(durationUnit(match.captured(2)));
        offset = match.capturedEnd(0);
    }
    if (total >= MaxExact)
        return Error{QStringLiteral("'%1' is too long for a duration").arg(text), 2};
    return qint64(std::llround(total));
}

QString formatSize(qint64 bytes)
{
    if (bytes <= 0)
        return QString::number(bytes);
    static constexpr struct
    {
        qint64 size;
        char suffix;
    } units[] = {{TiB, 't'}, {GiB, 'g'}, {MiB, 'm'}, {KiB, 'k'}};
    for (const auto &unit : units) {
        if (bytes % unit.size == 0)
            return QString::number(bytes / unit.size) + QLatin1Char(unit.suffix);
    }
    return QString::number(bytes);
}

QString formatDuration(qint64 ms)
{
    if (ms <= 0)
        return QStringLiteral("0s");
    if (ms % Second != 0)
        return QString::number(ms) + QLatin1String("ms");
    if (ms % Minute != 0)
        return QString::number(ms / Second) + QLatin1Char('s');
    const qint64 hours = ms / Hour;
    const qint64 minutes = (ms % Hour) / Minute;
    QString out;
    if (hours > 0)
        out += QString::number(hours) + QLatin1Char('h');
    if (minutes > 0)
        out += QString::number(minutes) + QLatin1Char('m');
    return out;
}

qsizetype editDistance(const QString &a, const QString &b)
{
    const QString x = a.toLower();
    const QString y = b.toLower();
    QList<qsizetype> previous(y.size() + 1);
    QList<qsizetype> current(y.size() + 1);
    for (qsizetype j = 0; j <= y.size(); ++j)
        previous[j] = j;
    for (qsizetype i = 1; i <= x.size(); ++i) {
        current[0] = i;
        for (qsizetype j = 1; j <= y.size(); ++j) {
            const qsizetype substitution = previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
        }
        std::swap(previous, current);
    }
    return previous[y.size()];
}

QString closestMatch(const QString &word, const QStringList &candidates, qsizetype maxDistance)
{
    QString best;
    qsizetype bestDistance = maxDistance + 1;
    for (const QString &candidate : candidates) {
        const qsizetype distance = editDistance(word, candidate);
        if (distance < bestDistance) {
            bestDistance = distance;
            best = candidate;
        }
    }
    return best;
}

} // namespace Parallax

#pragma once

// Shared by the protocol tests: feeding a parser its input cut in every way that matters (whole,
// a byte at a time, in two at every point, at random points from fixed seeds, empty feeds
// included) so results must be identical whatever the cut, and the byte-level test data they
// build (literals with NULs, Docker stream frames, patterned payloads).

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QRandomGenerator>
#include <QString>

namespace Parallax::TestSplit {

// A byte array from a literal, embedded NULs included.
template<qsizetype N>
QByteArray bytes(const char (&literal)[N])
{
    return QByteArray(literal, N - 1);
}

inline QString yesNo(bool value)
{
    return value ? QStringLiteral("yes") : QStringLiteral("no");
}

// "N bytes '<start, percent-encoded>...'" for failure messages.
inline QString abbreviated(const QByteArray &data)
{
    const QByteArray shown = data.left(120);
    return QStringLiteral("%1 bytes '%2%3'")
            .arg(data.size())
            .arg(QString::fromLatin1(shown.toPercentEncoding(" :;{}\",=-_./")),
                 data.size() > shown.size() ? QStringLiteral("...") : QString());
}

// One Docker stream frame: [type, 0, 0, 0, big-endian u32 size] then the payload.
inline QByteArray frame(quint8 type, const QByteArray &payload)
{
    const auto size = quint32(payload.size());
    const char header[8] = {char(type),
                            0,
                            0,
                            0,
                            char(size >> 24),
                            char((size >> 16) & 0xff),
                            char((size >> 8) & 0xff),
                            char(size & 0xff)};
    return QByteArray(header, 8) + payload;
}

// Deterministic bytes of every value, not periodic at small powers of two.
inline QByteArray pattern(qsizetype size)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char((i * 7 + i / 251) & 0xff);
    return data;
}

// One way of cutting an input into feeds: whole, a byte at a time, in two at a given point, or
// at random points drawn from a fixed seed (empty feeds included: they must change nothing).
struct Split
{
    enum Kind { Whole, Bytewise, Two, Random };
    Kind kind = Whole;
    qsizetype param = 0; // the split point, or the seed

    QString name() const
    {
        switch (kind) {
        case Whole:
            return QStringLiteral("whole");
        case Bytewise:
            return QStringLiteral("byte at a time");
        case Two:
            return QStringLiteral("split at %1").arg(param);
        case Random:
            return QStringLiteral("random seed %1").arg(param);
        }
        return {};
    }
};

inline QList<Split> splitsFor(qsizetype size)
{
    QList<Split> splits{{Split::Whole, 0}};
    if (size > 1)
        splits.append({Split::Bytewise, 0});
    if (size < 2048) {
        for (qsizetype at = 1; at < size; ++at)
            splits.append({Split::Two, at});
    }
    for (const qsizetype seed : {1, 7, 42, 2024, 65537})
        splits.append({Split::Random, seed});
    return splits;
}

// Calls feed(piece) for each piece of `data` cut as `split` says, until feed returns false.
template<typename Feed>
void feedPieces(QByteArrayView data, const Split &split, Feed &&feed)
{
    switch (split.kind) {
    case Split::Whole:
        feed(data);
        return;
    case Split::Bytewise:
        for (qsizetype i = 0; i < data.size(); ++i) {
            if (!feed(data.sliced(i, 1)))
                return;
        }
        return;
    case Split::Two:
        if (feed(data.first(split.param)))
            feed(data.sliced(split.param));
        return;
    case Split::Random: {
        QRandomGenerator rng(quint32(split.param));
        qsizetype pos = 0;
        while (pos < data.size()) {
            qsizetype n = 0;
            switch (rng.bounded(4)) {
            case 0:
                break;
            case 1:
                n = rng.bounded(1, 9);
                break;
            case 2:
                n = rng.bounded(1, 600);
                break;
            default:
                n = rng.bounded(1, 70000);
                break;
            }
            n = qMin(n, data.size() - pos);
            if (!feed(data.sliced(pos, n)))
                return;
            pos += n;
        }
        return;
    }
    }
}

} // namespace Parallax::TestSplit

#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QList>

#include <array>

namespace Parallax {

// Masks secret values (API keys, tokens passed to a container) in one output stream before it
// is recorded or shown. Every occurrence of a secret becomes mask() ("••••••"); occurrences that
// overlap (share at least one byte, e.g. "abc" and "bcdef" in "abcdef", or "aa" in "aaa") form
// one masked run with one mask, so no fragment of any secret survives; adjacent occurrences
// that do not overlap get a mask each. Where secrets start at the same byte the longer wins.
//
// feed() may be given the stream in arbitrary pieces: it holds back only a tail that is a proper
// prefix of some secret (plus, rarely, a masked run that a further secret could still extend)
// and releases it once the next bytes decide, so the concatenated output of feed()... finish()
// equals redact() of the whole stream for every way of splitting it. rawConsumed reports how
// many input bytes the returned output stands for, which the transcript records to keep raw
// stream offsets; over a whole stream the counts add up to its length. A returned mask always
// covers whole masked runs, so a chunk boundary in the output never falls inside a secret.
//
// One instance per stream, owned by the variation's runner; not thread-safe (GUI thread).
class SecretRedactor
{
public:
    explicit SecretRedactor(QList<QByteArray> secretValues); // empty values are ignored

    QByteArray feed(QByteArrayView chunk, qint64 *rawConsumed);
    QByteArray finish(qint64 *rawConsumed); // end of stream: releases whatever is held
    bool isHolding() const;

    static QByteArray mask(); // "••••••" in UTF-8
    static QByteArray redact(QByteArrayView text, const QList<QByteArray> &secretValues);
    // Every string in a JSON value (object keys kept), redacted.
    static QJsonValue redactJson(const QJsonValue &value, const QList<QByteArray> &secretValues);

private:
    struct Match
    {
        qsizetype length; // of the longest secret that starts here, 0 for none
        bool decided;     // false while more input could still reveal a longer match
    };

    QByteArray process(QByteArrayView input, bool endOfStream, qint64 *rawConsumed);
    Match longestMatchAt(const char *at, qsizetype available, bool endOfStream) const;

    QList<QByteArray> m_secrets; // distinct, non-empty, longest first
    std::array<bool, 256> m_startsSecret{};
    QByteArray m_held;               // undecided input: could still be the start of a secret
    bool m_inMaskedRun = false;      // a masked run is open (its mask is not emitted yet)
    qint64 m_maskedRunScanned = 0;   // input bytes of the open run already scanned (not held)
    qint64 m_maskedRunRemaining = 0; // bytes ahead of the scan position the run surely covers
};

} // namespace Parallax

#include "secretredactor.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <cstring>

namespace Parallax {

SecretRedactor::SecretRedactor(QList<QByteArray> secretValues)
{
    secretValues.removeAll(QByteArray());
    // Longest first: the first full match found at a position is then the longest one.
    std::sort(
            secretValues.begin(), secretValues.end(), [](const QByteArray &a, const QByteArray &b) {
                return a.size() != b.size() ? a.size() > b.size() : a < b;
            });
    secretValues.erase(std::unique(secretValues.begin(), secretValues.end()), secretValues.end());
    m_secrets = std::move(secretValues);
    for (const QByteArray &secret : std::as_const(m_secrets))
        m_startsSecret[uchar(secret.front())] = true;
}

QByteArray SecretRedactor::mask()
{
    return QByteArrayLiteral(
            "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2");
}

QByteArray SecretRedactor::feed(QByteArrayView chunk, qint64 *rawConsumed)
{
    return process(chunk, false, rawConsumed);
}

QByteArray SecretRedactor::finish(qint64 *rawConsumed)
{
    return process(QByteArrayView(), true, rawConsumed);
}

bool SecretRedactor::isHolding() const
{
    return !m_held.isEmpty() || m_inMaskedRun;
}

QByteArray SecretRedactor::redact(QByteArrayView text, const QList<QByteArray> &secretValues)
{
    SecretRedactor redactor(secretValues);
    qint64 consumed = 0;
    QByteArray out = redactor.feed(text, &consumed);
    out += redactor.finish(&consumed);
    return out;
}

SecretRedactor::Match
SecretRedactor::longestMatchAt(const char *at, qsizetype available, bool endOfStream) const
{
    for (const QByteArray &secret : m_secrets) {
        if (secret.size() > available) {
            // The input ends inside what may become this (longer) secret: wait for more.
            if (!endOfStream && std::memcmp(at, secret.constData(), size_t(available)) == 0)
                return {0, false};
            continue;
        }
        if (std::memcmp(at, secret.constData(), size_t(secret.size())) == 0)
            return {secret.size(), true};
    }
    return {0, true};
}

// A left-to-right scan over held bytes + new input. Outside a masked run, a byte that starts
// no secret is plain output; one that starts a secret opens a run as long as that secret, and
// each secret that starts inside the run stretches it to its own end. The run's single mask is
// emitted when the scan reaches its end. The scan stops at the first position whose longest
// match cannot be known yet, which is exactly where a proper prefix of a secret begins.
QByteArray SecretRedactor::process(QByteArrayView input, bool endOfStream, qint64 *rawConsumed)
{
    if (m_secrets.isEmpty()) {
        *rawConsumed = input.size();
        return input.toByteArray();
    }

    QByteArray joined;
    const char *data = input.data();
    qsizetype size = input.size();
    if (!m_held.isEmpty()) {
        joined.reserve(m_held.size() + input.size());
        joined.append(m_held);
        joined.append(input);
        data = joined.constData();
        size = joined.size();
    }

    QByteArray out;
    qint64 consumed = 0;
    qsizetype plainStart = 0; // first scanned byte not yet copied to out (outside a run)
    qsizetype pos = 0;
    while (pos < size) {
        if (m_inMaskedRun) {
            if (m_startsSecret[uchar(data[pos])]) {
                const Match match = longestMatchAt(data + pos, size - pos, endOfStream);
                if (!match.decided)
                    break;
                m_maskedRunRemaining = std::max<qint64>(m_maskedRunRemaining, match.length);
            }
            ++pos;
            ++m_maskedRunScanned;
            if (--m_maskedRunRemaining == 0) {
                out += mask();
                consumed += m_maskedRunScanned;
                m_inMaskedRun = false;
                m_maskedRunScanned = 0;
                plainStart = pos;
            }
            continue;
        }
        if (!m_startsSecret[uchar(data[pos])]) {
            ++pos;
            continue;
        }
        const Match match = longestMatchAt(data + pos, size - pos, endOfStream);
        if (!match.decided)
            break;
        if (match.length == 0) {
            ++pos;
            continue;
        }
        out.append(data + plainStart, pos - plainStart);
        consumed += pos - plainStart;
        m_inMaskedRun = true;
        m_maskedRunScanned = 0;
        m_maskedRunRemaining = match.length;
        // Scan the run's first byte like the others (it cannot match again, but keeps one path).
        ++pos;
        ++m_maskedRunScanned;
        if (--m_maskedRunRemaining == 0) {
            out += mask();
            consumed += m_maskedRunScanned;
            m_inMaskedRun = false;
            m_maskedRunScanned = 0;
            plainStart = pos;
        }
    }

    if (!m_inMaskedRun && pos > plainStart) {
        if (out.isEmpty() && plainStart == 0 && joined.isEmpty() && pos == size) {
            out = input.toByteArray(); // the common case: one copy, nothing to assemble
        } else {
            out.append(data + plainStart, pos - plainStart);
        }
        consumed += pos - plainStart;
    }

    // Keep the undecided tail (at most the longest secret's length minus one byte).
    QByteArray held(data + pos, size - pos);
    m_held = std::move(held);
    *rawConsumed = consumed;
    return out;
}

QJsonValue SecretRedactor::redactJson(const QJsonValue &value,
                                      const QList<QByteArray> &secretValues)
{
    if (value.isString())
        return QString::fromUtf8(redact(value.toString().toUtf8(), secretValues));
    if (value.isArray()) {
        QJsonArray array;
        for (const QJsonValue &item : value.toArray())
            array.append(redactJson(item, secretValues));
        return array;
    }
    if (value.isObject()) {
        QJsonObject object;
        const QJsonObject in = value.toObject();
        for (auto it = in.begin(); it != in.end(); ++it)
            object.insert(it.key(), redactJson(it.value(), secretValues));
        return object;
    }
    return value;
}

} // namespace Parallax

#include "transcriptreader.h"

#include "jsonstring.h"
#include "util/backgroundwriter.h"
#include "util/bytecount.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QJsonValue>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace Parallax {

namespace {

constexpr qsizetype kReadBlock = 1 << 20;

enum class Key { Time, Stream, Data, Base64, RawLength, Other };

// What a line said, before it is checked to be a well-formed record.
struct Fields
{
    bool hasStream = false;
    bool streamKnown = false;
    StreamType stream = StreamType::Stdout;
    bool hasData = false;
    bool hasBase64 = false;
    bool hasRawLength = false;
    qint64 rawLength = 0;
};

bool equals(QByteArrayView view, const char *literal, qsizetype length)
{
    return view.size() == length && std::memcmp(view.data(), literal, size_t(length)) == 0;
}

Key keyFor(QByteArrayView key)
{
    if (equals(key, "t", 1))
        return Key::Time;
    if (equals(key, "s", 1))
        return Key::Stream;
    if (equals(key, "d", 1))
        return Key::Data;
    if (equals(key, "n", 1))
        return Key::RawLength;
    if (equals(key, "b64", 3))
        return Key::Base64;
    return Key::Other;
}

void setStream(Fields *fields, QByteArrayView value)
{
    fields->hasStream = true;
    fields->streamKnown = true;
    if (equals(value, "out", 3))
        fields->stream = StreamType::Stdout;
    else if (equals(value, "err", 3))
        fields->stream = StreamType::Stderr;
    else
        fields->streamKnown = false;
}

inline const char *skipSpace(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
        ++p;
    return p;
}

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

bool skipLiteral(const char **cursor, const char *end)
{
    for (const char *literal : {"true", "false", "null"}) {
        const auto length = qsizetype(std::strlen(literal));
        if (end - *cursor >= length && std::memcmp(*cursor, literal, size_t(length)) == 0) {
            *cursor += length;
            return true;
        }
    }
    return false;
}

// The general path: any JSON spelling of a record object.
bool parseWithQJson(QByteArrayView line, TranscriptChunk *chunk, Fields *fields, QByteArray *base64)
{
    QJsonParseError error{};
    const QJsonDocument document
            = QJsonDocument::fromJson(QByteArray::fromRawData(line.data(), line.size()), &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return false;
    const QJsonObject object = document.object();
    *fields = Fields();
    chunk->time.clear();
    for (auto it = object.begin(); it != object.end(); ++it) {
        const QByteArray key = it.key().toUtf8();
        const QJsonValue value = it.value();
        switch (keyFor(key)) {
        case Key::Time:
            if (!value.isString())
                return false;
            chunk->time = value.toString().toUtf8();
            break;
        case Key::Stream:
            if (!value.isString())
                return false;
            setStream(fields, value.toString().toUtf8());
            break;
        case Key::Data:
            if (!value.isString())
                return false;
            chunk->data = value.toString().toUtf8();
            fields->hasData = true;
            break;
        case Key::Base64:
            if (!value.isString())
                return false;
            *base64 = value.toString().toUtf8();
            fields->hasBase64 = true;
            break;
        case Key::RawLength: {
            const double number = value.toDouble(-1);
            // Integral and exactly representable: anything else is not a byte count.
            if (!value.isDouble() || number < 0 || number > 9007199254740992.0
                || std::floor(number) != number)
                return false;
            fields->hasRawLength = true;
            fields->rawLength = qint64(number);
            break;
        }
        case Key::Other:
            break;
        }
    }
    return true;
}

} // namespace

Result<void> TranscriptReader::open(const QString &jsonlPath)
{
    // What this process still has queued for the file must be in it first.
    BackgroundWriter::instance().drain();
    m_file.close();
    m_file.setFileName(jsonlPath);
    m_buffer.clear();
    m_pos = m_searchFrom = 0;
    m_bufferOffset = m_lineEnd = m_lineNumber = m_validLength = 0;
    m_tornTail = m_failed = false;
    m_error.clear();
    if (!m_file.open(QIODevice::ReadOnly)) {
        m_failed = true;
        m_error = QStringLiteral("Cannot read transcript %1: %2")
                          .arg(jsonlPath, m_file.errorString());
        return Error{m_error, int(m_file.error())};
    }
    return {};
}

bool TranscriptReader::readLine(QByteArrayView *line, bool *complete)
{
    for (;;) {
        const char *base = m_buffer.constData();
        const qsizetype available = m_buffer.size();
        const auto *newline = static_cast<const char *>(
                std::memchr(base + m_searchFrom, '\n', size_t(available - m_searchFrom)));
        if (newline) {
            const qsizetype index = newline - base;
            *line = QByteArrayView(base + m_pos, index - m_pos);
            *complete = true;
            m_pos = m_searchFrom = index + 1;
            m_lineEnd = m_bufferOffset + m_pos;
            return true;
        }
        // Move the partial line to the front, then read more behind it.
        if (m_pos > 0) {
            const qsizetype rest = available - m_pos;
            std::memmove(m_buffer.data(), m_buffer.constData() + m_pos, size_t(rest));
            m_buffer.resize(rest);
            m_bufferOffset += m_pos;
            m_pos = 0;
        }
        m_searchFrom = m_buffer.size();
        const qsizetype before = m_buffer.size();
        m_buffer.resize(before + kReadBlock);
        const qint64 got = m_file.read(m_buffer.data() + before, kReadBlock);
        m_buffer.resize(before + std::max<qint64>(got, 0));
        if (got < 0) {
            m_failed = true;
            m_error = QStringLiteral("Cannot read transcript %1: %2")
                              .arg(m_file.fileName(), m_file.errorString());
            return false;
        }
        if (got == 0) {
            if (m_pos == m_buffer.size())
                return false;
            *line = QByteArrayView(m_buffer.constData() + m_pos, m_buffer.size() - m_pos);
            *complete = false;
            m_pos = m_searchFrom = m_buffer.size();
            m_lineEnd = m_bufferOffset + m_pos;
            return true;
        }
    }
}

bool TranscriptReader::atEndOfData()
{
    return m_pos == m_buffer.size() && m_file.atEnd();
}

bool TranscriptReader::next(TranscriptChunk *chunk)
{
    if (m_failed || !m_file.isOpen())
        return false;
    QByteArrayView line;
    bool complete = false;
    while (readLine(&line, &complete)) {
        ++m_lineNumber;
        if (complete
            && skipSpace(line.data(), line.data() + line.size()) == line.data() + line.size()) {
            m_validLength = m_lineEnd; // a blank line: harmless, skip it
            continue;
        }
        // A last line without '\n' that still parses lost nothing: the writer only adds the
        // newline on reopen.
        if (parseLine(line, chunk)) {
            m_validLength = m_lineEnd;
            return true;
        }
        if (!complete || atEndOfData()) {
            m_tornTail = true;
            return false;
        }
        m_failed = true;
        m_error = QStringLiteral("Transcript %1 is corrupt: line %2 (at byte %3) is not a record")
                          .arg(m_file.fileName())
                          .arg(m_lineNumber)
                          .arg(m_lineEnd - line.size() - 1);
        return false;
    }
    return false;
}

// The fast path understands a flat object whose values are strings, integers or literals, in any
// key order and spacing; it decodes "d" straight into the chunk. Nested values, fractions and
// exponents fall back to QJsonDocument.
bool TranscriptReader::parseLine(QByteArrayView line, TranscriptChunk *chunk)
{
    Fields fields;
    bool understood = false;
    chunk->time.resize(0);
    [&] {
        const char *p = skipSpace(line.data(), line.data() + line.size());
        const char *const end = line.data() + line.size();
        if (p == end || *p != '{')
            return;
        p = skipSpace(p + 1, end);
        if (p < end && *p == '}') {
            ++p;
        } else {
            for (;;) {
                if (p >= end || *p != '"')
                    return;
                ++p;
                const char *close = p;
                while (close < end && *close != '"' && *close != '\\')
                    ++close;
                QByteArrayView key;
                if (close < end && *close == '"') {
                    key = QByteArrayView(p, close - p);
                    p = close + 1;
                } else {
                    m_keyScratch.resize(0);
                    if (!JsonString::appendUnescaped(m_keyScratch, &p, end))
                        return;
                    key = m_keyScratch;
                }
                p = skipSpace(p, end);
                if (p >= end || *p != ':')
                    return;
                p = skipSpace(p + 1, end);
                if (p >= end)
                    return;
                const Key which = keyFor(key);
                if (*p == '"') {
                    ++p;
                    QByteArray *target = nullptr;
                    switch (which) {
                    case Key::Time:
                        target = &chunk->time;
                        break;
                    case Key::Data:
                        target = &chunk->data;
                        fields.hasData = true;
                        break;
                    case Key::Base64:
                        target = &m_scratch;
                        fields.hasBase64 = true;
                        break;
                    case Key::Stream:
                    case Key::Other:
                        target = &m_keyScratch;
                        break;
                    case Key::RawLength:
                        return;
                    }
                    target->resize(0);
                    if (!JsonString::appendUnescaped(*target, &p, end))
                        return;
                    if (which == Key::Stream)
                        setStream(&fields, m_keyScratch);
                } else if (*p == '-' || isDigit(*p)) {
                    const bool negative = *p == '-';
                    if (negative)
                        ++p;
                    qint64 value = 0;
                    int digits = 0;
                    for (; p < end && isDigit(*p); ++p) {
                        if (++digits > 18)
                            return;
                        value = value * 10 + (*p - '0');
                    }
                    if (digits == 0 || (p < end && (*p == '.' || *p == 'e' || *p == 'E')))
                        return;
                    if (which == Key::RawLength) {
                        fields.hasRawLength = true;
                        fields.rawLength = negative ? -value : value;
                    } else if (which != Key::Other) {
                        return;
                    }
                } else if (which != Key::Other || !skipLiteral(&p, end)) {
                    return;
                }
                p = skipSpace(p, end);
                if (p < end && *p == ',') {
                    p = skipSpace(p + 1, end);
                    continue;
                }
                if (p < end && *p == '}') {
                    ++p;
                    break;
                }
                return;
            }
        }
        understood = skipSpace(p, end) == end;
    }();

    if (!understood && !parseWithQJson(line, chunk, &fields, &m_scratch))
        return false;

    if (!fields.hasStream || !fields.streamKnown || fields.hasData == fields.hasBase64
        || (fields.hasRawLength && fields.rawLength < 0))
        return false;
    if (fields.hasBase64) {
        auto decoded = QByteArray::fromBase64Encoding(m_scratch,
                                                      QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded)
            return false;
        chunk->data = std::move(decoded.decoded);
    }
    chunk->stream = fields.stream;
    chunk->rawLength = fields.hasRawLength ? fields.rawLength : chunk->data.size();
    return true;
}

Result<TranscriptTotals> TranscriptReader::scan(const QString &jsonlPath)
{
    TranscriptReader reader;
    if (auto opened = reader.open(jsonlPath); !opened)
        return opened.error();
    TranscriptTotals totals;
    TranscriptChunk chunk;
    while (reader.next(&chunk)) {
        const int index = chunk.stream == StreamType::Stdout ? 0 : 1;
        totals.bytes[index] += chunk.data.size();
        totals.rawBytes[index] += chunk.rawLength;
        totals.lines[index] += countByte(chunk.data, '\n');
        ++totals.chunks;
    }
    if (!reader.errorString().isEmpty())
        return Error{reader.errorString()};
    totals.validFileLength = reader.validFileLength();
    totals.tornTail = reader.tornTail();
    return totals;
}

Result<QByteArray> TranscriptReader::readStream(const QString &jsonlPath, StreamType stream)
{
    TranscriptReader reader;
    if (auto opened = reader.open(jsonlPath); !opened)
        return opened.error();
    QByteArray result;
    TranscriptChunk chunk;
    while (reader.next(&chunk)) {
        if (chunk.stream == stream)
            result += chunk.data;
    }
    if (!reader.errorString().isEmpty())
        return Error{reader.errorString()};
    return result;
}

} // namespace Parallax

#include "eventstream.h"

#include "compare/linediff.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QLocale>

#include <algorithm>
#include <vector>

namespace Parallax {

namespace {

QString cut(QString text, qsizetype maxChars = EventStreamParser::MaxFieldChars)
{
    if (text.size() <= maxChars)
        return text;
    const qsizetype rest = text.size() - maxChars;
    text.truncate(maxChars);
    text += QStringLiteral("\n… (%1 more characters in the raw output)").arg(rest);
    return text;
}

QString str(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

qint64 num(const QJsonObject &o, const char *key)
{
    const QJsonValue v = o.value(QLatin1String(key));
    return v.isDouble() ? qint64(v.toDouble()) : -1;
}

// A tool result's content: a string, or an array of content blocks (text, image, ...).
QString contentText(const QJsonValue &content)
{
    if (content.isString())
        return content.toString();
    if (content.isArray()) {
        QStringList parts;
        for (const QJsonValue &block : content.toArray()) {
            const QJsonObject b = block.toObject();
            const QString type = str(b, "type");
            if (type == QLatin1String("text"))
                parts.append(str(b, "text"));
            else if (block.isString())
                parts.append(block.toString());
            else
                parts.append(QStringLiteral("[%1]").arg(type.isEmpty() ? QStringLiteral("content")
                                                                       : type));
        }
        return parts.join(QLatin1Char('\n'));
    }
    if (content.isObject())
        return EventStreamParser::compactJson(content.toObject(), EventStreamParser::MaxFieldChars);
    if (content.isNull() || content.isUndefined())
        return {};
    return content.toVariant().toString();
}

QString indentedJson(const QJsonObject &o)
{
    return QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Indented)).trimmed();
}

void addTokens(qint64 &total, qint64 value)
{
    if (value < 0)
        return;
    total = qMax<qint64>(total, 0) + value;
}

} // namespace

QString EventTotals::toText() const
{
    const QLocale locale(QLocale::English);
    QStringList parts;
    if (inputTokens >= 0)
        parts.append(QStringLiteral("%1 input").arg(locale.toString(inputTokens)));
    if (outputTokens >= 0)
        parts.append(QStringLiteral("%1 output").arg(locale.toString(outputTokens)));
    if (cacheReadTokens >= 0)
        parts.append(QStringLiteral("%1 cache read").arg(locale.toString(cacheReadTokens)));
    if (cacheCreationTokens >= 0)
        parts.append(QStringLiteral("%1 cache write").arg(locale.toString(cacheCreationTokens)));
    if (!parts.isEmpty())
        parts.last() += QStringLiteral(" tokens");
    if (costUsd >= 0)
        parts.append(QStringLiteral("$%1").arg(costUsd, 0, 'f', 4));
    if (turns >= 0)
        parts.append(turns == 1 ? QStringLiteral("1 turn") : QStringLiteral("%1 turns").arg(turns));
    if (durationMs >= 0)
        parts.append(QStringLiteral("%1 s").arg(double(durationMs) / 1000.0, 0, 'f', 1));
    return parts.join(QStringLiteral(" · "));
}

QString EventStreamParser::compactJson(const QJsonObject &object, qsizetype maxChars)
{
    QString text = QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
    if (text.size() > maxChars) {
        text.truncate(maxChars);
        text += QStringLiteral("…");
    }
    return text;
}

QString
EventStreamParser::unifiedDiff(const QString &path, const QString &oldText, const QString &newText)
{
    const auto lines = [](const QString &text) {
        QStringList list = text.split(QLatin1Char('\n'));
        if (!list.isEmpty() && list.last().isEmpty())
            list.removeLast();
        return list;
    };
    const QStringList a = lines(oldText);
    const QStringList b = lines(newText);
    // Exact comparison: an edit that only changes a timestamp or trailing blanks is still an
    // edit, so LineDiff's normalising interner is not used.
    QHash<QString, quint32> ids;
    const auto intern = [&](const QStringList &list) {
        std::vector<quint32> out;
        out.reserve(list.size());
        for (const QString &line : list) {
            auto it = ids.constFind(line);
            if (it == ids.constEnd())
                it = ids.insert(line, quint32(ids.size()));
            out.push_back(*it);
        }
        return out;
    };
    const std::vector<quint32> ia = intern(a);
    const std::vector<quint32> ib = intern(b);
    struct Entry
    {
        QChar tag;
        qsizetype a; // line index in a (for ' ' and '-'), or where it would be
        qsizetype b;
    };
    std::vector<Entry> entries;
    for (const LineDiff::Op &op : LineDiff::compareIds(ia, ib)) {
        for (qsizetype i = 0; i < op.count; ++i) {
            switch (op.kind) {
            case LineDiff::Kind::Equal:
                entries.push_back({QLatin1Char(' '), op.aStart + i, op.bStart + i});
                break;
            case LineDiff::Kind::Delete:
                entries.push_back({QLatin1Char('-'), op.aStart + i, op.bStart});
                break;
            case LineDiff::Kind::Insert:
                entries.push_back({QLatin1Char('+'), op.aStart, op.bStart + i});
                break;
            }
        }
    }
    // git's a/ and b/ prefixes; an absolute path keeps a single slash (a/workspace/x.py).
    const QString slash = path.startsWith(QLatin1Char('/')) ? QString() : QStringLiteral("/");
    QString out = QStringLiteral("--- %1\n+++ %2\n")
                          .arg(oldText.isEmpty() ? QStringLiteral("/dev/null")
                                                 : QLatin1Char('a') + slash + path,
                               QLatin1Char('b') + slash + path);
    constexpr qsizetype context = 3;
    const qsizetype n = qsizetype(entries.size());
    qsizetype i = 0;
    while (i < n) {
        while (i < n && entries[i].tag == QLatin1Char(' '))
            ++i;
        if (i >= n)
            break;
        const qsizetype start = qMax<qsizetype>(0, i - context);
        qsizetype end = i; // one past the last change of this hunk
        qsizetype j = i;
        while (j < n) {
            if (entries[j].tag != QLatin1Char(' ')) {
                end = j + 1;
                ++j;
                continue;
            }
            qsizetype k = j;
            while (k < n && entries[k].tag == QLatin1Char(' '))
                ++k;
            if (k >= n || k - j > 2 * context)
                break;
            j = k;
        }
        const qsizetype stop = qMin(n, end + context);
        qsizetype aCount = 0;
        qsizetype bCount = 0;
        for (qsizetype e = start; e < stop; ++e) {
            if (entries[e].tag != QLatin1Char('+'))
                ++aCount;
            if (entries[e].tag != QLatin1Char('-'))
                ++bCount;
        }
        const qsizetype aStart = aCount ? entries[start].a + 1 : entries[start].a;
        const qsizetype bStart = bCount ? entries[start].b + 1 : entries[start].b;
        out += QStringLiteral("@@ -%1,%2 +%3,%4 @@\n")
                       .arg(aStart)
                       .arg(aCount)
                       .arg(bStart)
                       .arg(bCount);
        for (qsizetype e = start; e < stop; ++e) {
            out += entries[e].tag;
            out += entries[e].tag == QLatin1Char('+') ? b[entries[e].b] : a[entries[e].a];
            out += QLatin1Char('\n');
        }
        i = stop;
    }
    return out;
}

void EventStreamParser::clear()
{
    *this = EventStreamParser();
}

void EventStreamParser::feed(QByteArrayView bytes)
{
    if (m_format == EventStreamFormat::None || bytes.isEmpty())
        return;
    qsizetype pos = 0;
    while (pos < bytes.size()) {
        const qsizetype newline = bytes.indexOf('\n', pos);
        const qsizetype end = newline < 0 ? bytes.size() : newline;
        const QByteArrayView piece = bytes.sliced(pos, end - pos);
        if (!m_discarding) {
            if (m_partial.size() + piece.size() > MaxLineBytes) {
                // Kept as text, cut: the raw output has it all.
                m_partial.append(piece.first(MaxLineBytes - m_partial.size()));
                processLine(m_partial);
                m_partial.clear();
                m_discarding = true;
            } else if (newline >= 0 && m_partial.isEmpty()) {
                processLine(piece); // the common case: a whole line in one chunk, no copy
            } else {
                m_partial.append(piece);
            }
        }
        if (newline < 0)
            break;
        if (!m_partial.isEmpty())
            processLine(m_partial);
        m_partial.clear();
        m_discarding = false;
        pos = newline + 1;
        if (m_format == EventStreamFormat::None)
            return;
    }
}

void EventStreamParser::finish()
{
    if (!m_partial.isEmpty() && !m_discarding)
        processLine(m_partial);
    m_partial.clear();
    m_discarding = false;
    if (m_format == EventStreamFormat::Undecided) {
        m_format = EventStreamFormat::None;
        m_heldLines.clear();
    }
    m_finished = true;
}

EventStreamParser::Changes EventStreamParser::takeChanges()
{
    Changes changes = std::move(m_changes);
    m_changes = Changes();
    std::sort(changes.updated.begin(), changes.updated.end());
    changes.updated.erase(std::unique(changes.updated.begin(), changes.updated.end()),
                          changes.updated.end());
    return changes;
}

QList<EventItem> EventStreamParser::takeFinished()
{
    // A pending tool call holds back what follows it, so the export keeps the stream's order;
    // past a bound it goes out unfinished rather than growing without limit.
    constexpr qsizetype maxHeld = 4096;
    qsizetype count = 0;
    if (m_finished || m_items.size() > maxHeld) {
        count = m_items.size();
    } else {
        while (count < m_items.size() && !m_items[count].pending)
            ++count;
    }
    QList<EventItem> taken = m_items.first(count);
    m_items.remove(0, count);
    m_taken += count;
    m_changes = Changes();
    return taken;
}

void EventStreamParser::markUpdated(qsizetype index)
{
    if (m_changes.firstNew >= 0 && index >= m_changes.firstNew)
        return;
    m_changes.updated.append(index);
}

qsizetype EventStreamParser::append(EventItem item)
{
    m_items.append(std::move(item));
    const qsizetype index = m_items.size() - 1;
    if (m_changes.firstNew < 0)
        m_changes.firstNew = index;
    if (!m_items[index].id.isEmpty())
        m_byId.insert(m_items[index].id, m_taken + index);
    return index;
}

EventItem *EventStreamParser::itemById(const QString &id, qsizetype *index)
{
    if (id.isEmpty())
        return nullptr;
    const auto it = m_byId.constFind(id);
    if (it == m_byId.constEnd())
        return nullptr;
    const qsizetype i = *it - m_taken;
    if (i < 0 || i >= m_items.size())
        return nullptr;
    if (index)
        *index = i;
    return &m_items[i];
}

void EventStreamParser::appendUnknown(const QString &type, const QJsonObject &event)
{
    // Partial-message deltas (--include-partial-messages) come by the thousand: one row counts
    // them instead of a row each.
    if (!m_items.isEmpty() && type == QLatin1String("stream_event")) {
        EventItem &last = m_items.last();
        if (last.kind == EventItem::Kind::Unknown && last.title == type) {
            ++last.count;
            last.text = compactJson(event);
            markUpdated(m_items.size() - 1);
            return;
        }
    }
    EventItem item;
    item.kind = EventItem::Kind::Unknown;
    item.title = type.isEmpty() ? QStringLiteral("(untyped)") : type;
    item.text = compactJson(event);
    append(std::move(item));
}

void EventStreamParser::processLine(QByteArrayView line)
{
    line = line.trimmed();
    if (line.isEmpty())
        return;
    QJsonObject object;
    bool isJson = false;
    if (line.startsWith('{')) {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(line.toByteArray(), &error);
        isJson = error.error == QJsonParseError::NoError && doc.isObject();
        if (isJson)
            object = doc.object();
    }
    if (m_format == EventStreamFormat::Undecided) {
        decide(line, object, isJson);
        return;
    }
    if (!isJson) {
        EventItem item;
        item.kind = EventItem::Kind::RawText;
        item.title
                = line.startsWith('{') ? QStringLiteral("malformed JSON") : QStringLiteral("text");
        item.text = cut(QString::fromUtf8(line), 4000);
        append(std::move(item));
        return;
    }
    if (m_format == EventStreamFormat::Claude)
        handleClaude(object);
    else
        handleCodex(object);
}

void EventStreamParser::decide(QByteArrayView line, const QJsonObject &object, bool isJson)
{
    ++m_linesSeen;
    m_heldLines.append(line.toByteArray());
    if (isJson) {
        const QString type = str(object, "type");
        static const QStringList claudeTypes = {QStringLiteral("system"),
                                                QStringLiteral("assistant"),
                                                QStringLiteral("user"),
                                                QStringLiteral("result"),
                                                QStringLiteral("stream_event")};
        // Claude's events carry the session (or a message): a lone {"type":"result"} in some
        // tool's output does not make a stream.
        if (claudeTypes.contains(type)
            && (object.contains(QLatin1String("session_id"))
                || object.value(QLatin1String("message")).isObject()))
            m_format = EventStreamFormat::Claude;
        else if (type.startsWith(QLatin1String("thread."))
                 || type.startsWith(QLatin1String("turn."))
                 || type.startsWith(QLatin1String("item.")))
            m_format = EventStreamFormat::Codex;
        else if (object.value(QLatin1String("msg")).isObject()
                 && object.contains(QLatin1String("id")))
            m_format = EventStreamFormat::Codex;
    }
    if (m_format != EventStreamFormat::Undecided) {
        const QList<QByteArray> held = std::exchange(m_heldLines, {});
        for (const QByteArray &h : held)
            processLine(h);
        return;
    }
    if (m_linesSeen >= DetectionLines) {
        m_format = EventStreamFormat::None;
        m_heldLines.clear();
    }
}

void EventStreamParser::setToolInput(EventItem &item, const QString &name, const QJsonObject &input)
{
    const QString path = str(input, "file_path").isEmpty() ? str(input, "notebook_path")
                                                           : str(input, "file_path");
    if (name == QLatin1String("Bash")) {
        item.input = str(input, "command");
        if (!str(input, "description").isEmpty())
            item.text = str(input, "description");
    } else if (name == QLatin1String("Edit")) {
        item.input = path;
        item.diff = unifiedDiff(path, str(input, "old_string"), str(input, "new_string"));
    } else if (name == QLatin1String("MultiEdit")) {
        item.input = path;
        for (const QJsonValue &edit : input.value(QLatin1String("edits")).toArray()) {
            const QJsonObject e = edit.toObject();
            item.diff += unifiedDiff(path, str(e, "old_string"), str(e, "new_string"));
        }
    } else if (name == QLatin1String("Write")) {
        item.input = path;
        item.diff = unifiedDiff(path, QString(), str(input, "content"));
    } else if (name == QLatin1String("Read") && input.size() == 1 && !path.isEmpty()) {
        item.input = path;
    } else {
        item.input = input.isEmpty() ? QString() : indentedJson(input);
    }
    item.input = cut(item.input);
    item.diff = cut(item.diff);
}

// ---- Claude Code stream-json --------------------------------------------------------------

void EventStreamParser::handleClaude(const QJsonObject &event)
{
    const QString type = str(event, "type");
    if (type == QLatin1String("system") && str(event, "subtype") == QLatin1String("init")) {
        EventItem item;
        item.kind = EventItem::Kind::System;
        item.title = QStringLiteral("init");
        QStringList parts{QStringLiteral("Session started")};
        if (!str(event, "model").isEmpty())
            parts.append(QStringLiteral("model %1").arg(str(event, "model")));
        if (event.value(QLatin1String("tools")).isArray())
            parts.append(QStringLiteral("%1 tools")
                                 .arg(event.value(QLatin1String("tools")).toArray().size()));
        if (!str(event, "cwd").isEmpty())
            parts.append(str(event, "cwd"));
        if (!str(event, "permissionMode").isEmpty())
            parts.append(QStringLiteral("permissions: %1").arg(str(event, "permissionMode")));
        item.text = parts.join(QStringLiteral(" · "));
        append(std::move(item));
        return;
    }
    if (type == QLatin1String("system") && str(event, "subtype") == QLatin1String("api_retry")) {
        // The API failing and Claude Code retrying: worth seeing, tinted as an error.
        EventItem item;
        item.kind = EventItem::Kind::System;
        item.title = QStringLiteral("api_retry");
        item.isError = true;
        const QJsonValue status = event.value(QLatin1String("error_status"));
        item.text = QStringLiteral("API request failed (%1%2), retry %3 of %4 in %5 s")
                            .arg(str(event, "error").isEmpty() ? QStringLiteral("error")
                                                               : str(event, "error"),
                                 status.isDouble() ? QStringLiteral(", HTTP %1").arg(status.toInt())
                                                   : QString(),
                                 QString::number(num(event, "attempt")),
                                 QString::number(num(event, "max_retries")),
                                 QString::number(
                                         event.value(QLatin1String("retry_delay_ms")).toDouble()
                                                 / 1000.0,
                                         'f',
                                         1));
        append(std::move(item));
        return;
    }
    if (type == QLatin1String("system")) { // compact_boundary, hook notices, ...
        appendUnknown(str(event, "subtype").isEmpty()
                              ? type
                              : type + QLatin1Char('/') + str(event, "subtype"),
                      event);
        return;
    }
    if (type == QLatin1String("assistant")) {
        const QJsonObject message = event.value(QLatin1String("message")).toObject();
        for (const QJsonValue &value : message.value(QLatin1String("content")).toArray()) {
            const QJsonObject block = value.toObject();
            const QString blockType = str(block, "type");
            EventItem item;
            if (blockType == QLatin1String("text")) {
                item.kind = EventItem::Kind::AssistantText;
                item.text = cut(str(block, "text"));
            } else if (blockType == QLatin1String("thinking")) {
                item.kind = EventItem::Kind::Thinking;
                item.text = cut(str(block, "thinking"));
            } else if (blockType == QLatin1String("redacted_thinking")) {
                item.kind = EventItem::Kind::Thinking;
                item.text = QStringLiteral("(redacted)");
            } else if (blockType == QLatin1String("tool_use")
                       || blockType == QLatin1String("server_tool_use")) {
                item.kind = EventItem::Kind::ToolCall;
                item.id = str(block, "id");
                item.title = str(block, "name");
                item.pending = true;
                setToolInput(item, item.title, block.value(QLatin1String("input")).toObject());
            } else {
                appendUnknown(QStringLiteral("assistant/") + blockType, block);
                continue;
            }
            append(std::move(item));
        }
        // The API's error on a failed request arrives as an assistant message with `error`.
        if (event.value(QLatin1String("error")).isString()) {
            EventItem item;
            item.kind = EventItem::Kind::Error;
            item.text = str(event, "error");
            append(std::move(item));
        }
        // One message may come as several events (a block each) carrying the same usage: count
        // it once per message id.
        const QJsonObject usage = message.value(QLatin1String("usage")).toObject();
        if (!usage.isEmpty() && !m_haveResultTotals) {
            const QString id = str(message, "id").isEmpty()
                                       ? QStringLiteral("#%1").arg(m_messageUsage.size())
                                       : str(message, "id");
            // Running sums: the message's previous usage (if any) out, the new one in.
            const auto apply = [this](const QJsonObject &u, int sign) {
                const auto add = [sign](qint64 &total, qint64 value) {
                    if (value >= 0)
                        total = qMax<qint64>(total, 0) + sign * value;
                };
                add(m_totals.inputTokens, num(u, "input_tokens"));
                add(m_totals.outputTokens, num(u, "output_tokens"));
                add(m_totals.cacheReadTokens, num(u, "cache_read_input_tokens"));
                add(m_totals.cacheCreationTokens, num(u, "cache_creation_input_tokens"));
            };
            if (const auto previous = m_messageUsage.constFind(id);
                previous != m_messageUsage.constEnd())
                apply(*previous, -1);
            apply(usage, 1);
            m_messageUsage.insert(id, usage);
            m_changes.totalsChanged = true;
        }
        return;
    }
    if (type == QLatin1String("user")) {
        const QJsonObject message = event.value(QLatin1String("message")).toObject();
        const QJsonValue content = message.value(QLatin1String("content"));
        if (content.isString()) {
            EventItem item;
            item.kind = EventItem::Kind::User;
            item.text = cut(content.toString());
            append(std::move(item));
            return;
        }
        for (const QJsonValue &value : content.toArray()) {
            const QJsonObject block = value.toObject();
            const QString blockType = str(block, "type");
            if (blockType == QLatin1String("tool_result")) {
                const QString id = str(block, "tool_use_id");
                qsizetype index = -1;
                EventItem *call = itemById(id, &index);
                EventItem orphan;
                if (!call) {
                    orphan.kind = EventItem::Kind::ToolCall;
                    orphan.title = QStringLiteral("tool result");
                    orphan.id = id;
                    call = &orphan;
                }
                call->result = cut(contentText(block.value(QLatin1String("content"))));
                call->hasResult = true;
                call->isError = block.value(QLatin1String("is_error")).toBool();
                call->pending = false;
                if (call == &orphan)
                    append(std::move(orphan));
                else
                    markUpdated(index);
            } else if (blockType == QLatin1String("text")) {
                EventItem item;
                item.kind = EventItem::Kind::User;
                item.text = cut(str(block, "text"));
                append(std::move(item));
            } else {
                appendUnknown(QStringLiteral("user/") + blockType, block);
            }
        }
        return;
    }
    if (type == QLatin1String("result")) {
        EventItem item;
        item.kind = EventItem::Kind::Result;
        item.title = str(event, "subtype");
        item.isError = event.value(QLatin1String("is_error")).toBool()
                       || (!item.title.isEmpty() && item.title != QLatin1String("success"));
        item.text = cut(str(event, "result"));
        if (item.text.isEmpty() && event.value(QLatin1String("errors")).isArray()) {
            QStringList errors;
            for (const QJsonValue &e : event.value(QLatin1String("errors")).toArray())
                errors.append(e.isString() ? e.toString() : contentText(e));
            item.text = cut(errors.join(QLatin1Char('\n')));
        }
        append(std::move(item));
        const QJsonObject usage = event.value(QLatin1String("usage")).toObject();
        EventTotals totals;
        totals.inputTokens = num(usage, "input_tokens");
        totals.outputTokens = num(usage, "output_tokens");
        totals.cacheReadTokens = num(usage, "cache_read_input_tokens");
        totals.cacheCreationTokens = num(usage, "cache_creation_input_tokens");
        const QJsonValue cost = event.value(QLatin1String("total_cost_usd")).isDouble()
                                        ? event.value(QLatin1String("total_cost_usd"))
                                        : event.value(QLatin1String("cost_usd"));
        totals.costUsd = cost.isDouble() ? cost.toDouble() : -1;
        totals.turns = int(num(event, "num_turns"));
        totals.durationMs = num(event, "duration_ms");
        if (usage.isEmpty()) { // keep what the messages said
            totals.inputTokens = m_totals.inputTokens;
            totals.outputTokens = m_totals.outputTokens;
            totals.cacheReadTokens = m_totals.cacheReadTokens;
            totals.cacheCreationTokens = m_totals.cacheCreationTokens;
        }
        m_totals = totals;
        m_haveResultTotals = true;
        m_changes.totalsChanged = true;
        return;
    }
    appendUnknown(type, event);
}

// ---- Codex exec --json ----------------------------------------------------------------------

void EventStreamParser::handleCodex(const QJsonObject &event)
{
    const QString type = str(event, "type");
    if (type.isEmpty() && event.value(QLatin1String("msg")).isObject()) {
        handleCodexLegacy(event);
        return;
    }
    if (type == QLatin1String("thread.started") || type == QLatin1String("turn.started")) {
        EventItem item;
        item.kind = EventItem::Kind::System;
        item.title = type;
        item.text = type == QLatin1String("thread.started")
                            ? QStringLiteral("Thread started · %1").arg(str(event, "thread_id"))
                            : QStringLiteral("Turn started");
        append(std::move(item));
        return;
    }
    if (type == QLatin1String("turn.completed")) {
        const QJsonObject usage = event.value(QLatin1String("usage")).toObject();
        addTokens(m_totals.inputTokens, num(usage, "input_tokens"));
        addTokens(m_totals.cacheReadTokens, num(usage, "cached_input_tokens"));
        addTokens(m_totals.outputTokens, num(usage, "output_tokens"));
        m_totals.turns = qMax(0, m_totals.turns) + 1;
        m_changes.totalsChanged = true;
        EventItem item;
        item.kind = EventItem::Kind::System;
        item.title = type;
        EventTotals turn;
        turn.inputTokens = num(usage, "input_tokens");
        turn.cacheReadTokens = num(usage, "cached_input_tokens");
        turn.outputTokens = num(usage, "output_tokens");
        item.text = QStringLiteral("Turn completed · %1").arg(turn.toText());
        append(std::move(item));
        return;
    }
    if (type == QLatin1String("turn.failed") || type == QLatin1String("error")) {
        EventItem item;
        item.kind = EventItem::Kind::Error;
        item.title = type;
        item.text = type == QLatin1String("error")
                            ? str(event, "message")
                            : str(event.value(QLatin1String("error")).toObject(), "message");
        if (item.text.isEmpty())
            item.text = compactJson(event);
        item.isError = true;
        append(std::move(item));
        return;
    }
    if (type == QLatin1String("item.started") || type == QLatin1String("item.updated")
        || type == QLatin1String("item.completed")) {
        handleCodexItem(type, event.value(QLatin1String("item")).toObject());
        return;
    }
    appendUnknown(type, event);
}

void EventStreamParser::handleCodexItem(const QString &eventType, const QJsonObject &o)
{
    const QString type = str(o, "type");
    const bool completed = eventType == QLatin1String("item.completed");
    EventItem item;
    item.id = str(o, "id");
    // Until it completes an item may still change: an export waits for it rather than write it
    // twice (the view shows it at once either way).
    item.pending = !completed;
    const QString status = str(o, "status");
    if (type == QLatin1String("agent_message") || type == QLatin1String("plan")) {
        item.kind = EventItem::Kind::AssistantText;
        item.title = type;
        item.text = cut(str(o, "text"));
    } else if (type == QLatin1String("reasoning")) {
        item.kind = EventItem::Kind::Thinking;
        item.text = cut(str(o, "text"));
    } else if (type == QLatin1String("command_execution")) {
        item.kind = EventItem::Kind::ToolCall;
        item.title = QStringLiteral("shell");
        item.input = cut(str(o, "command"));
        item.result = cut(str(o, "aggregated_output"));
        const QJsonValue exitCode = o.value(QLatin1String("exit_code"));
        item.hasResult = completed || !item.result.isEmpty();
        item.isError = status == QLatin1String("failed") || status == QLatin1String("declined")
                       || (exitCode.isDouble() && exitCode.toInt() != 0);
        if (completed && exitCode.isDouble())
            item.text = QStringLiteral("exit code %1").arg(exitCode.toInt());
    } else if (type == QLatin1String("file_change")) {
        item.kind = EventItem::Kind::ToolCall;
        item.title = QStringLiteral("file change");
        QStringList changes;
        for (const QJsonValue &c : o.value(QLatin1String("changes")).toArray())
            changes.append(QStringLiteral("%1 %2").arg(str(c.toObject(), "kind"),
                                                       str(c.toObject(), "path")));
        item.input = changes.join(QLatin1Char('\n'));
        item.isError = status == QLatin1String("failed");
        item.hasResult = completed;
        item.result = status;
    } else if (type == QLatin1String("mcp_tool_call")) {
        item.kind = EventItem::Kind::ToolCall;
        item.title = QStringLiteral("%1.%2").arg(str(o, "server"), str(o, "tool"));
        const QJsonValue arguments = o.value(QLatin1String("arguments"));
        item.input = arguments.isObject() ? indentedJson(arguments.toObject())
                                          : contentText(arguments);
        const QJsonObject result = o.value(QLatin1String("result")).toObject();
        const QJsonObject error = o.value(QLatin1String("error")).toObject();
        if (!error.isEmpty()) {
            item.result = str(error, "message");
            item.isError = true;
        } else if (!result.isEmpty()) {
            item.result = contentText(result.value(QLatin1String("content")));
        }
        item.result = cut(item.result);
        item.isError = item.isError || status == QLatin1String("failed");
        item.hasResult = completed || !item.result.isEmpty();
    } else if (type == QLatin1String("web_search")) {
        item.kind = EventItem::Kind::ToolCall;
        item.title = QStringLiteral("web search");
        item.input = str(o, "query");
        item.hasResult = false;
    } else if (type == QLatin1String("todo_list")) {
        item.kind = EventItem::Kind::ToolCall;
        item.title = QStringLiteral("to-do list");
        QStringList lines;
        for (const QJsonValue &t : o.value(QLatin1String("items")).toArray())
            lines.append(QStringLiteral("[%1] %2").arg(
                    t.toObject().value(QLatin1String("completed")).toBool() ? QStringLiteral("x")
                                                                            : QStringLiteral(" "),
                    str(t.toObject(), "text")));
        item.input = lines.join(QLatin1Char('\n'));
    } else if (type == QLatin1String("error")) {
        item.kind = EventItem::Kind::Error;
        item.text = str(o, "message");
        item.isError = true;
        item.pending = false;
    } else {
        item.kind = EventItem::Kind::Unknown;
        item.title = QStringLiteral("%1/%2").arg(eventType, type);
        item.text = compactJson(o);
        item.pending = false;
    }
    qsizetype index = -1;
    if (EventItem *existing = itemById(item.id, &index)) {
        *existing = std::move(item);
        markUpdated(index);
    } else {
        append(std::move(item));
    }
}

// Codex before the thread/turn/item events (0.2x): {"id": "0", "msg": {"type": ...}}.
void EventStreamParser::handleCodexLegacy(const QJsonObject &event)
{
    const QJsonObject msg = event.value(QLatin1String("msg")).toObject();
    const QString type = str(msg, "type");
    const QString callId = str(msg, "call_id");
    EventItem item;
    if (type == QLatin1String("agent_message")) {
        item.kind = EventItem::Kind::AssistantText;
        item.text = cut(str(msg, "message"));
    } else if (type == QLatin1String("agent_reasoning")) {
        item.kind = EventItem::Kind::Thinking;
        item.text = cut(str(msg, "text"));
    } else if (type == QLatin1String("exec_command_begin")) {
        item.kind = EventItem::Kind::ToolCall;
        item.id = callId;
        item.title = QStringLiteral("shell");
        QStringList argv;
        for (const QJsonValue &a : msg.value(QLatin1String("command")).toArray())
            argv.append(a.toString());
        item.input = argv.join(QLatin1Char(' '));
        item.pending = true;
    } else if (type == QLatin1String("exec_command_end")) {
        qsizetype index = -1;
        EventItem *call = itemById(callId, &index);
        EventItem orphan;
        if (!call) {
            orphan.kind = EventItem::Kind::ToolCall;
            orphan.title = QStringLiteral("shell");
            orphan.id = callId;
            call = &orphan;
        }
        QString output = str(msg, "aggregated_output");
        if (output.isEmpty())
            output = str(msg, "stdout") + str(msg, "stderr");
        call->result = cut(output);
        call->hasResult = true;
        call->pending = false;
        call->isError = msg.value(QLatin1String("exit_code")).toInt() != 0;
        call->text
                = QStringLiteral("exit code %1").arg(msg.value(QLatin1String("exit_code")).toInt());
        if (call == &orphan)
            append(std::move(orphan));
        else
            markUpdated(index);
        return;
    } else if (type == QLatin1String("error") || type == QLatin1String("stream_error")) {
        item.kind = EventItem::Kind::Error;
        item.text = str(msg, "message");
        item.isError = true;
    } else if (type == QLatin1String("token_count")) {
        const QJsonObject total = msg.value(QLatin1String("info"))
                                          .toObject()
                                          .value(QLatin1String("total_token_usage"))
                                          .toObject();
        const QJsonObject usage = total.isEmpty() ? msg : total; // cumulative when nested
        m_totals.inputTokens = num(usage, "input_tokens");
        m_totals.cacheReadTokens = num(usage, "cached_input_tokens");
        m_totals.outputTokens = num(usage, "output_tokens");
        m_changes.totalsChanged = true;
        return;
    } else {
        appendUnknown(QStringLiteral("msg/") + type, event);
        return;
    }
    append(std::move(item));
}

} // namespace Parallax

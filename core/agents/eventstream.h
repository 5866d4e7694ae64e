#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Parallax {

// What a variation's stdout is, as far as the structured view is concerned.
enum class EventStreamFormat {
    Undecided, // not enough lines seen yet
    None,      // plain output: no structured view
    Claude,    // Claude Code `-p --output-format stream-json --verbose`
    Codex,     // Codex `exec --json` (thread/turn/item events, or the older {id, msg} form)
};

// One entry of an agent's event stream, as the structured view and the exports show it.
struct EventItem
{
    enum class Kind {
        AssistantText, // text: Markdown-ish
        Thinking,      // text; shown collapsed
        ToolCall,      // title: tool name; input, diff, result, isError, pending
        Error,         // text
        Result,        // the run's final result: text, isError; totals in EventTotals
        System,        // session/thread/turn bookkeeping: text is one line
        User,          // a user message echoed in the stream (text)
        Unknown,       // title: the event type; text: the event as one compact JSON line
        RawText,       // a line that is not JSON (a banner, a warning), kept as text
    };
    Kind kind = Kind::Unknown;
    QString id;    // tool_use id / Codex item id, for linking results
    QString title; // tool name, event type, result subtype
    QString text;
    QString input;  // a tool call's input: the command, or its JSON
    QString diff;   // a tool call's edit as a unified diff (Edit, MultiEdit, Write)
    QString result; // a tool call's result text
    bool hasResult = false;
    bool isError = false;
    bool pending = false; // a tool call or Codex item still in progress
    int count = 1;        // Unknown items of one type in a row (stream_event deltas) fold into one
};

// Token, cost and turn totals, from the events that carry them (-1: not reported).
struct EventTotals
{
    qint64 inputTokens = -1;
    qint64 outputTokens = -1;
    qint64 cacheReadTokens = -1;
    qint64 cacheCreationTokens = -1;
    double costUsd = -1;
    int turns = -1;
    qint64 durationMs = -1;

    bool isEmpty() const
    {
        return inputTokens < 0 && outputTokens < 0 && costUsd < 0 && turns < 0 && durationMs < 0;
    }
    QString
    toText() const; // "1,234 input · 56 output · 7 cached tokens · $0.0123 · 3 turns · 4.5 s"
};

// An incremental parser of an agent's JSON-lines stdout (Claude Code stream-json, Codex exec
// --json). Bytes go in as they arrive, split anywhere; complete lines are parsed at once and
// a partial line waits for the rest. The format is decided from the first non-empty lines
// (a stray non-JSON banner before the events is tolerated and kept as RawText); once it is
// None the parser stops looking at the bytes. Items are appended, and earlier items change in
// place when their result arrives (a tool result, a Codex item completing): after each feed(),
// takeChanges() says which. Unknown event types are kept as compact one-line JSON, never
// dropped; extra fields are ignored. docs/structured-view.md lists what is understood.
//
// With setStreaming(true) (exports), finished items can be taken off the front with
// takeFinished() so memory stays bounded. A plain value owned by its user; one thread.
class EventStreamParser
{
public:
    static constexpr int DetectionLines = 8;              // non-empty lines looked at to decide
    static constexpr qsizetype MaxLineBytes = 32 << 20;   // a longer line is cut and kept as text
    static constexpr qsizetype MaxFieldChars = 64 * 1024; // longer tool results are truncated

    EventStreamFormat format() const { return m_format; }
    bool isEventStream() const
    {
        return m_format == EventStreamFormat::Claude || m_format == EventStreamFormat::Codex;
    }

    void feed(QByteArrayView bytes);
    // The end of the stream: a last line without a newline is parsed, and an undecided format
    // becomes None (or the format of what was seen).
    void finish();
    void clear();

    const QList<EventItem> &items() const { return m_items; }
    const EventTotals &totals() const { return m_totals; }

    struct Changes
    {
        qsizetype firstNew = -1;  // items [firstNew, items().size()) are new; -1 none
        QList<qsizetype> updated; // older items changed in place (ascending, no duplicates)
        bool totalsChanged = false;
    };
    Changes takeChanges();

    // Export mode: items before the first one still pending can be taken; finish() makes all
    // finished. Indexes in Changes are not meaningful in this mode.
    void setStreaming(bool streaming) { m_streaming = streaming; }
    QList<EventItem> takeFinished();

    // A unified diff of an edit (old text → new text) with three lines of context.
    static QString unifiedDiff(const QString &path, const QString &oldText, const QString &newText);
    // One JSON line for an Unknown item: compact, cut at `maxChars`.
    static QString compactJson(const QJsonObject &object, qsizetype maxChars = 400);

private:
    void processLine(QByteArrayView line);
    void decide(QByteArrayView line, const QJsonObject &object, bool isJson);
    void handleClaude(const QJsonObject &event);
    void handleCodex(const QJsonObject &event);
    void handleCodexItem(const QString &type, const QJsonObject &item);
    void handleCodexLegacy(const QJsonObject &event);
    qsizetype append(EventItem item);
    void appendUnknown(const QString &type, const QJsonObject &event);
    void markUpdated(qsizetype index);
    EventItem *itemById(const QString &id, qsizetype *index = nullptr);
    void setToolInput(EventItem &item, const QString &name, const QJsonObject &input);

    EventStreamFormat m_format = EventStreamFormat::Undecided;
    QByteArray m_partial;
    bool m_discarding = false; // inside an over-long line
    int m_linesSeen = 0;
    QList<QByteArray> m_heldLines; // lines seen while undecided
    QList<EventItem> m_items;
    qsizetype m_taken = 0;            // items taken off the front (streaming)
    QHash<QString, qsizetype> m_byId; // absolute index (m_taken + position)
    EventTotals m_totals;
    QHash<QString, QJsonObject> m_messageUsage; // Claude: usage per assistant message id
    bool m_haveResultTotals = false;
    Changes m_changes;
    bool m_streaming = false;
    bool m_finished = false;
};

} // namespace Parallax

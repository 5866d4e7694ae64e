// EventStreamParser and EventStreamModel over recorded-format fixtures (tests/data/): Claude
// Code stream-json (a session with Read/Edit/Bash/Write, and a failed one behind a banner),
// Codex exec --json (thread/turn/item events) and the older Codex {id, msg} form. Every fixture
// is also fed split at every byte boundary and one byte at a time; the model is checked with
// QAbstractItemModelTester and its signals (inserts per feed, dataChanged for a tool result,
// never a reset).

#include "agents/eventstream.h"
#include "agents/eventstreammodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QSignalSpy>
#include <QTest>

using namespace Parallax;
using Kind = EventItem::Kind;

static QByteArray fixture(const char *name)
{
    const QByteArray source = qgetenv("PARALLAX_SOURCE_DIR");
    QFile file(QString::fromUtf8(source) + QStringLiteral("/tests/data/") + QLatin1String(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open fixture %s (PARALLAX_SOURCE_DIR=%s)", name, source.constData());
    return file.readAll();
}

// Everything an item holds, to compare parses fed in different chunkings.
static QStringList describe(const EventStreamParser &parser)
{
    QStringList out;
    for (const EventItem &i : parser.items())
        out.append(QStringLiteral("%1|%2|%3|%4|%5|%6|%7|%8|%9|%10|%11")
                           .arg(int(i.kind))
                           .arg(i.id, i.title, i.text, i.input, i.diff, i.result)
                           .arg(i.hasResult)
                           .arg(i.isError)
                           .arg(i.pending)
                           .arg(i.count));
    out.append(parser.totals().toText());
    out.append(QString::number(int(parser.format())));
    return out;
}

static EventStreamParser parseWhole(const QByteArray &bytes)
{
    EventStreamParser parser;
    parser.feed(bytes);
    parser.finish();
    return parser;
}

static QList<Kind> kinds(const EventStreamParser &parser)
{
    QList<Kind> out;
    for (const EventItem &i : parser.items())
        out.append(i.kind);
    return out;
}

class TestEventStream : public QObject
{
    Q_OBJECT

private slots:
    void claudeSession()
    {
        const EventStreamParser p = parseWhole(fixture("claude-stream.jsonl"));
        QCOMPARE(p.format(), EventStreamFormat::Claude);
        QCOMPARE(kinds(p),
                 (QList<Kind>{Kind::System,
                              Kind::Thinking,
                              Kind::AssistantText,
                              Kind::ToolCall,
                              Kind::ToolCall,
                              Kind::ToolCall,
                              Kind::ToolCall,
                              Kind::Unknown,
                              Kind::AssistantText,
                              Kind::Result}));
        const QList<EventItem> &items = p.items();
        QVERIFY(items[0].text.contains(QLatin1String("claude-sonnet-4-5-20250929")));
        QVERIFY(items[0].text.contains(QLatin1String("9 tools")));
        QCOMPARE(items[1].text,
                 QStringLiteral(
                         "The user wants the greeting fixed. Let me look at the file first."));

        const EventItem &read = items[3];
        QCOMPARE(read.title, QStringLiteral("Read"));
        QCOMPARE(read.input, QStringLiteral("/workspace/hello.py"));
        QVERIFY(read.hasResult);
        QVERIFY(!read.pending);
        QVERIFY(read.result.contains(QLatin1String("print(\"Helo, world\")")));

        const EventItem &edit = items[4];
        QCOMPARE(edit.title, QStringLiteral("Edit"));
        QCOMPARE(edit.diff,
                 QStringLiteral(
                         "--- a/workspace/hello.py\n+++ b/workspace/hello.py\n@@ -1,1 +1,1 @@\n"
                         "-    print(\"Helo, world\")\n+    print(\"Hello, world!\")\n"));
        QVERIFY(!edit.isError);

        const EventItem &bash = items[5];
        QCOMPARE(bash.title, QStringLiteral("Bash"));
        QCOMPARE(bash.input, QStringLiteral("python3 hello.py && python3 -m pytest -q"));
        QCOMPARE(bash.text, QStringLiteral("Run the script and the tests"));
        QVERIFY(bash.isError);
        QVERIFY(bash.result.contains(QLatin1String("No module named pytest")));

        const EventItem &write = items[6];
        QVERIFY(write.diff.startsWith(QLatin1String(
                "--- /dev/null\n+++ b/workspace/NOTES.md\n@@ -0,0 +1,3 @@\n+# Notes\n")));

        QCOMPARE(items[7].title, QStringLiteral("system/compact_boundary"));
        QVERIFY(items[7].text.contains(QLatin1String("\"pre_tokens\":150000")));
        QVERIFY(items[8].text.contains(QLatin1String("```python")));
        QCOMPARE(items[9].title, QStringLiteral("success"));
        QVERIFY(!items[9].isError);

        const EventTotals &t = p.totals();
        QCOMPARE(t.inputTokens, 28);
        QCOMPARE(t.outputTokens, 490);
        QCOMPARE(t.cacheReadTokens, 77080);
        QCOMPARE(t.cacheCreationTokens, 6050);
        QCOMPARE(t.costUsd, 0.0412345);
        QCOMPARE(t.turns, 9);
        QCOMPARE(t.durationMs, 23456);
        QCOMPARE(t.toText(),
                 QStringLiteral("28 input · 490 output · 77,080 cache read · 6,050 cache write "
                                "tokens · $0.0412 · 9 turns · 23.5 s"));
    }

    // Before the result arrives, the totals come from the assistant messages, each message id
    // counted once although Claude sends one event per content block.
    void claudeRunningTotals()
    {
        const QByteArray all = fixture("claude-stream.jsonl");
        const qsizetype resultLine = all.indexOf("{\"type\":\"result\"");
        EventStreamParser p;
        p.feed(all.first(resultLine));
        QCOMPARE(p.totals().outputTokens, 120 + 140 + 90 + 80 + 60);
        QCOMPARE(p.totals().inputTokens, 4 + 6 + 6 + 6 + 6);
        QCOMPARE(p.totals().costUsd, -1.0);
    }

    void claudeErrorBehindBanner()
    {
        const EventStreamParser p = parseWhole(fixture("claude-stream-error.jsonl"));
        QCOMPARE(p.format(), EventStreamFormat::Claude);
        QCOMPARE(kinds(p),
                 (QList<Kind>{Kind::RawText,
                              Kind::System,
                              Kind::AssistantText,
                              Kind::Error,
                              Kind::Unknown,
                              Kind::Result}));
        QCOMPARE(p.items()[0].text,
                 QStringLiteral("Warning: no stdin data received in 3s, proceeding without it."));
        QCOMPARE(p.items()[3].text, QStringLiteral("authentication_failed"));
        QCOMPARE(p.items()[4].title, QStringLiteral("brand_new_event"));
        QCOMPARE(p.items()[4].text,
                 QStringLiteral("{\"payload\":{\"x\":1},\"type\":\"brand_new_event\"}"));
        QVERIFY(p.items()[5].isError);
        QCOMPARE(p.items()[5].title, QStringLiteral("error_during_execution"));
        QCOMPARE(p.items()[5].text, QStringLiteral("Invalid API key · Please run /login"));
        QCOMPARE(p.totals().costUsd, 0.0);
    }

    // Real output: Claude Code 2.1.112 (the parallax-test/claude-code image) with no network,
    // its init event and the API retries it reports until it was stopped.
    void claudeRealApiRetries()
    {
        const EventStreamParser p = parseWhole(fixture("claude-real-api-retry.jsonl"));
        QCOMPARE(p.format(), EventStreamFormat::Claude);
        QCOMPARE(p.items().size(), 10);
        QCOMPARE(p.items()[0].text,
                 QStringLiteral("Session started · model claude-sonnet-4-6 · 24 tools · /workspace "
                                "· permissions: acceptEdits"));
        for (qsizetype i = 1; i < p.items().size(); ++i) {
            QCOMPARE(p.items()[i].kind, Kind::System);
            QVERIFY(p.items()[i].isError);
        }
        QCOMPARE(p.items()[1].text,
                 QStringLiteral("API request failed (unknown), retry 1 of 10 in 0.5 s"));
        QVERIFY(p.totals().isEmpty());
    }

    // Real output: Claude Code 2.1.112 running Bash, Write and a blocked Bash against a
    // scripted Messages API (tool calls and results, extra fields such as tool_use_result).
    void claudeRealSession()
    {
        const EventStreamParser p = parseWhole(fixture("claude-real-session.jsonl"));
        QCOMPARE(p.format(), EventStreamFormat::Claude);
        QCOMPARE(kinds(p),
                 (QList<Kind>{Kind::System,
                              Kind::ToolCall,
                              Kind::ToolCall,
                              Kind::ToolCall,
                              Kind::AssistantText,
                              Kind::Result}));
        const QList<EventItem> &items = p.items();
        QCOMPARE(items[1].input, QStringLiteral("ls /workspace && echo done"));
        QCOMPARE(items[1].text, QStringLiteral("List the workspace"));
        QCOMPARE(items[1].result, QStringLiteral("greeting.txt\ndone"));
        QVERIFY(!items[1].isError && !items[1].pending);
        QCOMPARE(items[2].title, QStringLiteral("Write"));
        QCOMPARE(items[2].diff,
                 QStringLiteral(
                         "--- /dev/null\n+++ b/workspace/NOTES.md\n@@ -0,0 +1,3 @@\n+# Notes\n+\n"
                         "+Hello from the scripted model.\n"));
        QCOMPARE(items[2].result,
                 QStringLiteral("File created successfully at: /workspace/NOTES.md"));
        QVERIFY(items[3].isError);
        QVERIFY(items[3].result.contains(QLatin1String("was blocked")));
        QVERIFY(items[4].text.startsWith(QLatin1String("Done: I listed the workspace")));
        QCOMPARE(p.totals().toText(),
                 QStringLiteral("406 input · 86 output · 200 cache read · 0 cache write tokens · "
                                "$0.0026 · 4 turns · 0.7 s"));
    }

    void codexExec()
    {
        const EventStreamParser p = parseWhole(fixture("codex-exec.jsonl"));
        QCOMPARE(p.format(), EventStreamFormat::Codex);
        QCOMPARE(kinds(p),
                 (QList<Kind>{Kind::System,
                              Kind::System,
                              Kind::Thinking,
                              Kind::ToolCall, // item_1, started then completed in place
                              Kind::ToolCall, // to-do list
                              Kind::ToolCall, // file change
                              Kind::ToolCall, // item_4
                              Kind::ToolCall, // mcp
                              Kind::Error,
                              Kind::Unknown,
                              Kind::AssistantText,
                              Kind::System,
                              Kind::System,
                              Kind::Error,
                              Kind::Error}));
        const QList<EventItem> &items = p.items();
        QCOMPARE(items[3].input, QStringLiteral("bash -lc 'grep -rn Helo .'"));
        QCOMPARE(items[3].result, QStringLiteral("./hello.py:2:    print(\"Helo, world\")\n"));
        QVERIFY(items[3].hasResult && !items[3].pending && !items[3].isError);
        QCOMPARE(items[4].input, QStringLiteral("[ ] Fix the typo\n[ ] Run the script"));
        QCOMPARE(items[5].input, QStringLiteral("update /workspace/hello.py"));
        QVERIFY(items[6].isError);
        QCOMPARE(items[6].text, QStringLiteral("exit code 1"));
        QCOMPARE(items[7].title, QStringLiteral("docs.search"));
        QCOMPARE(items[7].result, QStringLiteral("Use an exclamation mark."));
        QCOMPARE(items[9].title, QStringLiteral("item.plan.delta"));
        QCOMPARE(items[10].text,
                 QStringLiteral("Fixed the typo in `hello.py`; it now prints `Hello, world!`."));
        QCOMPARE(items[13].text, QStringLiteral("stream disconnected before completion"));
        QCOMPARE(items[14].text, QStringLiteral("Reconnecting... 1/5"));
        QCOMPARE(p.totals().inputTokens, 24763);
        QCOMPARE(p.totals().cacheReadTokens, 24448);
        QCOMPARE(p.totals().outputTokens, 122);
        QCOMPARE(p.totals().turns, 1);
        QCOMPARE(p.totals().costUsd, -1.0);
    }

    void codexLegacy()
    {
        const EventStreamParser p = parseWhole(fixture("codex-legacy.jsonl"));
        QCOMPARE(p.format(), EventStreamFormat::Codex);
        QCOMPARE(kinds(p),
                 (QList<Kind>{Kind::Unknown, // the config line, kept
                              Kind::Unknown, // the prompt line
                              Kind::Unknown, // task_started
                              Kind::Thinking,
                              Kind::ToolCall,
                              Kind::AssistantText}));
        QCOMPARE(p.items()[0].title, QStringLiteral("(untyped)"));
        QCOMPARE(p.items()[2].title, QStringLiteral("msg/task_started"));
        QCOMPARE(p.items()[4].input, QStringLiteral("bash -lc cat hello.py"));
        QCOMPARE(p.items()[4].result, QStringLiteral("print('Helo')\n"));
        QCOMPARE(p.totals().inputTokens, 1200);
        QCOMPARE(p.totals().outputTokens, 40);
    }

    void splitAtEveryByte_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        for (const char *name : {"claude-stream.jsonl",
                                 "claude-stream-error.jsonl",
                                 "claude-real-api-retry.jsonl",
                                 "claude-real-session.jsonl",
                                 "codex-exec.jsonl",
                                 "codex-legacy.jsonl"})
            QTest::addRow("%s", name) << fixture(name);
        QTest::addRow("crlf") << fixture("codex-exec.jsonl").replace("\n", "\r\n");
        QTest::addRow("no final newline") << fixture("claude-stream.jsonl").chopped(1);
    }
    void splitAtEveryByte()
    {
        QFETCH(QByteArray, bytes);
        const QStringList whole = describe(parseWhole(bytes));
        for (qsizetype cut = 1; cut < bytes.size(); ++cut) {
            EventStreamParser p;
            p.feed(QByteArrayView(bytes).first(cut));
            p.feed(QByteArrayView(bytes).sliced(cut));
            p.finish();
            if (describe(p) != whole)
                QFAIL(qPrintable(QStringLiteral("differs when split at byte %1").arg(cut)));
        }
        EventStreamParser bytewise;
        for (const char c : bytes)
            bytewise.feed(QByteArrayView(&c, 1));
        bytewise.finish();
        QCOMPARE(describe(bytewise), whole);
    }

    void detection_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<EventStreamFormat>("format");
        QTest::addRow("plain text") << QByteArray("Building...\nDone\n") << EventStreamFormat::None;
        QTest::addRow("other JSON logs")
                << QByteArray("{\"level\":\"info\",\"msg\":\"start\"}\n").repeated(10)
                << EventStreamFormat::None;
        QTest::addRow("banner then claude") << QByteArray(
                "npm warn "
                "deprecated\n\n{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s\"}\n")
                                            << EventStreamFormat::Claude;
        QTest::addRow("codex") << QByteArray("{\"type\":\"thread.started\",\"thread_id\":\"t\"}\n")
                               << EventStreamFormat::Codex;
        QTest::addRow("too late") << QByteArray("line\n").repeated(
                                             EventStreamParser::DetectionLines)
                                             + "{\"type\":\"assistant\",\"message\":{}}\n"
                                  << EventStreamFormat::None;
        QTest::addRow("empty") << QByteArray() << EventStreamFormat::None;
        QTest::addRow("JSON array") << QByteArray("[1,2]\n") << EventStreamFormat::None;
        QTest::addRow("lone result-typed object")
                << QByteArray("{\"type\":\"result\",\"value\":3}\n") << EventStreamFormat::None;
    }
    void detection()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(EventStreamFormat, format);
        EventStreamParser p;
        p.feed(bytes);
        p.finish();
        QCOMPARE(p.format(), format);
        if (format == EventStreamFormat::None)
            QVERIFY(p.items().isEmpty());
    }

    // Undecided until an event says what the stream is; blank lines do not count.
    void undecidedUntilAnEvent()
    {
        EventStreamParser p;
        p.feed("\n\n   \n");
        QCOMPARE(p.format(), EventStreamFormat::Undecided);
        p.feed("{\"type\":\"turn.sta");
        QCOMPARE(p.format(), EventStreamFormat::Undecided);
        p.feed("rted\"}\n");
        QCOMPARE(p.format(), EventStreamFormat::Codex);
        QCOMPARE(p.items().size(), 1);
    }

    void malformedAndUnknownLines()
    {
        EventStreamParser p;
        p.feed("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s\"}\n"
               "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"text\",\"text\":"
               "\"hi\"}]}\n"
               "plain words\n"
               "{\"type\":\"mystery\",\"deep\":{\"a\":[1,2,3]}}\n"
               "{\"type\":\"assistant\",\"message\":{\"content\":[{\"type\":\"image\",\"source\":{}"
               "}]}}\n");
        p.finish();
        QCOMPARE(
                kinds(p),
                (QList<Kind>{
                        Kind::System, Kind::RawText, Kind::RawText, Kind::Unknown, Kind::Unknown}));
        QCOMPARE(p.items()[1].title, QStringLiteral("malformed JSON"));
        QVERIFY(p.items()[1].text.startsWith(QLatin1String("{\"type\":\"assistant\"")));
        QCOMPARE(p.items()[2].title, QStringLiteral("text"));
        QCOMPARE(p.items()[3].text,
                 QStringLiteral("{\"deep\":{\"a\":[1,2,3]},\"type\":\"mystery\"}"));
        QCOMPARE(p.items()[4].title, QStringLiteral("assistant/image"));
    }

    void partialMessageDeltasFold()
    {
        EventStreamParser p;
        p.feed("{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s\"}\n");
        for (int i = 0; i < 50; ++i)
            p.feed(QByteArray("{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_"
                              "delta\",\"index\":")
                   + QByteArray::number(i) + "}}\n");
        p.finish();
        QCOMPARE(p.items().size(), 2);
        QCOMPARE(p.items()[1].count, 50);
        QVERIFY(p.items()[1].text.contains(QLatin1String("\"index\":49")));
    }

    void overlongLineIsKeptCut()
    {
        EventStreamParser p;
        p.feed("{\"type\":\"turn.started\"}\n");
        const QByteArray big(EventStreamParser::MaxLineBytes + 100, 'x');
        p.feed(big.first(1000));
        p.feed(QByteArrayView(big).sliced(1000));
        p.feed("\n{\"type\":\"turn.started\"}\n");
        p.finish();
        QCOMPARE(kinds(p), (QList<Kind>{Kind::System, Kind::RawText, Kind::System}));
        QVERIFY(p.items()[1].text.size() < 5000);
    }

    void unifiedDiffHunks()
    {
        QStringList before;
        for (int i = 1; i <= 20; ++i)
            before.append(QStringLiteral("line %1").arg(i));
        QStringList after = before;
        after[1] = QStringLiteral("line two");
        after.insert(15, QStringLiteral("inserted"));
        const QString diff = EventStreamParser::unifiedDiff(
                QStringLiteral("f.txt"), before.join('\n') + '\n', after.join('\n') + '\n');
        QCOMPARE(diff,
                 QStringLiteral(
                         "--- a/f.txt\n+++ b/f.txt\n"
                         "@@ -1,5 +1,5 @@\n line 1\n-line 2\n+line two\n line 3\n line 4\n line 5\n"
                         "@@ -13,6 +13,7 @@\n line 13\n line 14\n line 15\n+inserted\n line 16\n"
                         " line 17\n line 18\n"));
        QCOMPARE(EventStreamParser::unifiedDiff(
                         QStringLiteral("x"), QStringLiteral("a\n"), QStringLiteral("a\n")),
                 QStringLiteral("--- a/x\n+++ b/x\n"));
    }

    // Export mode: items come off the front once nothing before them is pending, in order,
    // and together they are what a whole parse holds.
    void streamingTakesFinishedItems()
    {
        const QByteArray bytes = fixture("claude-stream.jsonl");
        const EventStreamParser whole = parseWhole(bytes);
        EventStreamParser p;
        p.setStreaming(true);
        QList<EventItem> taken;
        qsizetype maxHeld = 0;
        for (const QByteArray &line : bytes.split('\n')) {
            p.feed(line + '\n');
            taken += p.takeFinished();
            maxHeld = qMax(maxHeld, p.items().size());
        }
        p.finish();
        taken += p.takeFinished();
        QCOMPARE(taken.size(), whole.items().size());
        for (qsizetype i = 0; i < taken.size(); ++i) {
            QCOMPARE(taken[i].kind, whole.items()[i].kind);
            QCOMPARE(taken[i].result, whole.items()[i].result);
        }
        QVERIFY(maxHeld <= 2); // a tool call waits for its result, nothing more
        QVERIFY(p.items().isEmpty());
    }

    // Codex items that start, update and complete are written once, complete, in stream order.
    void streamingCodexItemsOnce()
    {
        const QByteArray bytes = fixture("codex-exec.jsonl");
        const EventStreamParser whole = parseWhole(bytes);
        EventStreamParser p;
        p.setStreaming(true);
        QList<EventItem> taken;
        for (const QByteArray &line : bytes.split('\n')) {
            p.feed(line + '\n');
            taken += p.takeFinished();
        }
        p.finish();
        taken += p.takeFinished();
        QCOMPARE(taken.size(), whole.items().size());
        for (qsizetype i = 0; i < taken.size(); ++i) {
            QCOMPARE(taken[i].kind, whole.items()[i].kind);
            QCOMPARE(taken[i].input, whole.items()[i].input);
            QCOMPARE(taken[i].result, whole.items()[i].result);
        }
        QVERIFY(taken[3].hasResult); // item_1 written after it completed
    }

    void modelUpdatesIncrementally()
    {
        EventStreamModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
        QSignalSpy format(&model, &EventStreamModel::formatChanged);
        QSignalSpy totals(&model, &EventStreamModel::totalsChanged);

        const QByteArray bytes = fixture("claude-stream.jsonl");
        const QList<QByteArray> lines = bytes.split('\n');
        // The Read call, then its result in a later feed: the row changes in place.
        int feeds = 0;
        for (const QByteArray &line : lines) {
            if (line.isEmpty())
                continue;
            model.feed(line.first(line.size() / 2));
            model.feed(line.sliced(line.size() / 2) + '\n');
            feeds += 2;
        }
        model.finish();
        QCOMPARE(model.rowCount(), 10);
        QCOMPARE(reset.count(), 0);
        QVERIFY(inserted.count() <= feeds);
        QCOMPARE(format.count(), 1);
        QCOMPARE(format.first().first().value<EventStreamFormat>(), EventStreamFormat::Claude);
        QVERIFY(totals.count() >= 2);
        // dataChanged for rows 3 (Read), 4 (Edit), 5 (Bash), 6 (Write): their results.
        QList<int> rows;
        for (const QList<QVariant> &args : std::as_const(changed))
            rows.append(args.first().toModelIndex().row());
        QCOMPARE(rows, (QList<int>{3, 4, 5, 6}));
        const QModelIndex bash = model.index(5);
        QCOMPARE(bash.data(EventStreamModel::KindRole).toInt(), int(Kind::ToolCall));
        QCOMPARE(bash.data(EventStreamModel::IsErrorRole).toBool(), true);
        QCOMPARE(bash.data().toString(),
                 QStringLiteral("Bash: python3 hello.py && python3 -m pytest -q"));
        QVERIFY(model.index(4)
                        .data(EventStreamModel::DiffRole)
                        .toString()
                        .contains(QLatin1String("+    print(\"Hello, world!\")")));

        model.clear();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.format(), EventStreamFormat::Undecided);
    }

    void modelIgnoresPlainOutput()
    {
        EventStreamModel model;
        QAbstractItemModelTester tester(&model,
                                        QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy format(&model, &EventStreamModel::formatChanged);
        for (int i = 0; i < 100; ++i)
            model.feed(QByteArray("compiling unit ") + QByteArray::number(i) + "\n");
        QCOMPARE(model.format(), EventStreamFormat::None);
        QCOMPARE(format.count(), 1);
        QCOMPARE(model.rowCount(), 0);
    }
};

QTEST_GUILESS_MAIN(TestEventStream)
#include "tst_eventstream.moc"

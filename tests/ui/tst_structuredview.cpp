// The structured view of agent event streams, offscreen: a Claude Code session's tool calls with
// the Edit's diff painted in diff colours, thinking collapsed until clicked, the totals line;
// the pane's Raw | Structured switch appearing only for event streams (fed directly, live from a
// real container through the window, and in a recorded run opened in a RunViewer at once or
// replayed); live feeding that keeps the list at the bottom, and a finished run of thousands of
// events laid out in one pass.

#include "docker/dockermonitor.h"
#include "launchpanel.h"
#include "mainwindow.h"
#include "outputview.h"
#include "panearea.h"
#include "runviewer.h"
#include "structuredview.h"
#include "variationpane.h"

#include "agents/eventstreammodel.h"
#include "run/run.h"
#include "run/runspec.h"
#include "transcript/transcriptwriter.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QListView>
#include <QScrollBar>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace Parallax;
using Kind = EventItem::Kind;

namespace {

QByteArray fixture(const char *name)
{
    QFile file(qEnvironmentVariable("PARALLAX_SOURCE_DIR") + "/tests/data/" + name);
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot open fixture %s", name);
    return file.readAll();
}

// How many pixels of `rect` in `image` have exactly `colour`.
int countColour(const QImage &image, const QRect &rect, QColor colour)
{
    int n = 0;
    const QRect r = rect.intersected(image.rect());
    for (int y = r.top(); y <= r.bottom(); ++y)
        for (int x = r.left(); x <= r.right(); ++x)
            n += image.pixelColor(x, y).rgb() == colour.rgb();
    return n;
}

QToolButton *button(QWidget *parent, const QString &text)
{
    for (QToolButton *b : parent->findChildren<QToolButton *>())
        if (b->text() == text)
            return b;
    return nullptr;
}

VariationPane::Recorded recorded(const QString &name)
{
    VariationPane::Recorded r;
    r.name = name;
    return r;
}

// A tool call and its result, `n` times: a long session.
QByteArray manyToolCalls(int n)
{
    QByteArray out = R"({"type":"system","subtype":"init","session_id":"s","model":"m","tools":[]})"
                     "\n";
    for (int i = 0; i < n; ++i) {
        const QByteArray id = "toolu_" + QByteArray::number(i);
        out += R"({"type":"assistant","session_id":"s","message":{"id":"m)" + QByteArray::number(i)
               + R"(","content":[{"type":"tool_use","id":")" + id
               + R"(","name":"Bash","input":{"command":"echo step )" + QByteArray::number(i)
               + R"("}}],"usage":{"input_tokens":1,"output_tokens":2}}})"
                 "\n";
        out += R"({"type":"user","session_id":"s","message":{"content":[{"type":"tool_result","tool_use_id":")"
               + id + R"(","content":"step )" + QByteArray::number(i)
               + R"("}]}})"
                 "\n";
    }
    return out;
}

} // namespace

class TestStructuredView : public QObject
{
    Q_OBJECT

private slots:
    void showsToolCallsDiffThinkingAndTotals()
    {
        StructuredView view;
        view.setPalette(QPalette(Qt::white)); // a light palette: known diff colours
        view.resize(900, 1400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        view.appendStdout(fixture("claude-stream.jsonl"));
        QTRY_COMPARE(view.model()->rowCount(), 10);
        QCOMPARE(view.model()->format(), EventStreamFormat::Claude);

        // Thinking (row 1) collapsed; the Edit (row 4) open with its diff; Read (row 3) closed.
        QCOMPARE(view.model()->item(1).kind, Kind::Thinking);
        QVERIFY(!view.isExpanded(1));
        QVERIFY(view.isExpanded(4));
        QVERIFY(!view.isExpanded(3));
        QVERIFY(view.isExpanded(5)); // the failed Bash call shows its error result

        QListView *list = view.listView();
        const QRect readRect = list->visualRect(view.model()->index(3));
        const QRect editRect = list->visualRect(view.model()->index(4));
        QVERIFY(editRect.height() > 3 * readRect.height());
        const QImage image = list->viewport()->grab().toImage();
        // Added and deleted lines on their green and red backgrounds, inside the Edit's row.
        QVERIFY(countColour(image, editRect, QColor(0xdafbe1)) > 100);
        QVERIFY(countColour(image, editRect, QColor(0xffebe9)) > 100);
        QCOMPARE(countColour(image, readRect, QColor(0xdafbe1)), 0);
        // The failed Bash call is tinted as an error.
        const QRect bashRect = list->visualRect(view.model()->index(5));
        QVERIFY(bashRect.height() > readRect.height());

        // Clicking the thinking row opens it: taller, and the text is there.
        const QRect thinkingRect = list->visualRect(view.model()->index(1));
        QTest::mouseClick(list->viewport(), Qt::LeftButton, {}, thinkingRect.center());
        QVERIFY(view.isExpanded(1));
        QTRY_VERIFY(list->visualRect(view.model()->index(1)).height() > thinkingRect.height());
        QTest::mouseClick(list->viewport(),
                          Qt::LeftButton,
                          {},
                          list->visualRect(view.model()->index(1)).center());
        QVERIFY(!view.isExpanded(1));

        QCOMPARE(view.totalsText(),
                 QStringLiteral("Totals: 28 input · 490 output · 77,080 cache read · 6,050 cache "
                                "write tokens · $0.0412 · 9 turns · 23.5 s"));

        view.setAllExpanded(true);
        QVERIFY(view.isExpanded(1) && view.isExpanded(3));
        view.setAllExpanded(false);
        QVERIFY(!view.isExpanded(4) && !view.isExpanded(1));
    }

    void switchOnlyForEventStreams()
    {
        VariationPane pane;
        pane.resize(800, 600);
        pane.setRecorded(recorded(QStringLiteral("plain")));
        pane.show();
        QVERIFY(QTest::qWaitForWindowExposed(&pane));
        QToolButton *structured = button(&pane, QStringLiteral("Structured"));
        QToolButton *raw = button(&pane, QStringLiteral("Raw"));
        QVERIFY(structured && raw);

        for (int i = 0; i < 20; ++i)
            pane.appendOutput(StreamType::Stdout, "compiling " + QByteArray::number(i) + "\n", 0);
        pane.appendOutput(StreamType::Stdout, "{\"type\":\"result\"}\n", 0);
        QTRY_COMPARE(pane.structuredView()->model()->format(), EventStreamFormat::None);
        QVERIFY(!structured->isVisible());
        QVERIFY(!pane.isStructured());
        QVERIFY(pane.view()->isVisible());

        // A Claude stream: the switch appears and the pane shows the structured view.
        pane.setRecorded(recorded(QStringLiteral("claude")));
        QSignalSpy format(pane.structuredView(), &StructuredView::formatChanged);
        const QByteArray bytes = fixture("claude-stream.jsonl");
        pane.appendOutput(StreamType::Stderr, "npm warn\n", 0); // stderr is not parsed
        pane.appendOutput(StreamType::Stdout, bytes.left(300), 0);
        pane.appendOutput(StreamType::Stdout, bytes.mid(300), 0);
        QTRY_VERIFY(structured->isVisible());
        QVERIFY(pane.isStructured());
        QVERIFY(structured->isChecked());
        QVERIFY(!pane.view()->isVisible());
        QVERIFY(pane.structuredView()->isVisible());
        QCOMPARE(pane.structuredView()->model()->rowCount(), 10);
        QCOMPARE(pane.view()->buffer()->totalLinesSeen(), 15); // raw view keeps everything

        raw->click();
        QVERIFY(!pane.isStructured());
        QVERIFY(pane.view()->isVisible());
        QVERIFY(!pane.structuredView()->isVisible());
        structured->click();
        QVERIFY(pane.isStructured());

        // Cleared for a plain recording: the switch goes away and Raw is back.
        pane.setRecorded(recorded(QStringLiteral("plain again")));
        QVERIFY(!structured->isVisible());
        QVERIFY(!pane.isStructured());
    }

    // Live, through the window and a real container: the demo image prints a real Claude Code
    // session line by line, and the pane turns Structured while the run is still going.
    void liveRunInWindow()
    {
        QStandardPaths::setTestModeEnabled(true);
        const QJsonObject spec{
                {"name", "structured-live"},
                {"image", PARALLAX_DEMO_IMAGE},
                {"command",
                 QJsonArray{"sh",
                            "-c",
                            "printf '%s\\n' \"$EVENTS\" | while IFS= read -r line; do "
                            "printf '%s\\n' \"$line\"; sleep 0.2; done"}},
                {"env",
                 QJsonObject{{"EVENTS",
                              QString::fromUtf8(fixture("claude-real-session.jsonl").trimmed())}}},
                {"variations", QJsonArray{QJsonObject{{"name", "claude"}}}}};
        const Result<RunSpec> parsed = RunSpec::fromJson(QJsonDocument(spec).toJson());
        QVERIFY2(parsed, qPrintable(parsed.errorString()));
        MainWindow window;
        window.resize(1200, 800);
        window.show();
        window.launchPanel()->setSpec(*parsed);
        QTRY_VERIFY_WITH_TIMEOUT(window.dockerMonitor()->health() == DockerMonitor::Health::Healthy,
                                 10000);
        window.launch();
        Run *run = window.currentRun();
        QVERIFY(run);
        QSignalSpy finished(run, &Run::finished);
        VariationPane *pane = window.paneArea()->panes().value(0);
        QVERIFY(pane);
        // Structured before the end: the first events are shown while later ones are on their way.
        QTRY_VERIFY_WITH_TIMEOUT(pane->isStructured(), 30000);
        QVERIFY(!run->isFinished());
        QTRY_VERIFY_WITH_TIMEOUT(pane->structuredView()->model()->rowCount() >= 2, 5000);
        QVERIFY(run->isFinished() || finished.wait(30000));
        QTRY_COMPARE(pane->structuredView()->model()->rowCount(), 6);
        QCOMPARE(pane->structuredView()->model()->item(2).title, QStringLiteral("Write"));
        QVERIFY(pane->structuredView()->totalsText().contains(QLatin1String("$0.0026")));
        // The raw view has every line, as the container printed it.
        QCOMPARE(pane->view()->buffer()->totalLinesSeen(), 9);
        QDir(Run::defaultRunsDirectory()).removeRecursively();
    }

    // A recorded Claude run opened in the run viewer, at once or replayed on its clock: the
    // pane switches to Structured and holds every event.
    void recordedRunInRunViewer_data()
    {
        QTest::addColumn<double>("speed");
        QTest::addRow("instant") << 0.0;
        QTest::addRow("replay 16x") << 16.0;
    }
    void recordedRunInRunViewer()
    {
        QFETCH(double, speed);
        QTemporaryDir dir;
        TranscriptWriter writer;
        QVERIFY(writer.open(dir.path(), "claude"));
        const QByteArray bytes = fixture("claude-stream.jsonl");
        for (qsizetype i = 0; i < bytes.size(); i += 512)
            writer.append(StreamType::Stdout,
                          bytes.mid(i, 512),
                          qMin<qsizetype>(512, bytes.size() - i),
                          {});
        writer.close();
        const QJsonObject record{{"format", 1},
                                 {"run_id", "20260101-140000-strc"},
                                 {"name", "structured"},
                                 {"state", "finished"},
                                 {"started_at", "2026-01-01T14:00:00.000Z"},
                                 {"variations",
                                  QJsonArray{QJsonObject{{"name", "claude"},
                                                         {"state", "exited"},
                                                         {"exit_code", 0},
                                                         {"transcript", "claude.jsonl"}}}}};
        QFile json(dir.filePath("run.json"));
        QVERIFY(json.open(QIODevice::WriteOnly));
        json.write(QJsonDocument(record).toJson());
        json.close();

        RunViewer viewer;
        QSignalSpy done(&viewer, &RunViewer::replayFinished);
        QVERIFY(viewer.open(dir.path(), speed));
        viewer.show();
        QVERIFY(QTest::qWaitForWindowExposed(&viewer));
        QVERIFY(done.count() == 1 || done.wait(5000));
        VariationPane *pane = viewer.panes().value(0);
        QVERIFY(pane);
        QTRY_VERIFY(pane->isStructured());
        QCOMPARE(pane->structuredView()->model()->rowCount(), 10);
        QVERIFY(pane->structuredView()->totalsText().contains(QLatin1String("$0.0412")));
    }

    // Events arriving one by one show up within a frame, and the list follows the newest.
    void liveFeedingKeepsUp()
    {
        StructuredView view;
        view.resize(700, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        const QList<QByteArray> lines = manyToolCalls(40).split('\n');
        int fed = 0;
        for (const QByteArray &line : lines) {
            if (line.isEmpty())
                continue;
            // Split mid-line, as a socket would.
            view.appendStdout(line.left(line.size() / 3));
            view.appendStdout(line.mid(line.size() / 3) + '\n');
            ++fed;
            const int expected = 1 + fed / 2; // init, then a row per call (results update it)
            QTRY_COMPARE_WITH_TIMEOUT(view.model()->rowCount(), expected, 500);
        }
        QScrollBar *bar = view.listView()->verticalScrollBar();
        QVERIFY(bar->maximum() > 0);
        QTRY_COMPARE(bar->value(), bar->maximum());
        const QRect last
                = view.listView()->visualRect(view.model()->index(view.model()->rowCount() - 1));
        QVERIFY(view.listView()->viewport()->rect().intersects(last));
        // Every call got its result in place.
        view.flush();
        for (int row = 1; row < view.model()->rowCount(); ++row)
            QVERIFY(view.model()->item(row).hasResult);
    }

    // A finished run of 5000 tool calls poured in at once: one parse, one layout.
    void finishedRunIsOnePass()
    {
        StructuredView view;
        view.resize(900, 700);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        QSignalSpy inserted(view.model(), &QAbstractItemModel::rowsInserted);
        const QByteArray bytes = manyToolCalls(5000);
        QElapsedTimer timer;
        timer.start();
        for (qsizetype i = 0; i < bytes.size(); i += 16384)
            view.appendStdout(bytes.mid(i, 16384));
        view.finish();
        view.flush();
        const qint64 parsed = timer.elapsed();
        view.listView()->doItemsLayout();
        const qint64 laidOut = timer.elapsed();
        view.listView()->viewport()->repaint();
        const qint64 ms = timer.elapsed();
        qInfo("flush %lld ms, layout %lld ms, paint %lld ms",
              parsed,
              laidOut - parsed,
              ms - laidOut);
        QCOMPARE(view.model()->rowCount(), 5001);
        QCOMPARE(inserted.count(), 1);
        qInfo("5000 tool calls (%lld KiB): parsed, laid out and painted in %lld ms",
              qlonglong(bytes.size() / 1024),
              qlonglong(ms));
        QVERIFY2(ms < 1000, qPrintable(QStringLiteral("took %1 ms").arg(ms)));
        QVERIFY(view.totalsText().contains(QLatin1String("5,000 input")));

        // Formatted text costs a text document per row to measure: 2000 messages.
        StructuredView texts;
        texts.resize(900, 700);
        texts.show();
        QVERIFY(QTest::qWaitForWindowExposed(&texts));
        // A message with inline code, bold, a list and a fenced block (JSON-escaped newlines).
        const QByteArray text = "I ran `make` and **all** tests passed.\\n\\n- one\\n- two\\n\\n"
                                "```sh\\nmake check\\n```";
        QByteArray messages = "{\"type\":\"system\",\"subtype\":\"init\",\"session_id\":\"s\"}\n";
        for (int i = 0; i < 2000; ++i)
            messages += "{\"type\":\"assistant\",\"session_id\":\"s\",\"message\":{\"content\":[{"
                        "\"type\":\"text\",\"text\":\"Step "
                        + QByteArray::number(i) + ": " + text + "\"}]}}\n";
        timer.restart();
        texts.appendStdout(messages);
        texts.flush();
        texts.listView()->doItemsLayout();
        texts.listView()->viewport()->repaint();
        const qint64 textMs = timer.elapsed();
        QCOMPARE(texts.model()->rowCount(), 2001);
        qInfo("2000 formatted messages: parsed, laid out and painted in %lld ms",
              qlonglong(textMs));
        QVERIFY2(textMs < 5000, qPrintable(QStringLiteral("took %1 ms").arg(textMs)));
    }
};

QTEST_MAIN(TestStructuredView)
#include "tst_structuredview.moc"

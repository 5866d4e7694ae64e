// The compare and replay windows over a real run (the real daemon, the demo agent in session
// mode): the summary table from run.json, sortable, with its model under
// QAbstractItemModelTester; two variations' output side by side with the line diff (ANSI codes
// and timestamps ignored), next/previous difference, align by time; each variation's patch
// coloured, and the diff between two patches; the winner stored in the history and in run.json,
// and shown in the Markdown export; a recorded run opened in panes at once and replayed at 16×,
// byte for byte the transcripts; the history window's Open, Replay and Compare; a folder that
// is not a run gives a clear error.

#include "comparewindow.h"
#include "historydialog.h"
#include "launchpanel.h"
#include "mainwindow.h"
#include "outputview.h"
#include "panearea.h"
#include "runviewer.h"
#include "sidebysideview.h"
#include "variationpane.h"

#include "compare/runsummarymodel.h"
#include "docker/dockermonitor.h"
#include "export/runexporter.h"
#include "history/historydb.h"
#include "run/run.h"
#include "run/runfolder.h"
#include "text/terminalbuffer.h"
#include "transcript/transcriptreader.h"
#include "transcript/transcriptreplayer.h"

#include <QAbstractItemModelTester>
#include <QBuffer>
#include <QComboBox>
#include <QDir>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableView>
#include <QTest>
#include <QTimer>

using namespace Parallax;

namespace {

QString allText(const TerminalBuffer *buffer)
{
    QString text;
    for (qsizetype i = 0; i < buffer->lineCount(); ++i)
        text += buffer->line(i).text + QLatin1Char('\n');
    return text;
}

// What a transcript shows once parsed: the text a pane would hold after all of it arrived.
QString transcriptText(const QString &jsonlPath)
{
    TerminalBuffer buffer;
    TranscriptReader reader;
    if (!reader.open(jsonlPath))
        return QStringLiteral("<unreadable %1>").arg(jsonlPath);
    TranscriptChunk chunk;
    while (reader.next(&chunk))
        buffer.append(chunk.stream, chunk.data, 0);
    buffer.finish(0);
    return allText(&buffer);
}

} // namespace

class TestCompareWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void summaryTable();
    void outputSideBySide();
    void alignByTime();
    void changesAndPatchDiff();
    void winnerReachesHistoryAndExport();
    void openRecordedRunAtOnce();
    void replayAt16x();
    void historyOpensReplaysAndCompares();
    void notARunFolder();

private:
    std::unique_ptr<MainWindow> m_window;
    QString m_folder;
};

void TestCompareWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QDir(Run::defaultRunsDirectory()).removeRecursively();
    QFile::remove(HistoryDb::defaultPath());
    m_window = std::make_unique<MainWindow>();
    QTRY_VERIFY_WITH_TIMEOUT(m_window->dockerMonitor()->health() != DockerMonitor::Health::Unknown,
                             10000);
    if (m_window->dockerMonitor()->health() != DockerMonitor::Health::Healthy)
        QFAIL(qPrintable(QStringLiteral("Docker must answer for the compare tests: %1")
                                 .arg(m_window->dockerMonitor()->message())));
    // Three takes on one task: "fresh" and "model" differ in a few lines of output (the model
    // named in the header; "model" also fails), "existing" starts from a workspace that already
    // has src/app.py, so its patch edits that file instead of creating it.
    const Result<RunSpec> spec
            = RunSpec::fromJson(R"({"name":"greeting","image":")" PARALLAX_DEMO_IMAGE R"(",
        "env":{"DEMO_MODE":"session","DEMO_SPEED":"0.05"},
        "prompt":"Add a greeting helper",
        "variations":[
          {"name":"fresh"},
          {"name":"model","env":{"MODEL":"other-model","DEMO_EXIT_CODE":"1"}},
          {"name":"existing","command":["sh","-c","mkdir -p src && printf 'print(\"Hello, world!\")\\n' > src/app.py && exec parallax-demo-agent"]}]})");
    QVERIFY2(spec, qPrintable(spec.errorString()));
    m_window->launchPanel()->setSpec(*spec);
    m_window->launch();
    Run *run = m_window->currentRun();
    QVERIFY(run);
    QSignalSpy finished(run, &Run::finished);
    QVERIFY(finished.wait(120000));
    m_folder = run->directory();
    QVERIFY(QFileInfo::exists(m_folder + QStringLiteral("/existing.patch")));
}

void TestCompareWindow::cleanupTestCase()
{
    m_window.reset();
    QDir(Run::defaultRunsDirectory()).removeRecursively();
}

void TestCompareWindow::summaryTable()
{
    CompareWindow window(m_window->history());
    QVERIFY(window.open(m_folder));
    QAbstractItemModelTester tester(window.summaryModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(window.summaryProxy(),
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    RunSummaryModel *model = window.summaryModel();
    QCOMPARE(model->rowCount(), 3);
    const auto cell = [model](int row, int column) {
        return model->index(row, column).data().toString();
    };
    QCOMPARE(cell(0, RunSummaryModel::NameColumn), QStringLiteral("fresh"));
    QCOMPARE(cell(0, RunSummaryModel::ExitColumn), QStringLiteral("0"));
    QCOMPARE(cell(1, RunSummaryModel::ExitColumn), QStringLiteral("1"));
    QCOMPARE(cell(0, RunSummaryModel::FilesColumn), QStringLiteral("3"));
    QCOMPARE(cell(0, RunSummaryModel::InsertionsColumn), QStringLiteral("+39"));
    QCOMPARE(cell(2, RunSummaryModel::DeletionsColumn), QStringLiteral("−1"));
    QVERIFY(model->rows()[0].lines > 20);
    QVERIFY(model->rows()[0].stderrLines > 0);

    // Sorting by the exit code puts the failed variation last, by the header click's path.
    window.summaryView()->sortByColumn(RunSummaryModel::ExitColumn, Qt::DescendingOrder);
    QCOMPARE(window.summaryProxy()->index(0, 0).data().toString(), QStringLiteral("model"));
}

void TestCompareWindow::outputSideBySide()
{
    CompareWindow window(m_window->history());
    window.resize(1400, 800);
    window.show();
    QVERIFY(window.open(m_folder));
    window.compareOutput(
            QStringLiteral("fresh"), QStringLiteral("model"), AlignedDiff::Align::Content);
    QCOMPARE(window.tabs()->currentIndex(), int(CompareWindow::OutputTab));
    SideBySideView *view = window.outputDiff();
    const AlignedDiff &diff = view->diff();
    // Same agent, same task: most lines agree (colours differ nowhere that matters), a few
    // differ: the model and variation lines, the failure at the end, and wherever the stderr
    // warnings happened to land between stdout lines on this run.
    QVERIFY2(diff.sameLines() > 30, qPrintable(view->summaryText()));
    QString changedRows;
    for (size_t row = 0; row < diff.rows().size(); ++row) {
        const AlignedDiff::Row &r = diff.rows()[row];
        if (r.changed())
            changedRows
                    += QStringLiteral("\n  %1 | %2")
                               .arg(r.left >= 0
                                            ? view->leftView()->buffer()->line(qsizetype(row)).text
                                            : QStringLiteral("-"),
                                    r.right >= 0
                                            ? view->rightView()->buffer()->line(qsizetype(row)).text
                                            : QStringLiteral("-"));
    }
    QVERIFY2(view->differenceCount() >= 2 && view->differenceCount() <= 12,
             qPrintable(view->summaryText() + changedRows));
    QVERIFY(window.outputStatus()->text().contains(QStringLiteral("difference")));

    // The panes hold the aligned rows: equal row counts, and the changed lines where the diff
    // says, with the model's name on the right only.
    const TerminalBuffer *left = view->leftView()->buffer();
    const TerminalBuffer *right = view->rightView()->buffer();
    QCOMPARE(left->lineCount(), qsizetype(diff.rows().size()));
    QCOMPARE(right->lineCount(), left->lineCount());
    QVERIFY(allText(right).contains(QStringLiteral("Using model: other-model")));
    QVERIFY(!allText(left).contains(QStringLiteral("other-model")));
    bool modelLineMarked = false;
    for (size_t row = 0; row < diff.rows().size(); ++row) {
        if (right->line(qsizetype(row)).text.contains(QStringLiteral("other-model")))
            modelLineMarked = diff.rows()[row].rightMark == AlignedDiff::Mark::Changed;
    }
    QVERIFY(modelLineMarked);

    // Next and previous step through the differences, and both panes follow.
    view->nextDifference();
    QCOMPARE(view->currentDifference(), 0);
    view->nextDifference();
    QCOMPARE(view->currentDifference(), 1);
    QCOMPARE(view->leftView()->topLine(), view->rightView()->topLine());
    view->previousDifference();
    QCOMPARE(view->currentDifference(), 0);
    QVERIFY(window.outputStatus()->text().startsWith(QStringLiteral("Difference 1 of")));
    // Scrolling one pane scrolls the other.
    view->leftView()->verticalScrollBar()->setValue(3);
    QCOMPARE(view->rightView()->verticalScrollBar()->value(), 3);

    // A variation against itself is identical.
    window.compareOutput(
            QStringLiteral("fresh"), QStringLiteral("fresh"), AlignedDiff::Align::Content);
    QVERIFY(view->diff().identical());
    QCOMPARE(view->differenceCount(), 0);
    QVERIFY(window.outputStatus()->text().startsWith(QStringLiteral("Identical")));
}

void TestCompareWindow::alignByTime()
{
    CompareWindow window(m_window->history());
    QVERIFY(window.open(m_folder));
    window.compareOutput(
            QStringLiteral("fresh"), QStringLiteral("model"), AlignedDiff::Align::Time);
    const AlignedDiff &diff = window.outputDiff()->diff();
    QCOMPARE(diff.align(), AlignedDiff::Align::Time);
    QCOMPARE(window.alignChoice()->currentIndex(), 1);
    // Every line of both sides appears once, in order on each side.
    qsizetype lastLeft = -1, lastRight = -1, lefts = 0, rights = 0;
    for (const AlignedDiff::Row &row : diff.rows()) {
        if (row.left >= 0) {
            QVERIFY(row.left == lastLeft + 1);
            lastLeft = row.left;
            ++lefts;
        }
        if (row.right >= 0) {
            QVERIFY(row.right == lastRight + 1);
            lastRight = row.right;
            ++rights;
        }
    }
    QCOMPARE(lefts, diff.sameLines() + diff.removedLines());
    QCOMPARE(rights, diff.sameLines() + diff.addedLines());
    QVERIFY(window.outputDiff()->differenceCount() > 0);
}

void TestCompareWindow::changesAndPatchDiff()
{
    CompareWindow window(m_window->history());
    QVERIFY(window.open(m_folder));
    window.showChanges(QStringLiteral("existing"));
    QCOMPARE(window.tabs()->currentIndex(), int(CompareWindow::ChangesTab));
    const TerminalBuffer *patch = window.patchView()->buffer();
    QVERIFY(patch->lineCount() > 20);
    // Coloured like git diff: the removed line red, added lines green, hunks cyan.
    bool red = false, green = false, cyan = false;
    for (qsizetype i = 0; i < patch->lineCount(); ++i) {
        const TerminalBuffer::Line &line = patch->line(i);
        const int colour
                = line.styleAt(0).fg.kind == TextColor::Indexed ? line.styleAt(0).fg.index : -1;
        if (line.text == QStringLiteral("-print(\"Hello, world!\")"))
            red = colour == 1;
        if (line.text.startsWith(QStringLiteral("+from greeting import greet")))
            green = colour == 2;
        if (line.text.startsWith(QStringLiteral("@@")))
            cyan = colour == 6;
    }
    QVERIFY(red && green && cyan);
    QVERIFY2(window.changesStatus()->text().contains(QStringLiteral("3 files changed")),
             qPrintable(window.changesStatus()->text()));

    // The diff between two patches: the existing app.py is edited (one removal) where the fresh
    // workspace's is created whole.
    window.showChanges(QStringLiteral("fresh"), QStringLiteral("existing"));
    SideBySideView *between = window.patchDiff();
    QVERIFY(between->differenceCount() > 0);
    QVERIFY(between->diff().sameLines() > 10); // greeting.py and the tests are the same
    QVERIFY(allText(between->rightView()->buffer())
                    .contains(QStringLiteral("-print(\"Hello, world!\")")));

    // A variation with no patch says so and points at the contract.
    const QString dir = QDir::temp().filePath(QStringLiteral("parallax-compare-nopatch"));
    QDir(dir).removeRecursively();
    QVERIFY(QDir().mkpath(dir));
    QFile json(dir + QStringLiteral("/run.json"));
    QVERIFY(json.open(QIODevice::WriteOnly));
    json.write(
            R"({"name":"np","run_id":"x","state":"finished","variations":[{"name":"solo","state":"exited","exit_code":0}]})");
    json.close();
    QVERIFY(window.open(dir));
    window.showChanges(QStringLiteral("solo"));
    QVERIFY(window.changesStatus()->text().contains(QStringLiteral("left no workspace patch")));
    QDir(dir).removeRecursively();
}

void TestCompareWindow::winnerReachesHistoryAndExport()
{
    HistoryDb *history = m_window->history();
    QVERIFY(history);
    CompareWindow window(history);
    QVERIFY(window.open(m_folder));
    QSignalSpy changed(&window, &CompareWindow::winnerChanged);
    QVERIFY(window.markWinner(QStringLiteral("existing")));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(window.summaryModel()->winner(), QStringLiteral("existing"));
    const std::optional<QString> id = history->runIdForFolder(m_folder);
    QVERIFY(id);
    QCOMPARE(history->run(*id)->summary.winner, QStringLiteral("existing"));
    QCOMPARE(readRunJson(m_folder)->value(QStringLiteral("winner")).toString(),
             QStringLiteral("existing"));

    RunExporter exporter;
    QVERIFY(exporter.open(m_folder));
    QBuffer out;
    QVERIFY(out.open(QIODevice::WriteOnly));
    QVERIFY(exporter.write(RunExporter::Format::Markdown, &out));
    QVERIFY(out.data().contains("## Variation existing (winner)"));

    // A fresh window shows the mark; an unknown variation is refused with the names it has.
    CompareWindow again(history);
    QVERIFY(again.open(m_folder));
    QCOMPARE(again.summaryModel()->index(2, RunSummaryModel::WinnerColumn).data().toString(),
             RunSummaryModel::starMark());
    const Result<void> unknown = again.markWinner(QStringLiteral("nobody"));
    QVERIFY(!unknown);
    QVERIFY2(unknown.errorString().contains(QStringLiteral("fresh, model, existing")),
             qPrintable(unknown.errorString()));
    QVERIFY(again.markWinner(QString()));
    QVERIFY(history->run(*id)->summary.winner.isEmpty());
}

void TestCompareWindow::openRecordedRunAtOnce()
{
    RunViewer *viewer = m_window->openRecordedRun(m_folder, 0);
    QVERIFY(viewer);
    QSignalSpy done(viewer, &RunViewer::replayFinished);
    QVERIFY(done.size() > 0 || done.wait(10000));
    const QList<VariationPane *> panes = viewer->panes();
    QCOMPARE(panes.size(), 3);
    for (VariationPane *pane : panes) {
        const QString jsonl = m_folder + QLatin1Char('/') + pane->name() + QStringLiteral(".jsonl");
        QCOMPARE(allText(pane->view()->buffer()), transcriptText(jsonl));
    }
    QCOMPARE(panes[1]->name(), QStringLiteral("model"));
    viewer->close(); // deletes itself
}

void TestCompareWindow::replayAt16x()
{
    RunViewer viewer;
    QVERIFY(viewer.open(m_folder, 16));
    QCOMPARE(viewer.speed(), 16.0);
    QSignalSpy done(&viewer, &RunViewer::replayFinished);
    // Nothing is delivered before the event loop runs: the panes fill on the replay's clock.
    QVERIFY(viewer.isReplaying());
    const QString early = allText(viewer.panes()[0]->view()->buffer());
    QVERIFY(done.wait(30000));
    QVERIFY(!viewer.isReplaying());
    const QString full = allText(viewer.panes()[0]->view()->buffer());
    QVERIFY(full.size() > early.size());
    for (VariationPane *pane : viewer.panes()) {
        const QString jsonl = m_folder + QLatin1Char('/') + pane->name() + QStringLiteral(".jsonl");
        QCOMPARE(allText(pane->view()->buffer()), transcriptText(jsonl));
    }
    // Restart at Instant fills everything again at once.
    viewer.setSpeed(0);
    viewer.restart();
    QVERIFY(done.wait(10000));
    QCOMPARE(allText(viewer.panes()[0]->view()->buffer()), full);
}

void TestCompareWindow::historyOpensReplaysAndCompares()
{
    HistoryDialog *dialog = m_window->showHistory();
    QVERIFY(dialog);
    const std::optional<QString> id = m_window->history()->runIdForFolder(m_folder);
    QVERIFY(id);
    dialog->selectRun(*id);
    QSignalSpy open(dialog, &HistoryDialog::openRequested);
    QSignalSpy compare(dialog, &HistoryDialog::compareRequested);
    QVERIFY(dialog->openButton()->isEnabled());
    dialog->openButton()->click();
    QCOMPARE(open.size(), 1);
    QCOMPARE(open[0][0].toString(), m_folder);
    QCOMPARE(open[0][1].toDouble(), 0.0);
    dialog->replayButton()->menu()->actions().at(1)->trigger(); // 4×
    QCOMPARE(open.size(), 2);
    QCOMPARE(open[1][1].toDouble(), 4.0);
    dialog->compareButton()->click();
    QCOMPARE(compare.size(), 1);
    // The window acted on them: two viewers and a compare window are open.
    int viewers = 0, comparers = 0;
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (widget->isVisible() && qobject_cast<RunViewer *>(widget))
            ++viewers;
        if (widget->isVisible() && qobject_cast<CompareWindow *>(widget))
            ++comparers;
    }
    QCOMPARE(viewers, 2);
    QCOMPARE(comparers, 1);
    for (QWidget *widget : QApplication::topLevelWidgets()) {
        if (qobject_cast<RunViewer *>(widget) || qobject_cast<CompareWindow *>(widget))
            widget->close();
    }
    dialog->close();
}

void TestCompareWindow::notARunFolder()
{
    const QString dir = QDir::temp().filePath(QStringLiteral("parallax-not-a-run"));
    QVERIFY(QDir().mkpath(dir));
    CompareWindow window(nullptr);
    const Result<void> opened = window.open(dir);
    QVERIFY(!opened);
    QVERIFY2(opened.errorString().contains(QStringLiteral("is not a run folder")),
             qPrintable(opened.errorString()));
    RunViewer viewer;
    QVERIFY(!viewer.open(dir));
    // The window says it in a message box rather than opening an empty window.
    QTimer::singleShot(0, this, [] {
        for (QWidget *widget : QApplication::topLevelWidgets()) {
            if (auto *box = qobject_cast<QMessageBox *>(widget); box && box->isVisible()) {
                QVERIFY(box->text().contains(QStringLiteral("is not a run folder")));
                box->accept();
            }
        }
    });
    QVERIFY(!m_window->openRecordedRun(dir));
    QDir(dir).removeRecursively();
}

QTEST_MAIN(TestCompareWindow)
#include "tst_comparewindow.moc"

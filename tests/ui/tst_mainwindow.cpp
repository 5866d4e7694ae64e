// The window against the real daemon: launching from the launch panel yields one pane per
// variation, each receiving its own variation's output; panes stay bounded while transcripts stay
// complete; find counts across panes; Docker being unreachable shows a banner, never a hang.

#include "findbar.h"
#include "launchpanel.h"
#include "mainwindow.h"
#include "outputview.h"
#include "panearea.h"
#include "variationpane.h"

#include "docker/dockermonitor.h"
#include "run/run.h"
#include "run/variationmodel.h"
#include "text/terminalbuffer.h"
#include "transcript/transcriptreader.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QLabel>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>

using namespace Parallax;

class TestMainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void launchesOnePanePerVariation();
    void boundedPaneKeepsTranscriptComplete();
    void findCountsAcrossPanes();
    void layoutModes();
    void unreachableDockerShowsBanner();

private:
    static QString allText(OutputView *view);
    Run *launch(MainWindow &window, const QByteArray &specJson);
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QDir(Run::defaultRunsDirectory()).removeRecursively();
    MainWindow probe;
    QTRY_VERIFY_WITH_TIMEOUT(probe.dockerMonitor()->health() != DockerMonitor::Health::Unknown,
                             10000);
    if (probe.dockerMonitor()->health() != DockerMonitor::Health::Healthy)
        QFAIL(qPrintable(QStringLiteral("Docker must answer for the window tests: %1")
                                 .arg(probe.dockerMonitor()->message())));
}

void TestMainWindow::cleanupTestCase()
{
    QDir(Run::defaultRunsDirectory()).removeRecursively();
}

QString TestMainWindow::allText(OutputView *view)
{
    QString text;
    const TerminalBuffer *buffer = view->buffer();
    for (qsizetype i = 0; i < buffer->lineCount(); ++i)
        text += buffer->line(i).text + QLatin1Char('\n');
    return text;
}

Run *TestMainWindow::launch(MainWindow &window, const QByteArray &specJson)
{
    const Result<RunSpec> spec = RunSpec::fromJson(specJson);
    if (!spec) {
        qWarning() << spec.errorString();
        return nullptr;
    }
    window.launchPanel()->setSpec(*spec);
    if (!QTest::qWaitFor(
                [&] { return window.dockerMonitor()->health() == DockerMonitor::Health::Healthy; },
                10000))
        return nullptr;
    window.launch();
    return window.currentRun();
}

void TestMainWindow::launchesOnePanePerVariation()
{
    MainWindow window;
    window.show();
    Run *run = launch(window, R"({"name":"three","image":")" PARALLAX_DEMO_IMAGE R"(",
        "command":["sh","-c","echo \"hello from $PARALLAX_VARIATION\"; echo \"warn $PARALLAX_VARIATION\" >&2; sleep 0.3; echo done"],
        "variations":[{"name":"alpha"},{"name":"beta"},{"name":"gamma"}]})");
    QVERIFY(run);
    QCOMPARE(window.paneArea()->panes().size(), 3);

    VariationModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRun(run);
    QCOMPARE(model.rowCount(), 3);

    QSignalSpy finished(run, &Run::finished);
    QVERIFY(finished.wait(60000));
    model.refresh();
    const QStringList names{
            QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("gamma")};
    for (int i = 0; i < 3; ++i) {
        VariationPane *pane = window.paneArea()->panes().at(i);
        QCOMPARE(pane->name(), names[i]);
        QTRY_VERIFY_WITH_TIMEOUT(allText(pane->view()).contains(QStringLiteral("done")), 5000);
        const QString text = allText(pane->view());
        QVERIFY2(text.contains(QStringLiteral("hello from ") + names[i]), qPrintable(text));
        QVERIFY2(text.contains(QStringLiteral("warn ") + names[i]), qPrintable(text));
        for (const QString &other : names) {
            if (other != names[i])
                QVERIFY2(!text.contains(QStringLiteral("from ") + other), qPrintable(text));
        }
        QCOMPARE(model.data(model.index(i, VariationModel::StateColumn)).toString(),
                 QStringLiteral("exited 0"));
    }
    QVERIFY(window.windowTitle().contains(QStringLiteral("Parallax")));
}

void TestMainWindow::boundedPaneKeepsTranscriptComplete()
{
    MainWindow window;
    window.show();
    const Result<RunSpec> spec = RunSpec::fromJson(R"({"image":")" PARALLAX_DEMO_IMAGE R"(",
        "env":{"DEMO_MODE":"flood","DEMO_LINES":"5000","DEMO_LINE_BYTES":"40"}})");
    QVERIFY(spec);
    window.launchPanel()->setSpec(*spec);
    QTRY_VERIFY_WITH_TIMEOUT(window.dockerMonitor()->health() == DockerMonitor::Health::Healthy,
                             10000);
    window.launch();
    Run *run = window.currentRun();
    QVERIFY(run);
    VariationPane *pane = window.paneArea()->panes().first();
    pane->view()->buffer()->setMaxLines(1000);
    QSignalSpy finished(run, &Run::finished);
    QVERIFY(finished.wait(60000));
    QTRY_COMPARE_WITH_TIMEOUT(pane->view()->buffer()->totalLinesSeen(), qint64(5000), 5000);
    QCOMPARE(pane->view()->buffer()->droppedLines(), qint64(4000));
    QVERIFY2(pane->view()->droppedLinesMarkerText().contains(QStringLiteral("4,000 earlier lines")),
             qPrintable(pane->view()->droppedLinesMarkerText()));
    const Result<QByteArray> out
            = TranscriptReader::readStream(run->variation(0)->transcriptPath(), StreamType::Stdout);
    QVERIFY(out);
    QCOMPARE(out->count('\n'), 5000);
    QVERIFY(out->startsWith("line 1 "));
}

void TestMainWindow::findCountsAcrossPanes()
{
    MainWindow window;
    window.show();
    Run *run = launch(window, R"({"image":")" PARALLAX_DEMO_IMAGE R"(",
        "command":["sh","-c","for i in 1 2 3; do echo \"needle $i in $PARALLAX_VARIATION\"; done; echo hay"],
        "variations":2})");
    QVERIFY(run);
    QSignalSpy finished(run, &Run::finished);
    QVERIFY(finished.wait(60000));
    int total = 0;
    for (VariationPane *pane : window.paneArea()->panes()) {
        QTRY_VERIFY_WITH_TIMEOUT(allText(pane->view()).contains(QStringLiteral("hay")), 5000);
        pane->view()->setFindPattern(QStringLiteral("needle \\d"), true, true);
        QCOMPARE(pane->view()->matchCount(), 3);
        total += pane->view()->matchCount();
        pane->view()->setFindPattern(QStringLiteral("NEEDLE"), false, false);
        QCOMPARE(pane->view()->matchCount(), 3);
        pane->view()->setFindPattern(QStringLiteral("NEEDLE"), false, true);
        QCOMPARE(pane->view()->matchCount(), 0);
    }
    QCOMPARE(total, 6);

    // Enter in "all panes" walks every match, pane after pane, and wraps around.
    window.startFind(true);
    window.findBar()->setText(QStringLiteral("needle"));
    const QList<VariationPane *> panes = window.paneArea()->panes();
    QList<QPair<int, int>> visited;
    for (int step = 0; step < 7; ++step) {
        emit window.findBar()->nextRequested();
        // The pane that moved is the one whose current match is new.
        int moved = -1;
        for (int p = 0; p < panes.size(); ++p) {
            const int current = panes[p]->view()->currentMatchIndex();
            if (current >= 0 && !visited.contains(qMakePair(p, current)))
                moved = p;
        }
        if (moved >= 0)
            visited.append({moved, panes[moved]->view()->currentMatchIndex()});
    }
    const QList<QPair<int, int>> expected{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}};
    QCOMPARE(visited, expected);
    // The seventh step wrapped around to the first pane's first match.
    QCOMPARE(panes[0]->view()->currentMatchIndex(), 0);
    QCOMPARE(window.findBar()->resultText().isEmpty(), false);
}

void TestMainWindow::layoutModes()
{
    QCOMPARE(PaneArea::autoColumns(1), 1);
    QCOMPARE(PaneArea::autoColumns(2), 2);
    QCOMPARE(PaneArea::autoColumns(4), 2);
    QCOMPARE(PaneArea::autoColumns(7), 3);
    PaneArea area;
    area.resize(1200, 800);
    area.show();
    QList<VariationPane *> panes;
    for (int i = 0; i < 3; ++i)
        panes.append(new VariationPane);
    area.setPanes(panes);
    QVERIFY(panes[0]->isVisible() && panes[2]->isVisible());
    area.toggleMaximised(panes[1]);
    QCOMPARE(area.maximisedPane(), panes[1]);
    QVERIFY(!panes[0]->isVisible());
    QVERIFY(panes[1]->isVisible());
    area.toggleMaximised(panes[1]);
    QVERIFY(panes[0]->isVisible());
    area.movePane(panes[2], -2);
    QCOMPARE(area.panes().first(), panes[2]);
    area.setLayoutMode(PaneArea::Layout::Tabs);
    QCOMPARE(area.layoutMode(), PaneArea::Layout::Tabs);
    area.setLayoutMode(PaneArea::Layout::Columns);
    QVERIFY(panes[0]->isVisible() && panes[1]->isVisible());
}

void TestMainWindow::unreachableDockerShowsBanner()
{
    const QByteArray saved = qgetenv("DOCKER_HOST");
    qputenv("DOCKER_HOST", "unix:///tmp/parallax-no-such-docker.sock");
    QElapsedTimer clock;
    clock.start();
    {
        MainWindow window;
        window.show();
        QTRY_COMPARE_WITH_TIMEOUT(
                window.dockerMonitor()->health(), DockerMonitor::Health::Unreachable, 5000);
        QVERIFY(clock.elapsed() < 5000);
        const QList<QLabel *> labels = window.findChildren<QLabel *>();
        bool banner = false;
        for (QLabel *label : labels)
            banner = banner
                     || (label->isVisible()
                         && label->text().contains(
                                 QStringLiteral("no socket at /tmp/parallax-no-such-docker.sock")));
        QVERIFY(banner);
    }
    if (saved.isEmpty())
        qunsetenv("DOCKER_HOST");
    else
        qputenv("DOCKER_HOST", saved);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"

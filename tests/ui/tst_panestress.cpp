// Speed is a feature: 16 panes each fed ~10,000 lines/s by a real container must not freeze the
// window. A 5 ms timer probes the event loop; the longest gap between its ticks is the stall.
// The figure is printed for the record; the assertion is deliberately loose so it cannot flake on
// a loaded 2-core machine (benchmarks in tests/bench hold the real targets).

#include "launchpanel.h"
#include "mainwindow.h"
#include "outputview.h"
#include "panearea.h"
#include "variationpane.h"

#include "docker/dockermonitor.h"
#include "run/run.h"
#include "text/terminalbuffer.h"
#include "transcript/transcriptreader.h"

#include <QDir>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

using namespace Parallax;

class TestPaneStress : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void cleanupTestCase() { QDir(Run::defaultRunsDirectory()).removeRecursively(); }
    void sixteenPanesFlood();
    void oneMebibyteLine();
};

static qint64 probeWhile(const std::function<bool()> &running, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    qint64 last = 0, worst = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.elapsed();
        worst = qMax(worst, now - last);
        last = now;
    });
    probe.start(5);
    while (running() && clock.elapsed() < timeoutMs)
        QTest::qWait(20);
    return worst;
}

void TestPaneStress::sixteenPanesFlood()
{
    MainWindow window;
    window.resize(1600, 1000);
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.dockerMonitor()->health() == DockerMonitor::Health::Healthy,
                             10000);
    // 50 bursts of 200 lines, 20 ms apart: about 10,000 lines/s per variation for ~5 s.
    const Result<RunSpec> spec = RunSpec::fromJson(R"({"image":")" PARALLAX_DEMO_IMAGE R"(",
        "command":["sh","-c","i=0; while [ $i -lt 50 ]; do seq $((i*200+1)) $((i*200+200)) | sed 's/^/\u001b[32mline\u001b[0m /'; i=$((i+1)); sleep 0.02; done"],
        "variations":16})");
    QVERIFY2(spec, qPrintable(spec.errorString()));
    window.launchPanel()->setSpec(*spec);
    window.launch();
    Run *run = window.currentRun();
    QVERIFY(run);
    QCOMPARE(window.paneArea()->panes().size(), 16);
    QElapsedTimer wall;
    wall.start();
    const qint64 stall = probeWhile([run] { return !run->isFinished(); }, 120000);
    QVERIFY(run->isFinished());
    qInfo("16 panes x 10,000 lines: finished in %lld ms, longest event-loop stall %lld ms",
          wall.elapsed(),
          stall);
    for (VariationRunner *v : run->variations()) {
        QVERIFY2(v->state() == VariationState::Exited,
                 qPrintable(QStringLiteral("%1: %2 %3")
                                    .arg(v->name(), stateName(v->state()), v->error())));
        QCOMPARE(v->lines(StreamType::Stdout), qint64(10000));
    }
    for (VariationPane *pane : window.paneArea()->panes())
        QTRY_COMPARE_WITH_TIMEOUT(pane->view()->buffer()->totalLinesSeen(), qint64(10000), 5000);
    QVERIFY2(stall < 1500, qPrintable(QStringLiteral("stall %1 ms").arg(stall)));
}

void TestPaneStress::oneMebibyteLine()
{
    MainWindow window;
    window.show();
    QTRY_VERIFY_WITH_TIMEOUT(window.dockerMonitor()->health() == DockerMonitor::Health::Healthy,
                             10000);
    const Result<RunSpec> spec = RunSpec::fromJson(R"({"image":")" PARALLAX_DEMO_IMAGE R"(",
        "env":{"DEMO_MODE":"longline","DEMO_LINE_BYTES":"1048576"}, "variations":2})");
    QVERIFY(spec);
    window.launchPanel()->setSpec(*spec);
    window.launch();
    Run *run = window.currentRun();
    QVERIFY(run);
    const qint64 stall = probeWhile([run] { return !run->isFinished(); }, 60000);
    QVERIFY(run->isFinished());
    qInfo("two 1 MiB lines: longest event-loop stall %lld ms", stall);
    const Result<QByteArray> out
            = TranscriptReader::readStream(run->variation(0)->transcriptPath(), StreamType::Stdout);
    QVERIFY(out);
    QCOMPARE(out->size(), qsizetype(1048577));
    QVERIFY2(stall < 1500, qPrintable(QStringLiteral("stall %1 ms").arg(stall)));
}

QTEST_MAIN(TestPaneStress)
#include "tst_panestress.moc"

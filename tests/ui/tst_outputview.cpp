#include "findbar.h"
#include "outputview.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QElapsedTimer>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QProxyStyle>
#include <QScopeGuard>
#include <QScrollBar>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QThreadPool>
#include <QToolButton>
#include <QVBoxLayout>
#include <QWheelEvent>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

using namespace Parallax;

namespace {

QByteArray numberedLines(int first, int count, const char *text = "line")
{
    QByteArray out;
    for (int i = first; i < first + count; ++i)
        out += text + (' ' + QByteArray::number(i)) + '\n';
    return out;
}

void wheel(QWidget *target, int angle, Qt::KeyboardModifiers modifiers = Qt::NoModifier)
{
    const QPointF pos(target->width() / 2.0, target->height() / 2.0);
    QWheelEvent event(pos,
                      target->mapToGlobal(pos),
                      QPoint(),
                      QPoint(0, angle),
                      Qt::NoButton,
                      modifiers,
                      Qt::NoScrollPhase,
                      false);
    QApplication::sendEvent(target, &event);
}

// Counts paint events of a widget.
class PaintCounter : public QObject
{
public:
    explicit PaintCounter(QWidget *widget) { widget->installEventFilter(this); }
    int count = 0;

protected:
    bool eventFilter(QObject *, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++count;
        return false;
    }
};

// Measures the longest gap between ticks of a 1 ms timer: how long the event loop was blocked.
class StallProbe : public QObject
{
public:
    StallProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            maxStallMs = qMax(maxStallMs, (now - m_last) / 1e6);
            m_last = now;
        });
    }
    void start()
    {
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    double maxStallMs = 0;

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
};

QPalette darkPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0x2b2d30));
    p.setColor(QPalette::WindowText, QColor(0xdfe1e5));
    p.setColor(QPalette::Base, QColor(0x1e1f22));
    p.setColor(QPalette::AlternateBase, QColor(0x26282b));
    p.setColor(QPalette::Text, QColor(0xdcdcdc));
    p.setColor(QPalette::Button, QColor(0x2b2d30));
    p.setColor(QPalette::ButtonText, QColor(0xdfe1e5));
    p.setColor(QPalette::Highlight, QColor(0x2f65ca));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x589df6));
    return p;
}

QPalette lightPalette()
{
    QPalette p;
    p.setColor(QPalette::Window, QColor(0xf2f2f2));
    p.setColor(QPalette::WindowText, QColor(0x1f1f1f));
    p.setColor(QPalette::Base, Qt::white);
    p.setColor(QPalette::AlternateBase, QColor(0xf5f5f5));
    p.setColor(QPalette::Text, QColor(0x1f1f1f));
    p.setColor(QPalette::Button, QColor(0xf2f2f2));
    p.setColor(QPalette::ButtonText, QColor(0x1f1f1f));
    p.setColor(QPalette::Highlight, QColor(0x3875d7));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(0x0b57d0));
    return p;
}

// What an agent's pane typically shows, in every style the view draws.
void feedDemoSession(OutputView *view, qint64 t0)
{
    const auto out = [&](const QByteArray &bytes, qint64 ms) {
        view->appendOutput(StreamType::Stdout, bytes, t0 + ms);
    };
    const auto err = [&](const QByteArray &bytes, qint64 ms) {
        view->appendOutput(StreamType::Stderr, bytes, t0 + ms);
    };
    // Earlier output that the bounded buffer drops.
    out(numberedLines(0, 30, "old output"), 0);
    out("\033[1;36m\xe2\x96\xb6 Running agent\033[0m \033[2m(claude-code, model sonnet)\033[0m\n",
        120);
    out("\033[1mTask:\033[0m fix the failing \033[4mparser\033[24m tests\n", 135);
    out("\033[38;5;244m$ \033[0mnpm test \033[3m-- --reporter dot\033[23m\n", 410);
    out("  \033[32m\xe2\x9c\x93\033[0m parses plain text \033[2m(2 ms)\033[22m\n", 1210);
    out("  \033[32m\xe2\x9c\x93\033[0m keeps a partial escape sequence \033[2m(1 ms)\033[22m\n",
        1212);
    out("  \033[31m\xe2\x9c\x97\033[0m \033[1;31mhandles \\r overwrite\033[0m \033[2m(4 "
        "ms)\033[22m\n",
        1215);
    err("\033[33mwarning:\033[0m deprecated option --legacy-peer-deps\n", 1220);
    err("Error: expected \"100%\" but got \"50%\"\n", 1224);
    out("Downloading [          ] 0%\rDownloading [=====     ] 50%\rDownloading "
        "[==========] 100%\n",
        1900);
    QByteArray palette = "ANSI  ";
    for (int i = 0; i < 8; ++i)
        palette += "\033[3" + QByteArray::number(i) + "m\xe2\x96\x88\xe2\x96\x88 ";
    palette += "\033[0m\n      ";
    for (int i = 0; i < 8; ++i)
        palette += "\033[9" + QByteArray::number(i) + "m\xe2\x96\x88\xe2\x96\x88 ";
    palette += "\033[0m  \033[30;47m black on white \033[0m \033[97;41m FAIL \033[0m "
               "\033[30;42m PASS \033[0m\n";
    out(palette, 2000);
    QByteArray gradient = "256   ";
    for (int i = 16; i < 232; i += 6)
        gradient += "\033[48;5;" + QByteArray::number(i) + "m ";
    gradient += "\033[0m\nRGB   ";
    for (int i = 0; i < 36; ++i)
        gradient += "\033[38;2;" + QByteArray::number(255 - i * 7) + ';'
                    + QByteArray::number(60 + i * 5) + ";200m\xe2\x96\x88";
    gradient += "\033[0m \033[38;5;226myellow 226\033[0m \033[38;5;17mnavy 17\033[0m\n";
    out(gradient, 2010);
    out("\033[7minverse\033[27m \033[9mstruck through\033[29m \033[2mdim\033[22m "
        "\033[1;3mbold italic\033[0m \xe4\xb8\xad\xe6\x96\x87 wide \xf0\x9f\x9a\x80 ok\n",
        2020);
    out("\033[1;32mAll 3 parser tests pass after the fix.\033[0m Committing\xe2\x80\xa6\n", 3400);
    err("remote: counting objects 42% (21/50)", 3500);
}

} // namespace

class TestOutputView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void followsAtBottom();
    void pausesOnScrollUpAndResumes();
    void endKeyAndScrollBarResume();
    void updatesAreCoalesced();
    void viewsShareOneFrame();
    void scrollBarsPaintWithoutThreadPool();
    void findCountsAndSteps();
    void findFollowsNewOutput();
    void findBarDrivesView();
    void zoom();
    void droppedLinesMarker();
    void wrappedLines();
    void selectionAndCopy();
    void contextMenu();
    void sharedBuffer();
    void floodDoesNotStall();
    void sixteenPanesFlood();
    void screenshots();

private:
    std::unique_ptr<OutputView> m_view;
    OutputView *showView(QSize size = {800, 400});
};

void TestOutputView::init()
{
    m_view.reset();
}

OutputView *TestOutputView::showView(QSize size)
{
    m_view = std::make_unique<OutputView>();
    m_view->resize(size);
    m_view->show();
    if (!QTest::qWaitForWindowExposed(m_view.get()))
        qWarning("window not exposed");
    return m_view.get();
}

void TestOutputView::followsAtBottom()
{
    OutputView *view = showView();
    QScrollBar *bar = view->verticalScrollBar();
    QVERIFY(view->isFollowing());
    view->appendOutput(StreamType::Stdout, numberedLines(0, 1000), 1);
    QTRY_VERIFY(bar->maximum() > 900);
    QCOMPARE(bar->value(), bar->maximum());
    view->appendOutput(StreamType::Stdout, numberedLines(1000, 500), 2);
    QTRY_VERIFY(bar->maximum() > 1400);
    QCOMPARE(bar->value(), bar->maximum());
    QVERIFY(view->isFollowing());
    QCOMPARE(view->newLinesWhilePaused(), 0);
}

void TestOutputView::pausesOnScrollUpAndResumes()
{
    OutputView *view = showView();
    QScrollBar *bar = view->verticalScrollBar();
    auto *button = view->findChild<QToolButton *>(QStringLiteral("newLinesButton"));
    QVERIFY(button);
    QSignalSpy following(view, &OutputView::followingChanged);

    view->appendOutput(StreamType::Stdout, numberedLines(0, 1000), 1);
    QTRY_COMPARE(bar->value(), bar->maximum());
    wheel(view->viewport(), 120); // up
    QVERIFY(!view->isFollowing());
    QCOMPARE(following.size(), 1);
    const int pausedAt = bar->value();
    QVERIFY(pausedAt < bar->maximum());
    QVERIFY(!button->isVisible()); // nothing new yet

    view->appendOutput(StreamType::Stdout, numberedLines(1000, 50), 2);
    QTRY_VERIFY(button->isVisible());
    QCOMPARE(view->newLinesWhilePaused(), 50);
    QVERIFY2(button->text().contains(QLatin1String("50 new lines")), qPrintable(button->text()));
    QCOMPARE(bar->value(), pausedAt); // the view stayed where the reader is
    QVERIFY(bar->maximum() > pausedAt + 50);
    const QRect inside = button->geometry();
    QVERIFY(view->viewport()->rect().contains(inside));

    view->appendOutput(StreamType::Stdout, "one more\n", 3);
    QTRY_VERIFY(button->text().contains(QLatin1String("51 new lines")));

    QTest::mouseClick(button, Qt::LeftButton);
    QVERIFY(view->isFollowing());
    QVERIFY(!button->isVisible());
    QCOMPARE(bar->value(), bar->maximum());
    view->appendOutput(StreamType::Stdout, numberedLines(2000, 10), 4);
    QTRY_COMPARE(bar->value(), bar->maximum());
    QVERIFY(!button->isVisible());

    // Scrolling back down to the bottom resumes as well.
    wheel(view->viewport(), 120);
    QVERIFY(!view->isFollowing());
    wheel(view->viewport(), -240);
    QVERIFY(view->isFollowing());
}

void TestOutputView::endKeyAndScrollBarResume()
{
    OutputView *view = showView();
    QScrollBar *bar = view->verticalScrollBar();
    view->appendOutput(StreamType::Stdout, numberedLines(0, 500), 1);
    QTRY_COMPARE(bar->value(), bar->maximum());

    QTest::keyClick(view, Qt::Key_PageUp);
    QVERIFY(!view->isFollowing());
    QTest::keyClick(view, Qt::Key_End);
    QVERIFY(view->isFollowing());

    QTest::keyClick(view, Qt::Key_Home);
    QVERIFY(!view->isFollowing());
    QCOMPARE(bar->value(), 0);
    QTest::keyClick(view, Qt::Key_End, Qt::ControlModifier);
    QVERIFY(view->isFollowing());

    bar->setValue(10); // dragging the scroll bar
    QVERIFY(!view->isFollowing());
    bar->setValue(bar->maximum());
    QVERIFY(view->isFollowing());

    // A short output that fits does not pause on scroll up.
    OutputView small;
    small.resize(400, 400);
    small.show();
    small.appendOutput(StreamType::Stdout, "a\nb\n", 1);
    wheel(small.viewport(), 120);
    QVERIFY(small.isFollowing());
}

void TestOutputView::updatesAreCoalesced()
{
    OutputView *view = showView();
    PaintCounter paints(view->viewport());
    QTest::qWait(50);
    paints.count = 0;

    // A burst of 2000 appends without returning to the event loop: one frame.
    for (int i = 0; i < 2000; ++i)
        view->appendOutput(StreamType::Stdout, numberedLines(i, 1), i);
    QCOMPARE(paints.count, 0); // never painted per append
    QTRY_VERIFY(paints.count >= 1);
    QTest::qWait(60);
    QVERIFY2(paints.count <= 2, qPrintable(QString::number(paints.count)));

    // A trickle paints promptly.
    const int before = paints.count;
    QElapsedTimer timer;
    timer.start();
    view->appendOutput(StreamType::Stdout, "hello\n", 1);
    while (paints.count == before && timer.elapsed() < 1000)
        QTest::qWait(1);
    qInfo("a single line was painted after %lld ms", timer.elapsed());
    QVERIFY(paints.count > before);
}

// Counts the top-level window's repaint passes (UpdateRequest) and notes, for each watched
// viewport, the pass in which it was first painted.
class FrameRecorder : public QObject
{
public:
    FrameRecorder(QWidget *window, QList<QWidget *> viewports)
        : m_viewports(std::move(viewports))
    {
        window->installEventFilter(this);
        for (QWidget *viewport : m_viewports)
            viewport->installEventFilter(this);
        firstPaintPass.fill(-1, m_viewports.size());
    }
    int passes = 0;
    QList<int> firstPaintPass;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::UpdateRequest)
            ++passes;
        if (event->type() == QEvent::Paint) {
            const qsizetype i = m_viewports.indexOf(static_cast<QWidget *>(watched));
            if (i >= 0 && firstPaintPass[i] < 0)
                firstPaintPass[i] = passes;
        }
        return false;
    }

private:
    QList<QWidget *> m_viewports;
};

void TestOutputView::viewsShareOneFrame()
{
    // Two panes that change a few ms apart are painted in one repaint pass of their window:
    // every OutputView of the process runs on one frame clock (32 streaming panes must not
    // cost 32 passes per frame).
    QWidget window;
    auto *layout = new QHBoxLayout(&window);
    auto *left = new OutputView;
    auto *right = new OutputView;
    layout->addWidget(left);
    layout->addWidget(right);
    window.resize(900, 400);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTest::qWait(50);
    FrameRecorder frames(&window, {left->viewport(), right->viewport()});

    left->appendOutput(StreamType::Stdout, "left\n", 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(3)); // no event loop in between
    right->appendOutput(StreamType::Stdout, "right\n", 2);
    QTRY_VERIFY(frames.firstPaintPass[0] >= 0 && frames.firstPaintPass[1] >= 0);
    QCOMPARE(frames.firstPaintPass[0], frames.firstPaintPass[1]);
    QCOMPARE(left->buffer()->lineCount(), 1);
    QCOMPARE(right->buffer()->lineCount(), 1);

    // A view deleted while its frame is pending is forgotten, and the other still paints.
    const int passesBefore = frames.passes;
    frames.firstPaintPass = {-1, -1};
    left->appendOutput(StreamType::Stdout, "gone\n", 3);
    right->appendOutput(StreamType::Stdout, "stays\n", 4);
    delete left;
    QTRY_VERIFY(frames.firstPaintPass[1] >= 0);
    QVERIFY(frames.passes > passesBefore);
}

void TestOutputView::scrollBarsPaintWithoutThreadPool()
{
    // Qt 6.4's raster engine hands fills of more than ~96 spans (Fusion's scroll bar gradients)
    // to QThreadPool::globalInstance() and waits; a pane's scroll bar must paint on the GUI
    // thread alone. Every pool thread is kept busy here until the bar has painted (or 5 s
    // passed): a paint that needed the pool would take those 5 s.
    OutputView *view = showView({500, 1400});
    view->appendOutput(StreamType::Stdout, numberedLines(0, 5000), 1);
    QTRY_VERIFY(view->verticalScrollBar()->maximum() > 1000);
    QScrollBar *bar = view->verticalScrollBar();
    QVERIFY(bar->height() > 1000);
    QVERIFY(qobject_cast<QProxyStyle *>(bar->style()));

    QThreadPool *pool = QThreadPool::globalInstance();
    const int threads = pool->maxThreadCount();
    std::mutex mutex;
    std::condition_variable changed;
    bool released = false;
    int busy = 0;
    for (int i = 0; i < threads; ++i) {
        pool->start([&] {
            std::unique_lock lock(mutex);
            ++busy;
            changed.notify_all();
            changed.wait(lock, [&] { return released; });
        });
    }
    {
        std::unique_lock lock(mutex);
        QVERIFY(changed.wait_for(lock, std::chrono::seconds(5), [&] { return busy == threads; }));
    }
    std::thread watchdog([&] {
        std::unique_lock lock(mutex);
        changed.wait_for(lock, std::chrono::seconds(5), [&] { return released; });
        released = true;
        changed.notify_all();
    });
    QElapsedTimer painting;
    painting.start();
    QImage image(bar->size(), QImage::Format_ARGB32_Premultiplied);
    bar->render(&image);
    QImage horizontal(800, 16, QImage::Format_ARGB32_Premultiplied);
    view->horizontalScrollBar()->render(&horizontal);
    const qint64 ms = painting.elapsed();
    {
        const std::lock_guard lock(mutex);
        released = true;
    }
    changed.notify_all();
    watchdog.join();
    pool->waitForDone();
    qInfo("a %d px scroll bar painted in %lld ms with the thread pool busy", bar->height(), ms);
    QVERIFY2(ms < 2000, qPrintable(QString::number(ms)));
    // And it is drawn: the handle stands out from the groove.
    const int x = image.width() / 2;
    QSet<QRgb> colours;
    for (int y = 0; y < image.height(); y += 4)
        colours.insert(image.pixel(x, y));
    QVERIFY2(colours.size() >= 2, qPrintable(QString::number(colours.size())));
}

void TestOutputView::findCountsAndSteps()
{
    OutputView *view = showView();
    QSignalSpy spy(view, &OutputView::matchesChanged);
    QByteArray text;
    for (int i = 0; i < 1000; ++i)
        text += i % 10 == 0 ? "found a Needle " + QByteArray::number(i) + '\n'
                            : "hay " + QByteArray::number(i) + '\n';
    view->appendOutput(StreamType::Stdout, text, 1);
    QTest::qWait(30);

    view->setFindPattern(QStringLiteral("needle"));
    QCOMPARE(view->matchCount(), 100);
    QCOMPARE(view->currentMatchIndex(), -1);
    QCOMPARE(spy.last(), (QList<QVariant>{100, -1}));
    QVERIFY(view->isFollowing());

    view->setFindPattern(QStringLiteral("needle"), false, true);
    QCOMPARE(view->matchCount(), 0);
    view->setFindPattern(QStringLiteral("Needle \\d+00\\b"), true, true);
    QCOMPARE(view->matchCount(), 9); // 100, 200, ... 900
    view->setFindPattern(QStringLiteral("[unclosed"), true, false);
    QCOMPARE(view->matchCount(), 0);
    QVERIFY(!view->findError().isEmpty());
    view->setFindPattern(QStringLiteral("NEEDLE"));
    QCOMPARE(view->matchCount(), 100);
    QVERIFY(view->findError().isEmpty());

    // Stepping starts from what is on screen, scrolls there and pauses following.
    QTest::keyClick(view, Qt::Key_Home);
    view->findNext();
    QCOMPARE(view->currentMatchIndex(), 0);
    QVERIFY(!view->isFollowing());
    QCOMPARE(spy.last(), (QList<QVariant>{100, 0}));
    view->findNext();
    QCOMPARE(view->currentMatchIndex(), 1);
    view->findPrevious();
    view->findPrevious();
    QCOMPARE(view->currentMatchIndex(), 99); // wraps around
    // Match 99 is line 990: it is on screen now.
    const int value = view->verticalScrollBar()->value();
    QVERIFY2(value > 900, qPrintable(QString::number(value)));
    view->findNext();
    QCOMPARE(view->currentMatchIndex(), 0);
    QVERIFY(view->verticalScrollBar()->value() < 10);

    // From the bottom, backwards finds the last match first.
    view->followOutput();
    view->setFindPattern(QStringLiteral("hay"));
    view->setFindPattern(QStringLiteral("needle"));
    view->findPrevious();
    QCOMPARE(view->currentMatchIndex(), 99);

    view->setFindPattern(QString());
    QCOMPARE(view->matchCount(), 0);
    QCOMPARE(spy.last(), (QList<QVariant>{0, -1}));
}

void TestOutputView::findFollowsNewOutput()
{
    OutputView *view = showView();
    view->buffer()->setMaxLines(100);
    view->appendOutput(StreamType::Stdout, numberedLines(0, 50, "x match"), 1);
    view->setFindPattern(QStringLiteral("match"));
    QCOMPARE(view->matchCount(), 50);

    view->appendOutput(StreamType::Stdout, numberedLines(50, 10, "match"), 2);
    QTRY_COMPARE(view->matchCount(), 60);

    // A partial line counts at once and again when completed.
    view->appendOutput(StreamType::Stderr, "partial match", 3);
    QTRY_COMPARE(view->matchCount(), 61);
    view->appendOutput(StreamType::Stdout, numberedLines(60, 5, "match"), 3);
    view->appendOutput(StreamType::Stderr, " and match\n", 4);
    QTRY_COMPARE(view->matchCount(), 67);

    view->findNext();
    const int current = view->currentMatchIndex();
    QVERIFY(current >= 0);
    // Dropped lines take their matches along; the current match keeps its place.
    view->appendOutput(StreamType::Stdout, numberedLines(100, 40, "nothing"), 5);
    QTRY_VERIFY(view->matchCount() < 67);
    QCOMPARE(view->buffer()->lineCount(), 100);
    QCOMPARE(view->matchCount(), int(view->buffer()->find(QStringLiteral("match"), {}).size()));
}

void TestOutputView::findBarDrivesView()
{
    OutputView *view = showView();
    QByteArray text;
    for (int i = 0; i < 300; ++i)
        text += i % 3 == 0 ? "error " + QByteArray::number(i) + '\n' : "ok\n";
    view->appendOutput(StreamType::Stdout, text, 1);

    FindBar bar;
    bar.setView(view);
    bar.show();
    auto *edit = bar.findChild<QLineEdit *>(QStringLiteral("findEdit"));
    auto *result = bar.findChild<QLabel *>(QStringLiteral("findResult"));
    auto *regex = bar.findChild<QCheckBox *>(QStringLiteral("findRegex"));
    QVERIFY(edit && result && regex);
    QSignalSpy findRequested(&bar, &FindBar::findRequested);

    QTest::keyClicks(edit, QStringLiteral("error"));
    QTRY_COMPARE(findRequested.size(), 1); // debounced: one search for five keys
    QCOMPARE(view->matchCount(), 100);
    QCOMPARE(result->text(), QStringLiteral("100 matches"));

    QTest::keyClick(edit, Qt::Key_Home, Qt::NoModifier);
    QTest::keyClick(view, Qt::Key_Home);
    QTest::keyClick(edit, Qt::Key_Return);
    QCOMPARE(view->currentMatchIndex(), 0);
    QCOMPARE(result->text(), QStringLiteral("1 of 100"));
    QTest::keyClick(edit, Qt::Key_Return);
    QCOMPARE(result->text(), QStringLiteral("2 of 100"));
    QTest::keyClick(edit, Qt::Key_Return, Qt::ShiftModifier);
    QCOMPARE(result->text(), QStringLiteral("1 of 100"));

    regex->setChecked(true);
    edit->setText(QStringLiteral("error (\\d"));
    QTest::keyClick(edit, Qt::Key_Return); // applies the pending pattern at once
    QCOMPARE(result->text(), QStringLiteral("Invalid pattern"));
    edit->setText(QStringLiteral("error \\d*5\\b"));
    QTest::keyClick(edit, Qt::Key_Return);
    QCOMPARE(view->matchCount(), 10); // 15, 45, 75, ... 285
    QCOMPARE(result->text(), QStringLiteral("1 of 10"));

    QSignalSpy closed(&bar, &FindBar::closed);
    QTest::keyClick(edit, Qt::Key_Escape);
    QCOMPARE(closed.size(), 1);
    QVERIFY(!bar.isVisible());
    QCOMPARE(view->matchCount(), 0);

    // Cross-pane owners use the signals and report the totals.
    FindBar multi;
    multi.setText(QStringLiteral("x"));
    multi.setResult(17, 3);
    QCOMPARE(multi.resultText(), QStringLiteral("17 matches in 3 panes"));
}

void TestOutputView::zoom()
{
    OutputView *view = showView();
    QSignalSpy spy(view, &OutputView::fontSizeChanged);
    const qreal initial = view->fontPointSize();
    QCOMPARE(initial, view->defaultFontPointSize());
    const QFontMetricsF metrics(view->textFont());
    QCOMPARE(metrics.horizontalAdvance(QLatin1Char('i')),
             metrics.horizontalAdvance(QLatin1Char('M')));

    QTest::keyClick(view, Qt::Key_Plus, Qt::ControlModifier);
    QCOMPARE(view->fontPointSize(), initial + 1);
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.last().first().toReal(), initial + 1);
    QTest::keyClick(view, Qt::Key_Equal, Qt::ControlModifier);
    QCOMPARE(view->fontPointSize(), initial + 2);
    QTest::keyClick(view, Qt::Key_Minus, Qt::ControlModifier);
    QCOMPARE(view->fontPointSize(), initial + 1);
    QTest::keyClick(view, Qt::Key_0, Qt::ControlModifier);
    QCOMPARE(view->fontPointSize(), initial);
    wheel(view->viewport(), 120, Qt::ControlModifier);
    QCOMPARE(view->fontPointSize(), initial + 1);
    wheel(view->viewport(), -240, Qt::ControlModifier);
    QCOMPARE(view->fontPointSize(), initial - 1);
    QCOMPARE(spy.size(), 6);

    for (int i = 0; i < 200; ++i)
        view->zoomIn();
    QCOMPARE(view->fontPointSize(), 72.0);
    view->resetZoom();
    QCOMPARE(view->fontPointSize(), initial);
}

void TestOutputView::droppedLinesMarker()
{
    OutputView *view = showView();
    QSignalSpy open(view, &OutputView::openTranscriptRequested);
    view->buffer()->setMaxLines(100);
    view->appendOutput(StreamType::Stdout, numberedLines(0, 60), 1);
    QCOMPARE(view->droppedLinesMarkerText(), QString());
    view->appendOutput(StreamType::Stdout, numberedLines(60, 190), 2);
    QTRY_VERIFY(view->droppedLinesMarkerText().contains(QLocale().toString(150)));
    QVERIFY(view->droppedLinesMarkerText().contains(QLatin1String("earlier lines")));

    // The marker is the first row: clicking it asks for the transcript; text rows do not.
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, QPoint(60, 4));
    QCOMPARE(open.size(), 0); // following: the marker is scrolled away
    QTest::keyClick(view, Qt::Key_Home);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, QPoint(60, 4));
    QCOMPARE(open.size(), 1);
    QVERIFY(!view->hasSelection());
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, QPoint(60, 60));
    QCOMPARE(open.size(), 1);

    // The count keeps up while lines are dropped under a paused view.
    view->appendOutput(StreamType::Stdout, numberedLines(250, 1000), 3);
    QTRY_VERIFY(view->droppedLinesMarkerText().contains(QLocale().toString(1150)));
    QCOMPARE(view->verticalScrollBar()->value(), 0);
}

void TestOutputView::wrappedLines()
{
    OutputView *view = showView({600, 300});
    QSignalSpy wrapSpy(view, &OutputView::wrapLinesChanged);
    const QByteArray longLine(5000, 'w');
    view->appendOutput(StreamType::Stdout, numberedLines(0, 100) + longLine + "\nend\n", 1);
    QTRY_VERIFY(view->horizontalScrollBar()->maximum() > 0);
    QScrollBar *bar = view->verticalScrollBar();
    const int unwrappedMax = bar->maximum();

    view->setWrapLines(true);
    QCOMPARE(wrapSpy.size(), 1);
    QCOMPARE(view->horizontalScrollBar()->maximum(), 0);
    QVERIFY(view->isFollowing());
    // The scroll bar counts lines. The long line alone fills more than the viewport, so the
    // last screen starts inside it: line 100.
    QVERIFY(unwrappedMax < 100);
    QCOMPARE(bar->maximum(), 100);
    QCOMPARE(bar->value(), bar->maximum());

    // Row-wise scrolling inside one wrapped line, then back to the bottom.
    QTest::keyClick(view, Qt::Key_Up);
    QVERIFY(!view->isFollowing());
    QTest::keyClick(view, Qt::Key_Down);
    QVERIFY(view->isFollowing());
    for (int i = 0; i < 10; ++i)
        QTest::keyClick(view, Qt::Key_PageUp);
    QVERIFY(!view->isFollowing());
    QVERIFY(bar->value() < bar->maximum());
    QTest::keyClick(view, Qt::Key_End);

    // Wide characters wrap on the column grid without splitting a character.
    view->appendOutput(StreamType::Stdout,
                       QByteArray(30, 'x') + QByteArray("\xe4\xb8\xad").repeated(200) + "\n",
                       2);
    QTest::qWait(30);
    view->selectAll();
    QVERIFY(view->selectedText().endsWith(
            QString::fromUtf8(QByteArray("\xe4\xb8\xad").repeated(200))));
    view->setWrapLines(false);
    QVERIFY(view->horizontalScrollBar()->maximum() > 0);
}

void TestOutputView::selectionAndCopy()
{
    OutputView *view = showView();
    view->appendOutput(StreamType::Stdout, "first line\nsecond line\n", 1);
    view->appendOutput(StreamType::Stderr, "third line\n", 2);
    QTest::qWait(30);
    QVERIFY(!view->hasSelection());

    const int lineHeight = qCeil(QFontMetricsF(view->textFont()).lineSpacing());
    QTest::mousePress(view->viewport(), Qt::LeftButton, {}, QPoint(0, lineHeight / 2));
    QTest::mouseMove(view->viewport(),
                     QPoint(view->viewport()->width() - 5, lineHeight + lineHeight / 2));
    QTest::mouseRelease(view->viewport(),
                        Qt::LeftButton,
                        {},
                        QPoint(view->viewport()->width() - 5, lineHeight + lineHeight / 2));
    QVERIFY(view->hasSelection());
    QCOMPARE(view->selectedText(), QStringLiteral("first line\nsecond line"));

    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QGuiApplication::clipboard()->text(), QStringLiteral("first line\nsecond line"));

    QTest::keyClick(view, Qt::Key_A, Qt::ControlModifier);
    QCOMPARE(view->selectedText(), QStringLiteral("first line\nsecond line\nthird line"));

    QTest::keyClick(view, Qt::Key_Escape);
    QVERIFY(!view->hasSelection());

    // Double click selects a word (a path counts as one).
    view->appendOutput(StreamType::Stdout, "see src/core/text.cpp:42 now\n", 3);
    QTest::qWait(30);
    view->scrollToTop();
    const qreal charWidth = QFontMetricsF(view->textFont()).horizontalAdvance(QLatin1Char('M'));
    const QPoint onPath(int(9 + charWidth * 8.5), 3 * lineHeight + lineHeight / 2);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, onPath);
    QCOMPARE(view->selectedText(), QStringLiteral("src/core/text.cpp:42"));
    view->copyAll();
    QCOMPARE(QGuiApplication::clipboard()->text(),
             QStringLiteral("first line\nsecond line\nthird line\nsee src/core/text.cpp:42 now"));
}

void TestOutputView::contextMenu()
{
    OutputView *view = showView();
    view->buffer()->setMaxLines(10);
    view->appendOutput(StreamType::Stdout, numberedLines(0, 20), 1);
    QTest::qWait(30);
    QSignalSpy wrap(view, &OutputView::wrapLinesChanged);
    QSignalSpy timestamps(view, &OutputView::showTimestampsChanged);

    const auto openMenu = [&](const QString &trigger) {
        QStringList texts;
        QTimer::singleShot(0, this, [&] {
            auto *menu = qobject_cast<QMenu *>(QApplication::activePopupWidget());
            QVERIFY(menu);
            for (QAction *action : menu->actions()) {
                if (action->isSeparator())
                    continue;
                texts << action->text().remove(QLatin1Char('&'))
                                 + (action->isCheckable() && action->isChecked() ? "*" : "")
                                 + (action->isEnabled() ? "" : "-");
                if (action->text().remove(QLatin1Char('&')) == trigger)
                    action->trigger();
            }
            menu->close();
        });
        const QPoint pos(20, 20);
        QContextMenuEvent event(QContextMenuEvent::Mouse, pos, view->viewport()->mapToGlobal(pos));
        QApplication::sendEvent(view->viewport(), &event);
        return texts;
    };

    QCOMPARE(openMenu(QStringLiteral("Wrap Lines")),
             (QStringList{"Copy-",
                          "Select All",
                          "Wrap Lines",
                          "Show Timestamps",
                          "Open Full Transcript"}));
    QVERIFY(view->wrapLines());
    QCOMPARE(wrap.size(), 1);
    view->selectAll();
    QCOMPARE(openMenu(QStringLiteral("Show Timestamps")),
             (QStringList{"Copy",
                          "Select All",
                          "Wrap Lines*",
                          "Show Timestamps",
                          "Open Full Transcript"}));
    QVERIFY(view->showTimestamps());
    QCOMPARE(timestamps.size(), 1);
}

void TestOutputView::sharedBuffer()
{
    TerminalBuffer shared;
    OutputView *view = showView();
    view->setBuffer(&shared);
    QCOMPARE(view->buffer(), &shared);
    shared.append(StreamType::Stdout, numberedLines(0, 500), 1);
    QTRY_VERIFY(view->verticalScrollBar()->maximum() > 400);
    QCOMPARE(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum());
    view->setBuffer(nullptr);
    QVERIFY(view->buffer() != &shared);
    QTRY_COMPARE(view->verticalScrollBar()->maximum(), 0);
}

void TestOutputView::floodDoesNotStall()
{
    OutputView *view = showView({900, 600});
    view->setShowTimestamps(true);
    view->setFindPattern(QStringLiteral("7 done"));
    PaintCounter paints(view->viewport());

    // 200000 coloured lines in 64 KiB chunks, each chunk one event loop turn, as the socket
    // would deliver them.
    QByteArray all;
    for (int i = 0; i < 200000; ++i) {
        all += "\033[2m[worker " + QByteArray::number(i % 16) + "]\033[0m step "
               + QByteArray::number(i) + " \033[32mok\033[0m " + QByteArray::number(i % 10)
               + " done\n";
    }
    const qsizetype chunkSize = 64 * 1024;
    qsizetype sent = 0;
    int chunks = 0;
    StallProbe probe;
    QElapsedTimer timer;
    QTimer feeder;
    feeder.setInterval(0);
    connect(&feeder, &QTimer::timeout, this, [&] {
        const qsizetype n = qMin(chunkSize, all.size() - sent);
        view->appendOutput(
                StreamType::Stdout, all.mid(sent, n), QDateTime::currentMSecsSinceEpoch());
        sent += n;
        ++chunks;
        if (sent == all.size())
            feeder.stop();
    });
    timer.start();
    probe.start();
    feeder.start();
    QTRY_VERIFY_WITH_TIMEOUT(!feeder.isActive(), 60000);
    const qint64 feedMs = timer.elapsed();
    QTest::qWait(50);
    probe.stop();

    qInfo("flood: 200000 lines (%lld KiB) in %d chunks in %lld ms = %.0f lines/s; "
          "%d paints; max event loop stall %.1f ms",
          qint64(all.size() / 1024),
          chunks,
          feedMs,
          200000.0 * 1000 / qMax<qint64>(1, feedMs),
          paints.count,
          probe.maxStallMs);
    QCOMPARE(view->buffer()->totalLinesSeen(), 200000);
    QCOMPARE(view->buffer()->lineCount(), TerminalBuffer::DefaultMaxLines);
    QCOMPARE(view->matchCount(), 10000); // "7 done" in the 100000 lines held
    QVERIFY(view->isFollowing());
    QCOMPARE(view->verticalScrollBar()->value(), view->verticalScrollBar()->maximum());
    QVERIFY2(paints.count < chunks, "the view must not repaint per chunk");
    QVERIFY2(probe.maxStallMs < 250, qPrintable(QString::number(probe.maxStallMs)));
}

void TestOutputView::sixteenPanesFlood()
{
    // 16 panes each receiving 10000 lines/s (in 10 ms batches) for 1.5 s.
    QWidget window;
    auto *grid = new QGridLayout(&window);
    QList<OutputView *> views;
    for (int i = 0; i < 16; ++i) {
        auto *view = new OutputView(&window);
        view->setWrapLines(i % 2 == 1);
        grid->addWidget(view, i / 4, i % 4);
        views << view;
    }
    window.resize(1600, 1000);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));

    QByteArray batch; // 100 lines
    for (int i = 0; i < 100; ++i)
        batch += "\033[36mINFO\033[0m compiling module_" + QByteArray::number(i)
                 + ".rs \033[2m(incremental)\033[0m ......................................\n";
    // Each pane has its own source, as each variation has its own socket: one timer per pane,
    // catching up on its own if the event loop fell behind, so the offered rate stays 10000
    // lines/s per pane.
    StallProbe probe;
    QElapsedTimer timer;
    double maxFeedMs = 0;
    std::vector<std::unique_ptr<QTimer>> feeders;
    std::vector<int> batches(views.size(), 0);
    for (qsizetype i = 0; i < views.size(); ++i) {
        auto feeder = std::make_unique<QTimer>();
        feeder->setTimerType(Qt::PreciseTimer);
        feeder->setInterval(10);
        QTimer *self = feeder.get();
        connect(self, &QTimer::timeout, this, [&, i, self] {
            QElapsedTimer turn;
            turn.start();
            const qint64 due = qMin<qint64>(150, timer.elapsed() / 10 + 1);
            for (int &sent = batches[size_t(i)]; sent < due; ++sent)
                views[i]->appendOutput(StreamType::Stdout, batch, 0);
            if (batches[size_t(i)] >= 150)
                self->stop();
            maxFeedMs = qMax(maxFeedMs, turn.nsecsElapsed() / 1e6);
        });
        feeders.push_back(std::move(feeder));
    }
    const auto feeding = [&] {
        return std::any_of(
                feeders.begin(), feeders.end(), [](const auto &f) { return f->isActive(); });
    };
    timer.start();
    probe.start();
    for (const auto &feeder : feeders)
        feeder->start();
    QTRY_VERIFY_WITH_TIMEOUT(!feeding(), 30000);
    const qint64 ms = timer.elapsed();
    QTest::qWait(50);
    probe.stop();
    qInfo("16 panes x 10000 lines/s: 240000 lines in %lld ms (offered in 1500 ms); "
          "max event loop stall %.1f ms (of which one pane's append, at most %.1f ms)",
          ms,
          probe.maxStallMs,
          maxFeedMs);
    QElapsedTimer paintTimer;
    paintTimer.start();
    for (int i = 0; i < 10; ++i)
        window.repaint();
    qInfo("a full repaint of the 16 panes takes %.1f ms", paintTimer.nsecsElapsed() / 1e7);
    for (OutputView *view : std::as_const(views)) {
        QCOMPARE(view->buffer()->totalLinesSeen(), 15000);
        QVERIFY(view->isFollowing());
    }
    QVERIFY2(probe.maxStallMs < 250, qPrintable(QString::number(probe.maxStallMs)));
}

void TestOutputView::screenshots()
{
    const qint64 t0 = QDateTime(QDate(2026, 3, 14), QTime(9, 41, 7, 250)).toMSecsSinceEpoch();
    for (const auto &[name, palette] :
         {std::pair{"dark", darkPalette()}, std::pair{"light", lightPalette()}}) {
        OutputView view;
        view.setPalette(palette);
        view.resize(940, 540);
        view.buffer()->setMaxLines(20);
        view.setShowTimestamps(true);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        feedDemoSession(&view, t0);
        view.setFindPattern(QStringLiteral("parse"));
        QTest::qWait(30);
        view.scrollToTop();
        view.findNext();
        view.findNext();
        view.scrollToTop(); // the marker row at the top
        // Select part of a line, as a user would.
        const int lineHeight = qCeil(QFontMetricsF(view.textFont()).lineSpacing());
        const qreal charWidth = QFontMetricsF(view.textFont()).horizontalAdvance(QLatin1Char('M'));
        const int left
                = int(QFontMetricsF(view.textFont()).horizontalAdvance(QLatin1Char('M')) * 12) + 12
                  + 9;
        QTest::mousePress(view.viewport(),
                          Qt::LeftButton,
                          {},
                          QPoint(int(left + charWidth * 2), lineHeight * 5 + 4));
        QTest::mouseMove(view.viewport(), QPoint(int(left + charWidth * 12), lineHeight * 5 + 4));
        QTest::mouseRelease(view.viewport(),
                            Qt::LeftButton,
                            {},
                            QPoint(int(left + charWidth * 12), lineHeight * 5 + 4));
        view.appendOutput(StreamType::Stdout, "\033[1mnew output while paused\033[0m\n", t0 + 4000);
        QTest::qWait(40);

        const QString path = QStringLiteral("/tmp/outputview-%1.png").arg(QLatin1String(name));
        QVERIFY(view.grab().save(path));
        qInfo("wrote %s", qPrintable(path));

        // With a find bar driving it, as in a window.
        QWidget window;
        window.setPalette(palette);
        window.setAutoFillBackground(true);
        auto *layout = new QVBoxLayout(&window);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(0);
        auto *paneView = new OutputView(&window);
        auto *bar = new FindBar(&window);
        layout->addWidget(paneView, 1);
        layout->addWidget(bar);
        bar->setView(paneView);
        window.resize(760, 300);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        feedDemoSession(paneView, t0);
        auto *edit = bar->findChild<QLineEdit *>(QStringLiteral("findEdit"));
        edit->setText(QStringLiteral("pars\\w+"));
        bar->findChild<QCheckBox *>(QStringLiteral("findRegex"))->setChecked(true);
        QTest::keyClick(edit, Qt::Key_Return, Qt::ShiftModifier);
        QTest::qWait(40);
        const QString withBar
                = QStringLiteral("/tmp/outputview-%1-findbar.png").arg(QLatin1String(name));
        QVERIFY(window.grab().save(withBar));
        qInfo("wrote %s", qPrintable(withBar));

        view.setWrapLines(true);
        view.resize(520, 540);
        view.followOutput();
        QTest::qWait(40);
        const QString wrapped
                = QStringLiteral("/tmp/outputview-%1-wrapped.png").arg(QLatin1String(name));
        QVERIFY(view.grab().save(wrapped));
        qInfo("wrote %s", qPrintable(wrapped));
    }
}

QTEST_MAIN(TestOutputView)
#include "tst_outputview.moc"

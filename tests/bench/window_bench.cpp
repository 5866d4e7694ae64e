// parallax_window_bench: the in-process half of the window benchmarks of issue 6
// (docs/benchmarks.md). parallax_bench starts it as a child process, one run per process, so
// that its peak RSS (VmHWM) and CPU time are those of one window and one run.
//
//   parallax_window_bench SPEC.json [--expect KIND:N:M] [--latency] [--probe-ms N]
//
// It builds the real MainWindow (offscreen platform unless QT_QPA_PLATFORM says otherwise),
// opens SPEC, launches it the way `parallax SPEC --start` does, and waits for the run to
// finish, meanwhile:
//  - a timer probe fires every --probe-ms (default 5) ms; the longest gap between two firings
//    minus the period is the longest event-loop stall;
//  - VmRSS is sampled by the probe; VmHWM and the process's CPU time are read at the end, and
//    dockerd's CPU time (from /var/run/docker.pid) around the run;
//  - with --latency, every "clock <n> <s>.<us>" line (demo agent DEMO_MODE=clock) is
//    timestamped when Run::outputReceived hands it on (core: after the transcript write), when
//    its pane's TerminalBuffer says it changed (model), and at the next paint event of that
//    pane's viewport (painted); `docker logs -f` of the same container is read on a thread and
//    timestamped on receipt.
// After the run, with --expect, every variation's transcript is read back and compared byte
// for byte with the output the demo agent must have written:
//   flood:LINES:WIDTH  (DEMO_MODE=flood or rate) line n is "line <n> " padded with x to WIDTH
//   longline:BYTES:NL  (DEMO_MODE=longline) byte k is the base64 alphabet's k % 64, then "\n"
//                      when NL is 1
// and each pane's model is checked to have seen the right number of lines.
// Prints one line "RESULT <json>" on stdout. Exit status 0 when the run finished (a failed
// check is reported in the JSON), 1 when it could not run, 2 bad arguments.

#include "mainwindow.h"
#include "outputview.h"
#include "panearea.h"
#include "theme.h"
#include "variationpane.h"

#include "docker/dockermonitor.h"
#include "run/run.h"
#include "run/variationrunner.h"
#include "text/terminalbuffer.h"
#include "transcript/transcriptreader.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEvent>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimer>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace {

using namespace Parallax;

double monotonicMs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

qint64 realtimeUs()
{
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return qint64(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

qint64 statusKb(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

// utime + stime of a process in ms, -1 when unreadable.
double processCpuMs(qint64 pid)
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = f.readAll();
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return -1;
    const QList<QByteArray> fields = stat.mid(close + 2).split(' ');
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    if (fields.size() < 13)
        return -1;
    const double ticks = double(sysconf(_SC_CLK_TCK));
    return (fields[11].toDouble() + fields[12].toDouble()) * 1000.0 / ticks;
}

qint64 dockerdPid()
{
    QFile f(QStringLiteral("/var/run/docker.pid"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readAll().trimmed().toLongLong();
}

// Parses "clock <n> <s>.<us>" lines; keeps a partial line across chunks.
struct ClockParser
{
    QByteArray carry;
    template<typename F>
    void feed(QByteArrayView data, F onLine)
    {
        qsizetype at = 0;
        while (at < data.size()) {
            const qsizetype nl = data.indexOf('\n', at);
            if (nl < 0) {
                carry.append(data.sliced(at));
                return;
            }
            QByteArray line = carry + data.sliced(at, nl - at).toByteArray();
            carry.clear();
            at = nl + 1;
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() != 3 || parts[0] != "clock")
                continue;
            const QList<QByteArray> t = parts[2].split('.');
            if (t.size() != 2)
                continue;
            onLine(parts[1].toInt(), t[0].toLongLong() * 1000000 + t[1].toLongLong());
        }
    }
};

struct LineTimes
{
    qint64 emitUs = 0;
    qint64 coreUs = 0;
    qint64 modelUs = 0;
    qint64 paintUs = 0;
    qint64 cliUs = 0;
};

// `docker logs -f CONTAINER` on a thread, each clock line timestamped on receipt.
class CliFollower
{
public:
    explicit CliFollower(const QByteArray &container)
    {
        m_startedUs = realtimeUs();
        m_thread = std::thread([this, container] {
            const QByteArray cmd = "docker logs -f " + container + " 2>/dev/null";
            FILE *p = popen(cmd.constData(), "r");
            if (!p)
                return;
            ClockParser parser;
            char buf[65536];
            for (;;) {
                const ssize_t n = ::read(fileno(p), buf, sizeof buf);
                if (n <= 0)
                    break;
                const qint64 now = realtimeUs();
                parser.feed(QByteArrayView(buf, n), [&](int line, qint64) {
                    std::lock_guard lock(m_mutex);
                    m_received.push_back({line, now});
                });
            }
            pclose(p);
        });
    }
    ~CliFollower() { join(); }
    void join()
    {
        if (m_thread.joinable())
            m_thread.join();
    }
    qint64 startedUs() const { return m_startedUs; }
    std::vector<std::pair<int, qint64>> received()
    {
        std::lock_guard lock(m_mutex);
        return m_received;
    }

private:
    std::thread m_thread;
    std::mutex m_mutex;
    std::vector<std::pair<int, qint64>> m_received;
    qint64 m_startedUs = 0;
};

QJsonObject percentiles(std::vector<double> v)
{
    QJsonObject o;
    o.insert(QLatin1String("n"), int(v.size()));
    if (v.empty())
        return o;
    std::sort(v.begin(), v.end());
    auto at = [&](double q) {
        const size_t i = std::min(v.size() - 1, size_t(q * double(v.size() - 1) + 0.5));
        return v[i];
    };
    o.insert(QLatin1String("min"), v.front());
    o.insert(QLatin1String("median"), at(0.5));
    o.insert(QLatin1String("p90"), at(0.9));
    o.insert(QLatin1String("p99"), at(0.99));
    o.insert(QLatin1String("max"), v.back());
    return o;
}

// The output the demo agent must have written, produced in step with the transcript.
class Expected
{
public:
    enum class Kind { Flood, LongLine };
    Expected(Kind kind, qint64 n, qint64 m)
        : m_kind(kind)
        , m_n(n)
        , m_m(m)
    {}

    qint64 totalBytes() const
    {
        if (m_kind == Kind::LongLine)
            return m_n + (m_m ? 1 : 0);
        qint64 total = 0;
        qint64 lo = 1, hi = 9;
        for (int digits = 1; lo <= m_n; ++digits, lo = hi + 1, hi = hi * 10 + 9)
            total += (std::min(hi, m_n) - lo + 1) * std::max<qint64>(m_m, 7 + digits);
        return total;
    }
    qint64 lines() const { return m_kind == Kind::LongLine ? (m_m ? 1 : 0) : m_n; }

    // Compares the next bytes; false at the first difference (offset() says where).
    bool match(QByteArrayView data)
    {
        for (qsizetype i = 0; i < data.size();) {
            if (m_kind == Kind::LongLine) {
                static const char alphabet[]
                        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                const char want = m_offset < m_n ? alphabet[m_offset % 64] : '\n';
                if (m_offset >= totalBytes() || data[i] != want)
                    return false;
                ++i;
                ++m_offset;
                continue;
            }
            if (m_linePos >= m_line.size()) {
                if (m_lineNo >= m_n)
                    return false;
                ++m_lineNo;
                m_line = "line " + QByteArray::number(m_lineNo) + ' ';
                const qsizetype pad = m_m - 1 - m_line.size();
                if (pad > 0)
                    m_line.append(QByteArray(pad, 'x'));
                m_line.append('\n');
                m_linePos = 0;
            }
            const qsizetype n = std::min(data.size() - i, m_line.size() - m_linePos);
            if (QByteArrayView(m_line).sliced(m_linePos, n) != data.sliced(i, n))
                return false;
            i += n;
            m_linePos += n;
            m_offset += n;
        }
        return true;
    }
    qint64 offset() const { return m_offset; }

private:
    Kind m_kind;
    qint64 m_n, m_m;
    qint64 m_offset = 0;
    qint64 m_lineNo = 0;
    QByteArray m_line;
    qsizetype m_linePos = 0;
};

int fail(const QString &message, int code = 1)
{
    std::fprintf(stderr, "parallax_window_bench: %s\n", qPrintable(message));
    return code;
}

} // namespace

int main(int argc, char **argv)
{
    const double t0 = monotonicMs();
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("parallax"));
    QApplication::setOrganizationName(QStringLiteral("parallax"));

    QString specPath;
    std::optional<Expected> expectTemplate;
    QString expectText;
    bool latency = false;
    int probeMs = 5;
    const QStringList args = app.arguments().mid(1);
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        if (a == QLatin1String("--latency")) {
            latency = true;
        } else if (a == QLatin1String("--expect") && i + 1 < args.size()) {
            expectText = args[++i];
            const QStringList p = expectText.split(QLatin1Char(':'));
            bool ok1 = false, ok2 = false;
            const qint64 n = p.value(1).toLongLong(&ok1), m = p.value(2).toLongLong(&ok2);
            if (p.size() != 3 || !ok1 || !ok2
                || (p[0] != QLatin1String("flood") && p[0] != QLatin1String("longline")))
                return fail(QStringLiteral("--expect takes flood:LINES:WIDTH or "
                                           "longline:BYTES:NL, not '%1'")
                                    .arg(expectText),
                            2);
            expectTemplate.emplace(p[0] == QLatin1String("flood") ? Expected::Kind::Flood
                                                                  : Expected::Kind::LongLine,
                                   n,
                                   m);
        } else if (a == QLatin1String("--probe-ms") && i + 1 < args.size()) {
            probeMs = args[++i].toInt();
            if (probeMs < 1)
                return fail(QStringLiteral("--probe-ms takes a positive number"), 2);
        } else if (!a.startsWith(QLatin1Char('-')) && specPath.isEmpty()) {
            specPath = a;
        } else {
            return fail(QStringLiteral("unknown argument '%1'").arg(a), 2);
        }
    }
    if (specPath.isEmpty())
        return fail(QStringLiteral("usage: parallax_window_bench SPEC.json [--expect KIND:N:M] "
                                   "[--latency] [--probe-ms N]"),
                    2);

    // As `parallax` starts: the theme from the settings (here the default, System).
    Theme::apply(Theme::Mode::System);
    MainWindow window;
    window.resize(1400, 900);
    window.show();
    if (!window.openSpec(specPath))
        return fail(QStringLiteral("cannot open %1").arg(specPath));

    // The stall probe and the RSS sampler.
    QElapsedTimer probeClock;
    double lastFire = 0, maxGap = 0;
    qint64 maxRssKb = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(probeMs);
    int fires = 0;
    // The longest gaps with when they ended (ms after launch), to tell a launch-time stall
    // from one while streaming.
    // With each, the CPU time the GUI thread used in it: near the gap, our own code ran;
    // far below it, the thread was waiting for a core.
    // And the time it spent runnable but waiting on a run queue (schedstat's run_delay): the
    // rest of a gap the thread was blocked (in poll, in a system call, on a page).
    struct Gap
    {
        double gap, end, threadCpu, runQueue;
        bool operator>(const Gap &o) const { return gap > o.gap; }
    };
    std::vector<Gap> longGaps;
    const auto threadCpuMs = [] {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
    };
    double lastThreadCpu = threadCpuMs();
    QFile schedstat(QStringLiteral("/proc/thread-self/schedstat"));
    schedstat.open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    const auto runQueueMs = [&schedstat] {
        char text[96] = {};
        if (!schedstat.isOpen() || !schedstat.seek(0))
            return 0.0;
        const qint64 n = schedstat.read(text, sizeof text - 1);
        if (n <= 0)
            return 0.0;
        unsigned long long onCpu = 0, waiting = 0;
        return std::sscanf(text, "%llu %llu", &onCpu, &waiting) == 2 ? waiting / 1e6 : 0.0;
    };
    double lastRunQueue = runQueueMs();
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const double now = probeClock.nsecsElapsed() / 1e6;
        const double threadCpu = threadCpuMs();
        const double runQueue = runQueueMs();
        maxGap = std::max(maxGap, now - lastFire);
        if (now - lastFire > 2.0 * probeMs) {
            longGaps.push_back(
                    {now - lastFire, now, threadCpu - lastThreadCpu, runQueue - lastRunQueue});
            std::sort(longGaps.begin(), longGaps.end(), std::greater<>());
            if (longGaps.size() > 5)
                longGaps.pop_back();
        }
        lastFire = now;
        lastThreadCpu = threadCpu;
        lastRunQueue = runQueue;
        if (++fires % 20 == 0)
            maxRssKb = std::max(maxRssKb, statusKb("VmRSS"));
    });

    const qint64 dockerd = dockerdPid();
    double dockerdCpu0 = 0, cpu0 = 0, launchMs = 0, finishedMs = 0, launchCallMs = 0;
    auto selfCpuMs = [] {
        rusage ru{};
        getrusage(RUSAGE_SELF, &ru);
        return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
               + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    };

    // Latency bookkeeping, per variation.
    std::vector<std::vector<LineTimes>> times;
    std::vector<ClockParser> parsers;
    std::vector<std::vector<int>> awaitingModel, awaitingPaint;
    std::vector<std::unique_ptr<CliFollower>> followers;
    int paintEvents = 0;

    struct PaintFilter : QObject
    {
        std::function<void()> onPaint;
        bool eventFilter(QObject *, QEvent *e) override
        {
            if (e->type() == QEvent::Paint)
                onPaint();
            return false;
        }
    };
    std::vector<std::unique_ptr<PaintFilter>> filters;

    QString error;
    auto start = [&] {
        cpu0 = selfCpuMs();
        dockerdCpu0 = dockerd > 0 ? processCpuMs(dockerd) : -1;
        launchMs = monotonicMs();
        probeClock.start();
        probe.start();
        QElapsedTimer launchCall;
        launchCall.start();
        window.launch();
        launchCallMs = launchCall.nsecsElapsed() / 1e6;
        Run *run = window.currentRun();
        if (!run) {
            error = QStringLiteral("the window did not launch the run");
            app.exit(1);
            return;
        }
        QObject::connect(run, &Run::finished, &app, [&] {
            finishedMs = monotonicMs();
            probe.stop();
            app.quit();
        });
        if (!latency)
            return;
        const int count = int(run->variations().size());
        times.resize(size_t(count));
        parsers.resize(size_t(count));
        awaitingModel.resize(size_t(count));
        awaitingPaint.resize(size_t(count));
        followers.resize(size_t(count));
        // Connected after Run's own connection to its runners: runs before the panes append.
        QObject::connect(
                run, &Run::outputReceived, &app, [&](int v, StreamType, const QByteArray &data) {
                    const qint64 now = realtimeUs();
                    parsers[size_t(v)].feed(data, [&](int line, qint64 emitUs) {
                        auto &t = times[size_t(v)];
                        if (line < 1 || line > 1000000)
                            return;
                        if (t.size() < size_t(line))
                            t.resize(size_t(line));
                        t[size_t(line - 1)].emitUs = emitUs;
                        t[size_t(line - 1)].coreUs = now;
                        awaitingModel[size_t(v)].push_back(line);
                    });
                });
        const QList<VariationPane *> panes = window.paneArea()->panes();
        for (int v = 0; v < panes.size() && v < count; ++v) {
            QObject::connect(panes[v]->view()->buffer(), &TerminalBuffer::changed, &app, [&, v] {
                const qint64 now = realtimeUs();
                for (int line : awaitingModel[size_t(v)]) {
                    times[size_t(v)][size_t(line - 1)].modelUs = now;
                    awaitingPaint[size_t(v)].push_back(line);
                }
                awaitingModel[size_t(v)].clear();
            });
            auto filter = std::make_unique<PaintFilter>();
            filter->onPaint = [&, v] {
                ++paintEvents;
                const qint64 now = realtimeUs();
                for (int line : awaitingPaint[size_t(v)])
                    times[size_t(v)][size_t(line - 1)].paintUs = now;
                awaitingPaint[size_t(v)].clear();
            };
            panes[v]->view()->viewport()->installEventFilter(filter.get());
            filters.push_back(std::move(filter));
        }
        QObject::connect(run, &Run::variationStateChanged, &app, [&, run](int v, VariationState s) {
            if (s != VariationState::Running || followers[size_t(v)])
                return;
            const QByteArray id = run->variation(v)->containerId().toLatin1();
            if (!id.isEmpty())
                followers[size_t(v)] = std::make_unique<CliFollower>(id);
        });
    };
    QTimer::singleShot(0, &window, [&] {
        auto *monitor = window.dockerMonitor();
        if (monitor->health() != DockerMonitor::Health::Unknown) {
            start();
            return;
        }
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = QObject::connect(
                monitor, &DockerMonitor::healthChanged, &window, [&, connection] {
                    QObject::disconnect(*connection);
                    start();
                });
    });
    const int code = QApplication::exec();
    Run *run = window.currentRun();
    if (code != 0 || !run)
        return fail(error.isEmpty() ? QStringLiteral("the run did not finish") : error);
    const double cpuMs = selfCpuMs() - cpu0;
    const double dockerdCpuMs
            = dockerd > 0 && dockerdCpu0 >= 0 ? processCpuMs(dockerd) - dockerdCpu0 : -1;
    const qint64 hwmKb = statusKb("VmHWM");
    maxRssKb = std::max(maxRssKb, statusKb("VmRSS"));

    QJsonObject result{
            {QLatin1String("start_mono_ms"), t0},
            {QLatin1String("launch_mono_ms"), launchMs},
            {QLatin1String("finished_mono_ms"), finishedMs},
            {QLatin1String("run_ms"), finishedMs - launchMs},
            {QLatin1String("max_stall_ms"), std::max(0.0, maxGap - probeMs)},
            {QLatin1String("launch_call_ms"), launchCallMs},
            {QLatin1String("longest_gaps"),
             [&longGaps] {
                 QJsonArray gaps;
                 for (const Gap &g : longGaps)
                     gaps.append(QJsonObject{{QLatin1String("gap_ms"), g.gap},
                                             {QLatin1String("ended_at_ms"), g.end},
                                             {QLatin1String("thread_cpu_ms"), g.threadCpu},
                                             {QLatin1String("run_queue_ms"), g.runQueue}});
                 return gaps;
             }()},
            {QLatin1String("probe_ms"), probeMs},
            {QLatin1String("probe_fires"), fires},
            {QLatin1String("vm_hwm_kb"), hwmKb},
            {QLatin1String("max_rss_kb"), maxRssKb},
            {QLatin1String("cpu_ms"), cpuMs},
            {QLatin1String("dockerd_cpu_ms"), dockerdCpuMs},
            {QLatin1String("run_dir"), run->directory()},
    };

    QJsonArray variations;
    QStringList errors;
    const QList<VariationPane *> panes = window.paneArea()->panes();
    for (int v = 0; v < run->variations().size(); ++v) {
        const VariationRunner *r = run->variation(v);
        QJsonObject o{{QLatin1String("name"), r->name()},
                      {QLatin1String("state"), stateName(r->state())},
                      {QLatin1String("exit_code"), r->exitCode()},
                      {QLatin1String("stdout_bytes"), r->bytes(StreamType::Stdout)},
                      {QLatin1String("stdout_lines"), r->lines(StreamType::Stdout)}};
        if (r->state() != VariationState::Exited || r->exitCode() != 0)
            errors << QStringLiteral("%1 ended %2 (exit %3) %4")
                              .arg(r->name(), stateName(r->state()))
                              .arg(r->exitCode())
                              .arg(r->error());
        if (v < panes.size()) {
            const TerminalBuffer *buffer = panes[v]->view()->buffer();
            o.insert(QLatin1String("pane_lines_seen"), buffer->totalLinesSeen());
            o.insert(QLatin1String("pane_lines_held"), qint64(buffer->lineCount()));
        }
        if (expectTemplate) {
            Expected expected = *expectTemplate;
            TranscriptReader reader;
            bool exact = false;
            QString why;
            if (const auto opened = reader.open(r->transcriptPath()); !opened) {
                why = opened.errorString();
            } else {
                TranscriptChunk chunk;
                bool same = true;
                while (same && reader.next(&chunk)) {
                    if (chunk.stream != StreamType::Stdout)
                        continue;
                    same = expected.match(chunk.data);
                }
                if (!same)
                    why = QStringLiteral("differs at byte %1").arg(expected.offset());
                else if (expected.offset() != expected.totalBytes())
                    why = QStringLiteral("has %1 bytes, expected %2")
                                  .arg(expected.offset())
                                  .arg(expected.totalBytes());
                else
                    exact = true;
            }
            // The pane saw every line (a line without newline counts once it is shown).
            const qint64 wantLines = expected.lines()
                                     + (expectText.startsWith(QLatin1String("longline"))
                                                        && !expectText.endsWith(QLatin1String(":1"))
                                                ? 1
                                                : 0);
            const qint64 seen
                    = v < panes.size() ? panes[v]->view()->buffer()->totalLinesSeen() : -1;
            const bool paneOk = seen == wantLines || seen == wantLines + 1;
            o.insert(QLatin1String("transcript_exact"), exact);
            if (!exact)
                errors << QStringLiteral("%1: transcript %2").arg(r->name(), why);
            if (!paneOk)
                errors << QStringLiteral("%1: the pane saw %2 lines, expected %3")
                                  .arg(r->name())
                                  .arg(seen)
                                  .arg(wantLines);
        }
        variations.append(o);
    }
    result.insert(QLatin1String("variations"), variations);

    if (latency) {
        std::vector<double> core, model, paint, cli, cliSame, modelSame, paintToModel;
        for (size_t v = 0; v < times.size(); ++v) {
            if (followers[v])
                followers[v]->join();
            const auto received = followers[v] ? followers[v]->received()
                                               : std::vector<std::pair<int, qint64>>();
            for (const auto &[line, at] : received) {
                if (line >= 1 && size_t(line) <= times[v].size())
                    times[v][size_t(line - 1)].cliUs = at;
            }
            // docker logs -f first prints what is already logged: only lines emitted after it
            // had started (plus 300 ms for the CLI to connect) count for it.
            const qint64 cliFrom = followers[v] ? followers[v]->startedUs() + 300000 : 0;
            for (const LineTimes &t : times[v]) {
                if (t.emitUs == 0)
                    continue;
                core.push_back((t.coreUs - t.emitUs) / 1e3);
                if (t.modelUs)
                    model.push_back((t.modelUs - t.emitUs) / 1e3);
                if (t.paintUs) {
                    paint.push_back((t.paintUs - t.emitUs) / 1e3);
                    paintToModel.push_back((t.paintUs - t.modelUs) / 1e3);
                }
                if (t.cliUs && t.emitUs >= cliFrom) {
                    cli.push_back((t.cliUs - t.emitUs) / 1e3);
                    if (t.modelUs)
                        modelSame.push_back((t.modelUs - t.emitUs) / 1e3);
                }
            }
        }
        result.insert(QLatin1String("latency_ms"),
                      QJsonObject{{QLatin1String("core"), percentiles(core)},
                                  {QLatin1String("model"), percentiles(model)},
                                  {QLatin1String("painted"), percentiles(paint)},
                                  {QLatin1String("model_to_painted"), percentiles(paintToModel)},
                                  {QLatin1String("docker_logs_f"), percentiles(cli)},
                                  {QLatin1String("model_same_lines"), percentiles(modelSame)}});
        result.insert(QLatin1String("paint_events"), paintEvents);
    }
    result.insert(QLatin1String("errors"), QJsonArray::fromStringList(errors));
    std::printf("RESULT %s\n", QJsonDocument(result).toJson(QJsonDocument::Compact).constData());
    std::fflush(stdout);
    return 0;
}

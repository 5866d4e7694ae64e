// parallax_bench: the benchmark harness of issue 6 (see docs/benchmarks.md).
//
// Every benchmark is a ratio measured in the same process, on the same machine, against the
// docker CLI as the reference: parallax and docker runs alternate (the order flips every pair)
// so that drift of a noisy machine hits both sides alike. Output: one table per benchmark on
// stdout, and bench-results.json in the working directory.
//
//   parallax_bench --parallax PATH [--docker PATH] [--image IMAGE] [--pairs N] [--quick]
//                  [--strict] [--list] [BENCHMARK...]
//
// Exit status: 0 every selected benchmark ran and its output was verified (a missed target is
// reported, and fails the run only with --strict); 1 a run failed or its output was wrong;
// 2 bad arguments.

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSysInfo>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>

#include <ctime>
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>

#ifndef PARALLAX_DEMO_IMAGE
#define PARALLAX_DEMO_IMAGE "parallax/demo-agent:" PARALLAX_VERSION
#endif

namespace {

QTextStream &out()
{
    static QTextStream s(stdout);
    return s;
}

struct Options
{
    QString parallax;
    QString docker = QStringLiteral("docker");
    QString image = QStringLiteral(PARALLAX_DEMO_IMAGE);
    QString windowBench;
    int pairs = 5;
    bool quick = false;
    bool strict = false;
    QStringList selected;
};

// One finished command: wall time, and the CPU time (user + system) of the process and its
// reaped children, taken from RUSAGE_CHILDREN around the run (the harness runs one at a time).
struct Sample
{
    double wallMs = 0;
    double cpuMs = 0;
    int exitCode = -1;
    bool ok = false;
    QString error;
};

double childCpuMs()
{
    rusage ru{};
    getrusage(RUSAGE_CHILDREN, &ru);
    auto ms = [](const timeval &tv) {
        return tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
    };
    return ms(ru.ru_utime) + ms(ru.ru_stime);
}

// Runs program with stdout to /dev/null and stderr kept (bounded) for the error message.
Sample
runTimed(const QString &program, const QStringList &args, int timeoutMs, const QString &stderrFile)
{
    QProcess p;
    p.setProgram(program);
    p.setArguments(args);
    p.setStandardOutputFile(QProcess::nullDevice());
    p.setStandardErrorFile(stderrFile);
    Sample s;
    const double cpu0 = childCpuMs();
    QElapsedTimer timer;
    timer.start();
    p.start();
    if (!p.waitForStarted(10000)) {
        s.error = QStringLiteral("%1 did not start: %2").arg(program, p.errorString());
        return s;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        s.error = QStringLiteral("%1 timed out after %2 ms").arg(program).arg(timeoutMs);
        return s;
    }
    s.wallMs = timer.nsecsElapsed() / 1e6;
    s.cpuMs = childCpuMs() - cpu0;
    s.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    s.ok = s.exitCode == 0;
    if (!s.ok) {
        QFile f(stderrFile);
        QByteArray tail;
        if (f.open(QIODevice::ReadOnly)) {
            if (f.size() > 2000)
                f.seek(f.size() - 2000);
            tail = f.readAll();
        }
        s.error = QStringLiteral("%1 exited with %2: %3")
                          .arg(program)
                          .arg(s.exitCode)
                          .arg(QString::fromUtf8(tail).trimmed());
    }
    return s;
}

QString runCapture(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    if (!p.waitForFinished(15000) || p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0)
        return QString();
    return QString::fromUtf8(p.readAllStandardOutput()).trimmed();
}

struct Stats
{
    double min = 0, median = 0, max = 0;
};

Stats stats(QList<double> v)
{
    Stats s;
    if (v.isEmpty())
        return s;
    std::sort(v.begin(), v.end());
    s.min = v.first();
    s.max = v.last();
    const qsizetype n = v.size();
    s.median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    return s;
}

QJsonObject statsJson(const Stats &s)
{
    return {{QLatin1String("min"), s.min},
            {QLatin1String("median"), s.median},
            {QLatin1String("max"), s.max}};
}

QJsonArray toJson(const QList<double> &v)
{
    QJsonArray a;
    for (double d : v)
        a.append(d);
    return a;
}

// ---- machine -------------------------------------------------------------------------------

QJsonObject machine(const Options &o)
{
    QString cpu;
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (cpuinfo.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : cpuinfo.readAll().split('\n')) {
            if (line.startsWith("model name")) {
                cpu = QString::fromUtf8(line.mid(line.indexOf(':') + 1)).trimmed();
                break;
            }
        }
    }
    qint64 memKb = 0;
    QFile meminfo(QStringLiteral("/proc/meminfo"));
    if (meminfo.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : meminfo.readAll().split('\n')) {
            if (line.startsWith("MemTotal:")) {
                memKb = line.mid(9).trimmed().split(' ').value(0).toLongLong();
                break;
            }
        }
    }
    const QString info = runCapture(
            o.docker,
            {QStringLiteral("info"),
             QStringLiteral("--format"),
             QStringLiteral(
                     "{{.ServerVersion}}|{{.Driver}}|{{.LoggingDriver}}|{{.CgroupVersion}}")});
    const QStringList parts = info.split(QLatin1Char('|'));
    const QString client = runCapture(o.docker,
                                      {QStringLiteral("version"),
                                       QStringLiteral("--format"),
                                       QStringLiteral("{{.Client.Version}}")});
    return {
            {QLatin1String("nproc"), QThread::idealThreadCount()},
            {QLatin1String("cpu"), cpu},
            {QLatin1String("memory_mib"), double(memKb / 1024)},
            {QLatin1String("kernel"), QSysInfo::kernelVersion()},
            {QLatin1String("os"), QSysInfo::prettyProductName()},
            {QLatin1String("dockerd_version"), parts.value(0)},
            {QLatin1String("storage_driver"), parts.value(1)},
            {QLatin1String("logging_driver"), parts.value(2)},
            {QLatin1String("cgroup_version"), parts.value(3)},
            {QLatin1String("docker_cli_version"), client},
            {QLatin1String("qt"), QString::fromLatin1(qVersion())},
            {QLatin1String("parallax"), QStringLiteral(PARALLAX_VERSION)},
    };
}

void printMachine(const QJsonObject &m)
{
    out() << "machine: " << m.value(QLatin1String("nproc")).toInt() << " CPU(s), "
          << m.value(QLatin1String("cpu")).toString() << ", "
          << qint64(m.value(QLatin1String("memory_mib")).toDouble()) << " MiB RAM, kernel "
          << m.value(QLatin1String("kernel")).toString() << "\n"
          << "docker:  dockerd " << m.value(QLatin1String("dockerd_version")).toString()
          << " (storage " << m.value(QLatin1String("storage_driver")).toString() << ", logging "
          << m.value(QLatin1String("logging_driver")).toString() << ", cgroup v"
          << m.value(QLatin1String("cgroup_version")).toString() << "), CLI "
          << m.value(QLatin1String("docker_cli_version")).toString() << "\n\n";
    out().flush();
}

// ---- pairs of parallax vs docker -----------------------------------------------------------

// One side of a pair: runs once, returns the sample; verify (optional) checks its output.
struct Side
{
    QString label;
    std::function<Sample(int index)> run;
};

struct PairResult
{
    QList<Sample> parallax, docker;
    QList<Sample> reference; // the optional third side, run after each pair
    QStringList errors;
};

// Warm-up (one of each, not counted), then `pairs` pairs; the order flips every pair. A
// `reference` side (for information, not a target) runs after each pair and in the warm-up.
PairResult runPairs(int pairs, const Side &px, const Side &dk, const Side *reference = nullptr)
{
    PairResult r;
    auto once = [&](const Side &side, int index, QList<Sample> *into) {
        Sample s = side.run(index);
        out() << "  "
              << (index < 0 ? QStringLiteral("warm-up") : QStringLiteral("pair %1").arg(index + 1))
              << "  " << side.label.leftJustified(8) << ' '
              << (s.ok ? QStringLiteral("%1 ms").arg(s.wallMs, 9, 'f', 1)
                       : QStringLiteral("FAILED: ") + s.error)
              << '\n';
        out().flush();
        if (!s.ok)
            r.errors << QStringLiteral("%1 run %2: %3").arg(side.label).arg(index + 1).arg(s.error);
        else if (into)
            into->append(s);
    };
    once(px, -1, nullptr);
    once(dk, -1, nullptr);
    if (reference)
        once(*reference, -1, nullptr);
    for (int i = 0; i < pairs; ++i) {
        if (i % 2 == 0) {
            once(px, i, &r.parallax);
            once(dk, i, &r.docker);
        } else {
            once(dk, i, &r.docker);
            once(px, i, &r.parallax);
        }
        if (reference)
            once(*reference, i, &r.reference);
    }
    return r;
}

QList<double> walls(const QList<Sample> &s)
{
    QList<double> v;
    for (const Sample &x : s)
        v << x.wallMs;
    return v;
}

QList<double> cpus(const QList<Sample> &s)
{
    QList<double> v;
    for (const Sample &x : s)
        v << x.cpuMs;
    return v;
}

// The table and the JSON of a benchmark measured as pairs.
QJsonObject report(const QString &name,
                   const QString &what,
                   double target,
                   const PairResult &r,
                   const QJsonObject &extra,
                   const QStringList &verifyErrors,
                   bool *targetMet)
{
    const Stats p = stats(walls(r.parallax)), d = stats(walls(r.docker));
    const Stats pc = stats(cpus(r.parallax)), dc = stats(cpus(r.docker));
    QList<double> ratios;
    for (qsizetype i = 0; i < std::min(r.parallax.size(), r.docker.size()); ++i)
        ratios << r.parallax[i].wallMs / r.docker[i].wallMs;
    const Stats q = stats(ratios);
    const bool complete = r.errors.isEmpty() && verifyErrors.isEmpty() && !ratios.isEmpty();
    *targetMet = complete && q.median <= target;

    out() << "\n" << name << " — " << what << "\n";
    out() << QStringLiteral("  %1 %2 %3 %4   %5\n")
                     .arg(QString(), -22)
                     .arg(QStringLiteral("min"), 10)
                     .arg(QStringLiteral("median"), 10)
                     .arg(QStringLiteral("max"), 10)
                     .arg(QStringLiteral("CPU median"));
    auto row = [](const QString &label, const Stats &s, const QString &unit, const QString &cpu) {
        out() << QStringLiteral("  %1 %2 %3 %4   %5\n")
                         .arg(label, -22)
                         .arg(QString::number(s.min, 'f', unit == QLatin1String("ms") ? 1 : 3)
                                      + QLatin1Char(' ') + unit,
                              10)
                         .arg(QString::number(s.median, 'f', unit == QLatin1String("ms") ? 1 : 3)
                                      + QLatin1Char(' ') + unit,
                              10)
                         .arg(QString::number(s.max, 'f', unit == QLatin1String("ms") ? 1 : 3)
                                      + QLatin1Char(' ') + unit,
                              10)
                         .arg(cpu);
    };
    row(QStringLiteral("parallax wall"),
        p,
        QStringLiteral("ms"),
        QStringLiteral("%1 ms").arg(pc.median, 0, 'f', 1));
    row(QStringLiteral("docker wall"),
        d,
        QStringLiteral("ms"),
        QStringLiteral("%1 ms").arg(dc.median, 0, 'f', 1));
    row(QStringLiteral("ratio parallax/docker"), q, QStringLiteral("×"), QString());
    out() << QStringLiteral("  ratio of medians %1; target: median pair ratio ≤ %2 → %3\n")
                     .arg(d.median > 0 ? p.median / d.median : 0, 0, 'f', 3)
                     .arg(target, 0, 'f', 2)
                     .arg(!complete    ? QStringLiteral("INCOMPLETE")
                          : *targetMet ? QStringLiteral("met")
                                       : QStringLiteral("MISSED"));
    for (const QString &e : r.errors + verifyErrors)
        out() << "  error: " << e << '\n';
    out().flush();

    QJsonObject o{
            {QLatin1String("name"), name},
            {QLatin1String("what"), what},
            {QLatin1String("pairs"), int(ratios.size())},
            {QLatin1String("parallax_wall_ms"), statsJson(p)},
            {QLatin1String("docker_wall_ms"), statsJson(d)},
            {QLatin1String("parallax_cpu_ms"), statsJson(pc)},
            {QLatin1String("docker_cli_cpu_ms"), statsJson(dc)},
            {QLatin1String("ratio"), statsJson(q)},
            {QLatin1String("ratio_of_medians"), d.median > 0 ? p.median / d.median : 0},
            {QLatin1String("target_median_ratio_max"), target},
            {QLatin1String("target_met"), *targetMet},
            {QLatin1String("complete"), complete},
            {QLatin1String("samples"),
             QJsonObject{{QLatin1String("parallax_wall_ms"), toJson(walls(r.parallax))},
                         {QLatin1String("docker_wall_ms"), toJson(walls(r.docker))},
                         {QLatin1String("parallax_cpu_ms"), toJson(cpus(r.parallax))},
                         {QLatin1String("docker_cli_cpu_ms"), toJson(cpus(r.docker))},
                         {QLatin1String("ratio"), toJson(ratios)}}},
            {QLatin1String("errors"), QJsonArray::fromStringList(r.errors + verifyErrors)},
    };
    for (auto it = extra.begin(); it != extra.end(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

// The reference side of runPairs() (for information): its wall times and CLI CPU, and the
// per-pair ratio parallax/reference.
QJsonObject reportReference(const PairResult &r)
{
    const Stats w = stats(walls(r.reference)), cpu = stats(cpus(r.reference));
    QList<double> ratios;
    for (qsizetype i = 0; i < std::min(r.parallax.size(), r.reference.size()); ++i)
        ratios << r.parallax[i].wallMs / r.reference[i].wallMs;
    const Stats q = stats(ratios);
    out() << QStringLiteral("  like for like, docker run --log-driver=local (no rotation, as "
                            "Parallax sets it):\n"
                            "    wall %1 / %2 / %3 ms, CLI CPU median %4 ms; parallax/it: "
                            "median pair ratio %5 (%6–%7), no target\n")
                     .arg(w.min, 0, 'f', 1)
                     .arg(w.median, 0, 'f', 1)
                     .arg(w.max, 0, 'f', 1)
                     .arg(cpu.median, 0, 'f', 1)
                     .arg(q.median, 0, 'f', 3)
                     .arg(q.min, 0, 'f', 3)
                     .arg(q.max, 0, 'f', 3);
    out().flush();
    return QJsonObject{{QLatin1String("wall_ms"), statsJson(w)},
                       {QLatin1String("cli_cpu_ms"), statsJson(cpu)},
                       {QLatin1String("ratio"), statsJson(q)},
                       {QLatin1String("samples"), toJson(walls(r.reference))}};
}

bool writeJson(const QString &path, const QJsonObject &o)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate)
           && f.write(QJsonDocument(o).toJson()) > 0;
}

QStringList dockerEnvArgs(const QJsonObject &env)
{
    QStringList a;
    for (auto it = env.begin(); it != env.end(); ++it)
        a << QStringLiteral("-e") << it.key() + QLatin1Char('=') + it.value().toString();
    return a;
}

// The first variation's record in run.json.
std::optional<QJsonObject> variationRecord(const QString &runDir, QString *error)
{
    QFile f(runDir + QStringLiteral("/run.json"));
    if (!f.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("no run.json in %1").arg(runDir);
        return std::nullopt;
    }
    const QJsonObject run = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonArray vs = run.value(QLatin1String("variations")).toArray();
    if (vs.isEmpty()) {
        *error = QStringLiteral("run.json in %1 lists no variation").arg(runDir);
        return std::nullopt;
    }
    return vs.first().toObject();
}

// ---- the benchmarks ------------------------------------------------------------------------

struct Context
{
    Options opt;
    QTemporaryDir tmp;
};

// 1. Headless throughput: a flood through `parallax run` vs `docker run`, stdout to /dev/null.
QJsonObject benchFlood(Context &c, bool *met, const QString &name, qint64 lines, int lineBytes)
{
    const QJsonObject env{{QLatin1String("DEMO_MODE"), QLatin1String("flood")},
                          {QLatin1String("DEMO_LINES"), QString::number(lines)},
                          {QLatin1String("DEMO_LINE_BYTES"), QString::number(lineBytes)}};
    const QString spec = c.tmp.filePath(QStringLiteral("throughput.json"));
    writeJson(spec,
              {{QLatin1String("name"), QLatin1String("bench-throughput")},
               {QLatin1String("image"), c.opt.image},
               {QLatin1String("env"), env}});
    const QString what = QStringLiteral("flood of %1 lines × %2 B (%3 MB), stdout to /dev/null")
                                 .arg(lines)
                                 .arg(lineBytes)
                                 .arg(lines * lineBytes / 1e6, 0, 'f', 0);
    out() << "== throughput: " << what << "\n";
    out().flush();

    QStringList verifyErrors;
    QJsonArray transcripts;
    const int timeoutMs = 300000;
    Side px{QStringLiteral("parallax"), [&](int index) {
                const QString dir
                        = c.tmp.filePath(QStringLiteral("throughput-run-%1").arg(index + 1));
                Sample s = runTimed(c.opt.parallax,
                                    {QStringLiteral("run"), spec, QStringLiteral("--out"), dir},
                                    timeoutMs,
                                    c.tmp.filePath(QStringLiteral("parallax.stderr")));
                if (s.ok) {
                    QString error;
                    const auto rec = variationRecord(dir, &error);
                    if (!rec) {
                        verifyErrors << error;
                    } else {
                        const qint64 gotLines
                                = rec->value(QLatin1String("stdout_lines")).toInteger();
                        const qint64 gotBytes
                                = rec->value(QLatin1String("stdout_bytes")).toInteger();
                        const qint64 jsonl
                                = QFileInfo(dir + QLatin1Char('/')
                                            + rec->value(QLatin1String("transcript")).toString())
                                          .size();
                        transcripts.append(
                                QJsonObject{{QLatin1String("run"),
                                             index < 0 ? QJsonValue(QLatin1String("warm-up"))
                                                       : QJsonValue(index + 1)},
                                            {QLatin1String("stdout_lines"), gotLines},
                                            {QLatin1String("stdout_bytes"), gotBytes},
                                            {QLatin1String("jsonl_bytes"), jsonl}});
                        if (gotLines != lines || gotBytes != lines * lineBytes)
                            verifyErrors << QStringLiteral("run %1: transcript has %2 lines / %3 "
                                                           "bytes, expected %4 / %5")
                                                    .arg(index + 1)
                                                    .arg(gotLines)
                                                    .arg(gotBytes)
                                                    .arg(lines)
                                                    .arg(lines * lineBytes);
                    }
                }
                QDir(dir).removeRecursively(); // ~160 MB per run: never keep more than one
                return s;
            }};
    Side dk{QStringLiteral("docker"), [&](int) {
                return runTimed(c.opt.docker,
                                QStringList{QStringLiteral("run"), QStringLiteral("--rm")}
                                        + dockerEnvArgs(env) + QStringList{c.opt.image},
                                timeoutMs,
                                c.tmp.filePath(QStringLiteral("docker.stderr")));
            }};
    // Like for like: `docker run` with the log settings Parallax gives its containers on
    // Docker (the `local` driver, never rotated). Not a target: it tells how much of the
    // ratio above is dockerd logging less, and how much is the client.
    Side sameLog{QStringLiteral("docker-local"), [&](int) {
                     return runTimed(c.opt.docker,
                                     QStringList{QStringLiteral("run"),
                                                 QStringLiteral("--rm"),
                                                 QStringLiteral("--log-driver=local"),
                                                 QStringLiteral("--log-opt=max-size=1t"),
                                                 QStringLiteral("--log-opt=compress=false")}
                                             + dockerEnvArgs(env) + QStringList{c.opt.image},
                                     timeoutMs,
                                     c.tmp.filePath(QStringLiteral("docker.stderr")));
                 }};
    const PairResult r = runPairs(c.opt.pairs, px, dk, &sameLog);
    QJsonObject extra{{QLatin1String("lines"), lines},
                      {QLatin1String("line_bytes"), lineBytes},
                      {QLatin1String("transcripts"), transcripts}};
    QJsonObject result = report(name, what, 1.0, r, extra, verifyErrors, met);
    result.insert(QLatin1String("same_log_driver"), reportReference(r));
    return result;
}

QJsonObject benchThroughput(Context &c, bool *met)
{
    return benchFlood(c, met, QStringLiteral("throughput"), c.opt.quick ? 100000 : 1000000, 80);
}

// 1b. The same with 4 KiB lines: 51,200 × 4096 B = 200 MiB (quick: 20 MiB).
QJsonObject benchThroughput4k(Context &c, bool *met)
{
    return benchFlood(c, met, QStringLiteral("throughput-4k"), c.opt.quick ? 5120 : 51200, 4096);
}

// 7b. Start-up: a variation that prints nothing, `parallax run` vs `docker run --rm IMAGE true`.
QJsonObject benchStartup(Context &c, bool *met)
{
    const QString spec = c.tmp.filePath(QStringLiteral("startup.json"));
    writeJson(spec,
              {{QLatin1String("name"), QLatin1String("bench-startup")},
               {QLatin1String("image"), c.opt.image},
               {QLatin1String("command"), QJsonArray{QLatin1String("true")}}});
    const QString what = QStringLiteral("a variation that prints nothing (command: true)");
    out() << "== startup: " << what << "\n";
    out().flush();
    QStringList verifyErrors;
    Side px{QStringLiteral("parallax"), [&](int index) {
                const QString dir = c.tmp.filePath(QStringLiteral("startup-run-%1").arg(index + 1));
                Sample s = runTimed(c.opt.parallax,
                                    {QStringLiteral("run"), spec, QStringLiteral("--out"), dir},
                                    60000,
                                    c.tmp.filePath(QStringLiteral("parallax.stderr")));
                if (s.ok) {
                    QString error;
                    const auto rec = variationRecord(dir, &error);
                    if (!rec)
                        verifyErrors << error;
                    else if (rec->value(QLatin1String("stdout_bytes")).toInteger() != 0
                             || rec->value(QLatin1String("exit_code")).toInt(-1) != 0)
                        verifyErrors << QStringLiteral("run %1: expected no output and exit code 0")
                                                .arg(index + 1);
                }
                QDir(dir).removeRecursively();
                return s;
            }};
    Side dk{QStringLiteral("docker"), [&](int) {
                return runTimed(c.opt.docker,
                                {QStringLiteral("run"),
                                 QStringLiteral("--rm"),
                                 c.opt.image,
                                 QStringLiteral("true")},
                                60000,
                                c.tmp.filePath(QStringLiteral("docker.stderr")));
            }};
    const PairResult r = runPairs(c.opt.pairs, px, dk);
    return report(QStringLiteral("startup"), what, 1.1, r, {}, verifyErrors, met);
}

// ---- the window benchmarks (parallax_window_bench as a child process) -----------------------

double monotonicMs()
{
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

double load1()
{
    QFile f(QStringLiteral("/proc/loadavg"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    return f.readAll().split(' ').value(0).toDouble();
}

// A spec file for the demo agent: DEMO_* settings and a number of variations.
QString writeSpec(Context &c, const QString &name, const QJsonObject &env, int variations = 1)
{
    const QString path = c.tmp.filePath(name + QStringLiteral(".json"));
    QJsonObject spec{{QLatin1String("name"), QStringLiteral("bench-") + name},
                     {QLatin1String("image"), c.opt.image},
                     {QLatin1String("env"), env}};
    if (variations > 1)
        spec.insert(QLatin1String("variations"), variations);
    writeJson(path, spec);
    return path;
}

// The environment of a window child: its own settings, history and runs folder.
QProcessEnvironment childEnvironment(Context &c)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    const QString home = c.tmp.filePath(QStringLiteral("xdg"));
    QDir().mkpath(home);
    env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/data"));
    env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/config"));
    env.insert(QStringLiteral("XDG_CACHE_HOME"), home + QStringLiteral("/cache"));
    if (!env.contains(QStringLiteral("QT_QPA_PLATFORM")))
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    return env;
}

struct WindowRun
{
    Sample sample;      // wall: from our start of the process to its Run::finished
    QJsonObject result; // what the child printed
};

WindowRun runWindow(Context &c, const QString &spec, const QStringList &extra, int timeoutMs)
{
    WindowRun w;
    QProcess p;
    p.setProcessEnvironment(childEnvironment(c));
    p.setProgram(c.opt.windowBench);
    p.setArguments(QStringList{spec} + extra);
    p.setStandardErrorFile(c.tmp.filePath(QStringLiteral("window.stderr")));
    const double started = monotonicMs();
    p.start();
    if (!p.waitForStarted(10000)) {
        w.sample.error
                = QStringLiteral("%1 did not start: %2").arg(c.opt.windowBench, p.errorString());
        return w;
    }
    if (!p.waitForFinished(timeoutMs)) {
        p.kill();
        p.waitForFinished(5000);
        w.sample.error
                = QStringLiteral("the window run timed out after %1 s").arg(timeoutMs / 1000);
        return w;
    }
    const QList<QByteArray> lines = p.readAllStandardOutput().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("RESULT "))
            w.result = QJsonDocument::fromJson(line.mid(7)).object();
    }
    if (p.exitStatus() != QProcess::NormalExit || p.exitCode() != 0 || w.result.isEmpty()) {
        QFile f(c.tmp.filePath(QStringLiteral("window.stderr")));
        QByteArray tail;
        if (f.open(QIODevice::ReadOnly)) {
            if (f.size() > 2000)
                f.seek(f.size() - 2000);
            tail = f.readAll();
        }
        w.sample.error = QStringLiteral("the window run failed (exit %1): %2")
                                 .arg(p.exitCode())
                                 .arg(QString::fromUtf8(tail).trimmed());
        return w;
    }
    w.sample.wallMs = w.result.value(QLatin1String("finished_mono_ms")).toDouble() - started;
    w.sample.cpuMs = w.result.value(QLatin1String("cpu_ms")).toDouble();
    w.sample.exitCode = 0;
    w.sample.ok = true;
    QDir(w.result.value(QLatin1String("run_dir")).toString()).removeRecursively();
    return w;
}

QStringList resultErrors(const QJsonObject &r)
{
    QStringList e;
    for (const QJsonValue &v : r.value(QLatin1String("errors")).toArray())
        e << v.toString();
    return e;
}

// One target of a measured (not paired) benchmark.
struct Target
{
    QString text;
    double value = 0;
    double limit = 0;
    QString unit;
    bool met() const { return value <= limit; }
};

QJsonObject reportTargets(const QString &name,
                          const QString &what,
                          const QList<QPair<QString, Stats>> &rows,
                          const QString &unit,
                          const QList<Target> &targets,
                          const QStringList &errors,
                          QJsonObject extra,
                          bool *met)
{
    out() << "\n"
          << name << " — " << what << "  (load " << QString::number(load1(), 'f', 2) << ")\n";
    out() << QStringLiteral("  %1 %2 %3 %4\n")
                     .arg(QString(), -34)
                     .arg(QStringLiteral("min"), 12)
                     .arg(QStringLiteral("median"), 12)
                     .arg(QStringLiteral("max"), 12);
    QJsonObject rowsJson;
    for (const auto &[label, s] : rows) {
        out() << QStringLiteral("  %1 %2 %3 %4\n")
                         .arg(label, -34)
                         .arg(QString::number(s.min, 'f', 2) + QLatin1Char(' ') + unit, 12)
                         .arg(QString::number(s.median, 'f', 2) + QLatin1Char(' ') + unit, 12)
                         .arg(QString::number(s.max, 'f', 2) + QLatin1Char(' ') + unit, 12);
        rowsJson.insert(label, statsJson(s));
    }
    const bool complete = errors.isEmpty();
    bool all = complete;
    QJsonArray targetsJson;
    QStringList headline;
    for (const Target &t : targets) {
        all = all && t.met();
        out() << QStringLiteral("  target: %1: %2 %3 ≤ %4 %3 → %5\n")
                         .arg(t.text)
                         .arg(t.value, 0, 'f', 3)
                         .arg(t.unit)
                         .arg(t.limit, 0, 'f', 3)
                         .arg(!complete ? QStringLiteral("INCOMPLETE")
                              : t.met() ? QStringLiteral("met")
                                        : QStringLiteral("MISSED"));
        targetsJson.append(QJsonObject{{QLatin1String("target"), t.text},
                                       {QLatin1String("value"), t.value},
                                       {QLatin1String("limit"), t.limit},
                                       {QLatin1String("unit"), t.unit},
                                       {QLatin1String("met"), t.met()}});
        headline << QString::number(t.value, 'f', t.unit == QLatin1String("×") ? 3 : 1) + t.unit;
    }
    for (const QString &e : errors)
        out() << "  error: " << e << '\n';
    out().flush();
    *met = all;
    extra.insert(QLatin1String("name"), name);
    extra.insert(QLatin1String("what"), what);
    extra.insert(QLatin1String("load1"), load1());
    extra.insert(QLatin1String("rows"), rowsJson);
    extra.insert(QLatin1String("targets"), targetsJson);
    extra.insert(QLatin1String("target_met"), all);
    extra.insert(QLatin1String("complete"), complete);
    extra.insert(QLatin1String("headline"), headline.join(QLatin1Char('/')));
    extra.insert(QLatin1String("errors"), QJsonArray::fromStringList(errors));
    return extra;
}

Stats one(double v)
{
    return Stats{v, v, v};
}

// 2. Throughput in the window: the flood shown in a pane, vs docker run of it.
QJsonObject benchWindow(Context &c, bool *met)
{
    const qint64 lines = c.opt.quick ? 100000 : 1000000;
    const QJsonObject env{{QLatin1String("DEMO_MODE"), QLatin1String("flood")},
                          {QLatin1String("DEMO_LINES"), QString::number(lines)},
                          {QLatin1String("DEMO_LINE_BYTES"), QLatin1String("80")}};
    const QString spec = writeSpec(c, QStringLiteral("window"), env);
    const QString what
            = QStringLiteral("flood of %1 lines × 80 B in one pane (offscreen) vs docker "
                             "run to /dev/null")
                      .arg(lines);
    out() << "== window: " << what << "\n";
    out().flush();
    QStringList verifyErrors;
    QJsonArray children;
    Side px{QStringLiteral("window"), [&](int) {
                const WindowRun w = runWindow(
                        c,
                        spec,
                        {QStringLiteral("--expect"), QStringLiteral("flood:%1:80").arg(lines)},
                        600000);
                verifyErrors << resultErrors(w.result);
                w.result.isEmpty() ? void() : children.append(w.result);
                return w.sample;
            }};
    Side dk{QStringLiteral("docker"), [&](int) {
                return runTimed(c.opt.docker,
                                QStringList{QStringLiteral("run"), QStringLiteral("--rm")}
                                        + dockerEnvArgs(env) + QStringList{c.opt.image},
                                600000,
                                c.tmp.filePath(QStringLiteral("docker.stderr")));
            }};
    const PairResult r = runPairs(c.opt.pairs, px, dk);
    QList<double> stalls;
    for (const QJsonValue &v : children)
        stalls << v.toObject().value(QLatin1String("max_stall_ms")).toDouble();
    const Stats st = stats(stalls);
    out() << QStringLiteral("  window: longest event-loop stall median %1 ms (max %2 ms)\n")
                     .arg(st.median, 0, 'f', 1)
                     .arg(st.max, 0, 'f', 1);
    return report(QStringLiteral("window"),
                  what,
                  1.1,
                  r,
                  {{QLatin1String("lines"), lines},
                   {QLatin1String("max_stall_ms"), statsJson(st)},
                   {QLatin1String("children"), children}},
                  verifyErrors,
                  met);
}

// 3. Latency: DEMO_MODE=clock, one line every 10 ms carrying its emit time.
QJsonObject benchLatency(Context &c, bool *met)
{
    const int lines = c.opt.quick ? 300 : 1500;
    const QJsonObject env{{QLatin1String("DEMO_MODE"), QLatin1String("clock")},
                          {QLatin1String("DEMO_LINES"), QString::number(lines)},
                          {QLatin1String("DEMO_INTERVAL"), QLatin1String("0.01")}};
    const QString spec = writeSpec(c, QStringLiteral("latency"), env);
    const QString what
            = QStringLiteral("%1 clock lines, one per 10 ms, emit → core / model / painted in the "
                             "window vs emit → docker logs -f")
                      .arg(lines);
    out() << "== latency: " << what << "\n";
    out().flush();
    const WindowRun w = runWindow(c, spec, {QStringLiteral("--latency")}, 600000);
    QStringList errors = resultErrors(w.result);
    if (!w.sample.ok)
        errors << w.sample.error;
    const QJsonObject l = w.result.value(QLatin1String("latency_ms")).toObject();
    auto row = [&](const char *key) {
        const QJsonObject o = l.value(QLatin1String(key)).toObject();
        return Stats{o.value(QLatin1String("min")).toDouble(),
                     o.value(QLatin1String("median")).toDouble(),
                     o.value(QLatin1String("max")).toDouble()};
    };
    auto p99 = [&](const char *key) {
        return l.value(QLatin1String(key)).toObject().value(QLatin1String("p99")).toDouble();
    };
    auto n = [&](const char *key) {
        return l.value(QLatin1String(key)).toObject().value(QLatin1String("n")).toInt();
    };
    if (w.sample.ok && (n("model") < lines * 9 / 10 || n("docker_logs_f") < lines / 2))
        errors << QStringLiteral("too few lines measured: %1 in the model, %2 from docker logs -f")
                          .arg(n("model"))
                          .arg(n("docker_logs_f"));
    const QList<QPair<QString, Stats>> rows{
            {QStringLiteral("emit → core (Run::outputReceived)"), row("core")},
            {QStringLiteral("emit → pane model"), row("model")},
            {QStringLiteral("emit → painted"), row("painted")},
            {QStringLiteral("model → painted"), row("model_to_painted")},
            {QStringLiteral("emit → docker logs -f"), row("docker_logs_f")},
    };
    out() << QStringLiteral("  p99: core %1 ms, model %2 ms, painted %3 ms, model→painted %4 ms, "
                            "docker logs -f %5 ms\n")
                     .arg(p99("core"), 0, 'f', 2)
                     .arg(p99("model"), 0, 'f', 2)
                     .arg(p99("painted"), 0, 'f', 2)
                     .arg(p99("model_to_painted"), 0, 'f', 2)
                     .arg(p99("docker_logs_f"), 0, 'f', 2);
    const QList<Target> targets{
            {QStringLiteral("p99 emit→model minus p99 emit→docker logs -f (same lines)"),
             p99("model_same_lines") - p99("docker_logs_f"),
             1.0,
             QStringLiteral("ms")},
            {QStringLiteral("p99 model→painted"),
             p99("model_to_painted"),
             16.0,
             QStringLiteral("ms")},
    };
    return reportTargets(QStringLiteral("latency"),
                         what,
                         rows,
                         QStringLiteral("ms"),
                         targets,
                         errors,
                         {{QLatin1String("child"), w.result}},
                         met);
}

// 4. Scale: 32 variations × 2,000 lines/s × 30 s in the window.
QJsonObject benchScale(Context &c, bool *met)
{
    const int variations = 32, rate = 2000, seconds = c.opt.quick ? 8 : 30;
    const QJsonObject env{{QLatin1String("DEMO_MODE"), QLatin1String("rate")},
                          {QLatin1String("DEMO_RATE"), QString::number(rate)},
                          {QLatin1String("DEMO_SECONDS"), QString::number(seconds)},
                          {QLatin1String("DEMO_LINE_BYTES"), QLatin1String("80")}};
    const QString spec = writeSpec(c, QStringLiteral("scale"), env, variations);
    const QString what
            = QStringLiteral("%1 variations × %2 lines/s × %3 s (80 B lines) in the window")
                      .arg(variations)
                      .arg(rate)
                      .arg(seconds);
    out() << "== scale: " << what << "\n";
    out().flush();
    const WindowRun w = runWindow(
            c,
            spec,
            {QStringLiteral("--expect"), QStringLiteral("flood:%1:80").arg(qint64(rate) * seconds)},
            900000);
    QStringList errors = resultErrors(w.result);
    if (!w.sample.ok)
        errors << w.sample.error;
    const double stall = w.result.value(QLatin1String("max_stall_ms")).toDouble();
    // How much of each long gap the GUI thread spent running: on a loaded machine a gap can be
    // a wait for a core rather than work of ours.
    for (const QJsonValue &gap : w.result.value(QLatin1String("longest_gaps")).toArray()) {
        const QJsonObject g = gap.toObject();
        out() << QStringLiteral("  gap %1 ms at %2 s after launch: the GUI thread ran %3 ms of it "
                                "and waited %4 ms for a core\n")
                         .arg(g.value(QLatin1String("gap_ms")).toDouble(), 0, 'f', 1)
                         .arg(g.value(QLatin1String("ended_at_ms")).toDouble() / 1000, 0, 'f', 2)
                         .arg(g.value(QLatin1String("thread_cpu_ms")).toDouble(), 0, 'f', 1)
                         .arg(g.value(QLatin1String("run_queue_ms")).toDouble(), 0, 'f', 1);
    }
    const double rssMb = w.result.value(QLatin1String("vm_hwm_kb")).toDouble() / 1024;
    const double cpu = w.result.value(QLatin1String("cpu_ms")).toDouble();
    const double dcpu = w.result.value(QLatin1String("dockerd_cpu_ms")).toDouble();
    const double runMs = w.result.value(QLatin1String("run_ms")).toDouble();
    out() << QStringLiteral("  run %1 s; CPU: app %2 s, dockerd %3 s; peak RSS %4 MB; longest "
                            "stall %5 ms\n")
                     .arg(runMs / 1000, 0, 'f', 1)
                     .arg(cpu / 1000, 0, 'f', 1)
                     .arg(dcpu / 1000, 0, 'f', 1)
                     .arg(rssMb, 0, 'f', 1)
                     .arg(stall, 0, 'f', 1);
    const QList<QPair<QString, Stats>> rows{
            {QStringLiteral("run (launch → all finished)"), one(runMs)},
            {QStringLiteral("app CPU"), one(cpu)},
            {QStringLiteral("dockerd CPU"), one(dcpu)},
    };
    const QList<Target> targets{
            {QStringLiteral("longest event-loop stall"), stall, 50, QStringLiteral("ms")},
            {QStringLiteral("peak RSS (VmHWM)"), rssMb, 300, QStringLiteral("MB")},
    };
    return reportTargets(QStringLiteral("scale"),
                         what,
                         rows,
                         QStringLiteral("ms"),
                         targets,
                         errors,
                         {{QLatin1String("app_cpu_ms"), cpu},
                          {QLatin1String("dockerd_cpu_ms"), dcpu},
                          {QLatin1String("child"), w.result}},
                         met);
}

// Runs a command with fork/exec and wait4, for that one child's peak RSS.
Sample runWait4(const QString &program, const QStringList &args, qint64 *maxRssKb)
{
    Sample s;
    QList<QByteArray> argv8{program.toLocal8Bit()};
    for (const QString &a : args)
        argv8 << a.toLocal8Bit();
    std::vector<char *> argv;
    for (QByteArray &a : argv8)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const double t0 = monotonicMs();
    const int rc = posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        s.error = QStringLiteral("cannot start %1").arg(program);
        return s;
    }
    int status = 0;
    rusage ru{};
    while (wait4(pid, &status, 0, &ru) < 0 && errno == EINTR) {
    }
    s.wallMs = monotonicMs() - t0;
    s.cpuMs = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
              + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
    *maxRssKb = ru.ru_maxrss;
    s.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    s.ok = s.exitCode == 0;
    if (!s.ok)
        s.error = QStringLiteral("%1 exited with %2").arg(program).arg(s.exitCode);
    return s;
}

// 5. Flat memory: peak RSS with 10 M lines vs 1 M lines, in a pane and through parallax run.
QJsonObject benchMemory(Context &c, bool *met)
{
    const qint64 small = c.opt.quick ? 100000 : 1000000, big = small * 10;
    const QString what = QStringLiteral("peak RSS at %1 vs %2 lines × 80 B: one pane, parallax run")
                                 .arg(big)
                                 .arg(small);
    out() << "== memory: " << what << "\n";
    out().flush();
    QStringList errors;
    QJsonObject sizes;
    double window[2] = {0, 0}, cli[2] = {0, 0};
    for (int i = 0; i < 2; ++i) {
        const qint64 lines = i == 0 ? small : big;
        const QJsonObject env{{QLatin1String("DEMO_MODE"), QLatin1String("flood")},
                              {QLatin1String("DEMO_LINES"), QString::number(lines)},
                              {QLatin1String("DEMO_LINE_BYTES"), QLatin1String("80")}};
        const QString spec = writeSpec(c, QStringLiteral("memory-%1").arg(lines), env);
        const WindowRun w
                = runWindow(c,
                            spec,
                            {QStringLiteral("--expect"), QStringLiteral("flood:%1:80").arg(lines)},
                            1800000);
        errors << resultErrors(w.result);
        if (!w.sample.ok)
            errors << w.sample.error;
        window[i] = w.result.value(QLatin1String("vm_hwm_kb")).toDouble() / 1024;
        out() << QStringLiteral("  pane, %1 lines: peak RSS %2 MB (%3 s)\n")
                         .arg(lines)
                         .arg(window[i], 0, 'f', 1)
                         .arg(w.sample.wallMs / 1000, 0, 'f', 1);
        out().flush();
        const QString dir = c.tmp.filePath(QStringLiteral("memory-run-%1").arg(lines));
        qint64 rss = 0;
        const Sample s = runWait4(
                c.opt.parallax, {QStringLiteral("run"), spec, QStringLiteral("--out"), dir}, &rss);
        if (!s.ok) {
            errors << s.error;
        } else {
            QString error;
            const auto rec = variationRecord(dir, &error);
            if (!rec)
                errors << error;
            else if (rec->value(QLatin1String("stdout_lines")).toInteger() != lines)
                errors << QStringLiteral("parallax run of %1 lines recorded %2")
                                  .arg(lines)
                                  .arg(rec->value(QLatin1String("stdout_lines")).toInteger());
        }
        QDir(dir).removeRecursively();
        cli[i] = rss / 1024.0;
        out() << QStringLiteral("  parallax run, %1 lines: peak RSS %2 MB (%3 s)\n")
                         .arg(lines)
                         .arg(cli[i], 0, 'f', 1)
                         .arg(s.wallMs / 1000, 0, 'f', 1);
        out().flush();
        sizes.insert(QString::number(lines),
                     QJsonObject{{QLatin1String("pane_peak_rss_mb"), window[i]},
                                 {QLatin1String("run_peak_rss_mb"), cli[i]}});
    }
    const QList<QPair<QString, Stats>> rows{
            {QStringLiteral("pane peak RSS, %1 lines").arg(small), one(window[0])},
            {QStringLiteral("pane peak RSS, %1 lines").arg(big), one(window[1])},
            {QStringLiteral("parallax run peak RSS, %1 lines").arg(small), one(cli[0])},
            {QStringLiteral("parallax run peak RSS, %1 lines").arg(big), one(cli[1])},
    };
    const QList<Target> targets{
            {QStringLiteral("pane peak RSS ratio 10×/1×"),
             window[0] > 0 ? window[1] / window[0] : 99,
             1.1,
             QStringLiteral("×")},
            {QStringLiteral("parallax run peak RSS ratio 10×/1×"),
             cli[0] > 0 ? cli[1] / cli[0] : 99,
             1.1,
             QStringLiteral("×")},
    };
    return reportTargets(QStringLiteral("memory"),
                         what,
                         rows,
                         QStringLiteral("MB"),
                         targets,
                         errors,
                         {{QLatin1String("sizes"), sizes}},
                         met);
}

// 6. Long lines: one 1 MiB line, then 100 MiB without any newline, each in a pane.
QJsonObject benchLongLine(Context &c, bool *met)
{
    const qint64 noNewline = c.opt.quick ? 10 << 20 : 100 << 20;
    const QString what = QStringLiteral("one 1 MiB line; %1 MiB without newline; in one pane")
                                 .arg(noNewline >> 20);
    out() << "== longline: " << what << "\n";
    out().flush();
    QStringList errors;
    QList<QPair<QString, Stats>> rows;
    QList<Target> targets;
    QJsonArray children;
    for (const auto &[bytes, newline] :
         {std::pair<qint64, bool>{1 << 20, true}, std::pair<qint64, bool>{noNewline, false}}) {
        QJsonObject env{{QLatin1String("DEMO_MODE"), QLatin1String("longline")},
                        {QLatin1String("DEMO_LINE_BYTES"), QString::number(bytes)}};
        if (!newline)
            env.insert(QLatin1String("DEMO_NO_NEWLINE"), QLatin1String("1"));
        const QString spec = writeSpec(c, QStringLiteral("longline-%1").arg(bytes), env);
        const WindowRun w
                = runWindow(c,
                            spec,
                            {QStringLiteral("--expect"),
                             QStringLiteral("longline:%1:%2").arg(bytes).arg(newline ? 1 : 0)},
                            900000);
        errors << resultErrors(w.result);
        if (!w.sample.ok)
            errors << w.sample.error;
        children.append(w.result);
        const double stall = w.result.value(QLatin1String("max_stall_ms")).toDouble();
        const QString label = newline ? QStringLiteral("1 MiB line")
                                      : QStringLiteral("%1 MiB, no newline").arg(bytes >> 20);
        rows.append({label + QStringLiteral(": longest stall"), one(stall)});
        rows.append({label + QStringLiteral(": run"),
                     one(w.result.value(QLatin1String("run_ms")).toDouble())});
        targets.append({label + QStringLiteral(": longest event-loop stall"),
                        stall,
                        100,
                        QStringLiteral("ms")});
    }
    return reportTargets(QStringLiteral("longline"),
                         what,
                         rows,
                         QStringLiteral("ms"),
                         targets,
                         errors,
                         {{QLatin1String("children"), children}},
                         met);
}

// 7a. Start-up: process start → first window exposed, PARALLAX_TRACE_STARTUP=exit.
QJsonObject benchStartupWindow(Context &c, bool *met)
{
    const int runs = c.opt.quick ? 3 : 7;
    const QString what
            = QStringLiteral("`parallax` (no spec) start → first window exposed, %1 runs, "
                             "offscreen")
                      .arg(runs);
    out() << "== startup-window: " << what << "\n";
    out().flush();
    QStringList errors;
    QList<double> fromSpawn, fromStat;
    for (int i = 0; i < runs + 1; ++i) { // the first is a warm-up
        QProcess p;
        QProcessEnvironment env = childEnvironment(c);
        env.insert(QStringLiteral("PARALLAX_TRACE_STARTUP"), QStringLiteral("exit"));
        p.setProcessEnvironment(env);
        const double started = monotonicMs();
        p.start(c.opt.parallax, {QStringLiteral("--no-resume")});
        if (!p.waitForFinished(30000)) {
            p.kill();
            p.waitForFinished(5000);
            errors << QStringLiteral("parallax did not exit after its first expose");
            continue;
        }
        const QByteArray err = p.readAllStandardError();
        const qsizetype at = err.indexOf("parallax: startup: first window exposed ");
        if (at < 0) {
            errors << QStringLiteral("no start-up trace from parallax: %1")
                              .arg(QString::fromUtf8(err.left(500)));
            continue;
        }
        const QByteArray line = err.mid(at, err.indexOf('\n', at) - at);
        const double stat = line.split(' ').value(5).toDouble();
        const qsizetype mono = line.indexOf("(monotonic ");
        const double exposedAt = line.mid(mono + 11).split(' ').value(0).toDouble();
        out() << QStringLiteral("  %1  %2 ms from spawn, %3 ms from /proc starttime\n")
                         .arg(i == 0 ? QStringLiteral("warm-up") : QStringLiteral("run %1").arg(i))
                         .arg(exposedAt - started, 0, 'f', 1)
                         .arg(stat, 0, 'f', 1);
        if (i > 0) {
            fromSpawn << exposedAt - started;
            fromStat << stat;
        }
    }
    if (fromSpawn.isEmpty())
        errors << QStringLiteral("no run measured");
    const Stats s = stats(fromSpawn), t = stats(fromStat);
    return reportTargets(QStringLiteral("startup-window"),
                         what,
                         {{QStringLiteral("spawn → first expose"), s},
                          {QStringLiteral("/proc starttime → first expose"), t}},
                         QStringLiteral("ms"),
                         {{QStringLiteral("median spawn → first window exposed"),
                           s.median,
                           300,
                           QStringLiteral("ms")}},
                         errors,
                         {{QLatin1String("samples_ms"), toJson(fromSpawn)}},
                         met);
}

struct Benchmark
{
    const char *name;
    const char *summary;
    QJsonObject (*run)(Context &, bool *);
};

const Benchmark kBenchmarks[] = {
        {"throughput",
         "headless throughput: 1M-line flood, parallax run vs docker run (target ≤ 1.0)",
         benchThroughput},
        {"throughput-4k",
         "headless throughput: 200 MiB in 4 KiB lines, parallax run vs docker run (target ≤ 1.0)",
         benchThroughput4k},
        {"window",
         "throughput in the window: 1M-line flood in a pane vs docker run (target ≤ 1.1, exact)",
         benchWindow},
        {"latency",
         "emit → core / model / painted vs docker logs -f (p99 model ≤ CLI + 1 ms, paint ≤ 16 ms)",
         benchLatency},
        {"scale",
         "32 variations × 2,000 lines/s × 30 s in the window (stall ≤ 50 ms, RSS ≤ 300 MB)",
         benchScale},
        {"memory",
         "peak RSS, 10M vs 1M lines: one pane and parallax run (ratio ≤ 1.1)",
         benchMemory},
        {"longline",
         "one 1 MiB line; 100 MiB without newline, in a pane (stall ≤ 100 ms, exact)",
         benchLongLine},
        {"startup-window", "process start → first window exposed (≤ 300 ms)", benchStartupWindow},
        {"startup",
         "start-up of a silent variation, parallax run vs docker run (target ≤ 1.1)",
         benchStartup},
};

int usage(const QString &msg)
{
    QTextStream err(stderr);
    if (!msg.isEmpty())
        err << "parallax_bench: " << msg << "\n\n";
    err << "usage: parallax_bench --parallax PATH [--window-bench PATH] [--docker PATH] "
           "[--image IMAGE]\n"
           "                      [--pairs N] [--quick] [--strict] [--list] [BENCHMARK...]\n";
    return 2;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    Options o;
    const QStringList args = app.arguments().mid(1);
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args[i];
        auto value = [&]() -> std::optional<QString> {
            if (i + 1 >= args.size())
                return std::nullopt;
            return args[++i];
        };
        if (a == QLatin1String("--parallax") || a == QLatin1String("--docker")
            || a == QLatin1String("--image") || a == QLatin1String("--pairs")
            || a == QLatin1String("--window-bench")) {
            const auto v = value();
            if (!v)
                return usage(a + QStringLiteral(" needs a value"));
            if (a == QLatin1String("--parallax"))
                o.parallax = *v;
            else if (a == QLatin1String("--docker"))
                o.docker = *v;
            else if (a == QLatin1String("--image"))
                o.image = *v;
            else if (a == QLatin1String("--window-bench"))
                o.windowBench = *v;
            else {
                bool ok = false;
                o.pairs = v->toInt(&ok);
                if (!ok || o.pairs < 1 || o.pairs > 100)
                    return usage(QStringLiteral("--pairs takes a number from 1 to 100"));
            }
        } else if (a == QLatin1String("--quick")) {
            o.quick = true;
        } else if (a == QLatin1String("--strict")) {
            o.strict = true;
        } else if (a == QLatin1String("--list")) {
            for (const Benchmark &b : kBenchmarks)
                out() << QString::fromLatin1(b.name).leftJustified(12)
                      << QString::fromUtf8(b.summary) << '\n';
            return 0;
        } else if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
            usage(QString());
            return 0;
        } else if (a.startsWith(QLatin1Char('-'))) {
            return usage(QStringLiteral("unknown option '%1'").arg(a));
        } else {
            const bool known
                    = std::any_of(std::begin(kBenchmarks),
                                  std::end(kBenchmarks),
                                  [&](const Benchmark &b) { return a == QLatin1String(b.name); });
            if (!known)
                return usage(QStringLiteral("unknown benchmark '%1' (see --list)").arg(a));
            o.selected << a;
        }
    }
    if (o.parallax.isEmpty())
        return usage(QStringLiteral("--parallax PATH is required"));
    if (!QFileInfo(o.parallax).isExecutable())
        return usage(QStringLiteral("%1 is not an executable").arg(o.parallax));
    if (o.quick && o.pairs == 5)
        o.pairs = 3;
    if (o.windowBench.isEmpty())
        o.windowBench
                = QCoreApplication::applicationDirPath() + QStringLiteral("/parallax_window_bench");
    if (qEnvironmentVariableIntValue("PARALLAX_BENCH_QUICK") == 1)
        o.quick = true;

    Context c{o, {}};
    if (!c.tmp.isValid()) {
        QTextStream(stderr) << "parallax_bench: cannot create a temporary directory\n";
        return 1;
    }
    const QJsonObject m = machine(o);
    printMachine(m);
    if (m.value(QLatin1String("dockerd_version")).toString().isEmpty()) {
        QTextStream(stderr) << "parallax_bench: the docker daemon does not answer (" << o.docker
                            << " info)\n";
        return 1;
    }

    QJsonArray results;
    bool allComplete = true, allMet = true;
    for (const Benchmark &b : kBenchmarks) {
        if (!o.selected.isEmpty() && !o.selected.contains(QLatin1String(b.name)))
            continue;
        bool met = false;
        const QJsonObject r = b.run(c, &met);
        allComplete = allComplete && r.value(QLatin1String("complete")).toBool();
        allMet = allMet && met;
        results.append(r);
        out() << '\n';
        out().flush();
    }

    const QJsonObject doc{
            {QLatin1String("when"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
            {QLatin1String("quick"), o.quick},
            {QLatin1String("image"), o.image},
            {QLatin1String("machine"), m},
            {QLatin1String("benchmarks"), results}};
    const QString path = QDir::current().filePath(QStringLiteral("bench-results.json"));
    if (!writeJson(path, doc))
        QTextStream(stderr) << "parallax_bench: cannot write " << path << '\n';
    else
        out() << "results written to " << path << '\n';

    out() << "summary:";
    for (const QJsonValue &v : results) {
        const QJsonObject r = v.toObject();
        out() << ' ' << r.value(QLatin1String("name")).toString() << '='
              << (r.contains(QLatin1String("headline"))
                          ? r.value(QLatin1String("headline")).toString()
                          : QString::number(r.value(QLatin1String("ratio"))
                                                    .toObject()
                                                    .value(QLatin1String("median"))
                                                    .toDouble(),
                                            'f',
                                            3))
              << (r.value(QLatin1String("complete")).toBool()
                          ? (r.value(QLatin1String("target_met")).toBool() ? "(met)" : "(MISSED)")
                          : "(INCOMPLETE)");
    }
    out() << '\n';
    out().flush();
    if (!allComplete)
        return 1;
    return o.strict && !allMet ? 1 : 0;
}

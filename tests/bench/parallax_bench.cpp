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

#include <sys/resource.h>

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
    QStringList errors;
};

// Warm-up (one of each, not counted), then `pairs` pairs; the order flips every pair.
PairResult runPairs(int pairs, const Side &px, const Side &dk)
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
    for (int i = 0; i < pairs; ++i) {
        if (i % 2 == 0) {
            once(px, i, &r.parallax);
            once(dk, i, &r.docker);
        } else {
            once(dk, i, &r.docker);
            once(px, i, &r.parallax);
        }
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
QJsonObject benchThroughput(Context &c, bool *met)
{
    const qint64 lines = c.opt.quick ? 100000 : 1000000;
    const int lineBytes = 80;
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
    const PairResult r = runPairs(c.opt.pairs, px, dk);
    QJsonObject extra{{QLatin1String("lines"), lines},
                      {QLatin1String("line_bytes"), lineBytes},
                      {QLatin1String("transcripts"), transcripts}};
    return report(QStringLiteral("throughput"), what, 1.0, r, extra, verifyErrors, met);
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
        {"startup",
         "start-up of a silent variation, parallax run vs docker run (target ≤ 1.1)",
         benchStartup},
};

int usage(const QString &msg)
{
    QTextStream err(stderr);
    if (!msg.isEmpty())
        err << "parallax_bench: " << msg << "\n\n";
    err << "usage: parallax_bench --parallax PATH [--docker PATH] [--image IMAGE] [--pairs N] "
           "[--quick] [--strict]\n"
           "                      [--list] [BENCHMARK...]\n";
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
            || a == QLatin1String("--image") || a == QLatin1String("--pairs")) {
            const auto v = value();
            if (!v)
                return usage(a + QStringLiteral(" needs a value"));
            if (a == QLatin1String("--parallax"))
                o.parallax = *v;
            else if (a == QLatin1String("--docker"))
                o.docker = *v;
            else if (a == QLatin1String("--image"))
                o.image = *v;
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
              << QString::number(r.value(QLatin1String("ratio"))
                                         .toObject()
                                         .value(QLatin1String("median"))
                                         .toDouble(),
                                 'f',
                                 3)
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

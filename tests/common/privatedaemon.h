#pragma once

// A dockerd of the test's own, for tests that must stop, restart or kill the daemon without
// touching the machine's (label `docker`). Header-only and test-only.
//
// It runs as root with everything under a fresh /tmp/pxd-XXXXXX (short, so that the socket path
// stays far below the 108 bytes a unix socket path may have):
//
//   dockerd --host unix://<dir>/docker.sock --data-root <dir>/data --exec-root <dir>/exec
//           --pidfile <dir>/docker.pid --config-file <dir>/daemon.json --iptables=false
//           --bridge=none --storage-driver=vfs [--live-restore]
//
// dockerd 20.10 starts its own containerd under the exec-root, so nothing is shared with the
// machine's daemon. Its log goes to <dir>/dockerd.log (appended across restarts). The demo
// image is copied in from the default daemon (`docker save | docker load`), or built by
// resources/demo-agent/build.sh when the default daemon does not have it.
//
// restart() is SIGTERM, wait for the exit, start again with the same arguments. With
// --live-restore the containers keep running meanwhile (their shims outlive the daemon and its
// containerd); without it the daemon stops them as it shuts down. The event loop keeps running
// while the daemon stops and starts, so a Run under test sees the connection drop as it happens.
//
// stop() (also run by the destructor) force-removes every container of the daemon, stops it,
// unmounts whatever is still mounted under the folder and removes the folder. A folder left
// behind by a test process that died is swept by the next start().

#include "docker/dockerclient.h"
#include "docker/syncwait.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <memory>

#include <cerrno>
#include <csignal>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace Parallax::DockerTest {

class PrivateDaemon
{
public:
    static constexpr int kStartTimeoutMs = 30000;
    static constexpr int kStopTimeoutMs = 30000;

    explicit PrivateDaemon(bool liveRestore = true)
        : m_liveRestore(liveRestore)
    {}
    ~PrivateDaemon() { stop(); }
    Q_DISABLE_COPY_MOVE(PrivateDaemon)

    // Why a private daemon cannot run here, or empty when it can.
    static QString unavailableReason()
    {
        if (::geteuid() != 0)
            return QStringLiteral("a private dockerd needs root");
        for (const char *tool : {"dockerd", "containerd", "runc", "docker"}) {
            if (QStandardPaths::findExecutable(QString::fromLatin1(tool)).isEmpty())
                return QStringLiteral("%1 is not installed").arg(QString::fromLatin1(tool));
        }
        return {};
    }

    // Creates the folder, starts dockerd, waits for /_ping, loads the demo image.
    Result<void> start()
    {
        if (!m_dir.isEmpty())
            return Error{QStringLiteral("the private daemon was already started"), -1};
        sweepLeftovers();
        QTemporaryDir dir(QStringLiteral("/tmp/pxd-XXXXXX"));
        if (!dir.isValid())
            return Error{
                    QStringLiteral("cannot create a folder under /tmp: %1").arg(dir.errorString()),
                    -1};
        dir.setAutoRemove(false);
        m_dir = dir.path();
        QFile owner(m_dir + QStringLiteral("/owner"));
        QFile config(m_dir + QStringLiteral("/daemon.json")); // not /etc/docker/daemon.json
        if (!owner.open(QIODevice::WriteOnly) || owner.write(QByteArray::number(::getpid())) < 0
            || !config.open(QIODevice::WriteOnly) || config.write("{}\n") < 0)
            return Error{QStringLiteral("cannot write into %1").arg(m_dir), -1};
        owner.close();
        config.close();
        if (Result<void> started = startDaemon(); !started)
            return started;
        return loadDemoImage();
    }

    // SIGTERM, then waits for dockerd to exit (SIGKILL after timeoutMs).
    Result<void> stopDaemon(int timeoutMs = kStopTimeoutMs)
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return {};
        ::kill(pid_t(m_process->processId()), SIGTERM);
        if (waitForExit(timeoutMs))
            return {};
        m_process->kill();
        waitForExit(5000);
        return Error{QStringLiteral("dockerd did not exit within %1 s of SIGTERM; killed it")
                             .arg(timeoutMs / 1000),
                     -5};
    }

    // SIGKILL: a daemon that crashes. Its containerd follows it (parent-death signal); the shims,
    // and so the containers, stay.
    Result<void> kill()
    {
        if (!m_process || m_process->state() == QProcess::NotRunning)
            return {};
        m_process->kill();
        if (!waitForExit(5000))
            return Error{QStringLiteral("dockerd did not die of SIGKILL within 5 s"), -5};
        // A dockerd that finds the pid in containerd.pid alive adopts that containerd instead of
        // starting one, and a zombie counts as alive until init reaps it (slowly, here). Wait for
        // the old containerd to be dead, then drop its pid file.
        const QString pidPath = m_dir + QStringLiteral("/exec/containerd/containerd.pid");
        QFile pidFile(pidPath);
        const qint64 containerd
                = pidFile.open(QIODevice::ReadOnly) ? pidFile.readAll().trimmed().toLongLong() : 0;
        pidFile.close();
        if (!QTest::qWaitFor(
                    [containerd] { return !processAlive(containerd) || isZombie(containerd); },
                    5000))
            return Error{QStringLiteral("containerd (pid %1) outlived its killed dockerd")
                                 .arg(containerd),
                         -5};
        QFile::remove(pidPath);
        return {};
    }

    // Starts dockerd with the same arguments and waits until it answers /_ping.
    Result<void> startDaemon(int timeoutMs = kStartTimeoutMs)
    {
        if (m_dir.isEmpty())
            return Error{QStringLiteral("start() the private daemon first"), -1};
        if (m_process && m_process->state() != QProcess::NotRunning)
            return Error{QStringLiteral("dockerd is already running"), -1};
        m_process = std::make_unique<QProcess>();
        m_process->setProgram(QStringLiteral("dockerd"));
        QStringList args{QStringLiteral("--host"),
                         dockerHost(),
                         QStringLiteral("--data-root"),
                         m_dir + QStringLiteral("/data"),
                         QStringLiteral("--exec-root"),
                         m_dir + QStringLiteral("/exec"),
                         QStringLiteral("--pidfile"),
                         m_dir + QStringLiteral("/docker.pid"),
                         QStringLiteral("--config-file"),
                         m_dir + QStringLiteral("/daemon.json"),
                         QStringLiteral("--iptables=false"),
                         QStringLiteral("--bridge=none"),
                         QStringLiteral("--storage-driver=vfs")};
        if (m_liveRestore)
            args << QStringLiteral("--live-restore");
        m_process->setArguments(args);
        m_process->setStandardOutputFile(logPath(), QIODevice::Append);
        m_process->setStandardErrorFile(logPath(), QIODevice::Append);
        // If the test process dies, the daemon shuts down instead of running on unattended.
        m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        m_process->start();
        if (!m_process->waitForStarted(5000))
            return Error{QStringLiteral("cannot start dockerd: %1").arg(m_process->errorString()),
                         -3};

        DockerClient client(endpoint());
        client.setTimeout(2000);
        QElapsedTimer clock;
        clock.start();
        QString lastError;
        while (clock.elapsed() < timeoutMs) {
            if (m_process->state() == QProcess::NotRunning)
                return Error{QStringLiteral("dockerd exited with %1 while starting:\n%2")
                                     .arg(m_process->exitCode())
                                     .arg(logTail()),
                             -3};
            const Result<PingInfo> ping = syncCall<PingInfo>(
                    [&](QObject *context, auto done) { client.ping(context, done); });
            if (ping)
                return {};
            lastError = ping.errorString();
            QTest::qWait(50);
        }
        return Error{QStringLiteral("dockerd did not answer /_ping within %1 s (%2):\n%3")
                             .arg(timeoutMs / 1000)
                             .arg(lastError, logTail()),
                     -5};
    }

    // stopDaemon(), `downMs` with no daemon, startDaemon().
    Result<void> restart(int downMs = 0)
    {
        if (Result<void> stopped = stopDaemon(); !stopped)
            return stopped;
        if (downMs > 0)
            QTest::qWait(downMs);
        return startDaemon();
    }

    // Removes every container of this daemon, stops it and removes its folder. Idempotent.
    void stop()
    {
        if (m_dir.isEmpty())
            return;
        if (isRunning())
            removeAllContainers();
        stopDaemon();     // its failure is reported in the log; the folder goes anyway
        killShims(m_dir); // containers a daemon that is down could not remove
        removeFolder(m_dir);
        m_dir.clear();
        m_process.reset();
    }

    bool isRunning() const { return m_process && m_process->state() == QProcess::Running; }
    bool liveRestore() const { return m_liveRestore; }
    qint64 pid() const { return m_process ? m_process->processId() : 0; }
    QString directory() const { return m_dir; }
    QString socketPath() const { return m_dir + QStringLiteral("/docker.sock"); }
    QString dockerHost() const { return QStringLiteral("unix://") + socketPath(); }
    DockerEndpoint endpoint() const { return DockerEndpoint{socketPath(), QStringLiteral("test")}; }
    QString logPath() const { return m_dir + QStringLiteral("/dockerd.log"); }

    // The environment for processes that must talk to this daemon (parallax, docker).
    QProcessEnvironment environment() const
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DOCKER_HOST"), dockerHost());
        return env;
    }

    QString logTail(int lines = 20) const
    {
        QFile file(logPath());
        if (!file.open(QIODevice::ReadOnly))
            return QStringLiteral("(no log at %1)").arg(logPath());
        if (file.size() > 64 * 1024)
            file.seek(file.size() - 64 * 1024);
        const QList<QByteArray> all = file.readAll().split('\n');
        return QString::fromUtf8(all.mid(qMax(0, int(all.size()) - lines - 1)).join('\n'));
    }

    // Every container of this daemon, force-removed. Returns how many, or the first error.
    Result<int> removeAllContainers()
    {
        DockerClient client(endpoint());
        client.setTimeout(15000);
        const Result<QList<ContainerSummary>> list
                = syncCall<QList<ContainerSummary>>([&](QObject *context, auto done) {
                      client.listContainers({}, true, context, done);
                  });
        if (!list)
            return list.error();
        int removed = 0;
        for (const ContainerSummary &container : *list) {
            const Result<void> result = syncCall<void>([&](QObject *context, auto done) {
                client.removeContainer(container.id, true, context, done);
            });
            if (!result && result.error().code != 404)
                return result.error();
            ++removed;
        }
        return removed;
    }

private:
    bool waitForExit(int timeoutMs)
    {
        // qWaitFor keeps the event loop running: a Run under test sees its connections drop.
        return QTest::qWaitFor([this] { return m_process->state() == QProcess::NotRunning; },
                               timeoutMs);
    }

    Result<void> loadDemoImage()
    {
        const QString image = QStringLiteral(PARALLAX_DEMO_IMAGE);
        QProcess save;
        QProcess load;
        save.setStandardOutputProcess(&load);
        save.setProcessChannelMode(QProcess::SeparateChannels);
        load.setProcessEnvironment(environment());
        load.setProcessChannelMode(QProcess::MergedChannels);
        load.start(QStringLiteral("docker"), {QStringLiteral("load"), QStringLiteral("-q")});
        save.start(QStringLiteral("docker"),
                   {QStringLiteral("save"), image}); // from the default daemon
        const bool saved = save.waitForFinished(60000) && save.exitStatus() == QProcess::NormalExit
                           && save.exitCode() == 0;
        const bool loaded = load.waitForFinished(60000) && load.exitStatus() == QProcess::NormalExit
                            && load.exitCode() == 0;
        if (saved && loaded)
            return {};
        const QString why = QStringLiteral("docker save %1 | docker load: %2 %3")
                                    .arg(image,
                                         QString::fromUtf8(save.readAllStandardError()).trimmed(),
                                         QString::fromUtf8(load.readAll()).trimmed());
        // The default daemon may not have it: build it here instead.
        const QString script = qEnvironmentVariable("PARALLAX_SOURCE_DIR")
                               + QStringLiteral("/resources/demo-agent/build.sh");
        if (qEnvironmentVariableIsEmpty("PARALLAX_SOURCE_DIR") || !QFileInfo::exists(script))
            return Error{
                    why
                            + QStringLiteral(
                                    " (and PARALLAX_SOURCE_DIR is not set, so it cannot be built)"),
                    -1};
        QProcess build;
        build.setProcessEnvironment(environment());
        build.setProcessChannelMode(QProcess::MergedChannels);
        build.start(script, {image});
        if (!build.waitForFinished(120000) || build.exitStatus() != QProcess::NormalExit
            || build.exitCode() != 0)
            return Error{why + QStringLiteral("; build.sh failed too: ")
                                 + QString::fromUtf8(build.readAll()).trimmed(),
                         -1};
        return {};
    }

    // Mount points under `dir`, deepest first, from /proc/self/mountinfo (octal escapes decoded).
    static QStringList mountsUnder(const QString &dir)
    {
        QFile file(QStringLiteral("/proc/self/mountinfo"));
        QStringList mounts;
        if (!file.open(QIODevice::ReadOnly))
            return mounts;
        for (const QByteArray &line : file.readAll().split('\n')) {
            const QList<QByteArray> fields = line.split(' ');
            if (fields.size() < 5)
                continue;
            QByteArray path;
            const QByteArray &raw = fields[4];
            for (qsizetype i = 0; i < raw.size(); ++i) {
                if (raw[i] == '\\' && i + 3 < raw.size()) {
                    path += char(raw.mid(i + 1, 3).toInt(nullptr, 8));
                    i += 3;
                } else {
                    path += raw[i];
                }
            }
            const QString mount = QString::fromUtf8(path);
            if (mount.startsWith(dir + QLatin1Char('/')))
                mounts.prepend(mount);
        }
        return mounts;
    }

    static void removeFolder(const QString &dir)
    {
        if (QDir(dir).removeRecursively())
            return;
        // Busy mounts (netns bind mounts, a container's rootfs): detach them, then try again.
        for (const QString &mount : mountsUnder(dir))
            ::umount2(QFile::encodeName(mount).constData(), MNT_DETACH);
        if (!QDir(dir).removeRecursively())
            qWarning("PrivateDaemon: could not remove %s completely", qPrintable(dir));
    }

    static bool processAlive(qint64 pid)
    {
        return pid > 0 && (::kill(pid_t(pid), 0) == 0 || errno != ESRCH);
    }

    static bool isZombie(qint64 pid)
    {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return false;
        const QByteArray line = stat.readAll();
        const qsizetype close
                = line.lastIndexOf(')'); // after the command name, which may hold spaces
        return close > 0 && line.mid(close + 2, 1) == "Z";
    }

    static qint64 parentOf(qint64 pid)
    {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        if (!stat.open(QIODevice::ReadOnly))
            return 0;
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        return fields.size() > 1 ? fields[1].toLongLong() : 0;
    }

    // Shims (containerd-shim-runc-v2 -address <dir>/exec/...) of a daemon under `dir` that is gone
    // or down, with their containers: SIGKILL, by pid, and wait until they are gone.
    static void killShims(const QString &dir)
    {
        const QByteArray address = QFile::encodeName(dir + QStringLiteral("/exec/"));
        QList<qint64> pids;
        const QStringList entries
                = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        QList<qint64> all;
        for (const QString &entry : entries) {
            bool ok = false;
            const qint64 pid = entry.toLongLong(&ok);
            if (ok)
                all.append(pid);
        }
        for (qint64 pid : std::as_const(all)) {
            QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
            if (!cmdline.open(QIODevice::ReadOnly))
                continue;
            const QList<QByteArray> args = cmdline.readAll().split('\0');
            if (args.isEmpty() || !args.first().endsWith("containerd-shim-runc-v2"))
                continue;
            const qsizetype at = args.indexOf("-address");
            if (at >= 0 && at + 1 < args.size() && args[at + 1].startsWith(address))
                pids.append(pid);
        }
        if (pids.isEmpty())
            return;
        for (qint64 pid : std::as_const(all)) { // the containers first: their shim reaps them
            if (pids.contains(parentOf(pid)))
                ::kill(pid_t(pid), SIGKILL);
        }
        for (qint64 shim : std::as_const(pids))
            ::kill(pid_t(shim), SIGKILL);
        const bool gone = QTest::qWaitFor(
                [&pids] {
                    return std::none_of(pids.cbegin(), pids.cend(), [](qint64 pid) {
                        return processAlive(pid) && !isZombie(pid);
                    });
                },
                5000);
        if (!gone)
            qWarning("PrivateDaemon: shims of %s outlived SIGKILL", qPrintable(dir));
    }

    // Folders of private daemons whose test process and dockerd are both gone.
    static void sweepLeftovers()
    {
        QDirIterator it(QStringLiteral("/tmp"),
                        {QStringLiteral("pxd-*")},
                        QDir::Dirs | QDir::NoDotAndDotDot);
        while (it.hasNext()) {
            const QString dir = it.next();
            QFile owner(dir + QStringLiteral("/owner"));
            if (!owner.open(QIODevice::ReadOnly))
                continue; // not ours
            const qint64 ownerPid = owner.readAll().trimmed().toLongLong();
            QFile pidFile(dir + QStringLiteral("/docker.pid"));
            const qint64 daemonPid = pidFile.open(QIODevice::ReadOnly)
                                             ? pidFile.readAll().trimmed().toLongLong()
                                             : 0;
            if (ownerPid > 0 && !processAlive(ownerPid) && !processAlive(daemonPid)) {
                killShims(dir);
                removeFolder(dir);
            }
        }
    }

    bool m_liveRestore;
    QString m_dir;
    std::unique_ptr<QProcess> m_process;
};

} // namespace Parallax::DockerTest

#include "variationrunner.h"

#include "runlogging.h"

#include "docker/containerstream.h"
#include "docker/dockerclient.h"
#include "util/atomicfile.h"
#include "util/clock.h"
#include "util/tarreader.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QTimeZone>

namespace Parallax {

// Docker's times are RFC 3339 with nanoseconds ("0001-01-01T00:00:00Z" when unset).
static QDateTime dockerTime(const QJsonValue &value)
{
    const std::optional<qint64> msecs = parseRfc3339Msecs(value.toString().toLatin1());
    if (!msecs || *msecs < 1000)
        return {};
    return QDateTime::fromMSecsSinceEpoch(*msecs, Qt::UTC);
}

struct PatchStats
{
    int files = 0;
    int insertions = 0;
    int deletions = 0;
};

// Counts a unified diff the way `git diff --stat` summarises it. Hunk headers give how many
// body lines follow, so an added line that itself starts with "++" is not taken for a header.
static PatchStats patchStats(QByteArrayView patch)
{
    PatchStats stats;
    int gitHeaders = 0;
    int newFileHeaders = 0;
    qint64 oldLeft = 0; // body lines still due in the current hunk
    qint64 newLeft = 0;
    qsizetype at = 0;
    while (at < patch.size()) {
        qsizetype end = patch.indexOf('\n', at);
        if (end < 0)
            end = patch.size();
        const QByteArrayView line = patch.sliced(at, end - at);
        at = end + 1;
        if (oldLeft > 0 || newLeft > 0) {
            if (line.startsWith('+')) {
                ++stats.insertions;
                --newLeft;
            } else if (line.startsWith('-')) {
                ++stats.deletions;
                --oldLeft;
            } else if (!line.startsWith('\\')) { // "\ No newline at end of file"
                --oldLeft;
                --newLeft;
            }
            continue;
        }
        if (line.startsWith("diff --git ")) {
            ++gitHeaders;
        } else if (line.startsWith("+++ ")) {
            ++newFileHeaders;
        } else if (line.startsWith("@@ ")) {
            // "@@ -l[,s] +l[,s] @@": a missing count means 1.
            const QList<QByteArray> parts = line.toByteArray().split(' ');
            auto count = [](const QByteArray &range) {
                const qsizetype comma = range.indexOf(',');
                return comma < 0 ? qint64(1) : range.mid(comma + 1).toLongLong();
            };
            if (parts.size() >= 3) {
                oldLeft = count(parts[1]);
                newLeft = count(parts[2]);
            }
        } else if (line.startsWith('+') && !line.startsWith("+++")) {
            ++stats.insertions; // a diff without hunk headers: count leniently
        } else if (line.startsWith('-') && !line.startsWith("---")) {
            ++stats.deletions;
        }
    }
    stats.files = gitHeaders > 0 ? gitHeaders : newFileHeaders;
    return stats;
}

static int streamIndex(StreamType stream)
{
    return stream == StreamType::Stderr ? 1 : 0;
}

VariationRunner::VariationRunner(DockerClient *client, VariationLaunch launch, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_launch(std::move(launch))
{
    m_transitions.append({VariationState::Pending, QDateTime::currentDateTimeUtc()});
    m_timeoutTimer.setSingleShot(true);
    // A coarse timer may fire up to 5% early: a limit must never stop a container before it.
    m_timeoutTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_timeoutTimer, &QTimer::timeout, this, [this] {
        if (isFinal(m_state) || m_endReason != EndReason::None)
            return;
        m_endReason = EndReason::Timeout;
        m_note = QStringLiteral("stopped after the %1 timeout")
                         .arg(formatDuration(m_launch.limits.timeoutMs));
        stopContainer();
    });
    resetRedactors();
}

VariationRunner::~VariationRunner()
{
    dropStreams();
}

void VariationRunner::resetRedactors()
{
    for (auto &redactor : m_redactors)
        redactor = std::make_unique<SecretRedactor>(m_launch.secretValues);
}

QDateTime VariationRunner::startedAt() const
{
    for (const StateTransition &t : m_transitions) {
        if (t.state == VariationState::Running)
            return t.at;
    }
    return {};
}

QDateTime VariationRunner::finishedAt() const
{
    if (!isFinal(m_state) || m_transitions.isEmpty())
        return {};
    return m_transitions.last().at;
}

qint64 VariationRunner::durationMs() const
{
    const QDateTime start = startedAt();
    if (!start.isValid())
        return 0;
    const QDateTime end = isFinal(m_state) ? finishedAt() : QDateTime::currentDateTimeUtc();
    return start.msecsTo(end);
}

void VariationRunner::setState(VariationState state, const QDateTime &at)
{
    if (m_state == state)
        return;
    m_state = state;
    m_transitions.append({state, at.isValid() ? at : QDateTime::currentDateTimeUtc()});
    qCDebug(lcRun) << m_launch.name << "->" << stateName(state);
    emit stateChanged(state);
}

bool VariationRunner::openTranscript()
{
    if (m_writer.isOpen())
        return true;
    const Result<void> opened = m_writer.open(m_launch.runDir, m_launch.name);
    if (!opened) {
        m_error = QStringLiteral("Cannot write the transcript: %1").arg(opened.errorString());
        return false;
    }
    return true;
}

void VariationRunner::start()
{
    // Pending, or (resuming) recorded as creating but without a container to show for it.
    if (m_state != VariationState::Pending
        && !(m_state == VariationState::Creating && m_containerId.isEmpty()))
        return;
    if (!openTranscript()) {
        setState(VariationState::Failed);
        emitFinished();
        return;
    }
    setState(VariationState::Creating);

    ContainerCreateOptions options;
    options.name = QStringLiteral("parallax-%1-%2").arg(m_launch.runId, m_launch.name);
    options.image = m_launch.image;
    options.cmd = m_launch.command;
    options.env = m_launch.env;
    options.workingDir = m_launch.workdir;
    options.tty = m_launch.tty;
    options.networkMode = m_launch.networkMode;
    options.labels.insert(QLatin1String(Labels::kOwner), QLatin1String(Labels::kOwnerValue));
    options.labels.insert(QLatin1String(Labels::kRun), m_launch.runId);
    options.labels.insert(QLatin1String(Labels::kVariation), m_launch.name);
    options.memoryBytes = m_launch.limits.memoryBytes;
    options.nanoCpus = qint64(m_launch.limits.cpus * 1e9);
    options.pidsLimit = m_launch.limits.pids;
    if (!m_client->isPodman()) {
        // Docker logs Parallax's containers with the `local` driver, never rotated. Recovery
        // reads the log from its first byte and skips what the transcript holds, so the log
        // must keep the whole run; and dockerd's logging is the bottleneck of a flood, where
        // `local` (binary records) costs it about a fifth less CPU than `json-file` (JSON
        // escaping and a formatted time stamp per line; see docs/benchmarks.md). Podman has
        // its own drivers and keeps its default.
        options.logDriver = QStringLiteral("local");
        options.logOptions = {{QStringLiteral("max-size"), QStringLiteral("1t")},
                              {QStringLiteral("compress"), QStringLiteral("false")}};
    }
    m_client->createContainer(
            options, this, [this](const Result<QString> &result) { onCreated(result); });
}

void VariationRunner::onCreated(const Result<QString> &result)
{
    if (!result && result.error().code < 0 && !m_createLookedUp) {
        // The answer was lost (a timeout, a dropped connection), not refused: Docker may well
        // have made the container. Find it by its labels and carry on with it, rather than
        // failing and leaving an orphan behind.
        m_createLookedUp = true;
        const QStringList labels{
                QStringLiteral("%1=%2").arg(QLatin1String(Labels::kOwner),
                                            QLatin1String(Labels::kOwnerValue)),
                QStringLiteral("%1=%2").arg(QLatin1String(Labels::kRun), m_launch.runId),
                QStringLiteral("%1=%2").arg(QLatin1String(Labels::kVariation), m_launch.name)};
        const Error original = result.error();
        m_client->listContainers(
                labels, true, this, [this, original](const Result<QList<ContainerSummary>> &found) {
                    if (found && !found->isEmpty())
                        onCreated(found->first().id);
                    else
                        onCreated(original);
                });
        return;
    }
    if (!result) {
        if (m_endReason == EndReason::Cancel) {
            setState(VariationState::Cancelled);
            emitFinished();
            return;
        }
        fail(result.errorString());
        return;
    }
    m_containerId = *result;
    emit containerCreated(m_containerId);
    if (m_endReason != EndReason::None) { // cancelled while it was being created
        removeAndFinish();
        return;
    }
    attachAndStart();
}

void VariationRunner::attachAndStart()
{
    // The order of `docker run`: attach, then wait for the next exit, then start. Attaching
    // after the start loses the output of a fast container.
    m_stream = m_client->attach(m_containerId, m_launch.tty, this);
    connect(m_stream, &ContainerStream::outputReceived, this, &VariationRunner::onOutput);
    connect(m_stream, &ContainerStream::finished, this, &VariationRunner::onAttachFinished);
    connect(m_stream, &ContainerStream::started, this, [this] {
        m_waitReply = m_client->waitContainer(
                m_containerId,
                QStringLiteral("next-exit"),
                this,
                [this](const Result<WaitResult> &r) { onWaitFinished(r); });
        connect(m_waitReply, &DockerReply::headersReceived, this, [this] {
            if (m_started || m_endReason != EndReason::None
                || (m_waitReply && m_waitReply->statusCode() >= 300))
                return;
            m_started = true;
            m_client->startContainer(m_containerId, this, [this](const Result<void> &started) {
                if (!started) {
                    fail(QStringLiteral("Docker could not start the container: %1")
                                 .arg(started.errorString()));
                    return;
                }
                if (m_state == VariationState::Creating) {
                    setState(VariationState::Running);
                    m_runningClock.start();
                    if (m_launch.limits.timeoutMs > 0)
                        m_timeoutTimer.start(int(qMin<qint64>(m_launch.limits.timeoutMs, INT_MAX)));
                }
            });
        });
    });
}

void VariationRunner::onOutput(StreamType stream, const QByteArray &data)
{
    if (stream == StreamType::DaemonError) {
        m_note = QStringLiteral("Docker reported: %1").arg(QString::fromUtf8(data).trimmed());
        return;
    }
    const int index = streamIndex(stream);
    QByteArrayView bytes(data);
    if (m_skip[index] > 0) { // already recorded before the connection dropped
        const qsizetype drop = qsizetype(qMin<qint64>(m_skip[index], bytes.size()));
        m_skip[index] -= drop;
        bytes = bytes.sliced(drop);
        if (bytes.isEmpty())
            return;
    }
    qint64 raw = 0;
    const QByteArray shown = m_redactors[index]->feed(bytes, &raw);
    if (shown.isEmpty() && raw == 0)
        return;
    m_writer.append(stream, shown, raw, rfc3339Nanos());
    if (!m_writer.flush() && !m_writeErrorReported) {
        m_writeErrorReported = true;
        m_note = QStringLiteral("Cannot write the transcript: %1").arg(m_writer.errorString());
        qCWarning(lcRun) << m_launch.name << m_note;
    }
    if (!shown.isEmpty())
        emit outputReceived(stream, shown);
}

void VariationRunner::onAttachFinished(const Result<void> &result)
{
    m_stream = nullptr;
    m_streamDone = true;
    if (!result && result.error().code == -1)
        return; // we aborted it
    if (!result) {
        // Cut mid-stream or malformed: what is missing is re-read from the logs later.
        m_streamCut = true;
        qCDebug(lcRun) << m_launch.name << "attach ended:" << result.errorString();
        if (!m_started) {
            // Never got going: the daemon refused the attach itself, or went away before the
            // start (recovery then starts or removes the created container).
            if (result.error().code > 0)
                fail(QStringLiteral("Docker refused to attach to the container: %1")
                             .arg(result.errorString()));
            else
                enterRecovery(result.errorString());
            return;
        }
    }
    maybeFinish();
}

void VariationRunner::onWaitFinished(const Result<WaitResult> &result)
{
    m_waitReply = nullptr;
    if (!result) {
        if (result.error().code == -1)
            return; // aborted by us
        if (result.error().code < 0) {
            enterRecovery(result.errorString());
            return;
        }
        if (!m_started) {
            fail(QStringLiteral("Docker could not wait for the container: %1")
                         .arg(result.errorString()));
            return;
        }
        enterRecovery(result.errorString());
        return;
    }
    m_waitDone = true;
    m_exitCode = int(result->statusCode);
    if (!result->error.isEmpty())
        m_note = result->error;
    maybeFinish();
}

void VariationRunner::maybeFinish()
{
    if (m_recovering || !m_waitDone || !m_streamDone)
        return;
    if (m_streamCut) {
        // The container has exited but its output stream was cut: fetch the rest from its logs.
        enterRecovery(QStringLiteral("the output stream was cut"));
        return;
    }
    finalize();
}

void VariationRunner::dropStreams()
{
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->abort();
        m_stream = nullptr;
    }
    if (m_waitReply) {
        m_waitReply->disconnect(this);
        m_waitReply->abort();
        m_waitReply = nullptr;
    }
}

void VariationRunner::fail(const QString &reason)
{
    if (isFinal(m_state))
        return;
    m_error = reason;
    dropStreams();
    m_timeoutTimer.stop();
    if (m_containerId.isEmpty()) {
        setState(VariationState::Failed);
        emitFinished();
        return;
    }
    m_finalizing = true;
    setState(VariationState::Failed);
    m_client->removeContainer(
            m_containerId, true, this, [this](const Result<void> &) { emitFinished(); });
}

void VariationRunner::abandon(const QString &reason)
{
    if (isFinal(m_state))
        return;
    m_error = reason;
    setState(VariationState::Failed);
    emitFinished();
}

void VariationRunner::cancel()
{
    if (isFinal(m_state) || m_finalizing)
        return;
    if (m_endReason == EndReason::None)
        m_endReason = EndReason::Cancel;
    switch (m_state) {
    case VariationState::Pending:
        setState(VariationState::Cancelled);
        emitFinished();
        return;
    case VariationState::Creating:
        if (m_containerId.isEmpty())
            return; // onCreated removes it
        if (!m_started) {
            dropStreams();
            removeAndFinish();
            return;
        }
        stopContainer();
        return;
    default:
        stopContainer();
        return;
    }
}

void VariationRunner::stopContainer()
{
    if (m_stopSent || m_containerId.isEmpty())
        return;
    m_stopSent = true;
    // The daemon sends SIGTERM, waits the grace period, then SIGKILL; the attach and wait calls
    // then complete as for any exit, so the transcript is complete up to the end.
    m_client->stopContainer(
            m_containerId, m_launch.stopGraceSeconds, this, [this](const Result<void> &result) {
                if (result || result.error().code == 304 || result.error().code == 404)
                    return;
                if (result.error().code == -3 || result.error().code == -4) {
                    m_stopSent = false; // Docker is unreachable: sent again once reconnected
                    return;
                }
                m_client->killContainer(
                        m_containerId, QString(), this, [](const Result<void> &) {});
            });
}

void VariationRunner::enterRecovery(const QString &why)
{
    if (m_recovering || isFinal(m_state))
        return;
    m_recovering = true;
    m_connectionLostAt = QDateTime::currentDateTimeUtc();
    m_lastRecoveryError = why;
    dropStreams();
    m_recoveryClock.start();
    m_backoffMs = 0;
    qCDebug(lcRun) << m_launch.name << "recovering:" << why;
    emit reconnectingChanged(true);
    attemptReconnect();
}

void VariationRunner::scheduleReconnect(const QString &why)
{
    m_lastRecoveryError = why;
    if (m_recoveryClock.elapsed() > kRecoveryLimitMs) {
        m_recovering = false;
        emit reconnectingChanged(false);
        fail(QStringLiteral("Lost Docker for over %1 minutes: %2")
                     .arg(kRecoveryLimitMs / 60000)
                     .arg(why));
        return;
    }
    m_backoffMs = m_backoffMs == 0 ? 100 : qMin(m_backoffMs * 2, 3000);
    QTimer::singleShot(m_backoffMs, this, &VariationRunner::attemptReconnect);
}

void VariationRunner::attemptReconnect()
{
    if (!m_recovering)
        return;
    m_client->ping(this, [this](const Result<PingInfo> &result) {
        if (!result) {
            scheduleReconnect(result.errorString());
            return;
        }
        inspectForRecovery();
    });
}

void VariationRunner::inspectForRecovery()
{
    m_client->inspectContainer(m_containerId, this, [this](const Result<QJsonObject> &result) {
        if (!result) {
            if (result.error().code == 404) {
                m_recovering = false;
                emit reconnectingChanged(false);
                fail(QStringLiteral(
                             "The container %1 is gone; its output after what was recorded is lost")
                             .arg(m_containerId.left(12)));
                return;
            }
            scheduleReconnect(result.errorString());
            return;
        }
        const QJsonObject labels = result->value(QLatin1String("Config"))
                                           .toObject()
                                           .value(QLatin1String("Labels"))
                                           .toObject();
        if (labels.value(QLatin1String(Labels::kOwner)).toString()
            != QLatin1String(Labels::kOwnerValue)) {
            m_recovering = false;
            emit reconnectingChanged(false);
            m_error = QStringLiteral(
                              "Container %1 does not carry Parallax's owner label; not touching it")
                              .arg(m_containerId.left(12));
            m_containerId.clear(); // never remove a container that is not ours
            setState(VariationState::Failed);
            emitFinished();
            return;
        }
        const QJsonObject state = result->value(QLatin1String("State")).toObject();
        if (state.value(QLatin1String("Status")).toString() == QLatin1String("created")) {
            // Never started: Docker or Parallax went away between create and start. Its logs are
            // empty and its ExitCode a meaningless 0, so start it now, attached, as at first.
            m_recovering = false;
            emit reconnectingChanged(false);
            if (m_endReason != EndReason::None) { // cancelled meanwhile
                removeAndFinish();
                return;
            }
            m_started = m_streamDone = m_streamCut = m_waitDone = false;
            attachAndStart();
            return;
        }
        followLogs(state.value(QLatin1String("Running")).toBool());
    });
}

void VariationRunner::followLogs(bool follow)
{
    // Docker's logs hold the container's whole output. Skip what is already recorded, by byte
    // offset per stream: exact whatever the timestamps (which can tie, and which Podman treats
    // as exclusive), so nothing is lost and nothing duplicated.
    resetRedactors();
    m_skip[0] = m_writer.rawBytes(StreamType::Stdout);
    m_skip[1] = m_launch.tty ? 0 : m_writer.rawBytes(StreamType::Stderr);
    m_logsFollowed = follow;
    LogsOptions options;
    options.follow = follow;
    options.stderrStream = !m_launch.tty;
    m_stream = m_client->logs(m_containerId, options, m_launch.tty, this);
    connect(m_stream, &ContainerStream::started, this, [this] {
        if (m_recovering) {
            m_recovering = false;
            emit reconnectingChanged(false);
            if (m_state == VariationState::Creating) {
                setState(VariationState::Running);
                m_runningClock.start();
            }
            if (m_endReason != EndReason::None)
                stopContainer(); // cancelled or timed out while Docker was away
        }
    });
    connect(m_stream, &ContainerStream::outputReceived, this, &VariationRunner::onOutput);
    connect(m_stream, &ContainerStream::finished, this, &VariationRunner::onLogsFinished);
}

void VariationRunner::onLogsFinished(const Result<void> &result)
{
    m_stream = nullptr;
    if (!result && result.error().code == -1)
        return;
    if (!result) {
        loseLogs(result.errorString());
        return;
    }
    // The logs end when the container stops - or when the daemon goes away again.
    m_client->inspectContainer(m_containerId, this, [this](const Result<QJsonObject> &inspect) {
        if (!inspect) {
            loseLogs(inspect.errorString());
            return;
        }
        const QJsonObject state = inspect->value(QLatin1String("State")).toObject();
        if (state.value(QLatin1String("Running")).toBool()) {
            loseLogs(QStringLiteral("the log stream ended while the container still runs"));
            return;
        }
        m_exitCode = state.value(QLatin1String("ExitCode")).toInt(-1);
        m_waitDone = m_streamDone = true;
        m_streamCut = false;
        if (m_connectionLostAt.isValid()) {
            const QDateTime finished = dockerTime(state.value(QLatin1String("FinishedAt")));
            const bool signalled = m_exitCode == 137 || m_exitCode == 143 || m_exitCode == 255;
            if (finished.isValid() && finished >= m_connectionLostAt.addSecs(-1) && signalled
                && m_endReason == EndReason::None)
                m_note = QStringLiteral("The container stopped while Docker was unreachable (exit "
                                        "%1): it most likely died with the daemon")
                                 .arg(m_exitCode);
        }
        if (m_logsFollowed) {
            // A follower can miss the last message when it has no newline (moby #43860); a
            // plain read of the stopped container's logs has it.
            followLogs(false);
            return;
        }
        finalize();
    });
}

void VariationRunner::loseLogs(const QString &why)
{
    // After a reconnect this is a new loss, with its own time limit and backoff.
    if (!m_recovering) {
        m_recovering = true;
        m_connectionLostAt = QDateTime::currentDateTimeUtc();
        m_recoveryClock.start();
        m_backoffMs = 0;
        emit reconnectingChanged(true);
    }
    scheduleReconnect(why);
}

void VariationRunner::finalize()
{
    if (m_finalizing || isFinal(m_state))
        return;
    m_finalizing = true;
    m_timeoutTimer.stop();
    for (StreamType stream : {StreamType::Stdout, StreamType::Stderr}) {
        qint64 raw = 0;
        const QByteArray tail = m_redactors[streamIndex(stream)]->finish(&raw);
        if (!tail.isEmpty() || raw > 0) {
            m_writer.append(stream, tail, raw, rfc3339Nanos());
            if (!tail.isEmpty())
                emit outputReceived(stream, tail);
        }
    }
    m_writer.flush();
    m_client->inspectContainer(m_containerId, this, [this](const Result<QJsonObject> &inspect) {
        if (!inspect && inspect.error().code < 0) {
            // Docker went away as the container ended (a daemon that stops without live-restore
            // stops its containers first): wait for it to learn how it ended and to remove it.
            m_finalizing = false;
            enterRecovery(inspect.errorString());
            return;
        }
        completeWith(inspect ? *inspect : QJsonObject());
    });
}

void VariationRunner::completeWith(const QJsonObject &inspect)
{
    const QJsonObject state = inspect.value(QLatin1String("State")).toObject();
    if (!inspect.isEmpty()) {
        m_imageId = inspect.value(QLatin1String("Image")).toString();
        if (m_exitCode < 0)
            m_exitCode = state.value(QLatin1String("ExitCode")).toInt(-1);
    }
    VariationState final = VariationState::Exited;
    if (m_endReason == EndReason::Cancel)
        final = VariationState::Cancelled;
    else if (m_endReason == EndReason::Timeout)
        final = VariationState::TimedOut;
    else if (state.value(QLatin1String("OOMKilled")).toBool())
        final = VariationState::OutOfMemory;
    m_writer.close();
    // A container that exited while we were away (daemon down, Parallax killed) ended when
    // Docker says it did, not when we noticed.
    QDateTime endedAt;
    if (m_connectionLostAt.isValid()) {
        const QDateTime finished = dockerTime(state.value(QLatin1String("FinishedAt")));
        if (finished.isValid() && finished <= QDateTime::currentDateTimeUtc()
            && (m_transitions.isEmpty() || finished >= m_transitions.last().at))
            endedAt = finished;
    }
    setState(final, endedAt);
    collectPatch(inspect, [this] {
        if (m_launch.keepContainer) {
            emitFinished();
            return;
        }
        m_client->removeContainer(m_containerId, true, this, [this](const Result<void> &removed) {
            if (!removed && removed.error().code != 404)
                m_note = QStringLiteral("Could not remove container %1: %2")
                                 .arg(m_containerId.left(12), removed.errorString());
            emitFinished();
        });
    });
}

void VariationRunner::collectPatch(const QJsonObject &inspect, std::function<void()> then)
{
    if (m_containerId.isEmpty()) {
        then();
        return;
    }
    QString workdir = m_launch.workdir;
    if (workdir.isEmpty())
        workdir = inspect.value(QLatin1String("Config"))
                          .toObject()
                          .value(QLatin1String("WorkingDir"))
                          .toString();
    if (workdir.isEmpty())
        workdir = QStringLiteral("/workspace");
    while (workdir.endsWith(QLatin1Char('/')))
        workdir.chop(1); // "/" becomes "", so the path below never has "//"
    const QString path = workdir + QStringLiteral("/.parallax/changes.patch");
    // The archive endpoint works on a stopped container; 404 means the agent wrote no patch.
    m_client->getArchive(
            m_containerId, path, this, [this, path, then](const Result<QByteArray> &archive) {
                if (!archive) {
                    if (archive.error().code != 404)
                        addNote(QStringLiteral("Could not fetch the workspace patch %1: %2")
                                        .arg(path, archive.errorString()));
                    then();
                    return;
                }
                const Result<QByteArray> file = TarReader::singleFile(*archive);
                if (!file) {
                    addNote(QStringLiteral("Could not read the workspace patch %1: %2")
                                    .arg(path, file.errorString()));
                    then();
                    return;
                }
                const QByteArray patch = SecretRedactor::redact(*file, m_launch.secretValues);
                const QString name = m_launch.name + QStringLiteral(".patch");
                // No fsync (writeFileAtomically): variations of a run end in bursts, on the GUI
                // thread.
                if (const Result<void> saved
                    = writeFileAtomically(QDir(m_launch.runDir).absoluteFilePath(name), patch);
                    !saved) {
                    addNote(QStringLiteral("Could not save the workspace patch: %1")
                                    .arg(saved.errorString()));
                    then();
                    return;
                }
                const PatchStats stats = patchStats(patch);
                m_patchFile = name;
                m_filesChanged = stats.files;
                m_insertions = stats.insertions;
                m_deletions = stats.deletions;
                then();
            });
}

void VariationRunner::addNote(const QString &note)
{
    m_note = m_note.isEmpty() ? note : m_note + QStringLiteral("; ") + note;
}

QString VariationRunner::patchPath() const
{
    return m_patchFile.isEmpty() ? QString() : QDir(m_launch.runDir).absoluteFilePath(m_patchFile);
}

void VariationRunner::removeAndFinish()
{
    m_finalizing = true;
    m_client->removeContainer(m_containerId, true, this, [this](const Result<void> &) {
        setState(m_endReason == EndReason::Timeout ? VariationState::TimedOut
                                                   : VariationState::Cancelled);
        emitFinished();
    });
}

QJsonObject VariationRunner::record() const
{
    QJsonObject o;
    o.insert(QLatin1String("name"), m_launch.name);
    o.insert(QLatin1String("image"), m_launch.image);
    o.insert(QLatin1String("container_id"), m_containerId);
    o.insert(QLatin1String("container_name"),
             QStringLiteral("parallax-%1-%2").arg(m_launch.runId, m_launch.name));
    o.insert(QLatin1String("image_id"), m_imageId);
    o.insert(QLatin1String("state"), stateName(m_state));
    o.insert(QLatin1String("exit_code"),
             m_exitCode >= 0 && isFinal(m_state) ? QJsonValue(m_exitCode) : QJsonValue());
    if (!m_error.isEmpty())
        o.insert(QLatin1String("error"), m_error);
    if (!m_note.isEmpty())
        o.insert(QLatin1String("note"), m_note);
    QJsonArray transitions;
    for (const StateTransition &t : m_transitions)
        transitions.append(QJsonObject{{QLatin1String("state"), stateName(t.state)},
                                       {QLatin1String("at"), t.at.toString(Qt::ISODateWithMs)}});
    o.insert(QLatin1String("transitions"), transitions);
    const QDateTime started = startedAt();
    o.insert(QLatin1String("started_at"),
             started.isValid() ? QJsonValue(started.toString(Qt::ISODateWithMs)) : QJsonValue());
    const QDateTime ended = finishedAt();
    o.insert(QLatin1String("finished_at"),
             ended.isValid() ? QJsonValue(ended.toString(Qt::ISODateWithMs)) : QJsonValue());
    o.insert(QLatin1String("duration_ms"), durationMs());
    o.insert(QLatin1String("stdout_bytes"), bytes(StreamType::Stdout));
    o.insert(QLatin1String("stderr_bytes"), bytes(StreamType::Stderr));
    o.insert(QLatin1String("stdout_lines"), lines(StreamType::Stdout));
    o.insert(QLatin1String("stderr_lines"), lines(StreamType::Stderr));
    o.insert(QLatin1String("transcript"), m_launch.name + QStringLiteral(".jsonl"));
    o.insert(QLatin1String("log"), m_launch.name + QStringLiteral(".log"));
    if (!m_patchFile.isEmpty()) {
        o.insert(QLatin1String("patch"), m_patchFile);
        o.insert(QLatin1String("files_changed"), m_filesChanged);
        o.insert(QLatin1String("insertions"), m_insertions);
        o.insert(QLatin1String("deletions"), m_deletions);
    }
    return o;
}

void VariationRunner::restore(const QJsonObject &record)
{
    m_transitions.clear();
    for (const QJsonValue &value : record.value(QLatin1String("transitions")).toArray()) {
        const QJsonObject t = value.toObject();
        m_transitions.append({stateFromName(t.value(QLatin1String("state")).toString()),
                              QDateTime::fromString(t.value(QLatin1String("at")).toString(),
                                                    Qt::ISODateWithMs)});
    }
    if (m_transitions.isEmpty())
        m_transitions.append({VariationState::Pending, QDateTime::currentDateTimeUtc()});
    m_state = m_transitions.last().state;
    m_containerId = record.value(QLatin1String("container_id")).toString();
    m_imageId = record.value(QLatin1String("image_id")).toString();
    m_exitCode = record.value(QLatin1String("exit_code")).toInt(-1);
    m_error = record.value(QLatin1String("error")).toString();
    m_note = record.value(QLatin1String("note")).toString();
    m_patchFile = QFileInfo(record.value(QLatin1String("patch")).toString()).fileName();
    m_filesChanged = record.value(QLatin1String("files_changed")).toInt();
    m_insertions = record.value(QLatin1String("insertions")).toInt();
    m_deletions = record.value(QLatin1String("deletions")).toInt();
    openTranscript();
    if (isFinal(m_state))
        m_writer.close();
}

void VariationRunner::resume(const QString &containerId)
{
    m_containerId = containerId;
    if (!openTranscript()) {
        setState(VariationState::Failed);
        emitFinished();
        return;
    }
    m_started = true;
    if (m_state == VariationState::Pending)
        setState(VariationState::Creating);
    if (m_state == VariationState::Running)
        m_runningClock.start();
    enterRecovery(QStringLiteral("resuming an interrupted run"));
}

void VariationRunner::emitFinished()
{
    m_writer.close();
    emit finished();
}

} // namespace Parallax

#pragma once

#include "runspec.h"
#include "variationstate.h"

#include "docker/dockertypes.h"
#include "transcript/secretredactor.h"
#include "transcript/transcriptwriter.h"
#include "util/result.h"
#include "util/streamtype.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <memory>

namespace Parallax {

class ContainerStream;
class DockerClient;
class DockerReply;

// Labels every Parallax container carries; Parallax only ever acts on containers with kOwnerLabel.
namespace Labels {
inline constexpr char kOwner[] = "io.parallax.owner";
inline constexpr char kOwnerValue[] = "parallax";
inline constexpr char kRun[] = "io.parallax.run";
inline constexpr char kVariation[] = "io.parallax.variation";
} // namespace Labels

// Everything one variation's container is made from, resolved from the spec at launch.
struct VariationLaunch
{
    QString runId;
    QString runDir;
    QString name;
    QString image;
    QStringList command;
    QStringList env; // "KEY=value", PARALLAX_* and secret values included
    QString workdir;
    bool tty = false;
    QString networkMode; // HostConfig.NetworkMode: empty (Docker's default), "none" or "host"
    ResourceLimits limits;
    bool keepContainer = false;
    QList<QByteArray> secretValues;
    int stopGraceSeconds = 5;
};

// One variation's life: creates its container, attaches before starting it (as `docker run`
// does, so no byte is missed), records every chunk to its transcript as it arrives (secret
// values masked), and follows it to a final state. When the daemon connection drops it
// reconnects with backoff and continues from the container's logs, skipping by byte offset
// exactly what was already recorded. Owned by a Run; main thread.
class VariationRunner : public QObject
{
    Q_OBJECT
public:
    static constexpr int kRecoveryLimitMs = 10 * 60 * 1000;

    VariationRunner(DockerClient *client, VariationLaunch launch, QObject *parent = nullptr);
    ~VariationRunner() override;

    void start();
    // Continues an interrupted variation whose container may still run (parallax resume).
    void resume(const QString &containerId);
    // Stops with the grace period, then kills, then removes; the transcript stays complete.
    void cancel();
    // Marks a variation that never got a container as failed, without touching Docker.
    void abandon(const QString &reason);
    // This variation as run.json records it, and the inverse for `resume` (which also reopens
    // the transcript, repairing a torn last line).
    QJsonObject record() const;
    void restore(const QJsonObject &record);

    QString name() const { return m_launch.name; }
    const VariationLaunch &launch() const { return m_launch; }
    VariationState state() const { return m_state; }
    int exitCode() const { return m_exitCode; }
    QString error() const { return m_error; }
    QString note() const { return m_note; }
    QString containerId() const { return m_containerId; }
    QString imageId() const { return m_imageId; }
    bool isReconnecting() const { return m_recovering; }
    const QList<StateTransition> &transitions() const { return m_transitions; }
    QDateTime startedAt() const;  // entered Running
    QDateTime finishedAt() const; // entered its final state
    qint64 durationMs() const;
    qint64 bytes(StreamType stream) const { return m_writer.bytes(stream); }
    qint64 lines(StreamType stream) const { return m_writer.lines(stream); }
    QString transcriptPath() const { return m_writer.jsonlPath(); }
    QString logPath() const { return m_writer.logPath(); }
    // The workspace patch the agent left (docs/agent-contract.md), once finished; empty: none.
    QString patchPath() const;

signals:
    void stateChanged(Parallax::VariationState state);
    void outputReceived(Parallax::StreamType stream, const QByteArray &data); // masked
    void containerCreated(const QString &id);
    void reconnectingChanged(bool reconnecting);
    void finished();

private:
    enum class EndReason { None, Cancel, Timeout };

    bool openTranscript();
    void resetRedactors();
    void setState(VariationState state, const QDateTime &at = {});
    void onCreated(const Result<QString> &result);
    void attachAndStart();
    void onOutput(StreamType stream, const QByteArray &data);
    void onAttachFinished(const Result<void> &result);
    void onWaitFinished(const Result<WaitResult> &result);
    void maybeFinish();
    void stopContainer();
    void fail(const QString &reason);
    void dropStreams();

    void enterRecovery(const QString &why);
    void attemptReconnect();
    void scheduleReconnect(const QString &why);
    void inspectForRecovery();
    void followLogs(bool follow);
    void onLogsFinished(const Result<void> &result);
    void loseLogs(const QString &why);

    void finalize();
    void completeWith(const QJsonObject &inspect);
    void collectPatch(const QJsonObject &inspect, std::function<void()> then);
    void addNote(const QString &note);
    void removeAndFinish();
    void emitFinished();

    DockerClient *m_client;
    VariationLaunch m_launch;
    VariationState m_state = VariationState::Pending;
    QList<StateTransition> m_transitions;
    int m_exitCode = -1;
    QString m_error;
    QString m_note;
    QString m_containerId;
    QString m_imageId;
    QString m_patchFile; // "<variation>.patch" in the run folder, once collected
    int m_filesChanged = 0;
    int m_insertions = 0;
    int m_deletions = 0;

    TranscriptWriter m_writer;
    std::unique_ptr<SecretRedactor> m_redactors[2];
    qint64 m_skip[2] = {0, 0};
    bool m_writeErrorReported = false;

    QPointer<ContainerStream> m_stream;
    QPointer<DockerReply> m_waitReply;
    bool m_streamDone = false;
    bool m_streamCut = false;
    bool m_waitDone = false;
    bool m_started = false;
    bool m_createLookedUp = false;
    bool m_finalizing = false;
    EndReason m_endReason = EndReason::None;
    bool m_stopSent = false;

    bool m_recovering = false;
    bool m_logsFollowed = false; // the last logs read followed a running container
    QElapsedTimer m_recoveryClock;
    QDateTime m_connectionLostAt;
    int m_backoffMs = 0;
    QString m_lastRecoveryError;
    QTimer m_timeoutTimer;
    QElapsedTimer m_runningClock;
};

} // namespace Parallax

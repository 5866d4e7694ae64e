#pragma once

#include "runspec.h"
#include "statssampler.h"
#include "variationrunner.h"

#include <QDateTime>
#include <QJsonObject>
#include <QLockFile>
#include <QObject>
#include <QProcessEnvironment>
#include <QSet>
#include <QTimer>

#include <memory>

namespace Parallax {

class DockerClient;
class HistoryDb;

struct RunOptions
{
    QString outDir;      // the run folder; empty: <AppDataLocation>/runs/<run-id>
    int parallelism = 0; // how many variations start at once; 0: all
    int stopGraceSeconds = 5;
    QString specPath; // where the spec came from, for the record
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment(); // secret values
};

// A run: one spec launched as N variations in parallel, each in its own container, each
// recorded to <run folder>/<variation>.jsonl as its bytes arrive. Writes run.json at every
// state change (atomically) so that a killed process can be resumed. Owns its runners; main
// thread. Used by `parallax run`, `parallax resume` and the window alike.
class Run : public QObject
{
    Q_OBJECT
public:
    // How long a state change may wait before run.json records it (final states do not wait).
    static constexpr int SaveDelayMs = 100;

    Run(DockerClient *client, RunSpec spec, RunOptions options = {}, QObject *parent = nullptr);

    // Validates what only launch time knows (secret values present, run folder writable),
    // then starts the variations. On such an error nothing is started and finished() follows.
    void start();
    // Loads an interrupted run from its folder, finds its labelled containers and completes
    // each unfinished variation's transcript from its container's logs.
    static Result<Run *> resume(DockerClient *client,
                                const QString &runDir,
                                QObject *parent = nullptr,
                                const QProcessEnvironment &environment
                                = QProcessEnvironment::systemEnvironment());
    void cancel(); // every variation
    void cancel(int variation);

    QString id() const { return m_id; }
    QString directory() const { return m_dir; }
    const RunSpec &spec() const { return m_spec; }
    QList<VariationRunner *> variations() const { return m_runners; }
    VariationRunner *variation(int index) const { return m_runners.value(index); }
    // The variation's live CPU and memory use, followed while its container runs.
    StatsSampler *statsSampler(int index) const { return m_samplers.value(index); }
    bool isFinished() const { return m_finished; }
    bool wasCancelled() const { return m_cancelled; }
    QString error() const { return m_error; } // a launch error (no variation started)
    QDateTime startedAt() const { return m_startedAt; }
    QDateTime finishedAt() const { return m_finishedAt; }
    bool allSucceeded() const;  // every variation exited 0
    QJsonObject toJson() const; // run.json
    // Queues run.json on the writer thread (and, with toHistory, records the run in the history).
    void saveRecord(bool toHistory = false);
    // A save soon, for the bursts of state changes a launch makes (one write for all of them).
    void scheduleSave();
    // Records the run in the history database at every save of run.json (not owned; may be null).
    void setHistory(HistoryDb *history) { m_history = history; }

    static QString newRunId();
    static QString defaultRunsDirectory();
    static QList<QByteArray>
    secretValues(const RunSpec &spec, const QProcessEnvironment &env, QStringList *missing);
    // "ANTHROPIC_API_KEY is not set: add it in Run ▸ Secrets… or export it" (several: "A, B
    // are not set: add them ..."). Said before anything is built or started.
    static QString missingSecretsMessage(const QStringList &missing);

signals:
    void variationStateChanged(int variation, Parallax::VariationState state);
    void outputReceived(int variation, Parallax::StreamType stream, const QByteArray &data);
    void reconnectingChanged(int variation, bool reconnecting);
    void finished();

private:
    void addRunner(const VariationLaunch &launch);
    void startNext();
    void onRunnerFinished(VariationRunner *runner);
    void finishRun();
    bool lockFolder();
    VariationLaunch makeLaunch(const ResolvedVariation &variation,
                               const QList<QByteArray> &secrets) const;

    DockerClient *m_client;
    HistoryDb *m_history = nullptr;
    RunSpec m_spec;
    RunOptions m_options;
    QString m_id;
    QString m_dir;
    QList<VariationRunner *> m_runners;
    QList<StatsSampler *> m_samplers;      // parallel to m_runners
    QList<QByteArray> m_secretValues;      // masked wherever run.json would repeat them
    static constexpr int kMaxStarting = 2; // containers being created/started at once
    int m_nextToStart = 0;
    QSet<VariationRunner *> m_active; // started and not finished
    bool m_started = false;
    bool m_finished = false;
    bool m_cancelled = false;
    bool m_resumed = false;
    QString m_error;
    std::unique_ptr<QLockFile> m_lock; // one process records a run at a time
    QTimer m_saveTimer;                // scheduleSave()
    QDateTime m_startedAt;
    QDateTime m_finishedAt;
};

} // namespace Parallax

#include "run.h"

#include "runfolder.h"
#include "runlogging.h"

#include "docker/dockerclient.h"
#include "history/historydb.h"
#include "transcript/secretredactor.h"
#include "util/backgroundwriter.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QStandardPaths>

namespace Parallax {

static constexpr int kRunFormat = 1;

Run::Run(DockerClient *client, RunSpec spec, RunOptions options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_spec(std::move(spec))
    , m_options(std::move(options))
    , m_id(newRunId())
{
    m_dir = m_options.outDir.isEmpty() ? defaultRunsDirectory() + QLatin1Char('/') + m_id
                                       : QDir(m_options.outDir).absolutePath();
    m_saveTimer.setSingleShot(true);
    m_saveTimer.setInterval(SaveDelayMs);
    connect(&m_saveTimer, &QTimer::timeout, this, [this] { saveRecord(); });
}

QString Run::newRunId()
{
    // Sortable by time, unique enough for one user's machine, valid in container names.
    return QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"))
           + QStringLiteral("-%1").arg(
                   QRandomGenerator::global()->bounded(0x10000), 4, 16, QLatin1Char('0'));
}

QString Run::defaultRunsDirectory()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
           + QStringLiteral("/runs");
}

QString Run::missingSecretsMessage(const QStringList &missing)
{
    if (missing.size() == 1)
        return QStringLiteral("%1 is not set: add it in Run \u25B8 Secrets\u2026 or export it")
                .arg(missing.first());
    return QStringLiteral("%1 are not set: add them in Run \u25B8 Secrets\u2026 or export them")
            .arg(missing.join(QLatin1String(", ")));
}

QList<QByteArray>
Run::secretValues(const RunSpec &spec, const QProcessEnvironment &env, QStringList *missing)
{
    QList<QByteArray> values;
    for (const QString &name : spec.secrets) {
        if (!env.contains(name) || env.value(name).isEmpty()) {
            if (missing)
                missing->append(name);
            continue;
        }
        values.append(env.value(name).toUtf8());
    }
    return values;
}

bool Run::allSucceeded() const
{
    if (m_runners.isEmpty() || !m_error.isEmpty())
        return false;
    for (const VariationRunner *runner : m_runners) {
        if (runner->state() != VariationState::Exited || runner->exitCode() != 0)
            return false;
    }
    return true;
}

void Run::addRunner(const VariationLaunch &launch)
{
    auto *runner = new VariationRunner(m_client, launch, this);
    const int index = int(m_runners.size());
    m_runners.append(runner);
    auto *sampler = new StatsSampler(m_client, this);
    m_samplers.append(sampler);
    connect(runner,
            &VariationRunner::stateChanged,
            sampler,
            [runner, sampler](VariationState state) {
                if (state == VariationState::Running && !sampler->isRunning())
                    sampler->start(runner->containerId());
                else if (isFinal(state))
                    sampler->stop();
            });
    connect(runner, &VariationRunner::stateChanged, this, [this, index](VariationState state) {
        scheduleSave();
        emit variationStateChanged(index, state);
        if (state == VariationState::Running && !m_cancelled)
            startNext(); // a start slot is free
    });
    connect(runner, &VariationRunner::containerCreated, this, &Run::scheduleSave);
    connect(runner,
            &VariationRunner::outputReceived,
            this,
            [this, index](StreamType stream, const QByteArray &data) {
                emit outputReceived(index, stream, data);
            });
    connect(runner, &VariationRunner::reconnectingChanged, this, [this, index](bool reconnecting) {
        emit reconnectingChanged(index, reconnecting);
    });
    connect(runner, &VariationRunner::finished, this, [this, runner] { onRunnerFinished(runner); });
}

void Run::start()
{
    if (m_started)
        return;
    m_started = true;
    if (!m_startedAt.isValid())
        m_startedAt = QDateTime::currentDateTimeUtc();

    if (m_resumed) {
        if (!lockFolder()) {
            m_finished = true;
            emit finished();
            return;
        }
        for (VariationRunner *runner : m_runners) {
            if (isFinal(runner->state()))
                continue;
            // One that never left the queue waits for a slot again, under the run's -j cap.
            if (runner->state() == VariationState::Pending && runner->containerId().isEmpty())
                continue;
            m_active.insert(runner);
            if (!runner->containerId().isEmpty()) {
                runner->resume(runner->containerId());
                if (StatsSampler *sampler = m_samplers.value(m_runners.indexOf(runner)))
                    sampler->start(runner->containerId());
                continue;
            }
            // Killed between create and the record of its id: find it by its labels.
            const QStringList labels{
                    QStringLiteral("%1=%2").arg(QLatin1String(Labels::kOwner),
                                                QLatin1String(Labels::kOwnerValue)),
                    QStringLiteral("%1=%2").arg(QLatin1String(Labels::kRun), m_id),
                    QStringLiteral("%1=%2").arg(QLatin1String(Labels::kVariation), runner->name())};
            m_client->listContainers(
                    labels, true, runner, [runner](const Result<QList<ContainerSummary>> &found) {
                        if (found && !found->isEmpty())
                            runner->resume(found->first().id);
                        else if (found)
                            runner->start(); // it never got a container (or waited behind -j):
                                             // start it now
                        else
                            runner->abandon(found.errorString());
                    });
        }
        m_nextToStart = 0;
        startNext();
        saveRecord(true);
        if (m_active.isEmpty())
            finishRun();
        return;
    }

    QStringList missing;
    const QList<QByteArray> secrets = secretValues(m_spec, m_options.environment, &missing);
    m_secretValues = secrets;
    if (!missing.isEmpty()) {
        m_error = missingSecretsMessage(missing);
    } else if (QFile::exists(m_dir + QStringLiteral("/run.json"))) {
        m_error = QStringLiteral("%1 already holds a run; choose another folder").arg(m_dir);
    } else if (!QDir().mkpath(m_dir)) {
        m_error = QStringLiteral("Cannot create the run folder %1").arg(m_dir);
    } else {
        lockFolder();
    }
    if (!m_error.isEmpty()) {
        m_finished = true;
        emit finished();
        return;
    }

    for (const ResolvedVariation &variation : m_spec.resolvedVariations())
        addRunner(makeLaunch(variation, secrets));
    saveRecord(true);
    startNext();
}

VariationLaunch Run::makeLaunch(const ResolvedVariation &variation,
                                const QList<QByteArray> &secrets) const
{
    VariationLaunch launch;
    launch.runId = m_id;
    launch.runDir = m_dir;
    launch.name = variation.name;
    launch.image = variation.image;
    launch.command = variation.command;
    for (auto it = variation.env.cbegin(); it != variation.env.cend(); ++it)
        launch.env.append(it.key() + QLatin1Char('=') + it.value());
    // Data reaches the agent as variables, never spliced into a shell string.
    if (!m_spec.prompt.isEmpty())
        launch.env.append(QStringLiteral("PARALLAX_PROMPT=") + m_spec.prompt);
    if (m_spec.repo) {
        launch.env.append(QStringLiteral("PARALLAX_REPO_URL=") + m_spec.repo->url);
        if (!m_spec.repo->ref.isEmpty())
            launch.env.append(QStringLiteral("PARALLAX_REPO_REF=") + m_spec.repo->ref);
    }
    launch.env.append(QStringLiteral("PARALLAX_VARIATION=") + variation.name);
    for (const QString &name : m_spec.secrets)
        launch.env.append(name + QLatin1Char('=') + m_options.environment.value(name));
    launch.workdir = m_spec.workdir;
    launch.tty = m_spec.tty;
    if (m_spec.network != QLatin1String("default"))
        launch.networkMode = m_spec.network;
    launch.limits = m_spec.limits;
    if (launch.limits.pids <= 0)
        launch.limits.pids = 1024; // a fork bomb must not take the machine down
    launch.keepContainer = m_spec.keepContainers;
    launch.secretValues = secrets;
    launch.stopGraceSeconds = m_options.stopGraceSeconds;
    return launch;
}

bool Run::lockFolder()
{
    m_lock = std::make_unique<QLockFile>(m_dir + QStringLiteral("/.lock"));
    m_lock->setStaleLockTime(0); // a lock whose process died is stale at once
    if (m_lock->tryLock(0))
        return true;
    qint64 pid = 0;
    QString host, app;
    m_lock->getLockInfo(&pid, &host, &app);
    m_error = QStringLiteral("Run %1 is being recorded by another Parallax process (pid %2)")
                      .arg(m_id)
                      .arg(pid);
    m_lock.reset();
    return false;
}

void Run::startNext()
{
    const int cap = m_options.parallelism > 0 ? m_options.parallelism : int(m_runners.size());
    // Containers are created and started a few at a time (each is a burst of runc, mounts and
    // cgroup work in the daemon); the next one begins as one of them is running.
    int starting = 0;
    for (const VariationRunner *runner : std::as_const(m_active))
        starting += runner->state() == VariationState::Pending
                    || runner->state() == VariationState::Creating;
    while (m_nextToStart < m_runners.size() && m_active.size() < cap && starting < kMaxStarting) {
        VariationRunner *runner = m_runners[m_nextToStart++];
        if (isFinal(runner->state()) || m_active.contains(runner))
            continue; // cancelled while pending, or a resumed one already under way
        m_active.insert(runner);
        runner->start();
        starting += runner->state() == VariationState::Pending
                    || runner->state() == VariationState::Creating;
    }
}

void Run::onRunnerFinished(VariationRunner *runner)
{
    // A variation cancelled while pending finishes too, but it never took a slot.
    m_active.remove(runner);
    saveRecord(true);
    if (!m_cancelled)
        startNext();
    if (m_active.isEmpty() && (m_cancelled || m_nextToStart >= m_runners.size())) {
        bool allFinal = true;
        for (const VariationRunner *other : m_runners)
            allFinal = allFinal && isFinal(other->state());
        if (allFinal)
            finishRun();
    }
}

void Run::finishRun()
{
    if (m_finished)
        return;
    m_finished = true;
    m_finishedAt = QDateTime::currentDateTimeUtc();
    saveRecord(true);
    m_lock.reset();
    emit finished();
}

void Run::cancel()
{
    if (m_finished)
        return;
    m_cancelled = true;
    for (VariationRunner *runner : m_runners)
        runner->cancel();
}

void Run::cancel(int variation)
{
    if (VariationRunner *runner = m_runners.value(variation))
        runner->cancel();
}

QJsonObject Run::toJson() const
{
    QJsonObject o;
    o.insert(QLatin1String("format"), kRunFormat);
    o.insert(QLatin1String("run_id"), m_id);
    o.insert(QLatin1String("name"), m_spec.name);
    // The spec holds secret names only, but a value may still have been typed into the prompt
    // or an env value: mask it like the transcripts.
    o.insert(QLatin1String("spec"),
             m_secretValues.isEmpty()
                     ? QJsonValue(m_spec.toJson())
                     : SecretRedactor::redactJson(m_spec.toJson(), m_secretValues));
    if (!m_options.specPath.isEmpty())
        o.insert(QLatin1String("spec_path"), m_options.specPath);
    if (m_options.parallelism > 0)
        o.insert(QLatin1String("parallelism"), m_options.parallelism);
    o.insert(QLatin1String("state"),
             m_finished ? (m_cancelled ? QStringLiteral("cancelled") : QStringLiteral("finished"))
                        : QStringLiteral("running"));
    o.insert(QLatin1String("started_at"), m_startedAt.toString(Qt::ISODateWithMs));
    o.insert(QLatin1String("finished_at"),
             m_finishedAt.isValid() ? QJsonValue(m_finishedAt.toString(Qt::ISODateWithMs))
                                    : QJsonValue());
    o.insert(QLatin1String("docker"),
             QJsonObject{{QLatin1String("endpoint"), m_client->endpoint().url()},
                         {QLatin1String("api_version"), m_client->apiVersion()}});
    QJsonArray variations;
    for (qsizetype i = 0; i < m_runners.size(); ++i) {
        QJsonObject variation = m_runners[i]->record();
        if (const StatsSampler *sampler = m_samplers.value(i); sampler && sampler->hasPeaks()) {
            variation.insert(QLatin1String("cpu_peak_percent"),
                             qRound(sampler->cpuPeakPercent() * 10) / 10.0);
            variation.insert(QLatin1String("memory_peak_bytes"), sampler->memoryPeakBytes());
        }
        variations.append(variation);
    }
    o.insert(QLatin1String("variations"), variations);
    return o;
}

void Run::scheduleSave()
{
    if (!m_saveTimer.isActive())
        m_saveTimer.start();
}

void Run::saveRecord(bool toHistory)
{
    m_saveTimer.stop(); // this save covers any that was scheduled
    if (m_dir.isEmpty() || !QDir(m_dir).exists())
        return;
    const QJsonObject record = toJson();
    // Replaced atomically, without an fsync and on the writer thread: this runs on the GUI
    // thread at every burst of state changes, where an fsync stalled the window for up to
    // 450 ms and a plain rename(2) for 47 ms (32 variations on a busy disk). A failure is
    // logged by the writer.
    BackgroundWriter::instance().replace(m_dir + QStringLiteral("/run.json"),
                                         QJsonDocument(record).toJson(QJsonDocument::Indented));
    // History is a convenience: failing to record there never fails the run. It is written at
    // the start, as each variation ends and at the end - not at every state change, since a
    // database commit is far slower than run.json and a burst of 16 launches must not stall.
    if (toHistory && m_history) {
        const Result<void> recorded = m_history->recordRun(record, m_dir);
        if (!recorded)
            qCWarning(lcRun) << recorded.errorString();
    }
}

Result<Run *> Run::resume(DockerClient *client,
                          const QString &runDir,
                          QObject *parent,
                          const QProcessEnvironment &environment)
{
    const QString path = QDir(runDir).absoluteFilePath(QStringLiteral("run.json"));
    const Result<QJsonObject> read = readRunJson(runDir);
    if (!read)
        return read.error();
    const QJsonObject record = *read;
    const Result<RunSpec> spec = RunSpec::fromJson(
            QJsonDocument(record.value(QLatin1String("spec")).toObject()).toJson());
    if (!spec)
        return Error{QStringLiteral("%1 holds a spec Parallax cannot read: %2")
                             .arg(path, spec.errorString()),
                     2};

    RunOptions options;
    options.outDir = QDir(runDir).absolutePath();
    options.specPath = record.value(QLatin1String("spec_path")).toString();
    options.environment = environment;
    options.parallelism = record.value(QLatin1String("parallelism")).toInt(0);
    auto *run = new Run(client, *spec, options, parent);
    run->m_id = record.value(QLatin1String("run_id")).toString();
    run->m_resumed = true;
    run->m_startedAt = QDateTime::fromString(record.value(QLatin1String("started_at")).toString(),
                                             Qt::ISODateWithMs);

    QStringList missing;
    const QList<QByteArray> secrets = secretValues(*spec, environment, &missing);
    run->m_secretValues = secrets;
    if (!missing.isEmpty())
        qCWarning(lcRun)
                << "secrets not set, their values cannot be masked in the rest of the transcripts:"
                << missing;

    const QList<ResolvedVariation> resolved = spec->resolvedVariations();
    for (const QJsonValue &value : record.value(QLatin1String("variations")).toArray()) {
        const QJsonObject v = value.toObject();
        const QString name = v.value(QLatin1String("name")).toString();
        ResolvedVariation variation;
        for (const ResolvedVariation &candidate : resolved) {
            if (candidate.name == name)
                variation = candidate;
        }
        if (variation.name.isEmpty()) { // not in the spec any more: enough to follow its container
            variation.name = name;
            variation.image = v.value(QLatin1String("image")).toString();
        }
        run->addRunner(run->makeLaunch(variation, secrets));
        run->m_runners.last()->restore(v);
        run->m_samplers.last()->seedPeaks(
                v.value(QLatin1String("cpu_peak_percent")).toDouble(),
                qint64(v.value(QLatin1String("memory_peak_bytes")).toDouble()));
    }
    return run;
}

} // namespace Parallax

#pragma once

// Shared helpers for the tests of runs against a real Docker daemon (tst_run drives Run in
// process, tst_runcli the `parallax` executable): the docker CLI as a reference for what a
// container prints, finding and removing the containers of the runs a test made (by their
// io.parallax.run label, so suites running at the same time never touch each other's), run
// folders, and receipt times. Header-only and test-only.

#include "docker/dockerclient.h"
#include "docker/syncwait.h"
#include "run/variationrunner.h"
#include "transcript/transcriptreader.h"
#include "util/backgroundwriter.h"
#include "util/clock.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QRegularExpression>
#include <QStringList>

#include <memory>

namespace Parallax::RunTest {

inline QString demoImage()
{
    return QStringLiteral(PARALLAX_DEMO_IMAGE);
}

// The label that marks the docker CLI's reference containers of one test binary.
inline QString referenceLabel(const QString &testName)
{
    return QStringLiteral("parallax.test=") + testName;
}

// The filter for every container of one run.
inline QString runFilter(const QString &runId)
{
    return QString::fromLatin1(Labels::kRun) + QLatin1Char('=') + runId;
}

// Every container, running or not, that carries all the given labels ("key=value").
inline Result<QList<ContainerSummary>> labelledContainers(DockerClient &client,
                                                          const QStringList &labels)
{
    return syncCall<QList<ContainerSummary>>(
            [&](QObject *context, DockerClient::Callback<QList<ContainerSummary>> done) {
                client.listContainers(labels, true, context, done);
            });
}

inline Result<QList<ContainerSummary>> runContainers(DockerClient &client, const QString &runId)
{
    return labelledContainers(client, {runFilter(runId)});
}

// Force-removes every container that carries the labels, running or not; 404 (gone meanwhile)
// is fine. Returns how many were removed, or the first error.
inline Result<int> removeLabelledContainers(DockerClient &client, const QStringList &labels)
{
    const Result<QList<ContainerSummary>> list = labelledContainers(client, labels);
    if (!list)
        return Error{QStringLiteral("listing %1 failed: %2")
                             .arg(labels.join(QLatin1Char(',')), list.errorString()),
                     list.error().code};
    int removed = 0;
    for (const ContainerSummary &container : *list) {
        const Result<void> result
                = syncCall<void>([&](QObject *context, DockerClient::Callback<void> done) {
                      client.removeContainer(container.id, true, context, done);
                  });
        if (!result && result.error().code != 404)
            return Error{QStringLiteral("removing %1 failed: %2")
                                 .arg(container.id.left(12), result.errorString()),
                         result.error().code};
        ++removed;
    }
    return removed;
}

// Removes every container of the given runs; how many, or the first error.
inline Result<int> removeRunContainers(DockerClient &client, const QStringList &runIds)
{
    int removed = 0;
    for (const QString &runId : runIds) {
        const Result<int> result = removeLabelledContainers(client, {runFilter(runId)});
        if (!result)
            return result;
        removed += *result;
    }
    return removed;
}

// What one `docker run --rm` printed, stdout and stderr captured separately.
struct CliOutput
{
    QByteArray out;
    QByteArray err;
    int exitCode = -1;
    QString error; // set when the docker CLI could not be run or did not finish
};

// Starts `docker run --rm --label parallax.test=<testName> -e ENV... IMAGE [command...]`: the
// docker CLI as the reference for what the container prints. The label lets the test's
// cleanup remove the container if the CLI is killed before its --rm does.
inline std::unique_ptr<QProcess> startDockerRun(const QString &testName,
                                                const QStringList &env,
                                                const QStringList &command = {},
                                                const QString &image = demoImage())
{
    QStringList args{QStringLiteral("run"),
                     QStringLiteral("--rm"),
                     QStringLiteral("--label"),
                     referenceLabel(testName)};
    for (const QString &assignment : env)
        args << QStringLiteral("-e") << assignment;
    args << image << command;
    auto process = std::make_unique<QProcess>();
    process->setProgram(QStringLiteral("docker"));
    process->setArguments(args);
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->start();
    return process;
}

inline CliOutput finishDockerRun(QProcess &process, int timeoutMs = 60000)
{
    CliOutput output;
    if (!process.waitForStarted(10000)) {
        output.error = QStringLiteral("cannot run the docker CLI: %1").arg(process.errorString());
        return output;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5000);
        output.error
                = QStringLiteral("docker run did not finish within %1 s").arg(timeoutMs / 1000);
        return output;
    }
    output.out = process.readAllStandardOutput();
    output.err = process.readAllStandardError();
    output.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    return output;
}

// The run folder's run.json, or an empty object (after what this process's writer thread
// still had queued, as every reader in the product waits for).
inline QJsonObject readRunJson(const QString &runDir)
{
    BackgroundWriter::instance().drain();
    QFile file(runDir + QStringLiteral("/run.json"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

inline QByteArray readFile(const QString &path)
{
    BackgroundWriter::instance().drain();
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Every record of a transcript, in order (empty when it cannot be read).
inline QList<TranscriptChunk> readChunks(const QString &jsonlPath, QString *error = nullptr)
{
    QList<TranscriptChunk> chunks;
    TranscriptReader reader;
    if (const Result<void> opened = reader.open(jsonlPath); !opened) {
        if (error)
            *error = opened.errorString();
        return chunks;
    }
    TranscriptChunk chunk;
    while (reader.next(&chunk))
        chunks.append(chunk);
    if (error)
        *error = reader.errorString();
    return chunks;
}

// An RFC 3339 receipt time as seconds since the epoch (NaN if it does not parse).
inline double epochSeconds(const QByteArray &rfc3339)
{
    const auto parsed = parseRfc3339Nanos(rfc3339);
    if (!parsed)
        return qQNaN();
    return double(parsed->first) + parsed->second / 1e9;
}

// The differences between consecutive times, and the same as "1.002 0.998 ...".
inline QList<double> gaps(const QList<double> &times)
{
    QList<double> result;
    for (qsizetype i = 1; i < times.size(); ++i)
        result.append(times[i] - times[i - 1]);
    return result;
}

inline QString formatGaps(const QList<double> &values)
{
    QStringList parts;
    for (double value : values)
        parts.append(QString::number(value, 'f', 3));
    return parts.join(QLatin1Char(' '));
}

// The run id that `parallax run` announces on stderr ("parallax: run <id>, N variation(s) → …").
inline QString runIdFromCliOutput(const QByteArray &stderrText)
{
    static const QRegularExpression pattern(QStringLiteral("parallax: run (\\S+), "));
    return pattern.match(QString::fromUtf8(stderrText)).captured(1);
}

} // namespace Parallax::RunTest

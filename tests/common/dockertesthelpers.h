#pragma once

// Shared helpers for tests that talk to a real Docker daemon: the label every test container
// carries, the cleanup that removes them all (also after a failed test), and the `docker run`
// sequence (create → attach → wait next-exit → start) that several tests drive. Header-only and
// test-only: functions that can fail return a Result whose error names the step that failed,
// so a test can QVERIFY2 on it.

#include "docker/dockerclient.h"
#include "docker/syncwait.h"

#include <QList>
#include <QObject>
#include <QPair>
#include <QPointer>
#include <QTest>
#include <QUuid>

#include <optional>

namespace Parallax::DockerTest {

// Every container a test creates carries kLabelKey=<the test binary's name>, so that cleanup
// finds them all even when a test failed half-way.
inline constexpr const char *kLabelKey = "parallax.test";
// A second label, unique per test case, for tests that must not see each other's containers
// (events, list filters).
inline constexpr const char *kCaseLabelKey = "parallax.test.case";

inline QString labelFilter(const QString &value)
{
    return QString::fromLatin1(kLabelKey) + QLatin1Char('=') + value;
}

inline QString uniqueCaseValue(const QString &prefix)
{
    return prefix + QLatin1Char('-') + QUuid::createUuid().toString(QUuid::WithoutBraces).left(12);
}

// Resolves the daemon the same way the app does (DOCKER_HOST, then the usual sockets).
inline Result<DockerEndpoint> testEndpoint()
{
    return DockerEndpoint::resolve();
}

inline ContainerCreateOptions
containerOptions(const QString &labelValue, const QStringList &cmd, bool tty = false)
{
    ContainerCreateOptions options;
    options.image = QStringLiteral(PARALLAX_DEMO_IMAGE);
    options.cmd = cmd;
    options.tty = tty;
    options.labels.insert(QString::fromLatin1(kLabelKey), labelValue);
    return options;
}

inline ContainerCreateOptions
shellOptions(const QString &labelValue, const QString &script, bool tty = false)
{
    return containerOptions(labelValue, {QStringLiteral("sh"), QStringLiteral("-c"), script}, tty);
}

inline Error stepError(const QString &step, const Error &error)
{
    return Error{QStringLiteral("%1 failed: %2 (code %3)").arg(step, error.message).arg(error.code),
                 error.code};
}

inline Result<QString> createContainer(DockerClient &client, const ContainerCreateOptions &options)
{
    Result<QString> result
            = syncCall<QString>([&](QObject *context, DockerClient::Callback<QString> done) {
                  client.createContainer(options, context, done);
              });
    if (!result)
        return stepError(QStringLiteral("create"), result.error());
    return result;
}

inline Result<void> startContainer(DockerClient &client, const QString &id)
{
    Result<void> result = syncCall<void>([&](QObject *context, DockerClient::Callback<void> done) {
        client.startContainer(id, context, done);
    });
    if (!result)
        return stepError(QStringLiteral("start"), result.error());
    return result;
}

inline Result<WaitResult>
waitContainer(DockerClient &client, const QString &id, const QString &condition)
{
    Result<WaitResult> result
            = syncCall<WaitResult>([&](QObject *context, DockerClient::Callback<WaitResult> done) {
                  client.waitContainer(id, condition, context, done);
              });
    if (!result)
        return stepError(QStringLiteral("wait"), result.error());
    return result;
}

inline Result<QJsonObject> inspectContainer(DockerClient &client, const QString &id)
{
    return syncCall<QJsonObject>([&](QObject *context, DockerClient::Callback<QJsonObject> done) {
        client.inspectContainer(id, context, done);
    });
}

// A container's whole log as Docker kept it (stderr apart, everything else with stdout), or
// nullopt when the read did not end within 15 s.
struct ContainerLogs
{
    QByteArray out;
    QByteArray err;
};

inline std::optional<ContainerLogs> readContainerLogs(DockerClient &client,
                                                      const QString &containerId)
{
    ContainerLogs logged;
    bool ended = false;
    ContainerStream *reader = client.logs(containerId, LogsOptions(), false, &client);
    QObject::connect(reader,
                     &ContainerStream::outputReceived,
                     reader,
                     [&logged](StreamType s, const QByteArray &d) {
                         (s == StreamType::Stderr ? logged.err : logged.out).append(d);
                     });
    QObject::connect(reader, &ContainerStream::finished, reader, [&ended] { ended = true; });
    const QPointer<ContainerStream> alive(reader); // it deletes itself once finished
    const bool done = QTest::qWaitFor([&ended] { return ended; }, 15000);
    if (alive)
        QObject::disconnect(reader, nullptr, nullptr, nullptr); // the lambdas hold references
    if (!done)
        return std::nullopt;
    return logged;
}

inline Result<QList<ContainerSummary>> listContainers(DockerClient &client,
                                                      const QStringList &labelFilters)
{
    return syncCall<QList<ContainerSummary>>(
            [&](QObject *context, DockerClient::Callback<QList<ContainerSummary>> done) {
                client.listContainers(labelFilters, true, context, done);
            });
}

// Force-removes every container labelled kLabelKey=labelValue, running or not. Returns how many
// were removed, or the first error. Removing one that vanished meanwhile (404) is fine.
inline Result<int> removeLabelledContainers(DockerClient &client, const QString &labelValue)
{
    const Result<QList<ContainerSummary>> list = listContainers(client, {labelFilter(labelValue)});
    if (!list)
        return stepError(QStringLiteral("list"), list.error());
    int removed = 0;
    for (const ContainerSummary &container : *list) {
        const Result<void> result
                = syncCall<void>([&](QObject *context, DockerClient::Callback<void> done) {
                      client.removeContainer(container.id, true, context, done);
                  });
        if (!result && result.error().code != 404)
            return stepError(QStringLiteral("remove %1").arg(container.id.left(12)),
                             result.error());
        ++removed;
    }
    return removed;
}

// What one `docker run` gave.
struct RunOutcome
{
    QString id;
    QByteArray out;                              // all stdout bytes, in order
    QByteArray err;                              // all stderr bytes, in order
    QList<QPair<StreamType, QByteArray>> pieces; // as emitted by ContainerStream
    std::optional<Result<void>> streamResult;
    std::optional<Result<WaitResult>> waitResult;
};

// Does what `docker run` does: create, attach (before start: attaching later loses the output
// of a fast container), wait for the next exit (its header must be in before start, or the exit
// can be missed), start, then collect everything until the stream and the wait have both ended.
inline Result<RunOutcome>
runContainer(DockerClient &client, const ContainerCreateOptions &options, int timeoutMs = 60000)
{
    RunOutcome outcome;
    const Result<QString> id = createContainer(client, options);
    if (!id)
        return id.error();
    outcome.id = *id;

    QObject context;
    bool attached = false;
    bool waiting = false;
    QPointer<ContainerStream> stream = client.attach(outcome.id, options.tty, &context);
    QObject::connect(stream, &ContainerStream::started, &context, [&] { attached = true; });
    QObject::connect(stream,
                     &ContainerStream::outputReceived,
                     &context,
                     [&](StreamType type, const QByteArray &data) {
                         (type == StreamType::Stderr ? outcome.err : outcome.out).append(data);
                         outcome.pieces.append({type, data});
                     });
    QObject::connect(stream, &ContainerStream::finished, &context, [&](const Result<void> &result) {
        outcome.streamResult.emplace(result);
    });
    DockerReply *wait = client.waitContainer(
            outcome.id, QStringLiteral("next-exit"), &context, [&](Result<WaitResult> result) {
                outcome.waitResult.emplace(std::move(result));
            });
    QObject::connect(wait, &DockerReply::headersReceived, &context, [&] { waiting = true; });

    const auto abortStream = [&] {
        if (stream)
            stream->abort();
    };
    if (!QTest::qWaitFor(
                [&] { return (attached && waiting) || outcome.streamResult || outcome.waitResult; },
                15000)) {
        abortStream();
        return Error{QStringLiteral("attach or wait did not get a response header within 15 s"),
                     -5};
    }
    if (outcome.streamResult && !*outcome.streamResult)
        return stepError(QStringLiteral("attach"), outcome.streamResult->error());
    if (outcome.waitResult && !*outcome.waitResult) {
        abortStream();
        return stepError(QStringLiteral("wait"), outcome.waitResult->error());
    }
    if (outcome.streamResult || outcome.waitResult) {
        abortStream();
        return Error{QStringLiteral("attach or wait ended before the container was started"), -4};
    }

    if (const Result<void> started = startContainer(client, outcome.id); !started) {
        abortStream();
        return started.error();
    }
    if (!QTest::qWaitFor([&] { return outcome.streamResult && outcome.waitResult; }, timeoutMs)) {
        abortStream();
        return Error{
                QStringLiteral("the container's output or exit did not arrive within %1 s (stream "
                               "%2, wait %3)")
                        .arg(timeoutMs / 1000)
                        .arg(outcome.streamResult ? QStringLiteral("ended")
                                                  : QStringLiteral("open"),
                             outcome.waitResult ? QStringLiteral("ended") : QStringLiteral("open")),
                -5};
    }
    return outcome;
}

} // namespace Parallax::DockerTest

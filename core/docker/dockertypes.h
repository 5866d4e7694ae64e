#pragma once

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace Parallax {

struct PingInfo
{
    QString daemonApiVersion;     // Api-Version header; empty when absent
    QString negotiatedApiVersion; // min(ours, daemon's)
    QString osType;
    QString server;
    bool podman = false; // Libpod-API-Version present
};

struct ImageSummary
{
    QString id;
    QStringList repoTags;
    qint64 size = 0;
    qint64 created = 0; // seconds since the epoch
};

struct ContainerSummary
{
    QString id;
    QStringList names;
    QString image;
    QString state;  // "running", "exited", ...
    QString status; // "Up 3 seconds"
    QMap<QString, QString> labels;
};

// What POST /containers/create receives. Defaults are the safe ones: never privileged,
// no-new-privileges, no mounts at all (so never the Docker socket).
struct ContainerCreateOptions
{
    QString name;
    QString image;
    QStringList cmd; // empty: the image's own
    QStringList env; // "KEY=value"
    QMap<QString, QString> labels;
    QString workingDir;
    bool tty = false;
    qint64 memoryBytes = 0; // 0: none
    qint64 nanoCpus = 0;    // 0: none
    qint64 pidsLimit = 0;   // 0: none
    QString networkMode;    // empty: the daemon's default
    // HostConfig.LogConfig; an empty driver leaves the daemon's default in place.
    QString logDriver;
    QMap<QString, QString> logOptions;

    QJsonObject toJson() const;
};

struct LogsOptions
{
    bool follow = false;
    bool stdoutStream = true;
    bool stderrStream = true;
    bool timestamps = false;
    QString since; // "seconds[.nanoseconds]"; empty: from the start
    QString tail;  // "all" or a count; empty: all
};

struct WaitResult
{
    qint64 statusCode = -1;
    QString error; // the daemon's Error.Message, if any
};

} // namespace Parallax

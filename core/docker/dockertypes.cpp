#include "dockertypes.h"

#include <QJsonArray>

namespace Parallax {

QJsonObject ContainerCreateOptions::toJson() const
{
    QJsonObject config;
    config.insert(QLatin1String("Image"), image);
    if (!cmd.isEmpty())
        config.insert(QLatin1String("Cmd"), QJsonArray::fromStringList(cmd));
    config.insert(QLatin1String("Env"), QJsonArray::fromStringList(env));
    QJsonObject labelObject;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        labelObject.insert(it.key(), it.value());
    config.insert(QLatin1String("Labels"), labelObject);
    if (!workingDir.isEmpty())
        config.insert(QLatin1String("WorkingDir"), workingDir);
    config.insert(QLatin1String("Tty"), tty);
    config.insert(QLatin1String("AttachStdin"), false);
    config.insert(QLatin1String("AttachStdout"), true);
    config.insert(QLatin1String("AttachStderr"), true);
    config.insert(QLatin1String("OpenStdin"), false);
    config.insert(QLatin1String("StdinOnce"), false);

    QJsonObject host;
    host.insert(QLatin1String("Privileged"), false);
    host.insert(QLatin1String("SecurityOpt"), QJsonArray{QStringLiteral("no-new-privileges")});
    host.insert(QLatin1String("AutoRemove"), false);
    host.insert(QLatin1String("Binds"), QJsonArray());
    if (memoryBytes > 0) {
        host.insert(QLatin1String("Memory"), memoryBytes);
        host.insert(QLatin1String("MemorySwap"), memoryBytes); // no swap beyond the limit
    }
    if (nanoCpus > 0)
        host.insert(QLatin1String("NanoCpus"), nanoCpus);
    if (pidsLimit > 0)
        host.insert(QLatin1String("PidsLimit"), pidsLimit);
    if (!networkMode.isEmpty())
        host.insert(QLatin1String("NetworkMode"), networkMode);
    if (!logDriver.isEmpty()) {
        QJsonObject logConfig;
        for (auto it = logOptions.cbegin(); it != logOptions.cend(); ++it)
            logConfig.insert(it.key(), it.value());
        host.insert(QLatin1String("LogConfig"),
                    QJsonObject{{QLatin1String("Type"), logDriver},
                                {QLatin1String("Config"), logConfig}});
    }
    config.insert(QLatin1String("HostConfig"), host);
    return config;
}

} // namespace Parallax

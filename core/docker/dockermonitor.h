#pragma once

#include "dockerclient.h"

#include <QObject>
#include <QTimer>

namespace Parallax {

// Watches whether Docker answers: pings every few seconds (faster while it does not) and says
// so in words a status bar or a banner can show. Owns the window's DockerClient; main thread.
class DockerMonitor : public QObject
{
    Q_OBJECT
public:
    enum class Health { Unknown, Healthy, Unreachable };

    explicit DockerMonitor(QObject *parent = nullptr);

    DockerClient *client() const { return m_client; } // null when no endpoint could be resolved
    Health health() const { return m_health; }
    QString message() const { return m_message; } // the error, or "Docker 20.10 · API 1.41"
    QString endpointText() const;
    void checkNow();
    // Switches to another engine (DockerEndpoint::resolve with that name; empty: automatic)
    // and checks it at once. Clients handed out before stay alive for the runs using them.
    void setEngine(const QString &name);
    QString engine() const { return m_engine; }

signals:
    void healthChanged(Parallax::DockerMonitor::Health health, const QString &message);
    void endpointChanged();

private:
    void setHealth(Health health, const QString &message);
    void useEndpoint(const Result<DockerEndpoint> &endpoint);

    DockerClient *m_client = nullptr;
    DockerClient *m_probe = nullptr;
    Health m_health = Health::Unknown;
    QString m_message;
    QString m_endpointError;
    QString m_engine;
    int m_generation = 0; // pings answered for an engine no longer chosen are ignored
    QTimer m_timer;
    bool m_inFlight = false;
};

} // namespace Parallax

#include "dockermonitor.h"

namespace Parallax {

static constexpr int kHealthyIntervalMs = 5000;
static constexpr int kUnreachableIntervalMs = 2000;

DockerMonitor::DockerMonitor(QObject *parent)
    : QObject(parent)
{
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
    if (endpoint) {
        // Runs get the default timeouts (a create on a busy daemon can take seconds); the health
        // probe has its own client with a short one.
        m_client = new DockerClient(*endpoint, this);
        m_probe = new DockerClient(*endpoint, this);
        m_probe->setTimeout(5000);
    } else {
        m_endpointError = endpoint.errorString();
    }
    connect(&m_timer, &QTimer::timeout, this, &DockerMonitor::checkNow);
    m_timer.start(kUnreachableIntervalMs);
}

QString DockerMonitor::endpointText() const
{
    return m_client ? m_client->endpoint().describe() : m_endpointError;
}

void DockerMonitor::checkNow()
{
    if (!m_client) {
        setHealth(Health::Unreachable, m_endpointError);
        return;
    }
    if (m_inFlight)
        return;
    m_inFlight = true;
    m_probe->ping(this, [this](const Result<PingInfo> &ping) {
        m_inFlight = false;
        if (!ping) {
            setHealth(Health::Unreachable, ping.errorString());
            return;
        }
        const QString text
                = QStringLiteral("%1 · API %2")
                          .arg(ping->podman ? QStringLiteral("Podman") : QStringLiteral("Docker"),
                               ping->negotiatedApiVersion);
        m_client->setApiVersion(ping->negotiatedApiVersion);
        setHealth(Health::Healthy, text);
    });
}

void DockerMonitor::setHealth(Health health, const QString &message)
{
    m_timer.setInterval(health == Health::Healthy ? kHealthyIntervalMs : kUnreachableIntervalMs);
    if (health == m_health && message == m_message)
        return;
    m_health = health;
    m_message = message;
    emit healthChanged(health, message);
}

} // namespace Parallax

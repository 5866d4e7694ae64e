#include "dockermonitor.h"

namespace Parallax {

static constexpr int kHealthyIntervalMs = 5000;
static constexpr int kUnreachableIntervalMs = 2000;

DockerMonitor::DockerMonitor(QObject *parent)
    : QObject(parent)
{
    // PARALLAX_ENGINE is an engine choice like setEngine's; say so, so a selector shows it.
    m_engine = qEnvironmentVariable(DockerEndpoint::kEngineEnv).trimmed();
    useEndpoint(DockerEndpoint::resolve());
    connect(&m_timer, &QTimer::timeout, this, &DockerMonitor::checkNow);
    m_timer.start(kUnreachableIntervalMs);
}

void DockerMonitor::useEndpoint(const Result<DockerEndpoint> &endpoint)
{
    ++m_generation;
    m_inFlight = false;
    if (m_probe)
        m_probe->deleteLater();
    m_client = nullptr;
    m_probe = nullptr;
    m_endpointError.clear();
    if (endpoint) {
        // Runs get the default timeouts (a create on a busy daemon can take seconds); the health
        // probe has its own client with a short one.
        m_client = new DockerClient(*endpoint, this);
        m_probe = new DockerClient(*endpoint, this);
        m_probe->setTimeout(5000);
    } else {
        m_endpointError = endpoint.errorString();
    }
}

void DockerMonitor::setEngine(const QString &name)
{
    m_engine = name.trimmed();
    useEndpoint(DockerEndpoint::resolve(QProcessEnvironment::systemEnvironment(), m_engine));
    m_health = Health::Unknown;
    m_message.clear();
    emit endpointChanged();
    checkNow();
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
    const int generation = m_generation;
    m_probe->ping(this, [this, generation](const Result<PingInfo> &ping) {
        if (generation != m_generation)
            return;
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
        m_client->setPodman(ping->podman);
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

#include "statssampler.h"

#include "docker/containerstream.h"
#include "docker/dockerclient.h"

#include <QDateTime>
#include <QJsonArray>

namespace Parallax {

static qint64 number(const QJsonObject &object, const char *key)
{
    return qint64(object.value(QLatin1String(key)).toDouble());
}

StatsSampler::StatsSampler(DockerClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{}

StatsSampler::~StatsSampler()
{
    if (m_stream)
        m_stream->abort();
}

void StatsSampler::start(const QString &containerId)
{
    stop();
    if (!m_client || containerId.isEmpty())
        return;
    JsonLinesStream *stream = m_client->stats(containerId, this);
    m_stream = stream;
    connect(stream, &JsonLinesStream::objectReceived, this, [this](const QJsonObject &object) {
        if (const std::optional<StatsSample> sample = sampleFrom(object))
            add(*sample);
    });
    connect(stream, &JsonLinesStream::finished, this, [this, stream](const Result<void> &result) {
        if (m_stream == stream) {
            m_stream = nullptr;
            emit stopped(result);
        }
    });
}

bool StatsSampler::isRunning() const
{
    return m_stream != nullptr;
}

void StatsSampler::stop()
{
    if (!m_stream)
        return;
    JsonLinesStream *stream = m_stream;
    m_stream = nullptr;
    stream->disconnect(this);
    stream->abort();
    emit stopped({});
}

void StatsSampler::seedPeaks(double cpuPercent, qint64 memoryBytes)
{
    if (cpuPercent <= 0 && memoryBytes <= 0)
        return;
    m_hasPeaks = true;
    m_cpuPeak = qMax(m_cpuPeak, cpuPercent);
    m_memoryPeak = qMax(m_memoryPeak, memoryBytes);
}

void StatsSampler::add(const StatsSample &sample)
{
    ++m_count;
    m_samples.push_back(sample);
    while (m_samples.size() > size_t(kCapacity))
        m_samples.pop_front();
    m_hasPeaks = true;
    m_cpuPeak = qMax(m_cpuPeak, sample.cpuPercent);
    m_memoryPeak = qMax(m_memoryPeak, sample.memoryBytes);
    emit sampleAdded(sample);
}

std::optional<StatsSample> StatsSampler::sampleFrom(const QJsonObject &stats)
{
    const QDateTime read = QDateTime::fromString(stats.value(QLatin1String("read")).toString(),
                                                 Qt::ISODateWithMs);
    // A stopped container's documents carry the zero time ("0001-01-01T00:00:00Z") and zeros.
    if (!read.isValid() || read.date().year() < 1971)
        return std::nullopt;
    StatsSample sample;
    sample.msecsSinceEpoch = read.toMSecsSinceEpoch();

    // As the docker CLI computes it: the container's share of all CPU time since the previous
    // document, scaled by the CPUs it may use, so one busy CPU reads 100 %.
    const QJsonObject cpu = stats.value(QLatin1String("cpu_stats")).toObject();
    const QJsonObject precpu = stats.value(QLatin1String("precpu_stats")).toObject();
    const QJsonObject usage = cpu.value(QLatin1String("cpu_usage")).toObject();
    const QJsonObject preusage = precpu.value(QLatin1String("cpu_usage")).toObject();
    const double cpuDelta = double(number(usage, "total_usage") - number(preusage, "total_usage"));
    const qint64 preSystem = number(precpu, "system_cpu_usage");
    const double systemDelta = double(number(cpu, "system_cpu_usage") - preSystem);
    qint64 online = number(cpu, "online_cpus");
    if (online <= 0)
        online = usage.value(QLatin1String("percpu_usage")).toArray().size();
    // The first document has no previous one (precpu is all zeros): no rate to compute yet.
    if (preSystem > 0 && systemDelta > 0 && cpuDelta > 0)
        sample.cpuPercent = cpuDelta / systemDelta * double(qMax<qint64>(online, 1)) * 100.0;

    const QJsonObject memory = stats.value(QLatin1String("memory_stats")).toObject();
    const qint64 used = number(memory, "usage");
    const QJsonObject detail = memory.value(QLatin1String("stats")).toObject();
    // cgroup v1 reports total_inactive_file, v2 inactive_file (docker CLI's
    // calculateMemUsageUnixNoCache).
    qint64 cache = -1;
    if (detail.contains(QLatin1String("total_inactive_file")))
        cache = number(detail, "total_inactive_file");
    else if (detail.contains(QLatin1String("inactive_file")))
        cache = number(detail, "inactive_file");
    sample.memoryBytes = cache >= 0 && cache < used ? used - cache : used;
    sample.memoryLimitBytes = number(memory, "limit");
    return sample;
}

} // namespace Parallax

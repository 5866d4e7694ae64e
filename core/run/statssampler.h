#pragma once

#include "util/result.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>

#include <deque>
#include <optional>

namespace Parallax {

class DockerClient;
class JsonLinesStream;

// One point of a container's resource use, as `docker stats` shows it.
struct StatsSample
{
    qint64 msecsSinceEpoch = 0;
    double cpuPercent = 0;       // 100 = one CPU busy
    qint64 memoryBytes = 0;      // usage minus the page cache (inactive_file)
    qint64 memoryLimitBytes = 0; // 0: unknown
};

// Follows one container's /containers/{id}/stats stream (one document a second), turns each
// document into a StatsSample the way the docker CLI does, keeps the last kCapacity samples for
// plotting and the peaks for the record. Owned by the Run (one per variation); main thread.
class StatsSampler : public QObject
{
    Q_OBJECT
public:
    static constexpr int kCapacity = 120; // two minutes at Docker's one sample a second

    explicit StatsSampler(DockerClient *client, QObject *parent = nullptr);
    ~StatsSampler() override;

    void start(const QString &containerId);
    void stop();
    bool isRunning() const;

    const std::deque<StatsSample> &samples() const { return m_samples; }
    int sampleCount() const { return m_count; } // every sample received, not only those kept
    bool hasPeaks() const { return m_hasPeaks; }
    double cpuPeakPercent() const { return m_cpuPeak; }
    qint64 memoryPeakBytes() const { return m_memoryPeak; }
    // Peaks recorded earlier (a resumed run), so the record keeps the higher of old and new.
    void seedPeaks(double cpuPercent, qint64 memoryBytes);

    // One stats document as a sample; nullopt for the empty documents Docker sends for a
    // container that is not running.
    static std::optional<StatsSample> sampleFrom(const QJsonObject &stats);

signals:
    void sampleAdded(const Parallax::StatsSample &sample);
    void stopped(const Parallax::Result<void> &result);

private:
    void add(const StatsSample &sample);

    DockerClient *m_client;
    QPointer<JsonLinesStream> m_stream;
    std::deque<StatsSample> m_samples;
    int m_count = 0;
    bool m_hasPeaks = false;
    double m_cpuPeak = 0;
    qint64 m_memoryPeak = 0;
};

} // namespace Parallax

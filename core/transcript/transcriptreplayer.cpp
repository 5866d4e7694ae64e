#include "transcript/transcriptreplayer.h"

#include "util/clock.h"

#include <QFileInfo>

#include <limits>

namespace Parallax {

struct TranscriptReplayer::Source
{
    TranscriptReader reader;
    TranscriptChunk next;
    qint64 nextMsecs = 0;
    bool pending = false; // `next` holds a chunk not delivered yet
    bool done = false;
};

TranscriptReplayer::TranscriptReplayer(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setTimerType(Qt::PreciseTimer);
    connect(&m_timer, &QTimer::timeout, this, &TranscriptReplayer::pump);
}

TranscriptReplayer::~TranscriptReplayer() = default;

Result<void> TranscriptReplayer::open(const QStringList &jsonlPaths)
{
    m_timer.stop();
    m_sources.clear();
    m_playing = false;
    m_finished = false;
    m_toEnd = false;
    m_positionAtPlay = 0;
    m_startMsecs = std::numeric_limits<qint64>::max();
    for (const QString &path : jsonlPaths) {
        auto source = std::make_unique<Source>();
        if (QFileInfo::exists(path)) {
            if (Result<void> opened = source->reader.open(path); !opened)
                return opened;
            advance(*source, -1);
        } else {
            source->done = true;
        }
        if (source->pending)
            m_startMsecs = qMin(m_startMsecs, source->nextMsecs);
        m_sources.push_back(std::move(source));
    }
    if (m_startMsecs == std::numeric_limits<qint64>::max())
        m_startMsecs = 0;
    return {};
}

void TranscriptReplayer::advance(Source &source, int index)
{
    source.pending = source.reader.next(&source.next);
    if (source.pending) {
        source.nextMsecs = parseRfc3339Msecs(source.next.time).value_or(0);
        return;
    }
    source.done = true;
    if (index >= 0)
        emit sourceFinished(index);
}

qint64 TranscriptReplayer::positionMs() const
{
    if (!m_playing || m_speed <= 0)
        return m_positionAtPlay;
    return m_positionAtPlay + qint64(double(m_clock.elapsed()) * m_speed);
}

void TranscriptReplayer::setSpeed(double speed)
{
    const qint64 position = positionMs();
    m_speed = qMax(0.0, speed);
    m_positionAtPlay = position;
    m_clock.restart();
    if (m_playing)
        m_timer.start(0);
}

void TranscriptReplayer::play()
{
    if (m_finished || m_sources.empty()) {
        if (!m_finished && m_sources.empty()) {
            m_finished = true;
            emit finished();
        }
        return;
    }
    m_playing = true;
    m_clock.restart();
    m_timer.start(0);
}

void TranscriptReplayer::pause()
{
    if (!m_playing)
        return;
    m_positionAtPlay = positionMs();
    m_playing = false;
    m_timer.stop();
}

void TranscriptReplayer::skipToEnd()
{
    m_toEnd = true;
    if (!m_playing)
        play();
}

int TranscriptReplayer::earliestSource() const
{
    int best = -1;
    for (int i = 0; i < int(m_sources.size()); ++i) {
        const Source &s = *m_sources[size_t(i)];
        if (s.pending && (best < 0 || s.nextMsecs < m_sources[size_t(best)]->nextMsecs))
            best = i;
    }
    return best;
}

void TranscriptReplayer::pump()
{
    if (!m_playing)
        return;
    const bool instant = m_toEnd || m_speed <= 0;
    const qint64 position = positionMs();
    qint64 delivered = 0;
    qint64 last = position; // the replay clock never goes back
    int index = earliestSource();
    while (index >= 0) {
        Source &source = *m_sources[size_t(index)];
        const qint64 due = source.nextMsecs - m_startMsecs;
        if (!instant && due > position)
            break;
        if (delivered >= SliceBytes) {
            m_timer.start(0); // more is due: let the window paint first
            return;
        }
        delivered += source.next.data.size();
        last = qMax(last, due);
        emit chunkReady(index, source.next.stream, source.next.data, source.nextMsecs);
        advance(source, index);
        index = earliestSource();
    }
    if (index < 0) {
        m_playing = false;
        m_finished = true;
        m_positionAtPlay = last;
        emit finished();
        return;
    }
    if (instant) {
        m_positionAtPlay = m_sources[size_t(index)]->nextMsecs - m_startMsecs;
        m_clock.restart();
        m_timer.start(0);
        return;
    }
    const qint64 due = m_sources[size_t(index)]->nextMsecs - m_startMsecs;
    const qint64 wait = qint64(double(due - position) / m_speed);
    m_timer.start(int(qBound(qint64(1), wait, qint64(250))));
}

} // namespace Parallax

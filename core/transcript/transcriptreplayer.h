#pragma once

#include "transcript/transcriptreader.h"
#include "util/result.h"
#include "util/streamtype.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>
#include <QTimer>

#include <memory>
#include <vector>

namespace Parallax {

// Plays the transcripts of a recorded run back on their recorded clock, all variations on one
// timeline, so they can be watched racing each other as they did: a chunk recorded t ms after
// the run's first chunk is delivered t / speed ms after play() (speed 1, 4, 16, ...), or as
// fast as the event loop allows at speed 0 (Instant). Reads each transcript with its own
// TranscriptReader, one chunk ahead, so memory stays bounded however long the run; delivers in
// slices of at most SliceBytes per event-loop turn so the window stays responsive while it
// catches up. Owned by its viewer; GUI thread.
class TranscriptReplayer : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 SliceBytes = 1024 * 1024;

    explicit TranscriptReplayer(QObject *parent = nullptr);
    ~TranscriptReplayer() override;

    // One transcript per source (a variation); a path that does not exist is a source with no
    // output (a variation that never started). Fails on a file that exists but cannot be read.
    Result<void> open(const QStringList &jsonlPaths);
    int sourceCount() const { return int(m_sources.size()); }

    double speed() const { return m_speed; }
    void setSpeed(double speed); // 0: instant; keeps the position
    void play();                 // starts or resumes
    void pause();
    void skipToEnd(); // delivers everything left now (in slices), then finishes
    bool isPlaying() const { return m_playing; }
    bool isFinished() const { return m_finished; }
    // Where the replay clock stands, in recorded milliseconds since the first chunk.
    qint64 positionMs() const;
    qint64 startMsecs() const { return m_startMsecs; } // receipt time of the first chunk

signals:
    void chunkReady(int source, Parallax::StreamType stream, const QByteArray &data, qint64 msecs);
    void sourceFinished(int source);
    void finished();

private:
    struct Source;

    void pump();
    int earliestSource() const;
    void advance(Source &source, int index);

    std::vector<std::unique_ptr<Source>> m_sources;
    QTimer m_timer;
    QElapsedTimer m_clock; // runs while playing
    qint64 m_positionAtPlay = 0;
    qint64 m_startMsecs = 0;
    double m_speed = 1.0;
    bool m_playing = false;
    bool m_finished = false;
    bool m_toEnd = false;
};

} // namespace Parallax

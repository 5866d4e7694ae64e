#pragma once

#include <QByteArray>
#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace Parallax {

// Writes files on one background thread, in the order it was asked to. The caller (the GUI
// thread, in the window) hands the bytes over and goes on: on a disk that dockerd keeps busy
// (vfs layers, container logs) a write(2) or a rename(2) can block for tens of milliseconds,
// which is a frozen window when it happens on the GUI thread (seen with `perf trace` in the
// 32-variation benchmark: a 47 ms rename of run.json, 22–33 ms transcript writes).
//
// Everything written through it is in the OS's hands once drain() returns; readers of files
// this process writes call drain() first (TranscriptReader and readRunJson do), and the
// process drains at exit. A crash loses at most what was still queued: for transcripts that is
// output Docker still has, and recovery reads it again from the transcript's recorded end.
class BackgroundWriter
{
public:
    // An open file, appended to at its end in order. Thread-safe state for the owner to poll.
    class Sink
    {
    public:
        // True while appends are failing (the bytes are kept and retried with the next one,
        // unless the sink drops them); errorString() says why.
        bool failing() const;
        QString errorString() const;
        QString path() const { return m_path; }
        // An empty buffer with the capacity of one already written, or an empty QByteArray: the
        // owner fills it next, so batches are not allocated by one thread and freed by the
        // other (glibc's arena lock: the GUI thread waited on it while the writer freed).
        QByteArray takeSpare();

    private:
        friend class BackgroundWriter;
        Sink(int fd, qint64 offset, QString path, bool keepOnFailure);
        const int m_fd;
        const QString m_path;
        const bool m_keepOnFailure;
        qint64 m_offset;    // worker thread only
        QByteArray m_retry; // worker thread only: bytes that failed, written before new ones
        mutable std::mutex m_stateMutex;
        bool m_failing = false;
        QString m_error;
        std::vector<QByteArray> m_spares; // written buffers, emptied, for the owner to reuse
    };

    static BackgroundWriter &instance();
    ~BackgroundWriter();
    BackgroundWriter(const BackgroundWriter &) = delete;
    BackgroundWriter &operator=(const BackgroundWriter &) = delete;

    // Takes ownership of `fd` (pass a dup() of a file you keep); appends start at `offset`, and
    // a failed append is cut off the file again so that it never ends in half a record. A sink
    // that keeps failed bytes retries them before the next append and at close; one that
    // does not drops them.
    std::shared_ptr<Sink> adopt(int fd, qint64 offset, const QString &path, bool keepOnFailure);
    // Waits while more than kMaxQueuedBytes are queued: a disk slower than the output holds
    // the caller back (and Docker, and the container), as a blocking write(2) did, instead of
    // letting the queue grow without bound.
    void append(const std::shared_ptr<Sink> &sink, QByteArray bytes);
    static constexpr qint64 kMaxQueuedBytes = 64 << 20;
    qint64 queuedBytes() const;
    void close(const std::shared_ptr<Sink> &sink); // closes the fd after what is queued
    // Replaces `path` with `bytes` as writeFileAtomically() does; a failure is logged.
    void replace(const QString &path, QByteArray bytes);
    // Returns once everything asked for before the call is done.
    void drain();

private:
    BackgroundWriter();
    void enqueue(std::function<void()> job);
    void run();
    // Returns the written buffer (emptied) for reuse, or nothing when it failed.
    static QByteArray write(Sink &sink, QByteArray bytes);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_done;
    std::deque<std::function<void()>> m_jobs;
    qint64 m_queuedBytes = 0; // appended and not yet written
    quint64 m_queued = 0;     // jobs ever queued
    quint64 m_finished = 0;   // jobs ever finished
    bool m_stopping = false;
    std::thread m_thread;
};

} // namespace Parallax

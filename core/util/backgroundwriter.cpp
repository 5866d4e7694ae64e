#include "util/backgroundwriter.h"

#include "util/atomicfile.h"

#include <QLoggingCategory>

#include <cerrno>
#include <cstring>

#include <pthread.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcWriter, "parallax.writer", QtWarningMsg)

namespace Parallax {

BackgroundWriter::Sink::Sink(int fd, qint64 offset, QString path, bool keepOnFailure)
    : m_fd(fd)
    , m_path(std::move(path))
    , m_keepOnFailure(keepOnFailure)
    , m_offset(offset)
{}

bool BackgroundWriter::Sink::failing() const
{
    const std::lock_guard lock(m_stateMutex);
    return m_failing;
}

QString BackgroundWriter::Sink::errorString() const
{
    const std::lock_guard lock(m_stateMutex);
    return m_error;
}

QByteArray BackgroundWriter::Sink::takeSpare()
{
    std::vector<QByteArray> extra;
    QByteArray spare;
    {
        const std::lock_guard lock(m_stateMutex);
        if (m_spares.empty())
            return {};
        spare = std::move(m_spares.back());
        m_spares.pop_back();
        extra.swap(m_spares); // more than one: freed here, by the thread that made them
    }
    return spare;
}

BackgroundWriter &BackgroundWriter::instance()
{
    static BackgroundWriter writer;
    return writer;
}

BackgroundWriter::BackgroundWriter()
    : m_thread([this] { run(); })
{
    pthread_setname_np(m_thread.native_handle(), "parallax-writer");
}

BackgroundWriter::~BackgroundWriter()
{
    {
        const std::lock_guard lock(m_mutex);
        m_stopping = true; // the worker finishes the queue first
    }
    m_wake.notify_one();
    m_thread.join();
}

std::shared_ptr<BackgroundWriter::Sink>
BackgroundWriter::adopt(int fd, qint64 offset, const QString &path, bool keepOnFailure)
{
    return std::shared_ptr<Sink>(new Sink(fd, offset, path, keepOnFailure));
}

void BackgroundWriter::append(const std::shared_ptr<Sink> &sink, QByteArray bytes)
{
    if (bytes.isEmpty())
        return;
    const qint64 size = bytes.size();
    {
        std::unique_lock lock(m_mutex);
        m_done.wait(lock, [&] { return m_queuedBytes <= kMaxQueuedBytes; });
        m_queuedBytes += size;
    }
    enqueue([this, sink, size, bytes = std::move(bytes)]() mutable {
        QByteArray spent = write(*sink, std::move(bytes));
        if (spent.capacity() > 0) {
            const std::lock_guard lock(sink->m_stateMutex);
            sink->m_spares.push_back(std::move(spent));
        }
        const std::lock_guard lock(m_mutex);
        m_queuedBytes -= size; // m_done is notified as the job finishes
    });
}

qint64 BackgroundWriter::queuedBytes() const
{
    const std::lock_guard lock(m_mutex);
    return m_queuedBytes;
}

void BackgroundWriter::close(const std::shared_ptr<Sink> &sink)
{
    enqueue([sink] {
        if (!sink->m_retry.isEmpty()) // one last try
            write(*sink, QByteArray());
        if (!sink->m_retry.isEmpty())
            qCWarning(lcWriter) << "closing" << sink->m_path << "with" << sink->m_retry.size()
                                << "bytes unwritten:" << sink->errorString();
        ::close(sink->m_fd);
    });
}

void BackgroundWriter::replace(const QString &path, QByteArray bytes)
{
    enqueue([path, bytes = std::move(bytes)] {
        if (const Result<void> written = writeFileAtomically(path, bytes); !written)
            qCWarning(lcWriter) << written.errorString();
    });
}

void BackgroundWriter::drain()
{
    std::unique_lock lock(m_mutex);
    const quint64 target = m_queued;
    m_done.wait(lock, [&] { return m_finished >= target; });
}

void BackgroundWriter::enqueue(std::function<void()> job)
{
    {
        const std::lock_guard lock(m_mutex);
        m_jobs.push_back(std::move(job));
        ++m_queued;
    }
    m_wake.notify_one();
}

void BackgroundWriter::run()
{
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [this] { return m_stopping || !m_jobs.empty(); });
        if (m_jobs.empty())
            return; // stopping, and nothing is left
        std::function<void()> job = std::move(m_jobs.front());
        m_jobs.pop_front();
        lock.unlock();
        job();
        job = nullptr; // release the bytes outside the lock
        lock.lock();
        ++m_finished;
        m_done.notify_all();
    }
}

// Worker thread. Writes the bytes kept from a failed append first, then `bytes`, at the
// sink's end; a failure cuts what it wrote of them off again.
QByteArray BackgroundWriter::write(Sink &sink, QByteArray bytes)
{
    if (!sink.m_retry.isEmpty()) {
        sink.m_retry.append(bytes);
        bytes = std::exchange(sink.m_retry, QByteArray());
    }
    qint64 done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::pwrite(sink.m_fd,
                                   bytes.constData() + done,
                                   size_t(bytes.size() - done),
                                   off_t(sink.m_offset + done));
        if (n > 0) {
            done += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        const QString reason = n < 0 ? QString::fromLocal8Bit(std::strerror(errno))
                                     : QStringLiteral("nothing written");
        if (done > 0 && ::ftruncate(sink.m_fd, off_t(sink.m_offset)) != 0)
            qCWarning(lcWriter) << "cannot cut a partial write off" << sink.m_path;
        {
            const std::lock_guard lock(sink.m_stateMutex);
            if (!sink.m_failing)
                qCWarning(lcWriter) << "cannot write" << sink.m_path << reason;
            sink.m_failing = true;
            sink.m_error = QStringLiteral("Cannot write %1: %2").arg(sink.m_path, reason);
        }
        if (sink.m_keepOnFailure)
            sink.m_retry = std::move(bytes);
        return {};
    }
    sink.m_offset += done;
    {
        const std::lock_guard lock(sink.m_stateMutex);
        sink.m_failing = false;
    }
    bytes.resize(0); // keeps the capacity: the owner fills it again
    return bytes;
}

} // namespace Parallax

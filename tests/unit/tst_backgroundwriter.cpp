// BackgroundWriter: appends in order at each file's end, replaces files atomically, reports
// and survives write failures (a real full device, and a real file-size limit that makes a
// write stop half-way), and drains before anyone reads.

#include "transcript/transcriptreader.h"
#include "transcript/transcriptwriter.h"
#include "util/backgroundwriter.h"

#include <QFile>
#include <QFileInfo>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace Parallax;

namespace {

QByteArray contents(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<unreadable>");
}

int openForAppend(const QString &path)
{
    return ::open(QFile::encodeName(path).constData(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
}

} // namespace

class TestBackgroundWriter : public QObject
{
    Q_OBJECT

private slots:
    void appendsInOrderAtTheEnd();
    void replaceIsWholeFile();
    void fullDeviceReported();
    void partialWriteCutAndRetried();
    void slowDiskHoldsTheCallerBack();
    void transcriptReadableAfterClose();

private:
    QTemporaryDir m_dir;
};

void TestBackgroundWriter::appendsInOrderAtTheEnd()
{
    BackgroundWriter &writer = BackgroundWriter::instance();
    const QString a = m_dir.filePath(QStringLiteral("a.txt"));
    const QString b = m_dir.filePath(QStringLiteral("b.txt"));
    {
        QFile seed(a);
        QVERIFY(seed.open(QIODevice::WriteOnly));
        seed.write("head:");
    }
    const auto sinkA = writer.adopt(openForAppend(a), 5, a, true);
    const auto sinkB = writer.adopt(openForAppend(b), 0, b, false);
    QByteArray expectA("head:"), expectB;
    for (int i = 0; i < 2000; ++i) {
        const QByteArray piece = QByteArray::number(i) + ',';
        writer.append(i % 3 ? sinkA : sinkB, piece);
        (i % 3 ? expectA : expectB) += piece;
    }
    writer.drain();
    QCOMPARE(contents(a), expectA);
    QCOMPARE(contents(b), expectB);
    QVERIFY(!sinkA->failing());
    QVERIFY(sinkA->errorString().isEmpty());
    writer.close(sinkA);
    writer.close(sinkB);
    writer.drain();
    QCOMPARE(contents(a), expectA);
}

void TestBackgroundWriter::replaceIsWholeFile()
{
    BackgroundWriter &writer = BackgroundWriter::instance();
    const QString path = m_dir.filePath(QStringLiteral("run.json"));
    for (int i = 0; i < 50; ++i)
        writer.replace(path, QByteArray(1000 + i, char('a' + i % 26)));
    writer.drain();
    QCOMPARE(contents(path), QByteArray(1049, char('a' + 49 % 26)));
    QVERIFY(!QFile::exists(path
                           + QStringLiteral(".tmp-%1").arg(QCoreApplication::applicationPid())));
}

void TestBackgroundWriter::fullDeviceReported()
{
    BackgroundWriter &writer = BackgroundWriter::instance();
    for (const bool keep : {true, false}) {
        const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
        QVERIFY(fd >= 0);
        const auto sink = writer.adopt(fd, 0, QStringLiteral("/dev/full"), keep);
        writer.append(sink, "lost?");
        writer.drain();
        QVERIFY(sink->failing());
        QVERIFY2(sink->errorString().contains(QStringLiteral("/dev/full"))
                         && sink->errorString().contains(QStringLiteral("space")),
                 qPrintable(sink->errorString()));
        writer.close(sink);
        writer.drain();
    }
}

void TestBackgroundWriter::partialWriteCutAndRetried()
{
    // A file-size limit makes pwrite stop half-way through a batch (then fail with EFBIG): the
    // half must be cut off again, and the whole batch written once the limit is lifted.
    std::signal(SIGXFSZ, SIG_IGN);
    rlimit original{};
    QVERIFY(::getrlimit(RLIMIT_FSIZE, &original) == 0);
    const QString path = m_dir.filePath(QStringLiteral("limited.jsonl"));
    BackgroundWriter &writer = BackgroundWriter::instance();
    const auto sink = writer.adopt(openForAppend(path), 0, path, true);
    writer.append(sink, "{\"first\":1}\n");
    writer.drain();

    rlimit limited = original;
    limited.rlim_cur = 20; // the next record crosses it
    QVERIFY(::setrlimit(RLIMIT_FSIZE, &limited) == 0);
    writer.append(sink, "{\"second\":22222}\n");
    writer.drain();
    QVERIFY(::setrlimit(RLIMIT_FSIZE, &original) == 0);
    QVERIFY(sink->failing());
    QVERIFY2(sink->errorString().contains(QStringLiteral("limited.jsonl")),
             qPrintable(sink->errorString()));
    QCOMPARE(contents(path), QByteArray("{\"first\":1}\n")); // no half record left behind

    writer.append(sink, "{\"third\":3}\n");
    writer.drain();
    QVERIFY(!sink->failing());
    QCOMPARE(contents(path), QByteArray("{\"first\":1}\n{\"second\":22222}\n{\"third\":3}\n"));
    writer.close(sink);
    writer.drain();
}

void TestBackgroundWriter::slowDiskHoldsTheCallerBack()
{
    // The writer thread is held up for real: a replace() whose temporary file is a FIFO blocks
    // in open(2) until someone reads it. Meanwhile appends pile up to kMaxQueuedBytes and then
    // wait, rather than growing the queue without bound.
    BackgroundWriter &writer = BackgroundWriter::instance();
    const QString target = m_dir.filePath(QStringLiteral("blocked.json"));
    const QString fifo = target + QStringLiteral(".tmp-%1").arg(QCoreApplication::applicationPid());
    QVERIFY(::mkfifo(QFile::encodeName(fifo).constData(), 0600) == 0);
    writer.replace(target, "{}\n");

    const QString path = m_dir.filePath(QStringLiteral("big.log"));
    const auto sink = writer.adopt(openForAppend(path), 0, path, true);
    constexpr qint64 kPiece = 1 << 20;
    const int pieces = int(BackgroundWriter::kMaxQueuedBytes / kPiece) + 6;
    std::atomic<int> appended{0};
    std::thread producer([&] {
        for (int i = 0; i < pieces; ++i) {
            writer.append(sink, QByteArray(kPiece, char('a' + i % 26)));
            ++appended;
        }
    });
    // On a failed check below: free the writer thread (a reader for the FIFO) and the producer.
    auto unblock = qScopeGuard([&] {
        const int fd = ::open(QFile::encodeName(fifo).constData(), O_RDONLY | O_NONBLOCK);
        producer.join();
        writer.drain();
        if (fd >= 0)
            ::close(fd);
    });
    QTest::qWait(500);
    const int before = appended.load();
    const qint64 queued = writer.queuedBytes();
    QVERIFY2(before < pieces, qPrintable(QString::number(before)));
    QVERIFY2(queued <= BackgroundWriter::kMaxQueuedBytes + kPiece,
             qPrintable(QString::number(queued)));
    QVERIFY2(queued >= BackgroundWriter::kMaxQueuedBytes, qPrintable(QString::number(queued)));

    // Reading the FIFO lets the writer on: the producer finishes and every byte arrives.
    unblock.dismiss();
    QFile reader(fifo);
    QVERIFY(reader.open(QIODevice::ReadOnly));
    QCOMPARE(reader.readAll(), QByteArray("{}\n"));
    producer.join();
    writer.close(sink);
    writer.drain();
    QCOMPARE(appended.load(), pieces);
    QCOMPARE(writer.queuedBytes(), 0);
    QCOMPARE(QFileInfo(path).size(), pieces * kPiece);
    // (The FIFO, renamed over the target, is what replace() left there: not read again.)
    QVERIFY(QFileInfo::exists(target) && !QFileInfo::exists(fifo));
}

void TestBackgroundWriter::transcriptReadableAfterClose()
{
    // TranscriptWriter goes through the writer; a reader opened right after close() sees every
    // record (TranscriptReader drains first).
    TranscriptWriter transcript;
    QVERIFY(transcript.open(m_dir.path(), QStringLiteral("v1")));
    QByteArray expected;
    for (int i = 0; i < 5000; ++i) {
        const QByteArray line = "line " + QByteArray::number(i) + '\n';
        transcript.append(StreamType::Stdout, line, -1, QByteArray());
        expected += line;
        if (i % 7 == 0)
            QVERIFY(transcript.flush());
    }
    transcript.close();
    const Result<QByteArray> read = TranscriptReader::readStream(
            m_dir.filePath(QStringLiteral("v1.jsonl")), StreamType::Stdout);
    QVERIFY2(read, qPrintable(read.errorString()));
    QCOMPARE(*read, expected);
    QCOMPARE(contents(m_dir.filePath(QStringLiteral("v1.log"))), expected);
}

QTEST_GUILESS_MAIN(TestBackgroundWriter)
#include "tst_backgroundwriter.moc"

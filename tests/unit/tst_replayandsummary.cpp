// Unit tests of what the compare and replay windows read from a run folder, on real files:
// TranscriptReplayer (every chunk of every variation delivered once, byte for byte, in recorded
// time order across variations; pause, speed change, skip to the end; a chunk is never early
// at 4×), RunSummaryModel (columns and sort order from run.json, QAbstractItemModelTester),
// the winner written to run.json and through HistoryDb, and DocumentLoader (transcripts with
// their times, patches coloured).

#include "compare/documentloader.h"
#include "compare/runsummarymodel.h"
#include "history/historydb.h"
#include "run/runfolder.h"
#include "text/terminalbuffer.h"
#include "transcript/transcriptreplayer.h"
#include "transcript/transcriptwriter.h"
#include "util/clock.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

namespace {

struct Chunk
{
    int msOffset; // after 2026-01-01T12:00:00Z
    StreamType stream;
    QByteArray data;
};

QByteArray timeAt(int msOffset)
{
    const QDateTime base(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC);
    return base.addMSecs(msOffset).toString(Qt::ISODateWithMs).toLatin1();
}

bool writeTranscript(const QString &dir, const QString &name, const QList<Chunk> &chunks)
{
    TranscriptWriter writer;
    if (!writer.open(dir, name))
        return false;
    for (const Chunk &c : chunks)
        writer.append(c.stream, c.data, c.data.size(), timeAt(c.msOffset));
    const bool ok = writer.flush();
    writer.close();
    return ok;
}

struct Delivered
{
    int source;
    StreamType stream;
    QByteArray data;
    qint64 msecs;
};

QList<Chunk> fastChunks()
{
    return {{0, StreamType::Stdout, "fast: start\n"},
            {100, StreamType::Stderr, "fast: warning\n"},
            {200, StreamType::Stdout, "fast: \x1b[32mdone\x1b[m\n"}};
}

QList<Chunk> slowChunks()
{
    return {{50, StreamType::Stdout, "slow: start\n"},
            {400, StreamType::Stdout, "slow: half"},
            {800, StreamType::Stdout, "way\nslow: done\n"}};
}

QJsonObject variation(const QString &name, const QString &state, int exitCode, qint64 ms)
{
    return QJsonObject{{"name", name},
                       {"state", state},
                       {"exit_code", exitCode},
                       {"duration_ms", ms},
                       {"started_at", QString::fromLatin1(timeAt(0))},
                       {"stdout_lines", 10},
                       {"stderr_lines", 2},
                       {"stdout_bytes", 1000},
                       {"stderr_bytes", 24},
                       {"transcript", name + ".jsonl"},
                       {"log", name + ".log"}};
}

bool writeRunJson(const QString &dir, const QJsonObject &record)
{
    QFile file(dir + "/run.json");
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(record).toJson()) > 0;
}

QJsonObject runRecord(const QString &state)
{
    QJsonObject fast = variation("fast", "exited", 0, 200);
    fast.insert("patch", "fast.patch");
    fast.insert("files_changed", 2);
    fast.insert("insertions", 12);
    fast.insert("deletions", 3);
    fast.insert("cpu_peak_percent", 87.5);
    fast.insert("memory_peak_bytes", 52428800);
    const QJsonObject slow = variation("slow", "exited", 3, 800);
    const QJsonObject never{{"name", "never"}, {"state", "failed"}, {"error", "image missing"}};
    return QJsonObject{{"format", 1},
                       {"run_id", "20260101-120000-abcd"},
                       {"name", "race"},
                       {"state", state},
                       {"started_at", QString::fromLatin1(timeAt(0))},
                       {"variations", QJsonArray{fast, slow, never}}};
}

} // namespace

class TestReplayAndSummary : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void replayInstantDeliversEverythingInTimeOrder();
    void replayAtSpeedIsNeverEarly();
    void replayPauseSpeedAndSkip();
    void replayOfNothing();
    void summaryModel();
    void summarySorting();
    void winnerInRunJson();
    void winnerThroughHistory();
    void loadTranscriptAndPatch();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QStringList m_paths;
};

void TestReplayAndSummary::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QVERIFY(writeTranscript(m_dir->path(), "fast", fastChunks()));
    QVERIFY(writeTranscript(m_dir->path(), "slow", slowChunks()));
    m_paths = QStringList{m_dir->filePath("fast.jsonl"),
                          m_dir->filePath("slow.jsonl"),
                          m_dir->filePath("never.jsonl")};
}

void TestReplayAndSummary::replayInstantDeliversEverythingInTimeOrder()
{
    TranscriptReplayer replayer;
    QVERIFY(replayer.open(m_paths));
    QCOMPARE(replayer.sourceCount(), 3);
    QList<Delivered> delivered;
    connect(&replayer,
            &TranscriptReplayer::chunkReady,
            this,
            [&delivered](int source, StreamType stream, const QByteArray &data, qint64 ms) {
                delivered.append({source, stream, data, ms});
            });
    QSignalSpy sourceFinished(&replayer, &TranscriptReplayer::sourceFinished);
    QSignalSpy finished(&replayer, &TranscriptReplayer::finished);
    replayer.setSpeed(0);
    replayer.play();
    QVERIFY(finished.wait(5000));
    QVERIFY(replayer.isFinished());

    // Interleaved by recorded time: fast 0, slow 50, fast 100, fast 200, slow 400, slow 800.
    const QList<std::pair<int, int>> order{{0, 0}, {1, 50}, {0, 100}, {0, 200}, {1, 400}, {1, 800}};
    QCOMPARE(delivered.size(), order.size());
    const qint64 base = QDateTime(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC).toMSecsSinceEpoch();
    for (qsizetype i = 0; i < order.size(); ++i) {
        QCOMPARE(delivered[i].source, order[i].first);
        QCOMPARE(delivered[i].msecs, base + order[i].second);
    }
    // Byte for byte per source, streams kept.
    QByteArray fast, slow;
    for (const Delivered &d : delivered)
        (d.source == 0 ? fast : slow).append(d.data);
    QCOMPARE(fast, QByteArray("fast: start\nfast: warning\nfast: \x1b[32mdone\x1b[m\n"));
    QCOMPARE(slow, QByteArray("slow: start\nslow: halfway\nslow: done\n"));
    QCOMPARE(delivered[2].stream, StreamType::Stderr);
    // Each source says when it is done; "never" has no transcript and is done from the start.
    QCOMPARE(sourceFinished.size(), 2);
    QCOMPARE(replayer.positionMs(), qint64(800));
}

void TestReplayAndSummary::replayAtSpeedIsNeverEarly()
{
    TranscriptReplayer replayer;
    QVERIFY(replayer.open(m_paths));
    QList<std::pair<qint64, qint64>> arrivals; // (recorded offset, wall ms since play)
    QElapsedTimer clock;
    connect(&replayer,
            &TranscriptReplayer::chunkReady,
            this,
            [&](int, StreamType, const QByteArray &, qint64 ms) {
                arrivals.append({ms - replayer.startMsecs(), clock.elapsed()});
            });
    QSignalSpy finished(&replayer, &TranscriptReplayer::finished);
    replayer.setSpeed(4);
    clock.start();
    replayer.play();
    QVERIFY(finished.wait(10000));
    QCOMPARE(arrivals.size(), 6);
    // At 4× a chunk recorded t ms in is due t/4 ms after play(); a timer may be late, never
    // early (a millisecond of timer rounding allowed).
    for (const auto &[offset, wall] : arrivals)
        QVERIFY2(wall >= offset / 4 - 1,
                 qPrintable(QStringLiteral("chunk at %1 ms arrived after %2 ms")
                                    .arg(offset)
                                    .arg(wall)));
    QVERIFY(arrivals.last().second >= 199);
}

void TestReplayAndSummary::replayPauseSpeedAndSkip()
{
    TranscriptReplayer replayer;
    QVERIFY(replayer.open(m_paths));
    int count = 0;
    connect(&replayer, &TranscriptReplayer::chunkReady, this, [&count] { ++count; });
    QSignalSpy finished(&replayer, &TranscriptReplayer::finished);
    replayer.setSpeed(1);
    replayer.play();
    QTRY_VERIFY(count >= 1); // the chunk at 0 ms
    replayer.pause();
    QVERIFY(!replayer.isPlaying());
    const int atPause = count;
    const qint64 position = replayer.positionMs();
    QTest::qWait(300);
    QCOMPARE(count, atPause); // paused: nothing arrives, the clock stands
    QCOMPARE(replayer.positionMs(), position);
    replayer.setSpeed(16);
    QCOMPARE(replayer.positionMs(), position); // a new speed keeps the position
    replayer.skipToEnd();
    QVERIFY(finished.wait(5000));
    QCOMPARE(count, 6);
    QVERIFY(replayer.isFinished());
}

void TestReplayAndSummary::replayOfNothing()
{
    TranscriptReplayer replayer;
    QVERIFY(replayer.open({m_dir->filePath("none.jsonl")}));
    QSignalSpy finished(&replayer, &TranscriptReplayer::finished);
    replayer.play();
    QVERIFY(finished.size() == 1 || finished.wait(2000));

    // A transcript that exists but cannot be read is an error, not an empty source.
    const QString unreadable = m_dir->filePath("dir.jsonl");
    QVERIFY(QDir().mkdir(unreadable));
    TranscriptReplayer other;
    QVERIFY(!other.open({unreadable}));
}

void TestReplayAndSummary::summaryModel()
{
    QVERIFY(writeRunJson(m_dir->path(), runRecord("finished")));
    RunSummaryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(model.load(m_dir->path()));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(RunSummaryModel::ColumnCount));
    const auto text = [&model](int row, int column) {
        return model.index(row, column).data().toString();
    };
    QCOMPARE(text(0, RunSummaryModel::NameColumn), QStringLiteral("fast"));
    QCOMPARE(text(0, RunSummaryModel::StateColumn), QStringLiteral("exited"));
    QCOMPARE(text(1, RunSummaryModel::ExitColumn), QStringLiteral("3"));
    QCOMPARE(text(2, RunSummaryModel::ExitColumn), QStringLiteral("—"));
    QCOMPARE(text(0, RunSummaryModel::LinesColumn), QStringLiteral("12"));
    QCOMPARE(text(0, RunSummaryModel::StderrColumn), QStringLiteral("2"));
    QCOMPARE(text(0, RunSummaryModel::FilesColumn), QStringLiteral("2"));
    QCOMPARE(text(0, RunSummaryModel::InsertionsColumn), QStringLiteral("+12"));
    QCOMPARE(text(0, RunSummaryModel::DeletionsColumn), QStringLiteral("−3"));
    QCOMPARE(text(1, RunSummaryModel::FilesColumn), QStringLiteral("—"));
    QCOMPARE(text(0, RunSummaryModel::CpuPeakColumn), QStringLiteral("88%"));
    QVERIFY(text(0, RunSummaryModel::MemoryPeakColumn).startsWith(QStringLiteral("50")));
    QCOMPARE(text(1, RunSummaryModel::CpuPeakColumn), QStringLiteral("—"));
    QCOMPARE(model.index(2, RunSummaryModel::StateColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("image missing"));
    QCOMPARE(model.rows()[0].patchPath, m_dir->filePath("fast.patch"));
    QCOMPARE(model.rows()[1].patchPath, QString());
    QCOMPARE(model.rows()[2].transcriptPath, m_dir->filePath("never.jsonl"));

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setWinner("slow");
    QCOMPARE(text(1, RunSummaryModel::WinnerColumn), RunSummaryModel::starMark());
    QCOMPARE(text(0, RunSummaryModel::WinnerColumn), QString());
    QCOMPARE(changed.size(), 1);

    // Not a run folder: a clear error naming it, and an empty model.
    const Result<void> bad = model.load(m_dir->filePath("nowhere"));
    QVERIFY(!bad);
    QVERIFY(bad.errorString().contains("is not a run folder"));
    QCOMPARE(model.rowCount(), 0);
}

void TestReplayAndSummary::summarySorting()
{
    QVERIFY(writeRunJson(m_dir->path(), runRecord("finished")));
    RunSummaryModel model;
    QVERIFY(model.load(m_dir->path()));
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(RunSummaryModel::SortRole);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto names = [&proxy] {
        QStringList list;
        for (int row = 0; row < proxy.rowCount(); ++row)
            list.append(proxy.index(row, 0).data().toString());
        return list;
    };
    proxy.sort(RunSummaryModel::DurationColumn, Qt::DescendingOrder);
    QCOMPARE(names(), (QStringList{"slow", "fast", "never"}));
    proxy.sort(RunSummaryModel::ExitColumn, Qt::AscendingOrder);
    QCOMPARE(names(), (QStringList{"never", "fast", "slow"})); // no exit code sorts first
    proxy.sort(RunSummaryModel::FilesColumn, Qt::DescendingOrder);
    QCOMPARE(names().first(), QStringLiteral("fast"));
}

void TestReplayAndSummary::winnerInRunJson()
{
    QVERIFY(writeRunJson(m_dir->path(), runRecord("running")));
    const Result<void> refused = writeRunWinner(m_dir->path(), "fast");
    QVERIFY(!refused);
    QVERIFY2(refused.errorString().contains("still running"), qPrintable(refused.errorString()));

    QVERIFY(writeRunJson(m_dir->path(), runRecord("finished")));
    const Result<void> unknown = writeRunWinner(m_dir->path(), "fastest");
    QVERIFY(!unknown);
    QVERIFY(unknown.errorString().contains("fast, slow, never"));
    QVERIFY(writeRunWinner(m_dir->path(), "slow"));
    Result<QJsonObject> read = readRunJson(m_dir->path());
    QVERIFY(read);
    QCOMPARE(read->value("winner").toString(), QStringLiteral("slow"));
    QCOMPARE(read->value("variations").toArray().size(), 3); // the rest kept
    QVERIFY(writeRunWinner(m_dir->path(), QString()));
    read = readRunJson(m_dir->path());
    QVERIFY(!read->contains("winner"));
}

void TestReplayAndSummary::winnerThroughHistory()
{
    QVERIFY(writeRunJson(m_dir->path(), runRecord("finished")));
    HistoryDb db;
    QVERIFY(db.open(m_dir->filePath("history.sqlite")));
    QVERIFY(db.recordFromFolder(m_dir->path()));
    const std::optional<QString> id = db.runIdForFolder(m_dir->path());
    QVERIFY(id);
    QVERIFY(db.setWinner(*id, "fast"));
    // Both places know: the database, and run.json for exports.
    QCOMPARE(db.run(*id)->summary.winner, QStringLiteral("fast"));
    QCOMPARE(readRunJson(m_dir->path())->value("winner").toString(), QStringLiteral("fast"));
    // Re-reading the folder (history import) keeps it.
    QVERIFY(db.recordFromFolder(m_dir->path()));
    QCOMPARE(db.run(*id)->summary.winner, QStringLiteral("fast"));
}

void TestReplayAndSummary::loadTranscriptAndPatch()
{
    TerminalBuffer buffer;
    QVERIFY(DocumentLoader::loadTranscript(m_dir->filePath("slow.jsonl"), &buffer));
    QCOMPARE(buffer.lineCount(), 3);
    QCOMPARE(buffer.line(1).text, QStringLiteral("slow: halfway"));
    const qint64 base = QDateTime(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC).toMSecsSinceEpoch();
    QCOMPARE(buffer.line(0).receiptMsecs, base + 50);
    QCOMPARE(buffer.line(1).receiptMsecs, base + 400); // a line dates from its first byte
    QVERIFY(!DocumentLoader::loadTranscript(m_dir->filePath("never.jsonl"), &buffer));

    const QByteArray patch = "diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n same";
    QCOMPARE(DocumentLoader::colorizePatch(patch),
             QByteArray(
                     "\x1b[1mdiff --git a/x b/x\x1b[m\n\x1b[1m--- a/x\x1b[m\n\x1b[1m+++ b/x\x1b[m\n"
                     "\x1b[36m@@ -1 +1 @@\x1b[m\n\x1b[31m-old\x1b[m\n\x1b[32m+new\x1b[m\n same"));
    QFile file(m_dir->filePath("fast.patch"));
    QVERIFY(file.open(QIODevice::WriteOnly) && file.write(patch) == patch.size());
    file.close();
    TerminalBuffer coloured;
    QVERIFY(DocumentLoader::loadPatch(file.fileName(), &coloured));
    QCOMPARE(coloured.lineCount(), 7);
    QCOMPARE(coloured.line(5).text, QStringLiteral("+new"));
    QCOMPARE(coloured.line(5).styleAt(0).fg.index, 2); // green
    QCOMPARE(coloured.line(4).styleAt(0).fg.index, 1); // red
    TerminalBuffer plain;
    QVERIFY(DocumentLoader::loadPatch(file.fileName(), &plain, false));
    QVERIFY(plain.line(5).runs.isEmpty());
    const Result<void> missing = DocumentLoader::loadPatch(m_dir->filePath("gone.patch"), &plain);
    QVERIFY(!missing);
    QVERIFY(missing.errorString().contains("gone.patch"));
}

QTEST_GUILESS_MAIN(TestReplayAndSummary)
#include "tst_replayandsummary.moc"

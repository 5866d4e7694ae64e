#include "docker/streamdemuxer.h"

#include <QRandomGenerator>
#include <QTest>

#include "splitfeeding.h"

using namespace Parallax;
using namespace Parallax::TestSplit;

namespace {

// Stream 1/2/3 as a letter: o(ut), e(rr), d(aemon error).
char streamLetter(StreamType stream)
{
    switch (stream) {
    case StreamType::Stdout:
        return 'o';
    case StreamType::Stderr:
        return 'e';
    case StreamType::DaemonError:
        return 'd';
    }
    return '?';
}

// Everything observable about one demultiplexing, rebuilt from the sink's slices: the frames
// (stream letter and payload) and what finish() said.
struct Demuxed
{
    QList<QPair<char, QByteArray>> frames;
    bool fed = true; // every feed() returned true
    QString error;
    bool finished = false;
    QString finishError;
    bool contractBroken = false; // an empty slice, a continuation without a frame, a stream change

    bool operator==(const Demuxed &) const = default;

    QByteArray stream(char letter) const
    {
        QByteArray all;
        for (const auto &[s, payload] : frames) {
            if (s == letter)
                all += payload;
        }
        return all;
    }

    QString toString() const
    {
        QStringList parts;
        for (const auto &[s, payload] : frames)
            parts << QString(QLatin1Char(s)) + QLatin1Char(':') + abbreviated(payload);
        return QLatin1Char('[') + parts.join(QLatin1String(", ")) + QLatin1String("] fed ")
               + yesNo(fed) + QLatin1String(", error '") + error + QLatin1String("', finished ")
               + yesNo(finished) + QLatin1String(", finish error '") + finishError
               + QLatin1Char('\'')
               + (contractBroken ? QLatin1String(", CONTRACT BROKEN") : QLatin1String());
    }
};

Demuxed demux(QByteArrayView input, bool multiplexed, const Split &split)
{
    StreamDemuxer demuxer(multiplexed);
    Demuxed result;
    const StreamDemuxer::Sink sink
            = [&](StreamType stream, QByteArrayView payload, bool frameStart) {
                  if (payload.isEmpty())
                      result.contractBroken = true;
                  if (!multiplexed) {
                      // A TTY stream has no frames: one growing stdout "frame", never a frame
                      // start.
                      if (frameStart || stream != StreamType::Stdout)
                          result.contractBroken = true;
                      if (result.frames.isEmpty())
                          result.frames.append({'o', QByteArray()});
                      result.frames.last().second += payload.toByteArray();
                      return;
                  }
                  if (frameStart) {
                      result.frames.append({streamLetter(stream), payload.toByteArray()});
                  } else if (result.frames.isEmpty()
                             || result.frames.last().first != streamLetter(stream)) {
                      result.contractBroken = true;
                  } else {
                      result.frames.last().second += payload.toByteArray();
                  }
              };
    feedPieces(input, split, [&](QByteArrayView piece) {
        result.fed = demuxer.feed(piece, sink);
        return result.fed;
    });
    result.error = demuxer.errorString();
    if (result.fed == demuxer.hasError())
        result.contractBroken = true;
    result.finished = demuxer.finish();
    result.finishError = demuxer.errorString();
    if (result.finished && !demuxer.atFrameBoundary())
        result.contractBroken = true;
    return result;
}

using Frames = QList<QPair<char, QByteArray>>;

} // namespace

class tst_StreamDemuxer : public QObject
{
    Q_OBJECT

private slots:
    void demux_data();
    void demux();
    void errors_data();
    void errors();
    void payloadIsNotHeldBack();
    void frameStartFlag();
    void switchToTty();
};

void tst_StreamDemuxer::demux_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("multiplexed");
    QTest::addColumn<Frames>("frames");

    QTest::addRow("nothing") << QByteArray() << true << Frames{};
    QTest::addRow("one stdout frame") << frame(1, "hello\n") << true << Frames{{'o', "hello\n"}};
    QTest::addRow("stderr frame") << frame(2, "oops\n") << true << Frames{{'e', "oops\n"}};
    QTest::addRow("daemon error frame")
            << frame(3, "Error grabbing logs: invalid character 'l' after object key\n") << true
            << Frames{{'d', "Error grabbing logs: invalid character 'l' after object key\n"}};
    QTest::addRow("stdin frame is stdout") << frame(0, "echo\n") << true << Frames{{'o', "echo\n"}};
    QTest::addRow("interleaved") << frame(1, "out 1\n") + frame(2, "err 1\n") + frame(1, "out 2\n")
                                            + frame(2, "err 2\n") + frame(3, "daemon\n")
                                 << true
                                 << Frames{{'o', "out 1\n"},
                                           {'e', "err 1\n"},
                                           {'o', "out 2\n"},
                                           {'e', "err 2\n"},
                                           {'d', "daemon\n"}};
    QTest::addRow("zero-size frames") << frame(1, {}) + frame(1, "a") + frame(2, {}) + frame(3, {})
                                                 + frame(2, "b") + frame(1, {})
                                      << true << Frames{{'o', "a"}, {'e', "b"}};
    QTest::addRow("only a zero-size frame") << frame(2, {}) << true << Frames{};
    QTest::addRow("payload that looks like a header")
            << frame(1, bytes("\x02\0\0\0\0\0\0\x05"))
                       + frame(2, bytes("\x01\0\0\0\xff\xff\xff\xff"))
            << true
            << Frames{{'o', bytes("\x02\0\0\0\0\0\0\x05")},
                      {'e', bytes("\x01\0\0\0\xff\xff\xff\xff")}};
    QTest::addRow("binary and a split UTF-8 character")
            << frame(1, "caf\xc3") + frame(1, "\xa9\n") << true
            << Frames{{'o', "caf\xc3"}, {'o', "\xa9\n"}};

    const QByteArray k16 = pattern(16 * 1024);
    QTest::addRow("16 KiB frame") << frame(1, k16) << true << Frames{{'o', k16}};
    QTest::addRow("16 KiB frames, both streams")
            << frame(1, k16) + frame(2, k16) + frame(1, k16) << true
            << Frames{{'o', k16}, {'e', k16}, {'o', k16}};
    const QByteArray m1 = pattern(1024 * 1024);
    QTest::addRow("1 MiB frame") << frame(2, m1) << true << Frames{{'e', m1}};

    // A 40,001-byte line came through attach as frames of 8192/8192/8192/15424/7 bytes.
    const QByteArray line = QByteArray(40000, 'L') + '\n';
    QByteArray attach;
    Frames attachFrames;
    qsizetype at = 0;
    for (const qsizetype size : {8192, 8192, 8192, 15424, 7}) {
        attach += frame(1, line.mid(at, size));
        attachFrames.append({'o', line.mid(at, size)});
        at += size;
    }
    QTest::addRow("40,001-byte line in pipe-sized frames") << attach << true << attachFrames;

    // TTY: no framing at all, even for bytes that look like a header.
    QTest::addRow("tty nothing") << QByteArray() << false << Frames{};
    QTest::addRow("tty text") << QByteArray("\x1b[1mbold\x1b[0m\r\nprogress 10%\rprogress 100%\r\n")
                              << false
                              << Frames{{'o',
                                         "\x1b[1mbold\x1b[0m\r\nprogress 10%\rprogress 100%\r\n"}};
    QTest::addRow("tty bytes that look like frames")
            << frame(2, "not a frame") + bytes("\x09\x01\x02\x03") << false
            << Frames{{'o', frame(2, "not a frame") + bytes("\x09\x01\x02\x03")}};
    QTest::addRow("tty 1 MiB") << m1 << false << Frames{{'o', m1}};
}

void tst_StreamDemuxer::demux()
{
    QFETCH(QByteArray, input);
    QFETCH(bool, multiplexed);
    QFETCH(Frames, frames);

    const QList<Split> splits = splitsFor(input.size());
    const Demuxed reference = ::demux(input, multiplexed, splits.first());
    QVERIFY2(!reference.contractBroken, qPrintable(reference.toString()));
    QVERIFY2(reference.fed, qPrintable(reference.error));
    QVERIFY2(reference.finished, qPrintable(reference.finishError));
    QVERIFY(reference.error.isEmpty());
    QCOMPARE(reference.frames.size(), frames.size());
    for (qsizetype i = 0; i < frames.size(); ++i) {
        QCOMPARE(reference.frames.at(i).first, frames.at(i).first);
        QCOMPARE(reference.frames.at(i).second, frames.at(i).second);
    }
    if (!multiplexed)
        QCOMPARE(reference.stream('o'), input);
    for (const Split &split : splits) {
        const Demuxed got = ::demux(input, multiplexed, split);
        QVERIFY2(got == reference,
                 qPrintable(QStringLiteral("%1: %2\nwhole: %3")
                                    .arg(split.name(), got.toString(), reference.toString())));
    }
}

void tst_StreamDemuxer::errors_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<Frames>("framesBeforeError");
    // Whether feed() fails; otherwise finish() does.
    QTest::addColumn<bool>("feedFails");
    QTest::addColumn<QString>("error");

    QTest::addRow("type 4") << bytes("\x04\0\0\0\0\0\0\x01x") << Frames{} << true
                            << QStringLiteral("bad frame header 04 00 00 00 00 00 00 01");
    QTest::addRow("type 0xff") << bytes("\xff\0\0\0\0\0\0\x01x") << Frames{} << true
                               << QStringLiteral("bad frame header ff");
    QTest::addRow("reserved byte set") << bytes("\x01\0\x01\0\0\0\0\x01x") << Frames{} << true
                                       << QStringLiteral("bad frame header 01 00 01 00");
    QTest::addRow("TTY bytes read as frames")
            << QByteArray("total 12\r\ndrwxr-xr-x 2 root root") << Frames{} << true
            << QStringLiteral("bad frame header 74 6f 74 61 6c 20 31 32");
    QTest::addRow("HTTP read as frames") << QByteArray("HTTP/1.1 200 OK\r\n\r\n") << Frames{}
                                         << true << QStringLiteral("bad frame header");
    QTest::addRow("bad header after good frames")
            << frame(1, "one\n") + frame(2, "two\n") + bytes("\x01\x01\0\0\0\0\0\x01z")
                       + frame(1, "never")
            << Frames{{'o', "one\n"}, {'e', "two\n"}} << true
            << QStringLiteral("bad frame header 01 01 00 00 00 00 00 01");
    QTest::addRow("truncated payload")
            << frame(1, "complete\n") + frame(2, "truncated payload").left(8 + 9)
            << Frames{{'o', "complete\n"}, {'e', "truncated"}} << false
            << QStringLiteral("stream ended inside a frame (8 of 17 payload bytes missing)");
    QTest::addRow("header only") << frame(1, "0123456789").left(8) << Frames{} << false
                                 << QStringLiteral("(10 of 10 payload bytes missing)");
    QTest::addRow("truncated header")
            << frame(1, "ok") + bytes("\x01\0\0") << Frames{{'o', "ok"}} << false
            << QStringLiteral("inside a frame header (3 of 8 bytes)");
    const QByteArray m1 = pattern(1024 * 1024);
    QTest::addRow("truncated 1 MiB frame")
            << frame(1, m1).chopped(1) << Frames{{'o', m1.chopped(1)}} << false
            << QStringLiteral("(1 of 1048576 payload bytes missing)");
}

void tst_StreamDemuxer::errors()
{
    QFETCH(QByteArray, input);
    QFETCH(Frames, framesBeforeError);
    QFETCH(bool, feedFails);
    QFETCH(QString, error);

    const QList<Split> splits = splitsFor(input.size());
    const Demuxed reference = ::demux(input, true, splits.first());
    QVERIFY2(!reference.contractBroken, qPrintable(reference.toString()));
    QCOMPARE(reference.fed, !feedFails);
    QVERIFY(!reference.finished);
    QVERIFY2(reference.finishError.contains(error), qPrintable(reference.finishError));
    if (feedFails)
        QCOMPARE(reference.error, reference.finishError);
    QCOMPARE(reference.frames.size(), framesBeforeError.size());
    for (qsizetype i = 0; i < framesBeforeError.size(); ++i) {
        QCOMPARE(reference.frames.at(i).first, framesBeforeError.at(i).first);
        QCOMPARE(reference.frames.at(i).second, framesBeforeError.at(i).second);
    }
    for (const Split &split : splits) {
        const Demuxed got = ::demux(input, true, split);
        QVERIFY2(got == reference,
                 qPrintable(QStringLiteral("%1: %2\nwhole: %3")
                                    .arg(split.name(), got.toString(), reference.toString())));
    }

    // Once failed, it stays failed.
    StreamDemuxer demuxer;
    const StreamDemuxer::Sink ignore = [](StreamType, QByteArrayView, bool) {
    };
    demuxer.feed(input, ignore);
    demuxer.finish();
    QVERIFY(demuxer.hasError());
    QVERIFY(!demuxer.feed(frame(1, "more"), ignore));
    QVERIFY(!demuxer.finish());
}

// Payload is handed on as it arrives: the demuxer holds at most the 8 header bytes, whatever
// the frame size.
void tst_StreamDemuxer::payloadIsNotHeldBack()
{
    StreamDemuxer demuxer;
    qsizetype received = 0;
    const StreamDemuxer::Sink sink = [&](StreamType, QByteArrayView payload, bool) {
        received += payload.size();
    };
    const QByteArray input = frame(1, pattern(1024 * 1024));
    QVERIFY(demuxer.feed(QByteArrayView(input).first(5), sink));
    QCOMPARE(received, 0);
    QVERIFY(!demuxer.atFrameBoundary());
    QVERIFY(demuxer.feed(QByteArrayView(input).sliced(5, 3), sink));
    QCOMPARE(received, 0);
    for (qsizetype at = 8; at < input.size(); at += 4096) {
        QVERIFY(demuxer.feed(
                QByteArrayView(input).sliced(at, qMin<qsizetype>(4096, input.size() - at)), sink));
        QCOMPARE(received, qMin<qsizetype>(at + 4096, input.size()) - 8);
    }
    QVERIFY(demuxer.atFrameBoundary());
    QVERIFY(demuxer.finish());
}

// frameStart is true exactly once per non-empty frame, on its first slice, even when the
// header and the payload come in separate feeds (Podman writes them separately).
void tst_StreamDemuxer::frameStartFlag()
{
    StreamDemuxer demuxer;
    QList<QPair<QByteArray, bool>> calls;
    const StreamDemuxer::Sink sink = [&](StreamType, QByteArrayView payload, bool frameStart) {
        calls.append({payload.toByteArray(), frameStart});
    };
    const QByteArray a = frame(1, "abcdef");
    const QByteArray b = frame(2, "gh");
    QVERIFY(demuxer.feed(a.left(8), sink));
    QVERIFY(calls.isEmpty());
    QVERIFY(demuxer.feed(a.mid(8, 2), sink));
    QVERIFY(demuxer.feed(a.mid(10) + b.left(9), sink));
    QVERIFY(demuxer.feed(b.mid(9), sink));
    const QList<QPair<QByteArray, bool>> expected{
            {"ab", true}, {"cdef", false}, {"g", true}, {"h", false}};
    QCOMPARE(calls, expected);
    QVERIFY(demuxer.finish());
}

// The caller learns whether the container has a TTY from inspect, possibly after creating the
// demuxer.
void tst_StreamDemuxer::switchToTty()
{
    StreamDemuxer demuxer;
    QVERIFY(demuxer.isMultiplexed());
    demuxer.setMultiplexed(false);
    QVERIFY(!demuxer.isMultiplexed());
    QByteArray out;
    const StreamDemuxer::Sink sink = [&](StreamType stream, QByteArrayView payload, bool) {
        QCOMPARE(stream, StreamType::Stdout);
        out += payload.toByteArray();
    };
    QVERIFY(demuxer.feed("\x02raw", sink));
    QVERIFY(demuxer.finish());
    QCOMPARE(out, QByteArray("\x02raw"));
}

QTEST_GUILESS_MAIN(tst_StreamDemuxer)
#include "tst_streamdemuxer.moc"

// The command line's interleaving of several variations on one terminal.

#include "cli/streamprinter.h"

#include <QTest>

using namespace Parallax;
using Parallax::Cli::StreamPrinter;

class TestStreamPrinter : public QObject
{
    Q_OBJECT

private slots:
    void prefixesEveryLine()
    {
        StreamPrinter printer({QStringLiteral("v1"), QStringLiteral("fast")});
        QCOMPARE(printer.format(0, StreamType::Stdout, "a\nb\n"), QByteArray("[v1] a\n[v1] b\n"));
        QCOMPARE(printer.format(1, StreamType::Stderr, "oops\n"), QByteArray("[fast:err] oops\n"));
        QCOMPARE(printer.finish(), QByteArray());
    }

    void partialLineShownAtOnceAndContinued()
    {
        StreamPrinter printer({QStringLiteral("v1"), QStringLiteral("v2")});
        QCOMPARE(printer.format(0, StreamType::Stdout, "partial"), QByteArray("[v1] partial"));
        QCOMPARE(printer.format(0, StreamType::Stdout, " done\n"), QByteArray(" done\n"));
    }

    void otherVariationBreaksAPartialLine()
    {
        StreamPrinter printer({QStringLiteral("v1"), QStringLiteral("v2")});
        QCOMPARE(printer.format(0, StreamType::Stdout, "half"), QByteArray("[v1] half"));
        QCOMPARE(printer.format(1, StreamType::Stdout, "x\n"), QByteArray("\n[v2] x\n"));
        QCOMPARE(printer.format(0, StreamType::Stdout, " rest\n"), QByteArray("[v1]  rest\n"));
        QCOMPARE(printer.format(0, StreamType::Stderr, "e"), QByteArray("[v1:err] e"));
        QCOMPARE(printer.finish(), QByteArray("\n"));
    }

    void colourWrapsTheLabel()
    {
        StreamPrinter printer({QStringLiteral("v1")}, true);
        const QByteArray out = printer.format(0, StreamType::Stderr, "e\n");
        QVERIFY(out.startsWith("\x1b[31m[v1:err] \x1b[0m"));
        QVERIFY(out.endsWith("e\n"));
    }

    void unknownVariationStillLabelled()
    {
        StreamPrinter printer({});
        QCOMPARE(printer.format(3, StreamType::Stdout, "x\n"), QByteArray("[3] x\n"));
    }
};

QTEST_GUILESS_MAIN(TestStreamPrinter)
#include "tst_streamprinter.moc"

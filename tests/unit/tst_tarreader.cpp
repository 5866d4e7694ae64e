// Unit tests of TarReader on archives built here byte by byte (a tiny ustar writer below):
// files, directories, long names, big sizes, and the refusals - truncated archives, corrupt
// headers and entries above the 16 MiB bound.

#include "util/tarreader.h"

#include <QTest>

using namespace Parallax;

namespace {

// One ustar header for `name`, with `size` written in octal (or GNU base-256 when `base256`).
QByteArray header(const QByteArray &name, qint64 size, char type, bool base256 = false)
{
    QByteArray h(512, '\0');
    auto put = [&h](qsizetype at, const QByteArray &field) {
        h.replace(at, field.size(), field);
    };
    put(0, name.left(100));
    put(100, "0000644");
    put(108, "0000000");
    put(116, "0000000");
    if (base256) {
        h[124] = char(0x80);
        for (int i = 0; i < 8; ++i)
            h[135 - i] = char((size >> (8 * i)) & 0xff);
    } else {
        put(124, QByteArray::number(size, 8).rightJustified(11, '0'));
    }
    put(136, "00000000000");
    h[156] = type;
    put(257, QByteArray("ustar\0", 6));
    put(263, "00");
    put(148, "        ");
    qint64 sum = 0;
    for (char c : std::as_const(h))
        sum += uchar(c);
    put(148, QByteArray::number(sum, 8).rightJustified(6, '0') + '\0' + ' ');
    return h;
}

QByteArray padded(const QByteArray &data)
{
    return data + QByteArray((512 - data.size() % 512) % 512, '\0');
}

QByteArray fileEntry(const QByteArray &name, const QByteArray &data)
{
    return header(name, data.size(), '0') + padded(data);
}

QByteArray end()
{
    return QByteArray(1024, '\0');
}

} // namespace

class TarReaderTest : public QObject
{
    Q_OBJECT
private slots:
    void singleFile();
    void directoryAndFiles();
    void emptyFile();
    void gnuLongName();
    void largeSizes_data();
    void largeSizes();
    void truncated_data();
    void truncated();
    void corruptChecksum();
    void tooLarge_data();
    void tooLarge();
    void noRegularFile();
};

void TarReaderTest::singleFile()
{
    const QByteArray patch = "--- /dev/null\n+++ b/a.txt\n@@ -0,0 +1 @@\n+hello\n";
    const Result<QByteArray> file
            = TarReader::singleFile(fileEntry("changes.patch", patch) + end());
    QVERIFY2(file.ok(), qPrintable(file.errorString()));
    QCOMPARE(*file, patch);
}

void TarReaderTest::directoryAndFiles()
{
    const QByteArray big(1300, 'x'); // spans three blocks, the last one padded
    const QByteArray archive = header(".parallax/", 0, '5') + fileEntry(".parallax/a", "A\n")
                               + fileEntry(".parallax/b", big) + end();
    const Result<QList<TarReader::Entry>> entries = TarReader::read(archive);
    QVERIFY2(entries.ok(), qPrintable(entries.errorString()));
    QCOMPARE(entries->size(), 3);
    QCOMPARE(entries->at(0).type, TarReader::Entry::Type::Directory);
    QCOMPARE(entries->at(0).name, QStringLiteral(".parallax/"));
    QCOMPARE(entries->at(1).type, TarReader::Entry::Type::File);
    QCOMPARE(entries->at(1).data, QByteArray("A\n"));
    QCOMPARE(entries->at(2).name, QStringLiteral(".parallax/b"));
    QCOMPARE(entries->at(2).data, big);
    // The first regular file, not the directory.
    QCOMPARE(*TarReader::singleFile(archive), QByteArray("A\n"));
    // Without the end-of-archive blocks (some writers omit them) the entries are the same.
    QCOMPARE(TarReader::read(archive.chopped(1024))->size(), 3);
}

void TarReaderTest::emptyFile()
{
    const Result<QByteArray> file = TarReader::singleFile(header("empty", 0, '0') + end());
    QVERIFY2(file.ok(), qPrintable(file.errorString()));
    QVERIFY(file->isEmpty());
}

void TarReaderTest::gnuLongName()
{
    const QByteArray name = QByteArray(150, 'n') + "/changes.patch";
    const QByteArray archive = header("././@LongLink", name.size() + 1, 'L') + padded(name + '\0')
                               + fileEntry(name.left(100), "x") + end();
    const Result<QList<TarReader::Entry>> entries = TarReader::read(archive);
    QVERIFY2(entries.ok(), qPrintable(entries.errorString()));
    QCOMPARE(entries->size(), 1);
    QCOMPARE(entries->first().name, QString::fromLatin1(name));
}

void TarReaderTest::largeSizes_data()
{
    QTest::addColumn<bool>("base256");
    QTest::addRow("octal") << false;
    QTest::addRow("base-256") << true;
}

void TarReaderTest::largeSizes()
{
    // A size that needs every octal digit of the field, within the bound.
    QFETCH(bool, base256);
    const QByteArray data(int(TarReader::kMaxEntryBytes), 'z');
    const QByteArray archive = header("big", data.size(), '0', base256) + data + end();
    const Result<QByteArray> file = TarReader::singleFile(archive);
    QVERIFY2(file.ok(), qPrintable(file.errorString()));
    QCOMPARE(file->size(), data.size());
}

void TarReaderTest::truncated_data()
{
    QTest::addColumn<QByteArray>("archive");
    const QByteArray whole = fileEntry("f", QByteArray(1000, 'a')) + end();
    QTest::addRow("half a header") << whole.left(200);
    QTest::addRow("header only") << whole.left(512);
    QTest::addRow("data cut short") << whole.left(512 + 999);
    const QByteArray second = fileEntry("f", "1") + header("g", 10, '0').left(300);
    QTest::addRow("second header cut") << second;
}

void TarReaderTest::truncated()
{
    QFETCH(QByteArray, archive);
    const Result<QList<TarReader::Entry>> entries = TarReader::read(archive);
    QVERIFY(!entries.ok());
    QVERIFY2(entries.errorString().contains(QLatin1String("truncated")),
             qPrintable(entries.errorString()));
}

void TarReaderTest::corruptChecksum()
{
    QByteArray archive = fileEntry("f", "data") + end();
    archive[0] = 'g'; // the name changes, the stored checksum does not
    const Result<QList<TarReader::Entry>> entries = TarReader::read(archive);
    QVERIFY(!entries.ok());
    QVERIFY2(entries.errorString().contains(QLatin1String("corrupt")),
             qPrintable(entries.errorString()));
}

void TarReaderTest::tooLarge_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<bool>("base256");
    QTest::addRow("16 MiB + 1") << TarReader::kMaxEntryBytes + 1 << false;
    QTest::addRow("8 GiB octal") << (qint64(8) << 30) << false;
    QTest::addRow("1 TiB base-256") << (qint64(1) << 40) << true;
}

void TarReaderTest::tooLarge()
{
    // Refused from the header alone: the data need not (and here does not) follow.
    QFETCH(qint64, size);
    QFETCH(bool, base256);
    const Result<QList<TarReader::Entry>> entries
            = TarReader::read(header("huge", size, '0', base256) + end());
    QVERIFY(!entries.ok());
    QVERIFY2(entries.errorString().contains(QLatin1String("too large")),
             qPrintable(entries.errorString()));
}

void TarReaderTest::noRegularFile()
{
    QVERIFY(!TarReader::singleFile(header("dir/", 0, '5') + end()).ok());
    QVERIFY(!TarReader::singleFile(end()).ok());
    QVERIFY(TarReader::read(QByteArray()).ok()); // nothing at all: no entries
}

QTEST_GUILESS_MAIN(TarReaderTest)

#include "tst_tarreader.moc"

// writeFileAtomically (run.json, patches): the file is replaced in one step - a reader that
// opened the old one keeps reading it whole, a new reader sees the new one whole - no temporary
// file is left behind, and failures say which file.

#include "util/atomicfile.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

class TestAtomicFile : public QObject
{
    Q_OBJECT

private slots:
    void writesAndReplaces();
    void readerOfTheOldFileKeepsIt();
    void failsClearly();
};

void TestAtomicFile::writesAndReplaces()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath("run.json");
    QVERIFY(writeFileAtomically(path, "first"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("first"));
    file.close();
    const QByteArray big(3 * 1024 * 1024, 'x');
    QVERIFY(writeFileAtomically(path, big));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), big);
    QVERIFY(writeFileAtomically(path, QByteArray()));
    QCOMPARE(QFileInfo(path).size(), 0);
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList{"run.json"});
}

void TestAtomicFile::readerOfTheOldFileKeepsIt()
{
    QTemporaryDir dir;
    const QString path = dir.filePath("run.json");
    QVERIFY(writeFileAtomically(path, "old contents"));
    QFile old(path);
    QVERIFY(old.open(QIODevice::ReadOnly));
    QCOMPARE(old.read(4), QByteArray("old "));
    QVERIFY(writeFileAtomically(path, "new"));
    QCOMPARE(old.readAll(), QByteArray("contents")); // the old file, not a truncated mix
    QFile now(path);
    QVERIFY(now.open(QIODevice::ReadOnly));
    QCOMPARE(now.readAll(), QByteArray("new"));
}

void TestAtomicFile::failsClearly()
{
    QTemporaryDir dir;
    const QString missing = dir.filePath("gone/run.json");
    const Result<void> noDir = writeFileAtomically(missing, "x");
    QVERIFY(!noDir);
    QVERIFY2(noDir.errorString().contains(missing), qPrintable(noDir.errorString()));
    // The target is a directory: the rename fails and the temporary file goes away.
    const QString target = dir.filePath("folder");
    QVERIFY(QDir().mkpath(target + "/inside"));
    const Result<void> onDir = writeFileAtomically(target, "x");
    QVERIFY(!onDir);
    QVERIFY2(onDir.errorString().contains("cannot replace"), qPrintable(onDir.errorString()));
    QCOMPARE(QDir(dir.path()).entryList(QDir::Files), QStringList());
}

QTEST_GUILESS_MAIN(TestAtomicFile)
#include "tst_atomicfile.moc"

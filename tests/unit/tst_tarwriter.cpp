// TarWriter: archives read back by our own TarReader and by GNU tar (the reference), long names
// through the ustar prefix and pax headers, and byte-for-byte determinism.

#include "util/tarreader.h"
#include "util/tarwriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

class TestTarWriter : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data();
    void roundTrip();
    void deterministic();
    void badPaths_data();
    void badPaths();
    void gnuTarLists();
    void gnuTarExtracts();
    void addTreeFromDisk();
    void addTreeRefusesSymlinks();

private:
    static QByteArray
    run(const QStringList &args, const QString &cwd = {}, int *exitCode = nullptr);
};

static QString longPath(int depth, int segment)
{
    QStringList parts;
    for (int i = 0; i < depth; ++i)
        parts << QString(segment, QChar(u'a' + i % 26));
    return parts.join(u'/');
}

QByteArray TestTarWriter::run(const QStringList &args, const QString &cwd, int *exitCode)
{
    QProcess tar;
    if (!cwd.isEmpty())
        tar.setWorkingDirectory(cwd);
    tar.setProcessChannelMode(QProcess::MergedChannels);
    tar.start(QStringLiteral("tar"), args);
    if (!tar.waitForFinished(30000))
        return "tar did not finish";
    if (exitCode)
        *exitCode = tar.exitCode();
    return tar.readAll();
}

void TestTarWriter::roundTrip_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("data");
    QTest::addRow("short") << "Dockerfile" << QByteArray("FROM scratch\n");
    QTest::addRow("empty file") << "empty" << QByteArray();
    QTest::addRow("exactly one block") << "block" << QByteArray(512, 'x');
    QTest::addRow("one byte over a block") << "block1" << QByteArray(513, 'y');
    QTest::addRow("name of 100 bytes") << QString(100, u'n') << QByteArray("100");
    QTest::addRow("ustar prefix") << longPath(4, 60) << QByteArray("prefix");
    QTest::addRow("pax: a segment over 100")
            << (QStringLiteral("dir/") + QString(120, u'z')) << QByteArray("pax");
    QTest::addRow("pax: over 255 bytes") << longPath(9, 40) << QByteArray("deep");
    QTest::addRow("utf-8") << QStringLiteral("répertoire/файл.txt")
                           << QByteArray("\xff\x00\x01", 3);
}

void TestTarWriter::roundTrip()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, data);
    TarWriter writer;
    QVERIFY(writer.addDirectory(QStringLiteral("top")));
    const Result<void> added = writer.addFile(name, data, 0755);
    QVERIFY2(added, qPrintable(added.errorString()));
    const QByteArray archive = writer.finish();
    QCOMPARE(archive.size() % 512, 0);
    const Result<QList<TarReader::Entry>> entries = TarReader::read(archive);
    QVERIFY2(entries, qPrintable(entries.errorString()));
    QCOMPARE(entries->size(), 2);
    QCOMPARE(entries->at(0).name, QStringLiteral("top/"));
    QCOMPARE(entries->at(0).type, TarReader::Entry::Type::Directory);
    QCOMPARE(entries->at(1).name, name);
    QCOMPARE(entries->at(1).type, TarReader::Entry::Type::File);
    QCOMPARE(entries->at(1).data, data);
}

void TestTarWriter::deterministic()
{
    auto build = [] {
        TarWriter writer;
        writer.addFile(QStringLiteral("Dockerfile"), "FROM scratch\n");
        writer.addFile(QStringLiteral("entrypoint.sh"), "#!/bin/sh\n", 0755);
        writer.addFile(longPath(9, 40), "deep");
        return writer.finish();
    };
    const QByteArray first = build();
    QTest::qWait(1100); // a writer that stamped the current time would differ now
    QCOMPARE(build(), first);
    TarWriter other;
    other.addFile(QStringLiteral("Dockerfile"), "FROM scratch\n");
    other.addFile(QStringLiteral("entrypoint.sh"), "#!/bin/sh\n", 0644); // mode differs
    other.addFile(longPath(9, 40), "deep");
    QVERIFY(other.finish() != first);
}

void TestTarWriter::badPaths_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("error");
    QTest::addRow("empty") << ""
                           << "needs a name";
    QTest::addRow("absolute") << "/etc/passwd"
                              << "must be relative";
    QTest::addRow("dot-dot") << "a/../../b"
                             << "must not contain \"..\"";
    QTest::addRow("trailing slash") << "dir/"
                                    << "cannot end in '/'";
}

void TestTarWriter::badPaths()
{
    QFETCH(QString, path);
    QFETCH(QString, error);
    TarWriter writer;
    const Result<void> added = writer.addFile(path, "x");
    QVERIFY(!added);
    QVERIFY2(added.errorString().contains(error), qPrintable(added.errorString()));
    QCOMPARE(writer.entryCount(), 0);
}

void TestTarWriter::gnuTarLists()
{
    if (QStandardPaths::findExecutable(QStringLiteral("tar")).isEmpty())
        QSKIP("GNU tar is not installed");
    TarWriter writer;
    QVERIFY(writer.addDirectory(QStringLiteral("bin")));
    QVERIFY(writer.addFile(QStringLiteral("bin/entrypoint.sh"), "#!/bin/sh\necho hi\n", 0755));
    QVERIFY(writer.addFile(longPath(4, 60), "prefix"));
    QVERIFY(writer.addFile(longPath(9, 40), "deep"));
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("context.tar")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(writer.finish());
    file.close();
    int code = -1;
    const QString listing = QString::fromUtf8(
            run({QStringLiteral("--utc"), QStringLiteral("-tvf"), file.fileName()}, {}, &code));
    QCOMPARE(code, 0);
    const QStringList lines = listing.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 4);
    QVERIFY2(lines[0].startsWith(QStringLiteral("drwxr-xr-x 0/0")), qPrintable(lines[0]));
    QVERIFY2(lines[0].endsWith(QStringLiteral(" bin/")), qPrintable(lines[0]));
    QVERIFY2(lines[1].startsWith(QStringLiteral("-rwxr-xr-x 0/0")), qPrintable(lines[1]));
    QVERIFY2(lines[1].contains(QStringLiteral(" 18 2000-01-01 00:00 bin/entrypoint.sh")),
             qPrintable(lines[1]));
    QVERIFY2(lines[2].endsWith(u' ' + longPath(4, 60)), qPrintable(lines[2]));
    QVERIFY2(lines[3].startsWith(QStringLiteral("-rw-r--r-- 0/0")), qPrintable(lines[3]));
    QVERIFY2(lines[3].endsWith(u' ' + longPath(9, 40)), qPrintable(lines[3]));
    QVERIFY2(!listing.contains(QStringLiteral("Ignoring")), qPrintable(listing));
}

void TestTarWriter::gnuTarExtracts()
{
    if (QStandardPaths::findExecutable(QStringLiteral("tar")).isEmpty())
        QSKIP("GNU tar is not installed");
    TarWriter writer;
    const QByteArray binary = [] {
        QByteArray bytes;
        for (int i = 0; i < 70000; ++i)
            bytes += char(i * 7 % 256);
        return bytes;
    }();
    QVERIFY(writer.addFile(QStringLiteral("Dockerfile"), "FROM scratch\n"));
    QVERIFY(writer.addFile(QStringLiteral("entrypoint.sh"), "#!/bin/sh\n", 0755));
    QVERIFY(writer.addFile(QStringLiteral("data/blob.bin"), binary));
    QVERIFY(writer.addFile(QString(120, u'z') + QStringLiteral("/file"), "pax dir"));
    QVERIFY(writer.addFile(longPath(9, 40), "deep"));
    QTemporaryDir dir;
    QFile file(dir.filePath(QStringLiteral("context.tar")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(writer.finish());
    file.close();
    const QString out = dir.filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(out));
    int code = -1;
    const QByteArray messages = run({QStringLiteral("-xf"), file.fileName()}, out, &code);
    QVERIFY2(code == 0, messages.constData());
    QVERIFY2(messages.isEmpty(), messages.constData()); // no warnings about unknown headers
    auto read = [&](const QString &name) {
        QFile f(out + u'/' + name);
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
    };
    QCOMPARE(read(QStringLiteral("Dockerfile")), QByteArray("FROM scratch\n"));
    QCOMPARE(read(QStringLiteral("data/blob.bin")), binary);
    QCOMPARE(read(QString(120, u'z') + QStringLiteral("/file")), QByteArray("pax dir"));
    QCOMPARE(read(longPath(9, 40)), QByteArray("deep"));
    QVERIFY(QFileInfo(out + QStringLiteral("/entrypoint.sh")).isExecutable());
    QVERIFY(!QFileInfo(out + QStringLiteral("/Dockerfile")).isExecutable());
    QCOMPARE(QFileInfo(out + QStringLiteral("/Dockerfile")).lastModified().toSecsSinceEpoch(),
             TarWriter::kMtime);
}

void TestTarWriter::addTreeFromDisk()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("node_modules"));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/pkg/bin")));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/.bin")));
    // As npm links a package's executable into node_modules/.bin.
    QVERIFY(QFile::link(QStringLiteral("../pkg/bin/cli.js"), root + QStringLiteral("/.bin/cli")));
    QFile js(root + QStringLiteral("/pkg/bin/cli.js"));
    QVERIFY(js.open(QIODevice::WriteOnly));
    js.write("#!/usr/bin/env node\n");
    js.close();
    QVERIFY(js.setPermissions(js.permissions() | QFileDevice::ExeOwner));
    QFile json(root + QStringLiteral("/pkg/package.json"));
    QVERIFY(json.open(QIODevice::WriteOnly));
    json.write("{}");
    json.close();
    TarWriter writer;
    const Result<void> added = writer.addTree(root, QStringLiteral("cli/node_modules"));
    QVERIFY2(added, qPrintable(added.errorString()));
    const Result<QList<TarReader::Entry>> entries = TarReader::read(writer.finish());
    QVERIFY2(entries, qPrintable(entries.errorString()));
    QStringList names;
    for (const auto &entry : *entries)
        names << entry.name;
    QCOMPARE(names,
             QStringList({"cli/node_modules/",
                          "cli/node_modules/.bin/",
                          "cli/node_modules/.bin/cli",
                          "cli/node_modules/pkg/",
                          "cli/node_modules/pkg/bin/",
                          "cli/node_modules/pkg/bin/cli.js",
                          "cli/node_modules/pkg/package.json"}));
    QCOMPARE(entries->at(6).data, QByteArray("{}"));

    // GNU tar sees the executable bit kept.
    QFile file(dir.filePath(QStringLiteral("tree.tar")));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(writer.finish());
    file.close();
    const QString listing = QString::fromUtf8(run({QStringLiteral("-tvf"), file.fileName()}));
    QVERIFY2(
            listing.contains(QRegularExpression(QStringLiteral("-rwxr-xr-x 0/0 .* "
                                                               "cli/node_modules/pkg/bin/cli.js"))),
            qPrintable(listing));
    QVERIFY2(listing.contains(QStringLiteral("cli/node_modules/.bin/cli -> ../pkg/bin/cli.js")),
             qPrintable(listing));
}

void TestTarWriter::addTreeRefusesSymlinks()
{
    QTemporaryDir dir;
    const QString root = dir.filePath(QStringLiteral("tree"));
    QVERIFY(QDir().mkpath(root));
    QVERIFY(QFile::link(QStringLiteral("/etc/hostname"), root + QStringLiteral("/link")));
    TarWriter writer;
    const Result<void> added = writer.addTree(root, QString());
    QVERIFY(!added);
    QVERIFY2(added.errorString().contains(QStringLiteral("symbolic link out of")),
             qPrintable(added.errorString()));
    QVERIFY(!writer.addSymlink(QStringLiteral("a/link"), QStringLiteral("../../etc/passwd")));
    QVERIFY(!writer.addSymlink(QStringLiteral("a/link"), QStringLiteral("/etc/passwd")));
    QVERIFY(writer.addSymlink(QStringLiteral("a/b/link"), QStringLiteral("../c")));
}

QTEST_GUILESS_MAIN(TestTarWriter)
#include "tst_tarwriter.moc"

// A spec that names a secret with no value (not in the keychain, not in the environment) is
// refused by `parallax run` before Docker is asked anything: exit 2 and a message naming the
// secret, even with DOCKER_HOST pointing at a socket that does not exist (which would otherwise
// be exit 3). The real claude-code preset's spec is used, as a user would save it.

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

class TestSecretFailFast : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void missingSecret_data();
    void missingSecret();

private:
    QString m_binary;
    QTemporaryDir m_dir;
};

void TestSecretFailFast::initTestCase()
{
    m_binary = qEnvironmentVariable("PARALLAX_BINARY");
    if (m_binary.isEmpty())
        QSKIP("PARALLAX_BINARY is not set (run through ctest)");
    QVERIFY(m_dir.isValid());
}

void TestSecretFailFast::missingSecret_data()
{
    QTest::addColumn<QStringList>("secrets");
    QTest::addColumn<QString>("message");
    QTest::addRow("the claude-code preset")
            << QStringList() // the preset's own: ANTHROPIC_API_KEY
            << "parallax run: ANTHROPIC_API_KEY is not set: add it in Run \u25B8 Secrets\u2026 or "
               "export it\n";
    QTest::addRow("two missing") << QStringList{"E1_FAILFAST_ONE", "E1_FAILFAST_TWO"}
                                 << "parallax run: E1_FAILFAST_ONE, E1_FAILFAST_TWO are not set: "
                                    "add them in Run \u25B8 Secrets\u2026 or export them\n";
}

void TestSecretFailFast::missingSecret()
{
    QFETCH(QStringList, secrets);
    QFETCH(QString, message);
    const QString source = qEnvironmentVariable("PARALLAX_SOURCE_DIR");
    QFile presetFile(source + QStringLiteral("/resources/presets/claude-code.json"));
    QVERIFY2(presetFile.open(QIODevice::ReadOnly), qPrintable(presetFile.fileName()));
    QJsonObject spec = QJsonDocument::fromJson(presetFile.readAll())
                               .object()
                               .value(QLatin1String("spec"))
                               .toObject();
    QVERIFY(!spec.isEmpty());
    spec.insert(QStringLiteral("image"), QStringLiteral("parallax/agent-claude-code:whatever"));
    if (!secrets.isEmpty())
        spec.insert(QStringLiteral("secrets"), QJsonArray::fromStringList(secrets));
    const QString specPath
            = m_dir.filePath(QStringLiteral("spec-%1.json").arg(QTest::currentDataTag()));
    QFile file(specPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QJsonDocument(spec).toJson());
    file.close();

    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("ANTHROPIC_API_KEY"));
    for (const QString &name : std::as_const(secrets))
        env.remove(name);
    // Docker unreachable: had parallax asked it anything, the exit would be 3.
    env.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix:///nonexistent/docker.sock"));
    env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS")); // no keychain: the environment only
    const QString outDir = m_dir.filePath(QStringLiteral("out-%1").arg(QTest::currentDataTag()));
    QProcess parallax;
    parallax.setProcessEnvironment(env);
    parallax.start(m_binary, {QStringLiteral("run"), specPath, QStringLiteral("--out"), outDir});
    QVERIFY(parallax.waitForFinished(30000));
    const QString err = QString::fromUtf8(parallax.readAllStandardError());
    QCOMPARE(parallax.exitCode(), 2);
    QVERIFY2(err.endsWith(message), qPrintable(err));
    QVERIFY2(!err.contains(QStringLiteral("Docker")), qPrintable(err));
    QVERIFY(!QFileInfo::exists(outDir)); // no run folder either
}

QTEST_GUILESS_MAIN(TestSecretFailFast)
#include "tst_secretfailfast.moc"

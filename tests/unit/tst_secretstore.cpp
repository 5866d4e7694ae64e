// The secret store against real keychains: first with no Secret Service on a private session
// bus (the environment fallback, as on a headless machine or CI), then with gnome-keyring-daemon
// started on that same bus (a real Secret Service). Checks that values never reach the settings
// file.

#include "privatesessionbus.h"

#include "secrets/secretstore.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

class TestSecretStore : public QObject
{
    Q_OBJECT

private:
    // Every file under the settings folder, concatenated: what "on disk" means for QSettings.
    QByteArray settingsBytes() const
    {
        QSettings().sync();
        QByteArray all;
        QDirIterator it(m_home.path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (path.contains(QLatin1String("/keyrings/")))
                continue; // the keychain's own (encrypted) store
            QFile file(path);
            if (file.open(QIODevice::ReadOnly))
                all += file.readAll();
        }
        return all;
    }

    template<typename T, typename Start>
    static Result<T> wait(Start start)
    {
        std::optional<Result<T>> result;
        start([&](Result<T> r) { result.emplace(std::move(r)); });
        if (!QTest::qWaitFor([&] { return result.has_value(); }, 20000))
            return Error{QStringLiteral("no answer within 20 s")};
        return std::move(*result);
    }

    QTemporaryDir m_home{QStringLiteral("/tmp/pxsecrets-XXXXXX")};
    PrivateSessionBus m_bus;
    QProcess m_keyring;

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        // Settings, keyrings and the runtime dir all in the test's own folder.
        qputenv("HOME", m_home.path().toUtf8());
        qputenv("XDG_CONFIG_HOME", (m_home.path() + QStringLiteral("/config")).toUtf8());
        qputenv("XDG_DATA_HOME", (m_home.path() + QStringLiteral("/data")).toUtf8());
        QDir(m_home.path()).mkpath(QStringLiteral("run"));
        QFile::setPermissions(m_home.path() + QStringLiteral("/run"),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                      | QFileDevice::ExeOwner);
        qputenv("XDG_RUNTIME_DIR", (m_home.path() + QStringLiteral("/run")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("ParallaxTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_secretstore"));
        const QString error = m_bus.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
        qputenv("DBUS_SESSION_BUS_ADDRESS", m_bus.address().toUtf8());
    }

    void cleanupTestCase()
    {
        if (m_keyring.state() != QProcess::NotRunning) {
            m_keyring.terminate();
            if (!m_keyring.waitForFinished(3000))
                m_keyring.kill();
        }
    }

    void validateName_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("error"); // a fragment; empty: valid
        QTest::addRow("plain") << "ANTHROPIC_API_KEY"
                               << "";
        QTest::addRow("underscore first") << "_TOKEN"
                                          << "";
        QTest::addRow("empty") << ""
                               << "needs a name";
        QTest::addRow("digit first") << "1KEY"
                                     << "not a valid variable name";
        QTest::addRow("dash") << "MY-KEY"
                              << "not a valid variable name";
        QTest::addRow("space") << "MY KEY"
                               << "not a valid variable name";
        QTest::addRow("reserved") << "PARALLAX_PROMPT"
                                  << "is reserved";
    }
    void validateName()
    {
        QFETCH(QString, name);
        QFETCH(QString, error);
        const Result<void> valid = SecretStore::validateName(name);
        QCOMPARE(valid.ok(), error.isEmpty());
        if (!error.isEmpty())
            QVERIFY2(valid.errorString().contains(error), qPrintable(valid.errorString()));
    }

    // No Secret Service on the bus: the store says so and takes values from the environment.
    void fallbackWithoutKeychain()
    {
        SecretStore store;
        QSignalSpy resolved(&store, &SecretStore::backendResolved);
        store.probe();
        QVERIFY(resolved.wait(SecretStore::kProbeTimeoutMs + 5000));
        QVERIFY2(store.backend() == SecretBackend::Environment,
                 "the keychain answered although no Secret Service is on the bus");
        QVERIFY(!store.keychainError().isEmpty());
        QVERIFY2(store.statusText().contains(QLatin1String("No keychain available")),
                 qPrintable(store.statusText()));
        qInfo("keychain unavailable, as expected: %s", qPrintable(store.keychainError()));

        const Result<void> stored = wait<void>([&](auto done) {
            store.store(
                    QStringLiteral("PX_FALLBACK"), QStringLiteral("s3cr3t-fallback"), this, done);
        });
        QVERIFY(!stored);
        QVERIFY2(stored.errorString().contains(QLatin1String(SecretStore::kNoKeychain)),
                 qPrintable(stored.errorString()));

        QProcessEnvironment env;
        env.insert(QStringLiteral("PX_FROM_ENV"), QStringLiteral("env-value-123"));
        const SecretResolution resolution = store.resolveBlocking(
                {QStringLiteral("PX_FROM_ENV"), QStringLiteral("PX_NOWHERE")}, env);
        QVERIFY(!resolution.keychainAvailable);
        QCOMPARE(resolution.fromEnvironment, QStringList{QStringLiteral("PX_FROM_ENV")});
        QCOMPARE(resolution.missing, QStringList{QStringLiteral("PX_NOWHERE")});
        QVERIFY(resolution.fromKeychain.isEmpty());
        QCOMPARE(resolution.environment.value(QStringLiteral("PX_FROM_ENV")),
                 QStringLiteral("env-value-123"));
        QVERIFY(!settingsBytes().contains("s3cr3t-fallback"));
    }

    // A real Secret Service: gnome-keyring-daemon on the same private bus.
    void realKeychain()
    {
        const QString daemon
                = QStandardPaths::findExecutable(QStringLiteral("gnome-keyring-daemon"));
        if (daemon.isEmpty())
            QSKIP("gnome-keyring-daemon is not installed (Debian: gnome-keyring): the real "
                  "Secret Service case cannot run");
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        m_keyring.setProcessEnvironment(env);
        m_keyring.setProgram(daemon);
        m_keyring.setArguments({QStringLiteral("--foreground"),
                                QStringLiteral("--components=secrets"),
                                QStringLiteral("--unlock")});
        m_keyring.start();
        QVERIFY2(m_keyring.waitForStarted(5000), qPrintable(m_keyring.errorString()));
        m_keyring.write("test-keyring-password"); // --unlock reads the login password on stdin
        m_keyring.closeWriteChannel();
        // Wait until the service owns its name on the bus.
        QVERIFY(QTest::qWaitFor(
                [&] {
                    QProcess query;
                    query.start(QStringLiteral("dbus-send"),
                                {QStringLiteral("--session"),
                                 QStringLiteral("--print-reply"),
                                 QStringLiteral("--dest=org.freedesktop.DBus"),
                                 QStringLiteral("/org/freedesktop/DBus"),
                                 QStringLiteral("org.freedesktop.DBus.ListNames")});
                    query.waitForFinished(3000);
                    return query.readAllStandardOutput().contains("org.freedesktop.secrets");
                },
                10000));

        SecretStore store;
        QSignalSpy resolved(&store, &SecretStore::backendResolved);
        store.probe();
        QVERIFY(resolved.wait(SecretStore::kProbeTimeoutMs + 5000));
        QVERIFY2(store.backend() == SecretBackend::Keychain, qPrintable(store.keychainError()));
        QVERIFY2(store.statusText().contains(QLatin1String("OS keychain")),
                 qPrintable(store.statusText()));

        const QString value = QStringLiteral("sk-keychain-7f3a9c21");
        const Result<void> stored = wait<void>(
                [&](auto done) { store.store(QStringLiteral("PX_KEYCHAIN"), value, this, done); });
        QVERIFY2(stored, qPrintable(stored.errorString()));
        QCOMPARE(store.names(), QStringList{QStringLiteral("PX_KEYCHAIN")});

        // A second store (a second window, the next launch) reads it back from the keychain.
        SecretStore other;
        const Result<QString> read = wait<QString>(
                [&](auto done) { other.read(QStringLiteral("PX_KEYCHAIN"), this, done); });
        QVERIFY2(read, qPrintable(read.errorString()));
        QCOMPARE(*read, value);
        const Result<QString> absent = wait<QString>(
                [&](auto done) { other.read(QStringLiteral("PX_ABSENT"), this, done); });
        QVERIFY(!absent);
        QCOMPARE(absent.error().code, 404);

        // Keychain first, then the environment of the same name.
        QProcessEnvironment base;
        base.insert(QStringLiteral("PX_KEYCHAIN"), QStringLiteral("env-loses"));
        base.insert(QStringLiteral("PX_ENV_ONLY"), QStringLiteral("env-wins"));
        const SecretResolution resolution = other.resolveBlocking({QStringLiteral("PX_KEYCHAIN"),
                                                                   QStringLiteral("PX_ENV_ONLY"),
                                                                   QStringLiteral("PX_NONE")},
                                                                  base);
        QVERIFY(resolution.keychainAvailable);
        QCOMPARE(resolution.fromKeychain, QStringList{QStringLiteral("PX_KEYCHAIN")});
        QCOMPARE(resolution.fromEnvironment, QStringList{QStringLiteral("PX_ENV_ONLY")});
        QCOMPARE(resolution.missing, QStringList{QStringLiteral("PX_NONE")});
        QCOMPARE(resolution.environment.value(QStringLiteral("PX_KEYCHAIN")), value);
        QCOMPARE(resolution.environment.value(QStringLiteral("PX_ENV_ONLY")),
                 QStringLiteral("env-wins"));

        // The name is in the settings file; the value is not.
        const QByteArray onDisk = settingsBytes();
        QVERIFY2(onDisk.contains("PX_KEYCHAIN"), "the name index is kept in QSettings");
        QVERIFY2(!onDisk.contains(value.toUtf8()), "a secret value reached the settings file");

        // Edit, then remove.
        QVERIFY(wait<void>([&](auto done) {
            store.store(QStringLiteral("PX_KEYCHAIN"), QStringLiteral("rotated-2"), this, done);
        }));
        const Result<QString> rotated = wait<QString>(
                [&](auto done) { other.read(QStringLiteral("PX_KEYCHAIN"), this, done); });
        QVERIFY(rotated);
        QCOMPARE(*rotated, QStringLiteral("rotated-2"));
        QVERIFY(wait<void>(
                [&](auto done) { store.remove(QStringLiteral("PX_KEYCHAIN"), this, done); }));
        QVERIFY(store.names().isEmpty());
        const Result<QString> gone = wait<QString>(
                [&](auto done) { other.read(QStringLiteral("PX_KEYCHAIN"), this, done); });
        QVERIFY(!gone);
        QCOMPARE(gone.error().code, 404);
    }
};

QTEST_GUILESS_MAIN(TestSecretStore)
#include "tst_secretstore.moc"

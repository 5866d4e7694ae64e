// The Secrets dialog over real keychains: first with no Secret Service on a private session bus
// (it must say that secrets come from the environment and offer no editing), then with
// gnome-keyring-daemon on that bus (add, validate, show, edit, remove). Values must never reach
// the settings file or the list's text.
//
// PARALLAX_SHOT_WAIT_MS=N keeps each dialog on screen N ms (for screenshots under Xvfb).

#include "privatesessionbus.h"

#include "secretsdialog.h"

#include "secrets/secretstore.h"

#include <QApplication>
#include <QDirIterator>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

class TestSecretsDialog : public QObject
{
    Q_OBJECT

    QTemporaryDir m_home{QStringLiteral("/tmp/pxsecretsui-XXXXXX")};
    PrivateSessionBus m_bus;
    QProcess m_keyring;

    QByteArray settingsBytes() const
    {
        QSettings().sync();
        QByteArray all;
        QDirIterator it(m_home.path() + QStringLiteral("/config"),
                        QDir::Files | QDir::Hidden,
                        QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile file(it.next());
            if (file.open(QIODevice::ReadOnly))
                all += file.readAll();
        }
        return all;
    }

    static void showForScreenshot(QWidget *widget)
    {
        const int wait = qEnvironmentVariableIntValue("PARALLAX_SHOT_WAIT_MS");
        if (wait > 0) {
            widget->move(40, 40);
            QTest::qWait(wait);
        }
    }

    static QStringList listTexts(const QListWidget *list)
    {
        QStringList texts;
        for (int i = 0; i < list->count(); ++i)
            texts << list->item(i)->text();
        return texts;
    }

    bool startKeyring()
    {
        const QString daemon
                = QStandardPaths::findExecutable(QStringLiteral("gnome-keyring-daemon"));
        if (daemon.isEmpty())
            return false;
        m_keyring.setProgram(daemon);
        m_keyring.setArguments({QStringLiteral("--foreground"),
                                QStringLiteral("--components=secrets"),
                                QStringLiteral("--unlock")});
        m_keyring.start();
        if (!m_keyring.waitForStarted(5000))
            return false;
        m_keyring.write("test-keyring-password");
        m_keyring.closeWriteChannel();
        return QTest::qWaitFor(
                [] {
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
                10000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("HOME", m_home.path().toUtf8());
        qputenv("XDG_CONFIG_HOME", (m_home.path() + QStringLiteral("/config")).toUtf8());
        qputenv("XDG_DATA_HOME", (m_home.path() + QStringLiteral("/data")).toUtf8());
        QDir(m_home.path()).mkpath(QStringLiteral("run"));
        QFile::setPermissions(m_home.path() + QStringLiteral("/run"),
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner
                                      | QFileDevice::ExeOwner);
        qputenv("XDG_RUNTIME_DIR", (m_home.path() + QStringLiteral("/run")).toUtf8());
        QCoreApplication::setOrganizationName(QStringLiteral("ParallaxTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_secretsdialog"));
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

    void withoutKeychain()
    {
        SecretStore store;
        SecretsDialog dialog(&store);
        dialog.show();
        auto *status = dialog.findChild<QLabel *>(QStringLiteral("secretsStatus"));
        QVERIFY(status);
        QTRY_VERIFY_WITH_TIMEOUT(store.backend() != SecretBackend::Unknown, 20000);
        QCOMPARE(store.backend(), SecretBackend::Environment);
        QVERIFY2(status->text().contains(QLatin1String("No keychain available")),
                 qPrintable(status->text()));
        QVERIFY2(status->text().contains(QLatin1String("come from the environment")),
                 qPrintable(status->text()));
        // Nowhere safe to keep a value: no editing.
        QVERIFY(!dialog.findChild<QLineEdit *>(QStringLiteral("secretName"))->isEnabled());
        QVERIFY(!dialog.findChild<QPushButton *>(QStringLiteral("saveSecret"))->isEnabled());
        showForScreenshot(&dialog);
    }

    void withKeychain()
    {
        if (!startKeyring())
            QSKIP("gnome-keyring-daemon could not be started on the private bus "
                  "(Debian: gnome-keyring); the keychain case cannot run");
        SecretStore store;
        SecretsDialog dialog(&store);
        dialog.setConfirmRemoval(false);
        dialog.show();
        QTRY_VERIFY_WITH_TIMEOUT(store.backend() != SecretBackend::Unknown, 20000);
        QVERIFY2(store.backend() == SecretBackend::Keychain, qPrintable(store.keychainError()));
        auto *status = dialog.findChild<QLabel *>(QStringLiteral("secretsStatus"));
        QVERIFY2(status->text().contains(QLatin1String("OS keychain")), qPrintable(status->text()));

        auto *name = dialog.findChild<QLineEdit *>(QStringLiteral("secretName"));
        auto *value = dialog.findChild<QLineEdit *>(QStringLiteral("secretValue"));
        auto *save = dialog.findChild<QPushButton *>(QStringLiteral("saveSecret"));
        auto *list = dialog.findChild<QListWidget *>(QStringLiteral("secretsList"));
        auto *error = dialog.findChild<QLabel *>(QStringLiteral("secretError"));
        auto *show = dialog.findChild<QPushButton *>(QStringLiteral("showSecret"));
        auto *shown = dialog.findChild<QLineEdit *>(QStringLiteral("secretShown"));
        QVERIFY(name && value && save && list && error && show && shown);
        QCOMPARE(value->echoMode(), QLineEdit::Password);

        // A bad name is refused with the spec's rule.
        QTest::keyClicks(name, QStringLiteral("1BAD-NAME"));
        QTest::keyClicks(value, QStringLiteral("whatever"));
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY(error->isVisible());
        QVERIFY2(error->text().contains(QLatin1String("not a valid variable name")),
                 qPrintable(error->text()));
        name->clear();
        QTest::keyClicks(name, QStringLiteral("PARALLAX_TOKEN"));
        QTest::mouseClick(save, Qt::LeftButton);
        QVERIFY2(error->text().contains(QLatin1String("reserved")), qPrintable(error->text()));
        QCOMPARE(list->count(), 0);

        // Two good ones.
        const QString anthropic = QStringLiteral("sk-ant-ui-5b2c9e");
        for (const auto &[key, secret] :
             {std::pair{QStringLiteral("ANTHROPIC_API_KEY"), anthropic},
              std::pair{QStringLiteral("OPENAI_API_KEY"), QStringLiteral("sk-openai-ui-77aa")}}) {
            dialog.newSecret();
            QTest::keyClicks(name, key);
            QTest::keyClicks(value, secret);
            QVERIFY(save->isEnabled());
            QTest::mouseClick(save, Qt::LeftButton);
            QTRY_VERIFY_WITH_TIMEOUT(value->text().isEmpty() && save->isEnabled() == false, 10000);
            QVERIFY2(!error->isVisible(), qPrintable(error->text()));
        }
        QTRY_COMPARE(list->count(), 2);
        QCOMPARE(store.names(),
                 (QStringList{QStringLiteral("ANTHROPIC_API_KEY"),
                              QStringLiteral("OPENAI_API_KEY")}));
        const QString texts = listTexts(list).join(QLatin1Char('\n'));
        QVERIFY(texts.contains(QLatin1String("ANTHROPIC_API_KEY")));
        QVERIFY2(!texts.contains(anthropic), "the list shows a value");
        QVERIFY2(!settingsBytes().contains(anthropic.toUtf8()), "a value reached QSettings");
        QVERIFY(settingsBytes().contains("ANTHROPIC_API_KEY"));

        // Show reveals one value on request only.
        list->setCurrentRow(0);
        QCOMPARE(dialog.selectedName(), QStringLiteral("ANTHROPIC_API_KEY"));
        QVERIFY(!shown->isVisible());
        QTest::mouseClick(show, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(shown->isVisible(), 10000);
        QCOMPARE(shown->text(), anthropic);
        showForScreenshot(&dialog);
        QTest::mouseClick(show, Qt::LeftButton); // Hide
        QVERIFY(!shown->isVisible());
        QVERIFY(shown->text().isEmpty());

        // Edit: a new value for the selected name.
        QTest::keyClicks(value, QStringLiteral("sk-ant-rotated"));
        QTest::mouseClick(save, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(value->text().isEmpty(), 10000);
        std::optional<Result<QString>> read;
        store.read(QStringLiteral("ANTHROPIC_API_KEY"), this, [&](Result<QString> r) { read = r; });
        QTRY_VERIFY_WITH_TIMEOUT(read.has_value(), 10000);
        QVERIFY(*read);
        QCOMPARE(**read, QStringLiteral("sk-ant-rotated"));

        // Remove.
        list->setCurrentRow(0);
        QTest::mouseClick(dialog.findChild<QPushButton *>(QStringLiteral("removeSecret")),
                          Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(list->count(), 1, 10000);
        QCOMPARE(store.names(), QStringList{QStringLiteral("OPENAI_API_KEY")});
    }
};

QTEST_MAIN(TestSecretsDialog)
#include "tst_secretsdialog.moc"

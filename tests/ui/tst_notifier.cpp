// Desktop notifications over a real D-Bus: a private dbus-daemon with a small notification
// service registered on it (from a second connection), recording each Notify call.

#include "privatesessionbus.h"

#include "notifier.h"

#include "docker/dockerclient.h"
#include "run/run.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QSignalSpy>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

// What a desktop's notification daemon does, minus the drawing: answers Notify with an id.
class FakeNotifications : public QObject
{
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")
public:
    struct Call
    {
        QString app, icon, summary, body;
    };
    QList<Call> calls;

public slots:
    uint Notify(const QString &app,
                uint replacesId,
                const QString &icon,
                const QString &summary,
                const QString &body,
                const QStringList &actions,
                const QVariantMap &hints,
                int timeout)
    {
        Q_UNUSED(replacesId)
        Q_UNUSED(actions)
        Q_UNUSED(hints)
        Q_UNUSED(timeout)
        calls.append({app, icon, summary, body});
        return uint(calls.size());
    }
    QStringList GetCapabilities() { return {QStringLiteral("body")}; }
};

class TestNotifier : public QObject
{
    Q_OBJECT

    PrivateSessionBus m_bus;

    QDBusConnection connect(const QString &name)
    {
        return QDBusConnection::connectToBus(m_bus.address(), name);
    }

private slots:
    void initTestCase()
    {
        const QString error = m_bus.start();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }

    void notifiesOverDBus()
    {
        QDBusConnection serviceBus = connect(QStringLiteral("service"));
        QVERIFY2(serviceBus.isConnected(), qPrintable(serviceBus.lastError().message()));
        FakeNotifications service;
        QVERIFY(serviceBus.registerObject(
                QLatin1String(Notifier::kPath), &service, QDBusConnection::ExportAllSlots));
        QVERIFY(serviceBus.registerService(QLatin1String(Notifier::kService)));

        QDBusConnection clientBus = connect(QStringLiteral("client"));
        QVERIFY(clientBus.isConnected());
        Notifier notifier(clientBus);
        QSignalSpy sent(&notifier, &Notifier::sent);

        // A real Run that finishes at once: a listed secret is not set, so it cannot start.
        DockerClient client(DockerEndpoint::resolve(QProcessEnvironment()).value());
        RunSpec spec;
        spec.name = QStringLiteral("nightly-refactor");
        spec.image = QStringLiteral("parallax/demo-agent:0.1.0");
        spec.secrets = {QStringLiteral("PX_NOT_SET_ANYWHERE")};
        spec.setVariationCount(2);
        QTemporaryDir dir;
        RunOptions options;
        options.outDir = dir.path() + QStringLiteral("/run");
        options.environment = QProcessEnvironment();
        Run run(&client, spec, options);
        run.start();
        QVERIFY(run.isFinished());
        notifier.notifyRunFinished(&run);

        QVERIFY(sent.wait(5000));
        QCOMPARE(sent.first().first().value<Notifier::Channel>(), Notifier::Channel::DBus);
        QTRY_COMPARE(service.calls.size(), 1);
        const FakeNotifications::Call call = service.calls.first();
        QCOMPARE(call.app, QStringLiteral("Parallax"));
        QVERIFY2(call.summary.contains(QLatin1String("nightly-refactor")),
                 qPrintable(call.summary));
        QVERIFY2(call.summary.contains(QLatin1String("could not start")), qPrintable(call.summary));
        QVERIFY2(call.body.contains(QLatin1String("PX_NOT_SET_ANYWHERE")), qPrintable(call.body));

        serviceBus.unregisterService(QLatin1String(Notifier::kService));
        QDBusConnection::disconnectFromBus(QStringLiteral("service"));
        QDBusConnection::disconnectFromBus(QStringLiteral("client"));
    }

    // The outcome words for a finished run, checked on real Run objects' states.
    void outcomeText()
    {
        DockerClient client(DockerEndpoint::resolve(QProcessEnvironment()).value());
        RunSpec spec;
        spec.image = QStringLiteral("parallax/demo-agent:0.1.0");
        spec.setVariationCount(1);
        QTemporaryDir dir;
        RunOptions options;
        options.outDir = dir.path(); // holds no run.json yet, but make it hold one:
        QFile existing(dir.path() + QStringLiteral("/run.json"));
        QVERIFY(existing.open(QIODevice::WriteOnly));
        existing.write("{}");
        existing.close();
        Run run(&client, spec, options);
        run.start();
        const auto [summary, body] = Notifier::runFinishedText(&run);
        QVERIFY2(summary.contains(QLatin1String("parallax/demo-agent:0.1.0")), qPrintable(summary));
        QVERIFY2(body.contains(QLatin1String("already holds a run")), qPrintable(body));
    }

    // No service on the bus: the call fails, the tray is tried (none offscreen), nothing shows.
    void noServiceFallsBack()
    {
        QDBusConnection clientBus = connect(QStringLiteral("lonely"));
        QVERIFY(clientBus.isConnected());
        QVERIFY(!clientBus.interface()->isServiceRegistered(QLatin1String(Notifier::kService)));
        Notifier notifier(clientBus);
        QSignalSpy sent(&notifier, &Notifier::sent);
        notifier.notify(QStringLiteral("Run x succeeded"), QStringLiteral("1 of 1"));
        QVERIFY(sent.wait(8000));
        const auto channel = sent.first().first().value<Notifier::Channel>();
        QCOMPARE(channel,
                 QSystemTrayIcon::isSystemTrayAvailable() ? Notifier::Channel::Tray
                                                          : Notifier::Channel::None);
        QDBusConnection::disconnectFromBus(QStringLiteral("lonely"));
    }
};

QTEST_MAIN(TestNotifier)
#include "tst_notifier.moc"

// Desktop notifications over a real D-Bus: a private dbus-daemon with a small notification
// service registered on it (from a second connection), recording each Notify call. The private
// bus is the process's session bus (set before QApplication exists), so the window's own
// Notifier talks to it too.

#include "privatesessionbus.h"

#include "mainwindow.h"
#include "notifier.h"

#include "docker/dockerclient.h"
#include "run/run.h"

#include <QApplication>
#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSystemTrayIcon>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>

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

    const PrivateSessionBus &m_bus;

    QDBusConnection connect(const QString &name)
    {
        return QDBusConnection::connectToBus(m_bus.address(), name);
    }

public:
    explicit TestNotifier(const PrivateSessionBus &bus)
        : m_bus(bus)
    {}

private slots:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

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

    // The window: a run that finishes while it is not the active window is announced.
    void windowNotifiesWhenInactive()
    {
        QDBusConnection serviceBus = connect(QStringLiteral("service2"));
        FakeNotifications service;
        QVERIFY(serviceBus.registerObject(
                QLatin1String(Notifier::kPath), &service, QDBusConnection::ExportAllSlots));
        QVERIFY(serviceBus.registerService(QLatin1String(Notifier::kService)));
        const auto unregister = qScopeGuard([&] {
            serviceBus.unregisterService(QLatin1String(Notifier::kService));
            QDBusConnection::disconnectFromBus(QStringLiteral("service2"));
        });

        // Never shown, so never active: like a minimised window, or one behind the editor.
        // (The offscreen platform activates any window it shows.)
        MainWindow window;
        QVERIFY(!window.isActiveWindow());
        const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve();
        QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
        DockerClient client(*endpoint);
        RunSpec spec;
        spec.name = QStringLiteral("background-run");
        spec.image = QStringLiteral(PARALLAX_DEMO_IMAGE);
        spec.command = {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo hi")};
        spec.setVariationCount(2);
        QTemporaryDir dir;
        RunOptions options;
        options.outDir = dir.path() + QStringLiteral("/run");
        auto *run = new Run(&client, spec, options, &window);
        QSignalSpy sent(window.notifier(), &Notifier::sent);
        run->start();
        QVERIFY2(run->error().isEmpty(), qPrintable(run->error()));
        window.showRun(run);
        QVERIFY(sent.wait(60000));
        QCOMPARE(sent.first().first().value<Notifier::Channel>(), Notifier::Channel::DBus);
        QTRY_COMPARE(service.calls.size(), 1);
        QCOMPARE(service.calls.first().summary, QStringLiteral("Run background-run succeeded"));
        QCOMPARE(service.calls.first().body, QStringLiteral("2 of 2 variations succeeded"));
    }

    // The same run with the window active: no notification.
    void activeWindowIsNotNotified()
    {
        QDBusConnection serviceBus = connect(QStringLiteral("service3"));
        FakeNotifications service;
        QVERIFY(serviceBus.registerObject(
                QLatin1String(Notifier::kPath), &service, QDBusConnection::ExportAllSlots));
        QVERIFY(serviceBus.registerService(QLatin1String(Notifier::kService)));
        const auto unregister = qScopeGuard([&] {
            serviceBus.unregisterService(QLatin1String(Notifier::kService));
            QDBusConnection::disconnectFromBus(QStringLiteral("service3"));
        });

        MainWindow window;
        window.show();
        window.activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        DockerClient client(DockerEndpoint::resolve().value());
        RunSpec spec;
        spec.name = QStringLiteral("foreground-run");
        spec.image = QStringLiteral(PARALLAX_DEMO_IMAGE);
        spec.command = {QStringLiteral("sh"), QStringLiteral("-c"), QStringLiteral("echo hi")};
        QTemporaryDir dir;
        RunOptions options;
        options.outDir = dir.path() + QStringLiteral("/run");
        auto *run = new Run(&client, spec, options, &window);
        QSignalSpy finished(run, &Run::finished);
        QSignalSpy sent(window.notifier(), &Notifier::sent);
        run->start();
        window.showRun(run);
        QVERIFY(finished.wait(60000));
        QTest::qWait(300); // time for a (wrong) Notify to arrive
        QVERIFY(window.isActiveWindow());
        QCOMPARE(sent.size(), 0);
        QCOMPARE(service.calls.size(), 0);
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

int main(int argc, char *argv[])
{
    PrivateSessionBus bus;
    const QString error = bus.start();
    if (!error.isEmpty()) {
        std::fprintf(stderr, "tst_notifier: %s\n", qPrintable(error));
        return 1;
    }
    qputenv("DBUS_SESSION_BUS_ADDRESS", bus.address().toUtf8());
    QApplication app(argc, argv);
    TestNotifier test(bus);
    return QTest::qExec(&test, argc, argv);
}
#include "tst_notifier.moc"

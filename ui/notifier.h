#pragma once

#include <QDBusConnection>
#include <QObject>
#include <QPointer>

class QSystemTrayIcon;

namespace Parallax {

class Run;

// Desktop notifications: org.freedesktop.Notifications over the session bus (Notify), falling
// back to a system-tray balloon when no notification service answers, and to nothing when there
// is neither. The window uses it when a run finishes while it is not the active window. GUI
// thread.
class Notifier : public QObject
{
    Q_OBJECT
public:
    enum class Channel { None, DBus, Tray };
    Q_ENUM(Channel)

    static constexpr char kService[] = "org.freedesktop.Notifications";
    static constexpr char kPath[] = "/org/freedesktop/Notifications";

    explicit Notifier(QObject *parent = nullptr); // the session bus
    Notifier(const QDBusConnection &bus, QObject *parent = nullptr);
    ~Notifier() override;

    // Sends asynchronously; sent() says where it went.
    void notify(const QString &summary, const QString &body);
    // "Run NAME finished" with the outcome: how many variations succeeded, failed, were
    // cancelled; or the launch error.
    void notifyRunFinished(const Run *run);
    static std::pair<QString, QString> runFinishedText(const Run *run);

signals:
    void sent(Parallax::Notifier::Channel channel);

private:
    bool showInTray(const QString &summary, const QString &body);

    QDBusConnection m_bus;
    QPointer<QSystemTrayIcon> m_tray;
};

} // namespace Parallax

#include "notifier.h"

#include "run/run.h"

#include <QApplication>
#include <QDBusConnectionInterface>
#include <QDBusMessage>
#include <QDBusPendingCallWatcher>
#include <QDBusPendingReply>
#include <QGuiApplication>
#include <QIcon>
#include <QSystemTrayIcon>

namespace Parallax {

Notifier::Notifier(QObject *parent)
    : Notifier(QDBusConnection::sessionBus(), parent)
{}

Notifier::Notifier(const QDBusConnection &bus, QObject *parent)
    : QObject(parent)
    , m_bus(bus)
{}

Notifier::~Notifier()
{
    delete m_tray;
}

std::pair<QString, QString> Notifier::runFinishedText(const Run *run)
{
    const QString name = run->spec().name.isEmpty() ? run->spec().image : run->spec().name;
    if (!run->error().isEmpty())
        return {tr("Run %1 could not start").arg(name), run->error()};
    int succeeded = 0, failed = 0, cancelled = 0;
    for (const VariationRunner *runner : run->variations()) {
        if (runner->state() == VariationState::Exited && runner->exitCode() == 0)
            ++succeeded;
        else if (runner->state() == VariationState::Cancelled)
            ++cancelled;
        else
            ++failed;
    }
    const int total = int(run->variations().size());
    QString summary;
    if (run->wasCancelled())
        summary = tr("Run %1 cancelled").arg(name);
    else if (failed == 0 && cancelled == 0)
        summary = tr("Run %1 succeeded").arg(name);
    else
        summary = tr("Run %1 finished with failures").arg(name);
    QStringList parts;
    parts << tr("%1 of %2 variations succeeded").arg(succeeded).arg(total);
    if (failed > 0)
        parts << tr("%1 failed").arg(failed);
    if (cancelled > 0)
        parts << tr("%1 cancelled").arg(cancelled);
    return {summary, parts.join(QLatin1String(", "))};
}

void Notifier::notifyRunFinished(const Run *run)
{
    const auto [summary, body] = runFinishedText(run);
    notify(summary, body);
}

void Notifier::notify(const QString &summary, const QString &body)
{
    if (!m_bus.isConnected()) {
        emit sent(showInTray(summary, body) ? Channel::Tray : Channel::None);
        return;
    }
    QDBusMessage call = QDBusMessage::createMethodCall(QLatin1String(kService),
                                                       QLatin1String(kPath),
                                                       QLatin1String(kService),
                                                       QStringLiteral("Notify"));
    // Notify(app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout)
    call << QStringLiteral("Parallax") << uint(0) << QStringLiteral("parallax") << summary << body
         << QStringList() << QVariantMap() << int(-1);
    // Never block the window on the bus: a missing service answers with an error, and then
    // the tray is tried.
    auto *watcher = new QDBusPendingCallWatcher(m_bus.asyncCall(call, 5000), this);
    connect(watcher, &QDBusPendingCallWatcher::finished, this, [this, watcher, summary, body] {
        watcher->deleteLater();
        if (!watcher->isError()) {
            emit sent(Channel::DBus);
            return;
        }
        emit sent(showInTray(summary, body) ? Channel::Tray : Channel::None);
    });
}

bool Notifier::showInTray(const QString &summary, const QString &body)
{
    if (!qobject_cast<QApplication *>(QCoreApplication::instance())
        || !QSystemTrayIcon::isSystemTrayAvailable() || !QSystemTrayIcon::supportsMessages())
        return false;
    if (!m_tray) {
        m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/parallax.svg")));
        m_tray->show();
    }
    m_tray->showMessage(summary, body, QSystemTrayIcon::Information, 8000);
    return true;
}

} // namespace Parallax

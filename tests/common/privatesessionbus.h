#pragma once

// A D-Bus session bus of the test's own: `dbus-daemon --session` on a fresh socket, so tests of
// the keychain and of desktop notifications never talk to (or depend on) a user's real session.
// Header-only and test-only. start() prints the address; export it as DBUS_SESSION_BUS_ADDRESS
// before anything in the process first connects to the session bus (GLib and QtDBus both keep
// their first session connection for the life of the process).

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTemporaryDir>

class PrivateSessionBus
{
public:
    ~PrivateSessionBus() { stop(); }

    // Empty on success, else why the daemon did not start.
    QString start()
    {
        const QString daemon = QStandardPaths::findExecutable(QStringLiteral("dbus-daemon"));
        if (daemon.isEmpty())
            return QStringLiteral("dbus-daemon is not installed (Debian: dbus-daemon)");
        // Our own configuration rather than --session: the stock session bus activates
        // services on demand (a call to org.freedesktop.secrets would start gnome-keyring by
        // itself), and a test must decide what runs on its bus.
        const QString config = m_dir.filePath(QStringLiteral("bus.conf"));
        QFile file(config);
        if (!file.open(QIODevice::WriteOnly))
            return QStringLiteral("cannot write %1").arg(config);
        file.write(
                QStringLiteral("<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
                               "Configuration 1.0//EN\" "
                               "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                               "<busconfig><type>session</type><listen>unix:dir=%1</listen>"
                               "<auth>EXTERNAL</auth><policy context=\"default\">"
                               "<allow send_destination=\"*\" eavesdrop=\"true\"/>"
                               "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy>"
                               "</busconfig>\n")
                        .arg(m_dir.path())
                        .toUtf8());
        file.close();
        m_process.setProgram(daemon);
        m_process.setArguments({QStringLiteral("--config-file=%1").arg(config),
                                QStringLiteral("--nofork"),
                                QStringLiteral("--nopidfile"),
                                QStringLiteral("--print-address=1")});
        m_process.start();
        if (!m_process.waitForStarted(5000))
            return QStringLiteral("dbus-daemon did not start: %1").arg(m_process.errorString());
        while (!m_process.canReadLine()) {
            if (!m_process.waitForReadyRead(5000))
                return QStringLiteral("dbus-daemon printed no address: %1")
                        .arg(QString::fromLocal8Bit(m_process.readAllStandardError()));
        }
        m_address = QString::fromUtf8(m_process.readLine().trimmed());
        return {};
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(3000))
            m_process.kill();
        m_process.waitForFinished(3000);
    }

    QString address() const { return m_address; }
    QString directory() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir{QStringLiteral("/tmp/pxbus-XXXXXX")};
    QProcess m_process;
    QString m_address;
};

#pragma once

#include <QObject>

class QSocketNotifier;

namespace Parallax::Cli {

// Turns SIGINT and SIGTERM into a Qt signal delivered by the event loop (self-pipe trick), so
// the command line can cancel its run cleanly instead of dying with containers left behind.
class SignalWatcher : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;

signals:
    void interrupted(int signal);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace Parallax::Cli

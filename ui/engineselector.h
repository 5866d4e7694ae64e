#pragma once

#include <QComboBox>

namespace Parallax {

class DockerMonitor;

// The engine picker in the window's status bar: "Automatic" (DOCKER_HOST, the current Docker
// context, else the first socket found) then every engine DockerEndpoint::available() lists —
// Docker contexts by name (those Parallax cannot use greyed out, with the reason as tooltip)
// and the detected Docker and Podman sockets. The choice is remembered in QSettings
// ("docker/engine") and switches the monitor, so the health check, the image list and the
// next run use it. The list is read again whenever it opens. GUI thread.
class EngineSelector : public QComboBox
{
    Q_OBJECT
public:
    static constexpr const char *kSettingsKey = "docker/engine";

    explicit EngineSelector(DockerMonitor *monitor, QWidget *parent = nullptr);

    void reload();
    // Selects an engine by name ("" = automatic), as the user choosing it does.
    bool choose(const QString &name);

    void showPopup() override;

private:
    void onActivated(int index);

    DockerMonitor *m_monitor;
};

} // namespace Parallax

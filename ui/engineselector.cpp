#include "engineselector.h"

#include "docker/dockerendpoint.h"
#include "docker/dockermonitor.h"

#include <QSettings>
#include <QStandardItemModel>

namespace Parallax {

EngineSelector::EngineSelector(DockerMonitor *monitor, QWidget *parent)
    : QComboBox(parent)
    , m_monitor(monitor)
{
    setObjectName(QStringLiteral("engineSelector"));
    setSizeAdjustPolicy(QComboBox::AdjustToContents);
    setToolTip(tr("The Docker engine Parallax talks to"));
    // PARALLAX_ENGINE, when set, rules this session; otherwise the remembered choice.
    const QString saved = QSettings().value(QLatin1String(kSettingsKey)).toString();
    if (qEnvironmentVariableIsEmpty(DockerEndpoint::kEngineEnv) && !saved.isEmpty()
        && saved != m_monitor->engine())
        m_monitor->setEngine(saved);
    reload();
    connect(this, &QComboBox::activated, this, &EngineSelector::onActivated);
    connect(m_monitor, &DockerMonitor::endpointChanged, this, &EngineSelector::reload);
}

void EngineSelector::reload()
{
    const QSignalBlocker blocker(this);
    clear();
    addItem(tr("Automatic"), QString());
    setItemData(0,
                tr("DOCKER_HOST, else the current Docker context, else the first Docker or "
                   "Podman socket found"),
                Qt::ToolTipRole);
    QStringList problems;
    const QList<DockerEndpoint> engines
            = DockerEndpoint::available(QProcessEnvironment::systemEnvironment(), &problems);
    auto *items = qobject_cast<QStandardItemModel *>(model());
    for (const DockerEndpoint &engine : engines) {
        const QString label = engine.name == engine.source || engine.source.isEmpty()
                                      ? engine.name
                                      : QStringLiteral("%1 — %2").arg(engine.name, engine.source);
        addItem(label, engine.name);
        const int row = count() - 1;
        setItemData(row, engine.usable() ? engine.describe() : engine.error, Qt::ToolTipRole);
        if (!engine.usable() && items)
            items->item(row)->setEnabled(false);
    }
    for (const QString &problem : std::as_const(problems)) {
        addItem(tr("(broken context)"), QStringLiteral("\n")); // never a valid name
        const int row = count() - 1;
        setItemData(row, problem, Qt::ToolTipRole);
        if (items)
            items->item(row)->setEnabled(false);
    }
    int current = findData(m_monitor->engine());
    if (current < 0) {
        // A remembered engine that is gone: show it, so the error in the status bar makes sense.
        addItem(tr("%1 (not found)").arg(m_monitor->engine()), m_monitor->engine());
        current = count() - 1;
    }
    setCurrentIndex(current);
}

bool EngineSelector::choose(const QString &name)
{
    const int index = findData(name);
    if (index < 0)
        return false;
    setCurrentIndex(index);
    onActivated(index);
    return true;
}

void EngineSelector::showPopup()
{
    reload();
    QComboBox::showPopup();
}

void EngineSelector::onActivated(int index)
{
    const QString name = itemData(index).toString();
    QSettings().setValue(QLatin1String(kSettingsKey), name);
    if (name != m_monitor->engine())
        m_monitor->setEngine(name);
}

} // namespace Parallax

#include "pullprogress.h"

#include <QLocale>

namespace Parallax {

// Downloading takes most of a layer's time over a network; extraction the rest.
static constexpr double kDownloadShare = 0.7;

PullProgress::PullProgress(QObject *parent)
    : QAbstractListModel(parent)
{}

void PullProgress::clear()
{
    beginResetModel();
    m_layers.clear();
    m_statusLine.clear();
    m_error.clear();
    m_messages = 0;
    endResetModel();
}

static double phaseFraction(qint64 current, qint64 total)
{
    return total > 0 ? qBound(0.0, double(current) / double(total), 1.0) : 0.0;
}

bool PullProgress::apply(const QJsonObject &message)
{
    ++m_messages;
    const QJsonValue errorDetail = message.value(QLatin1String("errorDetail"));
    if (!errorDetail.isUndefined() || message.contains(QLatin1String("error"))) {
        QString text = errorDetail.toObject().value(QLatin1String("message")).toString();
        if (text.isEmpty())
            text = message.value(QLatin1String("error")).toString();
        if (text.isEmpty())
            text = tr("the daemon reported an error without a message");
        m_error = text;
        return false;
    }
    const QString status = message.value(QLatin1String("status")).toString();
    const QString id = message.value(QLatin1String("id")).toString();
    // "Pulling from library/busybox" carries the tag as its id, not a layer.
    if (id.isEmpty() || status.startsWith(QLatin1String("Pulling from"))
        || status.startsWith(QLatin1String("Pulling repository"))) {
        QString line = status;
        if (!id.isEmpty() && status.startsWith(QLatin1String("Pulling from")))
            line = QStringLiteral("%1 (%2)").arg(status, id);
        if (line.isEmpty())
            line = message.value(QLatin1String("stream")).toString().trimmed();
        if (!line.isEmpty() && line != m_statusLine) {
            m_statusLine = line;
            emit statusLineChanged(line);
        }
        return true;
    }

    int row = -1;
    for (int i = 0; i < m_layers.size(); ++i) {
        if (m_layers[i].id == id) {
            row = i;
            break;
        }
    }
    if (row < 0) {
        row = int(m_layers.size());
        beginInsertRows(QModelIndex(), row, row);
        m_layers.append(Layer{id, {}, 0, 0, 0, 0, false, 0});
        endInsertRows();
    }
    Layer &layer = m_layers[row];
    ++layer.messages;
    layer.status = status;
    const QJsonObject detail = message.value(QLatin1String("progressDetail")).toObject();
    layer.current = detail.value(QLatin1String("current")).toInteger();
    layer.total = detail.value(QLatin1String("total")).toInteger();
    if (status == QLatin1String("Downloading")) {
        if (layer.total > 0)
            layer.downloadTotal = layer.total;
        layer.fraction = kDownloadShare * phaseFraction(layer.current, layer.total);
    } else if (status == QLatin1String("Verifying Checksum")
               || status == QLatin1String("Download complete")) {
        layer.fraction = kDownloadShare;
    } else if (status == QLatin1String("Extracting")) {
        layer.fraction
                = kDownloadShare + (1 - kDownloadShare) * phaseFraction(layer.current, layer.total);
    } else if (status == QLatin1String("Pull complete")
               || status == QLatin1String("Already exists")) {
        layer.fraction = 1;
        layer.done = true;
    }
    const QModelIndex changed = index(row);
    emit dataChanged(changed, changed);
    return true;
}

double PullProgress::overall() const
{
    if (m_layers.isEmpty())
        return 0;
    bool sized = true;
    for (const Layer &layer : m_layers)
        sized = sized && (layer.done || layer.downloadTotal > 0);
    double sum = 0;
    double weights = 0;
    for (const Layer &layer : m_layers) {
        // A layer that was already there or finished before its size was seen weighs little.
        const double weight = sized ? double(qMax<qint64>(layer.downloadTotal, 1)) : 1.0;
        sum += weight * layer.fraction;
        weights += weight;
    }
    return weights > 0 ? sum / weights : 0;
}

QString PullProgress::describe(const Layer &layer)
{
    if (layer.total <= 0)
        return layer.status;
    const QLocale locale;
    return QStringLiteral("%1 %2 / %3")
            .arg(layer.status,
                 locale.formattedDataSize(layer.current, 1, QLocale::DataSizeSIFormat),
                 locale.formattedDataSize(layer.total, 1, QLocale::DataSizeSIFormat));
}

int PullProgress::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_layers.size());
}

QVariant PullProgress::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Layer &layer = m_layers.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return QStringLiteral("%1  %2").arg(layer.id, describe(layer));
    case IdRole:
        return layer.id;
    case StatusRole:
        return layer.status;
    case CurrentRole:
        return layer.current;
    case TotalRole:
        return layer.total;
    case FractionRole:
        return layer.fraction;
    case DoneRole:
        return layer.done;
    default:
        return {};
    }
}

QHash<int, QByteArray> PullProgress::roleNames() const
{
    return {{Qt::DisplayRole, "display"},
            {IdRole, "layerId"},
            {StatusRole, "status"},
            {CurrentRole, "current"},
            {TotalRole, "total"},
            {FractionRole, "fraction"},
            {DoneRole, "done"}};
}

} // namespace Parallax

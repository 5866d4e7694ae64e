#include "variationmodel.h"

#include "run.h"

namespace Parallax {

VariationModel::VariationModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

Run *VariationModel::run() const
{
    return m_run;
}

void VariationModel::setRun(Run *run)
{
    beginResetModel();
    if (m_run)
        m_run->disconnect(this);
    m_run = run;
    m_rows = run ? int(run->variations().size()) : 0;
    m_reconnecting = QList<bool>(m_rows, false);
    endResetModel();
    if (!run)
        return;
    connect(run, &Run::variationStateChanged, this, [this](int row, VariationState) {
        if (row >= m_rows) { // a fresh run makes its runners when it starts
            const int count = int(m_run->variations().size());
            beginInsertRows({}, m_rows, count - 1);
            m_rows = count;
            m_reconnecting.resize(count);
            endInsertRows();
        }
        emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    });
    connect(run, &Run::reconnectingChanged, this, [this](int row, bool reconnecting) {
        if (row < m_reconnecting.size())
            m_reconnecting[row] = reconnecting;
        if (row < m_rows)
            emit dataChanged(index(row, StateColumn), index(row, StateColumn));
    });
    connect(run, &QObject::destroyed, this, [this] { setRun(nullptr); });
}

void VariationModel::refresh()
{
    if (!m_run)
        return;
    const int count = int(m_run->variations().size());
    if (count > m_rows) {
        beginInsertRows({}, m_rows, count - 1);
        m_rows = count;
        m_reconnecting.resize(count);
        endInsertRows();
    }
    if (m_rows > 0)
        emit dataChanged(index(0, DurationColumn), index(m_rows - 1, StderrColumn));
}

int VariationModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

int VariationModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString VariationModel::formatDuration(qint64 ms)
{
    const qint64 s = ms / 1000;
    if (s >= 3600)
        return QStringLiteral("%1:%2:%3")
                .arg(s / 3600)
                .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
                .arg(s % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
}

QVariant VariationModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid) || !m_run)
        return {};
    const VariationRunner *v = m_run->variation(index.row());
    if (!v)
        return {};
    switch (role) {
    case StateRole:
        return int(v->state());
    case ExitCodeRole:
        return v->exitCode();
    case DurationMsRole:
        return v->durationMs();
    case ReconnectingRole:
        return m_reconnecting.value(index.row());
    case ErrorRole:
        return v->error().isEmpty() ? v->note() : v->error();
    case Qt::TextAlignmentRole:
        return index.column() >= ExitColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                            : QVariant();
    case Qt::ToolTipRole:
        return v->error().isEmpty() ? (v->note().isEmpty() ? QVariant() : v->note()) : v->error();
    case Qt::DisplayRole:
        break;
    default:
        return {};
    }
    switch (index.column()) {
    case NameColumn:
        return v->name();
    case StateColumn:
        return m_reconnecting.value(index.row()) ? QStringLiteral("reconnecting")
                                                 : stateLabel(v->state(), v->exitCode());
    case ExitColumn:
        return v->state() == VariationState::Exited || v->state() == VariationState::Cancelled
                               || v->state() == VariationState::TimedOut
                               || v->state() == VariationState::OutOfMemory
                       ? (v->exitCode() >= 0 ? QVariant(v->exitCode()) : QVariant())
                       : QVariant();
    case DurationColumn:
        return formatDuration(v->durationMs());
    case LinesColumn:
        return v->lines(StreamType::Stdout) + v->lines(StreamType::Stderr);
    case BytesColumn:
        return v->bytes(StreamType::Stdout) + v->bytes(StreamType::Stderr);
    case StderrColumn:
        return v->lines(StreamType::Stderr);
    default:
        return {};
    }
}

QVariant VariationModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    static const char *const names[]
            = {"Variation", "State", "Exit", "Duration", "Lines", "Bytes", "Stderr lines"};
    return section >= 0 && section < ColumnCount ? QString::fromLatin1(names[section]) : QVariant();
}

} // namespace Parallax

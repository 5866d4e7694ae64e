#include "historymodel.h"

#include "historydb.h"

namespace Parallax {

HistoryModel::HistoryModel(HistoryDb *db, QObject *parent)
    : QAbstractTableModel(parent)
    , m_db(db)
{
    reload();
}

void HistoryModel::setFilter(const HistoryFilter &filter)
{
    m_filter = filter;
    reload();
}

void HistoryModel::reload()
{
    beginResetModel();
    m_runs = m_db ? m_db->runs(m_filter) : QList<RunSummary>();
    endResetModel();
}

int HistoryModel::rowOf(const QString &runId) const
{
    for (int row = 0; row < m_runs.size(); ++row) {
        if (m_runs.at(row).id == runId)
            return row;
    }
    return -1;
}

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_runs.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const RunSummary &run = m_runs.at(index.row());
    switch (role) {
    case RunIdRole:
        return run.id;
    case FolderRole:
        return run.folder;
    case Qt::ToolTipRole:
        return QStringLiteral("%1\n%2").arg(run.id, run.folder);
    case Qt::TextAlignmentRole:
        if (index.column() == VariationsColumn)
            return int(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case Qt::DisplayRole:
    case SortRole:
        break;
    default:
        return {};
    }
    const bool sort = role == SortRole;
    switch (index.column()) {
    case NameColumn:
        return run.name.isEmpty() ? run.id : run.name;
    case StartedColumn:
        if (sort)
            return run.startedAt;
        return run.startedAt.isValid()
                       ? run.startedAt.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"))
                       : QString();
    case StateColumn:
        return run.state;
    case ImageColumn:
        return run.image;
    case VariationsColumn:
        return run.variationCount;
    case WinnerColumn:
        return run.winner;
    default:
        return {};
    }
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Name");
    case StartedColumn:
        return tr("Started");
    case StateColumn:
        return tr("State");
    case ImageColumn:
        return tr("Image");
    case VariationsColumn:
        return tr("Variations");
    case WinnerColumn:
        return tr("Winner");
    default:
        return {};
    }
}

QHash<int, QByteArray> HistoryModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(RunIdRole, "runId");
    names.insert(FolderRole, "folder");
    names.insert(SortRole, "sortValue");
    return names;
}

} // namespace Parallax

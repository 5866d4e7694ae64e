#pragma once

#include "historytypes.h"

#include <QAbstractTableModel>

namespace Parallax {

class HistoryDb;

// The recorded runs as a table for the history view: one row per run, newest first, as
// HistoryDb::runs() returns them for the current filter. Sort and filter in the view through a
// QSortFilterProxyModel (SortRole gives raw values). reload() re-reads the database; runs
// change rarely, so a reset is cheap. Does not own the database; main thread.
class HistoryModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        StartedColumn,
        StateColumn,
        ImageColumn,
        VariationsColumn,
        WinnerColumn,
        ColumnCount
    };
    enum Role {
        RunIdRole = Qt::UserRole + 1,
        FolderRole,
        SortRole, // QDateTime for Started, int for Variations, the text otherwise
    };

    explicit HistoryModel(HistoryDb *db, QObject *parent = nullptr);

    void setFilter(const HistoryFilter &filter); // reloads
    HistoryFilter filter() const { return m_filter; }
    void reload();

    RunSummary runAt(int row) const { return m_runs.value(row); }
    int rowOf(const QString &runId) const; // -1 when absent

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    HistoryDb *m_db;
    HistoryFilter m_filter;
    QList<RunSummary> m_runs;
};

} // namespace Parallax

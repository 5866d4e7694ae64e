#pragma once

#include "variationstate.h"

#include <QAbstractTableModel>
#include <QPointer>

namespace Parallax {

class Run;

// The variations of one run as a table: name, state, exit code, duration, lines, bytes. Follows
// the run incrementally (a dataChanged per state change; refresh() updates the ticking columns
// in one range), never resets except when the run itself is replaced. Main thread.
class VariationModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column {
        NameColumn,
        StateColumn,
        ExitColumn,
        DurationColumn,
        LinesColumn,
        BytesColumn,
        StderrColumn,
        ColumnCount
    };
    enum Role {
        StateRole = Qt::UserRole + 1,
        ExitCodeRole,
        DurationMsRole,
        ReconnectingRole,
        ErrorRole
    };

    explicit VariationModel(QObject *parent = nullptr);

    void setRun(Run *run);
    Run *run() const;
    // Updates the columns that change without a state change (duration, lines, bytes).
    void refresh();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString formatDuration(qint64 ms); // "0:07", "1:02:03"

private:
    QPointer<Run> m_run;
    int m_rows = 0;
    QList<bool> m_reconnecting;
};

} // namespace Parallax

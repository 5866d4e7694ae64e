#pragma once

#include "util/result.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>

#include <optional>

namespace Parallax {

// The compare summary of one recorded run: a row per variation with its state, exit code,
// duration, lines, bytes, stderr lines, files changed with insertions and deletions, resource
// peaks (when the run recorded them) and the winner mark, read from the run folder's run.json.
// SortRole gives each column's natural order (numbers as numbers), for a QSortFilterProxyModel.
// Static until load() or setWinner(); main thread.
class RunSummaryModel : public QAbstractTableModel
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
        FilesColumn,
        InsertionsColumn,
        DeletionsColumn,
        CpuPeakColumn,
        MemoryPeakColumn,
        WinnerColumn,
        ColumnCount
    };
    enum Role { SortRole = Qt::UserRole + 1, NameRole, TranscriptRole, PatchRole };

    struct Row
    {
        QString name;
        QString state;
        std::optional<int> exitCode;
        qint64 durationMs = 0;
        qint64 lines = 0;
        qint64 bytes = 0;
        qint64 stderrLines = 0;
        std::optional<qint64> files; // absent: the variation left no patch
        qint64 insertions = 0;
        qint64 deletions = 0;
        std::optional<double> cpuPeakPercent;
        std::optional<qint64> memoryPeakBytes;
        QString error;
        QString transcriptPath; // absolute
        QString patchPath;      // absolute, empty when there is none
    };

    explicit RunSummaryModel(QObject *parent = nullptr);

    // Reads the run folder's run.json; on an error the model is left empty.
    Result<void> load(const QString &runFolder);
    QString folder() const { return m_folder; }
    QJsonObject record() const { return m_record; }
    const QList<Row> &rows() const { return m_rows; }
    int rowOf(const QString &name) const; // -1 when absent

    QString winner() const { return m_winner; }
    // Shows `name` as the winner (empty: none); storing it is the caller's business.
    void setWinner(const QString &name);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant
    headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static QString starMark(); // "★"

private:
    QString m_folder;
    QJsonObject m_record;
    QList<Row> m_rows;
    QString m_winner;
};

} // namespace Parallax

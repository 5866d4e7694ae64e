#include "compare/runsummarymodel.h"

#include "run/runfolder.h"
#include "run/variationmodel.h"

#include <QDir>
#include <QLocale>

namespace Parallax {

RunSummaryModel::RunSummaryModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

QString RunSummaryModel::starMark()
{
    return QStringLiteral("★");
}

Result<void> RunSummaryModel::load(const QString &runFolder)
{
    beginResetModel();
    m_rows.clear();
    m_record = {};
    m_winner.clear();
    m_folder = QDir(runFolder).absolutePath();
    const Result<QJsonObject> read = readRunJson(m_folder);
    if (!read) {
        endResetModel();
        return read.error();
    }
    const Result<QList<RecordedVariation>> variations = readRunVariations(*read, m_folder);
    if (!variations) {
        endResetModel();
        return variations.error();
    }
    m_record = *read;
    for (const RecordedVariation &v : *variations) {
        Row row;
        row.name = v.name;
        row.state = v.state;
        row.exitCode = v.exitCode;
        row.durationMs = v.durationMs;
        row.stderrLines = v.stderrLines;
        row.lines = v.stdoutLines + v.stderrLines;
        row.bytes = v.stdoutBytes + v.stderrBytes;
        row.patchPath = v.patchPath;
        if (!row.patchPath.isEmpty()) {
            row.files = v.filesChanged;
            row.insertions = v.insertions;
            row.deletions = v.deletions;
        }
        row.cpuPeakPercent = v.cpuPeakPercent;
        row.memoryPeakBytes = v.memoryPeakBytes;
        // File names run.json gave that were not followed show with the state, as errors do.
        QStringList notes{v.error};
        notes += v.problems;
        notes.removeAll(QString());
        row.error = notes.join(QLatin1Char('\n'));
        row.transcriptPath = v.transcriptPath;
        m_rows.append(row);
    }
    m_winner = m_record.value(QLatin1String("winner")).toString();
    endResetModel();
    return {};
}

int RunSummaryModel::rowOf(const QString &name) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows[i].name == name)
            return i;
    }
    return -1;
}

void RunSummaryModel::setWinner(const QString &name)
{
    if (name == m_winner)
        return;
    const int before = rowOf(m_winner);
    const int after = rowOf(name);
    m_winner = name;
    for (const int row : {before, after}) {
        if (row >= 0)
            emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
    }
}

int RunSummaryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RunSummaryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RunSummaryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &r = m_rows[index.row()];
    const bool winner = !m_winner.isEmpty() && r.name == m_winner;
    const QLocale locale;
    switch (role) {
    case NameRole:
        return r.name;
    case TranscriptRole:
        return r.transcriptPath;
    case PatchRole:
        return r.patchPath;
    case Qt::ToolTipRole:
        if (index.column() == StateColumn && !r.error.isEmpty())
            return r.error;
        return {};
    case Qt::TextAlignmentRole:
        switch (index.column()) {
        case NameColumn:
        case StateColumn:
            return int(Qt::AlignLeft | Qt::AlignVCenter);
        case WinnerColumn:
            return int(Qt::AlignCenter);
        default:
            return int(Qt::AlignRight | Qt::AlignVCenter);
        }
    case SortRole:
        switch (index.column()) {
        case NameColumn:
            return index.row(); // the run's own order
        case StateColumn:
            return r.state;
        case ExitColumn:
            return r.exitCode ? *r.exitCode : -1;
        case DurationColumn:
            return r.durationMs;
        case LinesColumn:
            return r.lines;
        case BytesColumn:
            return r.bytes;
        case StderrColumn:
            return r.stderrLines;
        case FilesColumn:
            return r.files ? *r.files : -1;
        case InsertionsColumn:
            return r.files ? r.insertions : -1;
        case DeletionsColumn:
            return r.files ? r.deletions : -1;
        case CpuPeakColumn:
            return r.cpuPeakPercent ? *r.cpuPeakPercent : -1.0;
        case MemoryPeakColumn:
            return r.memoryPeakBytes ? *r.memoryPeakBytes : -1;
        case WinnerColumn:
            return winner ? 0 : 1;
        }
        return {};
    case Qt::DisplayRole: {
        const QString none = QStringLiteral("—");
        switch (index.column()) {
        case NameColumn:
            return r.name;
        case StateColumn:
            return r.state;
        case ExitColumn:
            return r.exitCode ? QString::number(*r.exitCode) : none;
        case DurationColumn:
            return VariationModel::formatDuration(r.durationMs);
        case LinesColumn:
            return locale.toString(r.lines);
        case BytesColumn:
            return locale.formattedDataSize(r.bytes);
        case StderrColumn:
            return locale.toString(r.stderrLines);
        case FilesColumn:
            return r.files ? locale.toString(*r.files) : none;
        case InsertionsColumn:
            return r.files ? QStringLiteral("+") + locale.toString(r.insertions) : none;
        case DeletionsColumn:
            return r.files ? QStringLiteral("−") + locale.toString(r.deletions) : none;
        case CpuPeakColumn:
            return r.cpuPeakPercent ? locale.toString(*r.cpuPeakPercent, 'f', 0) + QLatin1Char('%')
                                    : none;
        case MemoryPeakColumn:
            return r.memoryPeakBytes ? locale.formattedDataSize(*r.memoryPeakBytes) : none;
        case WinnerColumn:
            return winner ? starMark() : QString();
        }
        return {};
    }
    default:
        return {};
    }
}

QVariant RunSummaryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::ToolTipRole) {
        switch (section) {
        case StderrColumn:
            return tr("Lines written to stderr");
        case FilesColumn:
            return tr("Files changed in the workspace (from the variation's patch)");
        case InsertionsColumn:
            return tr("Lines added by the patch");
        case DeletionsColumn:
            return tr("Lines removed by the patch");
        case CpuPeakColumn:
            return tr("Highest CPU use seen (100% = one core)");
        case MemoryPeakColumn:
            return tr("Highest memory use seen");
        default:
            return {};
        }
    }
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn:
        return tr("Variation");
    case StateColumn:
        return tr("State");
    case ExitColumn:
        return tr("Exit");
    case DurationColumn:
        return tr("Duration");
    case LinesColumn:
        return tr("Lines");
    case BytesColumn:
        return tr("Bytes");
    case StderrColumn:
        return tr("Stderr");
    case FilesColumn:
        return tr("Files");
    case InsertionsColumn:
        return tr("+");
    case DeletionsColumn:
        return tr("−");
    case CpuPeakColumn:
        return tr("CPU peak");
    case MemoryPeakColumn:
        return tr("Memory peak");
    case WinnerColumn:
        return tr("Winner");
    }
    return {};
}

} // namespace Parallax

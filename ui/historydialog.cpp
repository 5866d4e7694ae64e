#include "historydialog.h"

#include "run/runfolder.h"

#include "history/historydb.h"
#include "history/historymodel.h"
#include "run/run.h"
#include "run/variationmodel.h"

#include <QComboBox>
#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QItemSelectionModel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMenu>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QTableWidget>
#include <QUrl>
#include <QVBoxLayout>

namespace Parallax {

namespace {

enum DetailsColumn {
    DName,
    DState,
    DExit,
    DDuration,
    DLines,
    DBytes,
    DStderr,
    DWinner,
    DCpuPeak,
    DMemoryPeak,
    DColumnCount
};

const QString Star = QStringLiteral("★");

// Sorts by the raw value in Qt::UserRole, so "1.5 KB" sorts after "900 bytes".
class SortItem : public QTableWidgetItem
{
public:
    SortItem(const QString &text, const QVariant &key)
        : QTableWidgetItem(text)
    {
        setData(Qt::UserRole, key);
    }
    bool operator<(const QTableWidgetItem &other) const override
    {
        return QVariant::compare(data(Qt::UserRole), other.data(Qt::UserRole))
               == QPartialOrdering::Less;
    }
};

} // namespace

HistoryDialog::HistoryDialog(HistoryDb *db, QWidget *parent, const QString &runsDirectory)
    : QDialog(parent)
    , m_db(db)
{
    setWindowTitle(tr("Run History"));
    setModal(false);
    resize(900, 560);

    m_confirm = [this](const QString &title, const QString &text) {
        return QMessageBox::question(
                       this, title, text, QMessageBox::Yes | QMessageBox::No, QMessageBox::No)
               == QMessageBox::Yes;
    };
    m_chooseWinner
            = [this](const QStringList &names, const QString &current) -> std::optional<QString> {
        QStringList items = names;
        const QString none = tr("(no winner)");
        items.prepend(none);
        bool ok = false;
        const QString item = QInputDialog::getItem(this,
                                                   tr("Mark Winner"),
                                                   tr("Winning variation:"),
                                                   items,
                                                   qMax(0, items.indexOf(current)),
                                                   false,
                                                   &ok);
        if (!ok)
            return std::nullopt;
        return item == none ? QString() : item;
    };

    // Runs started before the history existed, or by a `parallax run` that could not record,
    // only have their folders: pick them up before listing.
    ImportReport report;
    if (m_db && m_db->isOpen())
        report = m_db->importRunFolders(runsDirectory.isEmpty() ? Run::defaultRunsDirectory()
                                                                : runsDirectory);

    m_model = new HistoryModel(m_db, this);
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(HistoryModel::SortRole);
    m_proxy->setSortCaseSensitivity(Qt::CaseInsensitive);

    m_nameFilter = new QLineEdit(this);
    m_nameFilter->setObjectName(QStringLiteral("nameFilter"));
    m_nameFilter->setPlaceholderText(tr("Filter by name"));
    m_nameFilter->setClearButtonEnabled(true);
    m_stateFilter = new QComboBox(this);
    m_stateFilter->setObjectName(QStringLiteral("stateFilter"));
    m_stateFilter->addItem(tr("All states"), QString());
    m_stateFilter->addItem(tr("Running"), QStringLiteral("running"));
    m_stateFilter->addItem(tr("Finished"), QStringLiteral("finished"));
    m_stateFilter->addItem(tr("Cancelled"), QStringLiteral("cancelled"));
    auto *filterRow = new QHBoxLayout;
    filterRow->addWidget(m_nameFilter, 1);
    filterRow->addWidget(m_stateFilter);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("runsView"));
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(HistoryModel::StartedColumn, Qt::DescendingOrder);

    m_detailsTitle = new QLabel(this);
    m_details = new QTableWidget(0, DColumnCount, this);
    m_details->setObjectName(QStringLiteral("variationsTable"));
    m_details->setHorizontalHeaderLabels({tr("Variation"),
                                          tr("State"),
                                          tr("Exit"),
                                          tr("Duration"),
                                          tr("Lines"),
                                          tr("Bytes"),
                                          tr("Stderr lines"),
                                          tr("Winner"),
                                          tr("CPU peak"),
                                          tr("Memory peak")});
    m_details->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_details->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_details->verticalHeader()->hide();
    // Stretching the last (winner) column would float the star far from its row's name.
    m_details->horizontalHeader()->setStretchLastSection(false);
    m_details->horizontalHeader()->setSortIndicator(DName, Qt::AscendingOrder);
    m_details->setSortingEnabled(true);
    auto *detailsBox = new QWidget(this);
    auto *detailsLayout = new QVBoxLayout(detailsBox);
    detailsLayout->setContentsMargins(0, 0, 0, 0);
    detailsLayout->addWidget(m_detailsTitle);
    detailsLayout->addWidget(m_details);

    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(m_view);
    splitter->addWidget(detailsBox);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setChildrenCollapsible(false);

    m_openButton = new QPushButton(tr("&Open"), this);
    m_openButton->setToolTip(tr("Show the run's panes, filled from its transcripts"));
    m_replayButton = new QPushButton(tr("Re&play"), this);
    m_replayButton->setToolTip(
            tr("Replay the run on its recorded clock, the variations racing as they did"));
    auto *replayMenu = new QMenu(m_replayButton);
    for (const int speed : {1, 4, 16})
        replayMenu->addAction(
                tr("At %1× Speed").arg(speed), this, [this, speed] { requestOpen(speed); });
    m_replayButton->setMenu(replayMenu);
    m_compareButton = new QPushButton(tr("&Compare…"), this);
    m_compareButton->setToolTip(tr("Compare the run's variations: summary, output, changes"));
    m_folderButton = new QPushButton(tr("Show &Folder"), this);
    m_exportButton = new QPushButton(tr("&Export…"), this);
    m_rerunButton = new QPushButton(tr("&Re-run"), this);
    m_winnerButton = new QPushButton(tr("Mark &Winner…"), this);
    m_deleteButton = new QPushButton(tr("&Delete…"), this);
    auto *close = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_status = new QLabel(this);
    m_status->setObjectName(QStringLiteral("importStatus"));
    if (!report.problems.isEmpty()) {
        m_status->setText(
                report.problems.size() == 1
                        ? tr("1 run folder could not be read")
                        : tr("%1 run folders could not be read").arg(report.problems.size()));
        m_status->setToolTip(report.problems.join(QLatin1Char('\n')));
    }
    auto *buttonRow = new QHBoxLayout;
    for (QPushButton *button : {m_openButton,
                                m_replayButton,
                                m_compareButton,
                                m_folderButton,
                                m_exportButton,
                                m_rerunButton,
                                m_winnerButton,
                                m_deleteButton}) {
        button->setAutoDefault(false);
        buttonRow->addWidget(button);
    }
    buttonRow->addStretch(1);
    buttonRow->addWidget(m_status);
    buttonRow->addWidget(close);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filterRow);
    layout->addWidget(splitter, 1);
    layout->addLayout(buttonRow);

    connect(m_nameFilter, &QLineEdit::textChanged, this, &HistoryDialog::applyFilter);
    connect(m_stateFilter, &QComboBox::currentIndexChanged, this, &HistoryDialog::applyFilter);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        updateDetails();
        updateButtons();
    });
    connect(m_view, &QTableView::doubleClicked, this, [this] { requestOpen(0); });
    connect(m_openButton, &QPushButton::clicked, this, [this] { requestOpen(0); });
    connect(m_compareButton, &QPushButton::clicked, this, &HistoryDialog::requestCompare);
    connect(m_folderButton, &QPushButton::clicked, this, &HistoryDialog::showFolder);
    connect(m_exportButton, &QPushButton::clicked, this, &HistoryDialog::requestExport);
    connect(m_rerunButton, &QPushButton::clicked, this, &HistoryDialog::requestRerun);
    connect(m_winnerButton, &QPushButton::clicked, this, &HistoryDialog::markWinner);
    connect(m_deleteButton, &QPushButton::clicked, this, &HistoryDialog::deleteRun);
    connect(close, &QDialogButtonBox::rejected, this, &QDialog::reject);

    if (m_proxy->rowCount() > 0)
        m_view->setCurrentIndex(m_proxy->index(0, 0));
    m_view->resizeColumnsToContents();
    updateDetails();
    updateButtons();
}

HistoryDialog::~HistoryDialog() = default;

void HistoryDialog::reload()
{
    const QString id = currentRunId();
    m_model->reload();
    selectRun(id);
    updateDetails();
    updateButtons();
}

void HistoryDialog::selectRun(const QString &runId)
{
    const int row = runId.isEmpty() ? -1 : m_model->rowOf(runId);
    const QModelIndex index = m_proxy->mapFromSource(m_model->index(row, 0));
    if (index.isValid())
        m_view->setCurrentIndex(index);
    else
        m_view->selectionModel()->clear();
}

QString HistoryDialog::currentRunId() const
{
    const QModelIndex index = m_view->currentIndex();
    return index.isValid() && m_view->selectionModel()->isRowSelected(index.row())
                   ? index.data(HistoryModel::RunIdRole).toString()
                   : QString();
}

QString HistoryDialog::currentFolder() const
{
    const QModelIndex index = m_view->currentIndex();
    return currentRunId().isEmpty() ? QString() : index.data(HistoryModel::FolderRole).toString();
}

void HistoryDialog::showFolder()
{
    const QString folder = currentFolder();
    if (!folder.isEmpty())
        QDesktopServices::openUrl(QUrl::fromLocalFile(folder));
}

void HistoryDialog::requestExport()
{
    const QString folder = currentFolder();
    if (!folder.isEmpty())
        emit exportRequested(folder);
}

void HistoryDialog::requestRerun()
{
    const QString folder = currentFolder();
    if (folder.isEmpty())
        return;
    // The folder's run.json is the spec as launched; the database keeps a copy too, but the
    // file is what `parallax run` and the exporter read, so both paths agree.
    const Result<QJsonObject> record = readRunJson(folder);
    if (!record) {
        showError(record.errorString());
        return;
    }
    const QJsonObject spec = record->value(QLatin1String("spec")).toObject();
    if (spec.isEmpty()) {
        showError(tr("%1 holds no spec to run again.").arg(QDir::toNativeSeparators(folder)));
        return;
    }
    emit rerunRequested(spec);
}

void HistoryDialog::requestOpen(double speed)
{
    const QString folder = currentFolder();
    if (!folder.isEmpty())
        emit openRequested(folder, speed);
}

void HistoryDialog::requestCompare()
{
    const QString folder = currentFolder();
    if (!folder.isEmpty())
        emit compareRequested(folder);
}

void HistoryDialog::markWinner()
{
    const QString id = currentRunId();
    if (id.isEmpty() || !m_db)
        return;
    const std::optional<RunRecord> record = m_db->run(id);
    if (!record)
        return;
    QStringList names;
    for (const VariationRecord &v : record->variations)
        names.append(v.name);
    const std::optional<QString> chosen = m_chooseWinner(names, record->summary.winner);
    if (!chosen)
        return;
    if (const Result<void> set = m_db->setWinner(id, *chosen); !set) {
        showError(set.errorString());
        return;
    }
    reload();
}

void HistoryDialog::deleteRun()
{
    const QString id = currentRunId();
    if (id.isEmpty() || !m_db)
        return;
    const QModelIndex index = m_view->currentIndex();
    const QString name = index.sibling(index.row(), HistoryModel::NameColumn).data().toString();
    const QString folder = currentFolder();
    if (!m_confirm(tr("Delete Run"),
                   tr("Delete the run “%1” from the history, and its folder with every "
                      "transcript?\n\n%2")
                           .arg(name, QDir::toNativeSeparators(folder))))
        return;
    const int row = index.row();
    if (const Result<void> removed = m_db->removeRun(id, true); !removed)
        showError(removed.errorString());
    m_model->reload();
    // Keep the selection where it was, so deleting several runs in a row is quick.
    const int rows = m_proxy->rowCount();
    if (rows > 0)
        m_view->setCurrentIndex(m_proxy->index(qMin(row, rows - 1), 0));
    updateDetails();
    updateButtons();
}

void HistoryDialog::applyFilter()
{
    HistoryFilter filter = m_model->filter();
    filter.name = m_nameFilter->text().trimmed();
    filter.state = m_stateFilter->currentData().toString();
    const QString id = currentRunId();
    m_model->setFilter(filter);
    selectRun(id);
    updateDetails();
    updateButtons();
}

void HistoryDialog::updateDetails()
{
    m_details->setSortingEnabled(false);
    m_details->setRowCount(0);
    const QString id = currentRunId();
    const std::optional<RunRecord> record = id.isEmpty() || !m_db ? std::nullopt : m_db->run(id);
    if (!record) {
        m_detailsTitle->setText(tr("Select a run to see its variations."));
        return;
    }
    const RunSummary &s = record->summary;
    const int count = int(record->variations.size());
    QString title = count == 1 ? tr("<b>%1</b> — 1 variation").arg(s.name.toHtmlEscaped())
                               : tr("<b>%1</b> — %2 variations")
                                         .arg(s.name.toHtmlEscaped(), QString::number(count));
    if (!s.winner.isEmpty())
        title += tr(", winner %1 %2").arg(Star, s.winner.toHtmlEscaped());
    m_detailsTitle->setText(title);

    const QLocale locale;
    // Resource peaks live in run.json only (cpu_peak_percent, memory_peak_bytes).
    QHash<QString, QJsonObject> recorded;
    if (const Result<QJsonObject> json = readRunJson(s.folder))
        for (const QJsonValue &value : json->value(QLatin1String("variations")).toArray())
            recorded.insert(value[QLatin1String("name")].toString(), value.toObject());
    m_details->setRowCount(int(record->variations.size()));
    int row = 0;
    for (const VariationRecord &v : record->variations) {
        const bool winner = !s.winner.isEmpty() && v.name == s.winner;
        const qint64 lines = v.stdoutLines + v.stderrLines;
        const qint64 bytes = v.stdoutBytes + v.stderrBytes;
        auto *name = new SortItem(v.name, v.position);
        if (winner) {
            QFont bold = name->font();
            bold.setBold(true);
            name->setFont(bold);
        }
        auto *exit = new SortItem(v.exitCode ? QString::number(*v.exitCode) : QStringLiteral("—"),
                                  v.exitCode ? *v.exitCode : -1);
        auto *duration = new SortItem(VariationModel::formatDuration(v.durationMs), v.durationMs);
        auto *linesItem = new SortItem(locale.toString(lines), lines);
        auto *bytesItem = new SortItem(locale.formattedDataSize(bytes), bytes);
        auto *stderrItem = new SortItem(locale.toString(v.stderrLines), v.stderrLines);
        const QJsonObject peaks = recorded.value(v.name);
        const QJsonValue cpuPeak = peaks.value(QLatin1String("cpu_peak_percent"));
        const QJsonValue memoryPeak = peaks.value(QLatin1String("memory_peak_bytes"));
        auto *cpuItem = new SortItem(
                cpuPeak.isDouble() ? QStringLiteral("%1 %").arg(cpuPeak.toDouble(), 0, 'f', 1)
                                   : QStringLiteral("—"),
                cpuPeak.toDouble(-1));
        auto *memoryItem = new SortItem(
                memoryPeak.isDouble() ? locale.formattedDataSize(qint64(memoryPeak.toDouble()))
                                      : QStringLiteral("—"),
                memoryPeak.toDouble(-1));
        for (QTableWidgetItem *item :
             {exit, duration, linesItem, bytesItem, stderrItem, cpuItem, memoryItem})
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        auto *state = new SortItem(v.state, v.state);
        if (!v.error.isEmpty())
            state->setToolTip(v.error);
        auto *star = new SortItem(winner ? Star : QString(), winner ? 0 : 1);
        star->setTextAlignment(Qt::AlignCenter);
        m_details->setItem(row, DName, name);
        m_details->setItem(row, DState, state);
        m_details->setItem(row, DExit, exit);
        m_details->setItem(row, DDuration, duration);
        m_details->setItem(row, DLines, linesItem);
        m_details->setItem(row, DBytes, bytesItem);
        m_details->setItem(row, DStderr, stderrItem);
        m_details->setItem(row, DCpuPeak, cpuItem);
        m_details->setItem(row, DMemoryPeak, memoryItem);
        m_details->setItem(row, DWinner, star);
        ++row;
    }
    m_details->resizeColumnsToContents();
    // Room for the sort arrow, which the header's size hint leaves out.
    QHeaderView *header = m_details->horizontalHeader();
    for (int column = 0; column < DColumnCount; ++column)
        header->resizeSection(column, header->sectionSize(column) + 14);
    m_details->setSortingEnabled(true);
}

void HistoryDialog::updateButtons()
{
    const bool selected = !currentRunId().isEmpty();
    for (QPushButton *button : {m_openButton,
                                m_replayButton,
                                m_compareButton,
                                m_folderButton,
                                m_exportButton,
                                m_rerunButton,
                                m_winnerButton,
                                m_deleteButton})
        button->setEnabled(selected);
}

void HistoryDialog::showError(const QString &text)
{
    QMessageBox::warning(this, windowTitle(), text);
}

} // namespace Parallax

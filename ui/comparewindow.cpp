#include "comparewindow.h"

#include "outputview.h"
#include "sidebysideview.h"

#include "compare/documentloader.h"
#include "compare/runsummarymodel.h"
#include "history/historydb.h"
#include "run/runfolder.h"
#include "text/terminalbuffer.h"

#include <QApplication>
#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QLocale>
#include <QMessageBox>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QStackedWidget>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

namespace Parallax {

namespace {

// Lines a compared text keeps; beyond it the oldest are dropped and the status says so.
constexpr qsizetype CompareLineCap = 200000;

QToolButton *stepButton(QWidget *parent, bool next)
{
    auto *button = new QToolButton(parent);
    button->setText(next ? QObject::tr("Next") : QObject::tr("Previous"));
    button->setIcon(
            parent->style()->standardIcon(next ? QStyle::SP_ArrowDown : QStyle::SP_ArrowUp));
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setToolTip(next ? QObject::tr("Next difference (F8)")
                            : QObject::tr("Previous difference (Shift+F8)"));
    button->setShortcut(next ? QKeySequence(Qt::Key_F8) : QKeySequence(Qt::SHIFT | Qt::Key_F8));
    return button;
}

QString navigationText(const SideBySideView *view)
{
    if (view->currentDifference() < 0)
        return view->summaryText();
    return QObject::tr("Difference %1 of %2 — %3")
            .arg(view->currentDifference() + 1)
            .arg(view->differenceCount())
            .arg(view->summaryText());
}

} // namespace

CompareWindow::CompareWindow(HistoryDb *history, QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_history(history)
    , m_model(new RunSummaryModel(this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    resize(1200, 760);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(RunSummaryModel::SortRole);

    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::RichText);
    auto *refresh = new QPushButton(tr("&Refresh"), this);
    refresh->setToolTip(tr("Read the run folder again (a run still going has more by now)"));
    connect(refresh, &QPushButton::clicked, this, &CompareWindow::refresh);

    m_tabs = new QTabWidget(this);
    m_tabs->addTab(createSummaryTab(), tr("&Summary"));
    m_tabs->addTab(createOutputTab(), tr("&Output Side by Side"));
    m_tabs->addTab(createChangesTab(), tr("&Changes"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(refresh);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_tabs, 1);
}

CompareWindow::~CompareWindow() = default;

QWidget *CompareWindow::createSummaryTab()
{
    auto *page = new QWidget(this);
    m_table = new QTableView(page);
    m_table->setModel(m_proxy);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(RunSummaryModel::NameColumn, Qt::AscendingOrder);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    m_table->setAlternatingRowColors(true);
    m_table->horizontalHeader()->setStretchLastSection(false);
    connect(m_table, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        const QString name = index.data(RunSummaryModel::NameRole).toString();
        compareOutput(name, partnerOf(name), AlignedDiff::Align::Content);
    });

    m_winnerButton = new QPushButton(tr("Mark &Winner"), page);
    m_winnerButton->setToolTip(tr("Mark the selected variation as the run's winner (stored in "
                                  "the history and in the run folder, shown in exports)"));
    connect(m_winnerButton, &QPushButton::clicked, this, &CompareWindow::markSelectedWinner);
    auto *clearWinner = new QPushButton(tr("C&lear Winner"), page);
    connect(clearWinner, &QPushButton::clicked, this, [this] {
        if (Result<void> marked = markWinner(QString()); !marked)
            QMessageBox::warning(this, windowTitle(), marked.errorString());
    });
    auto *compareButton = new QPushButton(tr("Compare &Output"), page);
    compareButton->setToolTip(tr("Compare the two selected variations' output side by side"));
    connect(compareButton, &QPushButton::clicked, this, [this] {
        QStringList names;
        for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
            names.append(index.data(RunSummaryModel::NameRole).toString());
        if (names.isEmpty() && m_model->rowCount() > 0)
            names.append(m_model->rows().first().name);
        if (names.size() == 1)
            names.append(partnerOf(names.first()));
        compareOutput(names.value(0), names.value(1), AlignedDiff::Align(m_align->currentIndex()));
    });
    auto *changesButton = new QPushButton(tr("Show C&hanges"), page);
    connect(changesButton, &QPushButton::clicked, this, [this] {
        showChanges(selectedVariation());
    });

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_winnerButton);
    buttons->addWidget(clearWinner);
    buttons->addStretch(1);
    buttons->addWidget(compareButton);
    buttons->addWidget(changesButton);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    return page;
}

QWidget *CompareWindow::createOutputTab()
{
    auto *page = new QWidget(this);
    m_left = new QComboBox(page);
    m_right = new QComboBox(page);
    m_align = new QComboBox(page);
    m_align->addItem(tr("Align by content"));
    m_align->addItem(tr("Align by time"));
    m_align->setToolTip(tr("By content: equal lines side by side. By time: lines in the order "
                           "they arrived, from each variation's start."));
    m_previous = stepButton(page, false);
    m_next = stepButton(page, true);
    m_outputStatus = new QLabel(page);
    m_outputStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_outputDiff = new SideBySideView(page);
    for (QComboBox *box : {m_left, m_right, m_align})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_filling)
                updateOutput();
        });
    connect(m_previous, &QToolButton::clicked, m_outputDiff, &SideBySideView::previousDifference);
    connect(m_next, &QToolButton::clicked, m_outputDiff, &SideBySideView::nextDifference);
    connect(m_outputDiff,
            &SideBySideView::differencesChanged,
            this,
            &CompareWindow::updateOutputNavigation);

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Left:"), page));
    bar->addWidget(m_left);
    bar->addWidget(new QLabel(tr("Right:"), page));
    bar->addWidget(m_right);
    bar->addWidget(m_align);
    bar->addWidget(m_previous);
    bar->addWidget(m_next);
    bar->addWidget(m_outputStatus, 1);
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(bar);
    layout->addWidget(m_outputDiff, 1);
    return page;
}

QWidget *CompareWindow::createChangesTab()
{
    auto *page = new QWidget(this);
    m_patchOf = new QComboBox(page);
    m_patchAgainst = new QComboBox(page);
    m_patchPrevious = stepButton(page, false);
    m_patchNext = stepButton(page, true);
    // One window-wide F8: the Output tab's buttons own it.
    m_patchPrevious->setShortcut({});
    m_patchNext->setShortcut({});
    m_changesStatus = new QLabel(page);
    m_changesStatus->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_changesStatus->setWordWrap(true);
    m_patchView = new OutputView(page);
    m_patchDiff = new SideBySideView(page);
    m_changesStack = new QStackedWidget(page);
    m_changesStack->addWidget(m_patchView);
    m_changesStack->addWidget(m_patchDiff);
    for (QComboBox *box : {m_patchOf, m_patchAgainst})
        connect(box, &QComboBox::currentIndexChanged, this, [this] {
            if (!m_filling)
                updateChanges();
        });
    connect(m_patchPrevious,
            &QToolButton::clicked,
            m_patchDiff,
            &SideBySideView::previousDifference);
    connect(m_patchNext, &QToolButton::clicked, m_patchDiff, &SideBySideView::nextDifference);
    connect(m_patchDiff, &SideBySideView::differencesChanged, this, [this] {
        m_changesStatus->setText(navigationText(m_patchDiff));
    });

    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Patch of:"), page));
    bar->addWidget(m_patchOf);
    bar->addWidget(new QLabel(tr("against:"), page));
    bar->addWidget(m_patchAgainst);
    bar->addWidget(m_patchPrevious);
    bar->addWidget(m_patchNext);
    bar->addWidget(m_changesStatus, 1);
    auto *layout = new QVBoxLayout(page);
    layout->addLayout(bar);
    layout->addWidget(m_changesStack, 1);
    return page;
}

Result<void> CompareWindow::open(const QString &runFolder)
{
    if (Result<void> loaded = m_model->load(runFolder); !loaded)
        return loaded;
    m_folder = m_model->folder();
    // The history may know a winner the folder does not (marked before run.json kept it).
    if (m_history && m_model->winner().isEmpty()) {
        if (const std::optional<QString> id = m_history->runIdForFolder(m_folder)) {
            if (const std::optional<RunRecord> record = m_history->run(*id))
                m_model->setWinner(record->summary.winner);
        }
    }
    const QJsonObject record = m_model->record();
    const QString name = record.value(QLatin1String("name")).toString();
    m_title->setText(tr("<b>%1</b> &nbsp;<span style='color:gray'>%2 · %3 · %n variation(s)</span>",
                        nullptr,
                        m_model->rowCount())
                             .arg(name.toHtmlEscaped(),
                                  record.value(QLatin1String("run_id")).toString().toHtmlEscaped(),
                                  record.value(QLatin1String("state")).toString().toHtmlEscaped()));
    setWindowTitle(tr("Compare %1 — Parallax").arg(name));
    m_table->resizeColumnsToContents();
    QHeaderView *header = m_table->horizontalHeader();
    for (int column = 0; column < RunSummaryModel::ColumnCount; ++column)
        header->resizeSection(column, header->sectionSize(column) + 14); // the sort arrow
    fillChoices();
    updateOutput();
    updateChanges();
    return {};
}

void CompareWindow::refresh()
{
    if (m_folder.isEmpty())
        return;
    const QString left = m_left->currentText();
    const QString right = m_right->currentText();
    const QString patchOf = m_patchOf->currentText();
    const int against = m_patchAgainst->currentIndex();
    const QString againstName = m_patchAgainst->currentText();
    if (Result<void> opened = open(m_folder); !opened) {
        QMessageBox::warning(this, windowTitle(), opened.errorString());
        return;
    }
    m_filling = true;
    m_left->setCurrentIndex(qMax(0, m_left->findText(left)));
    m_right->setCurrentIndex(qMax(0, m_right->findText(right)));
    m_patchOf->setCurrentIndex(qMax(0, m_patchOf->findText(patchOf)));
    m_patchAgainst->setCurrentIndex(against <= 0 ? 0
                                                 : qMax(0, m_patchAgainst->findText(againstName)));
    m_filling = false;
    updateOutput();
    updateChanges();
}

void CompareWindow::fillChoices()
{
    m_filling = true;
    for (QComboBox *box : {m_left, m_right, m_patchOf, m_patchAgainst})
        box->clear();
    m_patchAgainst->addItem(tr("— nothing: show the patch —"));
    for (const RunSummaryModel::Row &row : m_model->rows()) {
        for (QComboBox *box : {m_left, m_right, m_patchOf, m_patchAgainst})
            box->addItem(row.name);
    }
    m_right->setCurrentIndex(m_right->count() > 1 ? 1 : 0);
    m_filling = false;
}

qint64 CompareWindow::startMsecsOf(const QString &variation) const
{
    for (const QJsonValue &value : m_model->record().value(QLatin1String("variations")).toArray()) {
        const QJsonObject o = value.toObject();
        if (o.value(QLatin1String("name")).toString() != variation)
            continue;
        const QDateTime started = QDateTime::fromString(
                o.value(QLatin1String("started_at")).toString(), Qt::ISODateWithMs);
        return started.isValid() ? started.toMSecsSinceEpoch() : -1;
    }
    return -1;
}

void CompareWindow::compareOutput(const QString &left,
                                  const QString &right,
                                  AlignedDiff::Align align)
{
    m_filling = true;
    m_left->setCurrentIndex(qMax(0, m_left->findText(left)));
    m_right->setCurrentIndex(qMax(0, m_right->findText(right)));
    m_align->setCurrentIndex(align == AlignedDiff::Align::Time ? 1 : 0);
    m_filling = false;
    m_tabs->setCurrentIndex(OutputTab);
    updateOutput();
}

void CompareWindow::showChanges(const QString &variation, const QString &other)
{
    m_filling = true;
    m_patchOf->setCurrentIndex(qMax(0, m_patchOf->findText(variation)));
    m_patchAgainst->setCurrentIndex(other.isEmpty() ? 0 : qMax(0, m_patchAgainst->findText(other)));
    m_filling = false;
    m_tabs->setCurrentIndex(ChangesTab);
    updateChanges();
}

void CompareWindow::updateOutput()
{
    const int leftRow = m_model->rowOf(m_left->currentText());
    const int rightRow = m_model->rowOf(m_right->currentText());
    if (leftRow < 0 || rightRow < 0) {
        m_outputDiff->clear(m_model->rowCount() == 0 ? tr("This run has no variations.")
                                                     : QString());
        return;
    }
    QApplication::setOverrideCursor(Qt::WaitCursor);
    QStringList notes;
    TerminalBuffer buffers[2];
    const int rows[2] = {leftRow, rightRow};
    for (int side = 0; side < 2; ++side) {
        const RunSummaryModel::Row &row = m_model->rows().at(rows[side]);
        buffers[side].setMaxLines(CompareLineCap);
        if (!QFileInfo::exists(row.transcriptPath)) {
            notes.append(tr("%1 has no transcript (it never started)").arg(row.name));
            continue;
        }
        if (Result<void> loaded
            = DocumentLoader::loadTranscript(row.transcriptPath, &buffers[side]);
            !loaded)
            notes.append(tr("%1: %2").arg(row.name, loaded.errorString()));
        if (buffers[side].droppedLines() > 0)
            notes.append(tr("%1: only its last %2 lines are compared")
                                 .arg(row.name, QLocale().toString(CompareLineCap)));
    }
    const QString leftName = m_model->rows().at(leftRow).name;
    const QString rightName = m_model->rows().at(rightRow).name;
    m_outputDiff->setTexts(buffers[0],
                           leftName,
                           buffers[1],
                           rightName,
                           AlignedDiff::Align(m_align->currentIndex()),
                           startMsecsOf(leftName),
                           startMsecsOf(rightName));
    QApplication::restoreOverrideCursor();
    m_outputStatus->setToolTip(notes.join(QLatin1Char('\n')));
    updateOutputNavigation();
    if (!notes.isEmpty())
        m_outputStatus->setText(m_outputStatus->text() + QStringLiteral(" — ")
                                + notes.join(QStringLiteral("; ")));
}

void CompareWindow::updateOutputNavigation()
{
    const bool any = m_outputDiff->differenceCount() > 0;
    m_previous->setEnabled(any);
    m_next->setEnabled(any);
    m_outputStatus->setText(navigationText(m_outputDiff));
}

void CompareWindow::updateChanges()
{
    const int row = m_model->rowOf(m_patchOf->currentText());
    const bool against = m_patchAgainst->currentIndex() > 0;
    const int otherRow = against ? m_model->rowOf(m_patchAgainst->currentText()) : -1;
    m_patchPrevious->setVisible(against);
    m_patchNext->setVisible(against);
    m_patchView->clear();
    if (row < 0) {
        m_changesStatus->setText(tr("This run has no variations."));
        m_changesStack->setCurrentWidget(m_patchView);
        return;
    }
    const auto noPatch = [](const RunSummaryModel::Row &r) {
        return tr("%1 left no workspace patch (an agent writes one to .parallax/changes.patch "
                  "in its working directory: docs/agent-contract.md).")
                .arg(r.name);
    };
    const RunSummaryModel::Row &r = m_model->rows().at(row);
    if (!against) {
        m_changesStack->setCurrentWidget(m_patchView);
        if (r.patchPath.isEmpty()) {
            m_changesStatus->setText(noPatch(r));
            return;
        }
        if (Result<void> loaded = DocumentLoader::loadPatch(r.patchPath, m_patchView->buffer());
            !loaded) {
            m_changesStatus->setText(loaded.errorString());
            return;
        }
        m_patchView->scrollToTop();
        const qint64 files = r.files.value_or(0);
        const QString counts = tr("+%1 −%2").arg(r.insertions).arg(r.deletions);
        m_changesStatus->setText(files == 1 ? tr("%1: 1 file changed, %2").arg(r.name, counts)
                                            : tr("%1: %2 files changed, %3")
                                                      .arg(r.name, QString::number(files), counts));
        return;
    }
    m_changesStack->setCurrentWidget(m_patchDiff);
    const RunSummaryModel::Row &o = m_model->rows().at(otherRow);
    QStringList missing;
    TerminalBuffer buffers[2];
    const RunSummaryModel::Row *sides[2] = {&r, &o};
    for (int side = 0; side < 2; ++side) {
        if (sides[side]->patchPath.isEmpty()) {
            missing.append(noPatch(*sides[side]));
            continue;
        }
        if (Result<void> loaded = DocumentLoader::loadPatch(sides[side]->patchPath, &buffers[side]);
            !loaded)
            missing.append(loaded.errorString());
    }
    m_patchDiff->setTexts(buffers[0], r.name, buffers[1], o.name, AlignedDiff::Align::Content);
    m_changesStatus->setText(missing.isEmpty() ? navigationText(m_patchDiff)
                                               : missing.join(QLatin1Char(' ')));
}

QString CompareWindow::partnerOf(const QString &variation) const
{
    // The first other variation; a run of one is compared with itself.
    for (const RunSummaryModel::Row &row : m_model->rows()) {
        if (row.name != variation)
            return row.name;
    }
    return variation;
}

QString CompareWindow::selectedVariation() const
{
    const QModelIndex index = m_table->currentIndex();
    if (index.isValid())
        return index.data(RunSummaryModel::NameRole).toString();
    return m_model->rowCount() > 0 ? m_model->rows().first().name : QString();
}

void CompareWindow::markSelectedWinner()
{
    const QString name = selectedVariation();
    if (name.isEmpty())
        return;
    if (Result<void> marked = markWinner(name); !marked)
        QMessageBox::warning(this, windowTitle(), marked.errorString());
}

Result<void> CompareWindow::markWinner(const QString &variation)
{
    if (m_folder.isEmpty())
        return Error{tr("No run is open."), 2};
    std::optional<QString> id;
    if (m_history)
        id = m_history->runIdForFolder(m_folder);
    // HistoryDb::setWinner writes run.json as well; a run the history does not know gets the
    // mark in its folder only.
    const Result<void> marked
            = id ? m_history->setWinner(*id, variation) : writeRunWinner(m_folder, variation);
    if (!marked)
        return marked;
    m_model->setWinner(variation);
    emit winnerChanged(m_folder, variation);
    return {};
}

} // namespace Parallax

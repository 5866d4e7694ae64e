#pragma once

#include "compare/aligneddiff.h"
#include "util/result.h"

#include <QPointer>
#include <QWidget>

#include <functional>

class QComboBox;
class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QStackedWidget;
class QTabWidget;
class QTableView;
class QToolButton;

namespace Parallax {

class HistoryDb;
class OutputView;
class RunSummaryModel;
class SideBySideView;

// Compares the variations of one run (a finished one, or one still going: it reads what the
// run folder holds when opened or refreshed). Three tabs:
//  - Summary: state, exit code, duration, lines, bytes, stderr lines, files changed (+/−),
//    resource peaks and the winner, sortable; marks the winner (history and run.json).
//  - Output: two variations' transcripts side by side with a line diff, by content or by time,
//    next/previous difference.
//  - Changes: a variation's workspace patch coloured, or the diff between two variations'
//    patches side by side.
// GUI thread; a top-level window the owner may let delete itself on close.
class CompareWindow : public QWidget
{
    Q_OBJECT
public:
    enum Tab { SummaryTab, OutputTab, ChangesTab };

    // history may be nullptr (the winner is then written to run.json only).
    explicit CompareWindow(HistoryDb *history, QWidget *parent = nullptr);
    ~CompareWindow() override;

    Result<void> open(const QString &runFolder);
    void refresh(); // re-reads the folder, keeping the choices
    QString folder() const { return m_folder; }

    // Output tab: compare two variations by name.
    void compareOutput(const QString &left, const QString &right, AlignedDiff::Align align);
    // Changes tab: one variation's patch, or (with `other`) the diff between two patches.
    void showChanges(const QString &variation, const QString &other = QString());
    // Marks the winner (empty clears it); the error says why it could not be stored.
    Result<void> markWinner(const QString &variation);

    QTabWidget *tabs() const { return m_tabs; }
    RunSummaryModel *summaryModel() const { return m_model; }
    QSortFilterProxyModel *summaryProxy() const { return m_proxy; }
    QTableView *summaryView() const { return m_table; }
    SideBySideView *outputDiff() const { return m_outputDiff; }
    SideBySideView *patchDiff() const { return m_patchDiff; }
    OutputView *patchView() const { return m_patchView; }
    QLabel *outputStatus() const { return m_outputStatus; }
    QLabel *changesStatus() const { return m_changesStatus; }
    QComboBox *leftChoice() const { return m_left; }
    QComboBox *rightChoice() const { return m_right; }
    QComboBox *alignChoice() const { return m_align; }

signals:
    void winnerChanged(const QString &runFolder, const QString &variation);

private:
    QWidget *createSummaryTab();
    QWidget *createOutputTab();
    QWidget *createChangesTab();
    void fillChoices();
    void updateOutput();
    void updateChanges();
    void updateOutputNavigation();
    void markSelectedWinner();
    QString selectedVariation() const;
    QString partnerOf(const QString &variation) const;
    qint64 startMsecsOf(const QString &variation) const;

    HistoryDb *m_history;
    QString m_folder;
    QLabel *m_title = nullptr;
    QTabWidget *m_tabs = nullptr;

    RunSummaryModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_table = nullptr;
    QPushButton *m_winnerButton = nullptr;

    QComboBox *m_left = nullptr;
    QComboBox *m_right = nullptr;
    QComboBox *m_align = nullptr;
    QToolButton *m_previous = nullptr;
    QToolButton *m_next = nullptr;
    QLabel *m_outputStatus = nullptr;
    SideBySideView *m_outputDiff = nullptr;

    QComboBox *m_patchOf = nullptr;
    QComboBox *m_patchAgainst = nullptr;
    QToolButton *m_patchPrevious = nullptr;
    QToolButton *m_patchNext = nullptr;
    QLabel *m_changesStatus = nullptr;
    QStackedWidget *m_changesStack = nullptr;
    OutputView *m_patchView = nullptr;
    SideBySideView *m_patchDiff = nullptr;
    bool m_filling = false;
};

} // namespace Parallax

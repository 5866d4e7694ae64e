#pragma once

#include <QDialog>
#include <QJsonObject>

#include <functional>
#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTableWidget;

namespace Parallax {

class HistoryDb;
class HistoryModel;

// The run history window (non-modal): the recorded runs, filterable by name and state and
// sortable by any column, with the selected run's variations below. It acts on the database
// directly for what is history's business (winner, delete) and asks the main window, by
// signal, for what is not (export, re-run). Does not own the database. GUI thread.
class HistoryDialog : public QDialog
{
    Q_OBJECT
public:
    // Asks a yes/no question (delete); the default shows a QMessageBox.
    using Confirm = std::function<bool(const QString &title, const QString &text)>;
    // Picks the winner among the run's variation names, current preselected; nullopt cancels,
    // an empty string clears. The default shows a QInputDialog.
    using ChooseWinner = std::function<std::optional<QString>(const QStringList &names,
                                                              const QString &current)>;

    // Records the run folders under runsDirectory (Run::defaultRunsDirectory() when empty) that
    // the database does not know yet, so runs older than the history appear too.
    explicit HistoryDialog(HistoryDb *db,
                           QWidget *parent = nullptr,
                           const QString &runsDirectory = QString());
    ~HistoryDialog() override;

    void reload(); // keeps the selection
    void selectRun(const QString &runId);
    QString currentRunId() const; // empty when nothing is selected
    QString currentFolder() const;

    void setConfirm(Confirm confirm) { m_confirm = std::move(confirm); }
    void setChooseWinner(ChooseWinner choose) { m_chooseWinner = std::move(choose); }

    // The actions behind the buttons, on the selected run.
    void showFolder();
    void requestExport();
    void requestRerun();
    void requestOpen(double speed = 0); // 0: at once; 1, 4, 16: a time-aligned replay
    void requestCompare();
    void markWinner();
    void deleteRun();

    HistoryModel *model() const { return m_model; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QTableView *view() const { return m_view; }
    QTableWidget *details() const { return m_details; }
    QPushButton *openButton() const { return m_openButton; }
    QPushButton *replayButton() const { return m_replayButton; }
    QPushButton *compareButton() const { return m_compareButton; }
    QLineEdit *nameFilter() const { return m_nameFilter; }
    QComboBox *stateFilter() const { return m_stateFilter; }

signals:
    void exportRequested(const QString &folder);
    void rerunRequested(const QJsonObject &spec); // run.json's "spec"
    void openRequested(const QString &folder, double speed);
    void compareRequested(const QString &folder);

private:
    void applyFilter();
    void updateDetails();
    void updateButtons();
    void showError(const QString &text);

    HistoryDb *m_db;
    HistoryModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QLineEdit *m_nameFilter = nullptr;
    QComboBox *m_stateFilter = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_detailsTitle = nullptr;
    QTableWidget *m_details = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_openButton = nullptr;
    QPushButton *m_replayButton = nullptr;
    QPushButton *m_compareButton = nullptr;
    QPushButton *m_folderButton = nullptr;
    QPushButton *m_exportButton = nullptr;
    QPushButton *m_rerunButton = nullptr;
    QPushButton *m_winnerButton = nullptr;
    QPushButton *m_deleteButton = nullptr;
    Confirm m_confirm;
    ChooseWinner m_chooseWinner;
};

} // namespace Parallax

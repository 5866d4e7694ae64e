// The history window over a real HistoryDb in a temporary folder: it lists recorded runs and
// imports unrecorded run folders, filters by name and state, sorts by header, shows a run's
// variations with the winner starred, deletes after confirmation, and asks the main window to
// export or re-run. The export dialog's file suffix follows the format. Both dialogs are
// grabbed to /tmp so a person can look at them.

#include "exportdialog.h"
#include "historydialog.h"

#include "history/historydb.h"
#include "history/historymodel.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace Parallax;

namespace {

struct V
{
    QString name;
    QString state;
    int exitCode;
    qint64 durationMs;
};

QJsonObject runJson(const QString &id,
                    const QString &name,
                    const QString &state,
                    const QString &startedAt,
                    const QList<V> &variations)
{
    const QString image = QStringLiteral("parallax/demo-agent:0.1.0");
    QJsonArray vs;
    for (const V &v : variations) {
        vs.append(QJsonObject{{QStringLiteral("name"), v.name},
                              {QStringLiteral("image"), image},
                              {QStringLiteral("state"), v.state},
                              {QStringLiteral("exit_code"), v.exitCode},
                              {QStringLiteral("transitions"), QJsonArray()},
                              {QStringLiteral("duration_ms"), v.durationMs},
                              {QStringLiteral("stdout_bytes"), 2048},
                              {QStringLiteral("stderr_bytes"), 100},
                              {QStringLiteral("stdout_lines"), 40},
                              {QStringLiteral("stderr_lines"), 3},
                              {QStringLiteral("transcript"), v.name + QStringLiteral(".jsonl")},
                              {QStringLiteral("log"), v.name + QStringLiteral(".log")}});
    }
    QJsonArray specVariations;
    for (const V &v : variations)
        specVariations.append(QJsonObject{{QStringLiteral("name"), v.name}});
    return QJsonObject{{QStringLiteral("format"), 1},
                       {QStringLiteral("run_id"), id},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("spec"),
                        QJsonObject{{QStringLiteral("name"), name},
                                    {QStringLiteral("image"), image},
                                    {QStringLiteral("variations"), specVariations}}},
                       {QStringLiteral("state"), state},
                       {QStringLiteral("started_at"), startedAt},
                       {QStringLiteral("finished_at"), startedAt},
                       {QStringLiteral("docker"), QJsonObject()},
                       {QStringLiteral("variations"), vs}};
}

bool writeRunFolder(const QString &folder, const QJsonObject &json)
{
    if (!QDir().mkpath(folder))
        return false;
    QFile file(folder + QStringLiteral("/run.json"));
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(json).toJson()) > 0;
}

QStringList columnTexts(const QAbstractItemModel *model, int column)
{
    QStringList texts;
    for (int row = 0; row < model->rowCount(); ++row)
        texts.append(model->index(row, column).data().toString());
    return texts;
}

} // namespace

class TestHistoryDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void listsRecordedAndImportedRuns();
    void filtersByNameAndState();
    void sortsByHeader();
    void winnerIsStarredInDetails();
    void deleteAsksThenRemovesRowAndFolder();
    void exportAndRerunAreRequested();
    void exportDialogSuffixFollowsFormat();
    void screenshots();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<HistoryDb> m_db;
    QString m_runs;
};

void TestHistoryDialog::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
}

void TestHistoryDialog::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_runs = m_dir->filePath(QStringLiteral("runs"));
    m_db = std::make_unique<HistoryDb>();
    const Result<void> opened = m_db->open(m_dir->filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(opened.ok(), qPrintable(opened.errorString()));

    const QString alpha = m_runs + QStringLiteral("/20260101-alpha");
    QVERIFY(writeRunFolder(
            alpha,
            runJson(QStringLiteral("r-alpha"),
                    QStringLiteral("alpha refactor"),
                    QStringLiteral("finished"),
                    QStringLiteral("2026-01-01T10:00:00Z"),
                    {{QStringLiteral("fast"), QStringLiteral("exited"), 0, 61500},
                     {QStringLiteral("careful"), QStringLiteral("failed"), 2, 3723000}})));
    const QString beta = m_runs + QStringLiteral("/20260102-beta");
    QVERIFY(writeRunFolder(beta,
                           runJson(QStringLiteral("r-beta"),
                                   QStringLiteral("Beta tests"),
                                   QStringLiteral("cancelled"),
                                   QStringLiteral("2026-01-02T10:00:00Z"),
                                   {{QStringLiteral("v1"), QStringLiteral("cancelled"), 137, 5000},
                                    {QStringLiteral("v2"), QStringLiteral("exited"), 0, 7000},
                                    {QStringLiteral("v3"), QStringLiteral("exited"), 1, 9000}})));
    QVERIFY(m_db->recordFromFolder(alpha).ok());
    QVERIFY(m_db->recordFromFolder(beta).ok());
    // Older than the history: only a folder, which the dialog imports when it opens.
    QVERIFY(writeRunFolder(m_runs + QStringLiteral("/20251231-gamma"),
                           runJson(QStringLiteral("r-gamma"),
                                   QStringLiteral("gamma docs"),
                                   QStringLiteral("finished"),
                                   QStringLiteral("2025-12-31T10:00:00Z"),
                                   {{QStringLiteral("v1"), QStringLiteral("exited"), 0, 1000}})));
}

void TestHistoryDialog::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

void TestHistoryDialog::listsRecordedAndImportedRuns()
{
    QCOMPARE(m_db->runs().size(), 2);
    HistoryDialog dialog(m_db.get(), nullptr, m_runs);
    QAbstractItemModelTester tester(dialog.proxy(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(dialog.proxy()->rowCount(), 3);
    QCOMPARE(m_db->runs().size(), 3);
    // Newest first, the first row selected and its variations shown.
    QCOMPARE(columnTexts(dialog.proxy(), HistoryModel::NameColumn),
             QStringList({QStringLiteral("Beta tests"),
                          QStringLiteral("alpha refactor"),
                          QStringLiteral("gamma docs")}));
    QCOMPARE(dialog.currentRunId(), QStringLiteral("r-beta"));
    QCOMPARE(dialog.details()->rowCount(), 3);
    QCOMPARE(dialog.details()->item(0, 0)->text(), QStringLiteral("v1"));
    QCOMPARE(dialog.details()->item(0, 2)->text(), QStringLiteral("137"));
    QCOMPARE(dialog.details()->item(0, 4)->text(), QStringLiteral("43")); // 40 + 3 lines
    QCOMPARE(dialog.details()->item(0, 6)->text(), QStringLiteral("3"));

    dialog.selectRun(QStringLiteral("r-alpha"));
    QCOMPARE(dialog.details()->rowCount(), 2);
    QCOMPARE(dialog.details()->item(1, 3)->text(), QStringLiteral("1:02:03"));
}

void TestHistoryDialog::filtersByNameAndState()
{
    HistoryDialog dialog(m_db.get(), nullptr, m_runs);
    QAbstractItemModelTester tester(dialog.proxy(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    dialog.nameFilter()->setText(QStringLiteral("ALPHA"));
    QCOMPARE(dialog.proxy()->rowCount(), 1);
    QCOMPARE(dialog.proxy()->index(0, HistoryModel::NameColumn).data().toString(),
             QStringLiteral("alpha refactor"));
    dialog.nameFilter()->setText(QStringLiteral("a"));
    QCOMPARE(dialog.proxy()->rowCount(), 3);
    dialog.stateFilter()->setCurrentIndex(
            dialog.stateFilter()->findData(QStringLiteral("finished")));
    QCOMPARE(dialog.proxy()->rowCount(), 2);
    dialog.nameFilter()->setText(QStringLiteral("nothing like it"));
    QCOMPARE(dialog.proxy()->rowCount(), 0);
    QVERIFY(dialog.currentRunId().isEmpty());
    QCOMPARE(dialog.details()->rowCount(), 0);
    dialog.nameFilter()->clear();
    dialog.stateFilter()->setCurrentIndex(0);
    QCOMPARE(dialog.proxy()->rowCount(), 3);
}

void TestHistoryDialog::sortsByHeader()
{
    HistoryDialog dialog(m_db.get(), nullptr, m_runs);
    QAbstractItemModelTester tester(dialog.proxy(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    dialog.view()->sortByColumn(HistoryModel::NameColumn, Qt::AscendingOrder);
    QCOMPARE(columnTexts(dialog.proxy(), HistoryModel::NameColumn),
             QStringList({QStringLiteral("alpha refactor"),
                          QStringLiteral("Beta tests"),
                          QStringLiteral("gamma docs")}));
    dialog.view()->sortByColumn(HistoryModel::VariationsColumn, Qt::DescendingOrder);
    QCOMPARE(columnTexts(dialog.proxy(), HistoryModel::NameColumn).first(),
             QStringLiteral("Beta tests"));
    QCOMPARE(columnTexts(dialog.proxy(), HistoryModel::NameColumn).last(),
             QStringLiteral("gamma docs"));
    dialog.view()->sortByColumn(HistoryModel::StartedColumn, Qt::AscendingOrder);
    QCOMPARE(columnTexts(dialog.proxy(), HistoryModel::NameColumn),
             QStringList({QStringLiteral("gamma docs"),
                          QStringLiteral("alpha refactor"),
                          QStringLiteral("Beta tests")}));
}

void TestHistoryDialog::winnerIsStarredInDetails()
{
    HistoryDialog dialog(m_db.get(), nullptr, m_runs);
    QAbstractItemModelTester tester(dialog.proxy(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    dialog.selectRun(QStringLiteral("r-beta"));
    const auto starredRows = [&] {
        QStringList names;
        for (int row = 0; row < dialog.details()->rowCount(); ++row) {
            if (dialog.details()->item(row, 7)->text() == QStringLiteral("★"))
                names.append(dialog.details()->item(row, 0)->text());
        }
        return names;
    };
    QVERIFY(starredRows().isEmpty());

    QVERIFY(m_db->setWinner(QStringLiteral("r-beta"), QStringLiteral("v2")).ok());
    dialog.reload();
    QCOMPARE(dialog.currentRunId(), QStringLiteral("r-beta"));
    QCOMPARE(starredRows(), QStringList{QStringLiteral("v2")});

    // Through the button's action, with the chooser answered by the test.
    QStringList offered;
    dialog.setChooseWinner([&](const QStringList &names, const QString &current) {
        offered = names;
        [&] {
            QCOMPARE(current, QStringLiteral("v2"));
        }();
        return std::optional<QString>(QStringLiteral("v3"));
    });
    dialog.markWinner();
    QCOMPARE(offered,
             QStringList({QStringLiteral("v1"), QStringLiteral("v2"), QStringLiteral("v3")}));
    QCOMPARE(starredRows(), QStringList{QStringLiteral("v3")});
    QCOMPARE(m_db->run(QStringLiteral("r-beta"))->summary.winner, QStringLiteral("v3"));
    const int row = dialog.model()->rowOf(QStringLiteral("r-beta"));
    QCOMPARE(dialog.model()->index(row, HistoryModel::WinnerColumn).data().toString(),
             QStringLiteral("v3"));

    dialog.setChooseWinner(
            [](const QStringList &, const QString &) { return std::optional<QString>(QString()); });
    dialog.markWinner();
    QVERIFY(starredRows().isEmpty());
}

void TestHistoryDialog::deleteAsksThenRemovesRowAndFolder()
{
    HistoryDialog dialog(m_db.get(), nullptr, m_runs);
    QAbstractItemModelTester tester(dialog.proxy(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    dialog.selectRun(QStringLiteral("r-alpha"));
    const QString folder = dialog.currentFolder();
    QVERIFY(QFile::exists(folder + QStringLiteral("/run.json")));

    int asked = 0;
    QString question;
    dialog.setConfirm([&](const QString &, const QString &text) {
        ++asked;
        question = text;
        return false;
    });
    dialog.deleteRun();
    QCOMPARE(asked, 1);
    QVERIFY(question.contains(QStringLiteral("alpha refactor")));
    QCOMPARE(dialog.proxy()->rowCount(), 3);

    dialog.setConfirm([&](const QString &, const QString &) {
        ++asked;
        return true;
    });
    dialog.deleteRun();
    QCOMPARE(asked, 2);
    QCOMPARE(dialog.proxy()->rowCount(), 2);
    QCOMPARE(dialog.model()->rowOf(QStringLiteral("r-alpha")), -1);
    QVERIFY(!m_db->run(QStringLiteral("r-alpha")));
    QVERIFY(!QFileInfo::exists(folder));
    QVERIFY(!dialog.currentRunId().isEmpty()); // the neighbour is selected
}

void TestHistoryDialog::exportAndRerunAreRequested()
{
    HistoryDialog dialog(m_db.get(), nullptr, m_runs);
    QSignalSpy exports(&dialog, &HistoryDialog::exportRequested);
    QSignalSpy reruns(&dialog, &HistoryDialog::rerunRequested);
    dialog.selectRun(QStringLiteral("r-alpha"));
    dialog.requestExport();
    QCOMPARE(exports.size(), 1);
    QCOMPARE(exports.first().first().toString(), m_runs + QStringLiteral("/20260101-alpha"));
    dialog.requestRerun();
    QCOMPARE(reruns.size(), 1);
    const QJsonObject spec = reruns.first().first().toJsonObject();
    QCOMPARE(spec.value(QStringLiteral("name")).toString(), QStringLiteral("alpha refactor"));
    QCOMPARE(spec.value(QStringLiteral("variations")).toArray().size(), 2);
}

void TestHistoryDialog::exportDialogSuffixFollowsFormat()
{
    ExportDialog dialog(m_runs + QStringLiteral("/20260101-alpha"));
    QCOMPARE(dialog.format(), RunExporter::Format::Markdown);
    QVERIFY(dialog.outputPath().endsWith(QStringLiteral("/20260101-alpha.md")));

    auto *combo = dialog.findChild<QComboBox *>(QStringLiteral("formatCombo"));
    QVERIFY(combo);
    combo->setCurrentIndex(combo->findData(int(RunExporter::Format::Html)));
    QCOMPARE(dialog.format(), RunExporter::Format::Html);
    QVERIFY(dialog.outputPath().endsWith(QStringLiteral("/20260101-alpha.html")));
    dialog.setFormat(RunExporter::Format::Text);
    QVERIFY(dialog.outputPath().endsWith(QStringLiteral(".txt")));

    // A suffix the user chose is theirs; a missing one is added.
    dialog.setOutputPath(QStringLiteral("/tmp/report.log"));
    dialog.setFormat(RunExporter::Format::Json);
    QCOMPARE(dialog.outputPath(), QStringLiteral("/tmp/report.log"));
    dialog.setOutputPath(QStringLiteral("/tmp/report"));
    dialog.setFormat(RunExporter::Format::Markdown);
    QCOMPARE(dialog.outputPath(), QStringLiteral("/tmp/report.md"));
}

void TestHistoryDialog::screenshots()
{
    QVERIFY(m_db->setWinner(QStringLiteral("r-alpha"), QStringLiteral("fast")).ok());
    QVERIFY(QDir().mkpath(m_runs + QStringLiteral("/broken")));
    QFile broken(m_runs + QStringLiteral("/broken/run.json"));
    QVERIFY(broken.open(QIODevice::WriteOnly) && broken.write("{ not json") > 0);
    broken.close();
    HistoryDialog history(m_db.get(), nullptr, m_runs);
    QCOMPARE(history.proxy()->rowCount(), 3);
    const auto *status = history.findChild<QLabel *>(QStringLiteral("importStatus"));
    QVERIFY(status);
    QCOMPARE(status->text(), QStringLiteral("1 run folder could not be read"));
    QVERIFY(status->toolTip().contains(QStringLiteral("broken")));
    history.selectRun(QStringLiteral("r-alpha"));
    history.show();
    QVERIFY(QTest::qWaitForWindowExposed(&history));
    QVERIFY(history.grab().save(QStringLiteral("/tmp/historydialog.png")));

    ExportDialog exportDialog(m_runs + QStringLiteral("/20260101-alpha"));
    exportDialog.setFormat(RunExporter::Format::Html);
    exportDialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&exportDialog));
    QVERIFY(exportDialog.grab().save(QStringLiteral("/tmp/exportdialog.png")));
}

QTEST_MAIN(TestHistoryDialog)
#include "tst_historydialog.moc"

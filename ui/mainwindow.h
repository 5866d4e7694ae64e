#pragma once

#include "panearea.h"
#include "variationpane.h"

#include "history/historydb.h"
#include "run/run.h"

#include <QMainWindow>
#include <QPointer>
#include <QTimer>

#include <functional>

class QAction;
class QActionGroup;
class QDockWidget;
class QLabel;
class QSplitter;

namespace Parallax {

class AgentImage;
class BuildPane;
class CompareWindow;
class DockerMonitor;
class FindBar;
class HistoryDialog;
class LaunchPanel;
class Notifier;
class SecretStore;
class SecretsDialog;
class Run;
class RunViewer;
class VariationPane;

// The main window: a launch panel beside the live panes of the current run, a run toolbar,
// find across panes, and a status bar that says which Docker it talks to and whether it
// answers. A view over core's Run; no orchestration or Docker logic lives here.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    bool openSpec(const QString &path);
    void launch();
    void stopAll();
    void rerun();
    Run *currentRun() const { return m_run; }
    PaneArea *paneArea() const { return m_panes; }
    LaunchPanel *launchPanel() const { return m_launchPanel; }
    BuildPane *buildPane() const { return m_buildPane; } // null until a first build
    AgentImage *agentImage() const;                      // the last agent image made or found
    DockerMonitor *dockerMonitor() const { return m_monitor; }
    // Reopens runs that a killed Parallax left unfinished, and continues them.
    // With `show`, the most recent one is put on screen; the others continue out of sight.
    void resumeUnfinishedRuns(const QString &runsDirectory, bool show = true);
    // Shows a run that is already started (a fresh or a resumed one, whose recorded output
    // is replayed into its panes first).
    void showRun(Run *run, bool replay = false);
    // Opens the find bar for the focused pane or for all panes (Ctrl+F, Ctrl+Shift+F).
    void startFind(bool allPanes);
    FindBar *findBar() const { return m_findBar; }
    // The run history, or nullptr when it could not be opened.
    HistoryDb *history() { return m_historyOpen ? &m_history : nullptr; }
    // Opens the history window (Ctrl+H), non-modal and reused.
    HistoryDialog *showHistory();
    // Opens the Secrets dialog (names in the OS keychain), non-modal and reused.
    SecretsDialog *showSecrets();
    SecretStore *secretStore() const { return m_secrets; }
    Notifier *notifier() const { return m_notifier; }
    // Asks for a format and a file, then exports the run folder (Ctrl+E exports the current
    // run, or opens the history to choose one).
    void exportRun(const QString &folder);
    // Opens a recorded run in its own window: the panes fill from the transcripts at once
    // (speed 0) or in a time-aligned replay at 1×, 4× or 16×. nullptr (after saying why) when
    // the folder is not a readable run folder.
    RunViewer *openRecordedRun(const QString &folder, double speed = 0);
    // Opens the compare window for a run folder (Ctrl+D: the current run's).
    CompareWindow *showCompare(const QString &folder);

protected:
    void closeEvent(QCloseEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void updateActions();
    void updateTitle();
    void updateRunStatus();
    void onDockerHealth();
    void tick();
    void setFontSize(int points);
    void findInPanes(bool backwards);
    void updateFindCount();
    void saveSpec(bool saveAs);
    void showAbout();
    void readSettings();
    void startRun(const RunSpec &spec, const RunOptions &options);
    // Makes sure the launch panel's agent image exists (building it in the build dock), then
    // calls `then` (when given) once it does. Returns false when no agent preset is in use.
    bool buildAgentImage(std::function<void()> then = {});
    void writeSettings();

    DockerMonitor *m_monitor = nullptr;
    LaunchPanel *m_launchPanel = nullptr;
    PaneArea *m_panes = nullptr;
    QSplitter *m_splitter = nullptr;
    QLabel *m_banner = nullptr;
    QDockWidget *m_buildDock = nullptr;
    BuildPane *m_buildPane = nullptr;
    QPointer<AgentImage> m_agentImage;
    QLabel *m_runHeader = nullptr;
    QLabel *m_dockerStatus = nullptr;
    QLabel *m_runStatus = nullptr;
    FindBar *m_findBar = nullptr;
    HistoryDb m_history;
    bool m_historyOpen = false;
    QPointer<Run> m_run;
    QPointer<HistoryDialog> m_historyDialog;
    SecretStore *m_secrets = nullptr;
    QPointer<SecretsDialog> m_secretsDialog;
    Notifier *m_notifier = nullptr;
    QPointer<VariationPane> m_findPane; // where find last stepped
    QList<QPointer<Run>> m_background;  // resumed runs not on screen
    QTimer m_tick;
    int m_fontSize = 0;
    bool m_wrap = false;
    bool m_timestamps = false;
    bool m_findAll = false;

    QAction *m_launchAction = nullptr;
    QAction *m_stopAction = nullptr;
    QAction *m_rerunAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_saveAsAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_exportAction = nullptr;
    QAction *m_historyAction = nullptr;
    QAction *m_compareAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_findAllAction = nullptr;
    QAction *m_zoomInAction = nullptr;
    QAction *m_zoomOutAction = nullptr;
    QAction *m_zoomResetAction = nullptr;
    QAction *m_wrapAction = nullptr;
    QAction *m_timestampsAction = nullptr;
    QAction *m_showPanelAction = nullptr;
    QActionGroup *m_layoutGroup = nullptr;
};

} // namespace Parallax

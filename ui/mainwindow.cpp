#include "mainwindow.h"

#include "buildpane.h"
#include "comparewindow.h"
#include "engineselector.h"
#include "exportdialog.h"
#include "findbar.h"
#include "historydialog.h"
#include "launchpanel.h"
#include "notifier.h"
#include "outputview.h"
#include "pulldialog.h"
#include "runviewer.h"
#include "secretsdialog.h"
#include "theme.h"
#include "variationpane.h"

#include "agents/agentimage.h"
#include "docker/dockermonitor.h"
#include "export/runexporter.h"
#include "run/run.h"
#include "run/runfolder.h"
#include "secrets/secretstore.h"
#include "text/terminalbuffer.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QDirIterator>
#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QStyle>
#include <QToolBar>
#include <QUrl>
#include <QVBoxLayout>

namespace Parallax {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setAcceptDrops(true);
    setWindowIcon(QIcon(QStringLiteral(":/icons/parallax.svg")));

    m_historyOpen = m_history.open().ok(); // without it runs still work, only unrecorded
    m_secrets = new SecretStore(this);
    m_notifier = new Notifier(this);

    m_monitor = new DockerMonitor(this);
    connect(m_monitor, &DockerMonitor::healthChanged, this, &MainWindow::onDockerHealth);

    m_launchPanel = new LaunchPanel(this);
    connect(m_launchPanel, &LaunchPanel::launchRequested, this, &MainWindow::launch);
    connect(m_launchPanel, &LaunchPanel::modifiedChanged, this, &MainWindow::updateTitle);
    connect(m_launchPanel, &LaunchPanel::currentFileChanged, this, &MainWindow::updateTitle);
    connect(m_launchPanel, &LaunchPanel::imagesRefreshRequested, this, [this] {
        if (DockerClient *client = m_monitor->client()) {
            client->listImages(this, [this](const Result<QList<ImageSummary>> &images) {
                if (images)
                    m_launchPanel->setImages(*images);
            });
        }
    });
    connect(m_launchPanel, &LaunchPanel::buildImageRequested, this, [this] { buildAgentImage(); });
    connect(m_launchPanel, &LaunchPanel::pullRequested, this, [this](const QString &image) {
        if (DockerClient *client = m_monitor->client()) {
            auto *dialog = new PullDialog(client, image, this);
            connect(dialog, &PullDialog::pullEnded, m_launchPanel, [this] {
                emit m_launchPanel->imagesRefreshRequested();
            });
            dialog->show();
        }
    });

    m_banner = new QLabel(this);
    m_banner->setWordWrap(true);
    m_banner->setTextFormat(Qt::RichText);
    m_banner->setContentsMargins(12, 8, 12, 8);
    m_banner->setStyleSheet(QStringLiteral(
            "QLabel { background: #fdecea; color: #611a15; border-bottom: 1px solid #f5c2c0; }"));
    m_banner->hide();

    m_runHeader = new QLabel(this);
    m_runHeader->setContentsMargins(8, 4, 8, 4);
    m_runHeader->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_runHeader->hide();

    m_panes = new PaneArea(this);
    m_findBar = new FindBar(this);
    m_findBar->hide();

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->setSpacing(0);
    rightLayout->addWidget(m_runHeader);
    rightLayout->addWidget(m_panes, 1);
    rightLayout->addWidget(m_findBar);

    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(m_launchPanel); // it scrolls itself and keeps Launch visible
    m_splitter->addWidget(right);
    m_splitter->setStretchFactor(0, 0);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({440, 1000});

    auto *central = new QWidget(this);
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_banner);
    centralLayout->addWidget(m_splitter, 1);
    setCentralWidget(central);

    m_dockerStatus = new QLabel(this);
    m_runStatus = new QLabel(this);
    statusBar()->addWidget(m_runStatus, 1);
    statusBar()->addPermanentWidget(new EngineSelector(m_monitor, this));
    statusBar()->addPermanentWidget(m_dockerStatus);

    createActions();
    createMenus();
    createToolBar();
    readSettings();

    connect(m_findBar, &FindBar::findRequested, this, [this] { findInPanes(false); });
    connect(m_findBar, &FindBar::nextRequested, this, [this] { findInPanes(false); });
    connect(m_findBar, &FindBar::previousRequested, this, [this] { findInPanes(true); });
    connect(m_findBar, &FindBar::closed, this, [this] {
        for (VariationPane *pane : m_panes->panes())
            pane->view()->setFindPattern(QString(), false, false);
    });

    connect(&m_tick, &QTimer::timeout, this, &MainWindow::tick);
    m_tick.start(1000);
    onDockerHealth();
    m_monitor->checkNow();
    updateActions();
    updateTitle();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    m_launchAction = new QAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Launch"), this);
    m_launchAction->setShortcuts(
            {QKeySequence(Qt::CTRL | Qt::Key_Return), QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_launchAction->setToolTip(tr("Launch every variation of the spec (Ctrl+Enter)"));
    connect(m_launchAction, &QAction::triggered, this, &MainWindow::launch);

    m_stopAction = new QAction(style()->standardIcon(QStyle::SP_MediaStop), tr("&Stop All"), this);
    m_stopAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Period));
    m_stopAction->setToolTip(tr("Stop every variation of this run (Ctrl+Shift+.)"));
    connect(m_stopAction, &QAction::triggered, this, &MainWindow::stopAll);

    m_rerunAction
            = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("&Re-run"), this);
    m_rerunAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    m_rerunAction->setToolTip(tr("Launch the same spec again (Ctrl+Shift+R)"));
    connect(m_rerunAction, &QAction::triggered, this, &MainWindow::rerun);

    m_openAction = new QAction(
            style()->standardIcon(QStyle::SP_DialogOpenButton), tr("&Open Spec…"), this);
    m_openAction->setShortcut(QKeySequence::Open);
    connect(m_openAction, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
                this, tr("Open Spec"), QString(), tr("Run specs (*.json);;All files (*)"));
        if (!path.isEmpty())
            openSpec(path);
    });
    m_saveAction = new QAction(
            style()->standardIcon(QStyle::SP_DialogSaveButton), tr("&Save Spec"), this);
    m_saveAction->setShortcut(QKeySequence::Save);
    connect(m_saveAction, &QAction::triggered, this, [this] { saveSpec(false); });
    m_saveAsAction = new QAction(tr("Save Spec &As…"), this);
    m_saveAsAction->setShortcut(QKeySequence::SaveAs);
    connect(m_saveAsAction, &QAction::triggered, this, [this] { saveSpec(true); });
    m_quitAction = new QAction(tr("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);
    m_exportAction = new QAction(tr("&Export Run…"), this);
    m_exportAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportAction->setToolTip(tr("Export the current run, or one chosen in the history (Ctrl+E)"));
    connect(m_exportAction, &QAction::triggered, this, [this] {
        if (m_run)
            exportRun(m_run->directory());
        else
            showHistory();
    });
    m_compareAction = new QAction(tr("&Compare Variations…"), this);
    m_compareAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
    m_compareAction->setToolTip(
            tr("Compare the current run's variations, or one chosen in the history (Ctrl+D)"));
    connect(m_compareAction, &QAction::triggered, this, [this] {
        if (m_run)
            showCompare(m_run->directory());
        else
            showHistory();
    });
    m_historyAction = new QAction(tr("&History…"), this);
    m_historyAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    connect(m_historyAction, &QAction::triggered, this, &MainWindow::showHistory);

    m_findAction = new QAction(tr("&Find in Pane…"), this);
    m_findAction->setShortcut(QKeySequence::Find);
    connect(m_findAction, &QAction::triggered, this, [this] { startFind(false); });
    m_findAllAction = new QAction(tr("Find in &All Panes…"), this);
    m_findAllAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_F));
    connect(m_findAllAction, &QAction::triggered, this, [this] { startFind(true); });

    m_zoomInAction = new QAction(tr("Zoom &In"), this);
    m_zoomInAction->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    connect(m_zoomInAction, &QAction::triggered, this, [this] { setFontSize(m_fontSize + 1); });
    m_zoomOutAction = new QAction(tr("Zoom &Out"), this);
    m_zoomOutAction->setShortcut(QKeySequence::ZoomOut);
    connect(m_zoomOutAction, &QAction::triggered, this, [this] { setFontSize(m_fontSize - 1); });
    m_zoomResetAction = new QAction(tr("&Reset Zoom"), this);
    m_zoomResetAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(m_zoomResetAction, &QAction::triggered, this, [this] { setFontSize(0); });

    m_wrapAction = new QAction(tr("&Wrap Lines"), this);
    m_wrapAction->setCheckable(true);
    m_wrapAction->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Z));
    connect(m_wrapAction, &QAction::toggled, this, [this](bool on) {
        m_wrap = on;
        for (VariationPane *pane : m_panes->panes())
            pane->view()->setWrapLines(on);
    });
    m_timestampsAction = new QAction(tr("Show &Timestamps"), this);
    m_timestampsAction->setCheckable(true);
    m_timestampsAction->setShortcut(QKeySequence(Qt::ALT | Qt::Key_T));
    connect(m_timestampsAction, &QAction::toggled, this, [this](bool on) {
        m_timestamps = on;
        for (VariationPane *pane : m_panes->panes())
            pane->view()->setShowTimestamps(on);
    });
    m_showPanelAction = new QAction(tr("Show &Launch Panel"), this);
    m_showPanelAction->setCheckable(true);
    m_showPanelAction->setChecked(true);
    m_showPanelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_L));
    connect(m_showPanelAction, &QAction::toggled, this, [this](bool on) {
        m_splitter->widget(0)->setVisible(on);
    });

    m_layoutGroup = new QActionGroup(this);
    const QList<QPair<QString, PaneArea::Layout>> layouts{
            {tr("&Grid"), PaneArea::Layout::Auto},
            {tr("&Columns"), PaneArea::Layout::Columns},
            {tr("&Tabs"), PaneArea::Layout::Tabs}};
    int key = Qt::Key_1;
    for (const auto &[label, mode] : layouts) {
        QAction *action = m_layoutGroup->addAction(label);
        action->setCheckable(true);
        action->setData(int(mode));
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::ALT | key++));
        connect(action, &QAction::triggered, this, [this, mode = mode] {
            m_panes->setLayoutMode(mode);
        });
    }
    m_layoutGroup->actions().first()->setChecked(true);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_openAction);
    file->addAction(m_saveAction);
    file->addAction(m_saveAsAction);
    file->addSeparator();
    file->addAction(tr("Open &Recorded Run…"), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(
                this, tr("Open Recorded Run"), Run::defaultRunsDirectory());
        if (!dir.isEmpty())
            openRecordedRun(dir);
    });
    file->addAction(m_historyAction);
    file->addAction(m_exportAction);
    file->addSeparator();
    file->addAction(m_quitAction);

    QMenu *run = menuBar()->addMenu(tr("&Run"));
    run->addAction(m_launchAction);
    run->addAction(m_stopAction);
    run->addAction(m_rerunAction);
    run->addSeparator();
    run->addAction(tr("&Secrets…"), this, &MainWindow::showSecrets);
    run->addSeparator();
    run->addAction(m_compareAction);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QMenu *layout = view->addMenu(tr("&Layout"));
    layout->addActions(m_layoutGroup->actions());
    view->addAction(m_showPanelAction);
    view->addSeparator();
    view->addAction(m_findAction);
    view->addAction(m_findAllAction);
    view->addSeparator();
    view->addAction(m_zoomInAction);
    view->addAction(m_zoomOutAction);
    view->addAction(m_zoomResetAction);
    view->addSeparator();
    view->addAction(m_wrapAction);
    view->addAction(m_timestampsAction);
    view->addSeparator();
    QMenu *theme = view->addMenu(tr("&Theme"));
    auto *themes = new QActionGroup(this);
    const QString current
            = QSettings().value(QStringLiteral("view/theme"), QStringLiteral("system")).toString();
    for (const auto &[label, mode] : {std::pair{tr("&System"), Theme::Mode::System},
                                      std::pair{tr("&Light"), Theme::Mode::Light},
                                      std::pair{tr("&Dark"), Theme::Mode::Dark}}) {
        QAction *action = themes->addAction(label);
        action->setCheckable(true);
        action->setChecked(Theme::toString(mode) == current);
        connect(action, &QAction::triggered, this, [mode = mode] {
            Theme::apply(mode);
            QSettings().setValue(QStringLiteral("view/theme"), Theme::toString(mode));
        });
    }
    theme->addActions(themes->actions());

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Parallax"), this, &MainWindow::showAbout);
    help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::createToolBar()
{
    QToolBar *bar = addToolBar(tr("Run"));
    bar->setObjectName(QStringLiteral("runToolBar"));
    bar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    bar->setMovable(false);
    bar->addAction(m_launchAction);
    bar->addAction(m_stopAction);
    bar->addAction(m_rerunAction);
    bar->addSeparator();
    bar->addActions(m_layoutGroup->actions());
    bar->addSeparator();
    bar->addAction(m_wrapAction);
    bar->addAction(m_timestampsAction);
}

void MainWindow::updateActions()
{
    const bool running = m_run && !m_run->isFinished();
    m_launchAction->setEnabled(!running);
    m_stopAction->setEnabled(running);
    m_rerunAction->setEnabled(!running && m_run);
}

void MainWindow::updateTitle()
{
    const QString file = m_launchPanel->currentFile();
    QString title = file.isEmpty() ? tr("Untitled spec") : QFileInfo(file).fileName();
    if (m_launchPanel->isModified())
        title += QStringLiteral(" •");
    setWindowTitle(QStringLiteral("%1 — Parallax").arg(title));
}

bool MainWindow::openSpec(const QString &path)
{
    const Result<void> loaded = m_launchPanel->loadFile(path);
    if (!loaded) {
        QMessageBox::warning(this, tr("Cannot open spec"), loaded.errorString());
        return false;
    }
    updateTitle();
    return true;
}

void MainWindow::saveSpec(bool saveAs)
{
    QString path = m_launchPanel->currentFile();
    if (saveAs || path.isEmpty()) {
        path = QFileDialog::getSaveFileName(this, tr("Save Spec"), path, tr("Run specs (*.json)"));
        if (path.isEmpty())
            return;
    }
    const Result<void> saved = m_launchPanel->saveFile(path);
    if (!saved)
        QMessageBox::warning(this, tr("Cannot save spec"), saved.errorString());
    updateTitle();
}

void MainWindow::launch()
{
    if (m_run && !m_run->isFinished()) {
        statusBar()->showMessage(tr("A run is in progress: stop it before launching another."),
                                 5000);
        return;
    }
    if (!m_launchPanel->validate())
        return;
    const Result<RunSpec> spec = m_launchPanel->spec();
    if (!spec)
        return;
    DockerClient *client = m_monitor->client();
    if (!client || m_monitor->health() == DockerMonitor::Health::Unreachable) {
        m_banner->setText(tr("<b>Cannot launch: Docker is not reachable.</b> %1")
                                  .arg(m_monitor->message().toHtmlEscaped()));
        m_banner->show();
        return;
    }
    RunOptions options;
    options.specPath = m_launchPanel->currentFile();
    // An agent preset's image is built (or found) first, once the secrets are known to be there.
    auto proceed = [this](const RunSpec &runSpec, const RunOptions &runOptions) {
        if (!buildAgentImage([this, runSpec, runOptions] { startRun(runSpec, runOptions); }))
            startRun(runSpec, runOptions);
    };
    if (spec->secrets.isEmpty()) {
        proceed(*spec, options);
        return;
    }
    // Each secret from the keychain, else from the environment; the keychain answers over
    // D-Bus, so the launch continues when it has. A missing one stops here, before any image
    // is built or container created.
    m_secrets->resolve(
            spec->secrets,
            options.environment,
            this,
            [this, runSpec = *spec, options, proceed](SecretResolution resolution) mutable {
                if (!resolution.keychainAvailable)
                    statusBar()->showMessage(tr("No keychain available: secrets come from the "
                                                "environment"),
                                             8000);
                if (!resolution.missing.isEmpty()) {
                    m_banner->setText(tr("<b>Cannot launch:</b> %1")
                                              .arg(Run::missingSecretsMessage(resolution.missing)
                                                           .toHtmlEscaped()));
                    m_banner->show();
                    return;
                }
                options.environment = resolution.environment;
                proceed(runSpec, options);
            });
}

AgentImage *MainWindow::agentImage() const
{
    return m_agentImage;
}

bool MainWindow::buildAgentImage(std::function<void()> then)
{
    const std::optional<AgentSpec> agent = m_launchPanel->agent();
    DockerClient *client = m_monitor->client();
    if (!agent || !client)
        return false;
    if (m_agentImage
        && (m_agentImage->state() == AgentImage::State::Checking
            || m_agentImage->state() == AgentImage::State::Building)) {
        statusBar()->showMessage(tr("An image is being built already."), 5000);
        return true;
    }
    if (m_agentImage)
        m_agentImage->deleteLater();
    m_agentImage = new AgentImage(client, *agent, this);
    if (!m_buildDock) {
        m_buildPane = new BuildPane;
        m_buildDock = new QDockWidget(tr("Image Build"), this);
        m_buildDock->setObjectName(QStringLiteral("buildDock"));
        m_buildDock->setWidget(m_buildPane);
        addDockWidget(Qt::BottomDockWidgetArea, m_buildDock);
    }
    m_buildPane->setAgentImage(m_agentImage);
    AgentImage *image = m_agentImage;
    // Shown only when there is something to watch: a tag that exists launches at once.
    connect(image, &AgentImage::buildStarted, this, [this] {
        m_buildDock->show();
        m_buildDock->raise();
    });
    connect(image, &AgentImage::finished, this, [this, image, then](const Result<void> &result) {
        if (!result) {
            m_buildDock->show();
            if (result.error().code != ImageBuild::kCancelled) {
                m_banner->setText(
                        tr("<b>Cannot launch:</b> %1").arg(result.errorString().toHtmlEscaped()));
                m_banner->show();
            }
            return;
        }
        if (image->wasBuilt())
            emit m_launchPanel->imagesRefreshRequested();
        if (then)
            then();
    });
    image->start();
    return true;
}

void MainWindow::startRun(const RunSpec &spec, const RunOptions &options)
{
    DockerClient *client = m_monitor->client();
    if (!client)
        return;
    auto *run = new Run(client, spec, options, this);
    if (m_historyOpen)
        run->setHistory(&m_history);
    run->start();
    if (!run->error().isEmpty()) {
        QMessageBox::warning(this, tr("Cannot launch"), run->error());
        run->deleteLater();
        return;
    }
    showRun(run);
}

SecretsDialog *MainWindow::showSecrets()
{
    if (!m_secretsDialog)
        m_secretsDialog = new SecretsDialog(m_secrets, this);
    m_secretsDialog->show();
    m_secretsDialog->raise();
    m_secretsDialog->activateWindow();
    return m_secretsDialog;
}

void MainWindow::showRun(Run *run, bool replay)
{
    if (m_run && m_run != run && m_run->isFinished())
        m_run->deleteLater();
    m_run = run;
    QList<VariationPane *> panes;
    // Each pane keeps a bounded tail in memory (a coloured line costs ~0.5 KB); the transcript
    // on disk stays complete. More panes, shorter tails.
    const int count = int(run->variations().size());
    const qsizetype maxLines = count <= 2 ? 100000 : count <= 4 ? 50000 : 20000;
    for (VariationRunner *runner : run->variations()) {
        auto *pane = new VariationPane;
        pane->view()->buffer()->setMaxLines(maxLines);
        pane->setRunner(runner, replay);
        pane->setStatsSampler(run->statsSampler(int(panes.size())));
        pane->view()->setWrapLines(m_wrap);
        pane->view()->setShowTimestamps(m_timestamps);
        if (m_fontSize > 0)
            pane->view()->setFontPointSize(m_fontSize);
        connect(pane, &VariationPane::stopRequested, runner, &VariationRunner::cancel);
        connect(pane->view(), &OutputView::fontSizeChanged, this, [this](qreal size) {
            if (int(size) != m_fontSize)
                setFontSize(int(size));
        });
        connect(pane->view(), &OutputView::matchesChanged, this, &MainWindow::updateFindCount);
        panes.append(pane);
    }
    m_panes->setPanes(panes);
    connect(run, &Run::variationStateChanged, this, [this] {
        updateRunStatus();
        updateActions();
    });
    connect(run, &Run::finished, this, [this, run] {
        updateRunStatus();
        updateActions();
        // Someone who switched away while the agents worked hears how it went.
        if (!isActiveWindow())
            m_notifier->notifyRunFinished(run);
    });
    const QString name = run->spec().name.isEmpty() ? run->spec().image : run->spec().name;
    m_runHeader->setText(
            tr("<b>%1</b> &nbsp;·&nbsp; run %2 &nbsp;·&nbsp; %n variation(s) &nbsp;·&nbsp; <span "
               "style='color:gray'>%3</span>",
               nullptr,
               int(run->variations().size()))
                    .arg(name.toHtmlEscaped(), run->id(), run->directory().toHtmlEscaped()));
    m_runHeader->show();
    updateRunStatus();
    updateActions();
}

void MainWindow::stopAll()
{
    if (m_run)
        m_run->cancel();
}

void MainWindow::rerun()
{
    if (!m_run || !m_run->isFinished())
        return;
    m_launchPanel->setSpec(m_run->spec());
    launch();
}

HistoryDialog *MainWindow::showHistory()
{
    if (!m_historyOpen) {
        QMessageBox::warning(this,
                             tr("Run History"),
                             tr("The run history at %1 could not be opened.")
                                     .arg(QDir::toNativeSeparators(HistoryDb::defaultPath())));
        return nullptr;
    }
    if (!m_historyDialog) {
        m_historyDialog = new HistoryDialog(&m_history, this);
        connect(m_historyDialog, &HistoryDialog::exportRequested, this, &MainWindow::exportRun);
        connect(m_historyDialog, &HistoryDialog::openRequested, this, &MainWindow::openRecordedRun);
        connect(m_historyDialog, &HistoryDialog::compareRequested, this, &MainWindow::showCompare);
        connect(m_historyDialog,
                &HistoryDialog::rerunRequested,
                this,
                [this](const QJsonObject &json) {
                    const Result<RunSpec> spec = RunSpec::fromJson(QJsonDocument(json).toJson());
                    if (!spec) {
                        QMessageBox::warning(this, tr("Re-run"), spec.errorString());
                        return;
                    }
                    m_launchPanel->setSpec(*spec);
                    activateWindow();
                    launch();
                });
    } else {
        m_historyDialog->reload();
    }
    m_historyDialog->show();
    m_historyDialog->raise();
    m_historyDialog->activateWindow();
    return m_historyDialog;
}

RunViewer *MainWindow::openRecordedRun(const QString &folder, double speed)
{
    auto *viewer = new RunViewer(this);
    viewer->setAttribute(Qt::WA_DeleteOnClose);
    if (Result<void> opened = viewer->open(folder, speed); !opened) {
        delete viewer;
        QMessageBox::warning(m_historyDialog && m_historyDialog->isVisible()
                                     ? static_cast<QWidget *>(m_historyDialog)
                                     : this,
                             tr("Open Recorded Run"),
                             opened.errorString());
        return nullptr;
    }
    connect(viewer, &RunViewer::compareRequested, this, &MainWindow::showCompare);
    connect(viewer, &RunViewer::exportRequested, this, &MainWindow::exportRun);
    viewer->show();
    return viewer;
}

CompareWindow *MainWindow::showCompare(const QString &folder)
{
    auto *window = new CompareWindow(history(), this);
    window->setAttribute(Qt::WA_DeleteOnClose);
    if (Result<void> opened = window->open(folder); !opened) {
        delete window;
        QMessageBox::warning(this, tr("Compare Variations"), opened.errorString());
        return nullptr;
    }
    connect(window, &CompareWindow::winnerChanged, this, [this] {
        if (m_historyDialog)
            m_historyDialog->reload();
    });
    window->show();
    return window;
}

void MainWindow::exportRun(const QString &folder)
{
    QWidget *parent = m_historyDialog && m_historyDialog->isVisible()
                              ? static_cast<QWidget *>(m_historyDialog)
                              : this;
    ExportDialog dialog(folder, parent);
    if (dialog.exec() != QDialog::Accepted)
        return;
    const auto fail = [parent](const QString &text) {
        QMessageBox::warning(parent, tr("Export Run"), text);
    };
    RunExporter exporter;
    if (const Result<void> opened = exporter.open(folder); !opened)
        return fail(opened.errorString());
    // QSaveFile: a failed export never leaves a truncated file in place of a good one.
    QSaveFile out(dialog.outputPath());
    if (!out.open(QIODevice::WriteOnly))
        return fail(tr("Cannot write %1: %2")
                            .arg(QDir::toNativeSeparators(out.fileName()), out.errorString()));
    if (const Result<void> written = exporter.write(dialog.format(), &out); !written)
        return fail(written.errorString());
    if (!out.commit())
        return fail(tr("Cannot write %1: %2")
                            .arg(QDir::toNativeSeparators(out.fileName()), out.errorString()));
    statusBar()->showMessage(
            tr("Exported to %1").arg(QDir::toNativeSeparators(dialog.outputPath())), 8000);
}

void MainWindow::updateRunStatus()
{
    if (!m_run) {
        m_runStatus->clear();
        return;
    }
    int running = 0, succeeded = 0, failed = 0;
    for (const VariationRunner *v : m_run->variations()) {
        if (!isFinal(v->state()))
            ++running;
        else if (v->state() == VariationState::Exited && v->exitCode() == 0)
            ++succeeded;
        else
            ++failed;
    }
    QStringList parts;
    if (running)
        parts << tr("%1 running").arg(running);
    if (succeeded)
        parts << tr("%1 succeeded").arg(succeeded);
    if (failed)
        parts << tr("%1 did not succeed").arg(failed);
    m_runStatus->setText((m_run->isFinished() ? tr("Run finished: ") : tr("Running: "))
                         + parts.join(QStringLiteral(", ")));
}

void MainWindow::onDockerHealth()
{
    const QString endpoint = m_monitor->endpointText();
    switch (m_monitor->health()) {
    case DockerMonitor::Health::Healthy:
        m_dockerStatus->setText(
                QStringLiteral("<span style='color:#1e9e5a'>●</span> %1 · %2")
                        .arg(m_monitor->message().toHtmlEscaped(), endpoint.toHtmlEscaped()));
        m_banner->hide();
        if (m_launchPanel)
            emit m_launchPanel->imagesRefreshRequested();
        break;
    case DockerMonitor::Health::Unreachable:
        m_dockerStatus->setText(QStringLiteral("<span style='color:#d03b3b'>●</span> %1")
                                        .arg(tr("Docker unreachable — retrying")));
        m_banner->setText(
                tr("<b>Docker is not reachable.</b> %1<br>Start the Docker daemon (for example "
                   "<code>sudo systemctl start docker</code>) or set <code>DOCKER_HOST</code> to "
                   "its "
                   "socket. Parallax keeps retrying every few seconds.")
                        .arg(m_monitor->message().toHtmlEscaped()));
        m_banner->show();
        break;
    case DockerMonitor::Health::Unknown:
        m_dockerStatus->setText(tr("Connecting to %1…").arg(endpoint.toHtmlEscaped()));
        break;
    }
    m_dockerStatus->setToolTip(endpoint);
}

void MainWindow::tick()
{
    for (VariationPane *pane : m_panes->panes())
        pane->tick();
}

void MainWindow::setFontSize(int points)
{
    if (points != 0)
        points = qBound(6, points, 40);
    m_fontSize = points;
    for (VariationPane *pane : m_panes->panes())
        pane->view()->setFontPointSize(points);
}

void MainWindow::startFind(bool allPanes)
{
    m_findAll = allPanes;
    m_findPane = nullptr;
    m_findBar->setScopeText(allPanes ? tr("All panes") : tr("Focused pane"));
    m_findBar->activate();
}

void MainWindow::findInPanes(bool backwards)
{
    const QString text = m_findBar->text();
    QList<VariationPane *> targets;
    if (m_findAll) {
        targets = m_panes->panes();
    } else {
        for (VariationPane *pane : m_panes->panes()) {
            if (pane->isAncestorOf(QApplication::focusWidget()) || targets.isEmpty())
                targets = {pane};
        }
    }
    for (VariationPane *pane : m_panes->panes()) {
        OutputView *view = pane->view();
        if (!targets.contains(pane)) {
            view->setFindPattern(QString(), false, false);
            continue;
        }
        view->setFindPattern(text, m_findBar->isRegex(), m_findBar->isCaseSensitive());
    }
    // Step through the matches of one pane, then on into the next pane that has any, so that
    // Enter walks every match across all panes in order.
    QList<VariationPane *> withMatches;
    for (VariationPane *pane : targets) {
        if (pane->view()->matchCount() > 0)
            withMatches.append(pane);
    }
    if (!withMatches.isEmpty()) {
        int at = int(withMatches.indexOf(m_findPane));
        if (at < 0) {
            m_findPane = withMatches.first();
            backwards ? m_findPane->view()->findPrevious() : m_findPane->view()->findNext();
        } else {
            OutputView *view = m_findPane->view();
            const int current = view->currentMatchIndex();
            const bool atEdge = current < 0 ? false
                                : backwards ? current == 0
                                            : current == view->matchCount() - 1;
            if (atEdge && withMatches.size() > 1) {
                at = (at + (backwards ? -1 : 1) + int(withMatches.size()))
                     % int(withMatches.size());
                m_findPane = withMatches[at];
                OutputView *next = m_findPane->view();
                next->selectMatch(backwards ? next->matchCount() - 1 : 0);
            } else {
                backwards ? view->findPrevious() : view->findNext();
            }
        }
    }
    updateFindCount();
}

void MainWindow::updateFindCount()
{
    int total = 0, panesWithMatches = 0;
    for (VariationPane *pane : m_panes->panes()) {
        const int count = pane->view()->matchCount();
        total += count;
        panesWithMatches += count > 0;
    }
    m_findBar->setResult(total, panesWithMatches);
}

void MainWindow::showAbout()
{
    QMessageBox box(this);
    box.setWindowTitle(tr("About Parallax"));
    box.setIconPixmap(windowIcon().pixmap(64, 64));
    box.setText(tr("<h3>Parallax %1</h3><p>Run AI coding agents side by side in Docker and watch "
                   "every variation "
                   "stream live.</p><p>Docker: %2<br>Qt %3</p>")
                        .arg(QStringLiteral(PARALLAX_VERSION),
                             m_monitor->endpointText().toHtmlEscaped(),
                             QString::fromLatin1(qVersion())));
    box.exec();
}

void MainWindow::resumeUnfinishedRuns(const QString &runsDirectory, bool show)
{
    DockerClient *client = m_monitor->client();
    if (!client)
        return;
    QDirIterator it(
            runsDirectory, {QStringLiteral("run.json")}, QDir::Files, QDirIterator::Subdirectories);
    QList<QPair<QDateTime, QString>> unfinished;
    while (it.hasNext()) {
        const QString path = it.next();
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            continue;
        const QJsonObject record = QJsonDocument::fromJson(file.readAll()).object();
        if (record.value(QLatin1String("state")).toString() != QLatin1String("running"))
            continue;
        unfinished.append(
                {QDateTime::fromString(record.value(QLatin1String("started_at")).toString(),
                                       Qt::ISODateWithMs),
                 QFileInfo(path).absolutePath()});
    }
    std::sort(unfinished.begin(), unfinished.end());
    for (const auto &[started, dir] : unfinished) {
        // Keychain values too, so the rest of the transcripts is masked as the start was.
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        if (const Result<QJsonObject> record = readRunJson(dir)) {
            QStringList names;
            const QJsonArray secrets = record->value(QLatin1String("spec"))
                                               .toObject()
                                               .value(QLatin1String("secrets"))
                                               .toArray();
            for (const QJsonValue &name : secrets)
                names << name.toString();
            if (!names.isEmpty())
                environment = m_secrets->resolveBlocking(names, environment).environment;
        }
        Result<Run *> run = Run::resume(client, dir, this, environment);
        if (!run)
            continue;
        if (m_historyOpen)
            (*run)->setHistory(&m_history);
        (*run)->start();
        if (!(*run)->error().isEmpty()) { // another process records it
            (*run)->deleteLater();
            continue;
        }
        m_background.append(*run);
        if (show)
            showRun(*run, true); // the most recent one ends up on screen; the others continue
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_run && !m_run->isFinished()) {
        const auto answer = QMessageBox::question(
                this,
                tr("A run is in progress"),
                tr("Stop every variation of the current run and quit?\n\nChoose No to quit and "
                   "leave the containers running; "
                   "Parallax picks the run up again the next time it starts."),
                QMessageBox::Yes | QMessageBox::No | QMessageBox::Cancel,
                QMessageBox::Cancel);
        if (answer == QMessageBox::Cancel) {
            event->ignore();
            return;
        }
        if (answer == QMessageBox::Yes) {
            m_run->cancel();
            QEventLoop loop;
            connect(m_run, &Run::finished, &loop, &QEventLoop::quit);
            QTimer::singleShot(20000, &loop, &QEventLoop::quit);
            if (!m_run->isFinished())
                loop.exec();
        }
    }
    writeSettings();
    event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (urls.size() == 1 && urls.first().isLocalFile()
        && urls.first().toLocalFile().endsWith(QLatin1String(".json")))
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent *event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && openSpec(urls.first().toLocalFile()))
        event->acceptProposedAction();
}

void MainWindow::readSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1400, 860);
    restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
    const QByteArray splitter = settings.value(QStringLiteral("window/splitter")).toByteArray();
    if (!splitter.isEmpty())
        m_splitter->restoreState(splitter);
    const auto layout = PaneArea::Layout(
            settings.value(QStringLiteral("view/layout"), int(PaneArea::Layout::Auto)).toInt());
    m_panes->setLayoutMode(layout);
    for (QAction *action : m_layoutGroup->actions())
        action->setChecked(action->data().toInt() == int(layout));
    m_fontSize = settings.value(QStringLiteral("view/fontSize"), 0).toInt();
    m_wrapAction->setChecked(settings.value(QStringLiteral("view/wrap"), false).toBool());
    m_timestampsAction->setChecked(
            settings.value(QStringLiteral("view/timestamps"), false).toBool());
}

void MainWindow::writeSettings()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("view/layout"), int(m_panes->layoutMode()));
    settings.setValue(QStringLiteral("view/fontSize"), m_fontSize);
    settings.setValue(QStringLiteral("view/wrap"), m_wrap);
    settings.setValue(QStringLiteral("view/timestamps"), m_timestamps);
}

} // namespace Parallax

#include "runviewer.h"

#include "outputview.h"
#include "panearea.h"
#include "variationpane.h"

#include "run/runfolder.h"
#include "run/variationmodel.h"
#include "run/variationstate.h"
#include "transcript/transcriptreplayer.h"

#include <QComboBox>
#include <QDateTime>
#include <QDir>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QStyle>
#include <QToolButton>
#include <QVBoxLayout>

namespace Parallax {

RunViewer::RunViewer(QWidget *parent)
    : QWidget(parent, Qt::Window)
    , m_replayer(new TranscriptReplayer(this))
{
    resize(1200, 760);

    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::RichText);

    m_speed = new QComboBox(this);
    for (const double speed : speeds())
        m_speed->addItem(speed == 0 ? tr("Instant") : tr("Replay %1×").arg(speed), speed);
    m_speed->setToolTip(tr("Show the recorded output at once, or replay it on its recorded clock "
                           "so the variations race as they did"));
    connect(m_speed, &QComboBox::activated, this, [this] {
        setSpeed(m_speed->currentData().toDouble());
    });

    const auto button
            = [this](const QString &text, const QString &tip, QStyle::StandardPixmap icon) {
                  auto *b = new QToolButton(this);
                  b->setText(text);
                  b->setToolTip(tip);
                  b->setIcon(style()->standardIcon(icon));
                  b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
                  b->setAutoRaise(true);
                  return b;
              };
    m_play = button(tr("Pause"), tr("Pause or resume the replay (Space)"), QStyle::SP_MediaPause);
    m_play->setShortcut(Qt::Key_Space);
    m_restart
            = button(tr("Restart"), tr("Replay from the beginning"), QStyle::SP_MediaSkipBackward);
    m_toEnd = button(tr("Skip to End"), tr("Show everything now"), QStyle::SP_MediaSkipForward);
    connect(m_play, &QToolButton::clicked, this, &RunViewer::togglePlaying);
    connect(m_restart, &QToolButton::clicked, this, &RunViewer::restart);
    connect(m_toEnd, &QToolButton::clicked, this, &RunViewer::skipToEnd);
    m_position = new QLabel(this);
    m_position->setToolTip(tr("Replay position, in recorded time"));
    m_position->setMinimumWidth(
            m_position->fontMetrics().horizontalAdvance(QStringLiteral("00:00:00")));

    auto *compare = new QPushButton(tr("&Compare…"), this);
    compare->setToolTip(tr("Compare the variations: summary, side-by-side output, changes"));
    connect(compare, &QPushButton::clicked, this, [this] { emit compareRequested(m_folder); });
    auto *exportButton = new QPushButton(tr("&Export…"), this);
    connect(exportButton, &QPushButton::clicked, this, [this] { emit exportRequested(m_folder); });

    auto *bar = new QHBoxLayout;
    bar->addWidget(m_title, 1);
    bar->addWidget(m_speed);
    bar->addWidget(m_play);
    bar->addWidget(m_restart);
    bar->addWidget(m_toEnd);
    bar->addWidget(m_position);
    bar->addSpacing(12);
    bar->addWidget(compare);
    bar->addWidget(exportButton);

    m_panes = new PaneArea(this);
    connect(m_panes, &PaneArea::layoutChanged, this, [this] {
        for (VariationPane *pane : m_panes->panes())
            pane->tick();
    });

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(m_panes, 1);

    connect(m_replayer,
            &TranscriptReplayer::chunkReady,
            this,
            [this](int source, StreamType stream, const QByteArray &data, qint64 msecs) {
                const QList<VariationPane *> panes = m_panes->panes();
                if (source < panes.size())
                    panes[source]->appendOutput(stream, data, msecs);
            });
    connect(m_replayer, &TranscriptReplayer::sourceFinished, this, [this](int source) {
        const QList<VariationPane *> panes = m_panes->panes();
        if (source < panes.size()) {
            panes[source]->view()->buffer()->finish(QDateTime::currentMSecsSinceEpoch());
            panes[source]->finishOutput();
            panes[source]->setReplaying(false);
        }
    });
    connect(m_replayer, &TranscriptReplayer::finished, this, [this] {
        for (VariationPane *pane : m_panes->panes())
            pane->setReplaying(false);
        updateControls();
        emit replayFinished();
    });
    m_tick.setInterval(200);
    connect(&m_tick, &QTimer::timeout, this, &RunViewer::updateControls);
}

RunViewer::~RunViewer() = default;

QList<VariationPane *> RunViewer::panes() const
{
    return m_panes->panes();
}

Result<void> RunViewer::open(const QString &folder, double speed)
{
    const Result<QJsonObject> read = readRunJson(folder);
    if (!read)
        return read.error();
    const Result<QList<RecordedVariation>> variations = readRunVariations(*read, folder);
    if (!variations)
        return variations.error();
    m_folder = QDir(folder).absolutePath();
    const QJsonObject record = *read;
    m_name = record.value(QLatin1String("name")).toString();
    const QString id = record.value(QLatin1String("run_id")).toString();
    const QDateTime started = QDateTime::fromString(
            record.value(QLatin1String("started_at")).toString(), Qt::ISODateWithMs);
    m_title->setText(tr("<b>%1</b> &nbsp;<span style='color:gray'>%2 · %3</span>")
                             .arg(m_name.toHtmlEscaped(),
                                  id.toHtmlEscaped(),
                                  QLocale().toString(started.toLocalTime(), QLocale::ShortFormat)));
    setWindowTitle(tr("%1 — Recorded Run — Parallax").arg(m_name));

    QList<VariationPane *> panes;
    QStringList problems;
    m_transcripts.clear();
    for (const RecordedVariation &v : *variations) {
        VariationPane::Recorded r;
        r.name = v.name;
        r.state = stateFromName(v.state);
        r.exitCode = v.exitCode.value_or(-1);
        r.durationMs = v.durationMs;
        r.error = v.error;
        r.logPath = v.logPath;
        r.runDir = m_folder;
        m_transcripts.append(v.transcriptPath);
        problems += v.problems;
        auto *pane = new VariationPane;
        pane->setRecorded(r);
        connect(pane, &VariationPane::maximiseToggled, this, [this, pane] {
            m_panes->toggleMaximised(pane);
        });
        connect(pane, &VariationPane::moveRequested, this, [this, pane](int delta) {
            m_panes->movePane(pane, delta);
        });
        panes.append(pane);
    }
    m_panes->setPanes(panes);
    // File names run.json gave that were not followed are said where the run is named.
    if (!problems.isEmpty())
        m_title->setText(m_title->text() + QStringLiteral(" — ")
                         + problems.join(QLatin1Char(' ')).toHtmlEscaped());
    m_speed->setCurrentIndex(qMax(0, m_speed->findData(speed)));
    start();
    return {};
}

void RunViewer::start()
{
    const QList<VariationPane *> panes = m_panes->panes();
    for (VariationPane *pane : panes) {
        pane->clearOutput();
        pane->setReplaying(true);
    }
    if (Result<void> opened = m_replayer->open(m_transcripts); !opened) {
        m_title->setText(m_title->text() + QStringLiteral(" — ")
                         + opened.errorString().toHtmlEscaped());
        for (VariationPane *pane : panes)
            pane->setReplaying(false);
        return;
    }
    m_replayer->setSpeed(m_speed->currentData().toDouble());
    m_replayer->play();
    m_tick.start();
    updateControls();
}

double RunViewer::speed() const
{
    return m_speed->currentData().toDouble();
}

void RunViewer::setSpeed(double speed)
{
    m_speed->setCurrentIndex(qMax(0, m_speed->findData(speed)));
    m_replayer->setSpeed(speed);
    updateControls();
}

void RunViewer::restart()
{
    start();
}

void RunViewer::togglePlaying()
{
    if (m_replayer->isFinished())
        return;
    if (m_replayer->isPlaying())
        m_replayer->pause();
    else
        m_replayer->play();
    updateControls();
}

void RunViewer::skipToEnd()
{
    m_replayer->skipToEnd();
    updateControls();
}

bool RunViewer::isReplaying() const
{
    return !m_replayer->isFinished();
}

void RunViewer::updateControls()
{
    const bool finished = m_replayer->isFinished();
    const bool playing = m_replayer->isPlaying();
    m_play->setEnabled(!finished);
    m_toEnd->setEnabled(!finished);
    m_play->setText(playing || finished ? tr("Pause") : tr("Play"));
    m_play->setIcon(style()->standardIcon(playing || finished ? QStyle::SP_MediaPause
                                                              : QStyle::SP_MediaPlay));
    m_position->setText(VariationModel::formatDuration(m_replayer->positionMs()));
    for (VariationPane *pane : m_panes->panes())
        pane->tick();
    if (finished)
        m_tick.stop();
}

} // namespace Parallax

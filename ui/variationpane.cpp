#include "variationpane.h"

#include "outputview.h"
#include "statebadge.h"
#include "statsplot.h"
#include "structuredview.h"

#include "run/variationmodel.h"
#include "run/variationrunner.h"
#include "transcript/transcriptreader.h"
#include "util/clock.h"

#include <QButtonGroup>
#include <QDateTime>
#include <QDesktopServices>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenu>
#include <QPainter>
#include <QStyle>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace Parallax {

// A stop square in the palette's text colour: the style's own icon is black, and vanishes on a
// dark palette.
static QIcon stopIcon(const QPalette &palette)
{
    QIcon icon;
    for (const QPalette::ColorGroup group : {QPalette::Active, QPalette::Disabled}) {
        QPixmap pixmap(32, 32);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(Qt::NoPen);
        QColor color = palette.color(group, QPalette::WindowText);
        if (group == QPalette::Disabled)
            color.setAlphaF(0.35f);
        painter.setBrush(color);
        painter.drawRoundedRect(QRectF(8, 8, 16, 16), 3, 3);
        painter.end();
        icon.addPixmap(pixmap, group == QPalette::Active ? QIcon::Normal : QIcon::Disabled);
    }
    return icon;
}

VariationPane::VariationPane(QWidget *parent)
    : QFrame(parent)
{
    setFrameShape(QFrame::StyledPanel);
    setMinimumSize(280, 180);

    m_header = new QWidget(this);
    m_header->setAutoFillBackground(true);
    m_header->setBackgroundRole(QPalette::AlternateBase);
    m_header->installEventFilter(this);
    m_header->setToolTip(tr("Double-click to maximise or restore"));

    m_name = new QLabel(m_header);
    QFont bold = m_name->font();
    bold.setBold(true);
    m_name->setFont(bold);
    m_badge = new StateBadge(m_header);
    m_elapsed = new QLabel(QStringLiteral("0:00"), m_header);
    m_elapsed->setToolTip(tr("Elapsed time"));
    m_lines = new QLabel(m_header);
    m_lines->setToolTip(tr("Lines received"));
    for (QLabel *label : {m_elapsed, m_lines})
        label->setForegroundRole(QPalette::PlaceholderText);
    m_stats = new StatsPlot(m_header);
    m_stats->hide();

    // Raw | Structured, shown once stdout is recognised as an agent event stream.
    m_viewSwitch = new QWidget(m_header);
    auto *switchLayout = new QHBoxLayout(m_viewSwitch);
    switchLayout->setContentsMargins(0, 0, 0, 0);
    switchLayout->setSpacing(0);
    auto *switchGroup = new QButtonGroup(m_viewSwitch);
    for (QToolButton **button : {&m_rawButton, &m_structuredButton}) {
        *button = new QToolButton(m_viewSwitch);
        (*button)->setCheckable(true);
        (*button)->setAutoRaise(true);
        switchGroup->addButton(*button);
        switchLayout->addWidget(*button);
    }
    m_rawButton->setText(tr("Raw"));
    m_rawButton->setToolTip(tr("The output as the agent printed it"));
    m_rawButton->setChecked(true);
    m_structuredButton->setText(tr("Structured"));
    m_structuredButton->setToolTip(
            tr("The agent's events: messages, thinking, tool calls with results, totals"));
    connect(m_rawButton, &QToolButton::clicked, this, [this] {
        m_viewChosen = true;
        setStructured(false);
    });
    connect(m_structuredButton, &QToolButton::clicked, this, [this] {
        m_viewChosen = true;
        setStructured(true);
    });
    m_viewSwitch->hide();

    m_stop = new QToolButton(m_header);
    m_stop->setIcon(stopIcon(palette()));
    m_stop->setToolTip(tr("Stop this variation"));
    m_stop->setAutoRaise(true);
    connect(m_stop, &QToolButton::clicked, this, &VariationPane::stopRequested);

    m_menuButton = new QToolButton(m_header);
    m_menuButton->setText(QStringLiteral("⋯"));
    m_menuButton->setAutoRaise(true);
    m_menuButton->setPopupMode(QToolButton::InstantPopup);
    m_menuButton->setToolTip(tr("More actions"));
    auto *menu = new QMenu(m_menuButton);
    menu->addAction(tr("Copy"), this, [this] { m_view->copy(); });
    menu->addAction(tr("Copy All"), this, [this] { m_view->copyAll(); });
    menu->addSeparator();
    menu->addAction(tr("Open Full Transcript"), this, &VariationPane::openTranscript);
    menu->addAction(tr("Show Run Folder"), this, &VariationPane::showFolder);
    menu->addSeparator();
    menu->addAction(tr("Maximise / Restore"), this, &VariationPane::maximiseToggled);
    menu->addAction(tr("Move Earlier"), this, [this] { emit moveRequested(-1); });
    menu->addAction(tr("Move Later"), this, [this] { emit moveRequested(1); });
    m_menuButton->setMenu(menu);

    auto *headerLayout = new QHBoxLayout(m_header);
    headerLayout->setContentsMargins(8, 4, 4, 4);
    headerLayout->setSpacing(8);
    headerLayout->addWidget(m_name);
    headerLayout->addWidget(m_badge);
    headerLayout->addStretch(1);
    headerLayout->addWidget(m_viewSwitch);
    headerLayout->addWidget(m_stats);
    headerLayout->addWidget(m_lines);
    headerLayout->addWidget(m_elapsed);
    headerLayout->addWidget(m_stop);
    headerLayout->addWidget(m_menuButton);

    m_view = new OutputView(this);
    connect(m_view, &OutputView::openTranscriptRequested, this, &VariationPane::openTranscript);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(1, 1, 1, 1);
    layout->setSpacing(0);
    layout->addWidget(m_header);
    layout->addWidget(m_view, 1);

    m_structured = new StructuredView(this);
    m_structured->hide();
    layout->addWidget(m_structured, 1);
    connect(m_structured,
            &StructuredView::formatChanged,
            this,
            &VariationPane::onStreamFormatChanged);
}

void VariationPane::appendOutput(StreamType stream, const QByteArray &bytes, qint64 receiptMsecs)
{
    m_view->appendOutput(stream, bytes, receiptMsecs);
    if (stream == StreamType::Stdout)
        m_structured->appendStdout(bytes);
}

void VariationPane::clearOutput()
{
    m_view->clear();
    m_structured->clear();
}

void VariationPane::finishOutput()
{
    m_structured->finish();
}

bool VariationPane::isStructuredAvailable() const
{
    return m_structured->model()->isEventStream();
}

bool VariationPane::isStructured() const
{
    return m_structured->isVisibleTo(this);
}

void VariationPane::setStructured(bool structured)
{
    structured = structured && isStructuredAvailable();
    m_rawButton->setChecked(!structured);
    m_structuredButton->setChecked(structured);
    if (structured == isStructured())
        return;
    // Hide first, so the layout never holds both.
    (structured ? static_cast<QWidget *>(m_view) : m_structured)->hide();
    (structured ? static_cast<QWidget *>(m_structured) : m_view)->show();
}

// An agent event stream switches the pane to Structured, unless the user has picked a view.
void VariationPane::onStreamFormatChanged()
{
    const bool available = isStructuredAvailable();
    m_viewSwitch->setVisible(available);
    if (!available)
        setStructured(false);
    else if (!m_viewChosen)
        setStructured(true);
}

void VariationPane::setStatsSampler(StatsSampler *sampler)
{
    m_stats->setSampler(sampler);
    m_stats->setVisible(sampler != nullptr);
}

QString VariationPane::name() const
{
    if (m_runner)
        return m_runner->name();
    return m_recorded ? m_recorded->name : QString();
}

void VariationPane::setRecorded(const Recorded &record)
{
    if (m_runner)
        m_runner->disconnect(this);
    m_runner = nullptr;
    m_recorded = record;
    clearOutput();
    m_name->setText(record.name);
    m_stop->hide();
    m_elapsed->setText(VariationModel::formatDuration(record.durationMs));
    setReplaying(false);
}

void VariationPane::setReplaying(bool replaying)
{
    m_replaying = replaying;
    if (!m_recorded)
        return;
    if (replaying) {
        m_badge->setState(VariationState::Running, -1);
        m_badge->setToolTip(tr("Replaying the recorded output"));
    } else {
        m_badge->setState(m_recorded->state, m_recorded->exitCode);
        m_badge->setToolTip(m_recorded->error.isEmpty() ? m_badge->text() : m_recorded->error);
    }
    tick();
}

void VariationPane::setRunner(VariationRunner *runner, bool replay)
{
    if (m_runner)
        m_runner->disconnect(this);
    m_runner = runner;
    m_recorded.reset();
    m_stop->show();
    clearOutput();
    if (!runner)
        return;
    m_name->setText(runner->name());
    if (replay && !runner->transcriptPath().isEmpty()) {
        TranscriptReader reader;
        if (reader.open(runner->transcriptPath())) {
            TranscriptChunk chunk;
            while (reader.next(&chunk)) {
                appendOutput(chunk.stream, chunk.data, parseRfc3339Msecs(chunk.time).value_or(0));
            }
        }
    }
    connect(runner,
            &VariationRunner::outputReceived,
            this,
            [this](StreamType stream, const QByteArray &data) {
                appendOutput(stream, data, QDateTime::currentMSecsSinceEpoch());
            });
    connect(runner, &VariationRunner::stateChanged, this, &VariationPane::updateState);
    connect(runner, &VariationRunner::reconnectingChanged, this, [this](bool reconnecting) {
        m_reconnecting = reconnecting;
        updateState();
    });
    updateState();
    tick();
}

void VariationPane::updateState()
{
    if (!m_runner)
        return;
    m_badge->setState(m_runner->state(), m_runner->exitCode(), m_reconnecting);
    const QString detail = m_runner->error().isEmpty() ? m_runner->note() : m_runner->error();
    m_badge->setToolTip(detail.isEmpty() ? m_badge->text() : detail);
    m_stop->setEnabled(!isFinal(m_runner->state()));
    if (isFinal(m_runner->state()))
        m_structured->finish();
    tick();
}

void VariationPane::tick()
{
    if (!m_runner) {
        if (m_recorded) {
            const qint64 lines = m_view->buffer()->totalLinesSeen();
            m_lines->setText(tr("%n line(s)", nullptr, int(qMin<qint64>(lines, INT_MAX))));
        }
        return;
    }
    m_elapsed->setText(VariationModel::formatDuration(m_runner->durationMs()));
    const qint64 lines = m_runner->lines(StreamType::Stdout) + m_runner->lines(StreamType::Stderr);
    m_lines->setText(tr("%n line(s)", nullptr, int(qMin<qint64>(lines, INT_MAX))));
}

void VariationPane::setMaximised(bool maximised)
{
    m_header->setToolTip(maximised ? tr("Double-click to restore the grid")
                                   : tr("Double-click to maximise"));
}

void VariationPane::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        m_stop->setIcon(stopIcon(palette()));
    QFrame::changeEvent(event);
}

bool VariationPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_header && event->type() == QEvent::MouseButtonDblClick) {
        emit maximiseToggled();
        return true;
    }
    return QFrame::eventFilter(watched, event);
}

void VariationPane::openTranscript()
{
    const QString path
            = m_runner ? m_runner->logPath() : (m_recorded ? m_recorded->logPath : QString());
    if (!path.isEmpty())
        QDesktopServices::openUrl(QUrl::fromLocalFile(path));
}

void VariationPane::showFolder()
{
    const QString dir
            = m_runner ? m_runner->launch().runDir : (m_recorded ? m_recorded->runDir : QString());
    if (!dir.isEmpty())
        QDesktopServices::openUrl(QUrl::fromLocalFile(dir));
}

} // namespace Parallax

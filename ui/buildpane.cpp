#include "buildpane.h"

#include "agents/agentimage.h"
#include "docker/buildprogress.h"
#include "docker/imagebuild.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollBar>
#include <QVBoxLayout>

namespace Parallax {

BuildPane::BuildPane(QWidget *parent)
    : QWidget(parent)
{
    m_title = new QLabel;
    m_title->setObjectName(QStringLiteral("buildTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_status = new QLabel;
    m_status->setObjectName(QStringLiteral("buildStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("buildProgress"));
    m_progress->setRange(0, 0); // busy until the first step says how many there are
    m_progress->setTextVisible(true);
    m_cancel = new QPushButton(tr("Cancel"));
    m_cancel->setObjectName(QStringLiteral("buildCancel"));
    m_cancel->setToolTip(tr("Stop the build: the daemon stops the current step and removes "
                            "its container"));
    m_cancel->setEnabled(false);
    connect(m_cancel, &QPushButton::clicked, this, [this] {
        emit cancelRequested();
        if (m_image)
            m_image->cancel();
    });
    m_output = new QPlainTextEdit;
    m_output->setObjectName(QStringLiteral("buildOutput"));
    m_output->setReadOnly(true);
    m_output->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_output->setMaximumBlockCount(kMaxLines);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *top = new QHBoxLayout;
    top->addWidget(m_title, 1);
    top->addWidget(m_progress, 1);
    top->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    layout->addLayout(top);
    layout->addWidget(m_status);
    layout->addWidget(m_output, 1);

    // A short idle flush: a flood of lines paints a few times a second, a trickle at once.
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(50);
    connect(&m_flushTimer, &QTimer::timeout, this, &BuildPane::flush);
}

void BuildPane::setAgentImage(AgentImage *image)
{
    if (m_image)
        m_image->disconnect(this);
    m_image = image;
    m_pending.clear();
    m_output->clear();
    m_progress->setRange(0, 0);
    m_progress->setFormat(QString());
    m_cancel->setEnabled(image != nullptr);
    if (!image)
        return;
    QString tag = image->tag();
    if (tag.isEmpty()) {
        const Result<AgentBuildContext> context = image->context();
        tag = context ? context->tag : image->spec().name;
    }
    m_title->setText(tr("<b>Image</b> %1").arg(tag.toHtmlEscaped()));
    m_status->setText(tr("Looking for the image…"));
    connect(image, &AgentImage::buildStarted, this, &BuildPane::onBuildStarted);
    connect(image, &AgentImage::finished, this, [this](const Result<void> &result) {
        onFinished(result.ok(),
                   !result.ok() && result.error().code == ImageBuild::kCancelled,
                   result.errorString());
    });
    if (image->build())
        onBuildStarted(image->build());
}

void BuildPane::onBuildStarted(ImageBuild *build)
{
    m_title->setText(tr("<b>Building</b> %1").arg(build->tag().toHtmlEscaped()));
    m_status->setText(tr("Sending the build context to Docker…"));
    BuildProgress *progress = build->progress();
    connect(progress, &BuildProgress::lineReceived, this, [this](const QString &line) {
        m_pending.append(line);
        if (!m_flushTimer.isActive())
            m_flushTimer.start();
    });
    connect(progress,
            &BuildProgress::stepChanged,
            this,
            [this](int step, int steps, const QString &line) {
                m_progress->setRange(0, steps);
                m_progress->setValue(step - 1); // the current step is under way
                m_progress->setFormat(tr("Step %1/%2").arg(step).arg(steps));
                m_status->setText(line);
            });
}

void BuildPane::onFinished(bool ok, bool cancelled, const QString &error)
{
    flush();
    m_cancel->setEnabled(false);
    if (ok) {
        const bool built = m_image && m_image->wasBuilt();
        m_progress->setRange(0, 1);
        m_progress->setValue(1);
        m_progress->setFormat(built ? tr("Built") : tr("Up to date"));
        m_status->setText(built ? tr("Built; launching.")
                                : tr("The image exists already; launching."));
    } else {
        m_progress->setRange(0, 1);
        m_progress->setValue(0);
        m_progress->setFormat(cancelled ? tr("Cancelled") : tr("Failed"));
        m_status->setText(cancelled ? tr("The build was cancelled; nothing was launched.") : error);
    }
}

void BuildPane::flush()
{
    if (m_pending.isEmpty())
        return;
    QScrollBar *bar = m_output->verticalScrollBar();
    const bool atBottom = bar->value() >= bar->maximum() - 2;
    m_output->appendPlainText(m_pending.join(QLatin1Char('\n')));
    m_pending.clear();
    if (atBottom)
        bar->setValue(bar->maximum());
}

QString BuildPane::statusText() const
{
    return m_status->text();
}

QString BuildPane::outputText() const
{
    return m_output->toPlainText();
}

int BuildPane::progressValue() const
{
    return m_progress->value();
}

QString BuildPane::progressText() const
{
    return m_progress->text();
}

bool BuildPane::isCancelEnabled() const
{
    return m_cancel->isEnabled();
}

} // namespace Parallax

#include "pulldialog.h"

#include "docker/imagepull.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QGridLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QScrollArea>
#include <QVBoxLayout>

namespace Parallax {

static constexpr int kFlushMs = 80;

PullDialog::PullDialog(DockerClient *client, const QString &image, QWidget *parent)
    : QDialog(parent)
    , m_pull(new ImagePull(client, image, this))
{
    setObjectName(QStringLiteral("pullDialog"));
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Pull %1").arg(image));
    setMinimumWidth(560);

    m_heading = new QLabel(tr("Pulling <b>%1</b>").arg(image.toHtmlEscaped()));
    m_statusLine = new QLabel;
    m_statusLine->setObjectName(QStringLiteral("pullStatusLine"));
    m_statusLine->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_overall = new QProgressBar;
    m_overall->setObjectName(QStringLiteral("pullOverall"));
    m_overall->setRange(0, 1000);
    m_overall->setFormat(tr("%p% overall"));

    auto *layersWidget = new QWidget;
    m_layers = new QGridLayout(layersWidget);
    m_layers->setContentsMargins(0, 0, 0, 0);
    m_layers->setColumnStretch(1, 1);
    m_layers->setRowStretch(1000, 1);
    auto *scroll = new QScrollArea;
    scroll->setWidget(layersWidget);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumHeight(160);

    m_result = new QLabel;
    m_result->setObjectName(QStringLiteral("pullResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_result->hide();

    m_buttons = new QDialogButtonBox;
    m_cancel = m_buttons->addButton(tr("Cancel Pull"), QDialogButtonBox::RejectRole);
    m_cancel->setObjectName(QStringLiteral("pullCancel"));
    m_retry = m_buttons->addButton(tr("Retry"), QDialogButtonBox::ActionRole);
    m_retry->setObjectName(QStringLiteral("pullRetry"));
    m_close = m_buttons->addButton(QDialogButtonBox::Close);
    m_close->setObjectName(QStringLiteral("pullClose"));
    connect(m_buttons, &QDialogButtonBox::rejected, this, &PullDialog::reject);
    connect(m_retry, &QPushButton::clicked, this, &PullDialog::start);
    connect(m_close, &QPushButton::clicked, this, &QDialog::accept);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_heading);
    layout->addWidget(m_overall);
    layout->addWidget(m_statusLine);
    layout->addWidget(scroll, 1);
    layout->addWidget(m_result);
    layout->addWidget(m_buttons);

    m_flush.setSingleShot(true);
    m_flush.setInterval(kFlushMs);
    connect(&m_flush, &QTimer::timeout, this, &PullDialog::sync);
    const auto schedule = [this] {
        if (!m_flush.isActive())
            m_flush.start();
    };
    PullProgress *progress = m_pull->progress();
    connect(progress, &QAbstractItemModel::rowsInserted, this, schedule);
    connect(progress, &QAbstractItemModel::dataChanged, this, schedule);
    connect(progress, &QAbstractItemModel::modelReset, this, schedule);
    connect(progress, &PullProgress::statusLineChanged, this, schedule);
    connect(m_pull, &ImagePull::finished, this, &PullDialog::onFinished);
    start();
}

QString PullDialog::resultText() const
{
    return m_result->text();
}

void PullDialog::start()
{
    m_result->hide();
    m_cancel->show();
    m_retry->hide();
    m_close->hide();
    m_overall->setValue(0);
    m_pull->start();
    sync();
}

void PullDialog::sync()
{
    const PullProgress *progress = m_pull->progress();
    const QList<PullProgress::Layer> &layers = progress->layers();
    while (m_rows.size() > layers.size()) {
        const Row row = m_rows.takeLast();
        delete row.id;
        delete row.bar;
        delete row.status;
    }
    const QFont fixed = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    while (m_rows.size() < layers.size()) {
        const int r = int(m_rows.size());
        Row row{new QLabel, new QProgressBar, new QLabel};
        row.id->setFont(fixed);
        row.bar->setRange(0, 1000);
        row.bar->setTextVisible(false);
        row.status->setMinimumWidth(row.status->fontMetrics().horizontalAdvance(
                QStringLiteral("Downloading 999.9 MB / 999.9 MB")));
        m_layers->addWidget(row.id, r, 0);
        m_layers->addWidget(row.bar, r, 1);
        m_layers->addWidget(row.status, r, 2);
        m_rows.append(row);
    }
    for (int i = 0; i < layers.size(); ++i) {
        const PullProgress::Layer &layer = layers[i];
        m_rows[i].id->setText(layer.id);
        m_rows[i].bar->setValue(int(layer.fraction * 1000));
        m_rows[i].status->setText(PullProgress::describe(layer));
    }
    m_overall->setValue(int(progress->overall() * 1000));
    m_statusLine->setText(progress->statusLine());
}

void PullDialog::onFinished(const Result<void> &result)
{
    m_flush.stop();
    sync();
    m_cancel->hide();
    m_close->show();
    m_result->show();
    switch (m_pull->state()) {
    case ImagePull::State::Succeeded:
        m_overall->setValue(1000);
        m_result->setText(tr("%1 is ready.").arg(m_pull->reference()));
        m_close->setDefault(true);
        break;
    case ImagePull::State::Cancelled:
        m_result->setText(tr("Pull cancelled. Nothing was changed; Retry starts it again."));
        m_retry->show();
        break;
    default:
        m_result->setText(result.errorString());
        m_result->setStyleSheet(QStringLiteral("color: #b3261e;"));
        m_retry->show();
        break;
    }
    emit pullEnded(result);
}

void PullDialog::reject()
{
    // Escape or the window's close button while pulling cancels, as Cancel does; the dialog
    // stays to say so.
    if (m_pull->state() == ImagePull::State::Pulling) {
        m_pull->cancel();
        return;
    }
    QDialog::reject();
}

} // namespace Parallax

#include "exportdialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace Parallax {

namespace {

const QList<RunExporter::Format> &allFormats()
{
    static const QList<RunExporter::Format> formats{RunExporter::Format::Markdown,
                                                    RunExporter::Format::Html,
                                                    RunExporter::Format::Json,
                                                    RunExporter::Format::Text};
    return formats;
}

QString fileFilter(RunExporter::Format format)
{
    switch (format) {
    case RunExporter::Format::Markdown:
        return ExportDialog::tr("Markdown (*.md)");
    case RunExporter::Format::Html:
        return ExportDialog::tr("HTML (*.html)");
    case RunExporter::Format::Json:
        return ExportDialog::tr("JSON (*.json)");
    case RunExporter::Format::Text:
        return ExportDialog::tr("Text (*.txt)");
    }
    return {};
}

} // namespace

ExportDialog::ExportDialog(const QString &runFolder, QWidget *parent)
    : QDialog(parent)
{
    setWindowTitle(tr("Export Run"));
    m_runName = QFileInfo(runFolder).fileName();
    if (m_runName.isEmpty())
        m_runName = QStringLiteral("run");

    m_format = new QComboBox(this);
    m_format->setObjectName(QStringLiteral("formatCombo"));
    m_format->addItem(tr("Markdown — readable, with fenced transcripts"),
                      int(RunExporter::Format::Markdown));
    m_format->addItem(tr("HTML — one self-contained page, colours kept"),
                      int(RunExporter::Format::Html));
    m_format->addItem(tr("JSON — machine-readable, every byte"), int(RunExporter::Format::Json));
    m_format->addItem(tr("Text — plain, escapes stripped"), int(RunExporter::Format::Text));

    m_path = new QLineEdit(this);
    m_path->setObjectName(QStringLiteral("pathEdit"));
    m_path->setMinimumWidth(360);
    auto *browse = new QPushButton(tr("Browse…"), this);
    browse->setObjectName(QStringLiteral("browseButton"));
    auto *pathRow = new QHBoxLayout;
    pathRow->addWidget(m_path, 1);
    pathRow->addWidget(browse);

    m_hint = new QLabel(
            tr("Run folder: %1").arg(QDir::toNativeSeparators(runFolder).toHtmlEscaped()), this);
    m_hint->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_hint->setWordWrap(true);
    QPalette hintPalette = m_hint->palette();
    hintPalette.setColor(QPalette::WindowText,
                         hintPalette.color(QPalette::Disabled, QPalette::WindowText));
    m_hint->setPalette(hintPalette);

    auto *form = new QFormLayout;
    form->addRow(tr("&Format:"), m_format);
    form->addRow(tr("&Save to:"), pathRow);
    qobject_cast<QLabel *>(form->labelForField(pathRow))->setBuddy(m_path);

    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("&Export"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_hint);
    layout->addStretch(1);
    layout->addWidget(m_buttons);

    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty() || !QFileInfo(dir).isDir())
        dir = QDir::homePath();
    m_path->setText(QDir(dir).filePath(m_runName + QLatin1Char('.')
                                       + suffixFor(RunExporter::Format::Markdown)));

    connect(m_format, &QComboBox::currentIndexChanged, this, &ExportDialog::onFormatChanged);
    connect(m_path, &QLineEdit::textChanged, this, &ExportDialog::updateOk);
    connect(browse, &QPushButton::clicked, this, &ExportDialog::browse);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    updateOk();
}

RunExporter::Format ExportDialog::format() const
{
    return RunExporter::Format(m_format->currentData().toInt());
}

void ExportDialog::setFormat(RunExporter::Format format)
{
    m_format->setCurrentIndex(m_format->findData(int(format)));
}

QString ExportDialog::outputPath() const
{
    return m_path->text().trimmed();
}

void ExportDialog::setOutputPath(const QString &path)
{
    m_path->setText(path);
}

QString ExportDialog::suffixFor(RunExporter::Format format)
{
    switch (format) {
    case RunExporter::Format::Markdown:
        return QStringLiteral("md");
    case RunExporter::Format::Html:
        return QStringLiteral("html");
    case RunExporter::Format::Json:
        return QStringLiteral("json");
    case RunExporter::Format::Text:
        return QStringLiteral("txt");
    }
    return {};
}

void ExportDialog::onFormatChanged()
{
    // Only a suffix this dialog would have chosen is replaced: "notes.log" stays as typed.
    const QString path = outputPath();
    const QString wanted = suffixFor(format());
    if (path.isEmpty())
        return;
    const QFileInfo info(path);
    const QString suffix = info.suffix().toLower();
    bool ours = suffix.isEmpty();
    for (RunExporter::Format f : allFormats())
        ours = ours || suffix == suffixFor(f);
    if (!ours || suffix == wanted)
        return;
    const QString base = suffix.isEmpty() ? path : path.left(path.size() - suffix.size() - 1);
    m_path->setText(base + QLatin1Char('.') + wanted);
}

void ExportDialog::browse()
{
    const QString chosen = QFileDialog::getSaveFileName(
            this, tr("Export Run"), outputPath(), fileFilter(format()));
    if (chosen.isEmpty())
        return;
    m_path->setText(QFileInfo(chosen).suffix().isEmpty()
                            ? chosen + QLatin1Char('.') + suffixFor(format())
                            : chosen);
}

void ExportDialog::updateOk()
{
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!outputPath().isEmpty());
}

} // namespace Parallax

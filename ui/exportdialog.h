#pragma once

#include "export/runexporter.h"

#include <QDialog>

class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;

namespace Parallax {

// Asks how to export one run folder: the format (Markdown, HTML, JSON, text) and the file to
// write. The file name's suffix follows the format as long as it is one this dialog chose. The
// export itself is the caller's (RunExporter). GUI thread.
class ExportDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ExportDialog(const QString &runFolder, QWidget *parent = nullptr);

    RunExporter::Format format() const;
    void setFormat(RunExporter::Format format);
    QString outputPath() const;
    void setOutputPath(const QString &path);

    // "md", "html", "json", "txt"
    static QString suffixFor(RunExporter::Format format);

private:
    void onFormatChanged();
    void browse();
    void updateOk();

    QComboBox *m_format = nullptr;
    QLineEdit *m_path = nullptr;
    QLabel *m_hint = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QString m_runName;
};

} // namespace Parallax

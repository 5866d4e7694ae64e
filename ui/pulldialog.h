#pragma once

#include "util/result.h"

#include <QDialog>
#include <QList>
#include <QTimer>

class QDialogButtonBox;
class QGridLayout;
class QLabel;
class QProgressBar;
class QPushButton;

namespace Parallax {

class DockerClient;
class ImagePull;

// Pulls one image and shows it: a progress bar per layer with its status ("Downloading
// 12.0 MB / 24.0 MB", "Extracting", "Pull complete"), an overall bar, the daemon's status
// line, and Cancel, which stops the pull on the daemon; afterwards Close, or Retry after a
// failure or a cancel. Widgets are brought up to date on a short timer, not per message.
// Non-modal; deletes itself when closed. GUI thread.
class PullDialog : public QDialog
{
    Q_OBJECT
public:
    PullDialog(DockerClient *client, const QString &image, QWidget *parent = nullptr);

    ImagePull *pull() const { return m_pull; }
    QString resultText() const; // what the status label says once the pull ended

signals:
    // The pull ended (done, failed or cancelled): the local image list may have changed.
    void pullEnded(const Parallax::Result<void> &result);

protected:
    void reject() override;

private:
    void start();
    void sync();
    void onFinished(const Result<void> &result);

    struct Row
    {
        QLabel *id;
        QProgressBar *bar;
        QLabel *status;
    };

    ImagePull *m_pull;
    QLabel *m_heading;
    QLabel *m_statusLine;
    QProgressBar *m_overall;
    QGridLayout *m_layers;
    QLabel *m_result;
    QDialogButtonBox *m_buttons;
    QPushButton *m_cancel;
    QPushButton *m_retry;
    QPushButton *m_close;
    QList<Row> m_rows;
    QTimer m_flush;
};

} // namespace Parallax

#pragma once

#include <QPointer>
#include <QStringList>
#include <QTimer>
#include <QWidget>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;

namespace Parallax {

class AgentImage;
class ImageBuild;

// Shows one agent image while Parallax makes it: a title with the tag, a progress bar that
// reads "Step 3/9", the builder's output and a Cancel button. Output lines are queued and
// appended on a short timer (never one widget update per line), and the view keeps the last
// kMaxLines. Follows an AgentImage from start() to finished(); owned by the main window's build
// dock; GUI thread.
class BuildPane : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kMaxLines = 5000;

    explicit BuildPane(QWidget *parent = nullptr);

    // Follows `image` (not owned); an earlier one is let go.
    void setAgentImage(AgentImage *image);
    AgentImage *agentImage() const { return m_image; }

    QString statusText() const;
    QString outputText() const; // what the output view holds
    int progressValue() const;
    QString progressText() const;
    bool isCancelEnabled() const;

signals:
    void cancelRequested();

private:
    void onBuildStarted(ImageBuild *build);
    void onFinished(bool ok, bool cancelled, const QString &error);
    void flush();

    QPointer<AgentImage> m_image;
    QLabel *m_title = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_progress = nullptr;
    QPlainTextEdit *m_output = nullptr;
    QPushButton *m_cancel = nullptr;
    QStringList m_pending;
    QTimer m_flushTimer;
};

} // namespace Parallax

#pragma once

#include "util/result.h"

#include <QTimer>
#include <QWidget>

class QComboBox;
class QLabel;
class QToolButton;

namespace Parallax {

class PaneArea;
class TranscriptReplayer;
class VariationPane;

// A window over a recorded run: one pane per variation, filled from the transcripts at once
// (Instant) or in a time-aligned replay at 1×, 4× or 16× in which the variations race each other
// as they did. Play/pause, restart and skip to the end; Compare and Export act on the run's
// folder through signals. Never talks to Docker. GUI thread; deletes itself when closed if the
// owner sets Qt::WA_DeleteOnClose.
class RunViewer : public QWidget
{
    Q_OBJECT
public:
    explicit RunViewer(QWidget *parent = nullptr);
    ~RunViewer() override;

    // Opens the run folder and starts showing it at `speed` (0: everything at once).
    Result<void> open(const QString &folder, double speed = 0);
    QString folder() const { return m_folder; }
    QString runName() const { return m_name; }

    double speed() const;
    void setSpeed(double speed); // 0, 1, 4 or 16; keeps the replay position
    void restart();              // from the beginning, at the current speed
    void togglePlaying();
    void skipToEnd();
    bool isReplaying() const; // output is still being delivered

    PaneArea *paneArea() const { return m_panes; }
    TranscriptReplayer *replayer() const { return m_replayer; }
    QList<VariationPane *> panes() const;

    static QList<double> speeds() { return {0, 1, 4, 16}; }

signals:
    void compareRequested(const QString &folder);
    void exportRequested(const QString &folder);
    void replayFinished();

private:
    void start();
    void updateControls();

    QString m_folder;
    QString m_name;
    QStringList m_transcripts;
    PaneArea *m_panes = nullptr;
    TranscriptReplayer *m_replayer = nullptr;
    QLabel *m_title = nullptr;
    QComboBox *m_speed = nullptr;
    QToolButton *m_play = nullptr;
    QToolButton *m_restart = nullptr;
    QToolButton *m_toEnd = nullptr;
    QLabel *m_position = nullptr;
    QTimer m_tick;
};

} // namespace Parallax

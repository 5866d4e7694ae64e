#pragma once

#include "run/variationrunner.h"
#include "run/variationstate.h"

#include <QFrame>
#include <QPointer>

#include <optional>

class QLabel;
class QToolButton;
class QWidget;

namespace Parallax {

class OutputView;
class StateBadge;
class StatsPlot;
class StatsSampler;
class StructuredView;
class VariationRunner;

// One variation's pane: a header (name, state badge, elapsed time, line count, stop button,
// actions) over its live output view. A view over a VariationRunner; never talks to Docker.
class VariationPane : public QFrame
{
    Q_OBJECT
public:
    explicit VariationPane(QWidget *parent = nullptr);

    // With `replay`, the output already recorded in the runner's transcript is shown first (a
    // resumed run), then live output follows.
    void setRunner(VariationRunner *runner, bool replay = false);
    VariationRunner *runner() const { return m_runner; }

    // A pane over a recorded variation (a past run, opened or replayed): the header comes from
    // the record, the output is appended by the owner through view(); there is nothing to stop.
    struct Recorded
    {
        QString name;
        VariationState state = VariationState::Exited;
        int exitCode = -1;
        qint64 durationMs = 0;
        QString error;
        QString logPath; // the plain-text transcript, for "Open Full Transcript"
        QString runDir;
    };
    void setRecorded(const Recorded &record);
    // While replaying, the badge says "running" until the owner says the replay has ended.
    void setReplaying(bool replaying);
    OutputView *view() const { return m_view; }
    // Output for both views: the raw OutputView, and the structured view's event parser (stdout).
    // Owners of recorded panes append through here so the Structured switch works for them too.
    void appendOutput(StreamType stream, const QByteArray &bytes, qint64 receiptMsecs);
    void clearOutput();
    void finishOutput(); // the stream ended (a replay reached its end)
    // The structured view of an agent event stream; the header's Raw | Structured switch shows
    // once stdout is recognised as one (docs/structured-view.md).
    StructuredView *structuredView() const { return m_structured; }
    bool isStructuredAvailable() const;
    bool isStructured() const;
    void setStructured(bool structured);
    // Shows the variation's live CPU and memory plots in the header (null: hides them).
    void setStatsSampler(StatsSampler *sampler);
    StatsPlot *statsPlot() const { return m_stats; }
    QString name() const;
    // Updates the ticking parts of the header (elapsed time, lines).
    void tick();
    void setMaximised(bool maximised);

signals:
    void stopRequested();
    void maximiseToggled();
    void moveRequested(int delta); // -1 earlier, +1 later

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    void updateState();
    void openTranscript();
    void showFolder();
    void onStreamFormatChanged();

    QPointer<VariationRunner> m_runner;
    QWidget *m_header = nullptr;
    QLabel *m_name = nullptr;
    StateBadge *m_badge = nullptr;
    QLabel *m_elapsed = nullptr;
    QLabel *m_lines = nullptr;
    StatsPlot *m_stats = nullptr;
    QToolButton *m_stop = nullptr;
    QToolButton *m_menuButton = nullptr;
    OutputView *m_view = nullptr;
    StructuredView *m_structured = nullptr;
    QWidget *m_viewSwitch = nullptr;
    QToolButton *m_rawButton = nullptr;
    QToolButton *m_structuredButton = nullptr;
    bool m_viewChosen = false; // the user picked Raw or Structured: no automatic switch
    bool m_reconnecting = false;
    std::optional<Recorded> m_recorded;
    bool m_replaying = false;
};

} // namespace Parallax

#pragma once

#include "compare/aligneddiff.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QSplitter;

namespace Parallax {

class OutputView;
class TerminalBuffer;

// Two texts side by side in synchronised panes with a line diff: rows aligned by content (equal
// lines level, gaps where one side has nothing) or by time, removed lines tinted red on the
// left, added lines green on the right, gaps shaded. The panes scroll together; next/previous
// difference step through the changed stretches. Built on OutputView, so ANSI colours,
// selection, copy, zoom and find work as in a live pane. GUI thread.
class SideBySideView : public QWidget
{
    Q_OBJECT
public:
    explicit SideBySideView(QWidget *parent = nullptr);
    ~SideBySideView() override;

    // Compares what the two buffers hold (they are copied; they need not outlive the call).
    // startMsecs: each side's time zero for time alignment (-1: its first line).
    void setTexts(const TerminalBuffer &left,
                  const QString &leftTitle,
                  const TerminalBuffer &right,
                  const QString &rightTitle,
                  AlignedDiff::Align align,
                  qint64 leftStartMsecs = -1,
                  qint64 rightStartMsecs = -1);
    void clear(const QString &message = QString());

    const AlignedDiff &diff() const { return m_diff; }
    int differenceCount() const { return int(m_diff.differences().size()); }
    int currentDifference() const { return m_current; } // -1 before the first step
    void nextDifference();
    void previousDifference();
    void goToDifference(int index);
    // "3 lines removed, 5 added, 120 the same", or "Identical".
    QString summaryText() const;

    OutputView *leftView() const { return m_left; }
    OutputView *rightView() const { return m_right; }

signals:
    void differencesChanged(int current, int count);

protected:
    void changeEvent(QEvent *event) override;

private:
    void fill(const TerminalBuffer &left, const TerminalBuffer &right);
    void updateTints();
    qint64 anchorRow() const;

    AlignedDiff m_diff;
    QLabel *m_leftTitle = nullptr;
    QLabel *m_rightTitle = nullptr;
    QLabel *m_message = nullptr;
    QSplitter *m_splitter = nullptr;
    OutputView *m_left = nullptr;
    OutputView *m_right = nullptr;
    TerminalBuffer *m_leftBuffer = nullptr;
    TerminalBuffer *m_rightBuffer = nullptr;
    int m_current = -1;
    qint64 m_topAtStep = -1; // the view's top line after the last step (-1: moved since)
    bool m_syncing = false;
};

} // namespace Parallax

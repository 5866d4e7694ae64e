#pragma once

#include "agents/eventstreammodel.h"

#include <QByteArray>
#include <QSet>
#include <QTimer>
#include <QWidget>

class QLabel;
class QListView;

namespace Parallax {

class StructuredItemDelegate;

// The structured view of a variation whose stdout is an agent event stream (Claude Code
// stream-json, Codex exec --json): assistant text formatted, thinking collapsed, tool calls
// collapsible with their input and result (edits as coloured diffs, shown open), errors
// highlighted, and the token/cost totals under the list. A QListView over an EventStreamModel
// with a painting delegate: rows are laid out from their own height, text documents are made
// only for rows on screen (and cached, bounded).
//
// Stdout goes in through appendStdout() as it arrives; it is parsed on the frame timer (an
// idle timer restarted per chunk plus a cap timer that is not, as in OutputView), so a flood
// costs one parse and one insert per frame, and a recorded transcript poured in at once is one
// pass. While following, the list stays at the bottom. docs/structured-view.md. GUI thread.
class StructuredView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int IdleMsecs = 8;
    static constexpr int CapMsecs = 50;

    explicit StructuredView(QWidget *parent = nullptr);
    ~StructuredView() override;

    void appendStdout(const QByteArray &bytes);
    void finish(); // the stream ended: a last line without newline is parsed
    void clear();
    void flush(); // parses what is queued now (the frame timer does this by itself)

    EventStreamModel *model() const { return m_model; }
    QListView *listView() const { return m_list; }
    QString totalsText() const;

    // Thinking starts collapsed; tool calls start collapsed unless they carry a diff or failed.
    bool isExpanded(int row) const;
    void setExpanded(int row, bool expanded);
    void setAllExpanded(bool expanded);

signals:
    void formatChanged(EventStreamFormat format);

protected:
    void showEvent(QShowEvent *event) override;

private:
    void scheduleFlush();
    void updateTotals();
    void onRowsInserted();
    void contextMenu(const QPoint &pos);

    EventStreamModel *m_model = nullptr;
    QListView *m_list = nullptr;
    StructuredItemDelegate *m_delegate = nullptr;
    QLabel *m_totals = nullptr;
    QByteArray m_queued;
    bool m_finishQueued = false;
    QTimer m_idleTimer;
    QTimer m_capTimer;
    QSet<int> m_toggled; // rows whose expansion differs from their kind's default
};

} // namespace Parallax

#pragma once

#include "text/terminalbuffer.h"
#include "util/streamtype.h"

#include <QAbstractScrollArea>
#include <QColor>
#include <QFont>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QTimer>
#include <QVarLengthArray>

#include <array>
#include <functional>

class QMenu;
class QToolButton;

namespace Parallax {

// One pane's live terminal output: a TerminalBuffer painted line by line. A custom
// QAbstractScrollArea, not QPlainTextEdit, because a pane must take a flood of 10000 lines/s
// (16 panes at once) without freezing: it paints only the visible rows, never lays out the
// whole text, and repaints at most once per frame however many chunks arrived (an idle timer
// restarted per append plus a cap timer that is not, like Konsole's bufferedUpdate).
//
// It follows the output while scrolled to the bottom; scrolling up pauses that and shows a
// "N new lines" button that resumes it (so does End). Colours come from the widget's palette,
// so light and dark themes both work. docs/output-view.md describes the design. GUI thread.
class OutputView : public QAbstractScrollArea
{
    Q_OBJECT

public:
    static constexpr int MaxMatches = 100000;

    explicit OutputView(QWidget *parent = nullptr);
    ~OutputView() override;

    // The text shown. By default the view owns a buffer; setBuffer() shows another one (not
    // owned; it must outlive the view or be set back to nullptr, which restores the own one).
    TerminalBuffer *buffer() const { return m_buffer; }
    void setBuffer(TerminalBuffer *buffer);
    // Appends to the buffer and schedules a repaint on the frame timer.
    void appendOutput(StreamType stream, const QByteArray &bytes, qint64 receiptMsecs);
    void clear();

    bool wrapLines() const { return m_wrap; }
    void setWrapLines(bool wrap);
    bool showTimestamps() const { return m_showTimestamps; }
    void setShowTimestamps(bool show);

    QFont textFont() const { return m_fonts[0]; }
    qreal fontPointSize() const;
    qreal defaultFontPointSize() const { return m_defaultPointSize; }
    void setFontPointSize(qreal pointSize);
    void zoomIn();
    void zoomOut();
    void resetZoom();

    // Following: the view stays at the bottom as output arrives.
    bool isFollowing() const { return m_following; }
    void followOutput();
    void scrollToTop();
    // Lines that arrived since following was paused (0 while following).
    qint64 newLinesWhilePaused() const;

    bool hasSelection() const;
    QString selectedText() const;
    void selectAll();
    void clearSelection();
    void copy() const;
    void copyAll() const; // every line held, as plain text

    // Highlights every match of the pattern (case-insensitive plain text unless asked), in
    // all lines as they arrive; at most MaxMatches are kept. The current match (-1: none yet)
    // is the one findNext()/findPrevious() stepped to.
    void setFindPattern(const QString &text, bool regex = false, bool caseSensitive = false);
    QString findPattern() const { return m_findPattern; }
    QString findError() const { return m_findError; }
    int matchCount() const { return int(m_matches.size()); }
    int currentMatchIndex() const { return m_currentMatch; }
    bool matchesCapped() const { return m_matchesCapped; }
    void findNext();
    void findPrevious();
    void selectMatch(int index); // makes match `index` current and scrolls to it

    // A background for whole lines, by line number (a comparison's removed/added/gap marks);
    // an invalid colour leaves the line as it is. Called while painting visible lines only.
    using LineTint = std::function<QColor(qint64 lineNumber)>;
    void setLineTint(LineTint tint);
    // Shows the line a third from the top and stops following (a comparison's next difference).
    void scrollToLine(qint64 lineNumber);
    // The line number at the top of the view, and how many rows fit on screen.
    qint64 topLine() const;
    int visibleRowCount() const { return visibleRows(); }

    // "N earlier lines are in the full transcript — open it", or empty if nothing was dropped.
    QString droppedLinesMarkerText() const;

    QSize sizeHint() const override;

signals:
    void fontSizeChanged(qreal pointSize);
    void followingChanged(bool following);
    void wrapLinesChanged(bool wrap);
    void showTimestampsChanged(bool show);
    void matchesChanged(int count, int current);
    void openTranscriptRequested();
    void findRequested(); // Ctrl+F in the view: the window opens its find bar

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    void applyScrollBarStyle();
    void keyPressEvent(QKeyEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseDoubleClickEvent(QMouseEvent *event) override;
    void contextMenuEvent(QContextMenuEvent *event) override;
    void scrollContentsBy(int dx, int dy) override;

private:
    // A row of the display: a line number (the dropped-lines marker is the line before the
    // buffer's first) and a wrapped row within that line.
    struct RowPos
    {
        qint64 line = 0;
        int row = 0;

        auto operator<=>(const RowPos &) const = default;
    };
    // A place in the text: line number and character index (up to the line's length).
    struct TextPos
    {
        qint64 line = 0;
        int index = 0;

        auto operator<=>(const TextPos &) const = default;
    };
    struct ViewMatch
    {
        qint64 line = 0;
        int start = 0;
        int length = 0;

        auto operator<=>(const ViewMatch &) const = default;
    };
    struct LineLayout;
    struct Colors
    {
        QColor base, text, stderrText, stderrBand, stderrMarker, gutterBg, gutterText, markerBg,
                markerText, match, currentMatch, currentMatchFrame, selection, selectionText,
                suffixText;
        std::array<QColor, 16> ansi;
        bool dark = false;
    };

    void
    onBufferChanged(qsizetype firstChangedLine, qsizetype linesAppended, qsizetype linesDropped);
    void onBufferCleared();
    void scheduleFrame();
    void flushFrame();
    void resetViewState();

    // Geometry
    void updateFontMetrics();
    int gutterWidth() const;
    int textLeft() const;
    int wrapColumns() const;
    int visibleRows() const;
    qint64 firstDisplayLine() const;
    qint64 endLine() const { return m_buffer->totalLinesSeen(); }
    bool isMarkerLine(qint64 line) const;
    const TerminalBuffer::Line *bufferLine(qint64 line) const;
    void layoutLine(const TerminalBuffer::Line &line, LineLayout *layout) const;
    int rowsOf(qint64 line) const;
    RowPos bottomAnchor() const;
    RowPos topAnchor() const;
    RowPos advance(RowPos pos, qint64 rows, qint64 *moved = nullptr) const;
    void scrollByRows(qint64 rows);
    void scrollToRow(RowPos pos);
    void updateScrollBars();
    void onVerticalScrollBarChanged(int value);
    void pauseFollowing();
    void setFollowing(bool following);
    void updateNewLinesButton();

    // Painting
    void updateColors();
    QColor resolveColor(const TextColor &color) const;
    QColor readable(const QColor &fg, const QColor &bg) const;
    void
    paintLine(QPainter &painter, qint64 lineNo, const LineLayout &layout, int firstRow, int *y);
    void paintMarkerRow(QPainter &painter, int y);
    const QFont &fontFor(bool bold, bool italic) const;

    // Selection and hit testing
    bool hitMarker(const QPoint &pos) const;
    TextPos textPosAt(const QPoint &pos) const;
    void extendSelection(const QPoint &pos);
    void dragScroll();
    std::pair<TextPos, TextPos> orderedSelection() const;

    // Find
    void rescanMatches();
    void updateMatches(qint64 appendedFrom, const QVarLengthArray<qint64, 4> &updatedLines);
    QList<ViewMatch> findInLines(qint64 fromLine, qint64 toLine, qsizetype limit) const;
    void stepMatch(int direction);
    void scrollToMatch(int index);
    void emitMatchesChangedIfNeeded();

    LineTint m_lineTint;
    TerminalBuffer *m_ownBuffer = nullptr;
    QPointer<TerminalBuffer> m_buffer;

    // Frame timing: the process's one FrameClock flushes every changed view together.
    friend class FrameClock;
    bool m_framePending = false; // queued on the FrameClock
    bool m_pending = false;
    qint64 m_pendingAppendedFrom = -1; // first new line number since the last frame, -1 none
    QVarLengthArray<qint64, 4> m_pendingUpdated; // older lines changed in place

    // Display options and metrics
    QFont m_fonts[4]; // regular, bold, italic, bold italic
    qreal m_defaultPointSize = 10;
    qreal m_charWidth = 8;
    int m_lineHeight = 16;
    int m_ascent = 12;
    int m_underlinePos = 2;
    int m_strikePos = 4;
    int m_lineWidth = 1;
    bool m_wrap = false;
    bool m_showTimestamps = false;
    Colors m_colors;
    mutable QHash<quint64, QRgb> m_readableCache;

    // Wrapped row counts of lines that are not single-width (those need measuring), per width
    struct RowCount
    {
        int columns = 0;
        qsizetype length = 0;
        int rows = 1;
    };
    mutable QHash<qint64, RowCount> m_rowCache;

    // Scrolling
    bool m_following = true;
    RowPos m_top; // while paused
    qint64 m_linesSeenAtPause = 0;
    bool m_syncingScrollBars = false;
    int m_scrollWheelAngle = 0; // remainders of wheel deltas that did not make a row yet
    int m_scrollWheelPixels = 0;
    int m_zoomWheelAngle = 0;
    QToolButton *m_newLinesButton = nullptr;

    // Selection
    TextPos m_selAnchor;
    TextPos m_selEnd;
    bool m_selecting = false;
    QPoint m_lastMousePos;
    QTimer m_dragScrollTimer;

    // Find
    QString m_findPattern;
    TerminalBuffer::FindFlags m_findFlags;
    QString m_findError;
    QList<ViewMatch> m_matches;
    int m_currentMatch = -1;
    bool m_matchesCapped = false;
    int m_reportedCount = 0;
    int m_reportedCurrent = -1;
};

} // namespace Parallax

#include "outputview.h"

#include "flatscrollbarstyle.h"
#include "text/xtermpalette.h"

#include <QApplication>
#include <QClipboard>
#include <QContextMenuEvent>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFontDatabase>
#include <QFontMetricsF>
#include <QKeyEvent>
#include <QLocale>
#include <QMenu>
#include <QMouseEvent>
#include <QPainter>
#include <QPointer>
#include <QScrollBar>
#include <QStyleHints>
#include <QToolButton>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace Parallax {

namespace {

// The frame policy (see docs/output-view.md): paint soon after a trickle stops, and at least
// every CapMsecs during a flood.
constexpr int IdleMsecs = 5;
constexpr int CapMsecs = 16;
constexpr int DragScrollMsecs = 40;

constexpr qreal MinPointSize = 5;
constexpr qreal MaxPointSize = 72;
constexpr int TextPadding = 6;       // between the gutter (or edge) and the text
constexpr int StderrMarkerWidth = 3; // the red bar left of stderr lines
constexpr qreal MinContrast = 3.0;   // WCAG's minimum for large text; a floor, not a target

// Only so many wrapped-row counts of wide-character lines are kept.
constexpr qsizetype MaxRowCacheEntries = 20000;

QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t),
                            float(a.alphaF() + (b.alphaF() - a.alphaF()) * t));
}

QColor withAlpha(QColor color, int alpha)
{
    color.setAlpha(alpha);
    return color;
}

// WCAG relative luminance and contrast ratio.
double luminance(const QColor &c)
{
    const auto channel = [](double v) {
        return v <= 0.03928 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

double contrast(const QColor &a, const QColor &b)
{
    const double la = luminance(a);
    const double lb = luminance(b);
    return (qMax(la, lb) + 0.05) / (qMin(la, lb) + 0.05);
}

QColor rgb(quint32 value)
{
    return QColor::fromRgb(QRgb(0xff000000u | value));
}

// The 16 ANSI colours per theme. Programs pick them assuming a dark terminal more often than
// not; on a light base the same names need darker shades to stay readable. Whatever still
// falls short of MinContrast is adjusted when painting.
constexpr quint32 darkAnsi[16] = {0x3f4451,
                                  0xe06c75,
                                  0x98c379,
                                  0xe5c07b,
                                  0x61afef,
                                  0xc678dd,
                                  0x56b6c2,
                                  0xd7dae0,
                                  0x7f848e,
                                  0xff7a85,
                                  0xb5e890,
                                  0xffd68a,
                                  0x7cc3ff,
                                  0xde8ef0,
                                  0x6fd6e2,
                                  0xffffff};
constexpr quint32 lightAnsi[16] = {0x383a42,
                                   0xc8312b,
                                   0x2f8a2e,
                                   0x9a6a00,
                                   0x2f62d9,
                                   0xa626a4,
                                   0x0a7f99,
                                   0xe5e5e5,
                                   0x6b6e78,
                                   0xe0453a,
                                   0x3c9f3b,
                                   0xb38300,
                                   0x4a7ff0,
                                   0xbf3fbd,
                                   0x1493ad,
                                   0xffffff};

bool isWordChar(QChar c)
{
    // Paths and URLs are what one double-clicks in agent output.
    return c.isLetterOrNumber() || QStringView(u"_-.:/~@%+=#?&").contains(c);
}

} // namespace

// How one line is cut into rows and where each character sits. Lines whose characters all
// take one column (nearly all) need no per-character data: column == character index.
struct OutputView::LineLayout
{
    const TerminalBuffer::Line *line = nullptr;
    QString suffix; // the "… (N more characters)" of a truncated line
    int textLength = 0;
    int length = 0; // textLength + suffix
    bool simple = true;
    int columnsPerRow = 0; // 0: not wrapped
    int rows = 1;
    QVarLengthArray<int, 256> columns; // !simple: start column of each character, and the end
    QVarLengthArray<int, 8> rowStarts; // !simple and wrapped: first character of each row

    QChar charAt(int i) const
    {
        return i < textLength ? line->text.at(i) : suffix.at(i - textLength);
    }
    int column(int i) const { return simple ? i : columns[i]; }
    int rowStart(int r) const
    {
        if (r == 0 || columnsPerRow == 0)
            return 0;
        return simple ? qMin(r * columnsPerRow, length) : rowStarts[r];
    }
    int rowEnd(int r) const { return r + 1 >= rows ? length : rowStart(r + 1); }
    QString mid(int from, int to) const
    {
        if (to <= textLength)
            return line->text.mid(from, to - from);
        if (from >= textLength)
            return suffix.mid(from - textLength, to - from);
        return line->text.mid(from) + suffix.left(to - textLength);
    }
    // The character index at or after a column, within [from, to].
    int indexAtColumn(int col, int from, int to) const
    {
        if (simple)
            return qBound(from, col, to);
        const auto it = std::lower_bound(columns.begin() + from, columns.begin() + to, col);
        return int(it - columns.begin());
    }
};

// One frame clock for every OutputView of the process (GUI thread). The views that changed
// are flushed together, so a window of 32 streaming panes repaints once per frame instead of
// once per pane, and a change costs a clock reading instead of two timer restarts. The policy
// is the one each view had on its own (docs/output-view.md): paint IdleMsecs after the changes
// stop, and at least every CapMsecs while they go on.
class FrameClock : public QObject
{
public:
    static FrameClock *instance()
    {
        static QPointer<FrameClock> clock;
        if (!clock)
            clock = new FrameClock(QCoreApplication::instance());
        return clock;
    }

    void request(OutputView *view)
    {
        m_lastChangeNs = m_clock.nsecsElapsed();
        if (!view->m_framePending) {
            view->m_framePending = true;
            m_views.push_back(view);
        }
        if (!m_timer.isActive()) {
            m_firstChangeNs = m_lastChangeNs;
            m_timer.start(IdleMsecs);
        }
    }

    void cancel(OutputView *view)
    {
        if (!view->m_framePending)
            return;
        view->m_framePending = false;
        m_views.erase(std::remove(m_views.begin(), m_views.end(), view), m_views.end());
    }

private:
    explicit FrameClock(QObject *parent)
        : QObject(parent)
    {
        m_clock.start();
        m_timer.setSingleShot(true);
        m_timer.setTimerType(Qt::PreciseTimer);
        connect(&m_timer, &QTimer::timeout, this, &FrameClock::onTimeout);
    }

    void onTimeout()
    {
        const qint64 now = m_clock.nsecsElapsed();
        const qint64 due = std::min(m_lastChangeNs + IdleMsecs * qint64(1000000),
                                    m_firstChangeNs + CapMsecs * qint64(1000000));
        if (now < due) { // changes went on: wait for them to stop, or for the cap
            m_timer.start(int((due - now + 999999) / 1000000));
            return;
        }
        const std::vector<OutputView *> views = std::exchange(m_views, {});
        for (OutputView *view : views) {
            view->m_framePending = false;
            view->flushFrame();
        }
    }

    QElapsedTimer m_clock;
    QTimer m_timer;
    qint64 m_firstChangeNs = 0; // of the pending frame
    qint64 m_lastChangeNs = 0;
    std::vector<OutputView *> m_views;
};

OutputView::OutputView(QWidget *parent)
    : QAbstractScrollArea(parent)
{
    m_ownBuffer = new TerminalBuffer(this);
    setObjectName(QStringLiteral("outputView"));
    setAccessibleName(tr("Output"));
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_InputMethodEnabled, false);
    viewport()->setCursor(Qt::IBeamCursor);
    viewport()->setMouseTracking(true);
    viewport()->setAutoFillBackground(false);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    setVerticalScrollBarPolicy(Qt::ScrollBarAsNeeded);

    QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    font.setStyleHint(QFont::TypeWriter);
    font.setFixedPitch(true);
    font.setKerning(false);
    const QFontMetricsF probe(font);
    if (!qFuzzyCompare(probe.horizontalAdvance(QLatin1Char('i')),
                       probe.horizontalAdvance(QLatin1Char('M'))))
        font.setFamilies({QStringLiteral("monospace")}); // the platform's fixed font is not

    m_defaultPointSize = font.pointSizeF() > 0 ? font.pointSizeF() : 10;
    m_fonts[0] = font;
    updateFontMetrics();

    m_dragScrollTimer.setInterval(DragScrollMsecs);
    connect(&m_dragScrollTimer, &QTimer::timeout, this, &OutputView::dragScroll);

    applyScrollBarStyle();
    connect(verticalScrollBar(),
            &QScrollBar::valueChanged,
            this,
            &OutputView::onVerticalScrollBarChanged);

    m_newLinesButton = new QToolButton(viewport());
    m_newLinesButton->setObjectName(QStringLiteral("newLinesButton"));
    m_newLinesButton->setCursor(Qt::PointingHandCursor);
    m_newLinesButton->setToolTip(tr("Follow the output (End)"));
    m_newLinesButton->setFocusPolicy(Qt::NoFocus);
    m_newLinesButton->hide();
    connect(m_newLinesButton, &QToolButton::clicked, this, &OutputView::followOutput);

    updateColors();
    setBuffer(nullptr);
}

OutputView::~OutputView()
{
    if (m_framePending)
        FrameClock::instance()->cancel(this);
    // The own buffer is a child and dies after this object's members: it must not call back.
    if (m_buffer)
        disconnect(m_buffer, nullptr, this, nullptr);
    disconnect(m_ownBuffer, nullptr, this, nullptr);
}

QSize OutputView::sizeHint() const
{
    return {qRound(m_charWidth * 100), m_lineHeight * 30};
}

// --- Buffer and frame timing ---------------------------------------------------------------

void OutputView::setBuffer(TerminalBuffer *buffer)
{
    TerminalBuffer *next = buffer ? buffer : m_ownBuffer;
    if (m_buffer == next && m_buffer)
        return;
    if (m_buffer)
        disconnect(m_buffer, nullptr, this, nullptr);
    m_buffer = next;
    connect(m_buffer, &TerminalBuffer::changed, this, &OutputView::onBufferChanged);
    connect(m_buffer, &TerminalBuffer::cleared, this, &OutputView::onBufferCleared);
    connect(m_buffer, &QObject::destroyed, this, [this] {
        if (m_buffer.isNull())
            setBuffer(nullptr);
    });
    resetViewState();
}

void OutputView::appendOutput(StreamType stream, const QByteArray &bytes, qint64 receiptMsecs)
{
    m_buffer->append(stream, bytes, receiptMsecs); // onBufferChanged() schedules the frame
}

void OutputView::clear()
{
    m_buffer->clear();
}

void OutputView::onBufferCleared()
{
    resetViewState();
}

void OutputView::resetViewState()
{
    m_pending = false;
    m_pendingAppendedFrom = -1;
    m_pendingUpdated.clear();
    m_rowCache.clear();
    m_selAnchor = m_selEnd = {};
    m_following = true;
    m_top = {};
    m_linesSeenAtPause = 0;
    rescanMatches();
    updateScrollBars();
    updateNewLinesButton();
    viewport()->update();
    emitMatchesChangedIfNeeded();
}

void OutputView::onBufferChanged(qsizetype firstChangedLine,
                                 qsizetype linesAppended,
                                 qsizetype linesDropped)
{
    Q_UNUSED(linesDropped)
    // Only bookkeeping here: this runs per received chunk, the widget work waits for the frame.
    const qint64 total = m_buffer->totalLinesSeen();
    const qint64 appendedFrom = total - linesAppended;
    if (linesAppended > 0 && (m_pendingAppendedFrom < 0 || appendedFrom < m_pendingAppendedFrom))
        m_pendingAppendedFrom = appendedFrom;
    if (firstChangedLine < m_buffer->lineCount()) {
        const qint64 line = m_buffer->firstLineNumber() + firstChangedLine;
        if (line < appendedFrom && !m_pendingUpdated.contains(line))
            m_pendingUpdated.append(line);
    }
    m_pending = true;
    scheduleFrame();
}

void OutputView::scheduleFrame()
{
    FrameClock::instance()->request(this);
}

void OutputView::flushFrame()
{
    if (m_framePending)
        FrameClock::instance()->cancel(this);
    if (!m_pending)
        return;
    m_pending = false;

    for (const qint64 line : std::as_const(m_pendingUpdated))
        m_rowCache.remove(line);
    if (m_rowCache.size() > MaxRowCacheEntries)
        m_rowCache.clear();
    if (!m_findPattern.isEmpty() && m_findError.isEmpty())
        updateMatches(m_pendingAppendedFrom, m_pendingUpdated);
    m_pendingAppendedFrom = -1;
    m_pendingUpdated.clear();

    if (!m_following && m_top.line < firstDisplayLine())
        m_top = {firstDisplayLine(), 0}; // what the reader was looking at has been dropped
    if (m_selAnchor.line < m_buffer->firstLineNumber()
        && m_selEnd.line < m_buffer->firstLineNumber())
        m_selAnchor = m_selEnd = {};

    updateScrollBars();
    updateNewLinesButton();
    viewport()->update();
    emitMatchesChangedIfNeeded();
}

// --- Display options ------------------------------------------------------------------------

void OutputView::setWrapLines(bool wrap)
{
    if (m_wrap == wrap)
        return;
    const RowPos top = topAnchor();
    m_wrap = wrap;
    m_rowCache.clear();
    setHorizontalScrollBarPolicy(wrap ? Qt::ScrollBarAlwaysOff : Qt::ScrollBarAsNeeded);
    if (!m_following)
        m_top = {top.line, 0};
    updateScrollBars();
    viewport()->update();
    emit wrapLinesChanged(wrap);
}

void OutputView::setShowTimestamps(bool show)
{
    if (m_showTimestamps == show)
        return;
    m_showTimestamps = show;
    m_rowCache.clear();
    updateScrollBars();
    viewport()->update();
    emit showTimestampsChanged(show);
}

qreal OutputView::fontPointSize() const
{
    return m_fonts[0].pointSizeF();
}

void OutputView::setFontPointSize(qreal pointSize)
{
    pointSize = qBound(MinPointSize, pointSize, MaxPointSize);
    if (qFuzzyCompare(pointSize, fontPointSize()))
        return;
    const RowPos top = topAnchor();
    m_fonts[0].setPointSizeF(pointSize);
    updateFontMetrics();
    m_rowCache.clear();
    if (!m_following)
        m_top = {top.line, 0};
    updateScrollBars();
    updateNewLinesButton();
    viewport()->update();
    emit fontSizeChanged(pointSize);
}

void OutputView::zoomIn()
{
    setFontPointSize(fontPointSize() + 1);
}

void OutputView::zoomOut()
{
    setFontPointSize(fontPointSize() - 1);
}

void OutputView::resetZoom()
{
    setFontPointSize(m_defaultPointSize);
}

void OutputView::updateFontMetrics()
{
    const QFont &regular = m_fonts[0];
    m_fonts[1] = regular;
    m_fonts[1].setBold(true);
    m_fonts[2] = regular;
    m_fonts[2].setItalic(true);
    m_fonts[3] = m_fonts[1];
    m_fonts[3].setItalic(true);

    const QFontMetricsF metrics(regular, viewport());
    // The advance as laid out in a run, which is what drawText() will use.
    m_charWidth = metrics.horizontalAdvance(QString(64, QLatin1Char('M'))) / 64.0;
    if (m_charWidth <= 0)
        m_charWidth = 8;
    m_lineHeight = qMax(1, qCeil(metrics.lineSpacing()));
    m_ascent = qCeil(metrics.ascent() + (m_lineHeight - metrics.height()) / 2);
    m_lineWidth = qMax(1, qRound(metrics.lineWidth()));
    m_underlinePos = qMax(1, qRound(metrics.underlinePos()));
    m_strikePos = qRound(metrics.strikeOutPos());
    m_readableCache.clear();
}

const QFont &OutputView::fontFor(bool bold, bool italic) const
{
    return m_fonts[(bold ? 1 : 0) + (italic ? 2 : 0)];
}

// --- Geometry -------------------------------------------------------------------------------

int OutputView::gutterWidth() const
{
    return m_showTimestamps ? qCeil(m_charWidth * 12) + 2 * TextPadding : 0;
}

int OutputView::textLeft() const
{
    return gutterWidth() + StderrMarkerWidth + TextPadding;
}

int OutputView::wrapColumns() const
{
    const int width = viewport()->width() - textLeft() - TextPadding;
    return qMax(8, int(width / m_charWidth));
}

int OutputView::visibleRows() const
{
    return qMax(1, viewport()->height() / m_lineHeight);
}

qint64 OutputView::firstDisplayLine() const
{
    // The dropped-lines marker is shown as the line before the first one held.
    const qint64 first = m_buffer->firstLineNumber();
    return m_buffer->droppedLines() > 0 ? first - 1 : first;
}

bool OutputView::isMarkerLine(qint64 line) const
{
    return m_buffer->droppedLines() > 0 && line == m_buffer->firstLineNumber() - 1;
}

const TerminalBuffer::Line *OutputView::bufferLine(qint64 line) const
{
    const qint64 index = line - m_buffer->firstLineNumber();
    if (index < 0 || index >= m_buffer->lineCount())
        return nullptr;
    return &m_buffer->line(qsizetype(index));
}

void OutputView::layoutLine(const TerminalBuffer::Line &line, LineLayout *layout) const
{
    layout->line = &line;
    layout->suffix
            = line.hiddenChars > 0 ? TerminalBuffer::truncationSuffix(line.hiddenChars) : QString();
    layout->textLength = int(line.text.size());
    layout->length = layout->textLength + int(layout->suffix.size());
    layout->simple = line.singleWidth;
    layout->columnsPerRow = m_wrap ? wrapColumns() : 0;
    layout->rows = 1;
    const int cols = layout->columnsPerRow;
    if (layout->simple) {
        if (cols > 0)
            layout->rows = qMax(1, (layout->length + cols - 1) / cols);
        return;
    }

    // Wide characters take two columns, combining marks none; a surrogate pair is one
    // character whose halves share a column.
    const int length = layout->length;
    layout->columns.resize(length + 1);
    int col = 0;
    for (int i = 0; i < length;) {
        const QChar c = layout->charAt(i);
        char32_t code = c.unicode();
        int units = 1;
        if (c.isHighSurrogate() && i + 1 < length && layout->charAt(i + 1).isLowSurrogate()) {
            code = QChar::surrogateToUcs4(c, layout->charAt(i + 1));
            units = 2;
        }
        layout->columns[i] = col;
        if (units == 2)
            layout->columns[i + 1] = col;
        col += TerminalBuffer::columnWidth(code);
        i += units;
    }
    layout->columns[length] = col;

    if (cols > 0) {
        layout->rowStarts.clear();
        layout->rowStarts.append(0);
        int rowColumn = 0;
        for (int i = 0; i < length;) {
            const int units = (layout->charAt(i).isHighSurrogate() && i + 1 < length
                               && layout->charAt(i + 1).isLowSurrogate())
                                      ? 2
                                      : 1;
            const int end = layout->columns[i + units];
            // A character that does not fit starts the next row; zero-width ones stay with
            // the character they modify.
            if (end - rowColumn > cols && layout->columns[i] > rowColumn
                && end > layout->columns[i]) {
                layout->rowStarts.append(i);
                rowColumn = layout->columns[i];
            }
            i += units;
        }
        layout->rows = int(layout->rowStarts.size());
    }
}

int OutputView::rowsOf(qint64 lineNo) const
{
    if (!m_wrap || isMarkerLine(lineNo))
        return 1;
    const TerminalBuffer::Line *line = bufferLine(lineNo);
    if (!line)
        return 1;
    const int cols = wrapColumns();
    if (line->singleWidth) {
        qsizetype length = line->text.size();
        if (line->hiddenChars > 0)
            length += TerminalBuffer::truncationSuffix(line->hiddenChars).size();
        return int(qMax<qsizetype>(1, (length + cols - 1) / cols));
    }
    const auto it = m_rowCache.constFind(lineNo);
    if (it != m_rowCache.cend() && it->columns == cols && it->length == line->text.size())
        return it->rows;
    LineLayout layout;
    layoutLine(*line, &layout);
    m_rowCache.insert(lineNo, {cols, line->text.size(), layout.rows});
    return layout.rows;
}

// The top row that puts the end of the output at the bottom of the viewport.
OutputView::RowPos OutputView::bottomAnchor() const
{
    const qint64 first = firstDisplayLine();
    const qint64 end = endLine();
    if (!m_wrap)
        return {qMax(first, end - visibleRows()), 0};
    qint64 remaining = visibleRows();
    for (qint64 line = end - 1; line >= first; --line) {
        const int rows = rowsOf(line);
        if (rows >= remaining)
            return {line, int(rows - remaining)};
        remaining -= rows;
    }
    return {first, 0};
}

OutputView::RowPos OutputView::topAnchor() const
{
    const RowPos bottom = bottomAnchor();
    if (m_following)
        return bottom;
    RowPos top = m_top;
    if (top.line < firstDisplayLine())
        top = {firstDisplayLine(), 0};
    if (top >= bottom)
        return bottom;
    top.row = qBound(0, top.row, rowsOf(top.line) - 1);
    return top;
}

OutputView::RowPos OutputView::advance(RowPos pos, qint64 rows, qint64 *moved) const
{
    const qint64 first = firstDisplayLine();
    const qint64 end = endLine();
    qint64 done = 0;
    if (end <= first) {
        if (moved)
            *moved = 0;
        return {first, 0};
    }
    while (rows > 0) {
        const int lineRows = rowsOf(pos.line);
        const int left = lineRows - 1 - pos.row;
        if (rows <= left) {
            pos.row += int(rows);
            done += rows;
            break;
        }
        if (pos.line + 1 >= end) {
            pos.row = lineRows - 1;
            done += left;
            break;
        }
        rows -= left + 1;
        done += left + 1;
        ++pos.line;
        pos.row = 0;
    }
    while (rows < 0) {
        if (-rows <= pos.row) {
            pos.row += int(rows);
            done += rows;
            break;
        }
        if (pos.line <= first) {
            done -= pos.row;
            pos.row = 0;
            break;
        }
        rows += pos.row + 1;
        done -= pos.row + 1;
        --pos.line;
        pos.row = rowsOf(pos.line) - 1;
    }
    if (moved)
        *moved = done;
    return pos;
}

void OutputView::scrollByRows(qint64 rows)
{
    const RowPos from = topAnchor();
    const RowPos to = advance(from, rows);
    if (to == from)
        return;
    scrollToRow(to);
}

// Shows `pos` at the top; reaching the bottom resumes following.
void OutputView::scrollToRow(RowPos pos)
{
    const RowPos bottom = bottomAnchor();
    if (pos >= bottom) {
        setFollowing(true);
        return;
    }
    if (pos.line < firstDisplayLine())
        pos = {firstDisplayLine(), 0};
    m_top = pos;
    setFollowing(false);
}

void OutputView::setFollowing(bool following)
{
    if (m_following != following) {
        m_following = following;
        m_linesSeenAtPause = m_buffer->totalLinesSeen();
        emit followingChanged(following);
    }
    updateScrollBars();
    updateNewLinesButton();
    viewport()->update();
}

void OutputView::pauseFollowing()
{
    if (!m_following)
        return;
    m_top = bottomAnchor();
    setFollowing(false);
}

void OutputView::followOutput()
{
    setFollowing(true);
}

void OutputView::setLineTint(LineTint tint)
{
    m_lineTint = std::move(tint);
    viewport()->update();
}

void OutputView::scrollToLine(qint64 lineNumber)
{
    pauseFollowing();
    RowPos target{qBound(firstDisplayLine(), lineNumber, qMax(firstDisplayLine(), endLine() - 1)),
                  0};
    m_top = advance(target, -(visibleRows() / 3));
    if (m_top.line < firstDisplayLine())
        m_top = {firstDisplayLine(), 0};
    scrollToRow(m_top);
}

qint64 OutputView::topLine() const
{
    return topAnchor().line;
}

void OutputView::scrollToTop()
{
    scrollToRow({firstDisplayLine(), 0});
}

qint64 OutputView::newLinesWhilePaused() const
{
    return m_following ? 0 : m_buffer->totalLinesSeen() - m_linesSeenAtPause;
}

void OutputView::updateScrollBars()
{
    m_syncingScrollBars = true;
    QScrollBar *vertical = verticalScrollBar();
    const qint64 first = firstDisplayLine();
    const RowPos bottom = bottomAnchor();
    const RowPos top = topAnchor();
    // Lines, not rows, even when wrapping: exact row totals would mean measuring every line.
    // The bar is exact without wrapping and close enough with it; wheel and keys scroll rows.
    const int maximum = int(qMin<qint64>(bottom.line - first, INT_MAX));
    vertical->setRange(0, maximum);
    vertical->setPageStep(visibleRows());
    vertical->setSingleStep(1);
    vertical->setValue(m_following ? maximum : int(top.line - first));

    QScrollBar *horizontal = horizontalScrollBar();
    if (m_wrap) {
        horizontal->setRange(0, 0);
    } else {
        // The longest line ever held: cheap, and never shrinking is better than a jumping bar.
        const qreal contentWidth
                = (m_buffer->maxLineLength() + 2) * m_charWidth + textLeft() + TextPadding;
        horizontal->setRange(0, qMax(0, qCeil(contentWidth) - viewport()->width()));
        horizontal->setPageStep(viewport()->width());
        horizontal->setSingleStep(qMax(1, qRound(m_charWidth * 2)));
    }
    m_syncingScrollBars = false;
}

void OutputView::onVerticalScrollBarChanged(int value)
{
    if (m_syncingScrollBars)
        return;
    if (value >= verticalScrollBar()->maximum()) {
        setFollowing(true);
        return;
    }
    m_top = {firstDisplayLine() + value, 0};
    setFollowing(false);
}

void OutputView::scrollContentsBy(int dx, int dy)
{
    Q_UNUSED(dx)
    Q_UNUSED(dy)
    viewport()->update(); // everything is painted from the scroll positions
}

void OutputView::updateNewLinesButton()
{
    const qint64 count = newLinesWhilePaused();
    if (count <= 0) {
        m_newLinesButton->hide();
        return;
    }
    const QString text = count == 1 ? tr("\u2193 1 new line")
                                    : tr("\u2193 %1 new lines").arg(QLocale().toString(count));
    if (m_newLinesButton->text() != text) {
        m_newLinesButton->setText(text);
        m_newLinesButton->adjustSize();
    }
    const QSize size = m_newLinesButton->size();
    m_newLinesButton->move(viewport()->width() - size.width() - 16,
                           viewport()->height() - size.height() - 12);
    m_newLinesButton->show();
    m_newLinesButton->raise();
}

void OutputView::resizeEvent(QResizeEvent *event)
{
    QAbstractScrollArea::resizeEvent(event);
    m_rowCache.clear();
    updateScrollBars();
    updateNewLinesButton();
}

// --- Colours --------------------------------------------------------------------------------

void OutputView::updateColors()
{
    const QPalette pal = palette();
    Colors &c = m_colors;
    c.base = pal.color(QPalette::Base);
    c.text = pal.color(QPalette::Text);
    c.dark = c.base.lightnessF() < 0.5;
    const auto &ansi = c.dark ? darkAnsi : lightAnsi;
    for (int i = 0; i < 16; ++i)
        c.ansi[size_t(i)] = rgb(ansi[i]);

    const QColor red = c.dark ? rgb(0xff6b6b) : rgb(0xc62828);
    c.stderrText = mix(c.text, red, c.dark ? 0.35 : 0.45);
    c.stderrBand = withAlpha(red, c.dark ? 26 : 18);
    c.stderrMarker = c.dark ? rgb(0xd9534f) : rgb(0xe06060);
    c.gutterBg = mix(c.base, c.text, 0.05);
    c.gutterText = mix(c.base, c.text, 0.55);
    const QColor link = pal.color(QPalette::Link).isValid() ? pal.color(QPalette::Link)
                                                            : pal.color(QPalette::Highlight);
    c.markerText = readable(c.dark ? mix(link, Qt::white, 0.3) : link, c.base);
    c.markerBg = mix(c.base, link, c.dark ? 0.16 : 0.09);
    c.match = c.dark ? QColor(255, 200, 0, 105) : QColor(255, 200, 0, 120);
    c.currentMatch = c.dark ? QColor(255, 140, 0, 190) : QColor(255, 150, 0, 170);
    c.currentMatchFrame = c.dark ? rgb(0xffa640) : rgb(0xd96c00);
    c.selection = pal.color(QPalette::Highlight);
    c.selectionText = pal.color(QPalette::HighlightedText);
    c.suffixText = mix(c.base, c.text, 0.55);
    m_readableCache.clear();

    if (!m_newLinesButton)
        return;
    const QColor buttonBg = pal.color(QPalette::Highlight);
    const QColor buttonText = pal.color(QPalette::HighlightedText);
    m_newLinesButton->setStyleSheet(
            QStringLiteral("QToolButton { background-color: %1; color: %2; border: none;"
                           " border-radius: 11px; padding: 3px 12px; font-weight: 600; }"
                           "QToolButton:hover { background-color: %3; }")
                    .arg(buttonBg.name(), buttonText.name(), buttonBg.lighter(115).name()));
}

// Flat scroll bars whatever the application's style (see FlatScrollBarStyle: Fusion's gradients
// make Qt paint through its thread pool, and the GUI thread waits for it).
void OutputView::applyScrollBarStyle()
{
    QStyle *style = FlatScrollBarStyle::forApplicationStyle();
    for (QScrollBar *bar : {verticalScrollBar(), horizontalScrollBar()}) {
        if (style == QApplication::style())
            bar->setStyle(nullptr); // follow the application's, which is flat
        else if (bar->style() != style)
            bar->setStyle(style);
    }
}

void OutputView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::StyleChange)
        applyScrollBarStyle(); // the theme changed the application's style
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange) {
        updateColors();
        viewport()->update();
    } else if (event->type() == QEvent::FontChange) {
        // The widget font is for the chrome; the text keeps its monospace font and zoom.
        updateFontMetrics();
    }
    QAbstractScrollArea::changeEvent(event);
}

QColor OutputView::resolveColor(const TextColor &color) const
{
    switch (color.kind) {
    case TextColor::Default:
        return {};
    case TextColor::Indexed:
        return color.index < 16 ? m_colors.ansi[color.index] : rgb(xterm256Rgb(color.index));
    case TextColor::Rgb:
        return QColor(color.r, color.g, color.b);
    }
    return {};
}

// fg, or the nearest shade of it (towards black on light backgrounds, white on dark ones) that
// reaches MinContrast: black text on a dark pane, yellow on a white one, are still legible.
QColor OutputView::readable(const QColor &fg, const QColor &bg) const
{
    const quint64 key = quint64(fg.rgb()) << 32 | bg.rgb();
    const auto it = m_readableCache.constFind(key);
    if (it != m_readableCache.cend())
        return QColor::fromRgb(*it);
    QColor result = fg;
    if (contrast(fg, bg) < MinContrast) {
        const QColor target = luminance(bg) > 0.18 ? QColor(Qt::black) : QColor(Qt::white);
        for (int step = 1; step <= 10; ++step) {
            result = mix(fg, target, step / 10.0);
            if (contrast(result, bg) >= MinContrast)
                break;
        }
    }
    m_readableCache.insert(key, result.rgb());
    return result;
}

// --- Painting -------------------------------------------------------------------------------

void OutputView::paintEvent(QPaintEvent *event)
{
    Q_UNUSED(event)
    QPainter painter(viewport());
    const QRect area = viewport()->rect();
    painter.fillRect(area, m_colors.base);
    const int gutter = gutterWidth();
    if (gutter > 0) {
        painter.fillRect(QRect(0, 0, gutter, area.height()), m_colors.gutterBg);
        painter.fillRect(QRect(gutter - 1, 0, 1, area.height()),
                         mix(m_colors.gutterBg, m_colors.gutterText, 0.25));
    }

    const qint64 end = endLine();
    RowPos pos = topAnchor();
    int y = 0;
    LineLayout layout;
    while (y < area.height() && pos.line < end) {
        if (isMarkerLine(pos.line)) {
            paintMarkerRow(painter, y);
            y += m_lineHeight;
        } else if (const TerminalBuffer::Line *line = bufferLine(pos.line)) {
            layoutLine(*line, &layout);
            paintLine(painter, pos.line, layout, pos.row, &y);
        } else {
            break;
        }
        ++pos.line;
        pos.row = 0;
    }
}

void OutputView::paintMarkerRow(QPainter &painter, int y)
{
    const QRect row(0, y, viewport()->width(), m_lineHeight);
    painter.fillRect(row, m_colors.markerBg);
    painter.fillRect(QRect(0, y + m_lineHeight - 1, row.width(), 1),
                     mix(m_colors.markerBg, m_colors.markerText, 0.3));
    QFont font = m_fonts[0];
    font.setUnderline(true);
    painter.setFont(font);
    painter.setPen(m_colors.markerText);
    painter.drawText(QPointF(textLeft(), y + m_ascent),
                     QStringLiteral("\u2191 ") + droppedLinesMarkerText());
}

void OutputView::paintLine(
        QPainter &painter, qint64 lineNo, const LineLayout &layout, int firstRow, int *y)
{
    const TerminalBuffer::Line &line = *layout.line;
    const bool errorLine = line.stream != StreamType::Stdout;
    const int width = viewport()->width();
    const int height = viewport()->height();
    const int gutter = gutterWidth();
    const qreal left = textLeft();
    const int hscroll = m_wrap ? 0 : horizontalScrollBar()->value();
    const QColor &defaultFg = errorLine ? m_colors.stderrText : m_colors.text;

    // Selection and matches on this line, as character ranges.
    int selFrom = -1, selTo = -1;
    if (hasSelection()) {
        const auto [start, end] = orderedSelection();
        if (lineNo >= start.line && lineNo <= end.line) {
            selFrom = lineNo == start.line ? start.index : 0;
            selTo = lineNo == end.line ? end.index : layout.length;
        }
    }
    const bool selectionContinues = selFrom >= 0 && lineNo < orderedSelection().second.line;
    const auto matchBegin = std::lower_bound(
            m_matches.cbegin(), m_matches.cend(), lineNo, [](const ViewMatch &m, qint64 l) {
                return m.line < l;
            });
    auto matchEnd = matchBegin;
    while (matchEnd != m_matches.cend() && matchEnd->line == lineNo)
        ++matchEnd;
    const ViewMatch *current = m_currentMatch >= 0 ? &m_matches.at(m_currentMatch) : nullptr;

    struct Piece
    {
        int from, to;
        QColor fg, bg;
        const QFont *font;
        bool underline, strike;
    };
    QVarLengthArray<Piece, 16> pieces;

    for (int r = firstRow; r < layout.rows && *y < height; ++r, *y += m_lineHeight) {
        const int top = *y;
        const int rowStart = layout.rowStart(r);
        const int rowEnd = layout.rowEnd(r);
        const int rowColumn = layout.column(rowStart);
        const auto xOf = [&](int i) {
            return left + (layout.column(i) - rowColumn) * m_charWidth - hscroll;
        };

        if (m_lineTint) {
            if (const QColor tint = m_lineTint(lineNo); tint.isValid())
                painter.fillRect(QRect(gutter, top, width - gutter, m_lineHeight), tint);
        }
        if (errorLine) {
            painter.fillRect(QRect(gutter, top, width - gutter, m_lineHeight), m_colors.stderrBand);
            painter.fillRect(QRect(gutter, top, StderrMarkerWidth, m_lineHeight),
                             m_colors.stderrMarker);
        }
        if (gutter > 0 && r == 0) {
            painter.setFont(m_fonts[0]);
            painter.setPen(m_colors.gutterText);
            painter.drawText(QPointF(TextPadding, top + m_ascent),
                             QDateTime::fromMSecsSinceEpoch(line.receiptMsecs)
                                     .toString(QStringLiteral("hh:mm:ss.zzz")));
        }

        // Only the characters inside the viewport: a 256K-character line costs a screenful.
        int from = rowStart;
        int to = rowEnd;
        if (!m_wrap) {
            const int firstColumn = qMax(0, int(hscroll / m_charWidth) - 1);
            const int lastColumn = int((hscroll + width - left) / m_charWidth) + 2;
            from = layout.indexAtColumn(firstColumn, rowStart, rowEnd);
            while (from > rowStart
                   && (layout.column(from) > firstColumn || layout.charAt(from).isLowSurrogate()))
                --from;
            to = layout.indexAtColumn(lastColumn, from, rowEnd);
        }

        painter.save();
        painter.setClipRect(QRect(gutter, top, width - gutter, m_lineHeight));

        // Cut the row into pieces of one style (and one selection state).
        pieces.clear();
        qsizetype run = line.runIndexAt(from);
        for (int a = from; a < to;) {
            int b = to;
            TextStyle style;
            bool suffix = a >= layout.textLength;
            if (suffix) {
                style.italic = true;
            } else {
                b = qMin(b, layout.textLength);
                if (!line.runs.isEmpty()) {
                    while (run + 1 < line.runs.size() && line.runs[run + 1].start <= a)
                        ++run;
                    style = line.runs[run].style;
                    b = qMin<int>(b, int(line.runEnd(run)));
                }
            }
            if (selFrom >= 0) {
                if (a < selFrom)
                    b = qMin(b, selFrom);
                else if (a < selTo)
                    b = qMin(b, selTo);
            }
            const bool selected = a >= selFrom && a < selTo;

            QColor fg = suffix ? m_colors.suffixText
                               : (style.fg.kind == TextColor::Default ? defaultFg
                                                                      : resolveColor(style.fg));
            QColor bg = resolveColor(style.bg);
            if (style.inverse) {
                const QColor oldFg = fg;
                fg = bg.isValid() ? bg : m_colors.base;
                bg = oldFg;
            }
            fg = readable(fg, bg.isValid() ? bg : m_colors.base);
            if (style.dim)
                fg = mix(fg, bg.isValid() ? bg : m_colors.base, 0.4);
            if (selected) {
                fg = m_colors.selectionText;
                bg = m_colors.selection;
            }
            pieces.append({a,
                           b,
                           fg,
                           bg,
                           &fontFor(style.bold, style.italic),
                           style.underline,
                           style.strike});
            a = b;
        }

        // Backgrounds, then match highlights, then text on top.
        for (const Piece &piece : pieces) {
            if (piece.bg.isValid())
                painter.fillRect(
                        QRectF(xOf(piece.from), top, xOf(piece.to) - xOf(piece.from), m_lineHeight),
                        piece.bg);
        }
        if (selectionContinues && r == layout.rows - 1)
            painter.fillRect(QRectF(xOf(rowEnd), top, m_charWidth, m_lineHeight),
                             m_colors.selection);
        for (auto m = matchBegin; m != matchEnd; ++m) {
            const int a = qMax(m->start, rowStart);
            const int b = qMin(m->start + m->length, rowEnd);
            if (a >= b)
                continue;
            const QRectF rect(xOf(a), top, xOf(b) - xOf(a), m_lineHeight);
            if (current && *m == *current) {
                painter.fillRect(rect, m_colors.currentMatch);
                painter.setPen(QPen(m_colors.currentMatchFrame, 1));
                painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5));
            } else {
                painter.fillRect(rect, m_colors.match);
            }
        }
        for (const Piece &piece : pieces) {
            painter.setFont(*piece.font);
            painter.setPen(piece.fg);
            const qreal baseline = top + m_ascent;
            if (layout.simple) {
                painter.drawText(QPointF(xOf(piece.from), baseline),
                                 layout.mid(piece.from, piece.to));
            } else {
                // Single-width characters in one go; every other character at its own column,
                // so a wide glyph from a fallback font cannot push the rest off the grid.
                for (int i = piece.from; i < piece.to;) {
                    int j = i;
                    while (j < piece.to && TerminalBuffer::isSingleWidth(layout.charAt(j)))
                        ++j;
                    if (j == i) {
                        ++j;
                        while (j < piece.to && layout.column(j) == layout.column(i))
                            ++j; // the low surrogate, combining marks
                    }
                    painter.drawText(QPointF(xOf(i), baseline), layout.mid(i, j));
                    i = j;
                }
            }
            if (piece.underline || piece.strike) {
                const qreal x0 = xOf(piece.from);
                const qreal x1 = xOf(piece.to);
                if (piece.underline)
                    painter.fillRect(QRectF(x0, baseline + m_underlinePos, x1 - x0, m_lineWidth),
                                     piece.fg);
                if (piece.strike)
                    painter.fillRect(QRectF(x0, baseline - m_strikePos, x1 - x0, m_lineWidth),
                                     piece.fg);
            }
        }
        painter.restore();
    }
}

// --- Selection and mouse --------------------------------------------------------------------

bool OutputView::hasSelection() const
{
    return m_selAnchor != m_selEnd;
}

std::pair<OutputView::TextPos, OutputView::TextPos> OutputView::orderedSelection() const
{
    return m_selAnchor < m_selEnd ? std::pair{m_selAnchor, m_selEnd}
                                  : std::pair{m_selEnd, m_selAnchor};
}

QString OutputView::selectedText() const
{
    if (!hasSelection())
        return {};
    auto [start, end] = orderedSelection();
    const qint64 first = m_buffer->firstLineNumber();
    if (start.line < first)
        start = {first, 0};
    QString text;
    LineLayout layout;
    for (qint64 lineNo = start.line; lineNo <= end.line; ++lineNo) {
        const TerminalBuffer::Line *line = bufferLine(lineNo);
        if (!line)
            break;
        layoutLine(*line, &layout);
        const int from = lineNo == start.line ? qMin(start.index, layout.length) : 0;
        const int to = lineNo == end.line ? qMin(end.index, layout.length) : layout.length;
        if (lineNo > start.line)
            text += QLatin1Char('\n');
        if (to > from)
            text += layout.mid(from, to);
    }
    return text;
}

void OutputView::selectAll()
{
    const qint64 last = endLine() - 1;
    if (last < m_buffer->firstLineNumber())
        return;
    const TerminalBuffer::Line *line = bufferLine(last);
    LineLayout layout;
    layoutLine(*line, &layout);
    m_selAnchor = {m_buffer->firstLineNumber(), 0};
    m_selEnd = {last, layout.length};
    viewport()->update();
}

void OutputView::clearSelection()
{
    if (!hasSelection())
        return;
    m_selAnchor = m_selEnd = {};
    viewport()->update();
}

void OutputView::copy() const
{
    if (hasSelection())
        QGuiApplication::clipboard()->setText(selectedText());
}

void OutputView::copyAll() const
{
    QString text;
    LineLayout layout;
    for (qsizetype i = 0; i < m_buffer->lineCount(); ++i) {
        layoutLine(m_buffer->line(i), &layout);
        if (i > 0)
            text += QLatin1Char('\n');
        text += layout.mid(0, layout.length);
    }
    QGuiApplication::clipboard()->setText(text);
}

bool OutputView::hitMarker(const QPoint &pos) const
{
    // The marker is the first display line, so it can only be the top row.
    return pos.y() >= 0 && pos.y() < m_lineHeight && pos.x() >= 0 && pos.x() < viewport()->width()
           && isMarkerLine(topAnchor().line);
}

OutputView::TextPos OutputView::textPosAt(const QPoint &pos) const
{
    const qint64 first = m_buffer->firstLineNumber();
    const qint64 end = endLine();
    if (end <= first)
        return {first, 0};

    const qint64 rowIndex
            = pos.y() >= 0 ? pos.y() / m_lineHeight : -1 - (-pos.y() - 1) / m_lineHeight;
    qint64 moved = 0;
    const RowPos row = advance(topAnchor(), rowIndex, &moved);
    if (moved < rowIndex) {
        // Below the last row: the end of the output.
        LineLayout layout;
        layoutLine(*bufferLine(end - 1), &layout);
        return {end - 1, layout.length};
    }
    if (moved > rowIndex || isMarkerLine(row.line))
        return {first, 0}; // above the first row

    const TerminalBuffer::Line *line = bufferLine(row.line);
    if (!line)
        return {first, 0};
    LineLayout layout;
    layoutLine(*line, &layout);
    const int rowStart = layout.rowStart(row.row);
    const int rowEnd = layout.rowEnd(row.row);
    const int hscroll = m_wrap ? 0 : horizontalScrollBar()->value();
    const int column = int(std::floor((pos.x() - textLeft() + hscroll) / m_charWidth + 0.5))
                       + layout.column(rowStart);
    return {row.line,
            layout.indexAtColumn(qMax(column, layout.column(rowStart)), rowStart, rowEnd)};
}

void OutputView::extendSelection(const QPoint &pos)
{
    m_selEnd = textPosAt(pos);
    // Reading or copying while output floods in: hold the view still.
    if (hasSelection())
        pauseFollowing();
    viewport()->update();
}

void OutputView::mousePressEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (event->button() == Qt::LeftButton && hitMarker(pos)) {
        emit openTranscriptRequested();
        event->accept();
        return;
    }
    if (event->button() == Qt::LeftButton) {
        if (event->modifiers() & Qt::ShiftModifier) {
            extendSelection(pos);
        } else {
            m_selAnchor = m_selEnd = textPosAt(pos);
            viewport()->update();
        }
        m_selecting = true;
        m_lastMousePos = pos;
        event->accept();
        return;
    }
    QAbstractScrollArea::mousePressEvent(event);
}

void OutputView::mouseMoveEvent(QMouseEvent *event)
{
    const QPoint pos = event->position().toPoint();
    if (!m_selecting) {
        viewport()->setCursor(hitMarker(pos) ? Qt::PointingHandCursor : Qt::IBeamCursor);
        QAbstractScrollArea::mouseMoveEvent(event);
        return;
    }
    m_lastMousePos = pos;
    extendSelection(pos);
    const bool outside = pos.y() < 0 || pos.y() >= viewport()->height();
    if (outside && !m_dragScrollTimer.isActive())
        m_dragScrollTimer.start();
    else if (!outside)
        m_dragScrollTimer.stop();
    event->accept();
}

void OutputView::dragScroll()
{
    if (!m_selecting) {
        m_dragScrollTimer.stop();
        return;
    }
    const int y = m_lastMousePos.y();
    const int distance = y < 0 ? y : y - viewport()->height() + 1;
    if (distance == 0)
        return;
    // Further from the edge scrolls faster.
    const qint64 rows = (distance < 0 ? -1 : 1) * (1 + qAbs(distance) / m_lineHeight);
    scrollByRows(rows);
    extendSelection(m_lastMousePos);
}

void OutputView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton && m_selecting) {
        m_selecting = false;
        m_dragScrollTimer.stop();
        if (hasSelection() && QGuiApplication::clipboard()->supportsSelection())
            QGuiApplication::clipboard()->setText(selectedText(), QClipboard::Selection);
    }
    event->accept();
}

void OutputView::mouseDoubleClickEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || hitMarker(event->position().toPoint())) {
        QAbstractScrollArea::mouseDoubleClickEvent(event);
        return;
    }
    const TextPos pos = textPosAt(event->position().toPoint());
    const TerminalBuffer::Line *line = bufferLine(pos.line);
    if (!line)
        return;
    const QString &text = line->text;
    int from = qMin(pos.index, int(text.size()));
    int to = from;
    while (from > 0 && isWordChar(text.at(from - 1)))
        --from;
    while (to < text.size() && isWordChar(text.at(to)))
        ++to;
    m_selAnchor = {pos.line, from};
    m_selEnd = {pos.line, to};
    if (hasSelection())
        pauseFollowing();
    viewport()->update();
    event->accept();
}

void OutputView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu menu(this);
    QAction *copyAction = menu.addAction(tr("&Copy"), this, &OutputView::copy);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setEnabled(hasSelection());
    menu.addAction(tr("Select &All"), this, &OutputView::selectAll)
            ->setShortcut(QKeySequence::SelectAll);
    menu.addSeparator();
    QAction *wrapAction = menu.addAction(tr("&Wrap Lines"), this, &OutputView::setWrapLines);
    wrapAction->setCheckable(true);
    wrapAction->setChecked(m_wrap);
    QAction *timeAction
            = menu.addAction(tr("Show &Timestamps"), this, &OutputView::setShowTimestamps);
    timeAction->setCheckable(true);
    timeAction->setChecked(m_showTimestamps);
    if (m_buffer->droppedLines() > 0) {
        menu.addSeparator();
        menu.addAction(tr("Open Full &Transcript"), this, &OutputView::openTranscriptRequested);
    }
    menu.exec(event->globalPos());
}

// --- Keyboard and wheel ---------------------------------------------------------------------

namespace {

enum class KeyAction { None, Copy, SelectAll, Find, ZoomIn, ZoomOut, ZoomReset };

KeyAction keyAction(QKeyEvent *event)
{
    if (event->matches(QKeySequence::Copy))
        return KeyAction::Copy;
    if (event->matches(QKeySequence::SelectAll))
        return KeyAction::SelectAll;
    if (event->matches(QKeySequence::Find))
        return KeyAction::Find;
    const bool ctrl = event->modifiers() & Qt::ControlModifier;
    if (!ctrl)
        return KeyAction::None;
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        return KeyAction::ZoomIn;
    case Qt::Key_Minus:
        return KeyAction::ZoomOut;
    case Qt::Key_0:
        return KeyAction::ZoomReset;
    default:
        return KeyAction::None;
    }
}

} // namespace

bool OutputView::event(QEvent *event)
{
    // Our keys win over application-wide shortcuts while the view has focus.
    if (event->type() == QEvent::ShortcutOverride) {
        auto *key = static_cast<QKeyEvent *>(event);
        if (keyAction(key) != KeyAction::None) {
            event->accept();
            return true;
        }
    }
    return QAbstractScrollArea::event(event);
}

void OutputView::keyPressEvent(QKeyEvent *event)
{
    switch (keyAction(event)) {
    case KeyAction::Copy:
        copy();
        return;
    case KeyAction::SelectAll:
        selectAll();
        return;
    case KeyAction::Find:
        emit findRequested();
        return;
    case KeyAction::ZoomIn:
        zoomIn();
        return;
    case KeyAction::ZoomOut:
        zoomOut();
        return;
    case KeyAction::ZoomReset:
        resetZoom();
        return;
    case KeyAction::None:
        break;
    }

    QScrollBar *horizontal = horizontalScrollBar();
    switch (event->key()) {
    case Qt::Key_Up:
        scrollByRows(-1);
        break;
    case Qt::Key_Down:
        scrollByRows(1);
        break;
    case Qt::Key_PageUp:
        scrollByRows(-qMax(1, visibleRows() - 1));
        break;
    case Qt::Key_PageDown:
        scrollByRows(qMax(1, visibleRows() - 1));
        break;
    case Qt::Key_Home:
        scrollToTop();
        break;
    case Qt::Key_End:
        followOutput();
        break;
    case Qt::Key_Left:
        horizontal->triggerAction(QAbstractSlider::SliderSingleStepSub);
        break;
    case Qt::Key_Right:
        horizontal->triggerAction(QAbstractSlider::SliderSingleStepAdd);
        break;
    case Qt::Key_F3:
        if (event->modifiers() & Qt::ShiftModifier)
            findPrevious();
        else
            findNext();
        break;
    case Qt::Key_Escape:
        if (hasSelection()) {
            clearSelection();
            break;
        }
        [[fallthrough]];
    default:
        QAbstractScrollArea::keyPressEvent(event);
        return;
    }
    event->accept();
}

void OutputView::wheelEvent(QWheelEvent *event)
{
    const QPoint angle = event->angleDelta();
    if (event->modifiers() & Qt::ControlModifier) {
        // One step per notch; high-resolution wheels and touchpads add up to notches.
        m_zoomWheelAngle += angle.y();
        const int steps = m_zoomWheelAngle / 120;
        m_zoomWheelAngle -= steps * 120;
        if (steps != 0)
            setFontPointSize(fontPointSize() + steps);
        event->accept();
        return;
    }
    if (qAbs(angle.x()) > qAbs(angle.y()) || (event->modifiers() & Qt::ShiftModifier)) {
        QAbstractScrollArea::wheelEvent(event);
        return;
    }
    // Rows, not scroll bar steps: with wrapping a scroll bar step is a whole line.
    qint64 rows = 0;
    const QPoint pixels = event->pixelDelta();
    if (!pixels.isNull()) {
        m_scrollWheelPixels += pixels.y();
        rows = -m_scrollWheelPixels / m_lineHeight;
        m_scrollWheelPixels += int(rows) * m_lineHeight;
    } else {
        const int lines = qMax(1, QApplication::wheelScrollLines());
        m_scrollWheelAngle += angle.y();
        rows = -qint64(m_scrollWheelAngle) * lines / 120;
        m_scrollWheelAngle += int(rows * 120 / lines);
    }
    if (rows != 0)
        scrollByRows(rows);
    event->accept();
}

// --- Find -----------------------------------------------------------------------------------

QList<OutputView::ViewMatch>
OutputView::findInLines(qint64 fromLine, qint64 toLine, qsizetype limit) const
{
    const qint64 first = m_buffer->firstLineNumber();
    QList<ViewMatch> result;
    const auto found = m_buffer->find(m_findPattern,
                                      m_findFlags,
                                      qsizetype(qMax<qint64>(0, fromLine - first)),
                                      qsizetype(qMax<qint64>(0, toLine - first)),
                                      limit);
    result.reserve(found.size());
    for (const TerminalBuffer::Match &m : found)
        result.append({first + m.line, int(m.start), int(m.length)});
    return result;
}

void OutputView::setFindPattern(const QString &text, bool regex, bool caseSensitive)
{
    TerminalBuffer::FindFlags flags;
    if (regex)
        flags |= TerminalBuffer::RegularExpression;
    if (caseSensitive)
        flags |= TerminalBuffer::CaseSensitive;
    if (text == m_findPattern && flags == m_findFlags)
        return;
    m_findPattern = text;
    m_findFlags = flags;
    m_findError = TerminalBuffer::patternError(text, flags);
    rescanMatches();
    viewport()->update();
    emitMatchesChangedIfNeeded();
}

void OutputView::rescanMatches()
{
    m_matches.clear();
    m_currentMatch = -1;
    m_matchesCapped = false;
    if (m_findPattern.isEmpty() || !m_findError.isEmpty() || !m_buffer)
        return;
    m_matches = findInLines(m_buffer->firstLineNumber(), endLine(), MaxMatches);
    m_matchesCapped = m_matches.size() >= MaxMatches;
}

// Keeps the matches in step with the buffer: those in dropped lines go, changed and new lines
// are searched again. Costs the new text, not the whole buffer.
void OutputView::updateMatches(qint64 appendedFrom, const QVarLengthArray<qint64, 4> &updatedLines)
{
    const bool hadCurrent = m_currentMatch >= 0;
    const ViewMatch current = hadCurrent ? m_matches.at(m_currentMatch) : ViewMatch{};
    const auto lineLess = [](const ViewMatch &m, qint64 line) {
        return m.line < line;
    };

    const qint64 first = m_buffer->firstLineNumber();
    const auto keep = std::lower_bound(m_matches.begin(), m_matches.end(), first, lineLess);
    m_matches.erase(m_matches.begin(), keep);

    const auto room = [this] {
        return qMax<qsizetype>(0, MaxMatches - m_matches.size());
    };
    for (const qint64 line : updatedLines) {
        if (line < first || (appendedFrom >= 0 && line >= appendedFrom))
            continue;
        const auto from = std::lower_bound(m_matches.begin(), m_matches.end(), line, lineLess);
        auto to = from;
        while (to != m_matches.end() && to->line == line)
            ++to;
        const qsizetype at = from - m_matches.begin();
        m_matches.erase(from, to);
        const QList<ViewMatch> found = findInLines(line, line + 1, room());
        for (qsizetype i = 0; i < found.size(); ++i)
            m_matches.insert(at + i, found[i]);
    }
    if (appendedFrom >= 0) {
        const auto from
                = std::lower_bound(m_matches.begin(), m_matches.end(), appendedFrom, lineLess);
        m_matches.erase(from, m_matches.end());
        if (room() > 0)
            m_matches.append(findInLines(appendedFrom, endLine(), room()));
    }
    if (m_matches.size() >= MaxMatches)
        m_matchesCapped = true;

    m_currentMatch = -1;
    if (hadCurrent) {
        const auto it = std::lower_bound(m_matches.cbegin(), m_matches.cend(), current);
        if (it != m_matches.cend() && *it == current)
            m_currentMatch = int(it - m_matches.cbegin());
    }
}

void OutputView::findNext()
{
    stepMatch(1);
}

void OutputView::findPrevious()
{
    stepMatch(-1);
}

void OutputView::stepMatch(int direction)
{
    if (m_matches.isEmpty())
        return;
    const int count = int(m_matches.size());
    int index;
    if (m_currentMatch >= 0) {
        index = (m_currentMatch + direction + count) % count;
    } else {
        // Start from what is on screen: forwards from its top, backwards from its bottom.
        const RowPos top = topAnchor();
        if (direction > 0) {
            const auto it
                    = std::lower_bound(m_matches.cbegin(),
                                       m_matches.cend(),
                                       top.line,
                                       [](const ViewMatch &m, qint64 l) { return m.line < l; });
            index = it == m_matches.cend() ? 0 : int(it - m_matches.cbegin());
        } else {
            const qint64 last = advance(top, visibleRows() - 1).line;
            const auto it = std::upper_bound(
                    m_matches.cbegin(), m_matches.cend(), last, [](qint64 l, const ViewMatch &m) {
                        return l < m.line;
                    });
            index = it == m_matches.cbegin() ? count - 1 : int(it - m_matches.cbegin()) - 1;
        }
    }
    m_currentMatch = index;
    scrollToMatch(index);
    emitMatchesChangedIfNeeded();
}

void OutputView::selectMatch(int index)
{
    if (index < 0 || index >= m_matches.size())
        return;
    m_currentMatch = index;
    scrollToMatch(index);
    emitMatchesChangedIfNeeded();
}

void OutputView::scrollToMatch(int index)
{
    const ViewMatch match = m_matches.at(index);
    // Stepping through matches is reading: following stops even if the match is on screen.
    pauseFollowing();

    RowPos target{match.line, 0};
    if (m_wrap) {
        if (const TerminalBuffer::Line *line = bufferLine(match.line)) {
            LineLayout layout;
            layoutLine(*line, &layout);
            while (target.row + 1 < layout.rows && layout.rowStart(target.row + 1) <= match.start)
                ++target.row;
        }
    }
    const RowPos top = topAnchor();
    const RowPos last = advance(top, visibleRows() - 1);
    if (target < top || target > last) {
        // A third from the top: some context above, more room below.
        m_top = advance(target, -(visibleRows() / 3));
        if (m_top.line < firstDisplayLine())
            m_top = {firstDisplayLine(), 0};
    }

    if (!m_wrap) {
        if (const TerminalBuffer::Line *line = bufferLine(match.line)) {
            LineLayout layout;
            layoutLine(*line, &layout);
            QScrollBar *horizontal = horizontalScrollBar();
            const qreal x0 = layout.column(match.start) * m_charWidth;
            const qreal x1
                    = layout.column(qMin(match.start + match.length, layout.length)) * m_charWidth;
            const int visibleWidth = viewport()->width() - textLeft() - TextPadding;
            if (x0 < horizontal->value() || x1 > horizontal->value() + visibleWidth)
                horizontal->setValue(qMax(0, qRound(x0 - visibleWidth / 3.0)));
        }
    }
    updateScrollBars();
    updateNewLinesButton();
    viewport()->update();
}

void OutputView::emitMatchesChangedIfNeeded()
{
    const int count = matchCount();
    if (count == m_reportedCount && m_currentMatch == m_reportedCurrent)
        return;
    m_reportedCount = count;
    m_reportedCurrent = m_currentMatch;
    emit matchesChanged(count, m_currentMatch);
}

QString OutputView::droppedLinesMarkerText() const
{
    const qint64 dropped = m_buffer->droppedLines();
    if (dropped <= 0)
        return {};
    return dropped == 1 ? tr("1 earlier line is in the full transcript \u2014 open it")
                        : tr("%1 earlier lines are in the full transcript \u2014 open it")
                                  .arg(QLocale().toString(dropped));
}

} // namespace Parallax

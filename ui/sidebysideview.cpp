#include "sidebysideview.h"

#include "outputview.h"

#include "text/terminalbuffer.h"

#include <QEvent>
#include <QLabel>
#include <QLocale>
#include <QScrollBar>
#include <QSplitter>
#include <QVBoxLayout>

namespace Parallax {

SideBySideView::SideBySideView(QWidget *parent)
    : QWidget(parent)
    , m_leftBuffer(new TerminalBuffer(this))
    , m_rightBuffer(new TerminalBuffer(this))
{
    m_left = new OutputView(this);
    m_right = new OutputView(this);
    m_left->setBuffer(m_leftBuffer);
    m_right->setBuffer(m_rightBuffer);

    const auto column = [this](QLabel **title, OutputView *view) {
        auto *box = new QWidget(this);
        auto *layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->setSpacing(2);
        *title = new QLabel(box);
        (*title)->setTextFormat(Qt::PlainText);
        QFont bold = (*title)->font();
        bold.setBold(true);
        (*title)->setFont(bold);
        layout->addWidget(*title);
        layout->addWidget(view, 1);
        return box;
    };
    m_splitter = new QSplitter(Qt::Horizontal, this);
    m_splitter->addWidget(column(&m_leftTitle, m_left));
    m_splitter->addWidget(column(&m_rightTitle, m_right));
    m_splitter->setChildrenCollapsible(false);

    m_message = new QLabel(this);
    m_message->setAlignment(Qt::AlignCenter);
    m_message->setWordWrap(true);
    m_message->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_message);
    layout->addWidget(m_splitter, 1);

    // The panes hold the same number of rows, so their scroll bars map one to one.
    const auto sync = [this](QScrollBar *from, QScrollBar *to) {
        connect(from, &QScrollBar::valueChanged, this, [this, to](int value) {
            if (m_syncing)
                return;
            m_syncing = true;
            to->setValue(value);
            m_syncing = false;
        });
    };
    sync(m_left->verticalScrollBar(), m_right->verticalScrollBar());
    sync(m_right->verticalScrollBar(), m_left->verticalScrollBar());
    sync(m_left->horizontalScrollBar(), m_right->horizontalScrollBar());
    sync(m_right->horizontalScrollBar(), m_left->horizontalScrollBar());
    connect(m_left, &OutputView::fontSizeChanged, m_right, &OutputView::setFontPointSize);
    connect(m_right, &OutputView::fontSizeChanged, m_left, &OutputView::setFontPointSize);
    updateTints();
}

SideBySideView::~SideBySideView()
{
    // The views point at buffers this widget owns: detach them before either goes.
    m_left->setBuffer(nullptr);
    m_right->setBuffer(nullptr);
}

void SideBySideView::setTexts(const TerminalBuffer &left,
                              const QString &leftTitle,
                              const TerminalBuffer &right,
                              const QString &rightTitle,
                              AlignedDiff::Align align,
                              qint64 leftStartMsecs,
                              qint64 rightStartMsecs)
{
    m_diff = AlignedDiff(AlignedDiff::sideOf(left, leftStartMsecs),
                         AlignedDiff::sideOf(right, rightStartMsecs),
                         align);
    m_leftTitle->setText(leftTitle);
    m_rightTitle->setText(rightTitle);
    m_message->hide();
    m_splitter->show();
    fill(left, right);
    m_current = -1;
    m_topAtStep = -1;
    m_left->scrollToTop();
    m_right->scrollToTop();
    emit differencesChanged(m_current, differenceCount());
}

void SideBySideView::clear(const QString &message)
{
    m_diff = AlignedDiff();
    m_leftBuffer->clear();
    m_rightBuffer->clear();
    m_current = -1;
    m_message->setText(message);
    m_message->setVisible(!message.isEmpty());
    m_splitter->setVisible(message.isEmpty());
    emit differencesChanged(m_current, 0);
}

void SideBySideView::fill(const TerminalBuffer &left, const TerminalBuffer &right)
{
    const std::vector<AlignedDiff::Row> &rows = m_diff.rows();
    QList<TerminalBuffer::Line> leftLines;
    QList<TerminalBuffer::Line> rightLines;
    leftLines.reserve(qsizetype(rows.size()));
    rightLines.reserve(qsizetype(rows.size()));
    for (const AlignedDiff::Row &row : rows) {
        // A gap takes its partner's time, so the timestamp gutter reads on across it.
        const qint64 time = row.left >= 0 ? left.line(row.left).receiptMsecs
                                          : right.line(row.right).receiptMsecs;
        TerminalBuffer::Line gap;
        gap.receiptMsecs = time;
        leftLines.append(row.left >= 0 ? left.line(row.left) : gap);
        rightLines.append(row.right >= 0 ? right.line(row.right) : gap);
    }
    for (TerminalBuffer *buffer : {m_leftBuffer, m_rightBuffer}) {
        buffer->clear();
        buffer->setMaxLines(qMax<qsizetype>(1, qsizetype(rows.size())));
    }
    m_leftBuffer->appendLines(leftLines);
    m_rightBuffer->appendLines(rightLines);
}

void SideBySideView::updateTints()
{
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    const QColor removed = dark ? QColor(120, 30, 30, 150) : QColor(255, 200, 200);
    const QColor added = dark ? QColor(30, 100, 40, 150) : QColor(205, 245, 205);
    QColor gap = palette().color(QPalette::Mid);
    gap.setAlpha(dark ? 70 : 55);
    const auto tint = [this, gap](bool leftSide, const QColor &changed) {
        return [this, leftSide, changed, gap](qint64 line) -> QColor {
            const std::vector<AlignedDiff::Row> &rows = m_diff.rows();
            if (line < 0 || size_t(line) >= rows.size())
                return {};
            const AlignedDiff::Mark mark
                    = leftSide ? rows[size_t(line)].leftMark : rows[size_t(line)].rightMark;
            switch (mark) {
            case AlignedDiff::Mark::Same:
                return {};
            case AlignedDiff::Mark::Changed:
                return changed;
            case AlignedDiff::Mark::Filler:
                return gap;
            }
            return {};
        };
    };
    m_left->setLineTint(tint(true, removed));
    m_right->setLineTint(tint(false, added));
}

void SideBySideView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange)
        updateTints();
    QWidget::changeEvent(event);
}

qint64 SideBySideView::anchorRow() const
{
    // scrollToLine() puts a difference a third of the way down.
    return m_left->topLine() + m_left->visibleRowCount() / 3;
}

void SideBySideView::goToDifference(int index)
{
    if (index < 0 || index >= differenceCount())
        return;
    m_current = index;
    const qint64 row = m_diff.differences().at(index);
    m_left->scrollToLine(row);
    m_right->scrollToLine(row);
    m_topAtStep = m_left->topLine();
    emit differencesChanged(m_current, differenceCount());
}

void SideBySideView::nextDifference()
{
    if (differenceCount() == 0)
        return;
    // Straight on from the last step unless the user scrolled away since; before the first
    // step, the first difference from the top of the view.
    int next = 0;
    if (m_current >= 0 && m_left->topLine() == m_topAtStep)
        next = m_current + 1;
    else if (m_current < 0)
        next = m_diff.nextDifference(m_left->topLine() - 1);
    else
        next = m_diff.nextDifference(anchorRow() - 1);
    goToDifference(next < 0 || next >= differenceCount() ? differenceCount() - 1 : next);
}

void SideBySideView::previousDifference()
{
    if (differenceCount() == 0)
        return;
    const int previous = m_current >= 0 && m_left->topLine() == m_topAtStep
                                 ? m_current - 1
                                 : m_diff.previousDifference(anchorRow());
    goToDifference(qMax(0, previous));
}

QString SideBySideView::summaryText() const
{
    if (m_diff.rows().empty())
        return QString();
    const QLocale locale;
    if (m_diff.identical())
        return m_diff.sameLines() == 1
                       ? tr("Identical (1 line)")
                       : tr("Identical (%1 lines)").arg(locale.toString(m_diff.sameLines()));
    const QString removed = locale.toString(m_diff.removedLines());
    const QString added = locale.toString(m_diff.addedLines());
    const QString same = locale.toString(m_diff.sameLines());
    if (differenceCount() == 1)
        return tr("%1 removed, %2 added, %3 the same, in 1 difference").arg(removed, added, same);
    return tr("%1 removed, %2 added, %3 the same, in %4 differences")
            .arg(removed, added, same, locale.toString(differenceCount()));
}

} // namespace Parallax

#include "structuredview.h"

#include "agents/eventrender.h"
#include "util/difflines.h"

#include <QAbstractTextDocumentLayout>
#include <QApplication>
#include <QCache>
#include <QClipboard>
#include <QFontDatabase>
#include <QLabel>
#include <QListView>
#include <QMenu>
#include <QPainter>
#include <QScrollBar>
#include <QStyledItemDelegate>
#include <QTextDocument>
#include <QVBoxLayout>

namespace Parallax {

using Kind = EventItem::Kind;

namespace {

constexpr int kPadY = 5;
constexpr int kLeft = 14; // after the kind's colour bar
constexpr int kRight = 8;
constexpr int kMaxResultLines = 200; // in the view; the raw output and exports have all

bool collapsible(Kind kind)
{
    return kind == Kind::Thinking || kind == Kind::ToolCall || kind == Kind::Result
           || kind == Kind::Unknown || kind == Kind::RawText;
}

bool defaultExpanded(const EventItem &item)
{
    switch (item.kind) {
    case Kind::ToolCall:
        return !item.diff.isEmpty() || item.isError;
    case Kind::Result:
        return item.isError;
    case Kind::AssistantText:
    case Kind::Error:
    case Kind::User:
        return true;
    default:
        return false;
    }
}

bool hasHeader(Kind kind)
{
    return kind != Kind::AssistantText;
}

QString escapedLines(const QString &text)
{
    return EventRender::htmlEscaped(text).replace(QLatin1Char('\n'), QStringLiteral("<br />"));
}

QString capLines(const QString &text, int maxLines)
{
    qsizetype pos = 0;
    for (int i = 0; i < maxLines; ++i) {
        pos = text.indexOf(QLatin1Char('\n'), pos);
        if (pos < 0)
            return text;
        ++pos;
    }
    const qsizetype more = QStringView(text).sliced(pos).count(QLatin1Char('\n')) + 1;
    return text.left(pos)
           + QStringLiteral("… %1 more lines (the raw output has them all)").arg(more);
}

struct Colors
{
    QColor text, muted, error, errorBg, add, addBg, del, delBg, hunk, tool, thinking, result,
            codeBg;
};

Colors colorsFor(const QPalette &palette)
{
    const bool dark = palette.color(QPalette::Base).lightness() < 128;
    Colors c;
    c.text = palette.color(QPalette::Text);
    c.muted = palette.color(QPalette::PlaceholderText);
    c.error = dark ? QColor(0xff7b72) : QColor(0xcf222e);
    c.errorBg = c.error;
    c.errorBg.setAlpha(dark ? 40 : 22);
    c.add = dark ? QColor(0x56d364) : QColor(0x116329);
    c.addBg = dark ? QColor(0x1b3a26) : QColor(0xdafbe1);
    c.del = dark ? QColor(0xffa198) : QColor(0x82071e);
    c.delBg = dark ? QColor(0x4a1f1f) : QColor(0xffebe9);
    c.hunk = dark ? QColor(0x39c5cf) : QColor(0x1b7c83);
    c.tool = dark ? QColor(0x58a6ff) : QColor(0x0550ae);
    c.thinking = c.muted;
    c.result = dark ? QColor(0x3fb950) : QColor(0x1a7f37);
    c.codeBg = palette.color(QPalette::AlternateBase);
    return c;
}

} // namespace

// Paints one event per row: a header line (kind, name, summary, status) and, when expanded,
// a rich-text body. Bodies are QTextDocuments made on demand and kept in a bounded cache;
// row heights are cached per viewport width.
class StructuredItemDelegate : public QStyledItemDelegate
{
public:
    StructuredItemDelegate(StructuredView *view, QListView *list)
        : QStyledItemDelegate(list)
        , m_view(view)
        , m_list(list)
    {
        m_docs.setMaxCost(400);
    }

    void invalidate(int row)
    {
        m_docs.remove(row);
        m_heights.remove(row);
    }
    void invalidateAll()
    {
        m_docs.clear();
        m_heights.clear();
    }

    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override
    {
        const int width = qMax(120, m_list->viewport()->width());
        if (width != m_width) {
            m_width = width;
            m_docs.clear();
            m_heights.clear();
        }
        const int row = index.row();
        if (const auto it = m_heights.constFind(row); it != m_heights.constEnd())
            return {width, *it};
        const EventItem &item = m_view->model()->item(row);
        int height = 2 * kPadY;
        if (hasHeader(item.kind))
            height += headerHeight(option.fontMetrics);
        if (QTextDocument *doc = document(row, item))
            height += int(std::ceil(doc->size().height()));
        m_heights.insert(row, height);
        return {width, height};
    }

    void paint(QPainter *painter,
               const QStyleOptionViewItem &option,
               const QModelIndex &index) const override
    {
        const int row = index.row();
        const EventItem &item = m_view->model()->item(row);
        const Colors c = colorsFor(option.palette);
        const QRect rect = option.rect;
        painter->save();
        if (item.isError || item.kind == Kind::Error)
            painter->fillRect(rect, c.errorBg);
        QColor bar;
        switch (item.kind) {
        case Kind::ToolCall:
            bar = item.isError ? c.error : c.tool;
            break;
        case Kind::Error:
            bar = c.error;
            break;
        case Kind::Result:
            bar = item.isError ? c.error : c.result;
            break;
        case Kind::Thinking:
            bar = c.thinking;
            break;
        default:
            break;
        }
        if (bar.isValid())
            painter->fillRect(QRect(rect.left() + 3, rect.top() + 3, 3, rect.height() - 6), bar);

        int y = rect.top() + kPadY;
        const int left = rect.left() + kLeft;
        const int right = rect.right() - kRight;
        if (hasHeader(item.kind)) {
            paintHeader(painter,
                        option,
                        item,
                        row,
                        QRect(left, y, right - left, headerHeight(option.fontMetrics)),
                        c);
            y += headerHeight(option.fontMetrics);
        }
        if (QTextDocument *doc = document(row, item)) {
            painter->translate(left, y);
            QAbstractTextDocumentLayout::PaintContext context;
            context.palette = option.palette;
            context.palette.setColor(QPalette::Text, c.text);
            context.clip = QRectF(0, 0, doc->textWidth(), doc->size().height());
            doc->documentLayout()->draw(painter, context);
            painter->translate(-left, -y);
        }
        QColor line = c.muted;
        line.setAlpha(40);
        painter->setPen(line);
        painter->drawLine(rect.left() + kLeft, rect.bottom(), rect.right() - kRight, rect.bottom());
        painter->restore();
    }

private:
    static int headerHeight(const QFontMetrics &fm) { return fm.height() + 6; }

    void paintHeader(QPainter *painter,
                     const QStyleOptionViewItem &option,
                     const EventItem &item,
                     int row,
                     QRect r,
                     const Colors &c) const
    {
        QFont font = option.font;
        QFont bold = font;
        bold.setBold(true);
        QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        mono.setPointSizeF(font.pointSizeF() > 0 ? font.pointSizeF() * 0.95 : 9);
        int x = r.left();
        const int baseline
                = r.top()
                  + (r.height() + option.fontMetrics.ascent() - option.fontMetrics.descent()) / 2;
        const auto draw
                = [&](const QString &text, const QFont &f, const QColor &color, int maxWidth = -1) {
                      painter->setFont(f);
                      painter->setPen(color);
                      const QFontMetrics fm(f);
                      const int available = (maxWidth < 0 ? r.right() - x : maxWidth);
                      if (available <= 0)
                          return;
                      const QString shown = fm.elidedText(text, Qt::ElideRight, available);
                      painter->drawText(x, baseline, shown);
                      x += fm.horizontalAdvance(shown) + 8;
                  };
        if (collapsible(item.kind))
            draw(m_view->isExpanded(row) ? QStringLiteral("▾") : QStringLiteral("▸"),
                 font,
                 c.muted);

        QString status;
        QColor statusColor = c.muted;
        if (item.pending) {
            status = QStringLiteral("…");
        } else if (item.kind == Kind::ToolCall && item.hasResult) {
            status = item.isError ? QStringLiteral("✗") : QStringLiteral("✓");
            statusColor = item.isError ? c.error : c.result;
        }
        if (!status.isEmpty()) {
            painter->setFont(bold);
            painter->setPen(statusColor);
            const int w = QFontMetrics(bold).horizontalAdvance(status);
            painter->drawText(r.right() - w, baseline, status);
            r.setRight(r.right() - w - 8);
        }
        const auto firstLine = [](const QString &text) {
            return text.section(QLatin1Char('\n'), 0, 0).left(400);
        };
        switch (item.kind) {
        case Kind::Thinking:
            draw(QStringLiteral("Thinking"), bold, c.thinking);
            if (!m_view->isExpanded(row)) {
                QFont italic = font;
                italic.setItalic(true);
                draw(firstLine(item.text).remove(QStringLiteral("**")), italic, c.muted);
            }
            break;
        case Kind::ToolCall:
            draw(item.title, bold, item.isError ? c.error : c.tool);
            if (!item.input.isEmpty())
                draw(item.input.left(400).simplified(),
                     mono,
                     c.text,
                     item.text.isEmpty() ? -1 : (r.right() - x) * 2 / 3);
            if (!item.text.isEmpty())
                draw(item.text, font, c.muted);
            break;
        case Kind::Result:
            draw(QStringLiteral("Result: %1")
                         .arg(item.title.isEmpty() ? QStringLiteral("?") : item.title),
                 bold,
                 item.isError ? c.error : c.result);
            break;
        case Kind::Error:
            draw(QStringLiteral("Error"), bold, c.error);
            break;
        case Kind::User:
            draw(QStringLiteral("User"), bold, c.text);
            break;
        case Kind::System:
            draw(item.text, font, item.isError ? c.error : c.muted);
            break;
        case Kind::Unknown:
            draw(item.count > 1
                         ? QStringLiteral("%1 ×%2").arg(item.title, QString::number(item.count))
                         : item.title,
                 mono,
                 c.muted);
            if (!m_view->isExpanded(row))
                draw(item.text, mono, c.muted);
            break;
        case Kind::RawText:
            draw(item.title, font, c.muted);
            if (!m_view->isExpanded(row))
                draw(firstLine(item.text), mono, c.text);
            break;
        case Kind::AssistantText:
            break;
        }
    }

    QString bodyHtml(const EventItem &item, bool expanded, const Colors &c) const
    {
        const QString pre = QStringLiteral(
                "<pre style=\"white-space: pre-wrap; background-color: %1;\">%2</pre>");
        switch (item.kind) {
        case Kind::AssistantText:
            return EventRender::markdownToHtml(item.text);
        case Kind::Error:
        case Kind::User:
            return QStringLiteral("<p>%1</p>").arg(escapedLines(item.text));
        case Kind::Thinking:
            return expanded ? QStringLiteral("<p style=\"color: %1;\"><i>%2</i></p>")
                                      .arg(c.muted.name(), escapedLines(item.text))
                            : QString();
        case Kind::Result:
            return expanded && !item.text.isEmpty()
                           ? QStringLiteral("<p>%1</p>").arg(escapedLines(item.text))
                           : QString();
        case Kind::Unknown:
        case Kind::RawText:
            return expanded ? pre.arg(c.codeBg.name(), EventRender::htmlEscaped(item.text))
                            : QString();
        case Kind::System:
            return {};
        case Kind::ToolCall:
            break;
        }
        if (!expanded)
            return {};
        QString html;
        if (!item.diff.isEmpty()) {
            QString lines;
            for (const QString &line : item.diff.split(QLatin1Char('\n'))) {
                if (line.isEmpty())
                    continue;
                QString style;
                switch (classifyDiffLine(QStringView(line))) {
                case DiffLine::FileHeader:
                    style = QStringLiteral("font-weight: bold;");
                    break;
                case DiffLine::Added:
                    style = QStringLiteral("color: %1; background-color: %2;")
                                    .arg(c.add.name(), c.addBg.name());
                    break;
                case DiffLine::Removed:
                    style = QStringLiteral("color: %1; background-color: %2;")
                                    .arg(c.del.name(), c.delBg.name());
                    break;
                case DiffLine::Hunk:
                    style = QStringLiteral("color: %1;").arg(c.hunk.name());
                    break;
                case DiffLine::Context:
                    break;
                }
                lines += QStringLiteral("<span style=\"%1\">%2</span>\n")
                                 .arg(style, EventRender::htmlEscaped(line));
            }
            html += pre.arg(c.codeBg.name(), lines);
        } else if (item.input.contains(QLatin1Char('\n')) || item.input.size() > 60) {
            // A short one-line input is all in the header already.
            html += pre.arg(c.codeBg.name(), EventRender::htmlEscaped(item.input));
        }
        if (item.hasResult && !item.result.isEmpty()) {
            html += QStringLiteral("<p style=\"color: %1;\">%2</p>")
                            .arg(item.isError ? c.error.name() : c.muted.name(),
                                 item.isError ? QStringLiteral("Result (error)")
                                              : QStringLiteral("Result"));
            html += QStringLiteral("<pre style=\"white-space: pre-wrap; background-color: "
                                   "%1;%2\">%3</pre>")
                            .arg(c.codeBg.name(),
                                 item.isError ? QStringLiteral(" color: %1;").arg(c.error.name())
                                              : QString(),
                                 EventRender::htmlEscaped(capLines(item.result, kMaxResultLines)));
        }
        return html;
    }

    QTextDocument *document(int row, const EventItem &item) const
    {
        if (QTextDocument *doc = m_docs.object(row))
            return doc;
        const Colors c = colorsFor(m_list->palette());
        const QString html = bodyHtml(item, m_view->isExpanded(row), c);
        if (html.isEmpty())
            return nullptr;
        auto *doc = new QTextDocument;
        doc->setUndoRedoEnabled(false);
        doc->setDocumentMargin(2);
        doc->setDefaultFont(m_list->font());
        const QFont mono = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        doc->setDefaultStyleSheet(QStringLiteral("pre, code { font-family: \"%1\", monospace; } "
                                                 "code { background-color: %2; } p { margin: 0; }")
                                          .arg(mono.family(), c.codeBg.name()));
        doc->setHtml(html);
        doc->setTextWidth(qMax(60, m_width - kLeft - kRight));
        m_docs.insert(row, doc);
        return doc;
    }

    StructuredView *m_view;
    QListView *m_list;
    mutable int m_width = -1;
    mutable QCache<int, QTextDocument> m_docs;
    mutable QHash<int, int> m_heights;
};

StructuredView::StructuredView(QWidget *parent)
    : QWidget(parent)
    , m_model(new EventStreamModel(this))
{
    m_list = new QListView(this);
    m_list->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_list->verticalScrollBar()->setSingleStep(20);
    m_list->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_list->setResizeMode(QListView::Adjust);
    m_list->setSelectionMode(QAbstractItemView::NoSelection);
    m_list->setFocusPolicy(Qt::StrongFocus);
    m_list->setMouseTracking(false);
    m_list->setFrameShape(QFrame::NoFrame);
    m_list->setContextMenuPolicy(Qt::CustomContextMenu);
    m_delegate = new StructuredItemDelegate(this, m_list);
    m_list->setItemDelegate(m_delegate);
    m_list->setModel(m_model);

    m_totals = new QLabel(this);
    m_totals->setForegroundRole(QPalette::PlaceholderText);
    m_totals->setContentsMargins(8, 3, 8, 3);
    m_totals->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_totals->hide();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_list, 1);
    layout->addWidget(m_totals);

    m_idleTimer.setSingleShot(true);
    m_idleTimer.setInterval(IdleMsecs);
    m_capTimer.setSingleShot(true);
    m_capTimer.setInterval(CapMsecs);
    connect(&m_idleTimer, &QTimer::timeout, this, &StructuredView::flush);
    connect(&m_capTimer, &QTimer::timeout, this, &StructuredView::flush);

    connect(m_model, &EventStreamModel::formatChanged, this, &StructuredView::formatChanged);
    connect(m_model, &EventStreamModel::totalsChanged, this, &StructuredView::updateTotals);
    connect(m_model,
            &QAbstractItemModel::dataChanged,
            this,
            [this](const QModelIndex &from, const QModelIndex &to) {
                for (int row = from.row(); row <= to.row(); ++row)
                    m_delegate->invalidate(row);
                // Heights may have changed: let the list lay the rows out again.
                m_list->doItemsLayout();
            });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        m_delegate->invalidateAll();
        m_toggled.clear();
    });
    connect(m_list, &QListView::clicked, this, [this](const QModelIndex &index) {
        if (index.isValid() && collapsible(m_model->item(index.row()).kind))
            setExpanded(index.row(), !isExpanded(index.row()));
    });
    connect(m_list, &QWidget::customContextMenuRequested, this, &StructuredView::contextMenu);
}

StructuredView::~StructuredView() = default;

void StructuredView::appendStdout(const QByteArray &bytes)
{
    if (bytes.isEmpty() || m_model->format() == EventStreamFormat::None)
        return;
    m_queued += bytes;
    scheduleFlush();
}

void StructuredView::finish()
{
    m_finishQueued = true;
    scheduleFlush();
}

void StructuredView::clear()
{
    m_idleTimer.stop();
    m_capTimer.stop();
    m_queued.clear();
    m_finishQueued = false;
    m_model->clear();
    updateTotals();
}

void StructuredView::scheduleFlush()
{
    m_idleTimer.start();
    if (!m_capTimer.isActive())
        m_capTimer.start();
}

void StructuredView::flush()
{
    m_idleTimer.stop();
    m_capTimer.stop();
    QScrollBar *bar = m_list->verticalScrollBar();
    const bool following = bar->value() >= bar->maximum() - 4;
    const int rowsBefore = m_model->rowCount();
    if (!m_queued.isEmpty())
        m_model->feed(std::exchange(m_queued, {}));
    if (m_finishQueued) {
        m_finishQueued = false;
        m_model->finish();
    }
    if (following && m_model->rowCount() > rowsBefore && m_list->isVisible())
        m_list->scrollToBottom();
}

QString StructuredView::totalsText() const
{
    return m_totals->isVisible() || !m_model->totals().isEmpty() ? m_totals->text() : QString();
}

void StructuredView::updateTotals()
{
    const QString text = m_model->totals().toText();
    m_totals->setText(text.isEmpty() ? QString() : tr("Totals: %1").arg(text));
    m_totals->setVisible(!text.isEmpty());
}

bool StructuredView::isExpanded(int row) const
{
    if (row < 0 || row >= m_model->rowCount())
        return false;
    return defaultExpanded(m_model->item(row)) != m_toggled.contains(row);
}

void StructuredView::setExpanded(int row, bool expanded)
{
    if (row < 0 || row >= m_model->rowCount() || isExpanded(row) == expanded)
        return;
    if (m_toggled.contains(row))
        m_toggled.remove(row);
    else
        m_toggled.insert(row);
    m_delegate->invalidate(row);
    m_list->doItemsLayout();
    m_list->viewport()->update();
}

void StructuredView::setAllExpanded(bool expanded)
{
    m_toggled.clear();
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (collapsible(m_model->item(row).kind) && defaultExpanded(m_model->item(row)) != expanded)
            m_toggled.insert(row);
    }
    m_delegate->invalidateAll();
    m_list->doItemsLayout();
    m_list->viewport()->update();
}

void StructuredView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    flush();
}

void StructuredView::contextMenu(const QPoint &pos)
{
    const QModelIndex index = m_list->indexAt(pos);
    QMenu menu(this);
    if (index.isValid()) {
        menu.addAction(tr("Copy"), this, [this, row = index.row()] {
            const EventItem &item = m_model->item(row);
            QStringList parts{EventStreamModel::summary(item)};
            for (const QString &part :
                 {item.text, item.diff.isEmpty() ? item.input : item.diff, item.result})
                if (!part.isEmpty() && !parts.contains(part))
                    parts.append(part);
            QApplication::clipboard()->setText(parts.join(QStringLiteral("\n\n")));
        });
        menu.addSeparator();
    }
    menu.addAction(tr("Expand All"), this, [this] { setAllExpanded(true); });
    menu.addAction(tr("Collapse All"), this, [this] { setAllExpanded(false); });
    menu.exec(m_list->viewport()->mapToGlobal(pos));
}

} // namespace Parallax

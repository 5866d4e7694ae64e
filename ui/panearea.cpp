#include "panearea.h"

#include "variationpane.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QStackedWidget>
#include <QTabWidget>
#include <QVBoxLayout>

namespace Parallax {

static constexpr int kScrollMinPaneHeight = 240;
static constexpr int kColumnMinWidth = 360;

PaneArea::PaneArea(QWidget *parent)
    : QWidget(parent)
{
    m_stack = new QStackedWidget(this);

    m_empty = new QLabel(tr("<p style='font-size:15px'>No run yet.</p>"
                            "<p>Fill in the launch panel and press <b>Ctrl+Enter</b> to launch its "
                            "variations.<br>"
                            "Each variation streams into its own pane, side by side.</p>"),
                         this);
    static_cast<QLabel *>(m_empty)->setAlignment(Qt::AlignCenter);
    m_empty->setForegroundRole(QPalette::PlaceholderText);

    m_scroll = new QScrollArea(this);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    m_gridHost = new QWidget(m_scroll);
    m_grid = new QGridLayout(m_gridHost);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(6);
    m_scroll->setWidget(m_gridHost);

    m_tabs = new QTabWidget(this);
    m_tabs->setDocumentMode(true);
    m_tabs->setMovable(true);

    m_stack->addWidget(m_empty);
    m_stack->addWidget(m_scroll);
    m_stack->addWidget(m_tabs);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
}

int PaneArea::autoColumns(int n)
{
    if (n <= 1)
        return 1;
    if (n <= 4)
        return 2;
    if (n <= 9)
        return 3;
    return 4;
}

void PaneArea::setPanes(const QList<VariationPane *> &panes)
{
    m_maximised = nullptr;
    const QList<VariationPane *> old = m_panes;
    m_panes = panes;
    for (VariationPane *pane : panes) {
        connect(pane, &VariationPane::maximiseToggled, this, [this, pane] {
            toggleMaximised(pane);
        });
        connect(pane, &VariationPane::moveRequested, this, [this, pane](int delta) {
            movePane(pane, delta);
        });
    }
    relayout();
    qDeleteAll(old);
}

void PaneArea::setLayoutMode(Layout layout)
{
    if (m_layout == layout)
        return;
    m_layout = layout;
    m_maximised = nullptr;
    relayout();
}

void PaneArea::toggleMaximised(VariationPane *pane)
{
    if (m_layout == Layout::Tabs)
        return;
    m_maximised = m_maximised == pane ? nullptr : pane;
    for (VariationPane *p : m_panes)
        p->setMaximised(p == m_maximised);
    relayout();
}

void PaneArea::movePane(VariationPane *pane, int delta)
{
    const int from = int(m_panes.indexOf(pane));
    const int to = from + delta;
    if (from < 0 || to < 0 || to >= m_panes.size())
        return;
    m_panes.move(from, to);
    relayout();
}

void PaneArea::relayout()
{
    // Take every pane out of the grid and the tabs, then put them back in order.
    while (m_grid->count() > 0)
        delete m_grid->takeAt(0);
    while (m_tabs->count() > 0)
        m_tabs->removeTab(0);
    for (int c = 0; c < m_grid->columnCount(); ++c)
        m_grid->setColumnStretch(c, 0);
    for (int r = 0; r < m_grid->rowCount(); ++r)
        m_grid->setRowStretch(r, 0);

    if (m_panes.isEmpty()) {
        m_stack->setCurrentWidget(m_empty);
        emit layoutChanged();
        return;
    }
    if (m_layout == Layout::Tabs) {
        for (VariationPane *pane : m_panes) {
            m_tabs->addTab(pane, pane->name());
            pane->show();
        }
        m_stack->setCurrentWidget(m_tabs);
        emit layoutChanged();
        return;
    }

    const int n = int(m_panes.size());
    int columns = m_layout == Layout::Columns ? n : autoColumns(n);
    if (m_maximised)
        columns = 1;
    int index = 0;
    for (VariationPane *pane : m_panes) {
        if (m_maximised && pane != m_maximised) {
            pane->setParent(m_gridHost);
            pane->hide();
            continue;
        }
        pane->setParent(m_gridHost);
        m_grid->addWidget(pane, index / columns, index % columns);
        pane->show();
        ++index;
    }
    const int rows = (index + columns - 1) / columns;
    for (int c = 0; c < columns; ++c)
        m_grid->setColumnStretch(c, 1);
    for (int r = 0; r < rows; ++r)
        m_grid->setRowStretch(r, 1);
    // Beyond 2×2 (or in columns mode with many panes) the grid scrolls rather than shrinking
    // panes below a readable size.
    const bool scrollRows = !m_maximised && m_layout == Layout::Auto && n > 4;
    const bool scrollColumns = !m_maximised && m_layout == Layout::Columns;
    for (VariationPane *pane : m_panes) {
        pane->setMinimumHeight(scrollRows ? kScrollMinPaneHeight : 180);
        pane->setMinimumWidth(scrollColumns ? kColumnMinWidth : 280);
    }
    m_stack->setCurrentWidget(m_scroll);
    emit layoutChanged();
}

} // namespace Parallax

#pragma once

#include <QList>
#include <QWidget>

class QGridLayout;
class QScrollArea;
class QStackedWidget;
class QTabWidget;

namespace Parallax {

class VariationPane;

// Lays variation panes out side by side: automatically (1 → full width, 2 → two columns, 3–4 →
// a 2×2 grid, more → a scrollable grid), in one row of columns, or as tabs. One pane can be
// maximised and restored; panes can be reordered. Owns the panes it is given.
class PaneArea : public QWidget
{
    Q_OBJECT
public:
    enum class Layout { Auto, Columns, Tabs };
    Q_ENUM(Layout)

    explicit PaneArea(QWidget *parent = nullptr);

    void setPanes(const QList<VariationPane *> &panes); // takes ownership, deletes the old ones
    QList<VariationPane *> panes() const { return m_panes; }
    void setLayoutMode(Layout layout);
    Layout layoutMode() const { return m_layout; }
    void toggleMaximised(VariationPane *pane);
    VariationPane *maximisedPane() const { return m_maximised; }
    void movePane(VariationPane *pane, int delta);
    // Columns of the automatic grid for n panes.
    static int autoColumns(int n);

signals:
    void layoutChanged();

private:
    void relayout();

    QList<VariationPane *> m_panes;
    Layout m_layout = Layout::Auto;
    VariationPane *m_maximised = nullptr;
    QStackedWidget *m_stack = nullptr;
    QScrollArea *m_scroll = nullptr;
    QWidget *m_gridHost = nullptr;
    QGridLayout *m_grid = nullptr;
    QTabWidget *m_tabs = nullptr;
    QWidget *m_empty = nullptr;
};

} // namespace Parallax

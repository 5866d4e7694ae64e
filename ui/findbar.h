#pragma once

#include <QPointer>
#include <QTimer>
#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QToolButton;

namespace Parallax {

class OutputView;

// The find bar under the panes: a pattern, "Regex" and "Match case" options, a result label
// and previous/next buttons. Enter steps to the next match, Shift+Enter to the previous one,
// Escape closes the bar. Typing is debounced before findRequested(), since a search may run
// over 16 panes of 100000 lines.
//
// Either it drives one OutputView itself (setView(): pattern, stepping and the "3 of 17" label
// come from that view), or the owner listens to its signals and reports with setResult() (the
// window's search across panes). GUI thread.
class FindBar : public QWidget
{
    Q_OBJECT

public:
    static constexpr int DebounceMsecs = 150;

    explicit FindBar(QWidget *parent = nullptr);
    ~FindBar() override;

    void setView(OutputView *view);
    OutputView *view() const { return m_view; }

    QString text() const;
    void setText(const QString &text);
    bool isRegex() const;
    bool isCaseSensitive() const;

    // Shows the bar, focuses the pattern and selects it.
    void activate();
    // A short note on what is searched ("Focused pane", "All panes"); empty hides it.
    void setScopeText(const QString &text);
    // For owners that search several views: the total, and how many views have matches.
    void setResult(int total, int viewsWithMatches);
    QString resultText() const;

signals:
    void findRequested(); // pattern or options changed
    void nextRequested();
    void previousRequested();
    void closed();

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void onPatternEdited();
    void requestFind();
    void flushPendingFind();
    void next();
    void previous();
    void closeBar();
    void showViewResult(int count, int current);
    void showError(const QString &error);

    QPointer<OutputView> m_view;
    QLineEdit *m_edit = nullptr;
    QCheckBox *m_regex = nullptr;
    QCheckBox *m_caseSensitive = nullptr;
    QLabel *m_scope = nullptr;
    QLabel *m_result = nullptr;
    QToolButton *m_previous = nullptr;
    QToolButton *m_next = nullptr;
    QToolButton *m_close = nullptr;
    QTimer m_debounce;
    QMetaObject::Connection m_viewConnection;
};

} // namespace Parallax

#include "findbar.h"

#include "outputview.h"
#include "text/terminalbuffer.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QStyle>
#include <QToolButton>

namespace Parallax {

FindBar::FindBar(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("findBar"));

    m_edit = new QLineEdit(this);
    m_edit->setObjectName(QStringLiteral("findEdit"));
    m_edit->setPlaceholderText(tr("Find in output"));
    m_edit->setClearButtonEnabled(true);
    m_edit->setAccessibleName(tr("Find"));
    m_edit->installEventFilter(this);

    m_regex = new QCheckBox(tr("Re&gex"), this);
    m_regex->setObjectName(QStringLiteral("findRegex"));
    m_regex->setToolTip(tr("Treat the pattern as a regular expression"));
    m_caseSensitive = new QCheckBox(tr("Match &case"), this);
    m_caseSensitive->setObjectName(QStringLiteral("findCase"));

    m_scope = new QLabel(this);
    m_scope->setObjectName(QStringLiteral("findScope"));
    m_scope->setEnabled(false); // drawn as secondary text
    m_scope->hide();
    m_result = new QLabel(this);
    m_result->setObjectName(QStringLiteral("findResult"));
    m_result->setMinimumWidth(fontMetrics().horizontalAdvance(QStringLiteral("100000 of 100000+")));

    const auto makeButton
            = [this](const QString &name, QStyle::StandardPixmap icon, const QString &tip) {
                  auto *button = new QToolButton(this);
                  button->setObjectName(name);
                  button->setIcon(style()->standardIcon(icon));
                  button->setToolTip(tip);
                  button->setAutoRaise(true);
                  return button;
              };
    m_previous = makeButton(
            QStringLiteral("findPrevious"), QStyle::SP_ArrowUp, tr("Previous match (Shift+Enter)"));
    m_next = makeButton(QStringLiteral("findNext"), QStyle::SP_ArrowDown, tr("Next match (Enter)"));
    m_close = makeButton(
            QStringLiteral("findClose"), QStyle::SP_DialogCloseButton, tr("Close (Escape)"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(6, 3, 6, 3);
    layout->setSpacing(6);
    layout->addWidget(m_edit, 1);
    layout->addWidget(m_regex);
    layout->addWidget(m_caseSensitive);
    layout->addWidget(m_scope);
    layout->addWidget(m_result);
    layout->addWidget(m_previous);
    layout->addWidget(m_next);
    layout->addWidget(m_close);

    m_debounce.setSingleShot(true);
    m_debounce.setInterval(DebounceMsecs);
    connect(&m_debounce, &QTimer::timeout, this, &FindBar::requestFind);
    connect(m_edit, &QLineEdit::textChanged, this, &FindBar::onPatternEdited);
    connect(m_regex, &QCheckBox::toggled, this, &FindBar::requestFind);
    connect(m_caseSensitive, &QCheckBox::toggled, this, &FindBar::requestFind);
    connect(m_previous, &QToolButton::clicked, this, &FindBar::previous);
    connect(m_next, &QToolButton::clicked, this, &FindBar::next);
    connect(m_close, &QToolButton::clicked, this, &FindBar::closeBar);
}

FindBar::~FindBar() = default;

void FindBar::setView(OutputView *view)
{
    if (m_view == view)
        return;
    disconnect(m_viewConnection);
    m_view = view;
    if (!view)
        return;
    m_viewConnection = connect(view, &OutputView::matchesChanged, this, &FindBar::showViewResult);
    if (!m_edit->text().isEmpty())
        requestFind();
}

QString FindBar::text() const
{
    return m_edit->text();
}

void FindBar::setText(const QString &text)
{
    m_edit->setText(text);
}

bool FindBar::isRegex() const
{
    return m_regex->isChecked();
}

bool FindBar::isCaseSensitive() const
{
    return m_caseSensitive->isChecked();
}

void FindBar::activate()
{
    show();
    m_edit->setFocus(Qt::ShortcutFocusReason);
    m_edit->selectAll();
}

void FindBar::setScopeText(const QString &text)
{
    m_scope->setText(text);
    m_scope->setVisible(!text.isEmpty());
}

void FindBar::setResult(int total, int viewsWithMatches)
{
    if (m_edit->text().isEmpty())
        m_result->clear();
    else if (total == 0)
        m_result->setText(tr("No matches"));
    else if (viewsWithMatches > 1)
        m_result->setText(
                tr("%1 matches in %2 panes").arg(QLocale().toString(total)).arg(viewsWithMatches));
    else
        m_result->setText(total == 1 ? tr("1 match")
                                     : tr("%1 matches").arg(QLocale().toString(total)));
}

QString FindBar::resultText() const
{
    return m_result->text();
}

void FindBar::onPatternEdited()
{
    m_debounce.start();
}

void FindBar::flushPendingFind()
{
    if (m_debounce.isActive()) {
        m_debounce.stop();
        requestFind();
    }
}

void FindBar::requestFind()
{
    m_debounce.stop();
    TerminalBuffer::FindFlags flags;
    if (isRegex())
        flags |= TerminalBuffer::RegularExpression;
    const QString error = TerminalBuffer::patternError(text(), flags);
    showError(error);
    if (m_view) {
        m_view->setFindPattern(text(), isRegex(), isCaseSensitive());
        if (error.isEmpty())
            showViewResult(m_view->matchCount(), m_view->currentMatchIndex());
    }
    emit findRequested();
}

void FindBar::next()
{
    flushPendingFind();
    if (m_view)
        m_view->findNext();
    emit nextRequested();
}

void FindBar::previous()
{
    flushPendingFind();
    if (m_view)
        m_view->findPrevious();
    emit previousRequested();
}

void FindBar::closeBar()
{
    m_debounce.stop();
    hide();
    if (m_view) {
        m_view->setFindPattern(QString());
        m_view->setFocus(Qt::OtherFocusReason);
    }
    emit closed();
}

void FindBar::showViewResult(int count, int current)
{
    if (!m_view || !m_view->findError().isEmpty())
        return;
    const QString total = QLocale().toString(count)
                          + (m_view->matchesCapped() ? QStringLiteral("+") : QString());
    if (m_edit->text().isEmpty())
        m_result->clear();
    else if (count == 0)
        m_result->setText(tr("No matches"));
    else if (current < 0)
        m_result->setText(count == 1 ? tr("1 match") : tr("%1 matches").arg(total));
    else
        m_result->setText(tr("%1 of %2").arg(QLocale().toString(current + 1), total));
}

void FindBar::showError(const QString &error)
{
    if (error.isEmpty()) {
        m_result->setStyleSheet(QString());
        m_result->setToolTip(QString());
        return;
    }
    m_result->setText(tr("Invalid pattern"));
    m_result->setToolTip(error);
    m_result->setStyleSheet(QStringLiteral("color: #d33;"));
}

void FindBar::keyPressEvent(QKeyEvent *event)
{
    // Escape from anywhere in the bar (the check boxes, the buttons), not just the pattern.
    if (event->key() == Qt::Key_Escape) {
        closeBar();
        event->accept();
        return;
    }
    QWidget::keyPressEvent(event);
}

bool FindBar::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_edit && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        switch (key->key()) {
        case Qt::Key_Return:
        case Qt::Key_Enter:
            if (key->modifiers() & Qt::ShiftModifier)
                previous();
            else
                next();
            return true;
        case Qt::Key_Escape:
            closeBar();
            return true;
        case Qt::Key_F3:
            if (key->modifiers() & Qt::ShiftModifier)
                previous();
            else
                next();
            return true;
        default:
            break;
        }
    }
    return QWidget::eventFilter(watched, event);
}

} // namespace Parallax

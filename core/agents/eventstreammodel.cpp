#include "eventstreammodel.h"

namespace Parallax {

EventStreamModel::EventStreamModel(QObject *parent)
    : QAbstractListModel(parent)
{}

void EventStreamModel::feed(QByteArrayView stdoutBytes)
{
    const EventStreamFormat before = m_parser.format();
    m_parser.feed(stdoutBytes);
    apply();
    if (m_parser.format() != before)
        emit formatChanged(m_parser.format());
}

void EventStreamModel::finish()
{
    const EventStreamFormat before = m_parser.format();
    m_parser.finish();
    apply();
    if (m_parser.format() != before)
        emit formatChanged(m_parser.format());
}

void EventStreamModel::clear()
{
    const EventStreamFormat before = m_parser.format();
    beginResetModel();
    m_parser.clear();
    m_rows = 0;
    endResetModel();
    if (before != m_parser.format())
        emit formatChanged(m_parser.format());
    emit totalsChanged();
}

void EventStreamModel::apply()
{
    const EventStreamParser::Changes changes = m_parser.takeChanges();
    // Updated rows are contiguous runs more often than not (a Codex item and its neighbours):
    // one dataChanged per run.
    for (qsizetype i = 0; i < changes.updated.size();) {
        qsizetype j = i;
        while (j + 1 < changes.updated.size() && changes.updated[j + 1] == changes.updated[j] + 1)
            ++j;
        if (changes.updated[j] < m_rows)
            emit dataChanged(index(int(changes.updated[i])), index(int(changes.updated[j])));
        i = j + 1;
    }
    const int size = int(m_parser.items().size());
    if (size > m_rows) {
        beginInsertRows({}, m_rows, size - 1);
        m_rows = size;
        endInsertRows();
    }
    if (changes.totalsChanged)
        emit totalsChanged();
}

int EventStreamModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

QString EventStreamModel::summary(const EventItem &item)
{
    const auto firstLine = [](const QString &text) {
        const QString line = text.section(QLatin1Char('\n'), 0, 0).trimmed();
        return line.size() > 160 ? line.left(159) + QStringLiteral("…") : line;
    };
    switch (item.kind) {
    case EventItem::Kind::AssistantText:
        return firstLine(item.text);
    case EventItem::Kind::Thinking:
        return QStringLiteral("Thinking");
    case EventItem::Kind::ToolCall:
        return item.input.isEmpty()
                       ? item.title
                       : QStringLiteral("%1: %2").arg(item.title, firstLine(item.input));
    case EventItem::Kind::Error:
        return QStringLiteral("Error: %1").arg(firstLine(item.text));
    case EventItem::Kind::Result:
        return QStringLiteral("Result (%1)")
                .arg(item.title.isEmpty() ? QStringLiteral("?") : item.title);
    case EventItem::Kind::System:
    case EventItem::Kind::User:
    case EventItem::Kind::RawText:
        return firstLine(item.text);
    case EventItem::Kind::Unknown:
        return item.count > 1
                       ? QStringLiteral("%1 ×%2").arg(item.title, QString::number(item.count))
                       : item.title;
    }
    return {};
}

QVariant EventStreamModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const EventItem &item = m_parser.items().at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        return summary(item);
    case KindRole:
        return int(item.kind);
    case TitleRole:
        return item.title;
    case TextRole:
        return item.text;
    case InputRole:
        return item.input;
    case DiffRole:
        return item.diff;
    case ResultRole:
        return item.result;
    case HasResultRole:
        return item.hasResult;
    case IsErrorRole:
        return item.isError;
    case PendingRole:
        return item.pending;
    case CountRole:
        return item.count;
    default:
        return {};
    }
}

QHash<int, QByteArray> EventStreamModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(KindRole, "kind");
    names.insert(TitleRole, "title");
    names.insert(TextRole, "text");
    names.insert(InputRole, "input");
    names.insert(DiffRole, "diff");
    names.insert(ResultRole, "result");
    names.insert(HasResultRole, "hasResult");
    names.insert(IsErrorRole, "isError");
    names.insert(PendingRole, "pending");
    names.insert(CountRole, "count");
    return names;
}

} // namespace Parallax

#pragma once

#include "eventstream.h"

#include <QAbstractListModel>

namespace Parallax {

// The items of one variation's agent event stream as a list model, for the structured view.
// Bytes of stdout go in through feed() (as they arrive, or a recorded transcript at once); each
// feed inserts the new items as one range and reports items changed in place (a tool result
// arriving) with dataChanged - never a reset, except clear(). formatChanged() fires once the
// stream is recognised (or found not to be one). Owned by its pane; GUI thread.
class EventStreamModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        KindRole = Qt::UserRole + 1, // EventItem::Kind as int
        TitleRole,
        TextRole,
        InputRole,
        DiffRole,
        ResultRole,
        HasResultRole,
        IsErrorRole,
        PendingRole,
        CountRole,
    };

    explicit EventStreamModel(QObject *parent = nullptr);

    void feed(QByteArrayView stdoutBytes);
    void finish();
    void clear();

    EventStreamFormat format() const { return m_parser.format(); }
    bool isEventStream() const { return m_parser.isEventStream(); }
    const EventTotals &totals() const { return m_parser.totals(); }
    const EventItem &item(int row) const { return m_parser.items().at(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // One line describing an item (the display role): "Bash: ls -la", "Thinking", ...
    static QString summary(const EventItem &item);

signals:
    void formatChanged(EventStreamFormat format);
    void totalsChanged();

private:
    void apply();

    EventStreamParser m_parser;
    int m_rows = 0; // rows the views know about
};

} // namespace Parallax

#pragma once

#include <QAbstractListModel>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace Parallax {

// The progress of one image pull as a list of layers, fed the JSON messages of
// POST /images/create one by one (apply()). Each layer has the daemon's last status
// ("Waiting", "Downloading", "Extracting", "Pull complete", "Already exists") and the
// current/total bytes of its current phase; overall() weighs the layers by size once every
// size is known. Messages without a layer id ("Digest: ...", "Status: ...") become the status
// line, and {"errorDetail": ...} the error. Updated row by row (dataChanged), never reset
// except by clear(). Owned by an ImagePull or a test; main thread.
class PullProgress : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role {
        IdRole = Qt::UserRole + 1,
        StatusRole,
        CurrentRole,
        TotalRole,
        FractionRole, // 0..1 for the whole layer: download then extraction
        DoneRole,
    };

    struct Layer
    {
        QString id;
        QString status;
        qint64 current = 0;
        qint64 total = 0;         // of the current phase; 0 when unknown
        qint64 downloadTotal = 0; // the compressed size, once a Downloading message said it
        double fraction = 0;
        bool done = false;
        int messages = 0; // progress messages received for this layer
    };

    explicit PullProgress(QObject *parent = nullptr);

    void clear();
    // One message of the stream; returns false for an error message (see error()).
    bool apply(const QJsonObject &message);

    const QList<Layer> &layers() const { return m_layers; }
    double overall() const;
    QString statusLine() const { return m_statusLine; }
    QString error() const { return m_error; }
    int messageCount() const { return m_messages; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

    // "Downloading 1.2 MB / 3.4 MB"
    static QString describe(const Layer &layer);

signals:
    void statusLineChanged(const QString &text);

private:
    QList<Layer> m_layers;
    QString m_statusLine;
    QString m_error;
    int m_messages = 0;
};

} // namespace Parallax

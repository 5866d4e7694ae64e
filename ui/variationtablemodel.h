#pragma once

#include "run/runspec.h"
#include "util/result.h"

#include <QAbstractTableModel>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Parallax {

// The launch panel's editable list of variations: one row per variation, with its name and
// its overrides as the text the user typed (environment as "KEY=value, KEY2=value2", command
// as a shell-like line). Text is parsed only when the spec is built, so a half-typed entry is
// never rewritten under the user's cursor. Edits and row operations are incremental
// (dataChanged, beginInsertRows, ...); only setVariations() resets. GUI thread.
class VariationTableModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, EnvColumn, CommandColumn, ImageColumn, ColumnCount };
    enum Role {
        ProblemRole = Qt::UserRole + 1, // QString: what validation found wrong with the row
    };

    explicit VariationTableModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    bool setData(const QModelIndex &index, const QVariant &value, int role = Qt::EditRole) override;
    // New rows carry no overrides and get the first free name among v1, v2, ...
    bool insertRows(int row, int count, const QModelIndex &parent = QModelIndex()) override;
    bool removeRows(int row, int count, const QModelIndex &parent = QModelIndex()) override;
    bool moveRows(const QModelIndex &sourceParent,
                  int sourceRow,
                  int count,
                  const QModelIndex &destinationParent,
                  int destinationChild) override;

    // Appends a row with no overrides; returns its row, or -1 at RunSpec::MaxVariations.
    int addRow();
    // Inserts a copy of row below it, named uniquely ("fast" -> "fast-2", "fast-2" -> "fast-3");
    // returns the new row, or -1.
    int duplicateRow(int row);
    // Grows or shrinks to n rows (1..RunSpec::MaxVariations) at the end, as the count box does.
    void resize(int n);
    // Every row is plain and they are named v1..vN in order: the spec can say "variations": N.
    bool isCounted() const;

    void setVariations(const QList<VariationSpec> &variations);
    // Rows whose text does not parse are reported as problems with their field path
    // ("variations[1].env") and contribute no value for that column.
    QList<VariationSpec> variations(QList<SpecProblem> *problems = nullptr) const;

    // Marks a row as having a problem (shown as a tint and a tooltip); several accumulate.
    void addRowProblem(int row, const QString &message);
    void clearProblems();
    QString rowProblem(int row) const;

    // The text forms used in the table and by the launch panel's own fields.
    static QString formatEnv(const QMap<QString, QString> &env);
    static Result<QMap<QString, QString>> parseEnv(const QString &text);
    // Quotes arguments so that QProcess::splitCommand() reads them back.
    static QString formatCommand(const QStringList &arguments);
    // The cell text of a command override: empty inherits, ImageDefaultText is "[]".
    static QString formatCommandOverride(const std::optional<QStringList> &command);
    static std::optional<QStringList> parseCommandOverride(const QString &text);
    static QString imageDefaultText();

private:
    struct Row
    {
        QString name;
        QString env;
        QString command;
        QString image;
        QStringList problems;
    };

    QString uniqueName(const QString &base, int firstSuffix) const;
    bool nameTaken(const QString &name) const;
    void emitRowChanged(int row, const QList<int> &roles);

    QList<Row> m_rows;
};

} // namespace Parallax

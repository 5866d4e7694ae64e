#include "variationtablemodel.h"

#include <QColor>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace Parallax {

namespace {

// Variation names become file names (docs/spec.md).
constexpr int MaxNameLength = 63;

const QList<int> EditRoles = {Qt::DisplayRole, Qt::EditRole};
const QList<int> ProblemRoles
        = {Qt::BackgroundRole, Qt::ToolTipRole, VariationTableModel::ProblemRole};

bool needsQuotes(const QString &value)
{
    if (value.isEmpty())
        return false;
    if (value.front().isSpace() || value.back().isSpace() || value.front() == QLatin1Char('"'))
        return true;
    return value.contains(QLatin1Char(',')) || value.contains(QLatin1Char('\n'))
           || value.contains(QLatin1Char('\r'));
}

QString quoted(const QString &value)
{
    QString out = QStringLiteral("\"");
    for (const QChar c : value) {
        if (c == QLatin1Char('"') || c == QLatin1Char('\\'))
            out += QLatin1Char('\\') + c;
        else if (c == QLatin1Char('\n'))
            out += QLatin1String("\\n");
        else
            out += c;
    }
    return out + QLatin1Char('"');
}

bool isSeparator(QChar c)
{
    return c == QLatin1Char(',') || c == QLatin1Char('\n');
}

} // namespace

VariationTableModel::VariationTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{}

int VariationTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int VariationTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant VariationTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::EditRole:
        switch (index.column()) {
        case NameColumn:
            return row.name;
        case EnvColumn:
            return row.env;
        case CommandColumn:
            return row.command;
        case ImageColumn:
            return row.image;
        }
        break;
    case Qt::ToolTipRole:
        if (!row.problems.isEmpty())
            return row.problems.join(QLatin1Char('\n'));
        // Overrides are often wider than their column; the tooltip shows the whole text.
        if (index.column() == EnvColumn && !row.env.isEmpty())
            return row.env;
        if (index.column() == CommandColumn && !row.command.isEmpty())
            return row.command;
        break;
    case Qt::BackgroundRole:
        if (!row.problems.isEmpty())
            return QColor(220, 50, 47, 56);
        break;
    case ProblemRole:
        return row.problems.join(QLatin1Char('\n'));
    default:
        break;
    }
    return {};
}

QVariant VariationTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Vertical) {
        if (role == Qt::DisplayRole && section >= 0 && section < m_rows.size())
            return section + 1;
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return tr("Name");
        case EnvColumn:
            return tr("Environment");
        case CommandColumn:
            return tr("Command");
        case ImageColumn:
            return tr("Image");
        }
    } else if (role == Qt::ToolTipRole) {
        switch (section) {
        case NameColumn:
            return tr("Unique name of the variation: letters, digits, '.', '_' or '-'. "
                      "It names the pane, the transcript and the container.");
        case EnvColumn:
            return tr("Variables set on top of the top-level environment, as "
                      "KEY=value, KEY2=value2. Put a value in double quotes to include a comma.");
        case CommandColumn:
            return tr("Replaces the top-level command; empty inherits it. Arguments are split "
                      "at spaces; double quotes keep spaces. %1 runs the image's own command.")
                    .arg(imageDefaultText());
        case ImageColumn:
            return tr("Replaces the top-level image; empty inherits it.");
        }
    }
    return {};
}

Qt::ItemFlags VariationTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemIsEditable | Qt::ItemNeverHasChildren;
}

bool VariationTableModel::setData(const QModelIndex &index, const QVariant &value, int role)
{
    if (role != Qt::EditRole
        || !checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return false;
    Row &row = m_rows[index.row()];
    QString text = value.toString();
    QString *target = nullptr;
    switch (index.column()) {
    case NameColumn:
        text = text.trimmed();
        target = &row.name;
        break;
    case EnvColumn:
        target = &row.env;
        break;
    case CommandColumn:
        target = &row.command;
        break;
    case ImageColumn:
        text = text.trimmed();
        target = &row.image;
        break;
    default:
        return false;
    }
    if (*target == text)
        return true;
    *target = text;
    emit dataChanged(index, index, EditRoles);
    // What validation said about the row no longer describes it.
    if (!row.problems.isEmpty()) {
        row.problems.clear();
        emitRowChanged(index.row(), ProblemRoles);
    }
    return true;
}

bool VariationTableModel::insertRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || row > m_rows.size() || count < 1
        || m_rows.size() + count > RunSpec::MaxVariations)
        return false;
    QList<Row> added;
    QSet<QString> taken;
    for (const Row &existing : std::as_const(m_rows))
        taken.insert(existing.name.toLower());
    int next = int(m_rows.size()) + 1;
    for (int i = 0; i < count; ++i) {
        while (taken.contains(QStringLiteral("v%1").arg(next)))
            ++next;
        const QString name = QStringLiteral("v%1").arg(next);
        taken.insert(name);
        added.append(Row{name, {}, {}, {}, {}});
    }
    beginInsertRows(QModelIndex(), row, row + count - 1);
    for (int i = 0; i < count; ++i)
        m_rows.insert(row + i, added.at(i));
    endInsertRows();
    return true;
}

bool VariationTableModel::removeRows(int row, int count, const QModelIndex &parent)
{
    if (parent.isValid() || row < 0 || count < 1 || row + count > m_rows.size())
        return false;
    beginRemoveRows(QModelIndex(), row, row + count - 1);
    m_rows.remove(row, count);
    endRemoveRows();
    return true;
}

bool VariationTableModel::moveRows(const QModelIndex &sourceParent,
                                   int sourceRow,
                                   int count,
                                   const QModelIndex &destinationParent,
                                   int destinationChild)
{
    if (sourceParent.isValid() || destinationParent.isValid() || count < 1 || sourceRow < 0
        || sourceRow + count > m_rows.size() || destinationChild < 0
        || destinationChild > m_rows.size())
        return false;
    if (!beginMoveRows(
                QModelIndex(), sourceRow, sourceRow + count - 1, QModelIndex(), destinationChild))
        return false;
    const QList<Row> block = m_rows.mid(sourceRow, count);
    m_rows.remove(sourceRow, count);
    const int insertAt = destinationChild > sourceRow ? destinationChild - count : destinationChild;
    for (int i = 0; i < count; ++i)
        m_rows.insert(insertAt + i, block.at(i));
    endMoveRows();
    return true;
}

int VariationTableModel::addRow()
{
    const int row = int(m_rows.size());
    return insertRows(row, 1) ? row : -1;
}

int VariationTableModel::duplicateRow(int row)
{
    if (row < 0 || row >= m_rows.size() || m_rows.size() >= RunSpec::MaxVariations)
        return -1;
    Row copy = m_rows.at(row);
    copy.problems.clear();

    // "fast-2" duplicates to "fast-3", not "fast-2-2".
    QString base = copy.name.isEmpty() ? QStringLiteral("v") : copy.name;
    int suffix = 2;
    static const QRegularExpression numbered(QStringLiteral("^(.+)-(\\d{1,6})$"));
    if (const QRegularExpressionMatch match = numbered.match(base); match.hasMatch()) {
        base = match.captured(1);
        suffix = match.captured(2).toInt() + 1;
    }
    copy.name = uniqueName(base, suffix);

    beginInsertRows(QModelIndex(), row + 1, row + 1);
    m_rows.insert(row + 1, copy);
    endInsertRows();
    return row + 1;
}

void VariationTableModel::resize(int n)
{
    n = std::clamp(n, 1, RunSpec::MaxVariations);
    const int current = int(m_rows.size());
    if (n > current)
        insertRows(current, n - current);
    else if (n < current)
        removeRows(n, current - n);
}

bool VariationTableModel::isCounted() const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        const Row &row = m_rows.at(i);
        if (row.name != QStringLiteral("v%1").arg(i + 1) || !row.env.trimmed().isEmpty()
            || !row.command.trimmed().isEmpty() || !row.image.isEmpty())
            return false;
    }
    return true;
}

void VariationTableModel::setVariations(const QList<VariationSpec> &variations)
{
    beginResetModel();
    m_rows.clear();
    for (const VariationSpec &variation : variations)
        m_rows.append(Row{variation.name,
                          formatEnv(variation.env),
                          formatCommandOverride(variation.command),
                          variation.image,
                          {}});
    endResetModel();
}

QList<VariationSpec> VariationTableModel::variations(QList<SpecProblem> *problems) const
{
    QList<VariationSpec> result;
    result.reserve(m_rows.size());
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        const Row &row = m_rows.at(i);
        VariationSpec variation;
        variation.name = row.name;
        variation.image = row.image;
        variation.command = parseCommandOverride(row.command);
        const Result<QMap<QString, QString>> env = parseEnv(row.env);
        if (env)
            variation.env = *env;
        else if (problems)
            problems->append(
                    SpecProblem{QStringLiteral("variations[%1].env").arg(i), env.errorString()});
        result.append(variation);
    }
    return result;
}

void VariationTableModel::addRowProblem(int row, const QString &message)
{
    if (row < 0 || row >= m_rows.size())
        return;
    m_rows[row].problems.append(message);
    emitRowChanged(row, ProblemRoles);
}

void VariationTableModel::clearProblems()
{
    for (int row = 0; row < m_rows.size(); ++row) {
        if (!m_rows.at(row).problems.isEmpty()) {
            m_rows[row].problems.clear();
            emitRowChanged(row, ProblemRoles);
        }
    }
}

QString VariationTableModel::rowProblem(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return {};
    return m_rows.at(row).problems.join(QLatin1Char('\n'));
}

QString VariationTableModel::formatEnv(const QMap<QString, QString> &env)
{
    QStringList parts;
    parts.reserve(env.size());
    for (auto it = env.begin(); it != env.end(); ++it)
        parts.append(it.key() + QLatin1Char('=')
                     + (needsQuotes(it.value()) ? quoted(it.value()) : it.value()));
    return parts.join(QLatin1String(", "));
}

// Entries are separated by commas or newlines; a value runs to the next separator unless it
// starts with a double quote, in which case \" \\ and \n are its escapes.
Result<QMap<QString, QString>> VariationTableModel::parseEnv(const QString &text)
{
    QMap<QString, QString> env;
    const qsizetype n = text.size();
    qsizetype pos = 0;
    while (pos < n) {
        const QChar c = text.at(pos);
        if (c.isSpace() || isSeparator(c)) {
            ++pos;
            continue;
        }
        const qsizetype start = pos;
        while (pos < n && text.at(pos) != QLatin1Char('=') && !isSeparator(text.at(pos)))
            ++pos;
        const QString key = text.mid(start, pos - start).trimmed();
        if (pos >= n || text.at(pos) != QLatin1Char('='))
            return Error{QStringLiteral("'%1' is not KEY=value").arg(key)};
        if (key.isEmpty())
            return Error{QStringLiteral("a value has no name before its '='")};
        ++pos; // '='
        while (pos < n && text.at(pos).isSpace() && text.at(pos) != QLatin1Char('\n'))
            ++pos;
        QString value;
        if (pos < n && text.at(pos) == QLatin1Char('"')) {
            ++pos;
            bool closed = false;
            while (pos < n) {
                const QChar q = text.at(pos++);
                if (q == QLatin1Char('"')) {
                    closed = true;
                    break;
                }
                if (q == QLatin1Char('\\') && pos < n) {
                    const QChar escaped = text.at(pos++);
                    value += escaped == QLatin1Char('n') ? QChar(QLatin1Char('\n')) : escaped;
                } else {
                    value += q;
                }
            }
            if (!closed)
                return Error{
                        QStringLiteral("the quoted value of %1 has no closing quote").arg(key)};
            while (pos < n && text.at(pos).isSpace() && text.at(pos) != QLatin1Char('\n'))
                ++pos;
            if (pos < n && !isSeparator(text.at(pos)))
                return Error{QStringLiteral("unexpected text after the quoted value of %1; "
                                            "separate entries with commas")
                                     .arg(key)};
        } else {
            const qsizetype valueStart = pos;
            while (pos < n && !isSeparator(text.at(pos)))
                ++pos;
            value = text.mid(valueStart, pos - valueStart).trimmed();
        }
        if (env.contains(key))
            return Error{QStringLiteral("%1 is set twice").arg(key)};
        env.insert(key, value);
    }
    return env;
}

QString VariationTableModel::formatCommand(const QStringList &arguments)
{
    // QProcess::splitCommand: whitespace separates, double quotes group, and three double
    // quotes in a row stand for one literal quote.
    QStringList parts;
    parts.reserve(arguments.size());
    for (const QString &argument : arguments) {
        const bool plain = !argument.isEmpty() && !argument.contains(QLatin1Char('"'))
                           && std::none_of(argument.begin(), argument.end(), [](QChar c) {
                                  return c.isSpace();
                              });
        if (plain) {
            parts.append(argument);
        } else {
            QString escaped = argument;
            escaped.replace(QLatin1String("\""), QLatin1String("\"\"\""));
            parts.append(QLatin1Char('"') + escaped + QLatin1Char('"'));
        }
    }
    return parts.join(QLatin1Char(' '));
}

QString VariationTableModel::formatCommandOverride(const std::optional<QStringList> &command)
{
    if (!command)
        return {};
    if (command->isEmpty())
        return imageDefaultText();
    return formatCommand(*command);
}

std::optional<QStringList> VariationTableModel::parseCommandOverride(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return std::nullopt;
    if (trimmed.compare(imageDefaultText(), Qt::CaseInsensitive) == 0)
        return QStringList();
    return QProcess::splitCommand(trimmed);
}

QString VariationTableModel::imageDefaultText()
{
    return QStringLiteral("(image default)");
}

QString VariationTableModel::uniqueName(const QString &base, int firstSuffix) const
{
    for (int suffix = firstSuffix;; ++suffix) {
        const QString tail = QStringLiteral("-%1").arg(suffix);
        const QString name = base.left(MaxNameLength - int(tail.size())) + tail;
        if (!nameTaken(name))
            return name;
    }
}

bool VariationTableModel::nameTaken(const QString &name) const
{
    return std::any_of(m_rows.begin(), m_rows.end(), [&](const Row &row) {
        return row.name.compare(name, Qt::CaseInsensitive) == 0;
    });
}

void VariationTableModel::emitRowChanged(int row, const QList<int> &roles)
{
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1), roles);
}

} // namespace Parallax

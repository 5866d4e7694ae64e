#include "runspec.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QJsonValue>
#include <QLocale>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>
#include <cmath>
#include <utility>

namespace Parallax {

namespace {

constexpr int InvalidSpec = 2;

// A spec is a small hand-written file; anything bigger is almost certainly the wrong file.
constexpr qint64 MaxSpecFileSize = qint64(1024) * 1024;

// Docker refuses smaller memory limits with an error that does not say which field was wrong.
constexpr qint64 DockerMinimumMemory = qint64(6) * 1024 * 1024;

const QString ReservedPrefix = QStringLiteral("PARALLAX_");

const QStringList TopLevelKeys = {
        QStringLiteral("name"),
        QStringLiteral("image"),
        QStringLiteral("command"),
        QStringLiteral("workdir"),
        QStringLiteral("env"),
        QStringLiteral("secrets"),
        QStringLiteral("prompt"),
        QStringLiteral("repo"),
        QStringLiteral("tty"),
        QStringLiteral("network"),
        QStringLiteral("limits"),
        QStringLiteral("keep_containers"),
        QStringLiteral("variations"),
};
const QStringList RepoKeys = {QStringLiteral("url"), QStringLiteral("ref")};
const QStringList LimitKeys = {
        QStringLiteral("memory"),
        QStringLiteral("cpus"),
        QStringLiteral("pids"),
        QStringLiteral("timeout"),
};
const QStringList VariationKeys = {
        QStringLiteral("name"),
        QStringLiteral("env"),
        QStringLiteral("command"),
        QStringLiteral("image"),
};

QString typeName(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return QStringLiteral("a boolean");
    case QJsonValue::Double:
        return QStringLiteral("a number");
    case QJsonValue::String:
        return QStringLiteral("a string");
    case QJsonValue::Array:
        return QStringLiteral("an array");
    case QJsonValue::Object:
        return QStringLiteral("an object");
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        break;
    }
    return QStringLiteral("null");
}

QString numberText(double value)
{
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

QString join(const QString &prefix, const QString &key)
{
    return prefix.isEmpty() ? key : prefix + QLatin1Char('.') + key;
}

QString indexed(const QString &field, qsizetype index)
{
    return QStringLiteral("%1[%2]").arg(field).arg(index);
}

bool isVariableName(const QString &name)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return pattern.match(name).hasMatch();
}

bool isVariationName(const QString &name)
{
    // It becomes a file and directory name, so no separators, no leading dot, bounded length.
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$"));
    return pattern.match(name).hasMatch();
}

bool isPlain(const VariationSpec &variation)
{
    return variation.env.isEmpty() && !variation.command && variation.image.isEmpty();
}

QString countedName(int index)
{
    return QStringLiteral("v%1").arg(index + 1);
}

QList<VariationSpec> countedVariations(int n)
{
    QList<VariationSpec> variations;
    variations.reserve(n);
    for (int i = 0; i < n; ++i)
        variations.append(VariationSpec{countedName(i), {}, std::nullopt, {}});
    return variations;
}

// QJsonParseError::offset points just past the character at which the parser gave up; an
// editor user wants that character itself.
QString lineAndColumn(const QByteArray &json, int offset)
{
    const QByteArray before = json.left(std::max(0, offset - 1));
    const qsizetype line = before.count('\n') + 1;
    // Columns count characters, not UTF-8 bytes, so that they match what an editor shows.
    const qsizetype column = QString::fromUtf8(before.mid(before.lastIndexOf('\n') + 1)).size() + 1;
    return QStringLiteral("line %1, column %2").arg(line).arg(column);
}

// Walks a parsed document once, filling a RunSpec and collecting every problem on the way so
// that the user can fix them all in one edit.
class SpecReader
{
public:
    QList<SpecProblem> problems;

    RunSpec read(const QJsonObject &root)
    {
        RunSpec spec;
        checkUnknownKeys(root, QString(), TopLevelKeys);

        if (root.contains(QLatin1String("name")))
            spec.name = readString(root.value(QLatin1String("name")), QStringLiteral("name"));
        if (root.contains(QLatin1String("image")))
            spec.image = readImage(root.value(QLatin1String("image")), QStringLiteral("image"));
        else
            add(QStringLiteral("image"), QStringLiteral("required"));
        if (root.contains(QLatin1String("command")))
            spec.command
                    = readCommand(root.value(QLatin1String("command")), QStringLiteral("command"))
                              .value_or(QStringList());
        if (root.contains(QLatin1String("workdir")))
            spec.workdir = readWorkdir(root.value(QLatin1String("workdir")));
        if (root.contains(QLatin1String("secrets")))
            spec.secrets = readSecrets(root.value(QLatin1String("secrets")));
        if (root.contains(QLatin1String("env")))
            spec.env = readEnv(
                    root.value(QLatin1String("env")), QStringLiteral("env"), spec.secrets);
        if (root.contains(QLatin1String("prompt")))
            spec.prompt = readString(root.value(QLatin1String("prompt")), QStringLiteral("prompt"));
        if (root.contains(QLatin1String("repo")))
            spec.repo = readRepo(root.value(QLatin1String("repo")));
        if (root.contains(QLatin1String("tty")))
            spec.tty = readBool(root.value(QLatin1String("tty")), QStringLiteral("tty"));
        if (root.contains(QLatin1String("network")))
            spec.network = readNetwork(root.value(QLatin1String("network")));
        if (root.contains(QLatin1String("limits")))
            spec.limits = readLimits(root.value(QLatin1String("limits")));
        if (root.contains(QLatin1String("keep_containers")))
            spec.keepContainers = readBool(root.value(QLatin1String("keep_containers")),
                                           QStringLiteral("keep_containers"));
        if (root.contains(QLatin1String("variations"))) {
            readVariations(root.value(QLatin1String("variations")), spec);
        } else {
            spec.variations = countedVariations(1);
        }
        return spec;
    }

private:
    void add(const QString &field, const QString &message)
    {
        problems.append(SpecProblem{field, message});
    }

    void addTypeError(const QString &field, const QString &expected, const QJsonValue &value)
    {
        add(field, QStringLiteral("expected %1, got %2").arg(expected, typeName(value)));
    }

    void
    checkUnknownKeys(const QJsonObject &object, const QString &prefix, const QStringList &known)
    {
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString key = it.key();
            if (known.contains(key))
                continue;
            QString message = QStringLiteral("unknown field");
            const QString best = closestMatch(key, known);
            if (!best.isEmpty())
                message += QStringLiteral(" (did you mean \"%1\"?)").arg(best);
            add(join(prefix, key), message);
        }
    }

    QString readString(const QJsonValue &value, const QString &field)
    {
        if (!value.isString()) {
            addTypeError(field, QStringLiteral("a string"), value);
            return {};
        }
        return value.toString();
    }

    QString readNetwork(const QJsonValue &value)
    {
        const QString field = QStringLiteral("network");
        const QString mode = readString(value, field);
        if (!value.isString())
            return QStringLiteral("default");
        if (RunSpec::NetworkModes.contains(mode))
            return mode;
        QString message = QStringLiteral("\"%1\" is not a network mode: use default, none or host")
                                  .arg(mode);
        const QString best = closestMatch(mode, RunSpec::NetworkModes);
        if (!best.isEmpty())
            message += QStringLiteral(" (did you mean \"%1\"?)").arg(best);
        else if (mode == QLatin1String("bridge"))
            message += QStringLiteral(" (Docker's bridge is \"default\")");
        add(field, message);
        return QStringLiteral("default");
    }

    bool readBool(const QJsonValue &value, const QString &field)
    {
        if (!value.isBool()) {
            addTypeError(field, QStringLiteral("a boolean"), value);
            return false;
        }
        return value.toBool();
    }

    QString readImage(const QJsonValue &value, const QString &field)
    {
        if (!value.isString()) {
            addTypeError(field, QStringLiteral("a string"), value);
            return {};
        }
        QString image = value.toString();
        if (image.trimmed().isEmpty()) {
            add(field, QStringLiteral("must not be empty"));
            return {};
        }
        static const QRegularExpression whitespace(QStringLiteral("\\s"));
        if (image.contains(whitespace)) {
            add(field, QStringLiteral("\"%1\" is not a valid image name").arg(image));
            return {};
        }
        return image;
    }

    std::optional<QStringList> readCommand(const QJsonValue &value, const QString &field)
    {
        if (!value.isArray()) {
            addTypeError(
                    field, QStringLiteral("an array of strings like [\"npm\", \"test\"]"), value);
            return std::nullopt;
        }
        const QJsonArray array = value.toArray();
        QStringList command;
        bool ok = true;
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QJsonValue arg = array.at(i);
            if (!arg.isString()) {
                addTypeError(indexed(field, i), QStringLiteral("a string"), arg);
                ok = false;
                continue;
            }
            command.append(arg.toString());
        }
        if (!ok)
            return std::nullopt;
        return command;
    }

    QString readWorkdir(const QJsonValue &value)
    {
        const QString field = QStringLiteral("workdir");
        if (!value.isString()) {
            addTypeError(field, QStringLiteral("a string"), value);
            return {};
        }
        QString workdir = value.toString();
        if (!workdir.startsWith(QLatin1Char('/'))) {
            add(field, QStringLiteral("\"%1\" is not an absolute path").arg(workdir));
            return {};
        }
        return workdir;
    }

    // Returns whether name may be used as a variable the user sets; reports why not.
    bool checkVariableName(const QString &name, const QString &field)
    {
        if (!isVariableName(name)) {
            add(field, QStringLiteral("\"%1\" is not a valid variable name").arg(name));
            return false;
        }
        if (name.startsWith(ReservedPrefix)) {
            add(field,
                QStringLiteral("\"%1\" is reserved: Parallax sets the PARALLAX_ variables itself")
                        .arg(name));
            return false;
        }
        return true;
    }

    QMap<QString, QString>
    readEnv(const QJsonValue &value, const QString &field, const QStringList &secrets)
    {
        if (!value.isObject()) {
            addTypeError(field, QStringLiteral("an object of names to strings"), value);
            return {};
        }
        QMap<QString, QString> env;
        const QJsonObject object = value.toObject();
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString key = it.key();
            const QString path = join(field, key);
            if (!checkVariableName(key, path))
                continue;
            if (secrets.contains(key)) {
                add(path,
                    QStringLiteral("\"%1\" is listed in secrets, so its value comes from your "
                                   "environment and cannot also be set in env")
                            .arg(key));
                continue;
            }
            const QJsonValue v = it.value();
            if (v.isString()) {
                env.insert(key, v.toString());
            } else if (v.isDouble() || v.isBool()) {
                // Docker only takes strings; say how to write it rather than guess a spelling.
                const QString text = v.isBool() ? (v.toBool() ? QStringLiteral("true")
                                                              : QStringLiteral("false"))
                                                : numberText(v.toDouble());
                add(path,
                    QStringLiteral("expected a string, got %1 (write \"%2\" in quotes)")
                            .arg(typeName(v), text));
            } else {
                addTypeError(path, QStringLiteral("a string"), v);
            }
        }
        return env;
    }

    QStringList readSecrets(const QJsonValue &value)
    {
        const QString field = QStringLiteral("secrets");
        if (!value.isArray()) {
            addTypeError(field, QStringLiteral("an array of variable names"), value);
            return {};
        }
        QStringList secrets;
        const QJsonArray array = value.toArray();
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString path = indexed(field, i);
            const QJsonValue v = array.at(i);
            if (!v.isString()) {
                addTypeError(path, QStringLiteral("a string"), v);
                continue;
            }
            const QString name = v.toString();
            if (!checkVariableName(name, path))
                continue;
            if (secrets.contains(name)) {
                add(path, QStringLiteral("duplicate secret \"%1\"").arg(name));
                continue;
            }
            secrets.append(name);
        }
        return secrets;
    }

    std::optional<RepoSpec> readRepo(const QJsonValue &value)
    {
        const QString field = QStringLiteral("repo");
        if (!value.isObject()) {
            addTypeError(field, QStringLiteral("an object with a \"url\""), value);
            return std::nullopt;
        }
        const QJsonObject object = value.toObject();
        checkUnknownKeys(object, field, RepoKeys);
        RepoSpec repo;
        const QString urlField = join(field, QStringLiteral("url"));
        if (!object.contains(QLatin1String("url"))) {
            add(urlField, QStringLiteral("required"));
        } else {
            const QJsonValue url = object.value(QLatin1String("url"));
            repo.url = readString(url, urlField);
            if (url.isString() && repo.url.trimmed().isEmpty())
                add(urlField, QStringLiteral("must not be empty"));
        }
        if (object.contains(QLatin1String("ref")))
            repo.ref = readString(object.value(QLatin1String("ref")),
                                  join(field, QStringLiteral("ref")));
        return repo;
    }

    ResourceLimits readLimits(const QJsonValue &value)
    {
        const QString field = QStringLiteral("limits");
        ResourceLimits limits;
        if (!value.isObject()) {
            addTypeError(field, QStringLiteral("an object"), value);
            return limits;
        }
        const QJsonObject object = value.toObject();
        checkUnknownKeys(object, field, LimitKeys);
        if (object.contains(QLatin1String("memory")))
            limits.memoryBytes = readMemory(object.value(QLatin1String("memory")),
                                            join(field, QStringLiteral("memory")));
        if (object.contains(QLatin1String("cpus")))
            limits.cpus = readCpus(object.value(QLatin1String("cpus")),
                                   join(field, QStringLiteral("cpus")));
        if (object.contains(QLatin1String("pids")))
            limits.pids = readPids(object.value(QLatin1String("pids")),
                                   join(field, QStringLiteral("pids")));
        if (object.contains(QLatin1String("timeout")))
            limits.timeoutMs = readTimeout(object.value(QLatin1String("timeout")),
                                           join(field, QStringLiteral("timeout")));
        return limits;
    }

    qint64 readMemory(const QJsonValue &value, const QString &field)
    {
        qint64 bytes = 0;
        if (value.isDouble()) {
            const double d = value.toDouble();
            if (d != std::floor(d) || d < 0 || d >= 9007199254740992.0) {
                add(field,
                    QStringLiteral("expected a whole number of bytes, got %1").arg(numberText(d)));
                return 0;
            }
            bytes = qint64(d);
        } else if (value.isString()) {
            const Result<qint64> parsed = parseSize(value.toString());
            if (!parsed) {
                add(field, parsed.errorString());
                return 0;
            }
            bytes = *parsed;
        } else {
            addTypeError(field, QStringLiteral("a size like 512m or 2g"), value);
            return 0;
        }
        if (bytes <= 0) {
            add(field, QStringLiteral("must be greater than zero"));
            return 0;
        }
        if (bytes < DockerMinimumMemory) {
            add(field, QStringLiteral("%1 is below Docker's minimum of 6m").arg(formatSize(bytes)));
            return 0;
        }
        return bytes;
    }

    double readCpus(const QJsonValue &value, const QString &field)
    {
        double cpus = 0;
        if (value.isDouble()) {
            cpus = value.toDouble();
        } else if (value.isString()) {
            bool ok = false;
            cpus = value.toString().trimmed().toDouble(&ok);
            if (!ok || !std::isfinite(cpus)) {
                add(field, QStringLiteral("'%1' is not a number like 1.5").arg(value.toString()));
                return 0;
            }
        } else {
            addTypeError(field, QStringLiteral("a number like 1.5"), value);
            return 0;
        }
        if (!(cpus > 0)) {
            add(field, QStringLiteral("must be greater than zero, got %1").arg(numberText(cpus)));
            return 0;
        }
        return cpus;
    }

    qint64 readPids(const QJsonValue &value, const QString &field)
    {
        if (!value.isDouble()) {
            addTypeError(field, QStringLiteral("a number"), value);
            return 0;
        }
        const double d = value.toDouble();
        if (d != std::floor(d) || d < 1 || d >= 9007199254740992.0) {
            add(field,
                QStringLiteral("expected a positive whole number, got %1").arg(numberText(d)));
            return 0;
        }
        return qint64(d);
    }

    qint64 readTimeout(const QJsonValue &value, const QString &field)
    {
        if (!value.isString()) {
            addTypeError(field, QStringLiteral("a duration like 90s or 30m"), value);
            return 0;
        }
        const Result<qint64> parsed = parseDuration(value.toString());
        if (!parsed) {
            add(field, parsed.errorString());
            return 0;
        }
        if (*parsed <= 0) {
            add(field, QStringLiteral("must be greater than zero"));
            return 0;
        }
        return *parsed;
    }

    void readVariations(const QJsonValue &value, RunSpec &spec)
    {
        const QString field = QStringLiteral("variations");
        if (value.isDouble()) {
            const double d = value.toDouble();
            if (d != std::floor(d) || d < 1 || d > RunSpec::MaxVariations) {
                add(field,
                    QStringLiteral("expected a count from 1 to %1, got %2")
                            .arg(RunSpec::MaxVariations)
                            .arg(numberText(d)));
                return;
            }
            spec.variationCountHint = int(d);
            spec.variations = countedVariations(int(d));
            return;
        }
        if (!value.isArray()) {
            add(field, QStringLiteral("expected a count or a list of variations"));
            return;
        }
        const QJsonArray array = value.toArray();
        if (array.isEmpty()) {
            add(field, QStringLiteral("expected at least one variation"));
            return;
        }
        if (array.size() > RunSpec::MaxVariations) {
            add(field,
                QStringLiteral("at most %1 variations are allowed, got %2")
                        .arg(RunSpec::MaxVariations)
                        .arg(array.size()));
        }
        // Names become file names, and some file systems ignore case: "Fast" and "fast" clash.
        QSet<QString> seen;
        for (qsizetype i = 0; i < array.size(); ++i) {
            const QString path = indexed(field, i);
            const QJsonValue item = array.at(i);
            if (!item.isObject()) {
                addTypeError(path, QStringLiteral("an object"), item);
                continue;
            }
            const QJsonObject object = item.toObject();
            checkUnknownKeys(object, path, VariationKeys);
            VariationSpec variation;
            const QString nameField = join(path, QStringLiteral("name"));
            if (!object.contains(QLatin1String("name"))) {
                add(nameField, QStringLiteral("required"));
            } else if (const QJsonValue name = object.value(QLatin1String("name"));
                       !name.isString()) {
                addTypeError(nameField, QStringLiteral("a string"), name);
            } else if (!isVariationName(name.toString())) {
                add(nameField,
                    QStringLiteral("\"%1\" is not a valid variation name (up to 63 letters, "
                                   "digits, '.', '_' or '-', starting with a letter or digit)")
                            .arg(name.toString()));
            } else if (seen.contains(name.toString().toLower())) {
                add(nameField,
                    QStringLiteral("duplicate variation name \"%1\"").arg(name.toString()));
            } else {
                variation.name = name.toString();
                seen.insert(variation.name.toLower());
            }
            if (object.contains(QLatin1String("env")))
                variation.env = readEnv(object.value(QLatin1String("env")),
                                        join(path, QStringLiteral("env")),
                                        spec.secrets);
            if (object.contains(QLatin1String("command")))
                variation.command = readCommand(object.value(QLatin1String("command")),
                                                join(path, QStringLiteral("command")));
            if (object.contains(QLatin1String("image")))
                variation.image = readImage(object.value(QLatin1String("image")),
                                            join(path, QStringLiteral("image")));
            spec.variations.append(variation);
        }
    }
};

} // namespace

const QStringList RunSpec::NetworkModes
        = {QStringLiteral("default"), QStringLiteral("none"), QStringLiteral("host")};

QString SpecProblem::toString() const
{
    return field.isEmpty() ? message : field + QLatin1String(": ") + message;
}

Result<RunSpec> RunSpec::fromJson(const QByteArray &json, QList<SpecProblem> *problems)
{
    QList<SpecProblem> found;
    std::optional<RunSpec> spec;

    // Editors on Windows like to start UTF-8 files with a byte order mark; QJsonDocument does not.
    QByteArray data = json;
    if (data.startsWith("\xEF\xBB\xBF"))
        data.remove(0, 3);

    if (data.trimmed().isEmpty()) {
        found.append(
                {QString(), QStringLiteral("the spec is empty; it needs at least an \"image\"")});
    } else {
        QJsonParseError parseError;
        const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
        if (parseError.error != QJsonParseError::NoError) {
            found.append({QString(),
                          QStringLiteral("invalid JSON at %1: %2")
                                  .arg(lineAndColumn(data, parseError.offset),
                                       parseError.errorString())});
        } else if (!document.isObject()) {
            found.append({QString(),
                          QStringLiteral("expected a JSON object with at least an \"image\", "
                                         "got %1")
                                  .arg(document.isArray() ? QStringLiteral("an array")
                                                          : typeName(QJsonValue()))});
        } else {
            SpecReader reader;
            spec = reader.read(document.object());
            found = reader.problems;
        }
    }

    if (problems)
        *problems = found;
    if (!found.isEmpty()) {
        QStringList lines;
        lines.reserve(found.size());
        for (const SpecProblem &problem : std::as_const(found))
            lines.append(problem.toString());
        return Error{lines.join(QLatin1Char('\n')), InvalidSpec};
    }
    return *spec;
}

Result<RunSpec> RunSpec::fromFile(const QString &path, QList<SpecProblem> *problems)
{
    const QString shown = QDir::toNativeSeparators(path);
    auto fail = [&](const QString &reason) -> Result<RunSpec> {
        const QString message = QStringLiteral("cannot read %1: %2").arg(shown, reason);
        if (problems)
            *problems = {SpecProblem{QString(), message}};
        return Error{message, InvalidSpec};
    };

    const QFileInfo info(path);
    if (info.isDir())
        return fail(QStringLiteral("it is a directory"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(file.errorString());
    if (file.size() > MaxSpecFileSize)
        return fail(QStringLiteral("larger than 1 MiB, which is not a run spec"));
    const QByteArray data = file.readAll();
    if (file.error() != QFileDevice::NoError)
        return fail(file.errorString());
    return fromJson(data, problems);
}

QJsonObject RunSpec::toJson() const
{
    QJsonObject root;
    auto envObject = [](const QMap<QString, QString> &values) {
        QJsonObject object;
        for (auto it = values.begin(); it != values.end(); ++it)
            object.insert(it.key(), it.value());
        return object;
    };

    if (!name.isEmpty())
        root.insert(QLatin1String("name"), name);
    root.insert(QLatin1String("image"), image);
    if (!command.isEmpty())
        root.insert(QLatin1String("command"), QJsonArray::fromStringList(command));
    if (!workdir.isEmpty())
        root.insert(QLatin1String("workdir"), workdir);
    if (!env.isEmpty())
        root.insert(QLatin1String("env"), envObject(env));
    if (!secrets.isEmpty())
        root.insert(QLatin1String("secrets"), QJsonArray::fromStringList(secrets));
    if (!prompt.isEmpty())
        root.insert(QLatin1String("prompt"), prompt);
    if (repo) {
        QJsonObject repoObject{{QLatin1String("url"), repo->url}};
        if (!repo->ref.isEmpty())
            repoObject.insert(QLatin1String("ref"), repo->ref);
        root.insert(QLatin1String("repo"), repoObject);
    }
    if (tty)
        root.insert(QLatin1String("tty"), true);
    if (network != QLatin1String("default"))
        root.insert(QLatin1String("network"), network);

    QJsonObject limitsObject;
    if (limits.memoryBytes > 0)
        limitsObject.insert(QLatin1String("memory"), formatSize(limits.memoryBytes));
    if (limits.cpus > 0)
        limitsObject.insert(QLatin1String("cpus"), limits.cpus);
    if (limits.pids > 0)
        limitsObject.insert(QLatin1String("pids"), limits.pids);
    if (limits.timeoutMs > 0)
        limitsObject.insert(QLatin1String("timeout"), formatDuration(limits.timeoutMs));
    if (!limitsObject.isEmpty())
        root.insert(QLatin1String("limits"), limitsObject);

    if (keepContainers)
        root.insert(QLatin1String("keep_containers"), true);

    bool counted = true;
    for (qsizetype i = 0; i < variations.size() && counted; ++i)
        counted = isPlain(variations.at(i)) && variations.at(i).name == countedName(int(i));
    if (counted && variationCountHint > 0 && variationCountHint == variations.size()) {
        root.insert(QLatin1String("variations"), variationCountHint);
    } else if (!(counted && variations.size() == 1)) {
        // One plain "v1" is the default and is left out; anything else is written as a list.
        QJsonArray list;
        for (const VariationSpec &variation : variations) {
            QJsonObject object{{QLatin1String("name"), variation.name}};
            if (!variation.env.isEmpty())
                object.insert(QLatin1String("env"), envObject(variation.env));
            if (variation.command)
                object.insert(QLatin1String("command"),
                              QJsonArray::fromStringList(*variation.command));
            if (!variation.image.isEmpty())
                object.insert(QLatin1String("image"), variation.image);
            list.append(object);
        }
        root.insert(QLatin1String("variations"), list);
    }
    return root;
}

QByteArray RunSpec::toJsonBytes() const
{
    return QJsonDocument(toJson()).toJson(QJsonDocument::Indented);
}

QList<ResolvedVariation> RunSpec::resolvedVariations() const
{
    // A spec built in code may have no variations yet; it still runs once, as fromJson's default.
    const QList<VariationSpec> list = variations.isEmpty() ? countedVariations(1) : variations;
    QList<ResolvedVariation> resolved;
    resolved.reserve(list.size());
    for (const VariationSpec &variation : list) {
        ResolvedVariation r;
        r.name = variation.name;
        r.image = variation.image.isEmpty() ? image : variation.image;
        r.command = variation.command ? *variation.command : command;
        r.env = env;
        for (auto it = variation.env.begin(); it != variation.env.end(); ++it)
            r.env.insert(it.key(), it.value());
        // fromJson already rejects these; a spec assembled in code gets the same guarantee.
        for (auto it = r.env.begin(); it != r.env.end();) {
            if (it.key().startsWith(ReservedPrefix) || secrets.contains(it.key()))
                it = r.env.erase(it);
            else
                ++it;
        }
        resolved.append(r);
    }
    return resolved;
}

void RunSpec::setVariationCount(int n)
{
    n = std::clamp(n, 1, MaxVariations);
    variations = countedVariations(n);
    variationCountHint = n;
}

} // namespace Parallax

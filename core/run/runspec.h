#pragma once

#include "run/specvalues.h"
#include "util/result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace Parallax {

// One thing wrong with a spec, located by its JSON path ("limits.memory", "variations[2].name";
// array indexes count from 0). An empty field means the file as a whole (a JSON syntax error).
struct SpecProblem
{
    QString field;
    QString message;

    // "field: message", or just the message when there is no field.
    QString toString() const;
};

// Zero means "no limit" for every member.
struct ResourceLimits
{
    qint64 memoryBytes = 0;
    double cpus = 0;
    qint64 pids = 0;
    qint64 timeoutMs = 0;
};

struct RepoSpec
{
    QString url;
    QString ref; // empty: the repository's default branch
};

// One variation as the spec writes it: only the overrides, applied by
// RunSpec::resolvedVariations().
struct VariationSpec
{
    QString name;
    QMap<QString, QString> env;         // merged over the top-level env
    std::optional<QStringList> command; // replaces the top-level command when set
    QString image;                      // replaces the top-level image when non-empty
};

// What one container is made from.
struct ResolvedVariation
{
    QString name;
    QString image;
    QStringList command;        // empty: the image's own command
    QMap<QString, QString> env; // top env + overrides; no secrets, no PARALLAX_ variables
};

// A run spec: the JSON file users keep in their repositories that says which image to run,
// how, and in how many variations (format in docs/spec.md). fromJson() validates the whole
// document and reports every problem at once with its field path. A plain value type, owned
// by whoever loaded it; no thread affinity.
class RunSpec
{
public:
    // On failure the Error's message is every problem's toString() joined by "\n" and its code
    // is 2. When problems is given it receives the same list (emptied on success).
    static Result<RunSpec> fromJson(const QByteArray &json, QList<SpecProblem> *problems = nullptr);
    // As fromJson(), plus "cannot read FILE: reason" when the file cannot be read.
    static Result<RunSpec> fromFile(const QString &path, QList<SpecProblem> *problems = nullptr);

    // Canonical JSON that fromJson() reads back to an equal spec. Defaults are left out; limits
    // are written in their human spelling ("2g", "30m"); secrets by name only.
    QJsonObject toJson() const;
    QByteArray toJsonBytes() const; // indented

    QList<ResolvedVariation> resolvedVariations() const;

    // Replaces the variations with v1..vN (`parallax run -n N`). n is clamped to 1..64.
    void setVariationCount(int n);

    static constexpr int MaxVariations = 64;

    QString name;
    QString image;
    QStringList command; // empty: the image's own command
    QString workdir;
    QMap<QString, QString> env;
    QStringList secrets; // variable names; values come from the user's environment at launch
    QString prompt;
    std::optional<RepoSpec> repo;
    bool tty = false;
    // The container's network: "default" (Docker's default bridge), "none" (loopback only) or
    // "host" (the host's interfaces). One of NetworkModes.
    QString network = QStringLiteral("default");
    static const QStringList NetworkModes;
    ResourceLimits limits;
    bool keepContainers = false;
    QList<VariationSpec> variations; // always resolved to a list; a count N becomes v1..vN
    int variationCountHint = 0;      // N when the file gave a count (so toJson writes a count back)
};

} // namespace Parallax

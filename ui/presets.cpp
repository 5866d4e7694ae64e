#include "presets.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>

// The resource lives in the static parallax_ui library; without a reference to its
// initialiser the linker drops it from executables that link the library.
static void initPresetResources()
{
    Q_INIT_RESOURCE(presets);
}

namespace Parallax {

namespace {

const QString BuiltInDirectory = QStringLiteral(":/presets");

const QStringList PresetKeys = {
        QStringLiteral("id"),
        QStringLiteral("title"),
        QStringLiteral("description"),
        QStringLiteral("notes"),
        QStringLiteral("image_placeholder"),
        QStringLiteral("order"),
        QStringLiteral("spec"),
        QStringLiteral("agent"),
};

} // namespace

Result<RunSpec> Preset::runSpec(QList<SpecProblem> *problems) const
{
    QJsonObject object = spec;
    if (!object.contains(QLatin1String("image")) && agent)
        object.insert(QLatin1String("image"), agentTag());
    else if (!object.contains(QLatin1String("image")) && !imagePlaceholder.isEmpty())
        object.insert(QLatin1String("image"), imagePlaceholder);
    return RunSpec::fromJson(QJsonDocument(object).toJson(QJsonDocument::Compact), problems);
}

QString Preset::agentTag() const
{
    if (!agent)
        return {};
    // The tag is a hash of the build context, which is made in memory without Docker.
    const Result<AgentBuildContext> context = AgentImage(nullptr, *agent).context();
    return context ? context->tag : QString();
}

Result<Preset> Preset::fromJson(const QByteArray &json, const QString &fileName)
{
    auto fail = [&](const QString &reason) -> Result<Preset> {
        return Error{QStringLiteral("preset %1: %2").arg(fileName, reason)};
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("invalid JSON: %1").arg(parseError.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("expected a JSON object"));
    const QJsonObject root = document.object();
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (!PresetKeys.contains(it.key()))
            return fail(QStringLiteral("unknown field \"%1\"").arg(it.key()));
    }

    Preset preset;
    preset.id = root.value(QLatin1String("id")).toString();
    preset.title = root.value(QLatin1String("title")).toString();
    preset.description = root.value(QLatin1String("description")).toString();
    preset.notes = root.value(QLatin1String("notes")).toString();
    preset.imagePlaceholder = root.value(QLatin1String("image_placeholder")).toString();
    preset.order = root.value(QLatin1String("order")).toInt(preset.order);
    preset.spec = root.value(QLatin1String("spec")).toObject();
    if (preset.id.isEmpty())
        return fail(QStringLiteral("\"id\" must be a non-empty string"));
    if (preset.title.isEmpty())
        return fail(QStringLiteral("\"title\" must be a non-empty string"));
    if (!root.value(QLatin1String("spec")).isObject())
        return fail(QStringLiteral("\"spec\" must be an object"));
    if (root.contains(QLatin1String("agent"))) {
        if (!root.value(QLatin1String("agent")).isObject())
            return fail(QStringLiteral("\"agent\" must be an object"));
        const Result<AgentSpec> agent
                = AgentSpec::fromJson(root.value(QLatin1String("agent")).toObject());
        if (!agent)
            return fail(agent.errorString().replace(QLatin1Char('\n'), QLatin1String("; ")));
        preset.agent = *agent;
    }
    if (preset.needsImage() && preset.imagePlaceholder.isEmpty())
        return fail(QStringLiteral("a spec without \"image\" needs an \"image_placeholder\""));
    return preset;
}

Presets::Presets()
{
    initPresetResources();
    load(BuiltInDirectory);
}

Presets::Presets(const QString &directory)
{
    load(directory);
}

Preset Presets::byId(const QString &id) const
{
    for (const Preset &preset : m_presets) {
        if (preset.id == id)
            return preset;
    }
    return {};
}

void Presets::load(const QString &directory)
{
    const QDir dir(directory);
    const QStringList files = dir.entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name);
    for (const QString &fileName : files) {
        QFile file(dir.filePath(fileName));
        if (!file.open(QIODevice::ReadOnly)) {
            m_errors.append(QStringLiteral("preset %1: %2").arg(fileName, file.errorString()));
            continue;
        }
        Result<Preset> preset = Preset::fromJson(file.readAll(), fileName);
        if (!preset) {
            m_errors.append(preset.errorString());
            continue;
        }
        if (byId(preset->id).isValid()) {
            m_errors.append(
                    QStringLiteral("preset %1: duplicate id \"%2\"").arg(fileName, preset->id));
            continue;
        }
        m_presets.append(*preset);
    }
    std::stable_sort(m_presets.begin(), m_presets.end(), [](const Preset &a, const Preset &b) {
        if (a.order != b.order)
            return a.order < b.order;
        return QString::localeAwareCompare(a.title, b.title) < 0;
    });
}

} // namespace Parallax

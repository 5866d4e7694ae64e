#pragma once

#include "agents/agentimage.h"
#include "run/runspec.h"
#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Parallax {

// A ready-made starting point for the launch panel: a run spec fragment with a title and an
// explanation. The file format is in docs/presets.md.
struct Preset
{
    QString id;
    QString title;
    QString description;
    QString notes;
    // Shown in the empty image field when the fragment has no image: the templates for real
    // agent CLIs leave the image to the user ("your-registry/claude-code:latest").
    QString imagePlaceholder;
    int order = 1000;
    QJsonObject spec; // a fragment: it may leave out "image" when imagePlaceholder is set
    // The agent CLI Parallax builds the image for (docs/agents.md); the spec's image is then
    // that image's tag.
    std::optional<AgentSpec> agent;

    bool isValid() const { return !id.isEmpty(); }
    // Whether the user still has to name an image before the spec can run.
    bool needsImage() const { return !spec.contains(QLatin1String("image")) && !agent; }
    // parallax/agent-<name>:<hash> for an agent preset; empty otherwise.
    QString agentTag() const;

    // The fragment as a RunSpec, through RunSpec::fromJson. A fragment without an image gets
    // the agent image's tag, else imagePlaceholder, so that every preset can be checked; the
    // panel leaves a placeholder empty instead.
    Result<RunSpec> runSpec(QList<SpecProblem> *problems = nullptr) const;

    // Reads one preset file; the error names the file and what is wrong with it.
    static Result<Preset> fromJson(const QByteArray &json, const QString &fileName);
};

// The presets shipped in the :/presets/ resource (resources/presets/*.json), read once at
// construction and sorted by their "order" and then title. A plain value, owned by its user;
// GUI thread (it reads Qt resources, which is safe anywhere, but nothing needs more).
class Presets
{
public:
    Presets(); // the built-in presets
    explicit Presets(const QString &directory);

    QList<Preset> all() const { return m_presets; }
    // An invalid Preset when there is none with that id.
    Preset byId(const QString &id) const;
    // One line per file that could not be read; the built-in presets are tested to have none.
    QStringList errors() const { return m_errors; }

private:
    void load(const QString &directory);

    QList<Preset> m_presets;
    QStringList m_errors;
};

} // namespace Parallax

#include "agentimage.h"

#include "docker/dockerclient.h"
#include "run/specvalues.h"
#include "util/tarwriter.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QRegularExpression>

// The templates live in the static parallax_core library; without a reference to the
// resource's initialiser the linker drops it from executables.
static void initAgentResources()
{
    Q_INIT_RESOURCE(agents);
}

namespace Parallax {

Q_LOGGING_CATEGORY(lcAgentImage, "parallax.agents", QtWarningMsg)

namespace {

struct KnownAgent
{
    const char *name;
    const char *package;
    const char *bin;
};

constexpr KnownAgent kKnownAgents[] = {
        {"claude-code", "@anthropic-ai/claude-code", "claude"},
        {"codex-cli", "@openai/codex", "codex"},
        {"gemini-cli", "@google/gemini-cli", "gemini"},
};

const KnownAgent *knownAgent(const QString &name)
{
    for (const KnownAgent &agent : kKnownAgents) {
        if (name == QLatin1String(agent.name))
            return &agent;
    }
    return nullptr;
}

const QStringList AgentKeys = {
        QStringLiteral("name"),
        QStringLiteral("package"),
        QStringLiteral("version"),
        QStringLiteral("base"),
        QStringLiteral("bin"),
};

Result<QByteArray> readResource(const QString &path)
{
    initAgentResources();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("the agent template %1 is missing: %2")
                             .arg(path, file.errorString())};
    return file.readAll();
}

QString hint(const QString &message)
{
    if (message.contains(QLatin1String("registry"), Qt::CaseInsensitive)
        || message.contains(QLatin1String("pull access denied"), Qt::CaseInsensitive)
        || message.contains(QLatin1String("manifest"), Qt::CaseInsensitive)
        || message.contains(QLatin1String("no such host"), Qt::CaseInsensitive))
        return QStringLiteral(" — the base image is not on this machine and could not be pulled; "
                              "without a registry, make one locally (docs/agents.md, offline use)");
    if (message.contains(QLatin1String("ENOTFOUND"))
        || message.contains(QLatin1String("EAI_AGAIN")))
        return QStringLiteral(" — npm cannot reach its registry; give Parallax the CLI instead "
                              "(docs/agents.md, offline use)");
    return {};
}

} // namespace

Result<AgentSpec> AgentSpec::fromJson(const QJsonObject &object, const QString &path)
{
    QStringList problems;
    auto field = [&](const QString &key) {
        return path + QLatin1Char('.') + key;
    };
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (AgentKeys.contains(it.key()))
            continue;
        QString message = QStringLiteral("%1: unknown field").arg(field(it.key()));
        const QString best = closestMatch(it.key(), AgentKeys);
        if (!best.isEmpty())
            message += QStringLiteral(" (did you mean \"%1\"?)").arg(best);
        problems << message;
    }
    auto readString = [&](const QString &key) -> QString {
        const QJsonValue value = object.value(key);
        if (value.isUndefined())
            return {};
        if (!value.isString() || value.toString().trimmed().isEmpty()) {
            problems << QStringLiteral("%1: expected a non-empty string").arg(field(key));
            return {};
        }
        return value.toString().trimmed();
    };

    AgentSpec spec;
    spec.name = readString(QStringLiteral("name"));
    spec.package = readString(QStringLiteral("package"));
    spec.version = readString(QStringLiteral("version"));
    const QString base = readString(QStringLiteral("base"));
    if (!base.isEmpty())
        spec.base = base;
    spec.bin = readString(QStringLiteral("bin"));

    if (!object.contains(QLatin1String("name"))) {
        problems << QStringLiteral("%1: missing (one of %2)")
                            .arg(field(QStringLiteral("name")),
                                 knownAgents().join(QLatin1String(", ")));
    } else if (!spec.name.isEmpty() && !knownAgent(spec.name)) {
        QString message = QStringLiteral("%1: no agent template \"%2\" (there are %3)")
                                  .arg(field(QStringLiteral("name")),
                                       spec.name,
                                       knownAgents().join(QLatin1String(", ")));
        const QString best = closestMatch(spec.name, knownAgents(), 3);
        if (!best.isEmpty())
            message += QStringLiteral("; did you mean \"%1\"?").arg(best);
        problems << message;
    }
    if (spec.package.isEmpty() && !object.contains(QLatin1String("package"))) {
        if (const KnownAgent *agent = knownAgent(spec.name))
            spec.package = QString::fromLatin1(agent->package);
    }
    static const QRegularExpression packagePattern(
            QStringLiteral("^(@[a-z0-9][a-z0-9._~-]*/)?[a-z0-9][a-z0-9._~-]*$"));
    if (!spec.package.isEmpty() && !packagePattern.match(spec.package).hasMatch())
        problems << QStringLiteral("%1: \"%2\" is not an npm package name like "
                                   "@anthropic-ai/claude-code")
                            .arg(field(QStringLiteral("package")), spec.package);
    static const QRegularExpression versionPattern(
            QStringLiteral("^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$"));
    if (!object.contains(QLatin1String("version")))
        problems << QStringLiteral("%1: missing: pin the CLI's exact version (\"2.1.112\")")
                            .arg(field(QStringLiteral("version")));
    else if (!spec.version.isEmpty() && !versionPattern.match(spec.version).hasMatch())
        problems << QStringLiteral("%1: \"%2\" is not an exact version like 2.1.112 (ranges and "
                                   "tags such as \"latest\" would make the image change under "
                                   "the same tag)")
                            .arg(field(QStringLiteral("version")), spec.version);
    static const QRegularExpression referencePattern(QStringLiteral("^[A-Za-z0-9][^\\s]*$"));
    if (!referencePattern.match(spec.base).hasMatch())
        problems << QStringLiteral("%1: \"%2\" is not an image reference")
                            .arg(field(QStringLiteral("base")), spec.base);
    static const QRegularExpression binPattern(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9._-]*$"));
    if (!spec.bin.isEmpty() && !binPattern.match(spec.bin).hasMatch())
        problems << QStringLiteral("%1: \"%2\" is not a command name")
                            .arg(field(QStringLiteral("bin")), spec.bin);
    if (!problems.isEmpty())
        return Error{problems.join(QLatin1Char('\n')), 2};
    return spec;
}

QJsonObject AgentSpec::toJson() const
{
    QJsonObject object{{QStringLiteral("name"), name},
                       {QStringLiteral("package"), package},
                       {QStringLiteral("version"), version}};
    if (base != QLatin1String(kDefaultBase))
        object.insert(QStringLiteral("base"), base);
    if (!bin.isEmpty())
        object.insert(QStringLiteral("bin"), bin);
    return object;
}

QString AgentSpec::effectiveBin() const
{
    return bin.isEmpty() ? defaultBin(name) : bin;
}

QStringList AgentSpec::knownAgents()
{
    QStringList names;
    for (const KnownAgent &agent : kKnownAgents)
        names << QString::fromLatin1(agent.name);
    return names;
}

QString AgentSpec::defaultBin(const QString &agent)
{
    const KnownAgent *known = knownAgent(agent);
    return known ? QString::fromLatin1(known->bin) : QString();
}

AgentImage::AgentImage(DockerClient *client, AgentSpec spec, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_spec(std::move(spec))
{}

AgentImage::~AgentImage()
{
    if (m_build && m_build->state() == ImageBuild::State::Building) {
        m_build->disconnect(this);
        m_build->cancel();
    }
}

void AgentImage::addExtraFile(const QString &path, const QByteArray &data, int mode)
{
    m_extraFiles.append({path, {data, mode}});
}

Result<AgentBuildContext> AgentImage::context() const
{
    const QString root = QStringLiteral(":/agents/") + m_spec.name + QLatin1Char('/');
    const Result<QByteArray> dockerfileIn = readResource(root + QStringLiteral("Dockerfile.in"));
    if (!dockerfileIn)
        return dockerfileIn.error();
    // One entrypoint for every agent: the contract does not depend on the CLI.
    const Result<QByteArray> entrypoint
            = readResource(QStringLiteral(":/agents/common/entrypoint.sh"));
    if (!entrypoint)
        return entrypoint.error();
    const Result<QByteArray> installer
            = readResource(QStringLiteral(":/agents/common/install-cli.sh"));
    if (!installer)
        return installer.error();

    AgentBuildContext context;
    context.buildArgs = {{QStringLiteral("BASE_IMAGE"), m_spec.base},
                         {QStringLiteral("AGENT_PACKAGE"), m_spec.package},
                         {QStringLiteral("AGENT_VERSION"), m_spec.version},
                         {QStringLiteral("AGENT_BIN"), m_spec.effectiveBin()}};
    QByteArray dockerfile = *dockerfileIn;
    for (auto it = context.buildArgs.cbegin(); it != context.buildArgs.cend(); ++it)
        dockerfile.replace('@' + it.key().toUtf8() + '@', it.value().toUtf8());

    TarWriter tar;
    auto add = [&](const Result<void> &added) {
        if (!added)
            qCWarning(lcAgentImage) << added.errorString();
        return added.ok();
    };
    Result<void> failure;
    auto check = [&](const Result<void> &added) {
        if (!add(added) && failure.ok())
            failure = added;
    };
    check(tar.addFile(QStringLiteral("Dockerfile"), dockerfile));
    check(tar.addDirectory(QStringLiteral("parallax")));
    check(tar.addFile(QStringLiteral("parallax/entrypoint.sh"), *entrypoint, 0755));
    check(tar.addFile(QStringLiteral("parallax/install-cli.sh"), *installer, 0755));
    check(tar.addDirectory(QStringLiteral("parallax/cli")));

    if (!m_cliSource.isEmpty()) {
        const QFileInfo info(m_cliSource);
        const QString package = m_spec.package;
        if (info.isFile() && m_cliSource.endsWith(QLatin1String(".tgz"))) {
            QFile file(m_cliSource);
            if (!file.open(QIODevice::ReadOnly))
                return Error{QStringLiteral("cannot read the CLI tarball %1: %2")
                                     .arg(m_cliSource, file.errorString())};
            check(tar.addFile(QStringLiteral("parallax/cli/") + info.fileName(), file.readAll()));
        } else if (info.isDir()
                   && QFileInfo::exists(m_cliSource + QStringLiteral("/package.json"))) {
            check(tar.addTree(m_cliSource, QStringLiteral("parallax/cli/package")));
        } else if (info.isDir()
                   && QFileInfo(m_cliSource + QStringLiteral("/node_modules/") + package).isDir()) {
            check(tar.addTree(m_cliSource + QStringLiteral("/node_modules"),
                              QStringLiteral("parallax/cli/node_modules")));
        } else if (info.isDir() && QFileInfo(m_cliSource + u'/' + package).isDir()) {
            check(tar.addTree(m_cliSource, QStringLiteral("parallax/cli/node_modules")));
        } else {
            return Error{QStringLiteral("%1 is not an npm tarball (.tgz), an unpacked package or "
                                        "a node_modules tree holding %2")
                                 .arg(m_cliSource, package)};
        }
    }
    for (const auto &[path, file] : m_extraFiles)
        check(tar.addFile(path, file.first, file.second));
    if (!failure)
        return Error{
                QStringLiteral("cannot make the build context: %1").arg(failure.errorString())};

    context.tar = tar.finish();
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData("parallax-agent-image/1\n");
    hash.addData(context.tar);
    QJsonObject args;
    for (auto it = context.buildArgs.cbegin(); it != context.buildArgs.cend(); ++it)
        args.insert(it.key(), it.value());
    hash.addData(QJsonDocument(args).toJson(QJsonDocument::Compact));
    context.tag = QStringLiteral("parallax/agent-%1:%2")
                          .arg(m_spec.name, QString::fromLatin1(hash.result().toHex().left(12)));
    return context;
}

void AgentImage::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void AgentImage::start()
{
    if (m_state == State::Checking || m_state == State::Building)
        return;
    m_error.clear();
    m_built = false;
    Result<AgentBuildContext> made = context();
    if (!made) {
        finish(made.error());
        return;
    }
    m_context = std::move(*made);
    m_tag = m_context.tag;
    setState(State::Checking);
    const int generation = ++m_generation;
    m_client->inspectImage(m_tag, this, [this, generation](Result<QJsonObject> image) {
        if (generation != m_generation || m_state != State::Checking)
            return;
        if (image) {
            qCDebug(lcAgentImage) << "reusing" << m_tag;
            finish({});
        } else if (image.error().code == 404) {
            startBuild();
        } else {
            finish(Error{QStringLiteral("cannot look up the image %1: %2")
                                 .arg(m_tag, image.errorString()),
                         image.error().code});
        }
    });
}

void AgentImage::startBuild()
{
    setState(State::Building);
    m_build = new ImageBuild(m_client, m_context.tar, m_tag, m_context.buildArgs, this);
    connect(m_build, &ImageBuild::finished, this, [this](const Result<void> &result) {
        if (result) {
            m_built = true;
            finish({});
        } else if (result.error().code != ImageBuild::kCancelled) {
            finish(Error{QStringLiteral("Building %1 failed: %2%3")
                                 .arg(m_tag, result.errorString(), hint(result.errorString())),
                         result.error().code});
        }
    });
    emit buildStarted(m_build);
    m_build->start();
}

void AgentImage::cancel()
{
    if (m_state != State::Checking && m_state != State::Building)
        return;
    ++m_generation;
    if (m_build && m_build->state() == ImageBuild::State::Building) {
        m_build->disconnect(this);
        m_build->cancel();
    }
    m_error = QStringLiteral("The image build was cancelled");
    setState(State::Cancelled);
    emit finished(Error{m_error, ImageBuild::kCancelled});
}

void AgentImage::finish(Result<void> result)
{
    m_error = result.errorString();
    setState(result ? State::Ready : State::Failed);
    emit finished(result);
}

} // namespace Parallax

// Agent images from the templates in resources/agents/, built for real: AgentImage assembles
// the context, tags it by a hash of its inputs and builds it on the local Debian base image the
// e2e tests make (tests/e2e/make-base-image.sh: debootstrap + nodejs + git, no registry), with
// a stand-in CLI supplied offline as an `npm pack`-style tarball. The built image's entrypoint
// is then checked against the agent contract with `docker run` (the reference CLI): the prompt
// arrives as one argument, new and changed files land in the patch, the exit code is the
// agent's, and a repository is cloned shallowly at a ref.

#include "agents/agentimage.h"
#include "docker/dockerclient.h"
#include "docker/syncwait.h"
#include "dockertesthelpers.h"
#include "fakeclitarball.h"
#include "util/tarreader.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

namespace {

// A stand-in for the claude CLI: prints its arguments as JSON, edits the workspace (one new
// file, one changed file) and exits with $FAKE_EXIT; with $FAKE_WAIT it waits for SIGTERM first,
// and then notes it in a file and exits with 143.
const char *kFakeCli = R"(#!/usr/bin/env node
const fs = require('fs');
console.log(JSON.stringify({argv: process.argv.slice(2), cwd: process.cwd()}));
fs.writeFileSync('added.txt', 'a new file\n');
if (fs.existsSync('README')) fs.appendFileSync('README', 'changed by the agent\n');
if (process.env.FAKE_WAIT) {
  process.on('SIGTERM', () => { fs.writeFileSync('terminated.txt', 'SIGTERM\n'); process.exit(143); });
  console.log('waiting');
  setInterval(() => {}, 1000);
} else {
  process.exit(Number(process.env.FAKE_EXIT || 0));
}
)";

struct Docker
{
    int exitCode = -1;
    QString out;
    QString err;
};

Docker docker(const QStringList &args, int timeoutMs = 120000)
{
    QProcess process;
    process.start(QStringLiteral("docker"), args);
    Docker result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        result.err = QStringLiteral("docker %1 timed out").arg(args.join(u' '));
        return result;
    }
    result.exitCode = process.exitCode();
    result.out = QString::fromUtf8(process.readAllStandardOutput());
    result.err = QString::fromUtf8(process.readAllStandardError());
    return result;
}

} // namespace

class TestAgentImage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void specValidation_data();
    void specValidation();
    void contextAndTag();
    void badCliSource();
    void buildOfflineAndReuse();
    void entrypointHonoursContract();
    void entrypointClonesShallowAtRef();
    void entrypointPassesStopOn();
    void versionMismatchFails();

private:
    QString makeTarball(const QString &version);
    Result<void> ensure(AgentImage &image, int timeoutMs = 300000);
    AgentSpec spec(const QString &version) const;

    std::unique_ptr<DockerClient> m_client;
    QTemporaryDir m_dir;
    QString m_base;
    QString m_tag; // the image buildOfflineAndReuse() built
    QStringList m_tags;
};

void TestAgentImage::initTestCase()
{
    const Result<DockerEndpoint> endpoint = DockerTest::testEndpoint();
    QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
    m_client = std::make_unique<DockerClient>(*endpoint);
    QVERIFY(m_dir.isValid());
    // The newest local base image the e2e script made (its tag is a hash of the script).
    const Docker images = docker({QStringLiteral("images"),
                                  QStringLiteral("--format"),
                                  QStringLiteral("{{.Repository}}:{{.Tag}}"),
                                  QStringLiteral("parallax-test/bookworm-node")});
    m_base = images.out.split(u'\n', Qt::SkipEmptyParts).value(0).trimmed();
}

void TestAgentImage::cleanupTestCase()
{
    for (const QString &tag : std::as_const(m_tags))
        docker({QStringLiteral("rmi"), QStringLiteral("-f"), tag});
}

AgentSpec TestAgentImage::spec(const QString &version) const
{
    AgentSpec agent;
    agent.name = QStringLiteral("claude-code");
    agent.package = QStringLiteral("@anthropic-ai/claude-code");
    agent.version = version;
    agent.base = m_base;
    return agent;
}

QString TestAgentImage::makeTarball(const QString &version)
{
    return AgentTest::makeFakeCliTarball(m_dir.path(), version, kFakeCli);
}

Result<void> TestAgentImage::ensure(AgentImage &image, int timeoutMs)
{
    QSignalSpy finished(&image, &AgentImage::finished);
    image.start();
    if (!finished.wait(timeoutMs))
        return Error{QStringLiteral("the agent image did not finish in time")};
    if (!image.tag().isEmpty() && !m_tags.contains(image.tag()))
        m_tags << image.tag();
    return finished.at(0).at(0).value<Result<void>>();
}

void TestAgentImage::specValidation_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::addRow("ok, package from the template")
            << QByteArray(R"({"name": "codex-cli", "version": "0.169.0"})") << "";
    QTest::addRow("no name") << QByteArray(R"({"version": "1.0.0"})")
                             << "agent.name: missing (one of claude-code, codex-cli, gemini-cli)";
    QTest::addRow("unknown agent")
            << QByteArray(R"({"name": "claude", "version": "1.0.0"})")
            << "agent.name: no agent template \"claude\" (there are claude-code, codex-cli, "
               "gemini-cli)";
    QTest::addRow("typo") << QByteArray(R"({"name": "gemini-cl", "version": "1.0.0"})")
                          << "did you mean \"gemini-cli\"?";
    QTest::addRow("unknown key") << QByteArray(
            R"({"name": "codex-cli", "version": "1.0.0", "vesion": 1})")
                                 << "agent.vesion: unknown field (did you mean \"version\"?)";
    QTest::addRow("no version") << QByteArray(R"({"name": "codex-cli"})")
                                << "agent.version: missing: pin the CLI's exact version";
    QTest::addRow("range") << QByteArray(R"({"name": "codex-cli", "version": "^1.2.0"})")
                           << "agent.version: \"^1.2.0\" is not an exact version";
    QTest::addRow("latest") << QByteArray(R"({"name": "codex-cli", "version": "latest"})")
                            << "is not an exact version";
    QTest::addRow("bad package") << QByteArray(
            R"({"name": "codex-cli", "version": "1.0.0", "package": "Bad Name"})")
                                 << "agent.package: \"Bad Name\" is not an npm package name";
    QTest::addRow("bad base") << QByteArray(
            R"({"name": "codex-cli", "version": "1.0.0", "base": "a b"})")
                              << "agent.base: \"a b\" is not an image reference";
    QTest::addRow("number") << QByteArray(R"({"name": "codex-cli", "version": 1})")
                            << "agent.version: expected a non-empty string";
}

void TestAgentImage::specValidation()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    const Result<AgentSpec> agent = AgentSpec::fromJson(QJsonDocument::fromJson(json).object());
    if (error.isEmpty()) {
        QVERIFY2(agent, qPrintable(agent.errorString()));
        QCOMPARE(agent->package, QStringLiteral("@openai/codex"));
        QCOMPARE(agent->base, QStringLiteral("node:22-bookworm-slim"));
        QCOMPARE(agent->effectiveBin(), QStringLiteral("codex"));
        QCOMPARE(AgentSpec::fromJson(agent->toJson())->toJson(), agent->toJson());
    } else {
        QVERIFY(!agent);
        QVERIFY2(agent.errorString().contains(error), qPrintable(agent.errorString()));
    }
}

void TestAgentImage::contextAndTag()
{
    for (const QString &name : AgentSpec::knownAgents()) {
        AgentSpec agent = spec(QStringLiteral("1.2.3"));
        agent.name = name;
        agent.base = QStringLiteral("node:22-bookworm-slim");
        AgentImage image(m_client.get(), agent);
        const Result<AgentBuildContext> context = image.context();
        QVERIFY2(context, qPrintable(context.errorString()));
        QVERIFY2(context->tag.startsWith(QStringLiteral("parallax/agent-") + name + u':'),
                 qPrintable(context->tag));
        QCOMPARE(context->tag.section(u':', 1).size(), 12);
        const Result<QList<TarReader::Entry>> entries = TarReader::read(context->tar);
        QVERIFY2(entries, qPrintable(entries.errorString()));
        QStringList names;
        QByteArray dockerfile;
        for (const auto &entry : *entries) {
            names << entry.name;
            if (entry.name == QLatin1String("Dockerfile"))
                dockerfile = entry.data;
        }
        QCOMPARE(names,
                 QStringList({"Dockerfile",
                              "parallax/",
                              "parallax/entrypoint.sh",
                              "parallax/install-cli.sh",
                              "parallax/cli/"}));
        QVERIFY(dockerfile.contains("ARG BASE_IMAGE=node:22-bookworm-slim\n"));
        QVERIFY(dockerfile.contains("AGENT_VERSION=1.2.3 AGENT_BIN="));
        // Every default filled in.
        QVERIFY2(!QString::fromUtf8(dockerfile)
                          .contains(QRegularExpression(QStringLiteral("@[A-Z_]+@"))),
                 dockerfile.constData());
        QCOMPARE(context->buildArgs.value(QStringLiteral("AGENT_BIN")),
                 AgentSpec::defaultBin(name));
    }

    // The same inputs give the same tag; any changed input a new one.
    auto tagOf = [&](const AgentSpec &agent, const QByteArray &extra = {}) {
        AgentImage image(m_client.get(), agent);
        if (!extra.isEmpty())
            image.addExtraFile(QStringLiteral("extra/settings.json"), extra);
        return image.context()->tag;
    };
    const AgentSpec agent = spec(QStringLiteral("1.2.3"));
    const QString tag = tagOf(agent);
    QCOMPARE(tagOf(agent), tag);
    AgentSpec other = agent;
    other.version = QStringLiteral("1.2.4");
    QVERIFY(tagOf(other) != tag);
    other = agent;
    other.base = QStringLiteral("debian:bookworm");
    QVERIFY(tagOf(other) != tag);
    other = agent;
    other.bin = QStringLiteral("claude2");
    QVERIFY(tagOf(other) != tag);
    QVERIFY(tagOf(agent, "{}") != tag);
    QCOMPARE(tagOf(agent, "{}"), tagOf(agent, "{}"));
}

void TestAgentImage::badCliSource()
{
    AgentImage image(m_client.get(), spec(QStringLiteral("1.2.3")));
    image.setCliSource(m_dir.path()); // a directory without the package
    const Result<AgentBuildContext> context = image.context();
    QVERIFY(!context);
    QVERIFY2(context.errorString().contains(QStringLiteral("is not an npm tarball (.tgz), an "
                                                           "unpacked package or a node_modules "
                                                           "tree holding "
                                                           "@anthropic-ai/claude-code")),
             qPrintable(context.errorString()));
    QSignalSpy finished(&image, &AgentImage::finished);
    image.start();
    QCOMPARE(finished.size(), 1); // at once: nothing was sent to the daemon
    QCOMPARE(image.state(), AgentImage::State::Failed);
}

void TestAgentImage::buildOfflineAndReuse()
{
    if (m_base.isEmpty())
        QSKIP("no local base image: run tests/e2e/make-base-image.sh (debootstrap + nodejs + git)");
    const QString version
            = QStringLiteral("9.9.%1").arg(QDateTime::currentSecsSinceEpoch() % 100000);
    const QString tarball = makeTarball(version);
    QVERIFY(!tarball.isEmpty());
    AgentImage image(m_client.get(), spec(version));
    image.setCliSource(tarball);
    QSignalSpy buildStarted(&image, &AgentImage::buildStarted);
    QStringList lines;
    connect(&image, &AgentImage::buildStarted, this, [&](ImageBuild *build) {
        connect(build->progress(), &BuildProgress::lineReceived, this, [&](const QString &line) {
            lines << line;
        });
    });
    QElapsedTimer timer;
    timer.start();
    const Result<void> built = ensure(image);
    QVERIFY2(built, qPrintable(built.errorString() + u'\n' + lines.join(u'\n')));
    qInfo("built %s in %lld ms", qPrintable(image.tag()), qint64(timer.elapsed()));
    QVERIFY(image.wasBuilt());
    QCOMPARE(buildStarted.size(), 1);
    QVERIFY2(lines.contains(QStringLiteral("parallax: installed @anthropic-ai/claude-code %1 from "
                                           "anthropic-ai-claude-code-%1.tgz (offline)")
                                    .arg(version)),
             qPrintable(lines.join(u'\n')));
    m_tag = image.tag();

    // Unchanged inputs: the image is found and not rebuilt.
    AgentImage again(m_client.get(), spec(version));
    again.setCliSource(tarball);
    QSignalSpy againStarted(&again, &AgentImage::buildStarted);
    timer.restart();
    const Result<void> reused = ensure(again);
    QVERIFY2(reused, qPrintable(reused.errorString()));
    qInfo("reused in %lld ms", qint64(timer.elapsed()));
    QCOMPARE(again.tag(), m_tag);
    QVERIFY(!again.wasBuilt());
    QCOMPARE(againStarted.size(), 0);
    QCOMPARE(again.state(), AgentImage::State::Ready);
}

void TestAgentImage::entrypointHonoursContract()
{
    if (m_tag.isEmpty())
        QSKIP("no agent image (buildOfflineAndReuse did not build one)");
    const QString prompt = QStringLiteral(
            "Fix it; $(touch /tmp/pwned) `id` \"quoted\" 'single' * ?\nsecond line");
    const QString name = DockerTest::uniqueCaseValue(QStringLiteral("parallax-agentimage"));
    const Docker run = docker({QStringLiteral("run"),
                               QStringLiteral("--name"),
                               name,
                               QStringLiteral("--label"),
                               QStringLiteral("parallax.test=tst_agentimage"),
                               QStringLiteral("-e"),
                               QStringLiteral("PARALLAX_PROMPT=") + prompt,
                               QStringLiteral("-e"),
                               QStringLiteral("FAKE_EXIT=7"),
                               m_tag,
                               QStringLiteral("claude"),
                               QStringLiteral("-p"),
                               QStringLiteral("--verbose")});
    auto cleanup = qScopeGuard([&] { docker({QStringLiteral("rm"), QStringLiteral("-f"), name}); });
    QCOMPARE(run.exitCode, 7); // the agent's exit code
    const QJsonObject report = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QVERIFY2(!report.isEmpty(), qPrintable(run.out + run.err));
    // The command, then the prompt as one argument, byte for byte.
    QCOMPARE(report.value(QLatin1String("argv")).toArray(),
             QJsonArray({QStringLiteral("-p"), QStringLiteral("--verbose"), prompt}));
    QCOMPARE(report.value(QLatin1String("cwd")).toString(), QStringLiteral("/workspace"));

    const Docker patch = docker({QStringLiteral("cp"),
                                 name + QStringLiteral(":/workspace/.parallax/changes.patch"),
                                 QStringLiteral("-")});
    QCOMPARE(patch.exitCode, 0);
    const Result<QByteArray> patchText = TarReader::singleFile(patch.out.toLatin1());
    QVERIFY2(patchText, qPrintable(patchText.errorString()));
    QVERIFY2(patchText->contains("diff --git a/added.txt b/added.txt\nnew file mode 100644"),
             patchText->constData());
    QVERIFY2(patchText->contains("+a new file\n"), patchText->constData());
    QVERIFY(!patchText->contains(".parallax"));
    const Docker pwned = docker(
            {QStringLiteral("cp"), name + QStringLiteral(":/tmp/pwned"), QStringLiteral("-")});
    QVERIFY(pwned.exitCode != 0); // the prompt was never run by a shell
}

void TestAgentImage::entrypointClonesShallowAtRef()
{
    if (m_tag.isEmpty())
        QSKIP("no agent image (buildOfflineAndReuse did not build one)");
    // A repository with three commits and a tag on the second, mounted read-only.
    const QString repo = m_dir.filePath(QStringLiteral("repo"));
    QDir().mkpath(repo);
    auto git = [&](const QStringList &args) {
        QProcess process;
        process.setWorkingDirectory(repo);
        process.start(QStringLiteral("git"),
                      QStringList{QStringLiteral("-c"),
                                  QStringLiteral("user.name=t"),
                                  QStringLiteral("-c"),
                                  QStringLiteral("user.email=t@t")}
                              + args);
        process.waitForFinished();
        return QString::fromUtf8(process.readAllStandardOutput()).trimmed();
    };
    git({QStringLiteral("init"),
         QStringLiteral("-q"),
         QStringLiteral("-b"),
         QStringLiteral("main")});
    for (int i = 1; i <= 3; ++i) {
        QFile readme(repo + QStringLiteral("/README"));
        readme.open(QIODevice::WriteOnly | QIODevice::Append);
        readme.write(QStringLiteral("version %1\n").arg(i).toUtf8());
        readme.close();
        git({QStringLiteral("add"), QStringLiteral("README")});
        git({QStringLiteral("commit"),
             QStringLiteral("-q"),
             QStringLiteral("-m"),
             QStringLiteral("v%1").arg(i)});
        if (i == 2)
            git({QStringLiteral("tag"), QStringLiteral("v2")});
    }
    const QString second = git({QStringLiteral("rev-parse"), QStringLiteral("HEAD~1")});

    auto runWith = [&](const QString &ref, Docker *patchOut) {
        const QString name = DockerTest::uniqueCaseValue(QStringLiteral("parallax-agentimage"));
        QStringList args{QStringLiteral("run"),
                         QStringLiteral("--name"),
                         name,
                         QStringLiteral("--label"),
                         QStringLiteral("parallax.test=tst_agentimage"),
                         QStringLiteral("-v"),
                         repo + QStringLiteral(":/src:ro"),
                         QStringLiteral("-e"),
                         QStringLiteral("PARALLAX_REPO_URL=file:///src"),
                         QStringLiteral("-e"),
                         QStringLiteral("PARALLAX_PROMPT=go")};
        if (!ref.isEmpty())
            args << QStringLiteral("-e") << QStringLiteral("PARALLAX_REPO_REF=") + ref;
        // After the agent: how deep the clone is and what README holds.
        args << QStringLiteral("--entrypoint") << QStringLiteral("/bin/sh") << m_tag
             << QStringLiteral("-c")
             << QStringLiteral("/usr/local/bin/parallax-agent-entrypoint claude; s=$?; "
                               "git rev-list --count HEAD; head -n 1 README; tail -n 1 README; "
                               "exit $s");
        const Docker run = docker(args);
        if (patchOut)
            *patchOut = docker({QStringLiteral("cp"),
                                name + QStringLiteral(":/workspace/.parallax/changes.patch"),
                                QStringLiteral("-")});
        docker({QStringLiteral("rm"), QStringLiteral("-f"), name});
        return run;
    };

    Docker patch;
    const Docker head = runWith(QString(), &patch);
    QVERIFY2(head.exitCode == 0, qPrintable(head.out + head.err));
    QStringList lines = head.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.mid(1), QStringList({"1", "version 1", "changed by the agent"})); // shallow
    const Result<QByteArray> patchText = TarReader::singleFile(patch.out.toLatin1());
    QVERIFY2(patchText, qPrintable(patchText.errorString()));
    QVERIFY2(patchText->contains("--- a/README\n+++ b/README\n"), patchText->constData());
    QVERIFY2(patchText->contains("+changed by the agent\n"), patchText->constData());

    const Docker tag = runWith(QStringLiteral("v2"), nullptr);
    QVERIFY2(tag.exitCode == 0, qPrintable(tag.out + tag.err));
    lines = tag.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.mid(1), QStringList({"1", "version 1", "changed by the agent"}));

    const Docker commit = runWith(second, nullptr);
    QVERIFY2(commit.exitCode == 0, qPrintable(commit.out + commit.err));
    lines = commit.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.mid(1), QStringList({"1", "version 1", "changed by the agent"}));

    const Docker missing = runWith(QStringLiteral("no-such-ref"), nullptr);
    QCOMPARE(missing.exitCode, 125);
    QVERIFY2(missing.err.contains(QStringLiteral("cannot clone file:///src at no-such-ref")),
             qPrintable(missing.err));
}

void TestAgentImage::entrypointPassesStopOn()
{
    if (m_tag.isEmpty())
        QSKIP("no agent image (buildOfflineAndReuse did not build one)");
    // `docker stop` sends SIGTERM to the entrypoint (PID 1): it must reach the agent, and the
    // patch must still be written once the agent has exited.
    const QString name = DockerTest::uniqueCaseValue(QStringLiteral("parallax-agentimage"));
    auto cleanup = qScopeGuard([&] { docker({QStringLiteral("rm"), QStringLiteral("-f"), name}); });
    const Docker run = docker({QStringLiteral("run"),
                               QStringLiteral("-d"),
                               QStringLiteral("--name"),
                               name,
                               QStringLiteral("--label"),
                               QStringLiteral("parallax.test=tst_agentimage"),
                               QStringLiteral("-e"),
                               QStringLiteral("FAKE_WAIT=1"),
                               QStringLiteral("-e"),
                               QStringLiteral("PARALLAX_PROMPT=wait"),
                               m_tag,
                               QStringLiteral("claude")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QTRY_VERIFY_WITH_TIMEOUT(
            docker({QStringLiteral("logs"), name}).out.contains(QStringLiteral("waiting")), 30000);
    QElapsedTimer timer;
    timer.start();
    const Docker stop
            = docker({QStringLiteral("stop"), QStringLiteral("-t"), QStringLiteral("20"), name});
    QCOMPARE(stop.exitCode, 0);
    QVERIFY2(timer.elapsed() < 15000,
             "the entrypoint did not pass SIGTERM on (docker had to kill)");
    const Docker state = docker({QStringLiteral("inspect"),
                                 QStringLiteral("--format"),
                                 QStringLiteral("{{.State.ExitCode}}"),
                                 name});
    QCOMPARE(state.out.trimmed(), QStringLiteral("143"));
    const Docker patch = docker({QStringLiteral("cp"),
                                 name + QStringLiteral(":/workspace/.parallax/changes.patch"),
                                 QStringLiteral("-")});
    const Result<QByteArray> patchText = TarReader::singleFile(patch.out.toLatin1());
    QVERIFY2(patchText, qPrintable(patchText.errorString() + patch.err));
    QVERIFY2(patchText->contains("+++ b/terminated.txt"), patchText->constData());
    QVERIFY2(patchText->contains("+++ b/added.txt"), patchText->constData());
}

void TestAgentImage::versionMismatchFails()
{
    if (m_base.isEmpty())
        QSKIP("no local base image: run tests/e2e/make-base-image.sh (debootstrap + nodejs + git)");
    const QString tarball = makeTarball(QStringLiteral("9.8.7"));
    AgentImage image(m_client.get(), spec(QStringLiteral("9.8.6")));
    image.setCliSource(tarball);
    const Result<void> built = ensure(image);
    QVERIFY(!built);
    QCOMPARE(image.state(), AgentImage::State::Failed);
    QVERIFY2(built.errorString().contains(
                     QStringLiteral("returned a non-zero code: 1 — last output: parallax: the "
                                    "build context holds @anthropic-ai/claude-code 9.8.7, the "
                                    "preset pins 9.8.6")),
             qPrintable(built.errorString() + u'\n'
                        + image.build()->progress()->lines().join(u'\n')));
    QVERIFY(!docker({QStringLiteral("image"), QStringLiteral("inspect"), image.tag()}).exitCode
            == 0);
}

QTEST_GUILESS_MAIN(TestAgentImage)
#include "tst_agentimage.moc"

// Docker contexts and engine resolution against real files in a temporary HOME: config.json's
// currentContext, contexts/meta/<sha256>/meta.json, DOCKER_CONFIG, and the precedence
// --engine > PARALLAX_ENGINE > DOCKER_HOST > DOCKER_CONTEXT > currentContext > sockets.

#include "docker/dockercontexts.h"
#include "docker/dockerendpoint.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace Parallax;

class TestDockerContexts : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void storeDigestMatchesDockerCli();
    void noConfigMeansDefault();
    void currentContextSelectsItsHost();
    void precedence();
    void dockerConfigMovesTheFolder();
    void brokenConfig();
    void brokenMeta();
    void missingContext();
    void nonUnixContext();
    void availableEngines();
    void engineByName();

private:
    QString home() const { return m_home->path(); }
    QProcessEnvironment env() const;
    void writeFile(const QString &path, const QByteArray &bytes);
    void writeConfig(const QByteArray &bytes) { writeFile(home() + "/.docker/config.json", bytes); }
    void writeContext(const QString &name, const QString &host);

    std::unique_ptr<QTemporaryDir> m_home;
};

QProcessEnvironment TestDockerContexts::env() const
{
    QProcessEnvironment env;
    env.insert(QStringLiteral("HOME"), home());
    // A runtime dir with no sockets in it, so detection sees only the system socket.
    env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home() + QStringLiteral("/run"));
    return env;
}

void TestDockerContexts::writeFile(const QString &path, const QByteArray &bytes)
{
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(file.errorString()));
    QCOMPARE(file.write(bytes), bytes.size());
}

// Writes meta.json the way `docker context create NAME --docker host=HOST` does.
void TestDockerContexts::writeContext(const QString &name, const QString &host)
{
    const QJsonObject meta{
            {"Name", name},
            {"Metadata", QJsonObject{{"Description", "test context " + name}}},
            {"Endpoints",
             QJsonObject{{"docker", QJsonObject{{"Host", host}, {"SkipTLSVerify", false}}}}}};
    writeFile(home() + "/.docker/contexts/meta/" + DockerContexts::storeDigest(name) + "/meta.json",
              QJsonDocument(meta).toJson(QJsonDocument::Compact));
}

void TestDockerContexts::init()
{
    m_home = std::make_unique<QTemporaryDir>();
    QVERIFY(m_home->isValid());
}

void TestDockerContexts::storeDigestMatchesDockerCli()
{
    // `docker context create desktop-linux` stores under this folder (sha256 of the name).
    QCOMPARE(DockerContexts::storeDigest(QStringLiteral("desktop-linux")),
             QStringLiteral("fe9c6bd7a66301f49ca9b6a70b217107cd1284598bfc254700c989b916da791e"));
}

void TestDockerContexts::noConfigMeansDefault()
{
    const Result<QString> name = DockerContexts::currentName(env());
    QVERIFY(name);
    QCOMPARE(*name, QStringLiteral("default"));
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(env());
    QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
    QCOMPARE(endpoint->socketPath, QStringLiteral("/var/run/docker.sock"));
    QCOMPARE(endpoint->name, QStringLiteral("default"));
    // A config.json without currentContext is the default too.
    writeConfig(R"({"auths": {}})");
    QCOMPARE(*DockerContexts::currentName(env()), QStringLiteral("default"));
}

void TestDockerContexts::currentContextSelectsItsHost()
{
    writeContext(QStringLiteral("colima"), QStringLiteral("unix:///tmp/colima/docker.sock"));
    writeConfig(R"({"auths": {}, "currentContext": "colima"})");
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(env());
    QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
    QCOMPARE(endpoint->socketPath, QStringLiteral("/tmp/colima/docker.sock"));
    QCOMPARE(endpoint->name, QStringLiteral("colima"));
    QCOMPARE(endpoint->describe(),
             QStringLiteral("unix:///tmp/colima/docker.sock (context colima)"));
    const Result<DockerContext> context = DockerContexts::find(QStringLiteral("colima"), env());
    QVERIFY(context);
    QCOMPARE(context->description, QStringLiteral("test context colima"));
}

void TestDockerContexts::precedence()
{
    writeContext(QStringLiteral("current"), QStringLiteral("unix:///tmp/current.sock"));
    writeContext(QStringLiteral("fromenv"), QStringLiteral("unix:///tmp/fromenv.sock"));
    writeConfig(R"({"currentContext": "current"})");
    QProcessEnvironment e = env();
    QCOMPARE(DockerEndpoint::resolve(e)->socketPath, QStringLiteral("/tmp/current.sock"));
    e.insert(QStringLiteral("DOCKER_CONTEXT"), QStringLiteral("fromenv"));
    QCOMPARE(DockerEndpoint::resolve(e)->socketPath, QStringLiteral("/tmp/fromenv.sock"));
    e.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix:///tmp/host.sock"));
    QCOMPARE(DockerEndpoint::resolve(e)->socketPath, QStringLiteral("/tmp/host.sock"));
    QCOMPARE(DockerEndpoint::resolve(e)->source, QStringLiteral("DOCKER_HOST"));
    e.insert(QStringLiteral("PARALLAX_ENGINE"), QStringLiteral("current"));
    QCOMPARE(DockerEndpoint::resolve(e)->socketPath, QStringLiteral("/tmp/current.sock"));
    // An explicit engine (--engine, the window's selector) beats everything.
    QCOMPARE(DockerEndpoint::resolve(e, QStringLiteral("default"))->socketPath,
             QStringLiteral("/var/run/docker.sock"));
    QCOMPARE(DockerEndpoint::resolve(e, QStringLiteral("DOCKER_HOST"))->socketPath,
             QStringLiteral("/tmp/host.sock"));
}

void TestDockerContexts::dockerConfigMovesTheFolder()
{
    const QString dir = home() + QStringLiteral("/elsewhere");
    writeFile(dir + "/config.json", R"({"currentContext": "moved"})");
    const QJsonObject meta{
            {"Name", "moved"},
            {"Endpoints", QJsonObject{{"docker", QJsonObject{{"Host", "unix:///tmp/m.sock"}}}}}};
    writeFile(dir + "/contexts/meta/" + DockerContexts::storeDigest("moved") + "/meta.json",
              QJsonDocument(meta).toJson());
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("DOCKER_CONFIG"), dir);
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(e);
    QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
    QCOMPARE(endpoint->socketPath, QStringLiteral("/tmp/m.sock"));
}

void TestDockerContexts::brokenConfig()
{
    writeConfig(R"({"currentContext": "x",)");
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(env());
    QVERIFY(!endpoint);
    QVERIFY2(endpoint.errorString().contains(home() + "/.docker/config.json is not valid JSON"),
             qPrintable(endpoint.errorString()));
    writeConfig(R"({"currentContext": 42})");
    const Result<DockerEndpoint> wrongType = DockerEndpoint::resolve(env());
    QVERIFY(!wrongType);
    QVERIFY2(wrongType.errorString().contains("\"currentContext\" must be a string"),
             qPrintable(wrongType.errorString()));
    // DOCKER_HOST wins before config.json is read, as with the docker CLI.
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix:///tmp/h.sock"));
    QVERIFY(DockerEndpoint::resolve(e));
}

void TestDockerContexts::brokenMeta()
{
    writeFile(home() + "/.docker/contexts/meta/" + DockerContexts::storeDigest("bad")
                      + "/meta.json",
              "not json");
    writeConfig(R"({"currentContext": "bad"})");
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(env());
    QVERIFY(!endpoint);
    QVERIFY2(endpoint.errorString().startsWith("Docker context 'bad': ")
                     && endpoint.errorString().contains("meta.json is not valid JSON"),
             qPrintable(endpoint.errorString()));
    QStringList problems;
    const QList<DockerEndpoint> engines = DockerEndpoint::available(env(), &problems);
    QCOMPARE(problems.size(), 1);
    QVERIFY(problems.first().contains("meta.json is not valid JSON"));
    QCOMPARE(engines.first().name, QStringLiteral("default"));
    // Asking for it by name says what is wrong with its file.
    const Result<DockerEndpoint> byName = DockerEndpoint::byName(QStringLiteral("bad"), env());
    QVERIFY(!byName);
    QVERIFY2(byName.errorString().contains("not valid JSON"), qPrintable(byName.errorString()));
}

void TestDockerContexts::missingContext()
{
    writeConfig(R"({"currentContext": "gone"})");
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(env());
    QVERIFY(!endpoint);
    QVERIFY2(endpoint.errorString().startsWith("Docker context 'gone' does not exist")
                     && endpoint.errorString().contains("docker context ls"),
             qPrintable(endpoint.errorString()));
    const Result<DockerEndpoint> unknown = DockerEndpoint::resolve(env(), QStringLiteral("nope"));
    QVERIFY(!unknown);
    QCOMPARE(unknown.errorString(),
             QStringLiteral("No Docker engine named 'nope' (known: default)"));
}

void TestDockerContexts::nonUnixContext()
{
    writeContext(QStringLiteral("remote"), QStringLiteral("tcp://10.0.0.5:2376"));
    writeConfig(R"({"currentContext": "remote"})");
    const Result<DockerEndpoint> endpoint = DockerEndpoint::resolve(env());
    QVERIFY(!endpoint);
    QCOMPARE(endpoint.errorString(),
             QStringLiteral("Docker context 'remote' (Host tcp://10.0.0.5:2376): the tcp:// "
                            "scheme is not supported yet; Parallax talks to Docker over a local "
                            "unix socket (unix:///var/run/docker.sock)"));
    writeContext(QStringLiteral("relative"), QStringLiteral("unix://docker.sock"));
    const Result<DockerEndpoint> relative
            = DockerEndpoint::resolve(env(), QStringLiteral("relative"));
    QVERIFY(!relative);
    QVERIFY2(relative.errorString().contains("does not name an absolute socket path"),
             qPrintable(relative.errorString()));
}

void TestDockerContexts::availableEngines()
{
    writeContext(QStringLiteral("b-local"), QStringLiteral("unix:///tmp/b.sock"));
    writeContext(QStringLiteral("a-remote"), QStringLiteral("ssh://me@host"));
    // A rootless Podman socket that exists is detected; rootless Docker's does not exist.
    writeFile(home() + "/run/podman/podman.sock", "");
    QProcessEnvironment e = env();
    e.insert(QStringLiteral("DOCKER_HOST"), QStringLiteral("unix:///tmp/h.sock"));
    const QList<DockerEndpoint> engines = DockerEndpoint::available(e);
    QStringList names;
    for (const DockerEndpoint &engine : engines)
        names << engine.name;
    QStringList expected{"DOCKER_HOST", "a-remote", "b-local", "default", "podman-user"};
    if (QFileInfo::exists(QStringLiteral("/run/podman/podman.sock")))
        expected << "podman";
    QCOMPARE(names, expected);
    QVERIFY(engines[0].usable());
    QVERIFY(!engines[1].usable());
    QVERIFY(engines[1].error.contains("the ssh:// scheme is not supported yet"));
    QCOMPARE(engines[2].socketPath, QStringLiteral("/tmp/b.sock"));
    QCOMPARE(engines[4].socketPath, home() + "/run/podman/podman.sock");
    QCOMPARE(engines[4].source, QStringLiteral("Podman"));
}

void TestDockerContexts::engineByName()
{
    writeContext(QStringLiteral("remote"), QStringLiteral("tcp://10.0.0.5:2376"));
    const Result<DockerEndpoint> remote = DockerEndpoint::byName(QStringLiteral("remote"), env());
    QVERIFY(!remote);
    QVERIFY(remote.errorString().contains("tcp:// scheme is not supported"));
    // A detected socket that does not exist yet is still selectable by its id.
    const Result<DockerEndpoint> rootless
            = DockerEndpoint::byName(QStringLiteral("rootless"), env());
    QVERIFY2(rootless, qPrintable(rootless.errorString()));
    QCOMPARE(rootless->socketPath, home() + "/run/docker.sock");
}

QTEST_GUILESS_MAIN(TestDockerContexts)
#include "tst_dockercontexts.moc"

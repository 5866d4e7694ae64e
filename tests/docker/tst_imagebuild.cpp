// Image builds through Parallax against the real daemon: TarWriter build contexts sent to
// POST /build by DockerClient::buildImage / ImageBuild, on top of the local demo image
// (FROM scratch + busybox), so no registry is needed. Images are tagged
// parallax-test/imagebuild-<uuid>:* and removed with the docker CLI afterwards.

#include "docker/buildprogress.h"
#include "docker/dockerclient.h"
#include "docker/imagebuild.h"
#include "docker/syncwait.h"
#include "dockertesthelpers.h"
#include "util/tarwriter.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>
#include <QUuid>

using namespace Parallax;

class TestImageBuild : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void progressSplitsLines();
    void progressErrors_data();
    void progressErrors();
    void buildSucceeds();
    void fromScratch();
    void failingRunStep();
    void badDockerfile();
    void cancelStopsBuild();

private:
    QByteArray context(const QByteArray &dockerfile);
    Result<QJsonObject> inspect(const QString &image);
    Result<QString> build(ImageBuild &build, int timeoutMs = 120000);
    static QString docker(const QStringList &args);

    std::unique_ptr<DockerClient> m_client;
    QString m_repo;
};

void TestImageBuild::initTestCase()
{
    const Result<DockerEndpoint> endpoint = DockerTest::testEndpoint();
    QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
    m_client = std::make_unique<DockerClient>(*endpoint);
    const Result<PingInfo> ping = syncCall<PingInfo>(
            [&](QObject *context, auto done) { m_client->ping(context, done); });
    QVERIFY2(ping, qPrintable(ping.errorString()));
    const Result<QJsonObject> demo = inspect(QStringLiteral(PARALLAX_DEMO_IMAGE));
    QVERIFY2(demo, "the demo image is missing: ./dev.sh image");
    m_repo = QStringLiteral("parallax-test/imagebuild-")
             + QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
}

void TestImageBuild::cleanupTestCase()
{
    if (m_repo.isEmpty())
        return;
    const QString images = docker(
            {QStringLiteral("images"), QStringLiteral("-q"), QStringLiteral("--no-trunc"), m_repo});
    for (const QString &id : images.split(u'\n', Qt::SkipEmptyParts))
        docker({QStringLiteral("rmi"), QStringLiteral("-f"), id.trimmed()});
}

QString TestImageBuild::docker(const QStringList &args)
{
    QProcess process;
    process.start(QStringLiteral("docker"), args);
    process.waitForFinished(60000);
    return QString::fromUtf8(process.readAllStandardOutput());
}

QByteArray TestImageBuild::context(const QByteArray &dockerfile)
{
    TarWriter writer;
    writer.addFile(QStringLiteral("Dockerfile"), dockerfile);
    writer.addFile(QStringLiteral("files/hello.txt"), "hello from the context\n");
    writer.addFile(QStringLiteral("files/run.sh"), "#!/bin/sh\necho \"run.sh says $1\"\n", 0755);
    return writer.finish();
}

Result<QJsonObject> TestImageBuild::inspect(const QString &image)
{
    return syncCall<QJsonObject>(
            [&](QObject *context, auto done) { m_client->inspectImage(image, context, done); });
}

Result<QString> TestImageBuild::build(ImageBuild &build, int timeoutMs)
{
    QSignalSpy finished(&build, &ImageBuild::finished);
    build.start();
    if (!finished.wait(timeoutMs))
        return Error{QStringLiteral("the build did not finish in time")};
    const auto result = finished.at(0).at(0).value<Result<void>>();
    if (!result)
        return result.error();
    return build.imageId();
}

void TestImageBuild::progressSplitsLines()
{
    BuildProgress progress;
    QSignalSpy lines(&progress, &BuildProgress::lineReceived);
    QSignalSpy steps(&progress, &BuildProgress::stepChanged);
    QVERIFY(progress.apply({{"stream", "Step 1/3 : FROM base"}}));
    QCOMPARE(lines.size(), 0); // no newline yet
    QVERIFY(progress.apply({{"stream", "\n"}}));
    QVERIFY(progress.apply({{"stream", " ---\u003e 1234\nStep 2/3 : RUN make\n ---\u003e Run"}}));
    QVERIFY(progress.apply({{"stream", "ning in abc\nbuilding\r\n"}}));
    QCOMPARE(progress.step(), 2);
    QCOMPARE(progress.steps(), 3);
    QCOMPARE(progress.stepLine(), QStringLiteral("Step 2/3 : RUN make"));
    QCOMPARE(progress.fraction(), 0.5);
    QCOMPARE(steps.size(), 2);
    QCOMPARE(progress.lines(),
             QStringList({"Step 1/3 : FROM base",
                          " ---> 1234",
                          "Step 2/3 : RUN make",
                          " ---> Running in abc",
                          "building"}));
    QVERIFY(progress.apply({{"aux", QJsonObject{{"ID", "sha256:feed"}}}}));
    QVERIFY(progress.apply({{"stream", "Successfully built feed"}}));
    progress.flush();
    QCOMPARE(progress.imageId(), QStringLiteral("sha256:feed"));
    QCOMPARE(progress.fraction(), 1.0);
    QCOMPARE(progress.lines().last(), QStringLiteral("Successfully built feed"));
    QCOMPARE(lines.size(), 6);

    // The builder wraps a step's stderr in red: lines come without colour codes.
    QVERIFY(progress.apply({{"stream", "\u001b[91mwarning: x\n\u001b[0m"}}));
    QVERIFY(progress.apply({{"stream", "next\n"}}));
    QCOMPARE(progress.lines().mid(6), QStringList({"warning: x", "next"}));
}

void TestImageBuild::progressErrors_data()
{
    QTest::addColumn<QJsonObject>("message");
    QTest::addColumn<QString>("error");
    QTest::addRow("errorDetail")
            << QJsonObject{{"errorDetail",
                            QJsonObject{{"code", 3}, {"message", "The command returned 3"}}},
                           {"error", "The command returned 3"}}
            << "Step 2/3 failed: The command returned 3";
    QTest::addRow("bare error") << QJsonObject{{"error", "no space left\n"}}
                                << "Step 2/3 failed: no space left";
    QTest::addRow("empty") << QJsonObject{{"error", ""}}
                           << "Step 2/3 failed: the build failed without a message";
}

void TestImageBuild::progressErrors()
{
    QFETCH(QJsonObject, message);
    QFETCH(QString, error);
    BuildProgress progress;
    QSignalSpy errors(&progress, &BuildProgress::errorReceived);
    QVERIFY(progress.apply({{"stream", "Step 2/3 : RUN x\n"}}));
    QVERIFY(!progress.apply(message));
    QCOMPARE(progress.error(), error);
    QCOMPARE(errors.size(), 1);
    QVERIFY(progress.lines().last().startsWith(QStringLiteral("ERROR: ")));
}

void TestImageBuild::buildSucceeds()
{
    const QString tag = m_repo + QStringLiteral(":ok");
    ImageBuild imageBuild(
            m_client.get(),
            context("ARG BASE\n"
                    "FROM ${BASE}\n"
                    "ARG GREETING=unset\n"
                    "COPY files/ /opt/files/\n"
                    "RUN cat /opt/files/hello.txt && /opt/files/run.sh \"$GREETING\"\n"
                    "CMD [\"/opt/files/run.sh\", \"cmd\"]\n"),
            tag,
            {{"BASE", QStringLiteral(PARALLAX_DEMO_IMAGE)}, {"GREETING", "build-arg-value"}});
    QSignalSpy steps(imageBuild.progress(), &BuildProgress::stepChanged);
    const Result<QString> result = build(imageBuild);
    QVERIFY2(result,
             qPrintable(result.errorString() + u'\n' + imageBuild.progress()->lines().join(u'\n')));
    QVERIFY(result->startsWith(QStringLiteral("sha256:")));
    QCOMPARE(imageBuild.state(), ImageBuild::State::Succeeded);
    QCOMPARE(steps.size(), 6); // ARG, FROM, ARG, COPY, RUN, CMD
    QCOMPARE(steps.last().at(0).toInt(), 6);
    QCOMPARE(steps.last().at(1).toInt(), 6);
    const QStringList lines = imageBuild.progress()->lines();
    QVERIFY2(lines.contains(QStringLiteral("hello from the context")),
             qPrintable(lines.join(u'\n')));
    QVERIFY2(lines.contains(QStringLiteral("run.sh says build-arg-value")),
             qPrintable(lines.join(u'\n')));

    const Result<QJsonObject> image = inspect(tag);
    QVERIFY2(image, qPrintable(image.errorString()));
    QCOMPARE(image->value(QLatin1String("Id")).toString(), *result);
    QVERIFY(image->value(QLatin1String("RepoTags")).toArray().contains(tag));
    // The built image runs: its CMD is the script copied from the context, mode kept.
    const QString out = docker({QStringLiteral("run"), QStringLiteral("--rm"), tag});
    QCOMPARE(out, QStringLiteral("run.sh says cmd\n"));
}

void TestImageBuild::fromScratch()
{
    // As resources/demo-agent/ is made: FROM scratch plus the host's static busybox.
    QFile busybox(QStringLiteral("/bin/busybox"));
    if (!busybox.open(QIODevice::ReadOnly))
        QSKIP("no /bin/busybox on this machine (apt-get install busybox-static)");
    TarWriter writer;
    QVERIFY(writer.addFile(QStringLiteral("Dockerfile"),
                           "FROM scratch\n"
                           "COPY busybox /bin/busybox\n"
                           "RUN [\"/bin/busybox\", \"sh\", \"-c\", \"/bin/busybox echo scratch "
                           "step ran\"]\n"
                           "CMD [\"/bin/busybox\", \"echo\", \"from scratch\"]\n"));
    QVERIFY(writer.addFile(QStringLiteral("busybox"), busybox.readAll(), 0755));
    const QString tag = m_repo + QStringLiteral(":scratch");
    ImageBuild imageBuild(m_client.get(), writer.finish(), tag);
    const Result<QString> result = build(imageBuild);
    QVERIFY2(result, qPrintable(result.errorString()));
    QVERIFY(imageBuild.progress()->lines().contains(QStringLiteral("scratch step ran")));
    QCOMPARE(imageBuild.progress()->steps(), 4);
    QVERIFY(inspect(tag));
    QCOMPARE(docker({QStringLiteral("run"), QStringLiteral("--rm"), tag}),
             QStringLiteral("from scratch\n"));
}

void TestImageBuild::failingRunStep()
{
    ImageBuild imageBuild(m_client.get(),
                          context("FROM " PARALLAX_DEMO_IMAGE "\n"
                                  "RUN echo first step ok\n"
                                  "RUN echo about to fail >&2 && exit 3\n"
                                  "RUN echo never\n"),
                          m_repo + QStringLiteral(":fails"));
    const Result<QString> result = build(imageBuild);
    QVERIFY(!result);
    QCOMPARE(imageBuild.state(), ImageBuild::State::Failed);
    QVERIFY2(result.errorString().startsWith(QStringLiteral("Step 3/4 failed: The command")),
             qPrintable(result.errorString()));
    QVERIFY2(result.errorString().endsWith(
                     QStringLiteral("returned a non-zero code: 3 — last output: about to fail")),
             qPrintable(result.errorString()));
    const QStringList lines = imageBuild.progress()->lines();
    // The step's stderr, without the colour codes the builder wraps it in.
    QVERIFY2(lines.contains(QStringLiteral("about to fail")), qPrintable(lines.join(u'\n')));
    const qsizetype failed = lines.indexOf(QStringLiteral("about to fail"));
    QVERIFY(lines.value(failed + 1).startsWith(QStringLiteral("Removing intermediate container ")));
    QVERIFY(!lines.contains(QStringLiteral("never")));
    QVERIFY(!inspect(m_repo + QStringLiteral(":fails")));
}

void TestImageBuild::badDockerfile()
{
    ImageBuild imageBuild(m_client.get(),
                          context("FROM " PARALLAX_DEMO_IMAGE "\nFROBNICATE now\n"),
                          m_repo + QStringLiteral(":bad"));
    const Result<QString> result = build(imageBuild);
    QVERIFY(!result);
    QVERIFY2(result.errorString().contains(QStringLiteral("frobnicate"), Qt::CaseInsensitive),
             qPrintable(result.errorString()));

    // A context without a Dockerfile.
    TarWriter empty;
    empty.addFile(QStringLiteral("README"), "no Dockerfile here\n");
    ImageBuild missing(m_client.get(), empty.finish(), m_repo + QStringLiteral(":missing"));
    const Result<QString> missingResult = build(missing);
    QVERIFY(!missingResult);
    QVERIFY2(
            missingResult.errorString().contains(QStringLiteral("Dockerfile"), Qt::CaseInsensitive),
            qPrintable(missingResult.errorString()));
}

void TestImageBuild::cancelStopsBuild()
{
    const QString marker = QStringLiteral("parallax-cancel-")
                           + QUuid::createUuid().toString(QUuid::WithoutBraces).left(8);
    const QString tag = m_repo + QStringLiteral(":cancelled");
    ImageBuild imageBuild(m_client.get(),
                          context("FROM " PARALLAX_DEMO_IMAGE "\n"
                                  "RUN echo sleeping && sleep 60 && echo "
                                  + marker.toUtf8() + "\n"),
                          tag);
    QSignalSpy finished(&imageBuild, &ImageBuild::finished);
    QSignalSpy lines(imageBuild.progress(), &BuildProgress::lineReceived);
    imageBuild.start();
    QTRY_VERIFY_WITH_TIMEOUT(imageBuild.progress()->lines().contains(QStringLiteral("sleeping")),
                             60000);
    // The step's container is running now.
    auto containersWithMarker = [&] {
        return docker({QStringLiteral("ps"),
                       QStringLiteral("-a"),
                       QStringLiteral("--no-trunc"),
                       QStringLiteral("--format"),
                       QStringLiteral("{{.Command}}")})
                .count(marker);
    };
    QCOMPARE(containersWithMarker(), 1);
    QElapsedTimer timer;
    timer.start();
    imageBuild.cancel();
    QCOMPARE(finished.size(), 1);
    const auto result = finished.at(0).at(0).value<Result<void>>();
    QCOMPARE(result.error().code, ImageBuild::kCancelled);
    QCOMPARE(imageBuild.state(), ImageBuild::State::Cancelled);
    // The daemon stops the step and removes its container (forcerm) well before the sleep ends.
    QTRY_COMPARE_WITH_TIMEOUT(containersWithMarker(), 0, 30000);
    qInfo("build container gone %lld ms after cancel", qint64(timer.elapsed()));
    QVERIFY(!inspect(tag));
    QTest::qWait(200);
    QCOMPARE(finished.size(), 1); // no late second finished()
}

QTEST_GUILESS_MAIN(TestImageBuild)
#include "tst_imagebuild.moc"

// Image pulls through Parallax against a real registry: Debian's docker-registry on a free
// loopback port, test images pushed to it with the docker CLI and removed locally, then pulled
// with DockerClient::pullImage / ImagePull, through a throttling proxy where a test needs time.

#include "docker/dockerclient.h"
#include "docker/imagepull.h"
#include "docker/syncwait.h"
#include "dockertesthelpers.h"
#include "testregistry.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace Parallax;
using namespace Parallax::RegistryTest;

class TestImagePull : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void splitReference_data();
    void splitReference();
    void progressModel();
    void pullShowsEveryLayer();
    void cancelLeavesNoImage();
    void destroyingCancels();
    void missingTag();
    void unknownRepository();

private:
    Result<QJsonObject> inspect(const QString &image);
    bool waitFinished(ImagePull &pull, int timeoutMs);

    std::unique_ptr<Registry> m_registry;
    std::unique_ptr<DockerClient> m_client;
    QString m_small; // two layers of 2 MB, pushed and removed locally
    QString m_big;   // two layers of 24 MB
};

void TestImagePull::initTestCase()
{
    if (Registry::binary().isEmpty())
        QSKIP("docker-registry is not installed (apt-get install docker-registry)");
    const Result<DockerEndpoint> endpoint = DockerTest::testEndpoint();
    QVERIFY2(endpoint, qPrintable(endpoint.errorString()));
    m_client = std::make_unique<DockerClient>(*endpoint);
    const Result<PingInfo> ping = syncCall<PingInfo>(
            [&](QObject *context, auto done) { m_client->ping(context, done); });
    QVERIFY2(ping, qPrintable(ping.errorString()));
    m_registry = std::make_unique<Registry>();
    const QString error = m_registry->start();
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QString pushError
            = m_registry->pushRandomImage("parallax-test/small", "1", 2, 2'000'000, &m_small);
    QVERIFY2(pushError.isEmpty(), qPrintable(pushError));
    pushError = m_registry->pushRandomImage("parallax-test/big", "1", 2, 24'000'000, &m_big);
    QVERIFY2(pushError.isEmpty(), qPrintable(pushError));
}

void TestImagePull::cleanupTestCase()
{
    if (m_registry) {
        const QString error = m_registry->removeLocal();
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
}

Result<QJsonObject> TestImagePull::inspect(const QString &image)
{
    return syncCall<QJsonObject>(
            [&](QObject *context, auto done) { m_client->inspectImage(image, context, done); });
}

bool TestImagePull::waitFinished(ImagePull &pull, int timeoutMs)
{
    if (pull.state() != ImagePull::State::Pulling)
        return true;
    QSignalSpy spy(&pull, &ImagePull::finished);
    return spy.wait(timeoutMs);
}

void TestImagePull::splitReference_data()
{
    QTest::addColumn<QString>("reference");
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("tag");
    QTest::addRow("plain") << "busybox"
                           << "busybox"
                           << "latest";
    QTest::addRow("tag") << "busybox:1.36"
                         << "busybox"
                         << "1.36";
    QTest::addRow("port no tag") << "127.0.0.1:5000/a/b"
                                 << "127.0.0.1:5000/a/b"
                                 << "latest";
    QTest::addRow("port and tag") << "127.0.0.1:5000/a/b:v2"
                                  << "127.0.0.1:5000/a/b"
                                  << "v2";
    QTest::addRow("digest") << "alpine@sha256:abcd"
                            << "alpine"
                            << "sha256:abcd";
    QTest::addRow("spaces") << "  node:20 "
                            << "node"
                            << "20";
}

void TestImagePull::splitReference()
{
    QFETCH(QString, reference);
    QFETCH(QString, name);
    QFETCH(QString, tag);
    const auto [gotName, gotTag] = DockerClient::splitReference(reference);
    QCOMPARE(gotName, name);
    QCOMPARE(gotTag, tag);
}

// The model on its own, fed messages exactly as dockerd 20.10 wrote them for a two-layer pull.
void TestImagePull::progressModel()
{
    PullProgress progress;
    QAbstractItemModelTester tester(&progress);
    const auto feed = [&](const char *json) {
        return progress.apply(QJsonDocument::fromJson(json).object());
    };
    QVERIFY(feed(R"({"status":"Pulling from parallax-test/small","id":"1"})"));
    QCOMPARE(progress.rowCount(), 0);
    QCOMPARE(progress.statusLine(), QStringLiteral("Pulling from parallax-test/small (1)"));
    QVERIFY(feed(R"({"status":"Pulling fs layer","progressDetail":{},"id":"aaa"})"));
    QVERIFY(feed(R"({"status":"Pulling fs layer","progressDetail":{},"id":"bbb"})"));
    QCOMPARE(progress.rowCount(), 2);
    QCOMPARE(progress.overall(), 0.0);
    QVERIFY(feed(R"({"status":"Downloading","progressDetail":{"current":500,"total":1000},)"
                 R"("progress":"[==>  ]","id":"aaa"})"));
    QCOMPARE(progress.layers()[0].current, 500);
    QCOMPARE(progress.layers()[0].total, 1000);
    QCOMPARE(progress.layers()[0].fraction, 0.35);
    QCOMPARE(PullProgress::describe(progress.layers()[0]),
             QStringLiteral("Downloading 500 bytes / 1.0 kB"));
    // bbb has no size yet: the overall figure is the plain mean.
    QCOMPARE(progress.overall(), 0.175);
    QVERIFY(feed(
            R"({"status":"Downloading","progressDetail":{"current":0,"total":3000},"id":"bbb"})"));
    // Now weighed by size: (1000 * 0.35 + 3000 * 0) / 4000.
    QCOMPARE(progress.overall(), 0.0875);
    QVERIFY(feed(R"({"status":"Download complete","progressDetail":{},"id":"aaa"})"));
    QVERIFY(feed(
            R"({"status":"Extracting","progressDetail":{"current":1000,"total":2000},"id":"aaa"})"));
    QCOMPARE(progress.layers()[0].fraction, 0.85);
    QVERIFY(feed(R"({"status":"Pull complete","progressDetail":{},"id":"aaa"})"));
    QVERIFY(feed(R"({"status":"Already exists","progressDetail":{},"id":"bbb"})"));
    QCOMPARE(progress.overall(), 1.0);
    QVERIFY(progress.data(progress.index(1), PullProgress::DoneRole).toBool());
    QVERIFY(feed(R"({"status":"Digest: sha256:1234"})"));
    QVERIFY(feed(R"({"status":"Status: Downloaded newer image for x:1"})"));
    QCOMPARE(progress.statusLine(), QStringLiteral("Status: Downloaded newer image for x:1"));
    QVERIFY(progress.error().isEmpty());
    QVERIFY(!feed(R"({"errorDetail":{"message":"unexpected EOF"},"error":"unexpected EOF"})"));
    QCOMPARE(progress.error(), QStringLiteral("unexpected EOF"));
    QCOMPARE(progress.messageCount(), 12);
}

void TestImagePull::pullShowsEveryLayer()
{
    QVERIFY(!inspect(m_small)); // removed locally after the push
    ImagePull pull(m_client.get(), m_small);
    QAbstractItemModelTester tester(pull.progress());
    QSignalSpy inserted(pull.progress(), &QAbstractItemModel::rowsInserted);
    pull.start();
    QVERIFY(waitFinished(pull, 120000));
    m_registry->addLocal(m_small);
    QCOMPARE(pull.state(), ImagePull::State::Succeeded);
    QVERIFY2(pull.errorString().isEmpty(), qPrintable(pull.errorString()));
    // Two layers, each seen from "Pulling fs layer" to "Pull complete".
    const QList<PullProgress::Layer> layers = pull.progress()->layers();
    QCOMPARE(layers.size(), 2);
    QCOMPARE(inserted.size(), 2);
    for (const PullProgress::Layer &layer : layers) {
        QVERIFY2(layer.messages >= 3, qPrintable(layer.id));
        QCOMPARE(layer.status, QStringLiteral("Pull complete"));
        QVERIFY(layer.done);
        QVERIFY2(layer.downloadTotal > 1'000'000, qPrintable(QString::number(layer.downloadTotal)));
    }
    QCOMPARE(pull.progress()->overall(), 1.0);
    QVERIFY2(pull.progress()->statusLine().startsWith("Status: Downloaded newer image for "),
             qPrintable(pull.progress()->statusLine()));
    const Result<QJsonObject> image = inspect(m_small);
    QVERIFY2(image, qPrintable(image.errorString()));
    QCOMPARE(image->value("RootFS").toObject().value("Layers").toArray().size(), 2);

    // The image is listed with its size now.
    const Result<QList<ImageSummary>> images = syncCall<QList<ImageSummary>>(
            [&](QObject *context, auto done) { m_client->listImages(context, done); });
    QVERIFY(images);
    bool listed = false;
    for (const ImageSummary &summary : *images)
        listed = listed || (summary.repoTags.contains(m_small) && summary.size >= 4'000'000);
    QVERIFY(listed);

    // Pulling again finds everything there.
    ImagePull again(m_client.get(), m_small);
    again.start();
    QVERIFY(waitFinished(again, 60000));
    QCOMPARE(again.state(), ImagePull::State::Succeeded);
    QVERIFY2(again.progress()->statusLine().startsWith("Status: Image is up to date"),
             qPrintable(again.progress()->statusLine()));
}

void TestImagePull::cancelLeavesNoImage()
{
    // Through a proxy holding the registry to 8 MB/s: the 48 MB pull takes several seconds.
    ThrottlingProxy proxy(m_registry->port(), 8'000'000);
    const QString viaProxy = QStringLiteral("127.0.0.1:%1/parallax-test/big:1").arg(proxy.port());
    m_registry->addLocal(viaProxy);
    QVERIFY(!inspect(viaProxy));
    ImagePull pull(m_client.get(), viaProxy);
    pull.start();
    QTRY_VERIFY_WITH_TIMEOUT(
            [&] {
                for (const PullProgress::Layer &layer : pull.progress()->layers()) {
                    if (layer.status == QLatin1String("Downloading") && layer.current > 0)
                        return true;
                }
                return false;
            }(),
            60000);
    QCOMPARE(pull.state(), ImagePull::State::Pulling);
    pull.cancel();
    QCOMPARE(pull.state(), ImagePull::State::Cancelled); // at once: the connection is closed
    QVERIFY(pull.errorString().contains("cancelled"));
    QVERIFY(pull.progress()->error().isEmpty());
    const qint64 forwarded = proxy.forwarded();
    qInfo("cancelled after %lld bytes from the registry", forwarded);
    QVERIFY2(forwarded < 40'000'000, qPrintable(QString::number(forwarded)));
    // The daemon stops too: no image appears, and the proxy stops carrying bytes.
    QTest::qWait(2000);
    const qint64 afterCancel = proxy.forwarded();
    QTest::qWait(1000);
    QVERIFY2(proxy.forwarded() - afterCancel < 1'000'000,
             qPrintable(
                     QStringLiteral("%1 bytes after cancel").arg(proxy.forwarded() - afterCancel)));
    const Result<QJsonObject> image = inspect(viaProxy);
    QVERIFY(!image);
    QCOMPARE(image.error().code, 404);

    // The same pull started again, unthrottled, completes.
    proxy.setRate(0);
    pull.start();
    QCOMPARE(pull.state(), ImagePull::State::Pulling);
    QElapsedTimer timer;
    timer.start();
    QVERIFY(waitFinished(pull, 180000));
    QCOMPARE(pull.state(), ImagePull::State::Succeeded);
    qInfo("unthrottled pull of 2 x 24 MB layers: %lld ms, %d progress messages",
          timer.elapsed(),
          pull.progress()->messageCount());
    QVERIFY(inspect(viaProxy));
}

// A pull whose owner goes away (a dialog closed with its window) stops on the daemon too.
void TestImagePull::destroyingCancels()
{
    // An image of its own: the layers of the others are local by now.
    const QString pushError
            = m_registry->pushRandomImage("parallax-test/dropped", "1", 1, 24'000'000);
    QVERIFY2(pushError.isEmpty(), qPrintable(pushError));
    ThrottlingProxy proxy(m_registry->port(), 4'000'000);
    const QString viaProxy
            = QStringLiteral("127.0.0.1:%1/parallax-test/dropped:1").arg(proxy.port());
    m_registry->addLocal(viaProxy);
    QVERIFY(!inspect(viaProxy));
    auto pull = std::make_unique<ImagePull>(m_client.get(), viaProxy);
    pull->start();
    QTRY_VERIFY_WITH_TIMEOUT(proxy.forwarded() > 1'000'000, 60000);
    pull.reset();
    QTest::qWait(1500);
    const qint64 afterDelete = proxy.forwarded();
    QTest::qWait(1500);
    QVERIFY2(proxy.forwarded() - afterDelete < 500'000,
             qPrintable(QStringLiteral("%1 bytes after the pull was deleted")
                                .arg(proxy.forwarded() - afterDelete)));
    QVERIFY(!inspect(viaProxy));
}

void TestImagePull::missingTag()
{
    const QString missing = m_registry->host() + QStringLiteral("/parallax-test/small:nope");
    ImagePull pull(m_client.get(), missing);
    pull.start();
    QVERIFY(waitFinished(pull, 60000));
    QCOMPARE(pull.state(), ImagePull::State::Failed);
    QVERIFY2(pull.errorString().startsWith(QStringLiteral("Pulling %1 failed: ").arg(missing))
                     && pull.errorString().contains("not found"),
             qPrintable(pull.errorString()));
    QVERIFY(!inspect(missing));
}

void TestImagePull::unknownRepository()
{
    const QString missing = m_registry->host() + QStringLiteral("/parallax-test/absent:1");
    ImagePull pull(m_client.get(), missing);
    pull.start();
    QVERIFY(waitFinished(pull, 60000));
    QCOMPARE(pull.state(), ImagePull::State::Failed);
    QVERIFY2(pull.errorString().contains("parallax-test/absent"), qPrintable(pull.errorString()));
    ImagePull empty(m_client.get(), QStringLiteral("  "));
    empty.start();
    QCOMPARE(empty.state(), ImagePull::State::Failed);
    QCOMPARE(empty.errorString(), QStringLiteral("No image to pull: the image name is empty"));
}

QTEST_GUILESS_MAIN(TestImagePull)
#include "tst_imagepull.moc"

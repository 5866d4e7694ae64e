#include "imagebuild.h"

#include "dockerclient.h"

namespace Parallax {

ImageBuild::ImageBuild(DockerClient *client,
                       QByteArray context,
                       const QString &tag,
                       const QMap<QString, QString> &buildArgs,
                       QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_context(std::move(context))
    , m_tag(tag)
    , m_buildArgs(buildArgs)
{}

ImageBuild::~ImageBuild()
{
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->abort();
    }
}

void ImageBuild::start()
{
    if (m_state == State::Building)
        return;
    m_progress.clear();
    m_error.clear();
    m_failed = false;
    m_state = State::Building;
    m_stream = m_client->buildImage(m_context, m_tag, m_buildArgs, this);
    connect(m_stream, &JsonLinesStream::objectReceived, this, [this](const QJsonObject &message) {
        if (!m_progress.apply(message))
            m_failed = true;
    });
    connect(m_stream, &JsonLinesStream::finished, this, [this](const Result<void> &result) {
        m_stream = nullptr;
        m_progress.flush();
        if (m_state == State::Cancelled)
            return;
        if (!result)
            finish(Error{QStringLiteral("The image build failed: %1").arg(result.errorString()),
                         result.error().code});
        else if (m_failed)
            finish(Error{m_progress.error(), 1});
        else if (m_progress.imageId().isEmpty())
            finish(Error{QStringLiteral("The image build ended without an image (the daemon "
                                        "closed the stream early)"),
                         1});
        else
            finish({});
    });
}

void ImageBuild::cancel()
{
    if (m_state != State::Building)
        return;
    m_state = State::Cancelled;
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->abort();
        m_stream = nullptr;
    }
    m_error = QStringLiteral("The image build was cancelled");
    emit finished(Error{m_error, kCancelled});
}

void ImageBuild::finish(Result<void> result)
{
    m_state = result ? State::Succeeded : State::Failed;
    m_error = result.errorString();
    emit finished(result);
}

} // namespace Parallax

#include "imagepull.h"

#include "dockerclient.h"

namespace Parallax {

ImagePull::ImagePull(DockerClient *client, const QString &reference, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_reference(reference.trimmed())
{}

ImagePull::~ImagePull()
{
    if (m_stream) {
        m_stream->disconnect(this);
        m_stream->abort();
    }
}

void ImagePull::start()
{
    if (m_state == State::Pulling)
        return;
    m_progress.clear();
    m_error.clear();
    m_cancelling = false;
    if (m_reference.isEmpty()) {
        m_state = State::Pulling;
        finish(Error{tr("No image to pull: the image name is empty"), 2});
        return;
    }
    m_state = State::Pulling;
    m_stream = m_client->pullImage(m_reference, this);
    connect(m_stream, &JsonLinesStream::objectReceived, this, [this](const QJsonObject &message) {
        if (!m_progress.apply(message) && m_stream)
            m_stream->abort(); // the daemon ends the stream itself; do not wait for it
    });
    connect(m_stream, &JsonLinesStream::finished, this, [this](const Result<void> &result) {
        m_stream = nullptr;
        if (m_cancelling) {
            finish(Error{tr("Pull of %1 cancelled").arg(m_reference), kCancelled});
        } else if (!m_progress.error().isEmpty()) {
            finish(Error{tr("Pulling %1 failed: %2").arg(m_reference, m_progress.error()), 1});
        } else if (!result) {
            finish(Error{tr("Pulling %1 failed: %2").arg(m_reference, result.errorString()),
                         result.error().code});
        } else {
            finish({});
        }
    });
}

void ImagePull::cancel()
{
    if (m_state != State::Pulling || !m_stream)
        return;
    m_cancelling = true;
    m_stream->abort();
}

void ImagePull::finish(Result<void> result)
{
    if (result)
        m_state = State::Succeeded;
    else if (result.error().code == kCancelled)
        m_state = State::Cancelled;
    else
        m_state = State::Failed;
    m_error = result ? QString() : result.errorString();
    emit finished(result);
}

} // namespace Parallax

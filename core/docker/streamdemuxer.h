#pragma once

#include "util/streamtype.h"

#include <QByteArrayView>
#include <QString>

#include <functional>

namespace Parallax {

// Splits Docker's multiplexed container stream - frames of an 8-byte header [type, 0, 0, 0,
// big-endian u32 size] followed by `size` payload bytes - into per-stream pieces. Frames may
// straddle any read or chunk boundary (Podman writes header and payload separately). Payload
// is handed on as it arrives, never buffered until its frame is complete, so memory stays at
// the 8 header bytes whatever the frame size. With a TTY there is no framing: every byte is
// stdout. Pure; one per stream.
class StreamDemuxer
{
public:
    // `stream`, a slice of the payload, and whether the slice opens a new frame.
    using Sink = std::function<void(StreamType stream, QByteArrayView payload, bool frameStart)>;

    explicit StreamDemuxer(bool multiplexed = true)
        : m_multiplexed(multiplexed)
    {}

    void setMultiplexed(bool multiplexed) { m_multiplexed = multiplexed; }
    bool isMultiplexed() const { return m_multiplexed; }

    // Returns false on a malformed header (errorString() says which bytes).
    bool feed(QByteArrayView data, const Sink &sink);
    // The stream ended: an error when it ended inside a frame.
    bool finish();

    bool hasError() const { return !m_error.isEmpty(); }
    QString errorString() const { return m_error; }
    // Whether the demuxer sits exactly between frames (nothing pending).
    bool atFrameBoundary() const { return m_headerFill == 0 && m_remaining == 0; }

private:
    bool m_multiplexed;
    unsigned char m_header[8] = {};
    int m_headerFill = 0;
    quint32 m_remaining = 0;
    quint32 m_frameSize = 0;
    StreamType m_stream = StreamType::Stdout;
    bool m_frameStart = false;
    QString m_error;
};

} // namespace Parallax

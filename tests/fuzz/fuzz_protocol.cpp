// libFuzzer target for the incremental protocol parsers: HttpResponseReader, then StreamDemuxer
// on the decoded body, and ChunkedDecoder on its own. Besides crashes and sanitizer reports it
// checks that the result does not depend on how the input was cut into reads: every input is
// parsed whole, cut as the fuzzer chose, and (when small) a byte at a time, and the three
// results must be identical. See docs/fuzzing.md.
//
// Input layout: byte 0 holds flags, bytes 1-4 the piece sizes (cycled), the rest is the
// response as read from the socket.
//   flags bit 0: the request was a HEAD
//   flags bit 1: the container has a TTY (no stream framing)
//   flags bit 2: the peer closes the connection after the last byte
//   size byte n: a piece of n bytes; 0 an empty read; 255 everything that is left

#include "docker/chunkeddecoder.h"
#include "docker/httpresponsereader.h"
#include "docker/streamdemuxer.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace Parallax;

namespace {

constexpr qsizetype kBytewiseLimit = 1024;

[[noreturn]] void violated(const char *what)
{
    std::fprintf(stderr, "fuzz_protocol: invariant violated: %s\n", what);
    std::abort();
}

void check(bool condition, const char *what)
{
    if (!condition)
        violated(what);
}

// How the input is cut into reads.
struct Cuts
{
    enum Kind { Whole, Bytewise, Sizes };
    Kind kind = Whole;
    QByteArrayView sizes;
};

// Calls feed(piece) for each piece of `data`, until feed returns false.
template<typename Feed>
void forEachPiece(QByteArrayView data, const Cuts &cuts, Feed &&feed)
{
    if (cuts.kind == Cuts::Whole || (cuts.kind == Cuts::Sizes && cuts.sizes.isEmpty())) {
        feed(data);
        return;
    }
    // All-zero sizes would never progress: read them as ones.
    const bool allZero = cuts.sizes.count('\0') == cuts.sizes.size();
    qsizetype pos = 0;
    qsizetype next = 0;
    while (pos < data.size()) {
        qsizetype n = 1;
        if (cuts.kind == Cuts::Sizes) {
            n = static_cast<unsigned char>(cuts.sizes[next++ % cuts.sizes.size()]);
            if (n == 255)
                n = data.size() - pos;
            else if (allZero)
                n = 1;
        }
        n = qMin(n, data.size() - pos);
        if (!feed(data.sliced(pos, n)))
            return;
        pos += n;
    }
}

struct Outcome
{
    // HttpResponseReader
    HttpResponseReader::State state = HttpResponseReader::State::Headers;
    int status = 0;
    QByteArray reason;
    qsizetype headerCount = 0;
    HttpResponseReader::BodyMode mode = HttpResponseReader::BodyMode::None;
    QByteArray body;
    QString readerError;
    // StreamDemuxer on the body
    QByteArray streams[4];
    int frames = 0;
    QString demuxError;
    bool demuxFinished = false;
    // ChunkedDecoder on the whole input
    QByteArray chunkedBody;
    qsizetype chunkedConsumed = 0;
    bool chunkedFinished = false;
    QString chunkedError;

    bool operator==(const Outcome &other) const
    {
        for (int i = 0; i < 4; ++i) {
            if (streams[i] != other.streams[i])
                return false;
        }
        return state == other.state && status == other.status && reason == other.reason
               && headerCount == other.headerCount && mode == other.mode && body == other.body
               && readerError == other.readerError && frames == other.frames
               && demuxError == other.demuxError && demuxFinished == other.demuxFinished
               && chunkedBody == other.chunkedBody && chunkedFinished == other.chunkedFinished
               && chunkedError == other.chunkedError
               && (chunkedConsumed == other.chunkedConsumed || !chunkedError.isEmpty());
    }
};

Outcome run(QByteArrayView response, quint8 flags, const Cuts &cuts)
{
    const bool head = flags & 1;
    const bool tty = flags & 2;
    const bool closed = flags & 4;
    Outcome out;

    HttpResponseReader reader;
    reader.setHeadRequest(head);
    StreamDemuxer demuxer(!tty);
    const StreamDemuxer::Sink sink = [&](StreamType stream, QByteArrayView payload, bool start) {
        check(!payload.isEmpty(), "the demuxer handed on an empty slice");
        check(!tty || (stream == StreamType::Stdout && !start), "TTY output must be plain stdout");
        const int index = int(stream);
        check(index >= 1 && index <= 3, "unknown stream type");
        out.streams[index] += payload.toByteArray();
        out.frames += start ? 1 : 0;
    };
    qsizetype fed = 0;
    forEachPiece(response, cuts, [&](QByteArrayView piece) {
        const qsizetype before = out.body.size();
        const bool ok = reader.feed(piece, &out.body);
        check(ok == !reader.hasError(), "feed() disagrees with hasError()");
        check(out.body.size() - before <= piece.size(), "the body grew more than what was fed");
        check(out.body.size() == before || reader.state() != HttpResponseReader::State::Headers,
              "a body before the header ended");
        fed += piece.size();
        check(reader.state() != HttpResponseReader::State::Headers
                      || fed <= HttpResponseReader::kMaxHeaderBytes,
              "the reader buffered more than kMaxHeaderBytes of header");
        // Body bytes decoded before a failure are still handed on.
        if (!demuxer.hasError()) {
            const bool demuxed = demuxer.feed(QByteArrayView(out.body).sliced(before), sink);
            check(demuxed == !demuxer.hasError(),
                  "StreamDemuxer::feed() disagrees with hasError()");
        }
        return ok;
    });
    if (closed) {
        const bool complete = reader.finishInput();
        check(complete == reader.isComplete(), "finishInput() disagrees with isComplete()");
        check(complete != reader.hasError(), "finishInput() neither completed nor failed");
        if (complete && !demuxer.hasError()) {
            out.demuxFinished = demuxer.finish();
            check(!out.demuxFinished || demuxer.atFrameBoundary(), "finished between frames");
        }
    }
    if (reader.isComplete() || reader.hasError()) {
        // A finished reader ignores what follows; a failed one stays failed.
        const HttpResponseReader::State state = reader.state();
        QByteArray more;
        reader.feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", &more);
        check(more.isEmpty() && reader.state() == state, "the reader moved on after its end");
    }
    check(!reader.isComplete() || reader.bodyMode() != HttpResponseReader::BodyMode::None
                  || out.body.isEmpty(),
          "a response without a body produced body bytes");
    out.state = reader.state();
    out.status = reader.statusCode();
    out.reason = reader.reasonPhrase();
    out.headerCount = reader.headers().size();
    out.mode = reader.bodyMode();
    out.readerError = reader.errorString();
    out.demuxError = demuxer.errorString();

    // The chunked decoder on its own, on the same bytes.
    ChunkedDecoder decoder;
    forEachPiece(response, cuts, [&](QByteArrayView piece) {
        const qsizetype consumed = decoder.feed(piece, &out.chunkedBody);
        check((consumed < 0) == decoder.hasError(), "ChunkedDecoder::feed() and hasError()");
        if (consumed < 0)
            return false;
        check(consumed <= piece.size(), "consumed more than given");
        check(consumed == piece.size() || decoder.isFinished(), "stopped early before the end");
        out.chunkedConsumed += consumed;
        return true;
    });
    check(out.chunkedBody.size() <= response.size(), "decoded more than was fed");
    if (decoder.hasError())
        check(decoder.feed({}, &out.chunkedBody) == -1, "a failed decoder forgot its failure");
    out.chunkedFinished = decoder.isFinished();
    out.chunkedError = decoder.errorString();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    if (input.size() < 1)
        return 0;
    const auto flags = quint8(input[0]);
    const QByteArrayView sizes = input.sliced(1, qMin<qsizetype>(4, input.size() - 1));
    const QByteArrayView response = input.sliced(1 + sizes.size());

    const Outcome whole = run(response, flags, {Cuts::Whole, {}});
    const Outcome cut = run(response, flags, {Cuts::Sizes, sizes});
    check(cut == whole, "the result depends on how the input was cut");
    if (response.size() <= kBytewiseLimit) {
        const Outcome bytewise = run(response, flags, {Cuts::Bytewise, {}});
        check(bytewise == whole, "the result differs when fed a byte at a time");
    }
    return 0;
}

#pragma once

// A scripted stand-in for the Anthropic Messages API, for end-to-end tests of a real agent CLI
// (Claude Code) without a network: an HTTP/1.1 server on 127.0.0.1 that answers
// `POST /v1/messages` with `"stream": true` as server-sent events (message_start,
// content_block_start/delta/stop with text_delta or input_json_delta, message_delta with the
// stop reason and usage, message_stop), following a fixed script of turns. Which turn a request
// gets is the number of tool_result blocks in its messages, so the conversation advances exactly
// when the CLI has run a tool and sent its result. Every request is recorded (method, path,
// headers, body) so a test can see what the CLI sent. A test fixture, not a product feature.
//
// The server runs in its own thread, so a test may block (QProcess::waitForFinished, a docker
// CLI reference run) while the CLI talks to it. Header-only and test-only.

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QMutex>
#include <QMutexLocker>
#include <QPointer>
#include <QSemaphore>
#include <QString>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QTimer>

#include <memory>

namespace Parallax::AgentTest {

// One answer of the model.
struct ScriptedTurn
{
    enum class Kind {
        ToolUse,   // one tool_use block: toolName with toolInput; stop_reason tool_use
        Text,      // one text block: text; stop_reason end_turn
        HttpError, // no stream: httpStatus with an Anthropic error body (errorType, text)
    };
    Kind kind = Kind::Text;
    QString toolName;
    QJsonObject toolInput;
    QString text;
    int httpStatus = 400;
    QString errorType = QStringLiteral("invalid_request_error");

    static ScriptedTurn toolUse(const QString &name, const QJsonObject &input)
    {
        ScriptedTurn turn;
        turn.kind = Kind::ToolUse;
        turn.toolName = name;
        turn.toolInput = input;
        return turn;
    }
    static ScriptedTurn message(const QString &text)
    {
        ScriptedTurn turn;
        turn.kind = Kind::Text;
        turn.text = text;
        return turn;
    }
    static ScriptedTurn error(int status, const QString &type, const QString &message)
    {
        ScriptedTurn turn;
        turn.kind = Kind::HttpError;
        turn.httpStatus = status;
        turn.errorType = type;
        turn.text = message;
        return turn;
    }
};

struct RecordedRequest
{
    QByteArray method;
    QByteArray target;                     // path and query, e.g. "/v1/messages?beta=true"
    QHash<QByteArray, QByteArray> headers; // names in lower case
    QByteArray body;
    int status = 0; // what the server answered
    int turn = -1;  // the script turn served, or -1
};

class ScriptedAnthropic
{
public:
    explicit ScriptedAnthropic(QList<ScriptedTurn> script)
        : m_shared(std::make_shared<Shared>())
    {
        m_shared->script = std::move(script);
    }

    ~ScriptedAnthropic()
    {
        m_thread.quit();
        m_thread.wait();
    }

    ScriptedAnthropic(const ScriptedAnthropic &) = delete;
    ScriptedAnthropic &operator=(const ScriptedAnthropic &) = delete;

    // Listens on 127.0.0.1 (a free port); empty on success, else why not.
    QString start()
    {
        QSemaphore ready;
        QString error;
        auto shared = m_shared;
        QObject::connect(&m_thread, &QThread::started, [&ready, &error, shared, this] {
            // Owned by the thread: deleted when its event loop ends.
            auto *server = new QTcpServer;
            QObject::connect(&m_thread, &QThread::finished, server, &QObject::deleteLater);
            QObject::connect(server, &QTcpServer::newConnection, server, [server, shared] {
                while (QTcpSocket *socket = server->nextPendingConnection())
                    serve(socket, shared);
            });
            if (!server->listen(QHostAddress::LocalHost, 0))
                error = server->errorString();
            m_port = server->serverPort();
            ready.release();
        });
        m_thread.start();
        ready.acquire();
        return error;
    }

    quint16 port() const { return m_port; }
    QString baseUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_port); }

    QList<RecordedRequest> requests() const
    {
        QMutexLocker lock(&m_shared->mutex);
        return m_shared->requests;
    }

    // The requests for /v1/messages, in arrival order.
    QList<RecordedRequest> messageRequests() const
    {
        QList<RecordedRequest> result;
        for (const RecordedRequest &request : requests())
            if (request.method == "POST" && request.target.startsWith("/v1/messages")
                && !request.target.startsWith("/v1/messages/"))
                result.append(request);
        return result;
    }

    // One line per request ("POST /v1/messages?beta=true -> 200 (turn 1)"), for failure output.
    QString describeRequests() const
    {
        QStringList lines;
        for (const RecordedRequest &request : requests())
            lines.append(QStringLiteral("%1 %2 -> %3%4")
                                 .arg(QString::fromLatin1(request.method),
                                      QString::fromLatin1(request.target))
                                 .arg(request.status)
                                 .arg(request.turn >= 0
                                              ? QStringLiteral(" (turn %1)").arg(request.turn)
                                              : QString()));
        return lines.join(QLatin1Char('\n'));
    }

private:
    static constexpr int kEventGapMs = 5;

    struct Shared
    {
        QMutex mutex;
        QList<ScriptedTurn> script;
        QList<RecordedRequest> requests;
    };

    static QByteArray event(const char *name, const QJsonObject &data)
    {
        return QByteArray("event: ") + name
               + "\ndata: " + QJsonDocument(data).toJson(QJsonDocument::Compact) + "\n\n";
    }

    static QByteArray chunk(const QByteArray &data)
    {
        return QByteArray::number(data.size(), 16) + "\r\n" + data + "\r\n";
    }

    static int toolResults(const QJsonObject &request)
    {
        int count = 0;
        for (const QJsonValue &message : request.value(QLatin1String("messages")).toArray()) {
            for (const QJsonValue &block :
                 message.toObject().value(QLatin1String("content")).toArray())
                if (block.toObject().value(QLatin1String("type")).toString()
                    == QLatin1String("tool_result"))
                    ++count;
        }
        return count;
    }

    // The SSE events of one turn. Tool input is sent in two input_json_delta pieces and text in
    // two text_delta pieces, so the client has to join partial deltas as it would for a real
    // model.
    static QList<QByteArray> streamEvents(const ScriptedTurn &turn, const QString &model, int n)
    {
        QList<QByteArray> events;
        events.append(
                event("message_start",
                      {{"type", "message_start"},
                       {"message",
                        QJsonObject{{"id", QStringLiteral("msg_scripted_%1").arg(n)},
                                    {"type", "message"},
                                    {"role", "assistant"},
                                    {"model", model},
                                    {"content", QJsonArray()},
                                    {"stop_reason", QJsonValue::Null},
                                    {"stop_sequence", QJsonValue::Null},
                                    {"usage",
                                     QJsonObject{{"input_tokens", 21}, {"output_tokens", 1}}}}}}));
        QJsonObject block;
        QStringList pieces;
        QString deltaType;
        QString deltaKey;
        if (turn.kind == ScriptedTurn::Kind::ToolUse) {
            block = {{"type", "tool_use"},
                     {"id", QStringLiteral("toolu_scripted_%1").arg(n)},
                     {"name", turn.toolName},
                     {"input", QJsonObject()}};
            const QString json = QString::fromUtf8(
                    QJsonDocument(turn.toolInput).toJson(QJsonDocument::Compact));
            pieces = {json.left(json.size() / 2), json.mid(json.size() / 2)};
            deltaType = QStringLiteral("input_json_delta");
            deltaKey = QStringLiteral("partial_json");
        } else {
            block = {{"type", "text"}, {"text", ""}};
            pieces = {turn.text.left(turn.text.size() / 2), turn.text.mid(turn.text.size() / 2)};
            deltaType = QStringLiteral("text_delta");
            deltaKey = QStringLiteral("text");
        }
        events.append(
                event("content_block_start",
                      {{"type", "content_block_start"}, {"index", 0}, {"content_block", block}}));
        for (const QString &piece : pieces)
            events.append(event("content_block_delta",
                                {{"type", "content_block_delta"},
                                 {"index", 0},
                                 {"delta", QJsonObject{{"type", deltaType}, {deltaKey, piece}}}}));
        events.append(event("content_block_stop", {{"type", "content_block_stop"}, {"index", 0}}));
        const bool tool = turn.kind == ScriptedTurn::Kind::ToolUse;
        events.append(event("message_delta",
                            {{"type", "message_delta"},
                             {"delta",
                              QJsonObject{{"stop_reason", tool ? "tool_use" : "end_turn"},
                                          {"stop_sequence", QJsonValue::Null}}},
                             {"usage", QJsonObject{{"output_tokens", 17}}}}));
        events.append(event("message_stop", {{"type", "message_stop"}}));
        return events;
    }

    static QByteArray plainResponse(int status,
                                    const QByteArray &reason,
                                    const QByteArray &type,
                                    const QByteArray &body)
    {
        return "HTTP/1.1 " + QByteArray::number(status) + ' ' + reason + "\r\nContent-Type: " + type
               + "\r\nContent-Length: " + QByteArray::number(body.size())
               + "\r\nConnection: keep-alive\r\n\r\n" + body;
    }

    static QByteArray errorBody(const QString &type, const QString &message)
    {
        return QJsonDocument(
                       QJsonObject{{"type", "error"},
                                   {"error", QJsonObject{{"type", type}, {"message", message}}}})
                .toJson(QJsonDocument::Compact);
    }

    // Answers one complete request on socket.
    static void
    answer(QTcpSocket *socket, RecordedRequest &request, const std::shared_ptr<Shared> &shared)
    {
        const bool messages = request.method == "POST" && request.target.startsWith("/v1/messages")
                              && !request.target.startsWith("/v1/messages/");
        if (!messages) {
            // The CLI checks that the base URL answers (GET or HEAD /); the rest is not ours.
            if ((request.method == "GET" || request.method == "HEAD") && request.target == "/") {
                request.status = 200;
                const QByteArray response = plainResponse(200, "OK", "text/plain", "OK");
                // HEAD: the same header, no body.
                socket->write(request.method == "HEAD" ? response.left(response.size() - 2)
                                                       : response);
            } else {
                request.status = 404;
                socket->write(plainResponse(404,
                                            "Not Found",
                                            "application/json",
                                            errorBody(QStringLiteral("not_found_error"),
                                                      QStringLiteral("not scripted"))));
            }
            return;
        }
        QJsonParseError parseError;
        const QJsonObject body = QJsonDocument::fromJson(request.body, &parseError).object();
        if (parseError.error != QJsonParseError::NoError) {
            request.status = 400;
            socket->write(plainResponse(
                    400,
                    "Bad Request",
                    "application/json",
                    errorBody(QStringLiteral("invalid_request_error"), parseError.errorString())));
            return;
        }
        const QString model = body.value(QLatin1String("model")).toString();
        ScriptedTurn turn;
        const bool tools = !body.value(QLatin1String("tools")).toArray().isEmpty();
        if (tools) {
            // The agent loop: turn n after n tool results. Past the end of the script, the
            // last turn again (a well-behaved CLI never gets there).
            QMutexLocker lock(&shared->mutex);
            request.turn = qMin(toolResults(body), int(shared->script.size()) - 1);
            if (request.turn >= 0)
                turn = shared->script.at(request.turn);
        } else {
            // A side request without tools (a title, a quota probe): a short plain answer.
            turn = ScriptedTurn::message(QStringLiteral("ok"));
        }
        if (turn.kind == ScriptedTurn::Kind::HttpError) {
            request.status = turn.httpStatus;
            socket->write(plainResponse(turn.httpStatus,
                                        "Scripted Error",
                                        "application/json",
                                        errorBody(turn.errorType, turn.text)));
            return;
        }
        if (!body.value(QLatin1String("stream")).toBool()) {
            // Not used by the CLI for its agent loop; answered whole for completeness.
            QJsonObject content{{"type", "text"}, {"text", turn.text}};
            if (turn.kind == ScriptedTurn::Kind::ToolUse)
                content = {{"type", "tool_use"},
                           {"id", QStringLiteral("toolu_scripted_%1").arg(request.turn)},
                           {"name", turn.toolName},
                           {"input", turn.toolInput}};
            const QJsonObject message{
                    {"id", "msg_scripted"},
                    {"type", "message"},
                    {"role", "assistant"},
                    {"model", model},
                    {"content", QJsonArray{content}},
                    {"stop_reason",
                     turn.kind == ScriptedTurn::Kind::ToolUse ? "tool_use" : "end_turn"},
                    {"stop_sequence", QJsonValue::Null},
                    {"usage", QJsonObject{{"input_tokens", 21}, {"output_tokens", 17}}}};
            request.status = 200;
            socket->write(plainResponse(200,
                                        "OK",
                                        "application/json",
                                        QJsonDocument(message).toJson(QJsonDocument::Compact)));
            return;
        }
        request.status = 200;
        socket->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                      "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n"
                      "Connection: keep-alive\r\n\r\n");
        // One chunk per event, a few milliseconds apart, so the client really reads a stream
        // that arrives in pieces rather than one buffer.
        auto pending = std::make_shared<QList<QByteArray>>();
        for (const QByteArray &data : streamEvents(turn, model, qMax(0, request.turn)))
            pending->append(chunk(data));
        pending->append("0\r\n\r\n");
        writePaced(socket, pending);
    }

    static void writePaced(QTcpSocket *socket, const std::shared_ptr<QList<QByteArray>> &pending)
    {
        if (pending->isEmpty())
            return;
        socket->write(pending->takeFirst());
        if (!pending->isEmpty())
            QTimer::singleShot(
                    kEventGapMs, socket, [socket, pending] { writePaced(socket, pending); });
    }

    // Reads requests off one connection (keep-alive: several in a row), answering each.
    static void serve(QTcpSocket *socket, const std::shared_ptr<Shared> &shared)
    {
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, socket, [socket, buffer, shared] {
            buffer->append(socket->readAll());
            for (;;) {
                const qsizetype headerEnd = buffer->indexOf("\r\n\r\n");
                if (headerEnd < 0)
                    return;
                RecordedRequest request;
                const QList<QByteArray> lines = buffer->left(headerEnd).split('\n');
                const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
                request.method = first.value(0);
                request.target = first.value(1);
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const qsizetype colon = lines.at(i).indexOf(':');
                    if (colon > 0)
                        request.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                               lines.at(i).mid(colon + 1).trimmed());
                }
                if (request.headers.contains("transfer-encoding")) {
                    // Not seen from the CLI; refused loudly rather than misread.
                    request.status = 411;
                    socket->write(plainResponse(411,
                                                "Length Required",
                                                "text/plain",
                                                "chunked request bodies are not scripted"));
                    socket->disconnectFromHost();
                    QMutexLocker lock(&shared->mutex);
                    shared->requests.append(request);
                    return;
                }
                const qsizetype length = request.headers.value("content-length", "0").toLongLong();
                if (buffer->size() < headerEnd + 4 + length)
                    return;
                request.body = buffer->mid(headerEnd + 4, length);
                buffer->remove(0, headerEnd + 4 + length);
                answer(socket, request, shared);
                QMutexLocker lock(&shared->mutex);
                shared->requests.append(request);
            }
        });
    }

    std::shared_ptr<Shared> m_shared;
    QThread m_thread;
    quint16 m_port = 0;
};

} // namespace Parallax::AgentTest

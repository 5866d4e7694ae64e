#include "runexporter.h"

#include "run/runfolder.h"

#include "styledlineassembler.h"

#include "agents/eventrender.h"
#include "agents/eventstream.h"
#include "run/run.h"
#include "text/xtermpalette.h"
#include "transcript/jsonstring.h"
#include "transcript/secretredactor.h"
#include "transcript/transcriptreader.h"
#include "util/difflines.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QIODevice>
#include <QJsonArray>
#include <QJsonDocument>

#include <array>
#include <optional>

namespace Parallax {

namespace {

// Collects output and hands it to the device in large writes; remembers the first failure.
class Sink
{
public:
    explicit Sink(QIODevice *device)
        : m_device(device)
    {
        m_buffer.reserve(kFlushSize + 4096);
    }

    void add(QByteArrayView bytes)
    {
        m_buffer.append(bytes);
        if (m_buffer.size() >= kFlushSize)
            flush();
    }
    void add(const QString &text) { add(QByteArrayView(text.toUtf8())); }
    void add(const char *text) { add(QByteArrayView(text)); }
    void add(const QByteArray &bytes) { add(QByteArrayView(bytes)); }

    bool flush()
    {
        if (!m_failed && !m_buffer.isEmpty() && m_device->write(m_buffer) != m_buffer.size()) {
            m_failed = true;
            m_error = m_device->errorString();
        }
        m_buffer.resize(0);
        return !m_failed;
    }
    bool failed() const { return m_failed; }
    QString errorString() const { return m_error; }

private:
    static constexpr qsizetype kFlushSize = 256 * 1024;
    QIODevice *m_device;
    QByteArray m_buffer;
    bool m_failed = false;
    QString m_error;
};

using ChunkHandler
        = std::function<void(StreamType, const QByteArray &time, QByteArrayView, qint64 raw)>;

// Streams one transcript record by record, masking secret values again when there are any.
// With masking the redactor may hold back the start of a possible secret until the next chunk
// of its stream decides it, so the bytes of a record can move into a later record of the same
// stream (or into a last record at the end, stamped with that stream's last time); a record
// left empty by that is skipped. rawLength is then unknown and passed as -1.
Result<void> forEachChunk(const QString &path,
                          const QList<QByteArray> &secrets,
                          qint64 *chunkCount,
                          const ChunkHandler &handler)
{
    TranscriptReader reader;
    if (const Result<void> opened = reader.open(path); !opened)
        return opened;
    std::array<std::optional<SecretRedactor>, 2> redactors;
    std::array<QByteArray, 2> lastTime;
    if (!secrets.isEmpty()) {
        redactors[0].emplace(secrets);
        redactors[1].emplace(secrets);
    }
    TranscriptChunk chunk;
    while (reader.next(&chunk)) {
        ++*chunkCount;
        const int index = chunk.stream == StreamType::Stderr ? 1 : 0;
        if (!redactors[index]) {
            handler(chunk.stream, chunk.time, chunk.data, chunk.rawLength);
            continue;
        }
        qint64 consumed = 0;
        const QByteArray masked = redactors[index]->feed(chunk.data, &consumed);
        lastTime[index] = chunk.time;
        if (!masked.isEmpty())
            handler(chunk.stream, chunk.time, masked, -1);
    }
    if (!reader.errorString().isEmpty())
        return Error{QStringLiteral("cannot read %1: %2").arg(path, reader.errorString()), 1};
    for (int index = 0; index < 2; ++index) {
        if (!redactors[index])
            continue;
        qint64 consumed = 0;
        const QByteArray rest = redactors[index]->finish(&consumed);
        if (!rest.isEmpty())
            handler(index ? StreamType::Stderr : StreamType::Stdout, lastTime[index], rest, -1);
    }
    return {};
}

Result<void> forEachLine(const QString &path,
                         const QList<QByteArray> &secrets,
                         bool plainText,
                         qint64 *chunkCount,
                         const StyledLineAssembler::LineHandler &handler)
{
    StyledLineAssembler assembler(plainText);
    const Result<void> result
            = forEachChunk(path,
                           secrets,
                           chunkCount,
                           [&](StreamType stream, const QByteArray &, QByteArrayView data, qint64) {
                               assembler.feed(stream, data, handler);
                           });
    if (!result)
        return result;
    assembler.finish(handler);
    return {};
}

// Whether a transcript's stdout is an agent event stream (docs/structured-view.md): reads
// only until the parser has decided, usually the first record.
bool isEventStream(const QString &path)
{
    TranscriptReader reader;
    if (!reader.open(path))
        return false;
    EventStreamParser parser;
    TranscriptChunk chunk;
    while (parser.format() == EventStreamFormat::Undecided && reader.next(&chunk)) {
        if (chunk.stream == StreamType::Stdout)
            parser.feed(chunk.data);
    }
    parser.finish();
    return parser.isEventStream();
}

// The structured rendering of an event stream, written item by item as items finish (a tool
// call waits for its result), so memory stays bounded like the raw transcript's. Secret
// values are masked in the bytes before they are parsed.
Result<void>
writeStructured(const RunExporter &exporter, const QString &path, bool html, Sink &sink)
{
    EventStreamParser parser;
    parser.setStreaming(true);
    const auto writeFinished = [&] {
        for (const EventItem &item : parser.takeFinished())
            sink.add(html ? EventRender::toHtml(item) : EventRender::toMarkdown(item));
    };
    qint64 ignored = 0; // chunksRead() counts the raw transcript's pass
    const Result<void> pass
            = forEachChunk(path,
                           exporter.secretValues(),
                           &ignored,
                           [&](StreamType stream, const QByteArray &, QByteArrayView data, qint64) {
                               if (stream != StreamType::Stdout)
                                   return;
                               parser.feed(data);
                               writeFinished();
                           });
    if (!pass)
        return pass;
    parser.finish();
    writeFinished();
    sink.add(html ? EventRender::totalsHtml(parser.totals())
                  : EventRender::totalsMarkdown(parser.totals()));
    return {};
}

QString durationText(qint64 ms)
{
    return QStringLiteral("%1 s").arg(ms / 1000.0, 0, 'f', 2);
}

QString stateText(const RecordedVariation &v)
{
    if (v.state == QLatin1String("exited") && v.exitCode.value_or(-1) >= 0)
        return QStringLiteral("exited %1").arg(*v.exitCode);
    return v.state.isEmpty() ? QStringLiteral("unknown") : v.state;
}

QString noteText(const RecordedVariation &v)
{
    QStringList parts{v.error.isEmpty() ? v.note : v.error};
    parts += v.problems; // file names run.json gave that were not read
    parts.removeAll(QString());
    QString note = parts.join(QLatin1Char(' '));
    note.replace(QLatin1Char('\n'), QLatin1Char(' '));
    return note;
}

QString fromRecord(const QJsonObject &record, const char *key)
{
    return record.value(QLatin1String(key)).toString();
}

QString bytesText(qint64 bytes)
{
    if (bytes >= 1024 * 1024 * 1024)
        return QStringLiteral("%1 GiB").arg(bytes / (1024.0 * 1024 * 1024), 0, 'f', 2);
    if (bytes >= 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(bytes / (1024.0 * 1024), 0, 'f', 1);
    if (bytes >= 1024)
        return QStringLiteral("%1 KiB").arg(bytes / 1024.0, 0, 'f', 1);
    return QStringLiteral("%1 B").arg(bytes);
}

// The resource peaks run.json records per variation (cpu_peak_percent, memory_peak_bytes);
// "-" for a variation never sampled (it did not run, or the run predates sampling).
std::pair<QString, QString> peakTexts(const RecordedVariation &v)
{
    return {v.cpuPeakPercent ? QStringLiteral("%1 %").arg(*v.cpuPeakPercent, 0, 'f', 1)
                             : QStringLiteral("-"),
            v.memoryPeakBytes ? bytesText(*v.memoryPeakBytes) : QStringLiteral("-")};
}

// What the variation's workspace patch changed ("3 files +39 -1"), "-" without a patch.
QString changesText(const RecordedVariation &v)
{
    if (v.patchPath.isEmpty())
        return QStringLiteral("-");
    return QStringLiteral("%1 file%2 +%3 -%4")
            .arg(v.filesChanged)
            .arg(v.filesChanged == 1 ? "" : "s")
            .arg(v.insertions)
            .arg(v.deletions);
}

// The table every format shows: one row per variation.
QList<QStringList> summaryRows(const RunExporter &exporter, bool markWinner)
{
    QList<QStringList> rows;
    for (const RecordedVariation &v : exporter.variations()) {
        const auto [cpuPeak, memoryPeak] = peakTexts(v);
        QString name = v.name;
        if (markWinner && v.name == exporter.winner())
            name += QStringLiteral(" (winner)");
        rows.append(
                {name,
                 stateText(v),
                 v.exitCode.value_or(-1) >= 0 ? QString::number(*v.exitCode) : QStringLiteral("-"),
                 durationText(v.durationMs),
                 QString::number(v.stdoutLines + v.stderrLines),
                 QString::number(v.stdoutBytes + v.stderrBytes),
                 QString::number(v.stderrLines),
                 changesText(v),
                 cpuPeak,
                 memoryPeak,
                 noteText(v)});
    }
    return rows;
}

const QStringList kSummaryHeader = {QStringLiteral("Variation"),
                                    QStringLiteral("State"),
                                    QStringLiteral("Exit"),
                                    QStringLiteral("Duration"),
                                    QStringLiteral("Lines"),
                                    QStringLiteral("Bytes"),
                                    QStringLiteral("Stderr lines"),
                                    QStringLiteral("Changes"),
                                    QStringLiteral("CPU peak"),
                                    QStringLiteral("Memory peak"),
                                    QStringLiteral("Note")};

// Label / value pairs describing the run and its spec. Values are already masked.
QList<std::pair<QString, QString>> runFacts(const RunExporter &exporter)
{
    const QJsonObject record = exporter.record();
    const QJsonObject spec = record.value(QLatin1String("spec")).toObject();
    QList<std::pair<QString, QString>> facts;
    auto add = [&](const char *label, const QString &value) {
        if (!value.isEmpty())
            facts.append({QString::fromLatin1(label), value});
    };
    add("Run id", fromRecord(record, "run_id"));
    add("State", fromRecord(record, "state"));
    add("Started", fromRecord(record, "started_at"));
    add("Finished", fromRecord(record, "finished_at"));
    add("Image", fromRecord(spec, "image"));
    QStringList command;
    for (const QJsonValue &part : spec.value(QLatin1String("command")).toArray())
        command.append(part.toString());
    add("Command", command.join(QLatin1Char(' ')));
    add("Workdir", fromRecord(spec, "workdir"));
    const QJsonObject repo = spec.value(QLatin1String("repo")).toObject();
    if (!repo.isEmpty())
        add("Repository",
            fromRecord(repo, "url")
                    + (repo.contains(QLatin1String("ref"))
                               ? QStringLiteral(" @ ") + fromRecord(repo, "ref")
                               : QString()));
    QStringList env;
    const QJsonObject envObject = spec.value(QLatin1String("env")).toObject();
    for (auto it = envObject.begin(); it != envObject.end(); ++it)
        env.append(it.key() + QLatin1Char('=') + it.value().toString());
    add("Environment", env.join(QStringLiteral(", ")));
    QStringList secrets;
    for (const QJsonValue &name : spec.value(QLatin1String("secrets")).toArray())
        secrets.append(name.toString());
    if (!secrets.isEmpty())
        add("Secrets", secrets.join(QStringLiteral(", ")) + QStringLiteral(" (names only)"));
    const QJsonObject limits = spec.value(QLatin1String("limits")).toObject();
    QStringList limitParts;
    for (auto it = limits.begin(); it != limits.end(); ++it)
        limitParts.append(it.key() + QLatin1Char(' ') + it.value().toVariant().toString());
    add("Limits", limitParts.join(QStringLiteral(", ")));
    if (spec.value(QLatin1String("tty")).toBool())
        add("TTY", QStringLiteral("yes"));
    add("Variations", QString::number(exporter.variations().size()));
    add("Winner", exporter.winner());
    QString prompt = fromRecord(spec, "prompt");
    prompt.replace(QLatin1Char('\n'), QLatin1Char(' '));
    if (prompt.size() > 500)
        prompt = prompt.left(500) + QStringLiteral("…");
    add("Prompt", prompt);
    return facts;
}

// The workspace patch a variation left (run.json's "patch", a file name in the run folder),
// secret values masked again, and its counts; nullopt when there is none. Patches are bounded
// when they are collected (TarReader::kMaxEntryBytes), so reading one whole is fine.
struct Patch
{
    QByteArray text;
    QString fileName;
    qint64 files = 0;
    qint64 insertions = 0;
    qint64 deletions = 0;
};

std::optional<Patch> variationPatch(const RunExporter &exporter, qsizetype index)
{
    const RecordedVariation &v = exporter.variations()[index];
    if (v.patchPath.isEmpty())
        return std::nullopt;
    QFile file(v.patchPath);
    if (!file.open(QIODevice::ReadOnly))
        return std::nullopt;
    Patch patch;
    patch.text = file.read(16 * 1024 * 1024);
    if (!exporter.secretValues().isEmpty())
        patch.text = SecretRedactor::redact(patch.text, exporter.secretValues());
    patch.fileName = v.patchFileName();
    patch.files = v.filesChanged;
    patch.insertions = v.insertions;
    patch.deletions = v.deletions;
    return patch;
}

QString patchSummary(const Patch &patch)
{
    const auto plural = [](qint64 n) {
        return n == 1 ? QLatin1String("") : QLatin1String("s");
    };
    return QStringLiteral("%1 file%2 changed, %3 insertion%4(+), %5 deletion%6(-)")
            .arg(patch.files)
            .arg(plural(patch.files))
            .arg(patch.insertions)
            .arg(plural(patch.insertions))
            .arg(patch.deletions)
            .arg(plural(patch.deletions));
}

// ---- Markdown ----------------------------------------------------------------------------

QString markdownCell(QString text)
{
    text.replace(QLatin1Char('\\'), QLatin1String("\\\\"));
    text.replace(QLatin1Char('|'), QLatin1String("\\|"));
    text.replace(QLatin1Char('<'), QLatin1String("&lt;"));
    return text;
}

// Inline code that survives backticks in the value.
QString markdownCode(const QString &text)
{
    qsizetype longest = 0, run = 0;
    for (QChar c : text) {
        run = c == QLatin1Char('`') ? run + 1 : 0;
        longest = qMax(longest, run);
    }
    const QString ticks(longest + 1, QLatin1Char('`'));
    return ticks + QLatin1Char(' ') + text + QLatin1Char(' ') + ticks;
}

qsizetype longestBacktickRun(const QString &text)
{
    qsizetype longest = 0, run = 0;
    for (QChar c : text) {
        run = c == QLatin1Char('`') ? run + 1 : 0;
        longest = qMax(longest, run);
    }
    return longest;
}

void writeMarkdownPatch(const RunExporter &exporter, qsizetype index, Sink &sink)
{
    const std::optional<Patch> patch = variationPatch(exporter, index);
    if (!patch)
        return;
    sink.add(QStringLiteral("\n**Workspace changes** (%1): %2\n")
                     .arg(markdownCode(patch->fileName), patchSummary(*patch)));
    if (patch->text.isEmpty())
        return;
    const QString text = QString::fromUtf8(patch->text);
    const QByteArray fence(qMax<qsizetype>(3, longestBacktickRun(text) + 1), '`');
    sink.add("\n");
    sink.add(fence);
    sink.add("diff\n");
    sink.add(patch->text);
    if (!patch->text.endsWith('\n'))
        sink.add("\n");
    sink.add(fence);
    sink.add("\n");
}

Result<void> writeMarkdown(const RunExporter &exporter, Sink &sink, qint64 *chunks)
{
    const QJsonObject record = exporter.record();
    const QString name = fromRecord(record, "name").isEmpty() ? fromRecord(record, "run_id")
                                                              : fromRecord(record, "name");
    sink.add(QStringLiteral("# Run: %1\n\n").arg(markdownCell(name)));
    for (const auto &[label, value] : runFacts(exporter)) {
        const bool code = label == QLatin1String("Run id") || label == QLatin1String("Image")
                          || label == QLatin1String("Command");
        sink.add(QStringLiteral("- **%1:** %2\n")
                         .arg(label, code ? markdownCode(value) : markdownCell(value)));
    }
    sink.add("\n## Summary\n\n| ");
    sink.add(kSummaryHeader.join(QStringLiteral(" | ")));
    sink.add(" |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |\n");
    for (const QStringList &row : summaryRows(exporter, true)) {
        QStringList cells;
        for (const QString &cell : row)
            cells.append(markdownCell(cell));
        sink.add(QStringLiteral("| %1 |\n").arg(cells.join(QStringLiteral(" | "))));
    }
    for (qsizetype index = 0; index < exporter.variations().size(); ++index) {
        const RecordedVariation &v = exporter.variations()[index];
        sink.add(QStringLiteral("\n## Variation %1%2\n\n")
                         .arg(markdownCell(v.name),
                              v.name == exporter.winner() ? QStringLiteral(" (winner)")
                                                          : QString()));
        sink.add(QStringLiteral("%1 · %2 · %3 lines (%4 on stderr) · %5 bytes\n")
                         .arg(markdownCell(stateText(v)), durationText(v.durationMs))
                         .arg(v.stdoutLines + v.stderrLines)
                         .arg(v.stderrLines)
                         .arg(v.stdoutBytes + v.stderrBytes));
        if (!noteText(v).isEmpty())
            sink.add(QStringLiteral("\n> %1\n").arg(markdownCell(noteText(v))));
        if (!QFileInfo::exists(v.transcriptPath)) {
            sink.add("\n*No transcript was recorded.*\n");
            writeMarkdownPatch(exporter, index, sink);
            continue;
        }
        const bool structured = isEventStream(v.transcriptPath);
        if (structured) {
            sink.add("\n### Structured output\n\n");
            if (Result<void> written = writeStructured(exporter, v.transcriptPath, false, sink);
                !written)
                return written;
            sink.add("<details><summary>Raw output</summary>\n");
        }
        // A fence must be longer than any backtick run inside it: a first pass over the
        // transcript finds the longest, so the second can stream.
        qsizetype longest = 0;
        qint64 ignored = 0;
        Result<void> pass = forEachLine(
                v.transcriptPath, exporter.secretValues(), true, &ignored, [&](const auto &line) {
                    longest = qMax(longest, longestBacktickRun(line.text));
                });
        if (!pass)
            return pass;
        const QByteArray fence(qMax<qsizetype>(3, longest + 1), '`');
        sink.add("\n");
        sink.add(fence);
        sink.add("text\n");
        bool endsWithNewline = true;
        pass = forEachLine(
                v.transcriptPath, exporter.secretValues(), true, chunks, [&](const auto &line) {
                    sink.add(line.text);
                    if (line.complete)
                        sink.add("\n");
                    endsWithNewline = line.complete;
                });
        if (!pass)
            return pass;
        if (!endsWithNewline)
            sink.add("\n");
        sink.add(fence);
        sink.add("\n");
        if (structured)
            sink.add("\n</details>\n");
        writeMarkdownPatch(exporter, index, sink);
    }
    return {};
}

// ---- Text --------------------------------------------------------------------------------

QString textTable(const QStringList &header, const QList<QStringList> &rows)
{
    QList<QStringList> all{header};
    all += rows;
    QList<qsizetype> widths(header.size(), 0);
    for (const QStringList &row : all)
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[i] = qMax(widths[i], row[i].size());
    QString out;
    for (const QStringList &row : all) {
        QString line;
        for (qsizetype i = 0; i < row.size(); ++i)
            line += i + 1 < row.size() ? row[i].leftJustified(widths[i] + 2) : row[i];
        out += line.trimmed() + QLatin1Char('\n');
    }
    return out;
}

Result<void> writeText(const RunExporter &exporter, Sink &sink, qint64 *chunks)
{
    const QJsonObject record = exporter.record();
    sink.add(QStringLiteral("Run %1\n").arg(fromRecord(record, "name")));
    for (const auto &[label, value] : runFacts(exporter))
        sink.add(QStringLiteral("%1: %2\n").arg(label, value));
    sink.add("\n");
    sink.add(textTable(kSummaryHeader, summaryRows(exporter, true)));
    for (const RecordedVariation &v : exporter.variations()) {
        sink.add(QStringLiteral("\n==== %1%2: %3, %4 ====\n")
                         .arg(v.name,
                              v.name == exporter.winner() ? QStringLiteral(" (winner)") : QString(),
                              stateText(v),
                              durationText(v.durationMs)));
        if (!QFileInfo::exists(v.transcriptPath)) {
            sink.add("(no transcript was recorded)\n");
            continue;
        }
        bool endsWithNewline = true;
        const Result<void> pass = forEachLine(
                v.transcriptPath, exporter.secretValues(), true, chunks, [&](const auto &line) {
                    sink.add(line.text);
                    if (line.complete)
                        sink.add("\n");
                    endsWithNewline = line.complete;
                });
        if (!pass)
            return pass;
        if (!endsWithNewline)
            sink.add("\n");
    }
    return {};
}

// ---- HTML --------------------------------------------------------------------------------

// Escapes for HTML and XML alike, and drops what XML 1.0 does not allow (EventRender's rules,
// shared with the structured rendering).
void appendHtmlEscaped(QString &out, QStringView text)
{
    EventRender::appendHtmlEscaped(out, text);
}

QString htmlEscaped(QStringView text)
{
    QString out;
    appendHtmlEscaped(out, text);
    return out;
}

QString hexColour(quint32 rgb)
{
    return QStringLiteral("#%1").arg(rgb & 0xffffff, 6, 16, QLatin1Char('0'));
}

// The CSS value of a colour: palette entries 0-15 follow the page's theme (CSS variables).
QString cssColour(const TextColor &colour)
{
    if (colour.kind == TextColor::Indexed && colour.index < 16)
        return QStringLiteral("var(--c%1)").arg(colour.index);
    if (colour.kind == TextColor::Indexed)
        return hexColour(xterm256Rgb(colour.index));
    return hexColour((quint32(colour.r) << 16) | (quint32(colour.g) << 8) | colour.b);
}

// The opening tag for a styled span, or an empty string for the default style.
QString spanOpenTag(const TextStyle &style)
{
    if (style == TextStyle())
        return {};
    TextColor fg = style.fg, bg = style.bg;
    QString css;
    if (style.inverse) {
        css += QStringLiteral("color:%1;background:%2;")
                       .arg(bg.kind == TextColor::Default ? QStringLiteral("var(--bg)")
                                                          : cssColour(bg),
                            fg.kind == TextColor::Default ? QStringLiteral("var(--fg)")
                                                          : cssColour(fg));
    } else {
        if (fg.kind != TextColor::Default)
            css += QStringLiteral("color:%1;").arg(cssColour(fg));
        if (bg.kind != TextColor::Default)
            css += QStringLiteral("background:%1;").arg(cssColour(bg));
    }
    QStringList classes;
    if (style.bold)
        classes << QStringLiteral("b");
    if (style.dim)
        classes << QStringLiteral("d");
    if (style.italic)
        classes << QStringLiteral("i");
    if (style.underline && style.strike)
        classes << QStringLiteral("us");
    else if (style.underline)
        classes << QStringLiteral("u");
    else if (style.strike)
        classes << QStringLiteral("s");
    QString tag = QStringLiteral("<span");
    if (!classes.isEmpty())
        tag += QStringLiteral(" class=\"%1\"").arg(classes.join(QLatin1Char(' ')));
    if (!css.isEmpty())
        tag += QStringLiteral(" style=\"%1\"").arg(css);
    return tag + QLatin1Char('>');
}

const char *const kHtmlStyle = R"css(
:root { color-scheme: light dark; --fg: #1f2328; --bg: #ffffff; --panel: #f6f8fa; --line: #d0d7de;
  --muted: #59636e; --err: #cf222e; --win: #1a7f37;
  --c0: #000000; --c1: #b3261e; --c2: #1a7f37; --c3: #8a6d00; --c4: #0550ae; --c5: #8250df;
  --c6: #1b7c83; --c7: #6e7781; --c8: #57606a; --c9: #d1242f; --c10: #2da44e; --c11: #bf8700;
  --c12: #218bff; --c13: #a475f9; --c14: #3192aa; --c15: #8c959f; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --panel: #161b22; --line: #30363d; --muted: #8d96a0;
    --err: #ff7b72; --win: #3fb950;
    --c0: #484f58; --c1: #ff7b72; --c2: #3fb950; --c3: #d29922; --c4: #58a6ff; --c5: #bc8cff;
    --c6: #39c5cf; --c7: #b1bac4; --c8: #6e7681; --c9: #ffa198; --c10: #56d364; --c11: #e3b341;
    --c12: #79c0ff; --c13: #d2a8ff; --c14: #56d4dd; --c15: #ffffff; }
}
body { margin: 0; padding: 1.5em; font: 14px/1.45 system-ui, sans-serif; color: var(--fg);
  background: var(--bg); }
h1 { font-size: 1.5em; margin: 0 0 .5em; }
h2 { font-size: 1.15em; margin: 1.2em 0 .5em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15em 1em; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; }
th, td { border: 1px solid var(--line); padding: .25em .6em; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.winner td:first-child, .badge { color: var(--win); font-weight: 600; }
.toggle-label { display: inline-block; margin: 1em 0 .5em; cursor: pointer; user-select: none; }
.cols { display: grid; grid-template-columns: repeat(var(--n), minmax(26em, 1fr)); gap: 1em;
  overflow-x: auto; }
#stacked:checked ~ .cols { grid-template-columns: minmax(0, 1fr); }
#stacked:checked ~ .cols pre.t { max-height: none; }
section.v { min-width: 0; border: 1px solid var(--line); border-radius: 6px; background: var(--panel); }
section.v.winner { border-color: var(--win); }
section.v header { padding: .5em .75em; border-bottom: 1px solid var(--line); }
section.v header h3 { margin: 0; font-size: 1em; }
section.v header p { margin: .2em 0 0; color: var(--muted); font-size: .9em; }
pre.t { margin: 0; padding: .5em .75em; max-height: 75vh; overflow: auto; background: var(--bg);
  font: 12.5px/1.35 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; tab-size: 8;
  border-radius: 0 0 6px 6px; }
pre.t .e { box-shadow: inset 2px 0 0 var(--err); }
section.v h4 { margin: 0; padding: .5em .75em; border-top: 1px solid var(--line); font-size: 1em; }
section.v h4 span { color: var(--muted); font-weight: normal; }
pre.d .da { color: var(--c2); } pre.d .dd { color: var(--c1); } pre.d .dh { color: var(--c6); }
pre.d .df { font-weight: 600; }
.b { font-weight: bold; } .d { opacity: .6; } .i { font-style: italic; }
.u { text-decoration: underline; } .s { text-decoration: line-through; }
.us { text-decoration: underline line-through; }
footer { margin-top: 2em; color: var(--muted); font-size: .85em; }
@media (max-width: 60em) { .cols { grid-template-columns: minmax(0, 1fr); } }
@media print {
  body { padding: 0; } .toggle-label, #stacked { display: none; }
  .cols { grid-template-columns: minmax(0, 1fr); overflow: visible; }
  pre.t { max-height: none; overflow: visible; white-space: pre-wrap; }
  section.v { break-inside: auto; }
}
#stacked { position: absolute; opacity: 0; }
#stacked:focus-visible + .toggle-label { outline: 2px solid var(--c4); }
.toggle-label::before { content: "☐ "; }
#stacked:checked + .toggle-label::before { content: "☑ "; }
)css";

// The patch under the transcript, one span per line: additions, deletions, hunk headers and
// file headers each get their class.
void writeHtmlPatch(const RunExporter &exporter, qsizetype index, Sink &sink)
{
    const std::optional<Patch> patch = variationPatch(exporter, index);
    if (!patch)
        return;
    sink.add(QStringLiteral("<h4>Workspace changes <span>%1 · %2</span></h4>\n")
                     .arg(htmlEscaped(patch->fileName), htmlEscaped(patchSummary(*patch))));
    if (patch->text.isEmpty())
        return;
    sink.add("<pre class=\"t d\">");
    QString html;
    const QString text = QString::fromUtf8(patch->text);
    qsizetype at = 0;
    while (at < text.size()) {
        qsizetype end = text.indexOf(QLatin1Char('\n'), at);
        if (end < 0)
            end = text.size();
        const QStringView line = QStringView(text).sliced(at, end - at);
        at = end + 1;
        const char *cls = EventRender::diffClass(classifyDiffLine(line));
        html.resize(0);
        if (cls)
            html += QStringLiteral("<span class=\"%1\">").arg(QLatin1String(cls));
        appendHtmlEscaped(html, line);
        if (cls)
            html += QLatin1String("</span>");
        html += QLatin1Char('\n');
        sink.add(html);
    }
    sink.add("</pre>\n");
}

Result<void> writeHtml(const RunExporter &exporter, Sink &sink, qint64 *chunks)
{
    const QJsonObject record = exporter.record();
    const QString name = fromRecord(record, "name").isEmpty() ? fromRecord(record, "run_id")
                                                              : fromRecord(record, "name");
    sink.add("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    sink.add(QStringLiteral("<title>Parallax run %1</title>\n").arg(htmlEscaped(name)));
    sink.add("<style>");
    sink.add(kHtmlStyle);
    sink.add(EventRender::htmlStyle());
    sink.add("</style>\n</head>\n<body>\n");
    sink.add(QStringLiteral("<h1>Run: %1</h1>\n<dl class=\"facts\">\n").arg(htmlEscaped(name)));
    for (const auto &[label, value] : runFacts(exporter))
        sink.add(QStringLiteral("<dt>%1</dt><dd>%2</dd>\n")
                         .arg(htmlEscaped(label), htmlEscaped(value)));
    sink.add("</dl>\n<h2>Summary</h2>\n<table>\n<thead><tr>");
    for (const QString &heading : kSummaryHeader)
        sink.add(QStringLiteral("<th>%1</th>").arg(htmlEscaped(heading)));
    sink.add("</tr></thead>\n<tbody>\n");
    const QList<QStringList> rows = summaryRows(exporter, false);
    for (qsizetype r = 0; r < rows.size(); ++r) {
        const bool winner = exporter.variations()[r].name == exporter.winner();
        sink.add(winner ? "<tr class=\"winner\">" : "<tr>");
        for (qsizetype c = 0; c < rows[r].size(); ++c) {
            QString cell = htmlEscaped(rows[r][c]);
            if (c == 0 && winner)
                cell += QStringLiteral(" <span class=\"badge\">★ winner</span>");
            // Right-aligned: every column between State and the trailing Note.
            const bool numeric = c >= 2 && c < kSummaryHeader.size() - 1;
            sink.add(QStringLiteral("<td%1>%2</td>")
                             .arg(numeric ? QStringLiteral(" class=\"n\"") : QString(), cell));
        }
        sink.add("</tr>\n");
    }
    sink.add("</tbody>\n</table>\n<h2>Transcripts</h2>\n");
    // A CSS-only toggle: the checkbox must precede the grid for the ~ selector to reach it.
    sink.add("<input type=\"checkbox\" id=\"stacked\" />"
             "<label class=\"toggle-label\" for=\"stacked\">Stack variations</label>\n");
    sink.add(QStringLiteral("<div class=\"cols\" style=\"--n:%1\">\n")
                     .arg(qMax<qsizetype>(1, exporter.variations().size())));
    QString html;
    for (qsizetype index = 0; index < exporter.variations().size(); ++index) {
        const RecordedVariation &v = exporter.variations()[index];
        const bool winner = v.name == exporter.winner();
        sink.add(QStringLiteral("<section class=\"v%1\">\n<header><h3>%2%3</h3>"
                                "<p>%4 · %5 · %6 lines · %7 bytes</p></header>\n")
                         .arg(winner ? QStringLiteral(" winner") : QString(),
                              htmlEscaped(v.name),
                              winner ? QStringLiteral(" <span class=\"badge\">★ winner</span>")
                                     : QString(),
                              htmlEscaped(stateText(v)),
                              durationText(v.durationMs))
                         .arg(v.stdoutLines + v.stderrLines)
                         .arg(v.stdoutBytes + v.stderrBytes));
        const bool structured
                = QFileInfo::exists(v.transcriptPath) && isEventStream(v.transcriptPath);
        if (structured) {
            sink.add("<div class=\"ev\">\n");
            if (Result<void> written = writeStructured(exporter, v.transcriptPath, true, sink);
                !written)
                return written;
            sink.add("</div>\n<details class=\"raw\"><summary>Raw output</summary>\n");
        }
        sink.add("<pre class=\"t\">");
        if (!QFileInfo::exists(v.transcriptPath)) {
            sink.add("<em>No transcript was recorded.</em>");
        } else {
            const Result<void> pass
                    = forEachLine(v.transcriptPath,
                                  exporter.secretValues(),
                                  false,
                                  chunks,
                                  [&](const StyledLineAssembler::Line &line) {
                                      html.resize(0);
                                      const bool err = line.stream == StreamType::Stderr;
                                      if (err)
                                          html += QLatin1String("<span class=\"e\">");
                                      for (const TextSpan &span : line.spans()) {
                                          const QString open = spanOpenTag(span.style);
                                          html += open;
                                          appendHtmlEscaped(html, span.text);
                                          if (!open.isEmpty())
                                              html += QLatin1String("</span>");
                                      }
                                      if (err)
                                          html += QLatin1String("</span>");
                                      if (line.complete)
                                          html += QLatin1Char('\n');
                                      sink.add(html);
                                  });
            if (!pass)
                return pass;
        }
        sink.add("</pre>\n");
        if (structured)
            sink.add("</details>\n");
        writeHtmlPatch(exporter, index, sink);
        sink.add("</section>\n");
    }
    sink.add(QStringLiteral("</div>\n<footer>Exported by Parallax on %1. Stdout and stderr are "
                            "interleaved as they arrived; stderr lines are marked at the left "
                            "edge.</footer>\n</body>\n</html>\n")
                     .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate)));
    return {};
}

// ---- JSON --------------------------------------------------------------------------------

void appendJsonString(QByteArray &out, const QString &text)
{
    out += '"';
    JsonString::appendEscapedUtf8(out, text.toUtf8());
    out += '"';
}

Result<void> writeJson(const RunExporter &exporter, Sink &sink, qint64 *chunks)
{
    QByteArray head = "{\"format\":\"parallax-export\",\"version\":1,\"exported_at\":";
    appendJsonString(head, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    head += ",\"remasked\":";
    head += exporter.remasking() ? "true" : "false";
    head += ",\n\"run\":";
    head += QJsonDocument(exporter.record()).toJson(QJsonDocument::Compact);
    head += ",\n\"transcripts\":[";
    sink.add(head);
    QByteArray line;
    bool firstVariation = true;
    for (const RecordedVariation &v : exporter.variations()) {
        line = firstVariation ? "\n{\"variation\":" : ",\n{\"variation\":";
        firstVariation = false;
        appendJsonString(line, v.name);
        const bool exists = QFileInfo::exists(v.transcriptPath);
        line += ",\"recorded\":";
        line += exists ? "true" : "false";
        line += ",\"chunks\":[";
        sink.add(line);
        bool firstChunk = true;
        if (exists) {
            const Result<void> pass
                    = forEachChunk(v.transcriptPath,
                                   exporter.secretValues(),
                                   chunks,
                                   [&](StreamType stream,
                                       const QByteArray &time,
                                       QByteArrayView data,
                                       qint64 raw) {
                                       line = firstChunk ? "\n{\"t\":\"" : ",\n{\"t\":\"";
                                       firstChunk = false;
                                       line += time;
                                       line += stream == StreamType::Stderr ? "\",\"s\":\"err\""
                                                                            : "\",\"s\":\"out\"";
                                       const qsizetype mark = line.size();
                                       line += ",\"d\":\"";
                                       if (JsonString::appendEscapedUtf8(line, data)) {
                                           line += '"';
                                       } else {
                                           line.resize(mark);
                                           line += ",\"b64\":\"";
                                           line += data.toByteArray().toBase64();
                                           line += '"';
                                       }
                                       if (raw >= 0 && raw != data.size()) {
                                           line += ",\"n\":";
                                           line += QByteArray::number(raw);
                                       }
                                       line += '}';
                                       sink.add(line);
                                   });
            if (!pass)
                return pass;
        }
        sink.add("\n]}");
    }
    sink.add("\n]}\n");
    return {};
}

} // namespace

// ---- RunExporter -------------------------------------------------------------------------

RunExporter::RunExporter(QProcessEnvironment environment)
    : m_environment(std::move(environment))
{}

Result<QString> RunExporter::resolveRunFolder(const QString &runOrId)
{
    if (runOrId.isEmpty())
        return Error{QStringLiteral("which run? Give a run folder or a run id"), 2};
    const QFileInfo direct(runOrId);
    if (direct.isDir())
        return direct.absoluteFilePath();
    if (!runOrId.contains(QLatin1Char('/'))) {
        const QFileInfo byId(Run::defaultRunsDirectory() + QLatin1Char('/') + runOrId);
        if (byId.isDir())
            return byId.absoluteFilePath();
        return Error{QStringLiteral("%1 is neither a run folder nor the id of a run in %2")
                             .arg(runOrId, Run::defaultRunsDirectory()),
                     2};
    }
    return Error{QStringLiteral("%1 is not a run folder: no such directory").arg(runOrId), 2};
}

std::optional<RunExporter::Format> RunExporter::formatFromName(const QString &name)
{
    const QString n = name.toLower();
    if (n == QLatin1String("markdown") || n == QLatin1String("md"))
        return Format::Markdown;
    if (n == QLatin1String("html") || n == QLatin1String("htm"))
        return Format::Html;
    if (n == QLatin1String("json"))
        return Format::Json;
    if (n == QLatin1String("text") || n == QLatin1String("txt"))
        return Format::Text;
    return std::nullopt;
}

QString RunExporter::formatName(Format format)
{
    switch (format) {
    case Format::Markdown:
        return QStringLiteral("markdown");
    case Format::Html:
        return QStringLiteral("html");
    case Format::Json:
        return QStringLiteral("json");
    case Format::Text:
        return QStringLiteral("text");
    }
    return {};
}

QStringList RunExporter::formatNames()
{
    return {QStringLiteral("markdown"),
            QStringLiteral("html"),
            QStringLiteral("json"),
            QStringLiteral("text")};
}

Result<void> RunExporter::open(const QString &runDir)
{
    const Result<QJsonObject> read = readRunJson(runDir);
    if (!read)
        return read.error();
    m_dir = QDir(runDir).absolutePath();

    // Secret values are looked up again now: a transcript recorded while a secret was unset,
    // or with an older redactor, is masked on the way out.
    m_secrets.clear();
    const QJsonObject raw = *read;
    for (const QJsonValue &name :
         raw.value(QLatin1String("spec")).toObject().value(QLatin1String("secrets")).toArray()) {
        const QString value = m_environment.value(name.toString());
        if (!value.isEmpty())
            m_secrets.append(value.toUtf8());
    }
    m_record = m_secrets.isEmpty() ? raw : SecretRedactor::redactJson(raw, m_secrets).toObject();

    const QJsonValue winner = m_record.value(QLatin1String("winner"));
    m_variations.clear();
    // Read from the masked record, so names, errors and notes are masked too.
    const Result<QList<RecordedVariation>> recorded = readRunVariations(m_record, m_dir);
    if (!recorded)
        return recorded.error();
    m_variations = *recorded;
    if (winner.isString())
        m_winner = winner.toString();
    else if (winner.isDouble())
        m_winner = m_variations.value(winner.toInt(-1)).name;
    else
        m_winner.clear();
    return {};
}

Result<void> RunExporter::write(Format format, QIODevice *out)
{
    if (m_dir.isEmpty())
        return Error{QStringLiteral("no run folder is open"), 2};
    Sink sink(out);
    m_chunksRead = 0;
    Result<void> result;
    switch (format) {
    case Format::Markdown:
        result = writeMarkdown(*this, sink, &m_chunksRead);
        break;
    case Format::Html:
        result = writeHtml(*this, sink, &m_chunksRead);
        break;
    case Format::Json:
        result = writeJson(*this, sink, &m_chunksRead);
        break;
    case Format::Text:
        result = writeText(*this, sink, &m_chunksRead);
        break;
    }
    if (!result)
        return result;
    if (!sink.flush())
        return Error{QStringLiteral("cannot write the export: %1").arg(sink.errorString()), 1};
    return {};
}

} // namespace Parallax

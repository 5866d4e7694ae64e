// Unit tests of run exports (core/export/): synthetic run folders - a run.json and transcripts
// written with TranscriptWriter - exported in every format and checked: the JSON reproduces each
// stream byte for byte, the HTML parses as XML and keeps colours, the Markdown has every section
// in a fence that cannot be broken, the text has no escape byte, secrets from the environment
// never appear, and a 50 MB run exports in bounded memory.

#include "cli/exportcommand.h"
#include "export/runexporter.h"
#include "export/styledlineassembler.h"
#include "transcript/secretredactor.h"
#include "transcript/transcriptreader.h"
#include "transcript/transcriptwriter.h"

#include <QBuffer>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>
#include <QXmlStreamReader>

using namespace Parallax;

namespace {

using Format = RunExporter::Format;

struct Piece
{
    char stream; // 'o' or 'e'
    QByteArray bytes;
};

const QByteArray kSecret = "sk-live-9f8e7d6c5b4a";

// v1: colours (a sequence split across chunks), a progress bar, NUL, a backtick fence inside,
// invalid UTF-8 (a b64 record) and a final line without "\n". v2: a failure on stderr.
QList<Piece> variationOne()
{
    return {{'o', "\x1b[1;32mPASS\x1b[0m first test\n"},
            {'o', "\x1b[3"},
            {'o', "1mred error\x1b[0m and <b>&amp; \"quoted\"</b>\n"},
            {'e', "Downloading  10%\r"},
            {'e', "Downloading 100%\n"},
            {'o', QByteArray("nul:\0:end\n", 10)},
            {'o', "```\ncode ```` inside\n"},
            {'o', "\x1b]0;window title\x07\x1b[2Kcursor\x1b[2A gone\n"},
            {'o', "bytes \xff\xfe invalid \xc3"},
            {'o', "\xa9 split\n"},
            {'o', "\x1b[38;5;208morange\x1b[0m \x1b[48;2;10;20;30mrgb\x1b[0m\n"},
            {'o', "no newline at the end"}};
}

QList<Piece> variationTwo()
{
    return {{'o', "starting\n"},
            {'e', "\x1b[31mTraceback\x1b[0m: boom\n"},
            {'o', "the key is " + kSecret + " (leaked)\n"},
            {'e', "split secret " + kSecret.left(7)},
            {'e', kSecret.mid(7) + "\n"}};
}

QByteArray streamBytes(const QList<Piece> &pieces, char stream)
{
    QByteArray bytes;
    for (const Piece &p : pieces)
        if (p.stream == stream)
            bytes += p.bytes;
    return bytes;
}

bool writeTranscript(const QString &dir, const QString &name, const QList<Piece> &pieces)
{
    TranscriptWriter writer;
    if (!writer.open(dir, name))
        return false;
    for (const Piece &p : pieces)
        writer.append(p.stream == 'e' ? StreamType::Stderr : StreamType::Stdout,
                      p.bytes,
                      p.bytes.size(),
                      {});
    writer.close();
    return true;
}

QJsonObject
variationRecord(const QString &name, const QString &state, int exitCode, const QList<Piece> &pieces)
{
    const QByteArray out = streamBytes(pieces, 'o'), err = streamBytes(pieces, 'e');
    return {{"name", name},
            {"image", "parallax/demo-agent:0.1.0"},
            {"state", state},
            {"exit_code", exitCode},
            {"duration_ms", 2345},
            {"stdout_bytes", out.size()},
            {"stderr_bytes", err.size()},
            {"stdout_lines", out.count('\n')},
            {"stderr_lines", err.count('\n')},
            {"transcript", name + ".jsonl"},
            {"log", name + ".log"}};
}

// A two-variation run folder with v2 as the winner; v3 never started (no transcript).
bool makeRun(const QString &dir)
{
    if (!writeTranscript(dir, "v1", variationOne()) || !writeTranscript(dir, "v2", variationTwo()))
        return false;
    QJsonObject v2 = variationRecord("v2", "exited", 1, variationTwo());
    v2.insert("note", "printed " + QString::fromLatin1(kSecret));
    QJsonObject v3{{"name", "v3"}, {"state", "failed"}, {"error", "image missing"}};
    const QJsonObject spec{{"name", "fix the | bug"},
                           {"image", "parallax/demo-agent:0.1.0"},
                           {"command", QJsonArray{"agent", "--go"}},
                           {"env", QJsonObject{{"DEMO_MODE", "session"}}},
                           {"secrets", QJsonArray{"EXPORT_TEST_TOKEN"}},
                           {"prompt", "Fix it"},
                           {"variations", 3}};
    const QJsonObject record{
            {"format", 1},
            {"run_id", "20260101-120000-abcd"},
            {"name", "fix the | bug"},
            {"spec", spec},
            {"state", "finished"},
            {"started_at", "2026-01-01T12:00:00.000Z"},
            {"finished_at", "2026-01-01T12:00:05.000Z"},
            {"winner", "v2"},
            {"variations", QJsonArray{variationRecord("v1", "exited", 0, variationOne()), v2, v3}}};
    QFile file(dir + "/run.json");
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(record).toJson()) > 0;
}

QProcessEnvironment environmentWithSecret()
{
    QProcessEnvironment env;
    env.insert("EXPORT_TEST_TOKEN", QString::fromLatin1(kSecret));
    return env;
}

Result<QByteArray> exportRun(const QString &dir, Format format, const QProcessEnvironment &env)
{
    RunExporter exporter(env);
    if (const Result<void> opened = exporter.open(dir); !opened)
        return opened.error();
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    if (const Result<void> written = exporter.write(format, &buffer); !written)
        return written.error();
    return buffer.data();
}

qint64 procStatusKb(const char *field)
{
    QFile file("/proc/self/status");
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return -1;
    const QByteArray prefix = QByteArray(field) + ':';
    for (const QByteArray &line : file.readAll().split('\n'))
        if (line.startsWith(prefix))
            return line.mid(prefix.size()).trimmed().split(' ').value(0).toLongLong();
    return -1;
}

// Lets VmHWM measure from now on (Linux: writing 5 to clear_refs resets the peak).
bool resetPeakRss()
{
    QFile file("/proc/self/clear_refs");
    return file.open(QIODevice::WriteOnly) && file.write("5") == 1;
}

// Per-stream bytes of a JSON export's variation.
QByteArray jsonStream(const QJsonArray &chunks, const QString &stream)
{
    QByteArray bytes;
    for (const QJsonValue &value : chunks) {
        const QJsonObject chunk = value.toObject();
        if (chunk.value("s").toString() != stream)
            continue;
        if (chunk.contains("b64"))
            bytes += QByteArray::fromBase64(chunk.value("b64").toString().toLatin1());
        else
            bytes += chunk.value("d").toString().toUtf8();
    }
    return bytes;
}

QByteArray fixture(const char *name)
{
    QFile file(qEnvironmentVariable("PARALLAX_SOURCE_DIR") + "/tests/data/" + name);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Stdout cut into 700-byte records, so events straddle transcript records.
QList<Piece> chunked(const QByteArray &stdoutBytes)
{
    QList<Piece> pieces;
    for (qsizetype i = 0; i < stdoutBytes.size(); i += 700)
        pieces.append({'o', stdoutBytes.mid(i, 700)});
    return pieces;
}

// A run of three variations: Claude Code stream-json (with the secret in a Bash command and a
// line on stderr), Codex exec --json, and plain output.
bool makeAgentRun(const QString &dir)
{
    QByteArray claude = fixture("claude-stream.jsonl");
    claude.replace("python3 hello.py && python3 -m pytest -q", "curl -H 'key: " + kSecret + "' x");
    QList<Piece> one = chunked(claude);
    one.insert(1, {'e', "npm warn deprecated\n"});
    const QList<Piece> two = chunked(fixture("codex-exec.jsonl"));
    const QList<Piece> three = {{'o', "plain output\n{\"type\":\"result\"}\n"}};
    if (claude.isEmpty() || two.isEmpty() || !writeTranscript(dir, "claude", one)
        || !writeTranscript(dir, "codex", two) || !writeTranscript(dir, "plain", three))
        return false;
    const QJsonObject spec{{"name", "agents"},
                           {"image", "parallax/demo-agent:0.1.0"},
                           {"secrets", QJsonArray{"EXPORT_TEST_TOKEN"}},
                           {"variations", 3}};
    const QJsonObject record{{"format", 1},
                             {"run_id", "20260101-130000-agnt"},
                             {"name", "agents"},
                             {"spec", spec},
                             {"state", "finished"},
                             {"started_at", "2026-01-01T13:00:00.000Z"},
                             {"variations",
                              QJsonArray{variationRecord("claude", "exited", 0, one),
                                         variationRecord("codex", "exited", 0, two),
                                         variationRecord("plain", "exited", 0, three)}}};
    QFile file(dir + "/run.json");
    return file.open(QIODevice::WriteOnly) && file.write(QJsonDocument(record).toJson()) > 0;
}

} // namespace

class TestExport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void assemblerOverwrites();
    void jsonReproducesStreams();
    void htmlIsWellFormedAndColoured();
    void markdownSections();
    void textHasNoEscapes();
    void noSecretInAnyExport_data();
    void noSecretInAnyExport();
    void cliArguments_data();
    void cliArguments();
    void cliWritesFile();
    void largeRunBoundedMemory();
    void structuredAgentRun();

private:
    QTemporaryDir m_temp;
    QString m_run;
};

void TestExport::initTestCase()
{
    QVERIFY(m_temp.isValid());
    m_run = m_temp.filePath("run");
    QVERIFY(makeRun(m_run));
}

void TestExport::assemblerOverwrites()
{
    StyledLineAssembler assembler(false);
    QList<StyledLineAssembler::Line> lines;
    auto keep = [&](const StyledLineAssembler::Line &line) {
        lines.append(line);
    };
    assembler.feed(StreamType::Stdout, "progress  10%\rprog", keep);
    assembler.feed(StreamType::Stderr, "err line\n", keep);
    assembler.feed(StreamType::Stdout, "\x1b[32mRESS\x1b[0m 100%\n", keep);
    assembler.feed(StreamType::Stdout, "tail", keep);
    assembler.finish(keep);
    QCOMPARE(lines.size(), 3);
    QCOMPARE(lines[0].stream, StreamType::Stderr);
    QCOMPARE(lines[0].text, QStringLiteral("err line"));
    QCOMPARE(lines[1].text, QStringLiteral("progRESS 100%"));
    const QList<TextSpan> spans = lines[1].spans();
    QCOMPARE(spans.size(), 3);
    QCOMPARE(spans[1].text, QStringLiteral("RESS"));
    QCOMPARE(spans[1].style.fg, TextColor::indexed(2));
    QVERIFY(lines[1].complete);
    QCOMPARE(lines[2].text, QStringLiteral("tail"));
    QVERIFY(!lines[2].complete);
}

void TestExport::jsonReproducesStreams()
{
    const Result<QByteArray> json = exportRun(m_run, Format::Json, QProcessEnvironment());
    QVERIFY2(json, qPrintable(json.errorString()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(*json, &error);
    QVERIFY2(doc.isObject(), qPrintable(error.errorString()));
    const QJsonObject root = doc.object();
    QCOMPARE(root.value("format").toString(), QStringLiteral("parallax-export"));
    QCOMPARE(root.value("run").toObject().value("run_id").toString(),
             QStringLiteral("20260101-120000-abcd"));
    QCOMPARE(root.value("remasked").toBool(), false);
    const QJsonArray transcripts = root.value("transcripts").toArray();
    QCOMPARE(transcripts.size(), 3);
    const QList<QList<Piece>> expected{variationOne(), variationTwo()};
    bool sawB64 = false;
    for (int v = 0; v < 2; ++v) {
        const QJsonObject t = transcripts[v].toObject();
        QCOMPARE(t.value("variation").toString(), QStringLiteral("v%1").arg(v + 1));
        const QJsonArray chunks = t.value("chunks").toArray();
        // Without secrets to mask, the records are the .jsonl's, one for one.
        const Result<TranscriptTotals> totals
                = TranscriptReader::scan(m_run + QStringLiteral("/v%1.jsonl").arg(v + 1));
        QVERIFY(totals);
        QCOMPARE(chunks.size(), totals->chunks);
        for (const QJsonValue &c : chunks) {
            QVERIFY(c.toObject().value("t").toString().endsWith('Z'));
            sawB64 |= c.toObject().contains("b64");
        }
        QCOMPARE(jsonStream(chunks, "out"), streamBytes(expected[v], 'o'));
        QCOMPARE(jsonStream(chunks, "err"), streamBytes(expected[v], 'e'));
    }
    QVERIFY(sawB64);
    QCOMPARE(transcripts[2].toObject().value("recorded").toBool(), false);
}

void TestExport::htmlIsWellFormedAndColoured()
{
    const Result<QByteArray> html = exportRun(m_run, Format::Html, QProcessEnvironment());
    QVERIFY2(html, qPrintable(html.errorString()));
    QXmlStreamReader xml(*html);
    int spans = 0, sections = 0, tables = 0;
    while (!xml.atEnd()) {
        xml.readNext();
        if (xml.isStartElement()) {
            spans += xml.name() == QLatin1String("span");
            sections += xml.name() == QLatin1String("section");
            tables += xml.name() == QLatin1String("table");
        }
    }
    QVERIFY2(
            !xml.hasError(),
            qPrintable(QStringLiteral("line %1: %2").arg(xml.lineNumber()).arg(xml.errorString())));
    QCOMPARE(sections, 3);
    QCOMPARE(tables, 1);
    QVERIFY(spans > 5);
    const QByteArray &h = *html;
    // Colours survive as styled spans, also for a sequence split across two chunks.
    QVERIFY(h.contains("<span class=\"b\" style=\"color:var(--c2);\">PASS</span>"));
    QVERIFY(h.contains("<span style=\"color:var(--c1);\">red error</span>"));
    QVERIFY(h.contains("color:#ff8700;\">orange<"));
    QVERIFY(h.contains("background:#0a141e;\">rgb<"));
    QVERIFY(h.contains("&lt;b&gt;&amp;amp; &quot;quoted&quot;&lt;/b&gt;"));
    QVERIFY(h.contains("prefers-color-scheme: dark"));
    QVERIFY(h.contains("display: grid"));
    QVERIFY(h.contains("@media print"));
    QVERIFY(!h.contains('\x1b'));
    QVERIFY(!h.contains("<script"));
    QVERIFY(!h.contains("src="));
    QVERIFY(!h.contains("href="));
    QVERIFY(!h.contains("url("));
    QVERIFY(!h.contains("@import"));
    QVERIFY(!h.contains("<link"));
    QVERIFY(h.contains("Downloading 100%"));
    QVERIFY(!h.contains("Downloading  10%"));
    QVERIFY(h.contains("★ winner"));
}

void TestExport::markdownSections()
{
    const Result<QByteArray> md = exportRun(m_run, Format::Markdown, QProcessEnvironment());
    QVERIFY2(md, qPrintable(md.errorString()));
    const QString text = QString::fromUtf8(*md);
    QVERIFY(text.startsWith("# Run: fix the \\| bug\n"));
    QVERIFY(text.contains("## Summary\n"));
    QVERIFY(text.contains("| v2 (winner) | exited 1 | 1 |"));
    QVERIFY(text.contains("## Variation v1\n"));
    QVERIFY(text.contains("## Variation v2 (winner)\n"));
    QVERIFY(text.contains("## Variation v3\n"));
    QVERIFY(text.contains("*No transcript was recorded.*"));
    QVERIFY(text.contains("- **Secrets:** EXPORT\\_TEST\\_TOKEN (names only)")
            || text.contains("- **Secrets:** EXPORT_TEST_TOKEN (names only)"));
    // v1 holds a run of four backticks: its fence has five, and opens and closes once.
    QCOMPARE(text.count("\n`````text\n"), 1);
    QCOMPARE(text.count("\n`````\n"), 1);
    QCOMPARE(text.count("\n```text\n"), 1); // v2
    QVERIFY(text.contains("nul::end\n"));
    QVERIFY(text.contains("bytes \uFFFD\uFFFD invalid \u00e9 split\n"));
    QVERIFY(text.contains("cursor gone\n"));
    QVERIFY(text.contains("no newline at the end\n`````\n"));
    QVERIFY(!md->contains('\x1b'));
    QVERIFY(!md->contains('\0'));
}

void TestExport::textHasNoEscapes()
{
    const Result<QByteArray> txt = exportRun(m_run, Format::Text, QProcessEnvironment());
    QVERIFY2(txt, qPrintable(txt.errorString()));
    QVERIFY(!txt->contains('\x1b'));
    QVERIFY(!txt->contains('\r'));
    for (char c : *txt)
        QVERIFY2(uchar(c) >= 0x20 || c == '\n' || c == '\t', QByteArray::number(uchar(c)));
    QVERIFY(txt->contains("PASS first test\nred error and <b>&amp; \"quoted\"</b>\n"));
    QVERIFY(txt->contains("Downloading 100%\n"));
    QVERIFY(!txt->contains("Downloading  10%"));
    QVERIFY(txt->contains("==== v2 (winner): exited 1, 2.35 s ===="));
}

void TestExport::noSecretInAnyExport_data()
{
    QTest::addColumn<Format>("format");
    for (const QString &name : RunExporter::formatNames())
        QTest::addRow("%s", qPrintable(name)) << *RunExporter::formatFromName(name);
}

void TestExport::noSecretInAnyExport()
{
    QFETCH(Format, format);
    // The recorded transcript holds the secret (recorded while it was not set): the export
    // masks it again, also where it was split across two chunks, and in run.json's strings.
    const Result<QByteArray> unmasked = exportRun(m_run, format, QProcessEnvironment());
    QVERIFY(unmasked);
    QVERIFY(unmasked->contains(kSecret));

    const Result<QByteArray> masked = exportRun(m_run, format, environmentWithSecret());
    QVERIFY2(masked, qPrintable(masked.errorString()));
    QVERIFY(!masked->contains(kSecret));
    QVERIFY(!masked->contains(kSecret.toBase64()));
    QVERIFY(masked->contains(SecretRedactor::mask()));
    if (format == Format::Json) {
        const QJsonObject root = QJsonDocument::fromJson(*masked).object();
        QVERIFY(root.value("remasked").toBool());
        const QJsonArray chunks
                = root.value("transcripts").toArray()[1].toObject().value("chunks").toArray();
        QCOMPARE(jsonStream(chunks, "err"),
                 SecretRedactor::redact(streamBytes(variationTwo(), 'e'), {kSecret}));
        QCOMPARE(jsonStream(chunks, "out"),
                 SecretRedactor::redact(streamBytes(variationTwo(), 'o'), {kSecret}));
    }
}

void TestExport::cliArguments_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("status");
    const QString run = QStringLiteral("%RUN%");
    QTest::addRow("no run") << QStringList{"--format", "json"} << 2;
    QTest::addRow("no format") << QStringList{run} << 2;
    QTest::addRow("unknown format") << QStringList{run, "--format", "pdf"} << 2;
    QTest::addRow("format without value") << QStringList{run, "--format"} << 2;
    QTest::addRow("unknown option") << QStringList{run, "--format", "json", "--zip"} << 2;
    QTest::addRow("two runs") << QStringList{run, run, "--format", "json"} << 2;
    QTest::addRow("not a folder") << QStringList{"/nonexistent/run", "--format", "json"} << 2;
    QTest::addRow("unknown id") << QStringList{"no-such-run-id", "--format", "json"} << 2;
    QTest::addRow("no run.json") << QStringList{"%EMPTY%", "--format", "json"} << 2;
    QTest::addRow("unknown suffix") << QStringList{run, "-o", "%OUT%/x.pdf"} << 2;
    QTest::addRow("ok") << QStringList{run, "--format=text", "-o", "%OUT%/x.txt"} << 0;
    QTest::addRow("format from -o") << QStringList{run, "-o", "%OUT%/x.md"} << 0;
}

void TestExport::cliArguments()
{
    QFETCH(QStringList, args);
    QFETCH(int, status);
    QTemporaryDir out;
    for (QString &arg : args) {
        arg.replace("%RUN%", m_run);
        arg.replace("%EMPTY%", out.path());
        arg.replace("%OUT%", out.path());
    }
    QCOMPARE(Cli::exportRun(args), status);
}

void TestExport::cliWritesFile()
{
    QTemporaryDir out;
    for (const QString &format : RunExporter::formatNames()) {
        const QString path = out.filePath("export." + format);
        QCOMPARE(Cli::exportRun({m_run, "--format", format, "-o", path}), 0);
        const Result<QByteArray> direct = exportRun(m_run,
                                                    *RunExporter::formatFromName(format),
                                                    QProcessEnvironment::systemEnvironment());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray written = file.readAll();
        QVERIFY(written.size() > 1000);
        if (format != "json" && format != "html") // those carry the export time
            QCOMPARE(written, *direct);
    }
}

void TestExport::largeRunBoundedMemory()
{
    // 50 MB over two variations: coloured log lines, progress bars on stderr, and one 3 MB line.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString run = dir.filePath("big");
    constexpr qint64 kTarget = 25 * 1024 * 1024; // per variation
    QJsonArray variations;
    QElapsedTimer timer;
    timer.start();
    for (int v = 1; v <= 2; ++v) {
        TranscriptWriter writer;
        const QString name = QStringLiteral("v%1").arg(v);
        QVERIFY(writer.open(run, name));
        qint64 written = 0;
        int n = 0;
        QByteArray chunk;
        while (written < kTarget) {
            chunk.resize(0);
            for (int line = 0; line < 40; ++line, ++n)
                chunk += "\x1b[1;3" + QByteArray::number(n % 8) + "m[step " + QByteArray::number(n)
                         + "]\x1b[0m compiling module_" + QByteArray::number(n * 7919 % 100000)
                         + ".cpp with `flags` -O2 -Wall " + QByteArray(20 + n % 40, 'x') + '\n';
            writer.append(StreamType::Stdout, chunk, chunk.size(), {});
            written += chunk.size();
            if (n % 400 == 0) {
                const QByteArray progress = "progress " + QByteArray::number(n % 100) + "%\r";
                writer.append(StreamType::Stderr, progress, progress.size(), {});
                written += progress.size();
            }
            if (n == 40000) { // one long line, in 64 KiB chunks
                const QByteArray piece(64 * 1024, 'L');
                for (int i = 0; i < 48; ++i)
                    writer.append(StreamType::Stdout, piece, piece.size(), {});
                writer.append(StreamType::Stdout, "\n", 1, {});
                written += 48 * piece.size() + 1;
            }
            if (n % 4000 == 0)
                QVERIFY(writer.flush());
        }
        writer.close();
        variations.append(QJsonObject{{"name", name},
                                      {"state", "exited"},
                                      {"exit_code", 0},
                                      {"duration_ms", 1000},
                                      {"stdout_bytes", writer.bytes(StreamType::Stdout)},
                                      {"stderr_bytes", writer.bytes(StreamType::Stderr)},
                                      {"stdout_lines", writer.lines(StreamType::Stdout)},
                                      {"stderr_lines", writer.lines(StreamType::Stderr)},
                                      {"transcript", name + ".jsonl"}});
    }
    {
        QFile file(run + "/run.json");
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(
                           QJsonObject{{"run_id", "big"},
                                       {"name", "big"},
                                       {"spec",
                                        QJsonObject{{"image", "x"},
                                                    {"secrets", QJsonArray{"EXPORT_TEST_TOKEN"}}}},
                                       {"variations", variations}})
                           .toJson());
    }
    const qint64 jsonlBytes
            = QFileInfo(run + "/v1.jsonl").size() + QFileInfo(run + "/v2.jsonl").size();
    qInfo("large run: %.1f MB of transcript records written in %.2f s",
          jsonlBytes / 1048576.0,
          timer.elapsed() / 1000.0);

    const bool canResetPeak = resetPeakRss();
    for (const QString &name : RunExporter::formatNames()) {
        const Format format = *RunExporter::formatFromName(name);
        // Once with secret masking (the slower path), into a file to see the size.
        QProcessEnvironment env;
        env.insert("EXPORT_TEST_TOKEN", "not-in-this-run-0123");
        RunExporter exporter(env);
        QVERIFY(exporter.open(run));
        const QString outPath = dir.filePath("big." + name);
        QFile out(outPath);
        QVERIFY(out.open(QIODevice::WriteOnly));
        if (canResetPeak)
            QVERIFY(resetPeakRss());
        const qint64 rssBefore = procStatusKb("VmRSS");
        timer.restart();
        const Result<void> written = exporter.write(format, &out);
        const qint64 ms = timer.elapsed();
        out.close();
        QVERIFY2(written, qPrintable(written.errorString()));
        const qint64 rssAfter = procStatusKb("VmRSS");
        const qint64 peak = canResetPeak ? procStatusKb("VmHWM") : rssAfter;
        const qint64 growthKb = qMax(peak, rssAfter) - rssBefore;
        qInfo("export %-8s %6.1f MB in %5.2f s (%6.1f MB/s of records); RSS %6.1f -> %6.1f MB, "
              "peak growth %5.1f MB%s",
              qPrintable(name),
              QFileInfo(outPath).size() / 1048576.0,
              ms / 1000.0,
              jsonlBytes / 1048576.0 / qMax(ms, qint64(1)) * 1000.0,
              rssBefore / 1024.0,
              rssAfter / 1024.0,
              growthKb / 1024.0,
              canResetPeak ? "" : " (VmHWM not resettable: RSS after)");
        QVERIFY2(growthKb < 64 * 1024, qPrintable(QString::number(growthKb)));
        QFile::remove(outPath);
    }
}

QTEST_GUILESS_MAIN(TestExport)
#include "tst_export.moc"

// A variation whose stdout is an agent event stream gets the structured rendering before its
// raw output (folded); plain output is exported as before.
void TestExport::structuredAgentRun()
{
    const QString dir = m_temp.filePath("agents");
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(makeAgentRun(dir));

    const Result<QByteArray> html = exportRun(dir, Format::Html, environmentWithSecret());
    QVERIFY2(html, qPrintable(html.errorString()));
    QXmlStreamReader xml(*html);
    while (!xml.atEnd())
        xml.readNext();
    QVERIFY2(
            !xml.hasError(),
            qPrintable(QStringLiteral("line %1: %2").arg(xml.lineNumber()).arg(xml.errorString())));
    const QByteArray &h = *html;
    QCOMPARE(h.count("<div class=\"ev\">"), 2);
    QCOMPARE(h.count("<details class=\"raw\"><summary>Raw output</summary>"), 2);
    QVERIFY(h.contains("<span class=\"dd\">-    print(&quot;Helo, world&quot;)</span>"));
    QVERIFY(h.contains("<span class=\"da\">+    print(&quot;Hello, world!&quot;)</span>"));
    QVERIFY(h.contains("<details class=\"ev-k\"><summary>Thinking</summary>"));
    QVERIFY(h.contains("<code>hello.py</code>"));            // assistant Markdown
    QVERIFY(h.contains("<pre class=\"code\"><code>print(")); // its fenced block
    QVERIFY(h.contains("<b>Totals:</b> 28 input · 490 output · 77,080 cache read · 6,050 cache "
                       "write tokens · $0.0412 · 9 turns · 23.5 s"));
    QVERIFY(h.contains("<code>system/compact_boundary</code>"));
    QVERIFY(h.contains(
            "<b>Totals:</b> 24,763 input · 122 output · 24,448 cache read tokens · 1 turn"));
    QVERIFY(h.contains("class=\"ev-t err\" open=\"open\"><summary><b>shell</b>"));
    QVERIFY(h.contains("<b>Error:</b> stream disconnected before completion"));
    QVERIFY(h.contains("plain output\n{&quot;type&quot;:&quot;result&quot;}"));
    QVERIFY(h.contains("npm warn deprecated")); // stderr stays in the raw output
    QVERIFY(!h.contains(kSecret));
    QVERIFY(h.contains("<code>curl -H 'key: ••••••' x</code>"));

    const Result<QByteArray> md = exportRun(dir, Format::Markdown, environmentWithSecret());
    QVERIFY2(md, qPrintable(md.errorString()));
    const QString text = QString::fromUtf8(*md);
    QCOMPARE(text.count("\n### Structured output\n"), 2);
    QCOMPARE(text.count("<details><summary>Raw output</summary>\n"), 2);
    QVERIFY(text.contains("**Tool: Edit** ✓\n\n```diff\n--- a/workspace/hello.py\n+++ "
                          "b/workspace/hello.py\n@@ -1,1 +1,1 @@\n-    print(\"Helo, world\")\n"));
    QVERIFY(text.contains("**Tool: Bash** — Run the script and the tests ✗\n"));
    QVERIFY(text.contains("<details open><summary>Result (error)</summary>"));
    QVERIFY(text.contains("**Totals:** 28 input · 490 output"));
    QVERIFY(text.contains(
            "**Tool: shell** — exit code 1 ✗\n\n```sh\nbash -lc 'python3 hello.py; false'\n```\n"));
    QVERIFY(text.contains("> **Error:** Reconnecting... 1/5"));
    QVERIFY(text.contains("Event `item.plan.delta`:"));
    // The raw transcript is still there, byte for byte apart from the masked secret.
    QVERIFY(text.contains("{\"type\":\"turn.completed\",\"usage\":{\"input_tokens\":24763,"));
    QCOMPARE(text.count("## Variation plain\n"), 1);
    QVERIFY(!md->contains(kSecret));
}

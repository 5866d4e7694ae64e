#pragma once

#include "run/runfolder.h"
#include "util/result.h"

#include <QJsonObject>
#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>

#include <optional>

class QIODevice;

namespace Parallax {

// Exports a finished (or interrupted) run folder - run.json plus each variation's .jsonl - as
// Markdown, self-contained HTML, JSON or plain text (formats in docs/export.md). Transcripts are
// streamed from disk chunk by chunk with TranscriptReader and written to the output device as
// they are read, so memory stays bounded whatever the size of the run. Secret values named by
// the spec and present in the environment are masked again on the way out (one SecretRedactor
// per stream), in the transcripts and in the run's metadata. A plain object owned by its caller
// (`parallax export`, File > Export run...); one thread at a time.
class RunExporter
{
public:
    enum class Format { Markdown, Html, Json, Text };

    using Variation = RecordedVariation; // run.json's record of one variation, masked

    explicit RunExporter(QProcessEnvironment environment
                         = QProcessEnvironment::systemEnvironment());

    // A run folder path, or a run id resolved under Run::defaultRunsDirectory(). The error
    // (code 2) says what was looked for.
    static Result<QString> resolveRunFolder(const QString &runOrId);
    static std::optional<Format> formatFromName(const QString &name); // "markdown", "md", ...
    static QString formatName(Format format);
    static QStringList formatNames();

    // Reads run.json; code 2 when the folder is not a run folder.
    Result<void> open(const QString &runDir);
    // Writes the whole export to `out` (open for writing). Fails on an unreadable or corrupt
    // transcript or a write error.
    Result<void> write(Format format, QIODevice *out);

    QString runDirectory() const { return m_dir; }
    QJsonObject record() const { return m_record; } // run.json, secret values masked
    const QList<Variation> &variations() const { return m_variations; }
    QString winner() const { return m_winner; }
    bool remasking() const { return !m_secrets.isEmpty(); } // secret values were found
    QList<QByteArray> secretValues() const { return m_secrets; }
    qint64 chunksRead() const { return m_chunksRead; } // by the last write()

private:
    QProcessEnvironment m_environment;
    QString m_dir;
    QJsonObject m_record;
    QList<Variation> m_variations;
    QString m_winner;
    QList<QByteArray> m_secrets;
    qint64 m_chunksRead = 0;
};

} // namespace Parallax

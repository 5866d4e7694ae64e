#pragma once

#include <QJsonObject>
#include <QObject>
#include <QString>
#include <QStringList>

namespace Parallax {

// The progress of one image build, fed the JSON messages of POST /build one by one (apply()).
// The classic builder writes its output as {"stream": "..."} pieces that do not align with
// lines; they are joined and split into lines here. "Step 3/7 : RUN ..." lines give the step
// for a progress indicator, {"aux": {"ID": "sha256:..."}} the image ID, and
// {"errorDetail": {"message": ...}} (or a bare {"error": ...}) the error, made into a sentence
// a user can act on: the step, the daemon's message and, for a failed RUN, the step's last
// line of output (usually the reason). Keeps the last kMaxLines lines. Owned by an ImageBuild or a
// test; main thread.
class BuildProgress : public QObject
{
    Q_OBJECT
public:
    static constexpr int kMaxLines = 5000;

    explicit BuildProgress(QObject *parent = nullptr);

    void clear();
    // One message of the stream; returns false for an error message (see error()).
    bool apply(const QJsonObject &message);
    // Emits a last line still waiting for its newline (at the end of the stream).
    void flush();

    int step() const { return m_step; }   // 0 before the first step
    int steps() const { return m_steps; } // 0 while unknown
    // 0..1: the steps finished so far (the current one counts as half done).
    double fraction() const;
    QString imageId() const { return m_imageId; }
    QString error() const { return m_error; }
    QStringList lines() const { return m_lines; }
    int messageCount() const { return m_messages; }
    // "Step 3/7 : RUN npm install -g ..." — the current step's own line.
    QString stepLine() const { return m_stepLine; }

signals:
    void lineReceived(const QString &line);
    void stepChanged(int step, int steps, const QString &line);
    void errorReceived(const QString &message);

private:
    void addText(const QString &text);
    void addLine(const QString &text);

    QStringList m_lines;
    QString m_partial;
    QString m_stepLine;
    QString m_stepLastOutput; // the current step's last line of its own output
    QString m_imageId;
    QString m_error;
    int m_step = 0;
    int m_steps = 0;
    int m_messages = 0;
};

} // namespace Parallax

#include "buildprogress.h"

#include <QRegularExpression>

namespace Parallax {

BuildProgress::BuildProgress(QObject *parent)
    : QObject(parent)
{}

void BuildProgress::clear()
{
    m_lines.clear();
    m_partial.clear();
    m_stepLine.clear();
    m_stepLastOutput.clear();
    m_imageId.clear();
    m_error.clear();
    m_step = m_steps = m_messages = 0;
}

double BuildProgress::fraction() const
{
    if (m_steps <= 0)
        return 0;
    if (!m_imageId.isEmpty())
        return 1;
    return qBound(0.0, (m_step - 0.5) / m_steps, 1.0);
}

bool BuildProgress::apply(const QJsonObject &message)
{
    ++m_messages;
    const QJsonObject detail = message.value(QLatin1String("errorDetail")).toObject();
    if (!detail.isEmpty() || message.contains(QLatin1String("error"))) {
        flush();
        QString text = detail.value(QLatin1String("message")).toString();
        if (text.isEmpty())
            text = message.value(QLatin1String("error")).toString();
        text = text.trimmed();
        if (text.isEmpty())
            text = QStringLiteral("the build failed without a message");
        // The classic builder says "The command '/bin/sh -c x' returned a non-zero code: 1";
        // name the step as well so it can be found in the output.
        m_error = m_step > 0 ? QStringLiteral("Step %1/%2 failed: %3")
                                       .arg(m_step)
                                       .arg(m_steps)
                                       .arg(text)
                             : text;
        // "returned a non-zero code" says nothing about why: the step's own last words do.
        if (!m_stepLastOutput.isEmpty() && text.contains(QLatin1String("returned a non-zero code")))
            m_error += QStringLiteral(" — last output: ") + m_stepLastOutput;
        addLine(QStringLiteral("ERROR: ") + text);
        emit errorReceived(m_error);
        return false;
    }
    const QJsonObject aux = message.value(QLatin1String("aux")).toObject();
    if (aux.contains(QLatin1String("ID")))
        m_imageId = aux.value(QLatin1String("ID")).toString();
    if (message.contains(QLatin1String("stream")))
        addText(message.value(QLatin1String("stream")).toString());
    else if (message.contains(QLatin1String("status"))) {
        // A base image pulled on the way ({"status": "Pulling from ...", "id": ...}).
        const QString id = message.value(QLatin1String("id")).toString();
        const QString status = message.value(QLatin1String("status")).toString();
        addLine(id.isEmpty() ? status : id + QLatin1String(": ") + status);
    }
    return true;
}

void BuildProgress::flush()
{
    if (m_partial.isEmpty())
        return;
    const QString line = m_partial;
    m_partial.clear();
    addLine(line);
}

void BuildProgress::addText(const QString &text)
{
    m_partial += text;
    qsizetype start = 0;
    for (;;) {
        const qsizetype nl = m_partial.indexOf(u'\n', start);
        if (nl < 0)
            break;
        QString line = m_partial.mid(start, nl - start);
        if (line.endsWith(u'\r'))
            line.chop(1);
        start = nl + 1;
        addLine(line);
    }
    m_partial.remove(0, start);
}

void BuildProgress::addLine(const QString &text)
{
    static const QRegularExpression stepPattern(QStringLiteral("^Step (\\d+)/(\\d+) : "));
    // The classic builder wraps a RUN step's stderr in "\e[91m" ... "\e[0m", and the reset
    // lands at the start of the next line; the pane shows plain lines.
    static const QRegularExpression sgr(QStringLiteral("\x1b\\[[0-9;]*m"));
    QString line = text;
    line.remove(sgr);
    m_lines.append(line);
    if (m_lines.size() > kMaxLines)
        m_lines.remove(0, m_lines.size() - kMaxLines);
    emit lineReceived(line);
    const QRegularExpressionMatch match = stepPattern.match(line);
    if (!match.hasMatch() && !line.trimmed().isEmpty() && !line.startsWith(QLatin1String(" ---> "))
        && !line.startsWith(QLatin1String("Removing intermediate container ")))
        m_stepLastOutput = line.trimmed();
    if (match.hasMatch()) {
        m_stepLastOutput.clear();
        m_step = match.captured(1).toInt();
        m_steps = match.captured(2).toInt();
        m_stepLine = line;
        emit stepChanged(m_step, m_steps, line);
    }
}

} // namespace Parallax

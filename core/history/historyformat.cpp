#include "historyformat.h"

namespace Parallax::HistoryFormat {

QString
table(const QStringList &headers, const QList<QStringList> &rows, const QList<int> &rightAligned)
{
    QList<qsizetype> widths;
    for (const QString &header : headers)
        widths.append(header.size());
    for (const QStringList &row : rows) {
        for (int c = 0; c < row.size() && c < widths.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    }
    auto line = [&](const QStringList &cells) {
        QString out;
        for (int c = 0; c < widths.size(); ++c) {
            const QString cell = cells.value(c);
            if (c > 0)
                out += QLatin1String("  ");
            out += rightAligned.contains(c) ? cell.rightJustified(widths[c])
                                            : cell.leftJustified(widths[c]);
        }
        // Padding the last column would only leave spaces at the end of the line.
        while (out.endsWith(QLatin1Char(' ')))
            out.chop(1);
        return out + QLatin1Char('\n');
    };
    QString out = line(headers);
    for (const QStringList &row : rows)
        out += line(row);
    return out;
}

QString time(const QDateTime &at, const QTimeZone &zone)
{
    return at.isValid() ? at.toTimeZone(zone).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"))
                        : QStringLiteral("-");
}

QString duration(qint64 ms)
{
    if (ms < 1000)
        return QStringLiteral("%1ms").arg(ms);
    if (ms < 60 * 1000)
        return QStringLiteral("%1s").arg(double(ms) / 1000.0, 0, 'f', 1);
    const qint64 seconds = ms / 1000;
    if (seconds < 3600)
        return QStringLiteral("%1m %2s")
                .arg(seconds / 60)
                .arg(seconds % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1h %2m")
            .arg(seconds / 3600)
            .arg((seconds / 60) % 60, 2, 10, QLatin1Char('0'));
}

QString bytes(qint64 count)
{
    if (count < 1024)
        return QStringLiteral("%1 B").arg(count);
    if (count < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(count) / 1024.0, 0, 'f', 1);
    if (count < qint64(1024) * 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(double(count) / (1024.0 * 1024.0), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(double(count) / (1024.0 * 1024.0 * 1024.0), 0, 'f', 1);
}

QString runTable(const QList<RunSummary> &runs, const QTimeZone &zone)
{
    QList<QStringList> rows;
    for (const RunSummary &run : runs) {
        rows.append({run.id,
                     run.name,
                     time(run.startedAt, zone),
                     run.state,
                     QString::number(run.variationCount),
                     run.winner.isEmpty() ? QStringLiteral("-") : run.winner,
                     run.folder});
    }
    return table({QStringLiteral("ID"),
                  QStringLiteral("NAME"),
                  QStringLiteral("STARTED"),
                  QStringLiteral("STATE"),
                  QStringLiteral("VARIATIONS"),
                  QStringLiteral("WINNER"),
                  QStringLiteral("FOLDER")},
                 rows,
                 {4});
}

QString runDetails(const RunRecord &run, const QTimeZone &zone)
{
    const RunSummary &s = run.summary;
    QString out;
    auto field = [&out](const char *label, const QString &value) {
        out += QStringLiteral("%1 %2\n").arg(QString::fromLatin1(label).leftJustified(10), value);
    };
    field("Run:", s.name.isEmpty() ? QStringLiteral("(unnamed)") : s.name);
    field("ID:", s.id);
    field("Folder:", s.folder);
    field("Image:", s.image);
    field("State:", s.state);
    field("Started:", time(s.startedAt, zone));
    QString finished = time(s.finishedAt, zone);
    if (s.startedAt.isValid() && s.finishedAt.isValid())
        finished += QStringLiteral(" (%1)").arg(duration(s.startedAt.msecsTo(s.finishedAt)));
    field("Finished:", finished);
    field("Winner:", s.winner.isEmpty() ? QStringLiteral("-") : s.winner);
    out += QLatin1Char('\n');

    QList<QStringList> rows;
    QStringList errors;
    for (const VariationRecord &v : run.variations) {
        rows.append({v.name == s.winner ? QStringLiteral("*") : QString(),
                     v.name,
                     v.state,
                     v.exitCode ? QString::number(*v.exitCode) : QStringLiteral("-"),
                     duration(v.durationMs),
                     QString::number(v.stdoutLines + v.stderrLines),
                     bytes(v.stdoutBytes + v.stderrBytes),
                     QString::number(v.stderrLines)});
        if (!v.error.isEmpty())
            errors.append(QStringLiteral("%1: %2").arg(v.name, v.error));
    }
    if (rows.isEmpty()) {
        out += QStringLiteral("No variations recorded.\n");
    } else {
        // The mark column has no header: a "*" before a name reads as "the winner". Without a
        // winner it would only indent the table.
        QStringList headers{QString(),
                            QStringLiteral("VARIATION"),
                            QStringLiteral("STATE"),
                            QStringLiteral("EXIT"),
                            QStringLiteral("DURATION"),
                            QStringLiteral("LINES"),
                            QStringLiteral("BYTES"),
                            QStringLiteral("STDERR LINES")};
        QList<int> numeric{3, 4, 5, 6, 7};
        if (s.winner.isEmpty()) {
            headers.removeFirst();
            for (QStringList &row : rows)
                row.removeFirst();
            for (int &column : numeric)
                --column;
        }
        out += table(headers, rows, numeric);
    }
    if (!errors.isEmpty()) {
        out += QLatin1Char('\n');
        for (const QString &error : errors)
            out += error + QLatin1Char('\n');
    }
    return out;
}

} // namespace Parallax::HistoryFormat

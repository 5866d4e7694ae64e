#include "eventrender.h"

#include <QRegularExpression>
#include <QStringList>

namespace Parallax {

namespace {

// **bold** and *italic* in text already escaped; only complete pairs become tags, so the
// output stays well-formed.
QString emphasis(const QString &escaped)
{
    static const QRegularExpression bold(QStringLiteral("\\*\\*([^*\\n]+?)\\*\\*"));
    static const QRegularExpression italic(
            QStringLiteral("(?<![\\w*])\\*([^*\\s][^*\\n]*?)\\*(?![\\w*])"));
    QString out = escaped;
    out.replace(bold, QStringLiteral("<b>\\1</b>"));
    out.replace(italic, QStringLiteral("<i>\\1</i>"));
    return out;
}

QString inlineHtml(const QString &text)
{
    QString out;
    qsizetype pos = 0;
    while (pos < text.size()) {
        const qsizetype open = text.indexOf(QLatin1Char('`'), pos);
        if (open < 0)
            break;
        qsizetype ticks = 1;
        while (open + ticks < text.size() && text[open + ticks] == QLatin1Char('`'))
            ++ticks;
        const QString fence(ticks, QLatin1Char('`'));
        const qsizetype close = text.indexOf(fence, open + ticks);
        if (close < 0)
            break;
        out += emphasis(EventRender::htmlEscaped(text.mid(pos, open - pos)));
        out += QStringLiteral("<code>%1</code>")
                       .arg(EventRender::htmlEscaped(
                               text.mid(open + ticks, close - open - ticks).trimmed()));
        pos = close + ticks;
    }
    out += emphasis(EventRender::htmlEscaped(text.mid(pos)));
    return out;
}

QString toolSummary(const EventItem &item)
{
    QString summary = item.input.left(400).simplified(); // indented JSON input on one line
    if (summary.size() > 120)
        summary = summary.left(119) + QStringLiteral("…");
    return summary;
}

QString statusMark(const EventItem &item)
{
    if (item.pending)
        return QStringLiteral("…");
    if (!item.hasResult)
        return {};
    return item.isError ? QStringLiteral("✗") : QStringLiteral("✓");
}

QString blockquote(const QString &text)
{
    QStringList lines = text.split(QLatin1Char('\n'));
    for (QString &line : lines)
        line.prepend(QStringLiteral("> "));
    return lines.join(QLatin1Char('\n'));
}

QString fenced(const QString &text, const QString &language)
{
    const QString fence = EventRender::fenceFor(text);
    QString out = fence + language + QLatin1Char('\n') + text;
    if (!text.endsWith(QLatin1Char('\n')))
        out += QLatin1Char('\n');
    return out + fence + QLatin1Char('\n');
}

} // namespace

void EventRender::appendHtmlEscaped(QString &out, QStringView text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        switch (c.unicode()) {
        case 0xfffe:
        case 0xffff:
            out += QChar(0xFFFD);
            break;
        case '<':
            out += QLatin1String("&lt;");
            break;
        case '>':
            out += QLatin1String("&gt;");
            break;
        case '&':
            out += QLatin1String("&amp;");
            break;
        case '"':
            out += QLatin1String("&quot;");
            break;
        default:
            // What XML 1.0 does not allow (control characters other than tab and newline, lone
            // surrogates) becomes U+FFFD.
            if (c.isHighSurrogate() && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
                out += c;
                out += text[++i];
            } else if (c.isSurrogate()
                       || (c.unicode() < 0x20 && c != QLatin1Char('\n')
                           && c != QLatin1Char('\t'))) {
                out += QChar(0xFFFD);
            } else {
                out += c;
            }
        }
    }
}

QString EventRender::htmlEscaped(const QString &text)
{
    QString out;
    out.reserve(text.size() + text.size() / 8);
    appendHtmlEscaped(out, text);
    return out;
}

QString EventRender::fenceFor(const QString &text)
{
    qsizetype longest = 0;
    qsizetype run = 0;
    for (const QChar c : text) {
        run = c == QLatin1Char('`') ? run + 1 : 0;
        longest = qMax(longest, run);
    }
    return QString(qMax<qsizetype>(3, longest + 1), QLatin1Char('`'));
}

QString EventRender::markdownToHtml(const QString &markdown)
{
    static const QRegularExpression heading(QStringLiteral("^(#{1,6})\\s+(.*)$"));
    static const QRegularExpression bullet(QStringLiteral("^\\s*[-*+]\\s+(.*)$"));
    static const QRegularExpression numbered(QStringLiteral("^\\s*\\d+[.)]\\s+(.*)$"));
    static const QRegularExpression fenceOpen(QStringLiteral("^\\s*(`{3,}|~{3,})\\s*([\\w+-]*)"));
    QString out;
    QStringList paragraph;
    QString list; // "ul", "ol" or empty
    const auto closeParagraph = [&] {
        if (!paragraph.isEmpty())
            out += QStringLiteral("<p>%1</p>\n")
                           .arg(inlineHtml(paragraph.join(QLatin1Char('\n')))
                                        .replace(QLatin1Char('\n'), QStringLiteral("<br />")));
        paragraph.clear();
    };
    const auto closeList = [&] {
        if (!list.isEmpty())
            out += QStringLiteral("</%1>\n").arg(list);
        list.clear();
    };
    const QStringList lines = markdown.split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QString &line = lines[i];
        if (const QRegularExpressionMatch m = fenceOpen.match(line); m.hasMatch()) {
            closeParagraph();
            closeList();
            const QString fence = m.captured(1);
            QStringList code;
            ++i;
            while (i < lines.size() && !lines[i].trimmed().startsWith(fence))
                code.append(lines[i++]);
            out += QStringLiteral("<pre class=\"code\"><code>%1</code></pre>\n")
                           .arg(htmlEscaped(code.join(QLatin1Char('\n'))));
            continue;
        }
        if (line.trimmed().isEmpty()) {
            closeParagraph();
            closeList();
            continue;
        }
        if (const QRegularExpressionMatch m = heading.match(line); m.hasMatch()) {
            closeParagraph();
            closeList();
            out += QStringLiteral("<p class=\"h\"><b>%1</b></p>\n").arg(inlineHtml(m.captured(2)));
            continue;
        }
        const QRegularExpressionMatch b = bullet.match(line);
        const QRegularExpressionMatch n
                = b.hasMatch() ? QRegularExpressionMatch() : numbered.match(line);
        if (b.hasMatch() || n.hasMatch()) {
            closeParagraph();
            const QString kind = b.hasMatch() ? QStringLiteral("ul") : QStringLiteral("ol");
            if (list != kind) {
                closeList();
                list = kind;
                out += QStringLiteral("<%1>\n").arg(list);
            }
            out += QStringLiteral("<li>%1</li>\n")
                           .arg(inlineHtml((b.hasMatch() ? b : n).captured(1)));
            continue;
        }
        closeList();
        paragraph.append(line);
    }
    closeParagraph();
    closeList();
    return out;
}

const char *EventRender::diffClass(DiffLine kind)
{
    switch (kind) {
    case DiffLine::FileHeader:
        return "df";
    case DiffLine::Hunk:
        return "dh";
    case DiffLine::Added:
        return "da";
    case DiffLine::Removed:
        return "dd";
    case DiffLine::Context:
        break;
    }
    return nullptr;
}

QString EventRender::diffHtml(const QString &diff)
{
    QString out;
    for (const QString &line : diff.split(QLatin1Char('\n'))) {
        if (line.isEmpty())
            continue;
        const char *cls = diffClass(classifyDiffLine(QStringView(line)));
        if (cls)
            out += QStringLiteral("<span class=\"%1\">%2</span>\n")
                           .arg(QLatin1String(cls), htmlEscaped(line));
        else
            out += htmlEscaped(line) + QLatin1Char('\n');
    }
    return out;
}

QString EventRender::toMarkdown(const EventItem &item)
{
    switch (item.kind) {
    case EventItem::Kind::AssistantText:
        return item.text.trimmed() + QStringLiteral("\n\n");
    case EventItem::Kind::Thinking:
        return QStringLiteral("<details><summary>Thinking</summary>\n\n%1\n\n</details>\n\n")
                .arg(blockquote(item.text.trimmed()));
    case EventItem::Kind::ToolCall: {
        QString out = QStringLiteral("**Tool: %1**").arg(item.title);
        if (!item.text.isEmpty())
            out += QStringLiteral(" — %1").arg(item.text);
        if (!statusMark(item).isEmpty())
            out += QLatin1Char(' ') + statusMark(item);
        out += QStringLiteral("\n\n");
        if (!item.diff.isEmpty()) {
            out += fenced(item.diff, QStringLiteral("diff"));
        } else if (!item.input.isEmpty()) {
            out += fenced(item.input,
                          item.title == QLatin1String("Bash")
                                          || item.title == QLatin1String("shell")
                                  ? QStringLiteral("sh")
                                  : QStringLiteral("text"));
        }
        if (item.hasResult && !item.result.isEmpty()) {
            out += QStringLiteral("\n<details%1><summary>%2</summary>\n\n")
                           .arg(item.isError ? QStringLiteral(" open") : QString(),
                                item.isError ? QStringLiteral("Result (error)")
                                             : QStringLiteral("Result"));
            out += fenced(item.result, QStringLiteral("text"));
            out += QStringLiteral("\n</details>\n");
        } else if (item.hasResult && item.isError) {
            out += QStringLiteral("\n*Failed.*\n");
        }
        return out + QLatin1Char('\n');
    }
    case EventItem::Kind::Error:
        return QStringLiteral("> **Error:** %1\n\n").arg(blockquote(item.text).mid(2));
    case EventItem::Kind::Result: {
        QString out = QStringLiteral("**Result: %1**%2\n\n")
                              .arg(item.title.isEmpty() ? QStringLiteral("?") : item.title,
                                   item.isError ? QStringLiteral(" (error)") : QString());
        if (item.isError && !item.text.isEmpty())
            out += blockquote(item.text) + QStringLiteral("\n\n");
        return out;
    }
    case EventItem::Kind::System:
        return item.isError ? QStringLiteral("> ⚠ %1\n\n").arg(item.text)
                            : QStringLiteral("*%1*\n\n").arg(item.text);
    case EventItem::Kind::User:
        return QStringLiteral("> **User:** %1\n\n").arg(blockquote(item.text).mid(2));
    case EventItem::Kind::Unknown: {
        const QString title
                = item.count > 1
                          ? QStringLiteral("%1 ×%2").arg(item.title, QString::number(item.count))
                          : item.title;
        return QStringLiteral("Event `%1`:\n\n").arg(title)
               + fenced(item.text, QStringLiteral("json")) + QLatin1Char('\n');
    }
    case EventItem::Kind::RawText:
        return fenced(item.text, QStringLiteral("text")) + QLatin1Char('\n');
    }
    return {};
}

QString EventRender::toHtml(const EventItem &item)
{
    switch (item.kind) {
    case EventItem::Kind::AssistantText:
        return QStringLiteral("<div class=\"ev-a\">%1</div>\n").arg(markdownToHtml(item.text));
    case EventItem::Kind::Thinking:
        return QStringLiteral("<details "
                              "class=\"ev-k\"><summary>Thinking</summary><div>%1</div></details>\n")
                .arg(htmlEscaped(item.text));
    case EventItem::Kind::ToolCall: {
        QString out = QStringLiteral("<details class=\"ev-t%1\"%2><summary><b>%3</b>")
                              .arg(item.isError ? QStringLiteral(" err") : QString(),
                                   item.isError || !item.diff.isEmpty()
                                           ? QStringLiteral(" open=\"open\"")
                                           : QString(),
                                   htmlEscaped(item.title));
        if (!toolSummary(item).isEmpty())
            out += QStringLiteral(" <code>%1</code>").arg(htmlEscaped(toolSummary(item)));
        if (!item.text.isEmpty())
            out += QStringLiteral(" <span class=\"ev-m\">%1</span>").arg(htmlEscaped(item.text));
        if (!statusMark(item).isEmpty())
            out += QStringLiteral(" <span class=\"ev-st\">%1</span>").arg(statusMark(item));
        out += QStringLiteral("</summary>\n");
        if (!item.diff.isEmpty())
            out += QStringLiteral("<pre class=\"d\">%1</pre>\n").arg(diffHtml(item.diff));
        else if (item.input.contains(QLatin1Char('\n')) || item.input.size() > 60)
            // A short one-line input is all in the summary already.
            out += QStringLiteral("<pre class=\"ev-in\">%1</pre>\n").arg(htmlEscaped(item.input));
        if (item.hasResult && !item.result.isEmpty())
            out += QStringLiteral("<pre class=\"ev-out\">%1</pre>\n").arg(htmlEscaped(item.result));
        return out + QStringLiteral("</details>\n");
    }
    case EventItem::Kind::Error:
        return QStringLiteral("<div class=\"ev-e\"><b>Error:</b> %1</div>\n")
                .arg(htmlEscaped(item.text));
    case EventItem::Kind::Result:
        return QStringLiteral("<div class=\"ev-r%1\"><b>Result: %2</b>%3</div>\n")
                .arg(item.isError ? QStringLiteral(" err") : QString(),
                     htmlEscaped(item.title.isEmpty() ? QStringLiteral("?") : item.title),
                     item.isError && !item.text.isEmpty()
                             ? QStringLiteral("<div>%1</div>").arg(htmlEscaped(item.text))
                             : QString());
    case EventItem::Kind::System:
        return QStringLiteral("<div class=\"ev-s%1\">%2</div>\n")
                .arg(item.isError ? QStringLiteral(" err") : QString(), htmlEscaped(item.text));
    case EventItem::Kind::User:
        return QStringLiteral("<div class=\"ev-user\"><b>User:</b> %1</div>\n")
                .arg(htmlEscaped(item.text));
    case EventItem::Kind::Unknown:
        return QStringLiteral("<div class=\"ev-u\"><code>%1</code> <code>%2</code></div>\n")
                .arg(htmlEscaped(item.count > 1 ? QStringLiteral("%1 ×%2").arg(
                                         item.title, QString::number(item.count))
                                                : item.title),
                     htmlEscaped(item.text));
    case EventItem::Kind::RawText:
        return QStringLiteral("<pre class=\"ev-raw\">%1</pre>\n").arg(htmlEscaped(item.text));
    }
    return {};
}

QString EventRender::totalsMarkdown(const EventTotals &totals)
{
    return totals.isEmpty() ? QString() : QStringLiteral("**Totals:** %1\n\n").arg(totals.toText());
}

QString EventRender::totalsHtml(const EventTotals &totals)
{
    return totals.isEmpty() ? QString()
                            : QStringLiteral("<div class=\"ev-tot\"><b>Totals:</b> %1</div>\n")
                                      .arg(htmlEscaped(totals.toText()));
}

QString EventRender::htmlStyle()
{
    return QStringLiteral(R"css(
.ev { padding: .5em .75em; background: var(--bg); display: flex; flex-direction: column; gap: .45em; }
.ev pre { margin: .3em 0 0; padding: .4em .6em; background: var(--panel); border-radius: 4px;
  font: 12.5px/1.35 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 30em; overflow: auto; }
.ev-a p { margin: .3em 0; } .ev-a ul, .ev-a ol { margin: .3em 0; padding-left: 1.5em; }
.ev-a code, .ev-t summary code { font: 12.5px ui-monospace, "DejaVu Sans Mono", monospace;
  background: var(--panel); padding: 0 .25em; border-radius: 3px; }
.ev-a pre.code code { background: none; padding: 0; }
.ev-k summary, .ev-s, .ev-u, .ev-m { color: var(--muted); }
.ev-k div { color: var(--muted); font-style: italic; white-space: pre-wrap; padding: .3em 0 0 1em; }
.ev-t { border: 1px solid var(--line); border-left: 3px solid var(--c4); border-radius: 4px;
  padding: .3em .6em; }
.ev-t.err { border-left-color: var(--err); }
.ev-t.err .ev-out, .ev-t.err .ev-st { color: var(--err); }
.ev-t summary { cursor: pointer; overflow-wrap: anywhere; }
.ev-st { color: var(--c2); font-weight: 600; }
.ev-e, .ev-r.err { color: var(--err); border-left: 3px solid var(--err); padding: .2em .6em;
  background: color-mix(in srgb, var(--err) 10%, transparent); }
.ev-r { padding: .2em .6em; border-left: 3px solid var(--c2); }
.ev-u code { font-size: 12px; overflow-wrap: anywhere; }
.ev-s { font-size: .9em; } .ev-s.err { color: var(--err); }
.ev-tot { font-variant-numeric: tabular-nums; border-top: 1px solid var(--line); padding-top: .4em; }
details.raw > summary { cursor: pointer; padding: .4em .75em; color: var(--muted);
  border-top: 1px solid var(--line); }
)css");
}

} // namespace Parallax

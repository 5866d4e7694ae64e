#pragma once

#include "eventstream.h"
#include "util/difflines.h"

#include <QString>

namespace Parallax {

// Renders agent event items as Markdown or HTML: for the exports (docs/export.md) and, through
// markdownToHtml(), for the assistant text in the structured view. The HTML is well-formed XML
// (the export tests parse it) and uses the classes htmlStyle() defines. Pure; any thread.
class EventRender
{
public:
    // A small Markdown subset as HTML: paragraphs, ATX headings, bullet and numbered lists,
    // fenced code blocks, `inline code`, **bold** and *italic*. Everything else is text,
    // escaped.
    static QString markdownToHtml(const QString &markdown);

    static QString toMarkdown(const EventItem &item);
    static QString toHtml(const EventItem &item);
    static QString totalsMarkdown(const EventTotals &totals);
    static QString totalsHtml(const EventTotals &totals);
    // CSS for toHtml(), relying on the export's colour variables (--err, --muted, --c2, ...).
    static QString htmlStyle();

    // A Markdown code fence longer than any backtick run in `text` (at least three).
    static QString fenceFor(const QString &text);
    static QString htmlEscaped(const QString &text);
    // The same, appended to `out` (the HTML export's hot path).
    static void appendHtmlEscaped(QString &out, QStringView text);
    // A unified diff as lines in spans: da (added), dd (deleted), dh (hunk), df (file header).
    static QString diffHtml(const QString &diff);
    // The CSS class of a diff line in the HTML (exports and this rendering), or nullptr.
    static const char *diffClass(DiffLine kind);
};

} // namespace Parallax

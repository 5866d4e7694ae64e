#pragma once

#include <QProxyStyle>

namespace Parallax {

// The application's style with flat scroll bars: a solid groove, a solid handle and the base
// style's small arrows, keeping the base style's geometry and behaviour. Fusion draws a scroll
// bar with gradients and antialiased lines, and Qt 6.4's raster engine splits any fill of more
// than ~96 spans across QThreadPool::globalInstance() while the GUI thread waits for it. With
// 32 streaming panes on a busy machine the pool's threads went unscheduled for tens of
// milliseconds, and the window froze in QSemaphore::acquire under QScrollBar::paintEvent
// (docs/benchmarks.md, scale). Solid rectangles are filled on the GUI thread alone.
// Theme::apply() installs it over every style; OutputView uses it for its own bars whatever the
// application's style is.
class FlatScrollBarStyle : public QProxyStyle
{
public:
    explicit FlatScrollBarStyle(QStyle *base); // takes ownership of base
    // Over QStyleFactory's style of that name (Fusion when there is none).
    static FlatScrollBarStyle *create(const QString &baseName);

    // The application's style if it is one, else a proxy over it (one per base style name,
    // owned by the application).
    static QStyle *forApplicationStyle();

    void drawComplexControl(ComplexControl control,
                            const QStyleOptionComplex *option,
                            QPainter *painter,
                            const QWidget *widget = nullptr) const override;
};

} // namespace Parallax

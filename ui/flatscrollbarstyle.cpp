#include "flatscrollbarstyle.h"

#include <QApplication>
#include <QHash>
#include <QPainter>
#include <QPointer>
#include <QStyleFactory>
#include <QStyleOptionSlider>

namespace Parallax {

namespace {

QColor mix(const QColor &a, const QColor &b, qreal t)
{
    return QColor::fromRgbF(float(a.redF() + (b.redF() - a.redF()) * t),
                            float(a.greenF() + (b.greenF() - a.greenF()) * t),
                            float(a.blueF() + (b.blueF() - a.blueF()) * t));
}

} // namespace

FlatScrollBarStyle::FlatScrollBarStyle(QStyle *base)
    : QProxyStyle(base)
{}

QStyle *FlatScrollBarStyle::forApplicationStyle()
{
    QStyle *application = QApplication::style();
    if (dynamic_cast<FlatScrollBarStyle *>(application))
        return application;
    static QHash<QString, QPointer<FlatScrollBarStyle>> proxies;
    const QString name = application->name();
    QPointer<FlatScrollBarStyle> &proxy = proxies[name];
    if (!proxy) {
        proxy = create(name);
        proxy->setParent(qApp);
    }
    return proxy;
}

FlatScrollBarStyle *FlatScrollBarStyle::create(const QString &baseName)
{
    QStyle *base = QStyleFactory::create(baseName);
    return new FlatScrollBarStyle(base ? base : QStyleFactory::create(QStringLiteral("Fusion")));
}

void FlatScrollBarStyle::drawComplexControl(ComplexControl control,
                                            const QStyleOptionComplex *option,
                                            QPainter *painter,
                                            const QWidget *widget) const
{
    const auto *bar = qstyleoption_cast<const QStyleOptionSlider *>(option);
    if (control != CC_ScrollBar || !bar) {
        QProxyStyle::drawComplexControl(control, option, painter, widget);
        return;
    }
    const QPalette &palette = bar->palette;
    const QColor window = palette.color(QPalette::Window);
    const QColor text = palette.color(QPalette::WindowText);
    const bool horizontal = bar->orientation == Qt::Horizontal;

    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, false);
    painter->fillRect(bar->rect, mix(window, text, 0.04));

    const QRect slider = subControlRect(CC_ScrollBar, bar, SC_ScrollBarSlider, widget);
    if (slider.isValid() && bar->maximum > bar->minimum) {
        const bool active = bar->activeSubControls & SC_ScrollBarSlider;
        const bool pressed = active && (bar->state & State_Sunken);
        const bool hovered = active && (bar->state & State_MouseOver);
        const qreal weight = pressed ? 0.55 : hovered ? 0.42 : 0.28;
        const QRect handle
                = horizontal ? slider.adjusted(1, 3, -1, -3) : slider.adjusted(3, 1, -3, -1);
        painter->fillRect(handle, mix(window, text, weight));
    }

    const struct
    {
        SubControl control;
        PrimitiveElement arrow;
    } buttons[] = {
            {SC_ScrollBarSubLine, horizontal ? PE_IndicatorArrowLeft : PE_IndicatorArrowUp},
            {SC_ScrollBarAddLine, horizontal ? PE_IndicatorArrowRight : PE_IndicatorArrowDown},
    };
    for (const auto &button : buttons) {
        const QRect rect = subControlRect(CC_ScrollBar, bar, button.control, widget);
        if (!rect.isValid())
            continue;
        QStyleOption arrow = *bar;
        arrow.rect = rect.adjusted(3, 3, -3, -3);
        arrow.state &= ~(State_Sunken | State_MouseOver);
        if ((bar->activeSubControls & button.control) && (bar->state & State_Sunken))
            painter->fillRect(rect, mix(window, text, 0.15));
        proxy()->drawPrimitive(button.arrow, &arrow, painter, widget);
    }
    painter->restore();
}

} // namespace Parallax

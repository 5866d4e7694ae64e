// The palette: the System theme must leave the application palette to the platform so that it
// follows the desktop switching between light and dark at runtime, and an output view's default
// colours and ANSI palette must follow every palette change. (The offscreen platform's own
// palette is fixed, so a desktop switch itself cannot be staged here; what is checked is that
// nothing pins the palette in System mode and that the view repaints from whatever palette the
// application has.)

#include "outputview.h"
#include "theme.h"

#include <QApplication>
#include <QHash>
#include <QImage>
#include <QTest>

using namespace Parallax;

namespace {

// What the view paints: its background, the colour of a block of ANSI red (SGR 31) on the
// first line and of a block in the default colour on the second. Full blocks (U+2588) fill
// their cells, so the middle of each is the exact text colour.
struct Painted
{
    QColor background, red, text;
};

Painted painted(OutputView &view)
{
    const QImage image = view.grab().toImage();
    Painted p;
    p.background = image.pixelColor(image.width() - 30, image.height() - 5);
    auto dominant = [&](int y) -> std::pair<QColor, int> {
        QHash<QRgb, int> counts;
        for (int x = 0; x < image.width() - 20; ++x) {
            const QRgb rgb = image.pixel(x, y);
            if (rgb != p.background.rgb())
                ++counts[rgb];
        }
        std::pair<QColor, int> best{QColor(), 0};
        for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
            if (it.value() > best.second)
                best = {QColor::fromRgb(it.key()), it.value()};
        }
        return best;
    };
    // Rows whose dominant colour holds for several rows in a row are glyph bodies; the rows
    // between (antialiased block edges) are skipped.
    QColor previous;
    int run = 0;
    for (int y = 0; y < image.height() && !p.text.isValid(); ++y) {
        const auto [color, count] = dominant(y);
        if (count < 20 || color != previous) {
            previous = count < 20 ? QColor() : color;
            run = count < 20 ? 0 : 1;
            continue;
        }
        if (++run != 3)
            continue;
        if (!p.red.isValid())
            p.red = color;
        else if (color != p.red)
            p.text = color;
    }
    return p;
}

} // namespace

class TestTheme : public QObject
{
    Q_OBJECT

private slots:
    void systemModeLeavesThePaletteToThePlatform()
    {
        Theme::apply(Theme::Mode::Dark);
        QVERIFY(QApplication::palette().resolveMask() != 0);
        Theme::apply(Theme::Mode::System);
        // No role pinned: Qt re-resolves the palette when the platform's changes.
        QCOMPARE(QApplication::palette().resolveMask(), QPalette::ResolveMask(0));
    }

    void viewFollowsPaletteSwitches()
    {
        OutputView view;
        view.resize(500, 200);
        view.show();
        const QByteArray block = "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88";
        view.appendOutput(StreamType::Stdout, "\x1b[31m" + block + "\x1b[0m\n" + block + "\n", 0);

        Theme::apply(Theme::Mode::Light);
        QTest::qWait(50);
        const Painted light = painted(view);
        QVERIFY(light.red.isValid() && light.text.isValid());
        QVERIFY2(light.background.lightness() > 128, qPrintable(light.background.name()));
        QVERIFY2(light.text.lightness() < 128, qPrintable(light.text.name()));
        QVERIFY2(light.red.red() > light.red.green() + 40, qPrintable(light.red.name()));

        Theme::apply(Theme::Mode::Dark);
        QTest::qWait(50);
        const Painted dark = painted(view);
        QVERIFY(dark.red.isValid() && dark.text.isValid());
        QVERIFY2(dark.background.lightness() < 128, qPrintable(dark.background.name()));
        QVERIFY2(dark.text.lightness() > 128, qPrintable(dark.text.name()));
        QVERIFY2(dark.red.red() > dark.red.green() + 40, qPrintable(dark.red.name()));
        QVERIFY2(dark.red != light.red, "the ANSI palette did not change with the theme");
        qInfo("light: bg %s text %s red %s; dark: bg %s text %s red %s",
              qPrintable(light.background.name()),
              qPrintable(light.text.name()),
              qPrintable(light.red.name()),
              qPrintable(dark.background.name()),
              qPrintable(dark.text.name()),
              qPrintable(dark.red.name()));

        // Back to System after Dark: the view shows the platform's palette again, and nothing
        // pins it (AA_SetPalette off), so Qt re-resolves it when the desktop switches.
        Theme::apply(Theme::Mode::System);
        QTest::qWait(50);
        const Painted system = painted(view);
        QVERIFY(!QCoreApplication::testAttribute(Qt::AA_SetPalette));
        QCOMPARE(system.background, QGuiApplication::palette().color(QPalette::Base));
        QCOMPARE(system.text, QGuiApplication::palette().color(QPalette::Text));
        QVERIFY(system.background != dark.background);
    }
};

QTEST_MAIN(TestTheme)
#include "tst_theme.moc"

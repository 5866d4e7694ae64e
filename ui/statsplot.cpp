#include "statsplot.h"

#include "run/statssampler.h"

#include <QPainter>
#include <QPainterPath>

#include <functional>

namespace Parallax {

static constexpr int kPlotWidth = 60;
static constexpr int kSpacing = 4;
static constexpr int kVisibleSamples = 60; // the plots show the last minute

// "1.1M", "312K": short enough to sit inside a 60-pixel plot.
static QString shortBytes(qint64 bytes)
{
    if (bytes >= 1024LL * 1024 * 1024)
        return QStringLiteral("%1G").arg(bytes / (1024.0 * 1024 * 1024), 0, 'f', 1);
    if (bytes >= 10LL * 1024 * 1024)
        return QStringLiteral("%1M").arg(bytes / (1024 * 1024));
    if (bytes >= 1024 * 1024)
        return QStringLiteral("%1M").arg(bytes / (1024.0 * 1024), 0, 'f', 1);
    return QStringLiteral("%1K").arg(bytes / 1024);
}

StatsPlot::StatsPlot(QWidget *parent)
    : QWidget(parent)
{
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Fixed);
    setToolTip(tr("CPU and memory: no samples yet"));
}

void StatsPlot::setSampler(StatsSampler *sampler)
{
    if (m_sampler)
        m_sampler->disconnect(this);
    m_sampler = sampler;
    if (sampler) {
        connect(sampler, &StatsSampler::sampleAdded, this, [this] {
            updateToolTip();
            update();
        });
    }
    updateToolTip();
    update();
}

QSize StatsPlot::sizeHint() const
{
    const int height = qMax(22, fontMetrics().height() + 6);
    return {2 * kPlotWidth + kSpacing, height};
}

QString StatsPlot::bytesText(qint64 bytes)
{
    if (bytes >= 1024LL * 1024 * 1024)
        return QStringLiteral("%1 GiB").arg(bytes / (1024.0 * 1024 * 1024), 0, 'f', 2);
    if (bytes >= 1024 * 1024)
        return QStringLiteral("%1 MiB").arg(bytes / (1024.0 * 1024), 0, 'f', 1);
    if (bytes >= 1024)
        return QStringLiteral("%1 KiB").arg(bytes / 1024.0, 0, 'f', 0);
    return QStringLiteral("%1 B").arg(bytes);
}

void StatsPlot::updateToolTip()
{
    if (!m_sampler || !m_sampler->hasPeaks()) {
        setToolTip(tr("CPU and memory: no samples yet"));
        return;
    }
    setToolTip(tr("CPU (100 % = one core) and memory without page cache, last %1 s\n"
                  "Peak CPU %2 %, peak memory %3")
                       .arg(m_sampler->samples().size())
                       .arg(m_sampler->cpuPeakPercent(), 0, 'f', 1)
                       .arg(bytesText(m_sampler->memoryPeakBytes())));
}

void StatsPlot::paintEvent(QPaintEvent *)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    const bool dark = pal.color(QPalette::Window).lightness() < 128;
    // Colours that read on both palettes: lighter strokes on dark, deeper ones on light.
    const QColor cpuColor = dark ? QColor(0x6c, 0xb6, 0xff) : QColor(0x1a, 0x5f, 0xb4);
    const QColor memoryColor = dark ? QColor(0xc6, 0x8b, 0xff) : QColor(0x7a, 0x2e, 0xb8);

    const std::deque<StatsSample> empty;
    const std::deque<StatsSample> &samples = m_sampler ? m_sampler->samples() : empty;
    const bool any = !samples.empty();

    double cpuScale = 100.0; // at least one core's worth, so idle stays flat at the bottom
    qint64 memoryScale = 1;
    for (const StatsSample &s : samples) {
        cpuScale = qMax(cpuScale, s.cpuPercent);
        memoryScale = qMax(memoryScale, s.memoryBytes);
    }

    const int h = height();
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    painter.setFont(small);
    const size_t first = samples.size() > size_t(kVisibleSamples)
                                 ? samples.size() - size_t(kVisibleSamples)
                                 : 0;
    auto drawOne = [&](int x,
                       const QColor &color,
                       const QString &label,
                       const std::function<double(const StatsSample &)> &value) {
        const QRectF box(x + 0.5, 1.5, kPlotWidth - 1, h - 3);
        painter.setPen(QPen(pal.color(QPalette::Mid), 1));
        painter.setBrush(pal.color(QPalette::Base));
        painter.drawRoundedRect(box, 2, 2);
        if (samples.size() - first >= 2) {
            // Time runs right to left from the newest sample at the right edge; a young
            // container fills only the right part.
            QPainterPath line;
            const double step = (box.width() - 2) / double(kVisibleSamples - 1);
            const double start = box.right() - 1 - step * double(samples.size() - 1 - first);
            for (size_t i = first; i < samples.size(); ++i) {
                const double px = start + step * double(i - first);
                const double py = box.bottom() - 1 - value(samples[i]) * (box.height() - 3);
                if (i == first)
                    line.moveTo(px, py);
                else
                    line.lineTo(px, py);
            }
            QPainterPath fill = line;
            fill.lineTo(box.right() - 1, box.bottom() - 1);
            fill.lineTo(start, box.bottom() - 1);
            fill.closeSubpath();
            QColor area = color;
            area.setAlpha(70);
            painter.setPen(Qt::NoPen);
            painter.setBrush(area);
            painter.drawPath(fill);
            painter.setPen(QPen(color, 1.5));
            painter.setBrush(Qt::NoBrush);
            painter.drawPath(line);
        }
        // The value sits on a veil of the base colour so the line never hides it.
        const QRectF textBox = painter.boundingRect(
                box.adjusted(3, 1, -3, 0), Qt::AlignLeft | Qt::AlignTop, label);
        QColor veil = pal.color(QPalette::Base);
        veil.setAlpha(190);
        painter.setPen(Qt::NoPen);
        painter.setBrush(veil);
        painter.drawRect(textBox.adjusted(-1, 0, 1, 0));
        painter.setPen(any ? pal.color(QPalette::Text) : pal.color(QPalette::PlaceholderText));
        painter.drawText(textBox, Qt::AlignLeft | Qt::AlignTop, label);
    };

    const StatsSample last = any ? samples.back() : StatsSample{};
    drawOne(0,
            cpuColor,
            any ? QStringLiteral("%1%").arg(last.cpuPercent, 0, 'f', last.cpuPercent < 10 ? 1 : 0)
                : tr("CPU"),
            [cpuScale](const StatsSample &s) { return s.cpuPercent / cpuScale; });
    drawOne(kPlotWidth + kSpacing,
            memoryColor,
            any ? shortBytes(last.memoryBytes) : tr("mem"),
            [memoryScale](const StatsSample &s) {
                return double(s.memoryBytes) / double(memoryScale);
            });
}

} // namespace Parallax

#include "statsplot.h"

#include "run/statssampler.h"

#include <QPainter>
#include <QPainterPath>

#include <functional>

namespace Parallax {

static constexpr int kPlotWidth = 64;
static constexpr int kTextWidth = 62;

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
    return {2 * (kPlotWidth + kTextWidth) + 10, height};
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
    auto drawOne = [&](int x,
                       const QColor &color,
                       const QString &label,
                       const std::function<double(const StatsSample &)> &value) {
        const QRectF box(x + 0.5, 2.5, kPlotWidth - 1, h - 5);
        painter.setPen(QPen(pal.color(QPalette::Mid), 1));
        painter.setBrush(pal.color(QPalette::Base));
        painter.drawRoundedRect(box, 2, 2);
        if (samples.size() >= 2) {
            QPainterPath line;
            const double step = (box.width() - 2) / double(StatsSampler::kCapacity - 1);
            const double start = box.right() - 1 - step * double(samples.size() - 1);
            for (size_t i = 0; i < samples.size(); ++i) {
                const double px = start + step * double(i);
                const double py = box.bottom() - 1 - value(samples[i]) * (box.height() - 2);
                if (i == 0)
                    line.moveTo(px, py);
                else
                    line.lineTo(px, py);
            }
            QPainterPath fill = line;
            fill.lineTo(box.right() - 1, box.bottom() - 1);
            fill.lineTo(start, box.bottom() - 1);
            fill.closeSubpath();
            QColor area = color;
            area.setAlpha(60);
            painter.setPen(Qt::NoPen);
            painter.setBrush(area);
            painter.drawPath(fill);
            painter.setPen(QPen(color, 1.5));
            painter.setBrush(Qt::NoBrush);
            painter.drawPath(line);
        }
        painter.setPen(any ? pal.color(QPalette::WindowText)
                           : pal.color(QPalette::PlaceholderText));
        painter.drawText(QRect(x + kPlotWidth + 4, 0, kTextWidth - 4, h),
                         Qt::AlignLeft | Qt::AlignVCenter,
                         label);
    };

    const StatsSample last = any ? samples.back() : StatsSample{};
    drawOne(0,
            cpuColor,
            any ? QStringLiteral("%1 %").arg(last.cpuPercent, 0, 'f', last.cpuPercent < 10 ? 1 : 0)
                : tr("CPU"),
            [cpuScale](const StatsSample &s) { return s.cpuPercent / cpuScale; });
    drawOne(kPlotWidth + kTextWidth + 6,
            memoryColor,
            any ? bytesText(last.memoryBytes) : tr("mem"),
            [memoryScale](const StatsSample &s) {
                return double(s.memoryBytes) / double(memoryScale);
            });
}

} // namespace Parallax

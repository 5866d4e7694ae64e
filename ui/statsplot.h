#pragma once

#include "run/statssampler.h"

#include <QPointer>
#include <QWidget>

namespace Parallax {

// A pair of small painted sparklines - CPU % and memory - over a StatsSampler's recent samples,
// with the latest value written beside each and the peaks in the tooltip. Repaints when a
// sample arrives (once a second); never holds samples itself. GUI thread.
class StatsPlot : public QWidget
{
    Q_OBJECT
public:
    explicit StatsPlot(QWidget *parent = nullptr);

    void setSampler(StatsSampler *sampler);
    StatsSampler *sampler() const { return m_sampler; }

    QSize sizeHint() const override;

    // "12.5 MiB" style, for labels and tooltips.
    static QString bytesText(qint64 bytes);

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void updateToolTip();

    QPointer<StatsSampler> m_sampler;
};

} // namespace Parallax

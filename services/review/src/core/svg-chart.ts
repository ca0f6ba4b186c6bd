/** Inline SVG charts for the HTML report (pure string rendering, no scripts). */
export type Bar = { label: string; value: number };

/** Escapes text for HTML/SVG content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * A vertical bar chart: one bar per entry, y axis from 0 to the maximum, labels under the bars
 * (thinned when crowded), the value above each non-zero bar. `title` becomes the SVG title.
 */
export function barChartSvg(title: string, bars: readonly Bar[], color: string, width = 560, height = 220): string {
  const pad = { left: 40, right: 10, top: 24, bottom: 44 };
  const plotW = width - pad.left - pad.right;
  const plotH = height - pad.top - pad.bottom;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const slot = bars.length === 0 ? plotW : plotW / bars.length;
  const barW = Math.max(2, slot * 0.7);
  const labelEvery = Math.max(1, Math.ceil(bars.length / 12));
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${pad.left}" y="16" font-size="13" font-family="sans-serif" fill="#222">${escapeHtml(title)}</text>`,
    `<line x1="${pad.left}" y1="${pad.top + plotH}" x2="${pad.left + plotW}" y2="${pad.top + plotH}" stroke="#888"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${pad.top + plotH}" stroke="#888"/>`,
    `<text x="${pad.left - 6}" y="${pad.top + 4}" font-size="10" text-anchor="end" font-family="sans-serif">${max}</text>`,
    `<text x="${pad.left - 6}" y="${pad.top + plotH}" font-size="10" text-anchor="end" font-family="sans-serif">0</text>`,
  ];
  bars.forEach((b, i) => {
    const h = (b.value / max) * plotH;
    const x = pad.left + i * slot + (slot - barW) / 2;
    const y = pad.top + plotH - h;
    parts.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barW.toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"><title>${escapeHtml(`${b.label}: ${b.value}`)}</title></rect>`);
    if (b.value > 0) parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" font-size="9" text-anchor="middle" font-family="sans-serif">${b.value}</text>`);
    if (i % labelEvery === 0) {
      parts.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${pad.top + plotH + 14}" font-size="9" text-anchor="middle" font-family="sans-serif">${escapeHtml(b.label)}</text>`);
    }
  });
  if (bars.length === 0) parts.push(`<text x="${width / 2}" y="${height / 2}" font-size="12" text-anchor="middle" font-family="sans-serif" fill="#666">no data</text>`);
  parts.push('</svg>');
  return parts.join('');
}

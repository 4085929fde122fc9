/** Horizontal bar charts (plain SVG) of one case: hookd beside each baseline, drawn from the results. */
import type { CaseResult } from './lib.js';

const WIDTH = 720;
const LABEL = 250;
const BAR = 22;
const GAP = 8;

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function format(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(1);
}

export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}

export function barChart(r: CaseResult): string {
  const bars = [['hookd', r.hookd] as const, ...Object.entries(r.baselines)];
  const max = Math.max(...bars.map(([, v]) => v));
  const height = 40 + bars.length * (BAR + GAP) + 10;
  const rows = bars.map(([label, value], i) => {
    const y = 36 + i * (BAR + GAP);
    const w = Math.max(1, ((WIDTH - LABEL - 90) * value) / max);
    const fill = label === 'hookd' ? '#2f6fdf' : '#9aa3ad';
    return [
      `<text x="${LABEL - 8}" y="${y + BAR / 2 + 5}" text-anchor="end">${escape(label)}</text>`,
      `<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${fill}"/>`,
      `<text x="${LABEL + w + 6}" y="${y + BAR / 2 + 5}">${format(value)}</text>`,
    ].join('');
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="20" font-weight="bold">${escape(r.name)} — ${escape(r.unit)}</text>`,
    ...rows,
    '</svg>',
    '',
  ].join('\n');
}

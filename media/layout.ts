/**
 * Which way to lay a graph out when the user did not choose (setting `graphDirection: auto`): the direction
 * in which the whole graph fits the diagram area at the larger scale, preferring the panel's own shape
 * (left-to-right in a wide panel, top-to-bottom in a tall narrow one). Estimated from the Mermaid source
 * (ranks by longest path, label sizes), without laying the graph out twice. Pure: no DOM.
 */
import type { SourceInfo } from './source';

export type FlowDirection = 'LR' | 'RL' | 'TB' | 'BT';

export interface Spacing { fontSize: number; nodeSpacing: number; rankSpacing: number; padding: number }

/** The panel's shape direction wins unless the other fits this much better (more for a clearly wide or tall panel). */
const MIN_SHAPE_BIAS = 1.1;
const MAX_SHAPE_BIAS = 1.6;

/** Longest-path rank of every drawn node (Kahn's order, no recursion); nodes on cycles (none expected) get 0. */
export function ranks(info: SourceInfo): Map<string, number> {
  const rank = new Map<string, number>();
  const indegree = new Map<string, number>();
  const out = new Map<string, string[]>();
  for (const id of info.nodeLabels.keys()) { indegree.set(id, 0); out.set(id, []); rank.set(id, 0); }
  for (const e of info.links) {
    if (!indegree.has(e.from) || !indegree.has(e.to)) continue;
    indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
    out.get(e.from)!.push(e.to);
  }
  const queue = [...indegree].filter(([, d]) => d === 0).map(([id]) => id);
  for (let head = 0; head < queue.length; head++) {
    const id = queue[head];
    for (const to of out.get(id) ?? []) {
      rank.set(to, Math.max(rank.get(to) ?? 0, (rank.get(id) ?? 0) + 1));
      const left = (indegree.get(to) ?? 1) - 1;
      indegree.set(to, left);
      if (left === 0) queue.push(to);
    }
  }
  return rank;
}

/** Estimated drawing size (SVG units) of the graph laid out in rows (TB) or columns (LR). */
export function estimateSize(info: SourceInfo, vertical: boolean, s: Spacing): { width: number; height: number } {
  const rank = ranks(info);
  const charW = s.fontSize * 0.6;
  const lineH = s.fontSize * 1.2;
  const size = new Map<string, { w: number; h: number }>();
  for (const [id, lines] of info.nodeLabels) {
    size.set(id, { w: Math.max(2, ...lines.map((l) => l.length)) * charW + 2 * s.padding + 16, h: lines.length * lineH + 2 * s.padding });
  }
  const ranksCount = Math.max(0, ...rank.values()) + 1;
  const across = new Array<number>(ranksCount).fill(0); // extent across the flow, per rank
  const along = new Array<number>(ranksCount).fill(0); // extent along the flow, per rank
  const count = new Array<number>(ranksCount).fill(0);
  for (const [id, r] of rank) {
    const b = size.get(id)!;
    across[r] += vertical ? b.w : b.h;
    along[r] = Math.max(along[r], vertical ? b.h : b.w);
    count[r]++;
  }
  // Edge labels sit between ranks (dagre gives them a rank of their own): widest in LR, one line in TB.
  const gap = new Array<number>(ranksCount).fill(0);
  for (const e of info.links) {
    if (!e.label) continue;
    const r = rank.get(e.from) ?? 0;
    gap[r] = Math.max(gap[r], vertical ? lineH + 4 : e.label.length * charW * 0.95 + 8);
  }
  const acrossMax = Math.max(0, ...across.map((a, r) => a + Math.max(0, count[r] - 1) * s.nodeSpacing));
  const alongSum = along.reduce((a, b) => a + b, 0) + gap.slice(0, -1).reduce((a, g) => a + Math.max(s.rankSpacing, g + s.rankSpacing / 2), 0);
  const pad = 16;
  return vertical ? { width: acrossMax + pad, height: alongSum + pad } : { width: alongSum + pad, height: acrossMax + pad };
}

/** The drawn direction keeps its place unless the other fits this much better (no flip-flopping on small resizes). */
const KEEP_BIAS = 1.15;

/** The better direction for an area of this size; `current` (the drawn one) is kept unless clearly beaten. */
export function chooseDirection(info: SourceInfo, area: { width: number; height: number }, s: Spacing, maxScale: number, current?: FlowDirection): FlowDirection {
  if (area.width <= 0 || area.height <= 0) return 'LR';
  const fit = (vertical: boolean) => {
    const e = estimateSize(info, vertical, s);
    return Math.min(maxScale, area.width / e.width, area.height / e.height);
  };
  const tall = area.height > area.width;
  const aspect = tall ? area.height / area.width : area.width / area.height;
  const bias = Math.min(MAX_SHAPE_BIAS, Math.max(MIN_SHAPE_BIAS, aspect));
  const lr = fit(false) * (tall ? 1 : bias) * (current === 'LR' ? KEEP_BIAS : 1);
  const tb = fit(true) * (tall ? bias : 1) * (current === 'TB' ? KEEP_BIAS : 1);
  return tb > lr ? 'TB' : 'LR';
}

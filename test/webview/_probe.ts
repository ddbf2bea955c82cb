import { payloadFor, startHarness } from './harness';
import { look } from './look';
import { TWO_LAYER_NETWORK_MATH } from '../fixtures/two-layer-network';
const day05 = `const h = Math.tanh(w1 * x);\nconst y = w2 * h;\nconst L = 0.5 * (y - target) ** 2;`;
function mlp() {
  const v: Record<string, number> = { x1: 0.5, x2: -1, t: 1, c: 0.1 };
  const hs: string[] = [];
  const lines: string[] = [];
  for (let j = 1; j <= 4; j++) { v[`a${j}`] = 0.3 * j; v[`b${j}`] = -0.2 * j; v[`d${j}`] = 0.1; v[`v${j}`] = 0.5 - 0.2 * j; lines.push(`h${j} = tanh(a${j}*x1 + b${j}*x2 + d${j})`); hs.push(`v${j}*h${j}`); }
  lines.push(`y = ${hs.join(' + ')} + c`, 'L = (y - t)^2');
  return { text: lines.join('\n'), v };
}
const sum25 = { text: Array.from({ length: 25 }, (_, i) => `tanh(w${i}*x${i}+b${i})^2`).join(' + '), v: Object.fromEntries(Array.from({ length: 25 }, (_, i) => [[`w${i}`, 0.5], [`x${i}`, i / 10], [`b${i}`, 0.1]]).flat()) };
const cases = [['seed', '(x^2+1)^3', { x: 2 }], ['day05', day05, { x: 1, w1: 1.2, w2: -0.8, target: 0.5 }], ['two-layer', TWO_LAYER_NETWORK_MATH, {}], ['mlp', mlp().text, mlp().v], ['sum25', sum25.text, sum25.v]] as const;
async function main() {
const h = await startHarness();
for (const [w, hgt] of [[640, 800], [420, 800], [1280, 760]]) {
  for (const [name, text, values] of cases) {
    const p = await h.newPage(process.env.THEME ?? 'vscode-light');
    await p.page.setViewportSize({ width: w, height: hgt });
    const payload = payloadFor(text, values as Record<string, number>, {}, false);
    await p.showGraph(payload);
    await p.page.waitForTimeout(200);
    const l = await look(p.page);
    console.log(w, name, payload.graph.nodes.length, JSON.stringify({ ...l, outside: l.outside.length }));
    await p.page.screenshot({ path: `/tmp/wv/${name}-${w}.png` });
    await p.page.close();
  }
}
await h.close();
}
void main();

/** The graphs the first-look tests draw, from the lessons and fixtures, through the real engine. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as engine from '../../src/host/engine';
import { buildPayload } from '../../src/host/payload';
import type { GraphPayload } from '../../src/protocol';
import { TWO_LAYER_NETWORK_MATH } from '../fixtures/two-layer-network';
import { nextVersion, ROOT, payloadFor } from './harness';

/** The fenced blocks of a lesson in `lang` (```ts, or ```backprop ts), in order. */
function fences(lesson: string, lang: string): string[] {
  const text = readFileSync(join(ROOT, 'lessons', lesson), 'utf8');
  return [...text.matchAll(new RegExp('```(?:backprop )?' + lang + '\\n([^]*?)```', 'g'))].map((m) => m[1].trim());
}

/** The fenced block of a lesson that contains `needle`, whatever its info string. */
function fenceWith(lesson: string, needle: string): string {
  const text = readFileSync(join(ROOT, 'lessons', lesson), 'utf8');
  const found = [...text.matchAll(/```[^\n]*\n([^]*?)```/g)].map((m) => m[1].trim()).find((b) => b.includes(needle));
  if (!found) throw new Error(`no fence with ${needle} in ${lesson}`);
  return found;
}

export const seed = () => payloadFor('(x^2+1)^3', { x: 2 });

/** The day-40 lesson's named form, from the lesson file. */
export const day40Named = () => payloadFor(fenceWith('day40-chain-rule.md', 'v = u + 1'), { x: 2 });

/** The day-05 lesson's network block, with the values its first block declares (as the panel reads them). */
export function day05(): GraphPayload {
  const [valuesBlock, network] = fences('day05-backprop-intuition.md', 'ts');
  const values = Object.fromEntries([...valuesBlock.matchAll(/const (\w+) = (-?[\d.]+);/g)].map((m) => [m[1], Number(m[2])]));
  return payloadFor(network, values, { title: 'day 05 network' });
}

/** The 1.2 two-layer network as the panel builds it (tensor view by default, scalar view on request). */
export function twoLayer(): GraphPayload {
  const r = engine.analyze(TWO_LAYER_NETWORK_MATH, { values: {} });
  if (!r.ok) throw r.error;
  return buildPayload(engine, r.value, { title: 'two-layer network', digits: 4, direction: 'auto', version: nextVersion() });
}

/** A hand-unrolled 2-4-1 MLP with a squared error: 51 nodes (55 in the TypeScript version). */
export function mlp(): GraphPayload {
  const values: Record<string, number> = { x1: 0.5, x2: -1, t: 1, c: 0.1 };
  const lines: string[] = [];
  const terms: string[] = [];
  for (let j = 1; j <= 4; j++) {
    Object.assign(values, { [`a${j}`]: 0.3 * j, [`b${j}`]: -0.2 * j, [`d${j}`]: 0.1, [`v${j}`]: 0.5 - 0.2 * j });
    lines.push(`h${j} = tanh(a${j}*x1 + b${j}*x2 + d${j})`);
    terms.push(`v${j}*h${j}`);
  }
  lines.push(`y = ${terms.join(' + ')} + c`, 'L = (y - t)^2');
  return payloadFor(lines.join('\n'), values, { title: '2-4-1 MLP' }, false);
}

/** A 25-term sum of squared neurons: 224 nodes, under maxNodes (300), drawn whole. */
export const sum25 = () => sumOf(25);
/** 33 terms: 296 nodes, the biggest graph drawn without summarizing (maxNodes 300). */
export const sum33 = () => sumOf(33);

function sumOf(count: number, shift = 0): GraphPayload {
  const values: Record<string, number> = {};
  const terms: string[] = [];
  for (let i = 0; i < count; i++) {
    terms.push(`tanh(w${i}*x${i}+b${i})^2`);
    Object.assign(values, { [`w${i}`]: 0.5 + shift, [`x${i}`]: i / 10, [`b${i}`]: 0.1 });
  }
  return payloadFor(terms.join(' + '), values, { title: `${count}-term sum` }, false);
}

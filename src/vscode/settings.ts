import * as vscode from 'vscode';
import type { ConstantsMode, Direction, EdgeLabelMode } from '../engine/mermaid/mermaid';

/** The extension's settings, read fresh each time (they can change while a panel is open). */
export interface Settings {
  digits: number;
  /** `auto`: the webview picks TB or LR from the panel's shape. */
  direction: Direction | 'auto';
  maxNodes: number;
  liveUpdate: boolean;
  codeLensEnabled: boolean;
  hoverEnabled: boolean;
  lessonFiles: string[];
  /** `backpropGraph.constants`: literals folded into their op's node, or drawn as nodes. */
  constants: ConstantsMode;
  /** `backpropGraph.constantGradients`: show constants' gradients. */
  constantGrads: boolean;
  /** `backpropGraph.edgeLabels`: `2x = 4` or `4` on edges. */
  edgeLabels: EdgeLabelMode;
  /** `backpropGraph.maxSteps` / `maxCallDepth`: the interpreter's budgets for programs with loops and functions. */
  maxSteps: number;
  maxCallDepth: number;
  /** `backpropGraph.collapseGroupsOver`: a graph of calls and loops bigger than this opens with nested calls collapsed. */
  collapseGroupsOver: number;
}

const DIRECTIONS: readonly (Direction | 'auto')[] = ['auto', 'LR', 'RL', 'TB', 'BT'];

/** A setting that must be a whole number ≥ 1: the default when it is not. */
function wholeAtLeastOne(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 1 ? Math.floor(v) : fallback;
}

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration('backpropGraph', scope);
  const digits = c.get<number>('significantDigits', 4);
  const direction = c.get<string>('graphDirection', 'auto') as Direction | 'auto';
  const maxNodes = c.get<number>('maxNodes', 300);
  const lessonFiles = c.get<unknown>('lessonFiles');
  return {
    digits: Number.isInteger(digits) && digits >= 1 && digits <= 15 ? digits : 4,
    direction: DIRECTIONS.includes(direction) ? direction : 'auto',
    maxNodes: Number.isFinite(maxNodes) && maxNodes >= 1 ? Math.floor(maxNodes) : 300,
    liveUpdate: c.get<boolean>('liveUpdate', true),
    codeLensEnabled: c.get<boolean>('codeLens.enabled', true),
    hoverEnabled: c.get<boolean>('hover.enabled', true),
    lessonFiles: Array.isArray(lessonFiles) ? lessonFiles.filter((g): g is string => typeof g === 'string') : [],
    constants: c.get<string>('constants', 'fold') === 'nodes' ? 'nodes' : 'fold',
    constantGrads: c.get<boolean>('constantGradients', false) === true,
    edgeLabels: c.get<string>('edgeLabels', 'formula') === 'number' ? 'number' : 'formula',
    maxSteps: wholeAtLeastOne(c.get<number>('maxSteps', 1_000_000), 1_000_000),
    maxCallDepth: wholeAtLeastOne(c.get<number>('maxCallDepth', 1_000), 1_000),
    collapseGroupsOver: wholeAtLeastOne(c.get<number>('collapseGroupsOver', 40), 40),
  };
}

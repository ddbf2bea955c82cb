/**
 * Build-time patches to the bundled Mermaid (and the dagre layout it uses) that make a flowchart render faster
 * without changing what it draws: for our graphs the patched and the published code produce the same SVG,
 * byte for byte (test/webview/mermaid-patches.test.ts renders with both and compares).
 *
 * Each patch replaces one exact piece of the published source. All or nothing: when a Mermaid or dagre update
 * changes a piece (or the file it lives in), the build fails and names the patch, so no half-patched Mermaid
 * ships (two of the patches only work together). Update the patch to the new source, or drop it.
 */
import { readFile } from 'node:fs/promises';

/** @type {{ name: string, file: RegExp, needle: string, replacement: string, all?: boolean }[]} */
export const PATCHES = [
  {
    // getConfig() deep-copied the whole configuration (every diagram's settings and ~150 theme variables) on
    // each call, several times per node: 0.3 s of a 200-node render. One deep-frozen copy per configuration
    // is handed out instead; the bundle is strict mode, so a caller that wrote to it would throw, not diverge.
    name: 'getConfig: one frozen copy per configuration',
    file: /mermaid[\\/]dist[\\/]chunks[\\/]mermaid\.core[\\/]chunk-[A-Z0-9]+\.mjs$/,
    needle: 'var getConfig = /* @__PURE__ */ __name(() => {\n  return assignWithDepth_default({}, currentConfig);\n}, "getConfig");',
    replacement: `var bpConfigFor, bpConfigCopy;
function bpFreeze(v) { if (v !== null && typeof v === "object" && !Object.isFrozen(v)) { Object.freeze(v); for (const k of Object.keys(v)) bpFreeze(v[k]); } return v; }
var getConfig = () => {
  if (bpConfigFor !== currentConfig) { bpConfigFor = currentConfig; bpConfigCopy = bpFreeze(assignWithDepth_default({}, currentConfig)); }
  return bpConfigCopy;
};
getConfig.bpWritable = () => assignWithDepth_default({}, currentConfig);`,
  },
  {
    // The one reader that writes to its copy (a diagram's init() sets flowchart.arrowMarkerAbsolute, then
    // calls setConfig): it gets a writable deep copy, as every caller did before.
    name: 'Diagram.fromText: a writable configuration copy for init()',
    file: /mermaid[\\/]dist[\\/]mermaid\.core\.mjs$/,
    needle: `    const config = getConfig();
    const type = detectType(code.cleaned, config);`,
    replacement: `    const config = getConfig.bpWritable ? getConfig.bpWritable() : getConfig();
    const type = detectType(code.cleaned, config);`,
  },
  {
    // Wrapping: every label line was appended to the DOM and measured (a forced layout each, 0.4 s for 200
    // nodes) only to learn whether it is narrower than the wrapping width (2,000 px here). A line whose every
    // character could be 48 px wide and still fit needs no measuring: the answer is yes either way.
    name: 'createFormattedText: no measuring of lines that surely fit',
    file: /mermaid[\\/]dist[\\/]chunks[\\/]mermaid\.core[\\/]chunk-[A-Z0-9]+\.mjs$/,
    needle: 'const checkWidth = /* @__PURE__ */ __name((line2) => computeWidthOfText(labelGroup, lineHeight, line2) <= width, "checkWidth");',
    replacement: 'const checkWidth = /* @__PURE__ */ __name((line2) => line2.reduce((n, w) => n + 1 + String(w.content).length, 0) * 48 <= width || computeWidthOfText(labelGroup, lineHeight, line2) <= width, "checkWidth");',
  },
  {
    // Ordering built one layer graph per rank by scanning every node of the graph for each rank: quadratic
    // in the number of ranks once long edges add their dummy nodes. Bucket the nodes by rank once (in the
    // graph's node order, so each layer graph is built exactly as before).
    // Each bucket fills in the graph's node order, so each layer graph gets its nodes in the same order.
    name: 'dagre order: nodes bucketed by rank',
    file: /dagre-d3-es[\\/]src[\\/]dagre[\\/]order[\\/]index\.js$/,
    needle: `function buildLayerGraphs(g, ranks, relationship) {
  return _.map(ranks, function (rank) {
    return buildLayerGraph(g, rank, relationship);
  });
}`,
    replacement: `function buildLayerGraphs(g, ranks, relationship) {
  var byRank = new Map();
  var add = function (rank, v) {
    var list = byRank.get(rank);
    if (list) list.push(v);
    else byRank.set(rank, [v]);
  };
  g.nodes().forEach(function (v) {
    var node = g.node(v);
    if (typeof node.rank === 'number') add(node.rank, v);
    if (typeof node.minRank === 'number' && typeof node.maxRank === 'number') {
      for (var r = node.minRank; r <= node.maxRank; r++) if (r !== node.rank) add(r, v);
    }
  });
  return _.map(ranks, function (rank) {
    return buildLayerGraph(g, rank, relationship, byRank.get(rank) || []);
  });
}`,
  },
  {
    name: 'dagre buildLayerGraph: takes the nodes of its rank',
    file: /dagre-d3-es[\\/]src[\\/]dagre[\\/]order[\\/]build-layer-graph\.js$/,
    needle: `function buildLayerGraph(g, rank, relationship) {
  var root = createRootNode(g),
    result = new Graph({ compound: true })
      .setGraph({ root: root })
      .setDefaultNodeLabel(function (v) {
        return g.node(v);
      });

  _.forEach(g.nodes(), function (v) {`,
    replacement: `function buildLayerGraph(g, rank, relationship, nodesOfRank) {
  var root = createRootNode(g),
    result = new Graph({ compound: true })
      .setGraph({ root: root })
      .setDefaultNodeLabel(function (v) {
        return g.node(v);
      });

  _.forEach(nodesOfRank || g.nodes(), function (v) {`,
  },
  {
    // lodash's generic pick (paths, deep set) per entry, per layer, per sweep: the same four keys, copied
    // directly, present ones only and in the same order.
    name: 'dagre resolveConflicts: direct pick',
    file: /dagre-d3-es[\\/]src[\\/]dagre[\\/]order[\\/]resolve-conflicts\.js$/,
    needle: `      return _.pick(entry, ['vs', 'i', 'barycenter', 'weight']);`,
    replacement: `      var picked = {};
      if ('vs' in entry) picked.vs = entry.vs;
      if ('i' in entry) picked.i = entry.i;
      if ('barycenter' in entry) picked.barycenter = entry.barycenter;
      if ('weight' in entry) picked.weight = entry.weight;
      return picked;`,
  },
  {
    // Crossing count, per pair of adjacent layers, per sweep: lodash's zipObject / sortBy / flatten / map
    // replaced by plain loops. Array.prototype.sort is stable, as sortBy is; positions are integers.
    name: 'dagre crossCount: plain loops',
    file: /dagre-d3-es[\\/]src[\\/]dagre[\\/]order[\\/]cross-count\.js$/,
    needle: `  var southPos = _.zipObject(
    southLayer,
    _.map(southLayer, function (v, i) {
      return i;
    }),
  );
  var southEntries = _.flatten(
    _.map(northLayer, function (v) {
      return _.sortBy(
        _.map(g.outEdges(v), function (e) {
          return { pos: southPos[e.w], weight: g.edge(e).weight };
        }),
        'pos',
      );
    }),
  );`,
    replacement: `  var southPos = {};
  for (var si = 0; si < southLayer.length; si++) southPos[southLayer[si]] = si;
  var southEntries = [];
  for (var ni = 0; ni < northLayer.length; ni++) {
    var entries = g.outEdges(northLayer[ni]).map(function (e) {
      return { pos: southPos[e.w], weight: g.edge(e).weight };
    });
    entries.sort(function (a, b) { return a.pos - b.pos; });
    for (var ei = 0; ei < entries.length; ei++) southEntries.push(entries[ei]);
  }`,
  },
  {
    // graphlib's node and edge lists went through lodash's generic keys/values (array-like and prototype
    // checks per call), and dagre asks for them in its inner loops. For the plain objects graphlib keeps,
    // lodash returns exactly Object.keys / Object.values (it calls them), so call them directly.
    name: 'graphlib: Object.keys for node lists',
    file: /dagre-d3-es[\\/]src[\\/]graphlib[\\/]graph\.js$/,
    needle: 'return _.keys(',
    replacement: 'return Object.keys(',
    all: true,
  },
  {
    name: 'graphlib: Object.values for edge lists',
    file: /dagre-d3-es[\\/]src[\\/]graphlib[\\/]graph\.js$/,
    needle: '= _.values(',
    replacement: '= Object.values(',
    all: true,
  },
  {
    name: 'graphlib: Object.values for all edges',
    file: /dagre-d3-es[\\/]src[\\/]graphlib[\\/]graph\.js$/,
    needle: 'return _.values(this._edgeObjs);',
    replacement: 'return Object.values(this._edgeObjs);',
  },
];

/** The files some patch edits (esbuild's onLoad filter). */
const PATCHED_FILES = /(mermaid[\\/]dist[\\/]mermaid\.core\.mjs|mermaid[\\/]dist[\\/]chunks[\\/]mermaid\.core[\\/]chunk-[A-Z0-9]+\.mjs|dagre-d3-es[\\/]src[\\/]dagre[\\/]order[\\/][a-z-]+\.js|dagre-d3-es[\\/]src[\\/]graphlib[\\/]graph\.js)$/;

/**
 * Applies the patches meant for one file to its text. A patch whose `file` matches the path but whose
 * `needle` is not in the text is `missed`; the caller fails the build on any. Pure: tests call it on altered text.
 * @param {string} path
 * @param {string} text
 * @param {typeof PATCHES} patches
 * @returns {{ text: string, applied: string[], missed: string[] }}
 */
export function applyPatches(path, text, patches = PATCHES) {
  const applied = [];
  const missed = [];
  for (const p of patches.filter((patch) => patch.file.test(path))) {
    // Mermaid's chunks share one file pattern: a chunk without the needle is another chunk, not a miss,
    // as long as some chunk has it (the build checks at the end that every patch applied somewhere).
    if (!text.includes(p.needle)) {
      if (!/chunk-[A-Z0-9]+\.mjs$/.test(path)) missed.push(p.name);
      continue;
    }
    text = p.all ? text.split(p.needle).join(p.replacement) : text.replace(p.needle, () => p.replacement);
    applied.push(p.name);
  }
  return { text, applied, missed };
}

/**
 * The esbuild plugin: every patch must apply, else the build fails with an error naming each patch that did
 * not. `onApplied(name)` is told each patch that was applied; `skip` names patches to leave out on purpose
 * (tests render with and without them; a build that skips some ships no half-patched Mermaid by accident).
 * @param {{ skip?: string[], onApplied?: (name: string) => void, patches?: typeof PATCHES }} [options]
 * @returns {import('esbuild').Plugin}
 */
export function mermaidPatches({ skip = [], onApplied, patches = PATCHES } = {}) {
  const active = patches.filter((p) => !skip.includes(p.name));
  return {
    name: 'mermaid-patches',
    setup(build) {
      const applied = new Set();
      build.onLoad({ filter: PATCHED_FILES }, async (args) => {
        if (!active.some((p) => p.file.test(args.path))) return undefined;
        const original = await readFile(args.path, 'utf8');
        const result = applyPatches(args.path, original, active);
        for (const name of result.applied) {
          applied.add(name);
          onApplied?.(name);
        }
        if (result.missed.length) {
          return { errors: result.missed.map((name) => ({ text: `mermaid-patches: patch "${name}" no longer matches ${args.path}: update or remove it in build/mermaid-patches.mjs` })) };
        }
        return result.text === original ? undefined : { contents: result.text, loader: 'js' };
      });
      build.onEnd((result) => {
        // Already failing (e.g. the misses above): do not pile a second message per patch on top.
        if (result.errors.length) return undefined;
        const missing = active.filter((p) => !applied.has(p.name));
        return { errors: missing.map((p) => ({ text: `mermaid-patches: patch "${p.name}" was not applied: no bundled file matching ${p.file} contains its text; update or remove it in build/mermaid-patches.mjs` })) };
      });
    },
  };
}

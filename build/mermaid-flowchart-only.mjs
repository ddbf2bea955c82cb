/**
 * An esbuild plugin that leaves out of the webview bundle the Mermaid code our graphs never run: every diagram
 * type but the flowchart, and the elk, cose-bilkent and swimlanes layouts (we lay out with dagre). Mermaid
 * reaches each of them only through a dynamic `import()` in its loaders (published code, unchanged); here such
 * an import resolves to a stub that rejects, so Mermaid would report "not bundled" for, say, a sequence
 * diagram, as it reports a parse error. The flowchart's own loader, dagre, KaTeX and the rest stay as published.
 *
 * The panel's module build then has 10 chunk files instead of 107 (the .vsix: 29 files instead of 126), and
 * the CLI's one-file page (which inlines every dynamic import) shrinks from 5.3 MB to 1.2 MB. The build fails when the flowchart loader
 * or the left-out loaders are no longer where this plugin looks (a Mermaid update): nothing is left out silently.
 */

/** Diagram loaders in mermaid.core.mjs: `import("./chunks/mermaid.core/<name>-<hash>.mjs")`. */
const DIAGRAM = /^\.\/chunks\/mermaid\.core\/([\w-]+?)-[A-Z0-9]{8}\.mjs$/;
/** Layout loaders in Mermaid's chunks: `import("./<name>-<hash>.mjs")`. */
const LAYOUT = /^\.\/(elk|cose-bilkent|swimlanes)-[A-Z0-9]{8}\.mjs$/;
const IN_MERMAID = /mermaid[\\/]dist[\\/](mermaid\.core\.mjs|chunks[\\/]mermaid\.core[\\/][\w-]+\.mjs)$/;

/** @returns {import('esbuild').Plugin} */
export function mermaidFlowchartOnly() {
  return {
    name: 'mermaid-flowchart-only',
    setup(build) {
      let flowchart = 0;
      const leftOut = new Set();
      build.onResolve({ filter: /^\.\/.*\.mjs$/ }, (args) => {
        if (args.kind !== 'dynamic-import' || !IN_MERMAID.test(args.importer)) return undefined;
        const diagram = DIAGRAM.exec(args.path);
        const layout = LAYOUT.exec(args.path);
        if (diagram?.[1] === 'flowDiagram') {
          flowchart++;
          return undefined;
        }
        if (!diagram && !layout) return undefined;
        leftOut.add(args.path);
        // One stub module for all of them: one tiny chunk, not one per diagram type.
        return { path: 'not-bundled', namespace: 'bp-not-bundled' };
      });
      build.onLoad({ filter: /.*/, namespace: 'bp-not-bundled' }, () => ({
        contents: `throw new Error("This Mermaid diagram type or layout is not bundled in Backprop Graph (flowcharts with dagre only)");`,
        loader: 'js',
      }));
      build.onEnd((result) => {
        if (result.errors.length) return undefined;
        const errors = [];
        if (!flowchart) errors.push('Mermaid\'s flowchart loader (import of chunks/mermaid.core/flowDiagram-*.mjs) was not found');
        for (const layout of ['elk', 'cose-bilkent', 'swimlanes']) if (![...leftOut].some((p) => p.startsWith(`./${layout}-`))) errors.push(`Mermaid's ${layout} layout loader was not found`);
        if (leftOut.size < 20) errors.push(`only ${leftOut.size} of Mermaid's diagram loaders were found`);
        return { errors: errors.map((text) => ({ text: `mermaid-flowchart-only: ${text}; update build/mermaid-flowchart-only.mjs for this Mermaid` })) };
      });
    },
  };
}

// No import cycle anywhere in src/: every module's imports (static, dynamic,
// re-exports and type-only ones too: a type import in a circle is a design
// circle, and the next edit may make it a runtime one) are read from the
// source and followed; a cycle fails the test and is named. The checker is
// tested on a small graph with a cycle first, so it cannot pass vacuously.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

// `import x from '…'`, `import type {…} from '…'`, `export … from '…'`,
// `import '…'` and `import('…')`; comments removed first.
const SPECIFIER = /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The relative specifiers a module's text imports. */
export function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return [...code.matchAll(SPECIFIER)].map((m) => m[1]).filter((s) => s.startsWith('.'));
}

function resolveImport(from, spec) {
  const base = resolve(dirname(from), spec);
  for (const p of [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')]) {
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  // A .js specifier for a .ts file (TypeScript's convention).
  const ts = base.replace(/\.js$/, '.ts');
  return existsSync(ts) ? ts : null;
}

/** {module: [modules it imports]} for every source file under `dir` (CSS and packages left out). */
export function importGraph(dir) {
  const graph = new Map();
  for (const f of sourceFiles(dir)) {
    const deps = importsOf(readFileSync(f, 'utf8'))
      .map((s) => resolveImport(f, s))
      .filter((p) => p !== null && /\.(ts|js|mjs)$/.test(p));
    graph.set(f, [...new Set(deps)]);
  }
  return graph;
}

/** The first cycle found as a list of modules (the first repeated at the end), or null. */
export function findCycle(graph) {
  const state = new Map(); // undefined: not seen, 1: on the path, 2: done
  const path = [];
  const visit = (n) => {
    state.set(n, 1);
    path.push(n);
    for (const d of graph.get(n) ?? []) {
      if (state.get(d) === 1) return [...path.slice(path.indexOf(d)), d];
      if (state.get(d) === undefined) {
        const c = visit(d);
        if (c) return c;
      }
    }
    path.pop();
    state.set(n, 2);
    return null;
  };
  for (const n of graph.keys()) {
    if (state.get(n) === undefined) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

test('the checker finds a cycle, including one through a type-only import, and passes a tree', () => {
  const a = "import { b } from './b';\nexport const a = 1;";
  const b = "// import { a } from './a'; (a comment is not an import)\nimport type { C } from './c.js';";
  const c = "export { a } from './a';\nimport('./d');";
  assert.deepEqual(importsOf(a), ['./b']);
  assert.deepEqual(importsOf(b), ['./c.js']);
  assert.deepEqual(importsOf(c), ['./a', './d']);
  assert.deepEqual(importsOf("import '../shared/styles.css';\nimport * as psc1 from '../crypto/index.js';"),
    ['../shared/styles.css', '../crypto/index.js']);
  const cyclic = new Map([['a', ['b']], ['b', ['c']], ['c', ['a', 'd']], ['d', []]]);
  assert.deepEqual(findCycle(cyclic), ['a', 'b', 'c', 'a']);
  const tree = new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]);
  assert.equal(findCycle(tree), null);
});

test('src/ has no import cycle', () => {
  const graph = importGraph(src);
  assert.ok(graph.size > 40, 'the whole of src/ was read');
  const admin = [...graph.keys()].find((f) => f.endsWith(join('admin', 'main.ts')));
  assert.ok(graph.get(admin).some((f) => f.endsWith(join('shared', 'api.ts'))), 'imports are resolved to files');
  const cycle = findCycle(graph);
  assert.equal(cycle, null, `import cycle: ${cycle?.map((f) => relative(src, f)).join(' -> ')}`);
});

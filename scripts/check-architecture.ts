/**
 * Keeps the import map of `src/` honest: no cycles, no arrow from a lower layer to a higher one,
 * no hand-written file over MAX_FILE_LINES and no function over MAX_FUNCTION_LINES. CI runs it;
 * `npm run check:architecture` prints every finding and exits 1 when there is one.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.resolve(import.meta.dirname, '../src');
const MAX_FILE_LINES = 300;
const MAX_FUNCTION_LINES = 80;

/**
 * Layers from the bottom up. A module may import its own folder and any folder of a lower layer,
 * never one of its own layer or above. Keys are folders (or single files) under `src/`.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['vocabulary', 'errors.ts', 'version.ts', 'json', 'streams', 'sockets', 'generated/openapi.ts'],
  ['config'],
  ['observability'],
  ['redis'],
  ['resilience', 'lifecycle'],
  ['providers', 'cache', 'limits', 'usage', 'auth', 'output'],
  ['gateway'],
  ['contract'],
  ['http'],
  ['rest', 'graphql', 'health', 'docs'],
  ['app'],
  ['serve.ts'],
  ['main.ts'],
];

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return listFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

/** Imports the layers would allow but the design does not: providers own their settings and never read the app's config. */
const FORBIDDEN: readonly (readonly [from: string, to: string])[] = [['providers', 'config']];

/** Generated code that belongs to the module it was generated for (codegen imports its context type). */
const GENERATED_FOR: Readonly<Record<string, string>> = { 'generated/graphql.ts': 'graphql' };

/** The layer key of a file: the longest key that is the file itself or a folder containing it. */
function moduleOf(relative: string): string | undefined {
  if (GENERATED_FOR[relative] !== undefined) return GENERATED_FOR[relative];
  const keys = LAYERS.flat().filter((key) => relative === key || relative.startsWith(`${key}/`));
  return keys.sort((a, b) => b.length - a.length)[0];
}

function layerOf(key: string): number {
  return LAYERS.findIndex((layer) => layer.includes(key));
}

function importsOf(file: string, source: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && ts.isStringLiteral(node.arguments[0]!)) {
      specifiers.push((node.arguments[0] as ts.StringLiteral).text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => path.relative(SRC, path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts'))));
}

function longFunctions(relative: string, source: ts.SourceFile): string[] {
  const findings: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const lines = end - start + 1;
      if (lines > MAX_FUNCTION_LINES) {
        const name = node.name !== undefined && ts.isIdentifier(node.name) ? node.name.text : '(anonymous)';
        findings.push(`${relative}:${start + 1} function ${name} has ${lines} lines (at most ${MAX_FUNCTION_LINES})`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return findings;
}

/** Every cycle's files, found as strongly connected components (Tarjan). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indexes = new Map<string, number>();
  const lowlinks = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string) => {
    indexes.set(node, index);
    lowlinks.set(node, index);
    index++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indexes.has(next)) {
        connect(next);
        lowlinks.set(node, Math.min(lowlinks.get(node)!, lowlinks.get(next)!));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node)!, indexes.get(next)!));
      }
    }
    if (lowlinks.get(node) === indexes.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) components.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indexes.has(node)) connect(node);
  return components;
}

export function checkArchitecture(): string[] {
  const findings: string[] = [];
  const graph = new Map<string, string[]>();
  for (const file of listFiles(SRC)) {
    const relative = path.relative(SRC, file);
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const imports = importsOf(file, source);
    graph.set(relative, imports);
    const generated = relative.startsWith('generated/');
    if (!generated) {
      const lines = text.split('\n').length;
      if (lines > MAX_FILE_LINES) findings.push(`${relative} has ${lines} lines (at most ${MAX_FILE_LINES})`);
      findings.push(...longFunctions(relative, source));
    }
    const from = moduleOf(relative);
    if (from === undefined) {
      findings.push(`${relative} belongs to no layer: add its folder to LAYERS in scripts/check-architecture.ts`);
      continue;
    }
    for (const target of imports) {
      const to = moduleOf(target);
      if (to === undefined || to === from) continue;
      if (FORBIDDEN.some(([a, b]) => a === from && b === to)) findings.push(`${relative} imports ${target}: ${from} may not import ${to}`);
      if (layerOf(to) >= layerOf(from)) findings.push(`${relative} imports ${target}: ${from} (layer ${layerOf(from)}) may not import ${to} (layer ${layerOf(to)})`);
    }
  }
  for (const cycle of cycles(graph)) findings.push(`import cycle: ${cycle.join(' <-> ')}`);
  return findings;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const findings = checkArchitecture();
  for (const finding of findings) console.log(finding);
  console.log(findings.length === 0 ? 'architecture: no cycles, no upward imports, no oversized files or functions' : `architecture: ${findings.length} problem(s)`);
  process.exit(findings.length === 0 ? 0 : 1);
}

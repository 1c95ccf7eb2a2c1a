/**
 * The production image holds production code only: the Dockerfile's default target (`app`) ships what
 * `npm run build` compiles from src/, and src/ holds nothing but production code — the sandbox (sandbox/) and the
 * local orchestration (dev/) live beside it. That is only safe if no production module imports them, checked here by
 * walking the import graph of the sources (TypeScript's own import scanner) and by the lint rule that keeps src/
 * importing only src/. The sandbox has its own target, used by docker-compose's demo profile only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../dev/temporal-binaries.js';

/** The images' commands: docker-compose.yml and the Dockerfile's comment name these. */
const PRODUCTION_ENTRY_POINTS = ['src/worker.ts', 'src/bridge/main.ts', 'src/codec/main.ts', 'src/cli/main.ts'];

/** The workflow code the worker runs (bundled by `npm run build`; the worker bundles it itself outside production). */
const WORKFLOW_ENTRY = 'src/workflows/index.ts';

/** The npm package a bare import names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

/** Every package imported (at run time, not `import type`) by the project files of `files`. */
function importedPackages(files: Iterable<string>): Set<string> {
  const packages = new Set<string>();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(join(PROJECT_ROOT, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
      if (ts.isImportDeclaration(statement) && statement.importClause?.isTypeOnly) continue;
      if (ts.isExportDeclaration(statement) && statement.isTypeOnly) continue;
      const specifier = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : undefined;
      if (specifier && !specifier.startsWith('.') && !specifier.startsWith('node:')) packages.add(packageOf(specifier));
    }
  }
  return packages;
}

/** Every project file reachable from `entries` through relative imports (type-only imports included: harmless). */
function importGraph(entries: string[]): Set<string> {
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(PROJECT_ROOT, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const { fileName } of ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles) {
      if (!fileName.startsWith('.')) continue; // packages: the image's node_modules
      const base = resolve(dirname(file), fileName);
      const target = [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')].find((p) => existsSync(p) && !p.endsWith('/'));
      if (!target) throw new Error(`${relative(PROJECT_ROOT, file)} imports ${fileName}, which does not resolve`);
      queue.push(target);
    }
  }
  return new Set([...seen].map((f) => relative(PROJECT_ROOT, f)));
}

/** `packages` and, recursively, what they depend on (as installed). */
function withDependencies(packages: string[]): Set<string> {
  const all = new Set<string>();
  const queue = [...packages];
  while (queue.length > 0) {
    const name = queue.pop()!;
    if (all.has(name)) continue;
    all.add(name);
    const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    queue.push(...Object.keys(manifest.dependencies ?? {}));
  }
  return all;
}

describe('production image', () => {
  it('no production entry point imports anything outside src/: not the sandbox, not the local orchestration', () => {
    const files = importGraph([...PRODUCTION_ENTRY_POINTS, WORKFLOW_ENTRY]);
    expect(files).toContain('src/config/worker.ts');
    expect(files).toContain('src/activities/index.ts');
    expect(files).toContain('src/temporal/connection.ts');
    expect([...files].filter((f) => !f.startsWith('src/'))).toEqual([]);
    expect(existsSync(join(PROJECT_ROOT, 'src', 'sandbox'))).toBe(false);
    expect(existsSync(join(PROJECT_ROOT, 'src', 'dev'))).toBe(false);
  });

  it('builds the app from src/ alone and ships that build; the sandbox has its own build and target', () => {
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    const build = dockerfile.slice(dockerfile.indexOf(' AS build'), dockerfile.indexOf('FROM build AS production-modules'));
    expect(build.match(/^COPY .*$/gm)).toEqual(['COPY package.json package-lock.json ./', 'COPY tsconfig.json tsconfig.build.json ./', 'COPY scripts/bundle-workflows.ts ./scripts/', 'COPY src ./src']);
    const app = dockerfile.slice(dockerfile.indexOf('FROM runtime AS app'));
    expect(app).toContain('COPY --from=build --chown=node:node /app/dist ./dist');
    expect(app).not.toContain('sandbox');
    const tsconfigBuild = JSON.parse(readFileSync(join(PROJECT_ROOT, 'tsconfig.build.json'), 'utf8')) as { include: string[]; compilerOptions: { rootDir: string } };
    expect(tsconfigBuild).toMatchObject({ include: ['src'], compilerOptions: { rootDir: 'src' } });
    expect(dockerfile.trimEnd().split('\n').filter((l) => l.startsWith('FROM')).at(-1)).toBe('FROM runtime AS app'); // the default target
    const compose = readFileSync(join(PROJECT_ROOT, 'docker-compose.yml'), 'utf8');
    expect(compose).toMatch(/x-app: &app\n {2}image: vobiz-lifecycle:latest\n(?: {2}#.*\n)* {2}build:\n {4}context: \.\n {4}target: app\n/);
    expect(compose).toMatch(/ {2}sandbox:\n(?: {4}.*\n)*? {4}build:\n {6}context: \.\n {6}target: sandbox\n/);
  });

  it('runs on a supported Node LTS (22 or 24), every base image pinned by digest', () => {
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    const bases = dockerfile
      .split('\n')
      .filter((l) => l.startsWith('FROM '))
      .map((l) => l.split(/\s+/)[1]!)
      .filter((image) => !['build', 'runtime'].includes(image));
    expect(bases.length).toBeGreaterThan(0);
    for (const image of bases) expect(image).toMatch(/^node:(22|24)(-[a-z]+)?@sha256:[0-9a-f]{64}$/);
  });

  it('production dependencies are exactly the packages production code imports: sandbox-only packages are not among them', () => {
    const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
    const used = importedPackages(importGraph([...PRODUCTION_ENTRY_POINTS, WORKFLOW_ENTRY]));
    expect([...used].filter((p) => !(p in pkg.dependencies)).sort()).toEqual([]); // or the image would miss it
    expect(Object.keys(pkg.dependencies).filter((p) => !used.has(p)).sort()).toEqual([]); // or the image would carry it
    // The sandbox's own package stays installable for its target (npm start, tests, the compose demo).
    const sandboxOnly = [...importedPackages(importGraph(['sandbox/main.ts']))].filter((p) => !used.has(p));
    expect(sandboxOnly).toContain('node-sqlite3-wasm');
    for (const p of sandboxOnly) expect(pkg.devDependencies, p).toHaveProperty(p);
    const dockerfile = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8');
    // ... and the sandbox's image carries each of them, with the packages they depend on.
    const sandboxTarget = dockerfile.slice(dockerfile.indexOf('FROM runtime AS sandbox'), dockerfile.indexOf('FROM runtime AS app'));
    for (const p of withDependencies(sandboxOnly)) expect(sandboxTarget, p).toContain(`COPY --from=build --chown=node:node /app/node_modules/${p} ./node_modules/${p}\n`);
    expect(dockerfile).toContain('npm prune --omit=dev');
    const app = dockerfile.slice(dockerfile.indexOf('FROM runtime AS app'));
    expect(app).not.toContain('node-sqlite3-wasm');
  });
});

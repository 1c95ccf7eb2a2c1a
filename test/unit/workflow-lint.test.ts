import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The workflow sandbox rules are part of the build's safety net: prove they fire on the code they exist for.
// Type-aware linting builds a TypeScript program on first use: seconds on a busy 2-core machine.
describe('workflow lint rules', { timeout: 60_000 }, () => {
  const eslint = new ESLint();
  const lintWorkflow = async (code: string) => {
    const [result] = await eslint.lintText(code, { filePath: 'src/workflows/lint-probe.ts' });
    return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
  };

  it('rejects Node built-ins in workflow code', async () => {
    const messages = await lintWorkflow("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n");
    expect(messages.some((m) => m.startsWith('no-restricted-imports') && m.includes('Node built-ins'))).toBe(true);
  });

  it('rejects undici and value imports of activities, allows type imports', async () => {
    const bad = await lintWorkflow(
      "import { request } from 'undici';\nimport { createActivities } from '../activities/index.js';\nexport const x = [request, createActivities];\n",
    );
    expect(bad.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(2);
    const ok = await lintWorkflow("import type { Activities } from '../activities/index.js';\nexport type X = Activities;\n");
    expect(ok.filter((m) => m.startsWith('no-restricted-imports'))).toEqual([]);
  });

  it('holds the failure vocabulary, which workflows import, to the same rules', async () => {
    const [result] = await eslint.lintText("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", { filePath: 'src/failures/lint-probe.ts' });
    expect(result?.messages.some((m) => m.ruleId === 'no-restricted-imports' && m.message.includes('Node built-ins'))).toBe(true);
  });

  it('leaves the same import alone outside workflows', async () => {
    const [result] = await eslint.lintText("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n", {
      filePath: 'src/activities/lint-probe.ts',
    });
    expect(result?.messages.filter((m) => m.ruleId === 'no-restricted-imports')).toEqual([]);
  });

  it('keeps production code (src/) from importing the sandbox, the development harness or tests: they are not shipped', async () => {
    for (const [filePath, from] of [
      ['src/activities/lint-probe.ts', '../../sandbox/server.js'],
      ['src/activities/lint-probe.ts', '../../dev/processes.js'],
      ['src/workflows/lint-probe.ts', '../../test/support/lifecycle.js'],
    ] as const) {
      const [result] = await eslint.lintText(`import { x } from '${from}';\nexport const y = x;\n`, { filePath });
      expect(result?.messages.some((m) => m.ruleId === 'no-restricted-imports' && m.message.includes('not shipped')), `${filePath} ← ${from}`).toBe(true);
    }
  });
});

import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The layer rules of DESIGN.md are lint rules; these cases prove they bite. */
const eslint = new ESLint({ cwd: process.cwd() });

async function ruleIdsFor(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

// ESLint's first run loads the whole config (typescript-eslint included): slow on a busy machine.
describe('layer boundaries', { timeout: 60_000 }, () => {
  it.each([
    ['src/shared/x.ts', "import { readFile } from 'node:fs';\nexport const f = readFile;\n"],
    ['src/shared/x.ts', "import path from 'path';\nexport const p = path;\n"],
    ['src/shared/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    [
      'src/shared/x.ts',
      "import { Warehouse } from '../main/services/warehouse/Warehouse';\nexport const w = Warehouse;\n",
    ],
    ['src/main/services/x.ts', "import { app } from 'electron';\nexport const a = app;\n"],
    ['src/main/web/x.ts', "import { ipcMain } from 'electron';\nexport const i = ipcMain;\n"],
    ['src/renderer/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
    [
      'src/renderer/x.ts',
      "import { Workspace } from '../main/services/workspace/Workspace';\nexport const w = Workspace;\n",
    ],
    // Inside the renderer: a feature reaches another only through the workbench tier.
    [
      'src/renderer/features/query/x.ts',
      "import { ResultGrid } from '../grid/ResultGrid';\nexport const r = ResultGrid;\n",
    ],
    [
      'src/renderer/features/grid/x.ts',
      "import type { InspectorForm } from '../inspector/inspectorStore';\nexport type F = InspectorForm;\n",
    ],
    [
      'src/renderer/features/charts/x.ts',
      "import { useEChart } from '../../features/pipelines/PreviewChart';\nexport const u = useEChart;\n",
    ],
    ['src/renderer/features/lake/x.ts', "import { App } from '../../shell/App';\nexport const a = App;\n"],
    [
      'src/renderer/workbench/x.ts',
      "import { runQuery } from '../features/query/queryActions';\nexport const r = runQuery;\n",
    ],
    ['src/renderer/state/x.ts', "import { Sidebar } from '../shell/Sidebar';\nexport const s = Sidebar;\n"],
    // features/common sits under every feature; state, engine and api sit under the workbench tier.
    [
      'src/renderer/features/common/x.ts',
      "import { ResultGrid } from '../grid/ResultGrid';\nexport const r = ResultGrid;\n",
    ],
    [
      'src/renderer/features/common/x.ts',
      "import { runQuery } from '../../features/query/queryActions';\nexport const r = runQuery;\n",
    ],
    [
      'src/renderer/state/x.ts',
      "import { useTabsStore } from '../workbench/tabsStore';\nexport const t = useTabsStore;\n",
    ],
    ['src/renderer/engine/x.ts', "import { request } from '../workbench/intents';\nexport const r = request;\n"],
    ['src/renderer/api/x.ts', "import { providePart } from '../workbench/parts';\nexport const p = providePart;\n"],
    ['src/renderer/features/query/x.ts', "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n"],
  ])('refuses the import in %s', async (filePath, code) => {
    expect(await ruleIdsFor(filePath, code)).toContain('no-restricted-imports');
  });

  it('refuses DOM and Node globals in src/shared', async () => {
    expect(await ruleIdsFor('src/shared/x.ts', 'export const href = () => window.location.href;\n')).toContain(
      'no-restricted-globals',
    );
    expect(await ruleIdsFor('src/shared/x.ts', 'export const env = () => process.env.HOME;\n')).toContain(
      'no-restricted-globals',
    );
  });

  it('allows what each layer may use', async () => {
    expect(
      await ruleIdsFor('src/main/electron/x.ts', "import { app } from 'electron';\nexport const a = app;\n"),
    ).toEqual([]);
    expect(
      await ruleIdsFor('src/main/services/x.ts', "import { join } from 'node:path';\nexport const j = join;\n"),
    ).toEqual([]);
    expect(
      await ruleIdsFor('src/renderer/x.ts', "import { api } from '../shared/api/contract';\nexport const a = api;\n"),
    ).toEqual([]);
    // A feature may use itself, the workbench tier, common UI pieces and what lies below.
    for (const code of [
      "import { runQuery } from './queryActions';\nexport const r = runQuery;\n",
      "import { request } from '../../workbench/intents';\nexport const r = request;\n",
      "import { ErrorPanel } from '../common/ErrorPanel';\nexport const e = ErrorPanel;\n",
      "import { getEngine } from '../../engine/engineStore';\nexport const g = getEngine;\n",
      "import { quoteIdent } from '../../../shared/sql';\nexport const q = quoteIdent;\n",
    ]) {
      expect(await ruleIdsFor('src/renderer/features/query/x.ts', code)).toEqual([]);
    }
    // Common pieces use the tiers below and each other; the workbench tier uses state, engine and api.
    for (const code of [
      "import { useWorkspaceStore } from '../../state/workspaceStore';\nexport const w = useWorkspaceStore;\n",
      "import { request } from '../../workbench/intents';\nexport const r = request;\n",
      "import { Menu } from './Menu';\nexport const m = Menu;\n",
    ]) {
      expect(await ruleIdsFor('src/renderer/features/common/x.ts', code)).toEqual([]);
    }
    expect(
      await ruleIdsFor(
        'src/renderer/workbench/x.ts',
        "import { getEngine } from '../engine/engineStore';\nexport const g = getEngine;\n",
      ),
    ).toEqual([]);
    // The shell composes the features.
    expect(
      await ruleIdsFor(
        'src/renderer/shell/x.ts',
        "import { contributeQuery } from '../features/query/contributions';\nexport const c = contributeQuery;\n",
      ),
    ).toEqual([]);
  });
});

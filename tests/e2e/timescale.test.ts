/**
 * The workbench against a real TimescaleDB (Debian's 2.19, the extension in its
 * own schema off the search_path), connected as the read-only role the data
 * contract documents: the Server section says so and shows the chunks, the sync
 * dialog's estimate is within 25% of the true count, and the push plan —
 * checked as the documented pushing role — shows the chunks and what that role
 * may do; the push lands.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { ConnectionProfiles } from '../../src/main/services/connections/ConnectionProfiles';
import { generateDemoLake } from '../../src/main/services/demo/DemoLake';
import { seedDemoServer } from '../../src/main/services/demo/DemoMetrics';
import { openEncryptedFileSecretStore } from '../../src/main/services/secrets/EncryptedFileSecretStore';
import { saveWorkspaceConfig } from '../../src/main/services/workspace/WorkspaceConfig';
import { PostgresProfile } from '../../src/shared/api/connections';
import { typeInto, typeQuery, useWorkbench, withFailureShot } from '../support/browser';
import { createDocumentedRoles, type RoleLogin } from '../support/contractRoles';
import { createTimescaleDatabase, describeTimescale } from '../support/timescale';

describeTimescale('the workbench on a TimescaleDB cluster', () => {
  let dir: string | undefined;
  let admin: pg.Client | undefined;
  let pusher: RoleLogin;

  /** A workspace over the tiny demo lake whose server is the TimescaleDB, seeded with the lake's metrics. */
  const workbench = useWorkbench({
    workspace: async () => {
      dir = await mkdtemp(join(tmpdir(), 'dash-e2e-timescale-'));
      const lakeDir = join(dir, 'lake');
      await generateDemoLake({ dir: lakeDir, seed: 42, size: 'tiny' });
      const config = await createTimescaleDatabase('e2e', { extensionSchema: 'tsdb' });
      admin = new pg.Client(config);
      await admin.connect();
      await seedDemoServer(admin, { lakeDir });
      await admin.query('ANALYZE dash.pipeline_metrics');
      const roles = await createDocumentedRoles(admin, 'tsdb');
      pusher = roles.pusher;
      // An archive the planner believes holds 30 million rows (20 are there): a live query over all of it asks first.
      await admin.query(
        `CREATE TABLE dash.readings_archive AS SELECT g AS id, g * 0.5 AS value FROM generate_series(1, 20) g;
         GRANT SELECT ON dash.readings_archive TO "${roles.reader.user}";
         UPDATE pg_class SET reltuples = 30000000, relpages = 1 WHERE oid = 'dash.readings_archive'::regclass;`,
      );
      // As a user would save it: the profile in connections.json, the password in the shell's secret store.
      const secretsDir = join(dir, '.app-data', 'Dash Workbench');
      const secrets = await openEncryptedFileSecretStore({
        file: join(secretsDir, 'secrets.json'),
        keyFile: join(secretsDir, 'secrets.key'),
      });
      const profile = PostgresProfile.parse({
        kind: 'postgres',
        id: 'cluster',
        name: 'Dash cluster',
        host: config.host,
        port: config.port,
        database: config.database,
        user: roles.reader.user,
        sslmode: 'disable',
      });
      await new ConnectionProfiles(dir, secrets).save(profile, roles.reader.password);
      await saveWorkspaceConfig(dir, {
        version: 1,
        name: 'TimescaleDB cluster',
        demo: null,
        timeZone: 'UTC',
        lake: { driver: 'folder', path: 'lake' },
        cacheQuotaBytes: 1024 ** 3,
        postgres: { kind: 'connection', connectionId: 'cluster' },
        cacheDir: 'cache',
      });
      return dir;
    },
  });

  afterAll(async () => {
    await admin?.end();
  });

  it('shows the cluster, estimates a sync within 25%, and plans and pushes as the documented roles', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'timescale',
      consoleErrors: { except: 'status of 4' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      const server = page.getByTestId('sidebar-server');
      await expect
        .poll(() => server.getByTestId('server-mode').textContent(), { timeout: 60_000 })
        .toMatch(/^TimescaleDB 2\.\d+/);
      expect(await server.locator('.server-mode-line').textContent()).toContain('TimescaleDB in schema tsdb');
      expect(await server.getByTestId('server-notice').count()).toBe(0);
      const metrics = server.locator('[data-testid="server-relation"][data-name="dash.pipeline_metrics"]');
      await metrics.scrollIntoViewIfNeeded();
      await metrics.click();
      const chunks = server.getByTestId('server-chunks');
      await chunks.waitFor({ timeout: 30_000 });
      await shot('server');

      // The sync estimate, against the true count.
      const { rows: truth } = await admin!.query<{ n: string }>(
        "SELECT count(*)::text AS n FROM dash.pipeline_metrics WHERE pipeline_id = 'energy_meters'",
      );
      await page.getByTestId('open-sync').click();
      const dialog = page.getByTestId('sync-dialog');
      await dialog.waitFor();
      const estimate = dialog.locator('[data-testid="sync-estimate"] [data-rows]');
      await estimate.waitFor({ timeout: 30_000 });
      expect(await estimate.getAttribute('data-method')).toBe('timescaledb-chunks');
      expect(await dialog.getByTestId('sync-estimate-note').textContent()).toMatch(
        /TimescaleDB: \d+ chunks? in the range/,
      );
      const estimated = Number(await estimate.getAttribute('data-rows'));
      expect(Math.abs(estimated - Number(truth[0]!.n)) / Number(truth[0]!.n)).toBeLessThan(0.25);
      await shot('sync-estimate');
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });

      // A changed formula, previewed against the cluster's metrics, then the push plan.
      await page.locator('[data-testid="pipeline"][data-pipeline="temperature_sensors"]').click({ timeout: 60_000 });
      await page.locator('[data-testid="metric"][data-metric="temperature_c"]').waitFor({ timeout: 30_000 });
      await page.getByTestId('reprocessing-panel').scrollIntoViewIfNeeded();
      await expect.poll(() => page.getByTestId('rp-start').inputValue(), { timeout: 30_000 }).toMatch(/^\d{4}-/);
      const formula = '[data-testid="metric"][data-metric="temperature_c"] [data-testid="metric-formula"]';
      await typeInto(page, formula, 'temperature_c + 1');
      await expect.poll(() => page.locator('.squiggly-error').count()).toBe(0);
      await page.getByTestId('rp-preview').click();
      await page.getByTestId('rp-total-changed').waitFor({ timeout: 60_000 });
      await page.getByTestId('rp-review-push').click();
      const plan = page.getByTestId('push-plan-dialog');
      await plan.getByTestId('push-plan-summary').waitFor({ timeout: 30_000 });
      expect(await plan.getByTestId('push-mode').textContent()).toBe('TimescaleDB');
      expect(await plan.getByTestId('push-plan-chunks').textContent()).toMatch(
        /^\d+ chunks? touched \(\d+ uncompressed\)/,
      );
      // Checked as the exploration role first: it may not push, and the plan says which grants it lacks.
      await plan.getByTestId('push-plan-grants').waitFor();
      await plan.getByTestId('rp-write-user').fill(pusher.user);
      await plan.getByTestId('rp-write-password').fill(pusher.password);
      await plan.getByTestId('push-plan-check').click();
      await expect
        .poll(() => plan.getByTestId('push-plan-checked-as').textContent(), { timeout: 30_000 })
        .toContain(`Checked as ${pusher.user} (the write user)`);
      expect(await plan.getByTestId('push-plan-grants').count()).toBe(0);
      await shot('plan');

      await plan.getByTestId('push-run').click();
      const result = plan.getByTestId('push-result');
      await result.waitFor({ timeout: 60_000 });
      expect(await result.textContent()).toMatch(
        /^Pushed: values [1-9][\d,]* changed, [\d,]+ added, [\d,]+ removed, [\d,]+ unchanged \([\d,]+ rows replaced by [\d,]+\); the pipeline is at version 2/,
      );
      await shot('pushed');
      const { rows: audit } = await admin!.query<{ pushed_by: string }>('SELECT pushed_by FROM dash.metric_pushes');
      expect(audit).toEqual([{ pushed_by: pusher.user }]);
      expect(problems).toEqual([]);
    });
  });

  it('asks before a live query that would read 30 million rows, and runs it when told to', async () => {
    const opened = await workbench.openPage({
      screenshotPrefix: 'timescale-heavy',
      // The refusal answers 422 on purpose.
      consoleErrors: { except: 'status of 422' },
    });
    const { page, problems, shot } = opened;
    await withFailureShot(opened, async () => {
      const server = page.getByTestId('sidebar-server');
      const archive = server.locator('[data-testid="server-relation"][data-name="dash.readings_archive"]');
      await archive.waitFor({ timeout: 60_000 });
      await archive.scrollIntoViewIfNeeded();
      await archive.click();
      await server.getByTestId('server-open-live').first().click();
      await page.locator('[data-testid="query-target"] [data-target="server"][aria-checked="true"]').waitFor();
      const rowCount = page.getByTestId('result-rowcount');
      // "Query live" reads the first 1,000 rows: the LIMIT stops the scan early, so it runs at once.
      await page.getByTestId('run-query').click();
      await expect.poll(() => rowCount.getAttribute('data-count'), { timeout: 60_000 }).toBe('20');

      await typeQuery(page, 'SELECT count(*) AS n FROM dash.readings_archive');
      await page.getByTestId('run-query').click();
      const error = page.getByTestId('result-error');
      await expect
        .poll(() => error.textContent(), { timeout: 30_000 })
        .toMatch(
          /This query would read about 30,000,000 rows on the server .*"dash"\."readings_archive" from end to end\. Nothing was run\./,
        );
      await shot('refused');
      // "Sync data…" opens the sync dialog; Escape comes back to the refusal.
      await error.getByTestId('heavy-sync').click();
      await page.getByTestId('sync-dialog').waitFor();
      await page.keyboard.press('Escape');
      await page.getByTestId('sync-dialog').waitFor({ state: 'detached' });
      await error.getByTestId('run-anyway').click();
      await expect.poll(() => rowCount.getAttribute('data-count'), { timeout: 60_000 }).toBe('1');
      expect(await page.getByTestId('result-row').first().textContent()).toContain('20');
      expect(await error.count()).toBe(0);
      expect(problems, problems.join('\n')).toEqual([]);
    });
    await opened.close();
  });
});

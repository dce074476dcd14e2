/**
 * The connection editor with secrets bound to their target: a saved password
 * is kept while the host stays, asked for again once the host is edited, and
 * stored again (for the new host) when typed.
 */
import { describe, expect, it } from 'vitest';
import { useWorkbench, withFailureShot, type WorkbenchPage } from '../support/browser';

describe('connection editor: a password is bound to its host', () => {
  const workbench = useWorkbench();

  it("lists the demo's PostgreSQL and lake as in use, not deletable, above the user's own", async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'connections-in-use' });
    await withFailureShot(opened, async () => {
      const { page, shot } = opened;
      const status = await workbench.api<{ postgres: { port: number } }>('workspace.status', {});
      // The sidebar names them as the dialog does.
      const sidebar = page.getByTestId('workspace-status');
      await expect.poll(() => sidebar.getByTestId('active-postgres').textContent()).toContain('Demo PostgreSQL');
      await expect.poll(() => sidebar.getByTestId('active-lake').textContent()).toContain('Demo lake');

      await page.getByTestId('manage-connections').click();
      const dialog = page.getByTestId('connection-dialog');
      await dialog.waitFor();
      const active = dialog.getByTestId('active-connection');
      const text = async (i: number) => (await active.nth(i).innerText()).replace(/\s+/g, ' ').trim();
      await expect.poll(() => active.count()).toBe(2);
      expect(await text(0)).toBe(
        `PostgreSQL Demo PostgreSQL (embedded, 127.0.0.1:${status.postgres.port}/dash) — in use`,
      );
      expect(await text(1)).toBe('Folder Demo lake (folder lake/) — in use');
      expect(await dialog.textContent()).not.toContain('No connections yet');
      expect(await dialog.getByTestId('no-own-connections').textContent()).toMatch(/No connections of your own yet/);

      // The demo's own: what it is, and no Delete.
      await active.nth(0).click();
      const info = dialog.getByTestId('active-connection-info');
      await expect.poll(() => info.getAttribute('data-id')).toBe('postgres');
      expect(await info.textContent()).toMatch(/cannot be edited or deleted/);
      expect(await dialog.getByTestId('delete-connection').count()).toBe(0);
      await active.nth(1).click();
      await expect.poll(() => info.getAttribute('data-id')).toBe('lake');
      expect(await dialog.getByTestId('delete-connection').count()).toBe(0);
      await shot();
    });
    await opened.close();
  });

  it('asks for the password again after the host changed, and stores the new one', async () => {
    const opened = await workbench.openPage({ screenshotPrefix: 'connection-secrets' });
    await withFailureShot(opened, () => flow(opened));
  });

  async function flow({ page, shot }: WorkbenchPage): Promise<void> {
    await page.getByTestId('manage-connections').click();
    await page.getByTestId('connection-dialog').waitFor();
    await page.getByTestId('add-postgres').click();
    await page.getByTestId('field-name').fill('Metrics cluster');
    await page.getByTestId('field-host').fill('db.example.com');
    await page.getByTestId('field-database').fill('dash');
    await page.getByTestId('field-user').fill('reader');
    await page.getByTestId('field-secret').fill('first-password');
    await page.getByTestId('save-connection').click();
    const row = page.locator('[data-testid="connection-row"][data-id="metrics-cluster"]');
    await row.getByTestId('secret-stored').waitFor();
    const placeholder = () => page.getByTestId('field-secret').getAttribute('placeholder');
    await expect.poll(placeholder).toBe('stored — leave empty to keep');
    const secretHint = page.locator('[data-field="secret"] .form-hint');

    // Renaming keeps the password; editing the host does not.
    await page.getByTestId('field-name').fill('Metrics cluster (EU)');
    await expect.poll(placeholder).toBe('stored — leave empty to keep');
    await page.getByTestId('field-host').fill('db-eu.example.com');
    await expect.poll(placeholder).toBe('');
    await expect.poll(() => secretHint.textContent()).toMatch(/host, port, user or database changed/);

    // Saved without typing it: the row says the password is needed, and why.
    await page.getByTestId('save-connection').click();
    await row.getByTestId('secret-needed').waitFor();
    expect(await row.getByTestId('secret-needed').textContent()).toBe('password needed');
    expect(await row.getByTestId('secret-needed').getAttribute('title')).toMatch(
      /changed since its password was saved/,
    );
    await expect.poll(() => secretHint.textContent()).toMatch(/changed since its password was saved/);
    await shot('1-password-needed');

    // Typed again: stored for the new host.
    await page.getByTestId('field-secret').fill('second-password');
    await page.getByTestId('save-connection').click();
    await row.getByTestId('secret-stored').waitFor();
    await expect.poll(placeholder).toBe('stored — leave empty to keep');
    await shot('2-password-stored');
  }
});

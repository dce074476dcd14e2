/**
 * The workspace's connection profiles, kept in `connections.json` beside
 * workspace.json — a plain file that can live in git, so it holds no secret.
 * Secrets go to the SecretStore bound to this workspace's real path and the
 * profile's target (see BoundSecrets): a profile id alone unlocks nothing.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { ConnectionProfile, secretTarget, type ConnectionProfileView } from '../../../shared/api/connections';
import { WorkbenchError } from '../../../shared/errors';
import type { SecretStore } from '../secrets/SecretStore';
import { realPathOf } from '../workspace/insidePath';
import { BoundSecrets, type BoundSecret, type SecretBinding } from '../secrets/BoundSecrets';
import { readJsonFile, writeJsonFile } from '../jsonFile';

const ProfilesFile = z.object({ version: z.literal(1), profiles: z.array(ConnectionProfile) });

export const CONNECTIONS_FILE = 'connections.json';

function secretName(profileId: string): string {
  return `connection:${profileId}`;
}

/** The secret to use for a profile, or null with the reason a saved one is not used. */
export interface SavedSecret {
  secret: string | null;
  /** Why a saved secret is not used, in words for the user; null when there is none or it is used. */
  note: string | null;
}

/** Why a saved secret is not used, or null. */
function secretNote(found: BoundSecret, profile: ConnectionProfile): string | null {
  const what = profile.kind === 'postgres' ? 'password' : 'secret access key';
  switch (found.state) {
    case 'stored':
    case 'none':
      return null;
    case 'target_changed':
      return profile.kind === 'postgres'
        ? `The host, port, user or database of "${profile.name}" changed since its password was saved, so the saved password is not sent: enter it again in Connections.`
        : `The bucket, endpoint, region or access key id of "${profile.name}" changed since its secret access key was saved, so the saved key is not sent: enter it again in Connections.`;
    case 'unbound':
      return `The ${what} of "${profile.name}" was saved by an earlier version, before secrets were tied to their workspace and server, so it is not used: enter it again in Connections.`;
    case 'unreadable':
      return `The saved ${what} of "${profile.name}" cannot be decrypted (the secrets key changed or the file was damaged): enter it again in Connections.`;
  }
}

export class ConnectionProfiles {
  private queue: Promise<unknown> = Promise.resolve();

  private readonly secrets: BoundSecrets;

  constructor(
    private readonly workspaceDir: string,
    secrets: SecretStore,
  ) {
    this.secrets = new BoundSecrets(secrets);
  }

  /** Resolved on each use: the folder may be created, or reached by a symlink, after the app started. */
  private async binding(profile: ConnectionProfile): Promise<SecretBinding> {
    return {
      workspace: await realPathOf(this.workspaceDir),
      name: secretName(profile.id),
      target: secretTarget(profile),
    };
  }

  private async view(profile: ConnectionProfile): Promise<ConnectionProfileView> {
    const found = await this.secrets.get(await this.binding(profile));
    return { profile, hasSecret: found.state === 'stored', secretNote: secretNote(found, profile) };
  }

  private get file(): string {
    return join(this.workspaceDir, CONNECTIONS_FILE);
  }

  async list(): Promise<ConnectionProfileView[]> {
    const profiles = await this.read();
    return Promise.all(profiles.map((profile) => this.view(profile)));
  }

  async get(id: string): Promise<ConnectionProfile> {
    const profile = (await this.read()).find((p) => p.id === id);
    if (!profile)
      throw new WorkbenchError(
        'not_found',
        `There is no connection "${id}"`,
        'It may have been deleted: reload the list.',
      );
    return profile;
  }

  /**
   * The saved secret for this profile as it is now (its workspace and target),
   * for the Node side only; it never goes to the renderer. A secret saved for
   * another target or workspace is not returned.
   */
  async secretFor(profile: ConnectionProfile): Promise<SavedSecret> {
    const found = await this.secrets.get(await this.binding(profile));
    return { secret: found.state === 'stored' ? found.secret : null, note: secretNote(found, profile) };
  }

  /** Adds or replaces a profile; `secret` undefined keeps the stored one, null removes it. */
  save(profile: ConnectionProfile, secret?: string | null): Promise<ConnectionProfileView> {
    return this.update(async (profiles) => {
      const index = profiles.findIndex((p) => p.id === profile.id);
      if (profiles.some((p, i) => i !== index && p.name === profile.name)) {
        throw new WorkbenchError(
          'bad_request',
          `Another connection is already called "${profile.name}"`,
          'Pick another name.',
        );
      }
      if (index >= 0) profiles[index] = profile;
      else profiles.push(profile);
      // A kept secret stays bound to the target it was saved for: after a host change it is "needed" again.
      if (secret === null) await this.secrets.delete(await realPathOf(this.workspaceDir), secretName(profile.id));
      else if (secret !== undefined) await this.secrets.set(await this.binding(profile), secret);
      return this.view(profile);
    });
  }

  /** A copy named "… (copy)", with its own copy of the secret. */
  duplicate(id: string): Promise<ConnectionProfileView> {
    return this.update(async (profiles) => {
      const original = profiles.find((p) => p.id === id);
      if (!original) throw new WorkbenchError('not_found', `There is no connection "${id}"`);
      const names = new Set(profiles.map((p) => p.name));
      let name = `${original.name} (copy)`;
      for (let n = 2; names.has(name); n++) name = `${original.name} (copy ${n})`;
      const ids = new Set(profiles.map((p) => p.id));
      let copyId = `${original.id}-copy`.slice(0, 64);
      for (let n = 2; ids.has(copyId); n++) copyId = `${original.id}-copy-${n}`.slice(0, 64);
      const copy = { ...original, id: copyId, name };
      profiles.push(copy);
      const found = await this.secrets.get(await this.binding(original));
      if (found.state === 'stored') await this.secrets.set(await this.binding(copy), found.secret);
      return this.view(copy);
    });
  }

  delete(id: string): Promise<boolean> {
    return this.update(async (profiles) => {
      const index = profiles.findIndex((p) => p.id === id);
      if (index < 0) return false;
      profiles.splice(index, 1);
      await this.secrets.delete(await realPathOf(this.workspaceDir), secretName(id));
      return true;
    });
  }

  private async read(): Promise<ConnectionProfile[]> {
    return (
      (await readJsonFile(this.file, ProfilesFile, 'connections file', { within: { root: this.workspaceDir } }))
        ?.profiles ?? []
    );
  }

  /** Serialised read-modify-write with temp + rename, so a crash never loses the file. */
  private update<T>(change: (profiles: ConnectionProfile[]) => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      const profiles = await this.read();
      const result = await change(profiles);
      await writeJsonFile(this.file, { version: 1, profiles }, { within: { root: this.workspaceDir } });
      return result;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/**
 * The workspace's connection profiles, kept in `connections.json` beside
 * workspace.json — a plain file that can live in git, so it holds no secret.
 * Secrets go to the SecretStore under the profile's id.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { ConnectionProfile, type ConnectionProfileView } from '../../../shared/api/connections';
import { WorkbenchError } from '../../../shared/errors';
import type { SecretStore } from '../secrets/SecretStore';
import { readJsonFile, writeJsonFile } from '../jsonFile';

const ProfilesFile = z.object({ version: z.literal(1), profiles: z.array(ConnectionProfile) });

export const CONNECTIONS_FILE = 'connections.json';

function secretId(profileId: string): string {
  return `connection:${profileId}`;
}

export class ConnectionProfiles {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly workspaceDir: string,
    private readonly secrets: SecretStore,
  ) {}

  private get file(): string {
    return join(this.workspaceDir, CONNECTIONS_FILE);
  }

  async list(): Promise<ConnectionProfileView[]> {
    const profiles = await this.read();
    return Promise.all(
      profiles.map(async (profile) => ({ profile, hasSecret: await this.secrets.has(secretId(profile.id)) })),
    );
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

  /** The stored secret, for the Node side only; it never goes to the renderer. */
  secretOf(id: string): Promise<string | null> {
    return this.secrets.get(secretId(id));
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
      if (secret === null) await this.secrets.delete(secretId(profile.id));
      else if (secret !== undefined) await this.secrets.set(secretId(profile.id), secret);
      return { profile, hasSecret: await this.secrets.has(secretId(profile.id)) };
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
      const secret = await this.secrets.get(secretId(id));
      if (secret !== null) await this.secrets.set(secretId(copyId), secret);
      return { profile: copy, hasSecret: secret !== null };
    });
  }

  delete(id: string): Promise<boolean> {
    return this.update(async (profiles) => {
      const index = profiles.findIndex((p) => p.id === id);
      if (index < 0) return false;
      profiles.splice(index, 1);
      await this.secrets.delete(secretId(id));
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

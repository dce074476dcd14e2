import { z } from 'zod';
import { WorkbenchError } from '../../../shared/errors';
import { readJsonFile, writeJsonFile } from '../jsonFile';

/**
 * Where connection secrets live: never in plain text, never in a workspace
 * file, never sent back to the renderer. The desktop app keeps them with
 * Electron's safeStorage (the OS keychain); the browser shell in an encrypted
 * file. Both are this interface, a plain map of names to secrets: what a
 * secret may be used for (its workspace and target) is sealed in by BoundSecrets.
 */
export interface SecretStore {
  /** What protects the secrets, for the UI ("OS keychain", "encrypted file …"). */
  readonly description: string;
  get(id: string): Promise<string | null>;
  has(id: string): Promise<boolean>;
  set(id: string, secret: string): Promise<void>;
  delete(id: string): Promise<boolean>;
}

/**
 * A SecretStore over a file of encrypted entries, given how to encrypt and
 * decrypt one value. The file holds ciphertext only, written temp + rename.
 */

const SecretsFile = z.object({ version: z.literal(1), entries: z.record(z.string(), z.string()) });

export interface Cipher {
  encrypt(plain: string): Promise<string>;
  decrypt(sealed: string): Promise<string>;
}

export class CipherFileSecretStore implements SecretStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly cipher: Cipher,
    readonly description: string,
  ) {}

  async get(id: string): Promise<string | null> {
    const sealed = (await this.read())[id];
    if (sealed === undefined) return null;
    try {
      return await this.cipher.decrypt(sealed);
    } catch {
      throw new WorkbenchError(
        'internal',
        `The stored secret for "${id}" cannot be decrypted`,
        'The secrets key changed or the file was damaged: enter the secret again.',
      );
    }
  }

  async has(id: string): Promise<boolean> {
    return (await this.read())[id] !== undefined;
  }

  set(id: string, secret: string): Promise<void> {
    return this.update(async (entries) => {
      entries[id] = await this.cipher.encrypt(secret);
    });
  }

  delete(id: string): Promise<boolean> {
    let existed = false;
    return this.update(async (entries) => {
      existed = entries[id] !== undefined;
      delete entries[id];
    }).then(() => existed);
  }

  private async read(): Promise<Record<string, string>> {
    return { ...(await readJsonFile(this.file, SecretsFile, 'secrets file'))?.entries };
  }

  /** Serialised read-modify-write, so two saves never lose one another. */
  private update(change: (entries: Record<string, string>) => Promise<void>): Promise<void> {
    const next = this.queue.then(async () => {
      const entries = await this.read();
      await change(entries);
      await writeJsonFile(this.file, { version: 1, entries }, { mode: 0o600 });
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

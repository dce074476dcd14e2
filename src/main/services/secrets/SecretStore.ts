import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { WorkbenchError } from '../../../shared/errors';

/**
 * Where connection secrets live: never in plain text, never in a workspace
 * file, never sent back to the renderer. The desktop app keeps them with
 * Electron's safeStorage (the OS keychain); the browser shell in an encrypted
 * file. Both are this interface.
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
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw err;
    }
    const parsed = SecretsFile.safeParse(JSON.parse(text));
    if (!parsed.success) throw new WorkbenchError('internal', `${this.file} is not a secrets file this app wrote`);
    return { ...parsed.data.entries };
  }

  /** Serialised read-modify-write, so two saves never lose one another. */
  private update(change: (entries: Record<string, string>) => Promise<void>): Promise<void> {
    const next = this.queue.then(async () => {
      const entries = await this.read();
      await change(entries);
      await mkdir(dirname(this.file), { recursive: true });
      const tmp = `${this.file}.tmp`;
      await writeFile(tmp, `${JSON.stringify({ version: 1, entries }, null, 2)}\n`, { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, this.file);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}

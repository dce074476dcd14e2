/**
 * Secrets tied to what they were saved for: the workspace (its real absolute
 * path) and the target they may be sent to (host, port, user, database; or
 * bucket, endpoint, region, access key id). The store is shared by every
 * workspace of the machine, and a workspace is a plain folder anyone can hand
 * over, so a name alone (a profile id) must never unlock a secret: a crafted
 * workspace reusing another's profile id with its own host would receive it.
 *
 * One way for every SecretStore (the encrypted file, Electron's safeStorage):
 * - the store key carries a hash of the workspace's real path, so another
 *   workspace does not even find the entry;
 * - the sealed value carries the workspace and the target, compared on every
 *   read, so an entry copied under another key, or a profile whose target
 *   changed since, gets nothing.
 * A secret that does not match is not returned: the caller behaves as if none
 * was saved, and says why.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SecretStore } from './SecretStore';

export type SecretTarget = Readonly<Record<string, string | number>>;

export interface SecretBinding {
  /** The workspace's real absolute path (workspace/insidePath's realPathOf). */
  workspace: string;
  /** What the secret is for inside the workspace, e.g. "connection:<profile id>". */
  name: string;
  /** Where the secret may be sent, in canonical form. */
  target: SecretTarget;
}

export type BoundSecret =
  | { state: 'stored'; secret: string }
  | { state: 'none' }
  /** Saved in this workspace under this name, for another target. */
  | { state: 'target_changed' }
  /** Saved by an earlier version under the name alone, so not known to be this workspace's or this target's. */
  | { state: 'unbound' }
  /** Cannot be decrypted (the key changed) or not a sealed binding. */
  | { state: 'unreadable' };

const Sealed = z.object({
  version: z.literal(2),
  workspace: z.string(),
  target: z.string(),
  secret: z.string(),
});

/** The same target whatever the order of its fields. */
function canonical(target: SecretTarget): string {
  return JSON.stringify(
    Object.keys(target)
      .sort()
      .map((key) => [key, target[key]]),
  );
}

function storeKey(workspace: string, name: string): string {
  const hash = createHash('sha256').update(workspace).digest('hex').slice(0, 32);
  return `${name}@${hash}`;
}

export class BoundSecrets {
  constructor(private readonly store: SecretStore) {}

  get description(): string {
    return this.store.description;
  }

  async get(binding: SecretBinding): Promise<BoundSecret> {
    const key = storeKey(binding.workspace, binding.name);
    // An entry from before binding, under the name alone, is never used; it only explains the "needed".
    if (!(await this.store.has(key))) return { state: (await this.store.has(binding.name)) ? 'unbound' : 'none' };
    let sealed: z.infer<typeof Sealed>;
    try {
      const plain = await this.store.get(key);
      if (plain === null) return { state: 'none' };
      const parsed = Sealed.safeParse(JSON.parse(plain));
      if (!parsed.success) return { state: 'unreadable' };
      sealed = parsed.data;
    } catch {
      return { state: 'unreadable' };
    }
    if (sealed.workspace !== binding.workspace) return { state: 'unreadable' };
    if (sealed.target !== canonical(binding.target)) return { state: 'target_changed' };
    return { state: 'stored', secret: sealed.secret };
  }

  async set(binding: SecretBinding, secret: string): Promise<void> {
    const sealed: z.infer<typeof Sealed> = {
      version: 2,
      workspace: binding.workspace,
      target: canonical(binding.target),
      secret,
    };
    await this.store.set(storeKey(binding.workspace, binding.name), JSON.stringify(sealed));
    // The unbound copy from an earlier version can never be used again.
    await this.store.delete(binding.name);
  }

  /** Forgets the workspace's secret of that name (and an unbound one from an earlier version). */
  async delete(workspace: string, name: string): Promise<boolean> {
    const bound = await this.store.delete(storeKey(workspace, name));
    const unbound = await this.store.delete(name);
    return bound || unbound;
  }
}

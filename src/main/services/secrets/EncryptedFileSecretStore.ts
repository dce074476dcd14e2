/**
 * The browser shell's secret store: AES-256-GCM entries in a file, with the key
 * in a separate 0600 file (created on first use) or in DASH_SECRETS_KEY
 * (64 hex characters) for machines where the key must not touch the disk.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { WorkbenchError } from '../../../shared/errors';
import { CipherFileSecretStore, type Cipher } from './SecretStore';

const KEY_BYTES = 32;
const IV_BYTES = 12;

export const SECRETS_KEY_ENV = 'DASH_SECRETS_KEY';

async function loadKey(keyFile: string, env: string | undefined): Promise<Buffer> {
  if (env !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(env)) {
      throw new WorkbenchError('bad_request', `${SECRETS_KEY_ENV} must be 64 hexadecimal characters (a 256-bit key)`);
    }
    return Buffer.from(env, 'hex');
  }
  try {
    const key = Buffer.from((await readFile(keyFile, 'utf8')).trim(), 'hex');
    if (key.length !== KEY_BYTES) throw new WorkbenchError('internal', `${keyFile} does not hold a 256-bit key`);
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const key = randomBytes(KEY_BYTES);
  await mkdir(dirname(keyFile), { recursive: true });
  // 'wx': never overwrite a key another process just created.
  await writeFile(keyFile, key.toString('hex'), { mode: 0o600, flag: 'wx' });
  await chmod(keyFile, 0o600);
  return key;
}

function aesGcm(key: Buffer): Cipher {
  return {
    async encrypt(plain) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
    },
    async decrypt(sealed) {
      const [version, iv, tag, body] = sealed.split(':');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown secret format');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}

export async function openEncryptedFileSecretStore(options: {
  file: string;
  keyFile: string;
  envKey?: string | undefined;
}): Promise<CipherFileSecretStore> {
  const key = await loadKey(options.keyFile, options.envKey);
  const where = options.envKey !== undefined ? `key from ${SECRETS_KEY_ENV}` : `key in ${options.keyFile}`;
  return new CipherFileSecretStore(options.file, aesGcm(key), `encrypted file (${where})`);
}

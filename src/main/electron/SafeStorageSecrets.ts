/**
 * The desktop app's secret store: entries sealed with Electron's safeStorage
 * (the OS keychain: Keychain, DPAPI, libsecret/kwallet). Where the OS offers no
 * keychain, the caller falls back to the encrypted-file store.
 */
import { join } from 'node:path';
import { safeStorage } from 'electron';
import { CipherFileSecretStore } from '../services/secrets/SecretStore';

export function safeStorageSecrets(userDataDir: string): CipherFileSecretStore | null {
  if (!safeStorage.isEncryptionAvailable()) return null;
  return new CipherFileSecretStore(
    join(userDataDir, 'secrets-os.json'),
    {
      encrypt: async (plain) => safeStorage.encryptString(plain).toString('base64'),
      decrypt: async (sealed) => safeStorage.decryptString(Buffer.from(sealed, 'base64')),
    },
    'OS keychain (Electron safeStorage)',
  );
}

/**
 * Protection A for the master key: the OS keychain (macOS Keychain, Windows Credential Manager, Linux
 * Secret Service) through @napi-rs/keyring — an optional dependency loaded lazily on first use; on Linux
 * pinned to the Secret Service, because the library's default falls back to the kernel keyring, which
 * forgets everything at reboot. Every call is bounded by a timeout and the probe answers false on any
 * failure, so a headless box (no D-Bus session) never hangs. Knows nothing about what the secret is.
 */
import { KEYCHAIN_OP_TIMEOUT_MS, KEYCHAIN_PROBE_TIMEOUT_MS } from './constants.ts';
import { KeychainUnavailableError } from './errors.ts';

/** What pvt needs from a keychain; the OS one by default, an in-memory one in tests. */
export interface KeychainBackend {
  /** True when the keychain answers (a probe entry can be written, read back and deleted). */
  available(): Promise<boolean>;
  store(account: string, secret: string): Promise<void>;
  /** The stored secret; KeychainUnavailableError when the keychain does not answer or has no entry. */
  load(account: string): Promise<string>;
  /** Best effort; resolves false when there was nothing to remove. */
  remove(account: string): Promise<boolean>;
}

export const KEYCHAIN_SERVICE = 'pvt';

interface AsyncEntryLike {
  setPassword(password: string, signal?: AbortSignal | null): Promise<void>;
  getPassword(signal?: AbortSignal | null): Promise<string | null>;
  deleteCredential(signal?: AbortSignal | null): Promise<boolean>;
}
interface KeyringModule {
  AsyncEntry: new (
    service: string,
    username: string,
    options?: { linux?: { store?: 'secret-service' | 'keyutils' } } | null,
  ) => AsyncEntryLike;
}

let modulePromise: Promise<KeyringModule | undefined> | undefined;
function loadKeyring(): Promise<KeyringModule | undefined> {
  modulePromise ??= import('@napi-rs/keyring').then(
    (m: unknown) => {
      const mod = (m as { default?: unknown }).default ?? m;
      return typeof (mod as Partial<KeyringModule>).AsyncEntry === 'function'
        ? (mod as KeyringModule)
        : undefined;
    },
    () => undefined,
  );
  return modulePromise;
}

async function withTimeout<T>(ms: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new KeychainUnavailableError(`no answer within ${ms} ms`));
    }, ms);
    timer.unref();
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } catch (error) {
    if (error instanceof KeychainUnavailableError) throw error;
    throw new KeychainUnavailableError((error as Error).message ?? String(error));
  } finally {
    clearTimeout(timer);
  }
}

async function entry(account: string): Promise<AsyncEntryLike> {
  const mod = await loadKeyring();
  if (!mod) throw new KeychainUnavailableError('the optional @napi-rs/keyring module is not installed');
  return new mod.AsyncEntry(KEYCHAIN_SERVICE, account, { linux: { store: 'secret-service' } });
}

/** The OS keychain. `PVT_NO_KEYCHAIN=1` turns it off (tests, servers). */
export const osKeychain: KeychainBackend = {
  async available() {
    if (process.env.PVT_NO_KEYCHAIN === '1') return false;
    // Without a session bus the Secret Service cannot answer; don't even load the addon.
    if (process.platform === 'linux' && !process.env.DBUS_SESSION_BUS_ADDRESS) return false;
    try {
      return await withTimeout(KEYCHAIN_PROBE_TIMEOUT_MS, async (signal) => {
        const e = await entry(`probe-${process.pid}`);
        await e.setPassword('probe', signal);
        const back = await e.getPassword(signal);
        await e.deleteCredential(signal);
        return back === 'probe';
      });
    } catch {
      return false;
    }
  },
  async store(account, secret) {
    await withTimeout(KEYCHAIN_OP_TIMEOUT_MS, async (signal) =>
      (await entry(account)).setPassword(secret, signal),
    );
  },
  async load(account) {
    const value = await withTimeout(KEYCHAIN_OP_TIMEOUT_MS, async (signal) =>
      (await entry(account)).getPassword(signal),
    );
    if (value === null)
      throw new KeychainUnavailableError(`the keychain has no entry ${KEYCHAIN_SERVICE}/${account}`);
    return value;
  },
  async remove(account) {
    try {
      return await withTimeout(KEYCHAIN_PROBE_TIMEOUT_MS, async (signal) =>
        (await entry(account)).deleteCredential(signal),
      );
    } catch {
      return false;
    }
  },
};

/** Whether the OS keychain answers (false on any failure, within KEYCHAIN_PROBE_TIMEOUT_MS). */
export function keychainAvailable(): Promise<boolean> {
  return osKeychain.available();
}

/** An in-memory keychain for tests and for callers that inject their own. */
export function memoryKeychain(
  o: { available?: boolean } = {},
): KeychainBackend & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  const up = o.available ?? true;
  const down = () => new KeychainUnavailableError('memory keychain is down');
  return {
    entries,
    async available() {
      return up;
    },
    async store(account, secret) {
      if (!up) throw down();
      entries.set(account, secret);
    },
    async load(account) {
      if (!up) throw down();
      const v = entries.get(account);
      if (v === undefined)
        throw new KeychainUnavailableError(`the keychain has no entry ${KEYCHAIN_SERVICE}/${account}`);
      return v;
    },
    async remove(account) {
      return entries.delete(account);
    },
  };
}

/**
 * Named errors of the storage layer, each with a stable `code` (what programs match on) and a message a
 * user can act on (what the CLI prints). Messages name files and modes, never secrets or contents.
 */
export class StoreError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class WrongPassphraseError extends StoreError {
  constructor() {
    super('WrongPassphrase', 'wrong passphrase');
  }
}

export class PassphraseRequiredError extends StoreError {
  constructor() {
    super('PassphraseRequired', 'this profile is protected by a passphrase and none was given');
  }
}

export class ProfileInUseError extends StoreError {
  /** The owner's pid, when known. */
  readonly pid: number | undefined;
  constructor(pid: number | undefined) {
    super('ProfileInUse', pid ? `profile in use by pid ${pid}` : 'profile in use by another process');
    this.pid = pid || undefined;
  }
}

export class PermissionsTooOpenError extends StoreError {
  readonly path: string;
  readonly mode: number;
  constructor(path: string, mode: number, isDir: boolean) {
    const octal = (mode & 0o777).toString(8).padStart(3, '0');
    super(
      'PermissionsTooOpen',
      `${path} is accessible by other users (mode ${octal}); fix it with: chmod ${isDir ? '700' : '600'} '${path}'`,
    );
    this.path = path;
    this.mode = mode & 0o777;
  }
}

export class CorruptDatabaseError extends StoreError {
  readonly path: string;
  constructor(path: string, detail: string, cause?: unknown) {
    super(
      'CorruptDatabase',
      `${path} is not a readable pvt database (${detail}); it was left untouched`,
      cause === undefined ? undefined : { cause },
    );
    this.path = path;
  }
}

export class ForeignDatabaseError extends StoreError {
  readonly path: string;
  constructor(path: string) {
    super(
      'ForeignDatabase',
      `${path} is an SQLite database of another program (not pvt); it was left untouched`,
    );
    this.path = path;
  }
}

export class NewerSchemaError extends StoreError {
  constructor(path: string, found: number, known: number) {
    super(
      'NewerSchema',
      `${path} has schema version ${found}, newer than this pvt knows (${known}); update pvt to open it`,
    );
  }
}

export class StoreWriteError extends StoreError {
  constructor(detail: string, cause?: unknown) {
    super(
      'StoreWriteFailed',
      `could not write to the store (${detail}); the write failed cleanly and nothing was half-written`,
      cause === undefined ? undefined : { cause },
    );
  }
}

export class StoreReadError extends StoreError {
  constructor(detail: string, cause?: unknown) {
    super(
      'StoreReadFailed',
      `could not read the store (${detail})`,
      cause === undefined ? undefined : { cause },
    );
  }
}

export class StoreClosedError extends StoreError {
  constructor() {
    super('StoreClosed', 'the profile store is closed');
  }
}

export class ProfileNotFoundError extends StoreError {
  constructor(dir: string) {
    super('ProfileNotFound', `no identity in ${dir}`);
  }
}

export class ProfileExistsError extends StoreError {
  constructor(dir: string) {
    super('ProfileExists', `an identity already exists in ${dir}; it was left untouched`);
  }
}

export class ConversationNotFoundError extends StoreError {
  constructor(id: string) {
    super('ConversationNotFound', `no conversation with id ${id}`);
  }
}

export class KeychainUnavailableError extends StoreError {
  constructor(detail: string) {
    super('KeychainUnavailable', `the OS keychain did not answer (${detail})`);
  }
}

export class KeyFileError extends StoreError {
  constructor(path: string, detail: string) {
    super('KeyFileInvalid', `${path} is not a valid pvt key file (${detail}); it was left untouched`);
  }
}

/** A sealed column value did not authenticate: wrong key, tampered bytes, or moved to another row/column. */
export class SealedValueRejectedError extends StoreError {
  constructor(table: string, column: string) {
    super(
      'SealedValueRejected',
      `a sealed value in ${table}.${column} failed authentication (wrong key, tampered, or moved)`,
    );
  }
}

export class InvalidProfileNameError extends StoreError {
  constructor(name: string) {
    super(
      'InvalidProfileName',
      `invalid profile name ${JSON.stringify(name)}: use 1–32 lowercase letters, digits, "_" or "-", starting with a letter or digit`,
    );
  }
}

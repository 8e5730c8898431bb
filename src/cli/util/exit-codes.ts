/**
 * Process exit codes of `pvt` (documented in man/pvt.1 and README.md). Knows nothing else.
 */
export const EXIT_OK = 0;
/** A runtime failure: wrong passphrase, profile in use, corrupt database, I/O error… */
export const EXIT_FAILURE = 1;
/** A usage error: unknown command or flag, missing or malformed argument. */
export const EXIT_USAGE = 2;
/** No identity yet in this profile (run `pvt init` or `pvt chat`). */
export const EXIT_NO_PROFILE = 3;
/** Interrupted by Ctrl+C / SIGINT. */
export const EXIT_INTERRUPTED = 130;

/**
 * Public surface of the PQ double ratchet (docs/protocol/ratchet.md). The app and the net layer import
 * from here only; the other files of this directory are internals. Knows nothing beyond re-exports.
 */
export { deserializeState, RATCHET_MAX_STATE_BYTES, serializeState } from './serialize.ts';
export {
  type DecryptResult,
  type EncryptResult,
  initSession,
  type RatchetOptions,
  ratchetCounters,
  ratchetDecrypt,
  ratchetEncrypt,
} from './session.ts';
export type { RatchetState } from './state.ts';
export type { SkipBudget } from './steps.ts';

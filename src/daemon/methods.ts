/**
 * The RPC method tables. `API_METHODS` lists every PvtApi command served over the socket with the kinds
 * of its parameters: adding a method to PvtApi is one line here (the compiler insists: the table must
 * name exactly the PvtApi commands, with parameter kinds that match their signatures). The server
 * dispatches and the client proxy builds its methods from this table. `CONTROL_METHODS` are the
 * daemon's own methods outside PvtApi. Knows nothing about sockets.
 */
import type { PvtApi } from '../app/api.ts';
import { BadParamsError } from './errors.ts';

/** PvtApi members that are served as request/response (events and close are handled by the transport). */
export type ApiMethod = Exclude<keyof PvtApi, 'subscribe' | 'close'>;

type BaseKind = 'string' | 'number' | 'boolean' | 'object';
export type ParamKind = BaseKind | `${BaseKind}?`;

type KindOf<T> = [T] extends [string]
  ? 'string'
  : [T] extends [number]
    ? 'number'
    : [T] extends [boolean]
      ? 'boolean'
      : [T] extends [object]
        ? 'object'
        : never;

/** The parameter kinds a signature requires: optional parameters get a "?" kind. */
type SpecFor<P extends readonly unknown[]> = {
  readonly [K in keyof P]-?: undefined extends P[K] ? `${KindOf<NonNullable<P[K]>>}?` : KindOf<P[K]>;
};

/**
 * Every PvtApi command and its parameter kinds. Params and results must be JSON values (a void result
 * travels as null); an AbortSignal in an options object stays on the client side (it aborts the wait).
 */
export const API_METHODS = {
  profile: [],
  conversations: [],
  messages: ['string', 'object?'],
  sendNote: ['string'],
  createInvite: ['object?'],
  join: ['string', 'object?'],
  pendingJoins: [],
  contacts: [],
  contact: ['string'],
  renameContact: ['string', 'string'],
  removeContact: ['string'],
  verifyContact: ['string', 'string'],
  safetyNumber: ['string'],
  send: ['string', 'string'],
  contactMessages: ['string', 'object?'],
  markRead: ['string'],
  network: [],
  setPortMapping: ['boolean'],
  mailboxes: [],
  addMailbox: ['string'],
  removeMailbox: ['string'],
  setMailboxServe: ['boolean'],
  mailboxSuggestions: [],
  setMailboxSuggest: ['boolean'],
  onion: ['string', 'object?'],
  messagePage: ['string', 'object?'],
  searchMessages: ['string', 'object'],
  uiSettings: [],
  setUiSetting: ['string', 'string'],
} as const satisfies { readonly [M in ApiMethod]: SpecFor<Parameters<PvtApi[M]>> };

/** The daemon's own methods (not part of PvtApi). */
export const CONTROL_METHODS = {
  /** Start pushing PvtEvents to this connection as `{"event": …}` frames. */
  subscribe: 'events.subscribe',
  unsubscribe: 'events.unsubscribe',
  /** DaemonStatus of the daemon. */
  status: 'daemon.status',
  /** Answer, then shut down as on SIGTERM. */
  stop: 'daemon.stop',
} as const;

/** What `daemon.status` answers. New fields may be added; clients ignore what they don't know. */
export interface DaemonStatus {
  readonly pid: number;
  readonly profile: string;
  readonly version: string;
  readonly protocol: number;
  readonly socket: string;
  readonly startedAt: number;
  readonly uptimeMs: number;
  /** Authenticated clients connected, not counting the one asking. */
  readonly clients: number;
}

export function isApiMethod(method: string): method is ApiMethod {
  return Object.hasOwn(API_METHODS, method);
}

function matches(kind: BaseKind, value: unknown): boolean {
  if (kind === 'object') return typeof value === 'object' && value !== null && !Array.isArray(value);
  return typeof value === kind;
}

/**
 * Checks untrusted params against the method's kinds and returns the argument list (JSON null for an
 * optional parameter becomes undefined). Deeper checks (ranges, lengths) are the API's own.
 */
export function checkParams(method: ApiMethod, params: unknown): unknown[] {
  const spec: readonly ParamKind[] = (API_METHODS as Readonly<Record<ApiMethod, readonly ParamKind[]>>)[
    method
  ];
  if (!Array.isArray(params)) throw new BadParamsError(method, 'params must be an array');
  if (params.length > spec.length) {
    throw new BadParamsError(method, `at most ${spec.length} parameters, got ${params.length}`);
  }
  return spec.map((kind, i) => {
    const value: unknown = params[i];
    const optional = kind.endsWith('?');
    const base = (optional ? kind.slice(0, -1) : kind) as BaseKind;
    if (value === undefined || value === null) {
      if (optional) return undefined;
      throw new BadParamsError(method, `parameter ${i + 1} is required`);
    }
    if (!matches(base, value)) throw new BadParamsError(method, `parameter ${i + 1} expected ${base}`);
    return value;
  });
}

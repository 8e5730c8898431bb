/**
 * The hand-over between the join handshake and the PQ double ratchet: everything the ratchet needs to
 * start a session, nothing about how it was agreed. Pure data; knows neither the handshake nor the ratchet.
 */

/** Initial keying for a session, as produced by a completed join handshake on one side. */
export interface SessionSeed {
  /** 'alice' sends the first ratchet message (it knows the peer's initial ratchet keys); 'bob' waits for it. */
  readonly role: 'alice' | 'bob';
  /** 32-byte shared secret: the initial root key input. */
  readonly rootKey: Uint8Array;
  /** 32-byte header key alice uses for her first sending chain (bob's first receiving header key). */
  readonly headerKeyAlice: Uint8Array;
  /** 32-byte next header key bob uses after his first DH ratchet step (alice's next receiving header key). */
  readonly nextHeaderKeyBob: Uint8Array;
  /** Bob's initial ratchet keys: alice gets the public halves, bob gets the key pairs. */
  readonly bobRatchet:
    | { readonly kind: 'remote'; readonly dhPublic: Uint8Array; readonly kemPublic: Uint8Array }
    | {
        readonly kind: 'own';
        readonly dhSecret: Uint8Array;
        readonly dhPublic: Uint8Array;
        readonly kemSeed: Uint8Array;
        readonly kemPublic: Uint8Array;
      };
  /** 32-byte transcript hash of the handshake, for binding (associated data of the session). */
  readonly associatedData: Uint8Array;
}

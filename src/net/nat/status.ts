/**
 * The NAT status a running node reports to the app and the UI: whether port mapping is off, waiting for
 * the user's consent, under way, or what it concluded, with the mapping held. Types and the "off" value only.
 */

import type { NatDiagnosis, NatVerdict } from './service.ts';

/** What the NAT diagnosis concluded (docs/nat.md). */
export type NatVerdictName = NatVerdict;

export interface NatStatus {
  /**
   * 'off': no port mapping (--no-port-mapping, the profile setting, loopback-only, or no network);
   * 'ask': the TUI is to ask once whether pvt may open a port on the router (`setPortMapping`);
   * 'checking': the diagnosis is under way; otherwise the verdict.
   */
  readonly state: 'off' | 'ask' | 'checking' | NatVerdictName;
  /** The method that holds the mapping ('pcp', 'natpmp', 'upnp'), when one is held. */
  readonly method: string | null;
  /** The public address:port contacts can dial, when a mapping is held. */
  readonly external: string | null;
  /** Epoch ms when the held mapping lapses unless renewed (it is renewed at half its lifetime). */
  readonly expiresAt: number | null;
  /** The latest complete diagnosis (methods tried, gateway, addresses), once there is one. */
  readonly diagnosis: NatDiagnosis | null;
  /** A contact relays for this node (circuit relay reservation): contacts can reach it through them. */
  readonly relayed: boolean;
  /**
   * Someone outside has connected to this node directly since the verdict (an inbound connection from a
   * public address): the mapping or public address is shown to work, not just granted.
   */
  readonly confirmed: boolean;
  /** Public IPv4 addresses peers outside the LAN said they see us at (identify), newest last. */
  readonly observed: readonly string[];
}

/** No port mapping (and no verdict). */
export const NAT_OFF: NatStatus = {
  relayed: false,
  confirmed: false,
  observed: [],
  state: 'off',
  method: null,
  external: null,
  expiresAt: null,
  diagnosis: null,
};

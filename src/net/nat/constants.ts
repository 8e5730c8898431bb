/**
 * NAT traversal constants: ports, message sizes, retransmission schedules, timeouts and lifetimes of
 * PCP (RFC 6887), NAT-PMP (RFC 6886) and UPnP IGD (units in the names). Knows nothing else.
 */

/** UDP port of PCP and NAT-PMP servers on the gateway. */
export const PCP_SERVER_PORT = 5351;
export const NATPMP_SERVER_PORT = 5351;
/** PCP version spoken (RFC 6887); NAT-PMP servers answer version 0. */
export const PCP_VERSION = 2;
/** Largest PCP message (RFC 6887 §7): anything longer is refused before parsing. */
export const PCP_MAX_MESSAGE_BYTES = 1100;
/** Size of a PCP MAP request/response without options. */
export const PCP_MAP_MESSAGE_BYTES = 60;
/** Bytes in a PCP mapping nonce (96 bits). */
export const PCP_NONCE_BYTES = 12;
/** RFC 6887 §8.1.1: initial retransmission time and its maximum. */
export const PCP_IRT_MS = 3_000;
export const PCP_MRT_MS = 1_024_000;
/** Whole PCP exchange before giving up (bounds the RFC schedule, which never gives up by itself). */
export const PCP_TIMEOUT_MS = 4_000;

/** Largest NAT-PMP message accepted. */
export const NATPMP_MAX_MESSAGE_BYTES = 1100;
/** RFC 6886 §3.1: first retransmission after 250 ms, doubling. */
export const NATPMP_FIRST_RTO_MS = 250;
/** Whole NAT-PMP exchange before giving up (RFC allows 9 tries ≈ 64 s; we bound it). */
export const NATPMP_TIMEOUT_MS = 2_000;

/** SSDP multicast group and port. */
export const SSDP_ADDRESS = '239.255.255.250';
export const SSDP_PORT = 1900;
/** Multicast TTL of M-SEARCH (stays on the LAN). */
export const SSDP_TTL = 2;
/** M-SEARCH is resent at this interval until the timeout. */
export const SSDP_RESEND_MS = 500;
/** How long to wait for an IGD to answer M-SEARCH. */
export const SSDP_TIMEOUT_MS = 1_500;
/** Largest SSDP response accepted. */
export const SSDP_MAX_MESSAGE_BYTES = 4096;
/** Largest device description or SOAP response body accepted, in bytes. */
export const UPNP_MAX_XML_BYTES = 64 * 1024;
/** Deepest XML nesting and most XML elements accepted. */
export const UPNP_MAX_XML_DEPTH = 32;
export const UPNP_MAX_XML_ELEMENTS = 4_000;
/** One HTTP request (description or SOAP) to the gateway. */
export const UPNP_HTTP_TIMEOUT_MS = 3_000;

/** Lifetime asked for every mapping, in seconds; renewed at half of what the gateway grants. */
export const MAPPING_LIFETIME_S = 7_200;
/** A granted lifetime above this is treated as hostile or broken (NAT-PMP servers grant anything). */
export const MAX_ACCEPTED_LIFETIME_S = 7 * 24 * 3_600;
/** Shortest renewal delay, whatever the granted lifetime. */
export const MIN_RENEW_DELAY_MS = 30_000;
/** After a failed renewal or diagnosis, the service tries again after this delay. */
export const RETRY_DELAY_MS = 60_000;
/** Deleting mappings on stop must not hold the shutdown longer than this. */
export const DELETE_TIMEOUT_MS = 1_500;
/** How often the running service looks for a network change (local addresses, default gateway). */
export const NETWORK_WATCH_MS = 5_000;
/** Description written on UPnP mappings. */
export const UPNP_DESCRIPTION = 'pvt';
/** Largest /proc/net/route or `route -n get default` output read. */
export const ROUTE_TABLE_MAX_BYTES = 256 * 1024;
/** File (in the profile directory) recording the current mapping, so a crash's mapping can be cleaned up. */
export const MAPPING_RECORD_FILE = 'nat-mapping.json';

/** STUN (RFC 5389) server port when none is given. */
export const STUN_DEFAULT_PORT = 3478;
/** STUN magic cookie (RFC 5389 §6). */
export const STUN_MAGIC_COOKIE = 0x2112a442;
/** STUN message header and transaction id sizes. */
export const STUN_HEADER_BYTES = 20;
export const STUN_TRANSACTION_ID_BYTES = 12;
/** Largest STUN response accepted (IPv6 minimum MTU); anything longer is refused before parsing. */
export const STUN_MAX_MESSAGE_BYTES = 1280;
/** RFC 5389 §7.2.1: initial retransmission timeout, doubled after each transmission. */
export const STUN_RTO_MS = 500;
/** Whole Binding exchange with one server before giving up (sends at 0 and 500 ms; servers run in parallel). */
export const STUN_SERVER_TIMEOUT_MS = 1_500;
/** Most STUN servers asked in one observation. */
export const STUN_MAX_SERVERS = 8;

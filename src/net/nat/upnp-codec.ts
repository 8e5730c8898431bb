/**
 * UPnP IGD codecs: SSDP M-SEARCH and its response headers, a small strict XML reader (size, depth and
 * element caps; no DOCTYPE, no unknown entities), the device description's WAN connection service
 * (WANIPConnection:2, :1 or WANPPPConnection:1 — control URL on the description's own host), and SOAP
 * requests and responses (results or UPnPError faults). Pure.
 */
import {
  SSDP_ADDRESS,
  SSDP_MAX_MESSAGE_BYTES,
  SSDP_PORT,
  UPNP_MAX_XML_BYTES,
  UPNP_MAX_XML_DEPTH,
  UPNP_MAX_XML_ELEMENTS,
} from './constants.ts';
import { NatMalformedError, UpnpNotFoundError, UpnpSoapError } from './errors.ts';

export const IGD_SEARCH_TARGETS = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
] as const;

/** WAN services we can drive, best first. */
export const WAN_SERVICES = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
] as const;

export function encodeMSearch(st: string): Uint8Array {
  return new TextEncoder().encode(
    `M-SEARCH * HTTP/1.1\r\nHOST: ${SSDP_ADDRESS}:${SSDP_PORT}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ${st}\r\n\r\n`,
  );
}

export interface SsdpResponse {
  readonly location: URL;
  readonly st: string;
  readonly usn: string;
  readonly server: string;
}

/** Parses an SSDP search response; NatMalformedError unless it is a 200 naming an IGD with an http LOCATION. */
export function decodeSsdpResponse(data: Uint8Array): SsdpResponse {
  if (data.length > SSDP_MAX_MESSAGE_BYTES) throw new NatMalformedError('SSDP', `${data.length} bytes`);
  const text = new TextDecoder('latin1').decode(data);
  const lines = text.split('\r\n');
  if (!/^HTTP\/1\.[01] 200\b/.test(lines[0] ?? '')) throw new NatMalformedError('SSDP', 'not a 200 response');
  const h = new Map<string, string>();
  for (const line of lines.slice(1)) {
    if (line === '') break;
    const i = line.indexOf(':');
    if (i <= 0) throw new NatMalformedError('SSDP', 'bad header line');
    h.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const st = h.get('st') ?? '';
  if (!st.includes('InternetGatewayDevice')) throw new NatMalformedError('SSDP', 'not an IGD');
  let location: URL;
  try {
    location = new URL(h.get('location') ?? '');
  } catch {
    throw new NatMalformedError('SSDP', 'bad LOCATION');
  }
  if (location.protocol !== 'http:') throw new NatMalformedError('SSDP', 'LOCATION is not http');
  return { location, st, usn: h.get('usn') ?? '', server: h.get('server') ?? '' };
}

// ── XML ──

export interface XmlElement {
  /** Local name (namespace prefix dropped). */
  readonly name: string;
  readonly children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&([^;&\s]{1,10});/g, (_m, e: string) => {
    if (e in ENTITIES) return ENTITIES[e] as string;
    const n = e.startsWith('#x')
      ? Number.parseInt(e.slice(2), 16)
      : e.startsWith('#')
        ? Number(e.slice(1))
        : Number.NaN;
    if (!Number.isInteger(n) || n <= 0 || n > 0x10ffff) throw new NatMalformedError('XML', 'unknown entity');
    return String.fromCodePoint(n);
  });
}

function localName(tag: string): string {
  const i = tag.indexOf(':');
  return i >= 0 ? tag.slice(i + 1) : tag;
}

/** Parses `text` into an element tree (attributes ignored). NatMalformedError on anything unexpected. */
export function parseXml(text: string): XmlElement {
  if (text.length > UPNP_MAX_XML_BYTES) throw new NatMalformedError('XML', `${text.length} bytes`);
  const root: XmlElement = { name: '#document', children: [], text: '' };
  const stack: XmlElement[] = [root];
  let elements = 0;
  let i = 0;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const chunk = lt < 0 ? text.slice(i) : text.slice(i, lt);
    if (chunk.trim() !== '') (stack[stack.length - 1] as XmlElement).text += decodeEntities(chunk);
    if (lt < 0) break;
    if (text.startsWith('<!--', lt)) {
      const end = text.indexOf('-->', lt + 4);
      if (end < 0) throw new NatMalformedError('XML', 'unterminated comment');
      i = end + 3;
      continue;
    }
    if (text.startsWith('<![CDATA[', lt)) {
      const end = text.indexOf(']]>', lt + 9);
      if (end < 0) throw new NatMalformedError('XML', 'unterminated CDATA');
      (stack[stack.length - 1] as XmlElement).text += text.slice(lt + 9, end);
      i = end + 3;
      continue;
    }
    if (text.startsWith('<!', lt)) throw new NatMalformedError('XML', 'DOCTYPE or declaration');
    const gt = text.indexOf('>', lt + 1);
    if (gt < 0) throw new NatMalformedError('XML', 'unterminated tag');
    const tag = text.slice(lt + 1, gt);
    i = gt + 1;
    if (tag.startsWith('?')) continue;
    if (tag.startsWith('/')) {
      const name = localName(tag.slice(1).trim());
      const top = stack.pop();
      if (!top || top === root || top.name !== name) throw new NatMalformedError('XML', 'mismatched end tag');
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const m = /^([A-Za-z_][\w.:-]*)/.exec(tag);
    if (!m?.[1]) throw new NatMalformedError('XML', 'bad tag');
    if (++elements > UPNP_MAX_XML_ELEMENTS) throw new NatMalformedError('XML', 'too many elements');
    const el: XmlElement = { name: localName(m[1]), children: [], text: '' };
    (stack[stack.length - 1] as XmlElement).children.push(el);
    if (!selfClosing) {
      stack.push(el);
      if (stack.length > UPNP_MAX_XML_DEPTH) throw new NatMalformedError('XML', 'too deep');
    }
  }
  if (stack.length !== 1) throw new NatMalformedError('XML', 'unclosed element');
  if (root.children.length !== 1) throw new NatMalformedError('XML', 'not one root element');
  return root.children[0] as XmlElement;
}

function* walk(el: XmlElement): Generator<XmlElement> {
  yield el;
  for (const c of el.children) yield* walk(c);
}

function childText(el: XmlElement, name: string): string | undefined {
  return el.children.find((c) => c.name === name)?.text.trim();
}

export interface WanService {
  readonly serviceType: string;
  readonly controlUrl: URL;
  /** 1 or 2, from the service type. */
  readonly version: number;
}

/** The best WAN connection service in a device description fetched from `location`. */
export function decodeIgdDescription(xml: string, location: URL): WanService {
  const root = parseXml(xml);
  let base = location;
  const urlBase = root.children.find((c) => c.name === 'URLBase')?.text.trim();
  if (urlBase) {
    try {
      base = new URL(urlBase);
    } catch {
      throw new NatMalformedError('IGD', 'bad URLBase');
    }
  }
  const found = new Map<string, string>();
  for (const el of walk(root)) {
    if (el.name !== 'service') continue;
    const type = childText(el, 'serviceType') ?? '';
    const control = childText(el, 'controlURL');
    if ((WAN_SERVICES as readonly string[]).includes(type) && control && !found.has(type))
      found.set(type, control);
  }
  for (const type of WAN_SERVICES) {
    const control = found.get(type);
    if (control === undefined) continue;
    let url: URL;
    try {
      url = new URL(control, base);
    } catch {
      throw new NatMalformedError('IGD', 'bad controlURL');
    }
    // Only the device that described itself is spoken to (no requests sent elsewhere on its word).
    if (url.protocol !== 'http:' || url.hostname !== location.hostname) {
      throw new NatMalformedError('IGD', 'controlURL points to another host');
    }
    return { serviceType: type, controlUrl: url, version: Number(type.slice(-1)) };
  }
  throw new UpnpNotFoundError('no WANIPConnection or WANPPPConnection service in the description');
}

function escapeXml(s: string): string {
  return s.replace(
    /[<>&"']/g,
    (c) => `&${({ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' } as const)[c as '<']};`,
  );
}

export function encodeSoapRequest(
  serviceType: string,
  action: string,
  args: readonly (readonly [string, string | number])[],
): string {
  const params = args.map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`).join('');
  return (
    '<?xml version="1.0"?>\r\n<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>' +
    `<u:${action} xmlns:u="${escapeXml(serviceType)}">${params}</u:${action}></s:Body></s:Envelope>\r\n`
  );
}

/**
 * Decodes a SOAP answer: the `<action>Response` arguments on HTTP 200, UpnpSoapError for a UPnPError
 * fault (or another status), NatMalformedError for anything unparsable.
 */
export function decodeSoapResponse(action: string, status: number, body: string): Record<string, string> {
  const root = parseXml(body);
  if (root.name !== 'Envelope') throw new NatMalformedError('SOAP', 'no Envelope');
  let code: number | undefined;
  let description = '';
  for (const el of walk(root)) {
    if (el.name === 'errorCode') {
      const n = Number(el.text.trim());
      if (!Number.isInteger(n) || n < 0 || n > 9999) throw new NatMalformedError('SOAP', 'bad errorCode');
      code = n;
    } else if (el.name === 'errorDescription') description = el.text.trim();
  }
  if (code !== undefined) throw new UpnpSoapError(action, code, description);
  if (status !== 200) throw new UpnpSoapError(action, status, `HTTP ${status}`);
  for (const el of walk(root)) {
    if (el.name === `${action}Response`) {
      const out: Record<string, string> = {};
      for (const c of el.children) out[c.name] = c.text.trim();
      return out;
    }
  }
  throw new NatMalformedError('SOAP', `no ${action}Response`);
}

/**
 * What a submitted composer entry means: text to send (a note to self or a message to the contact on
 * screen), a slash command with its arguments, a usage mistake, or nothing (blank). "//text" sends
 * "/text" literally. Also resolves `/rename OLD NEW` against the known contact names (names may contain
 * spaces). Pure; the main screen acts on the result. Must not know about Ink or the PvtApi.
 */
import { parseDuration } from './format/duration.ts';

export type Submission =
  | { readonly kind: 'blank' }
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'quit' }
  | { readonly kind: 'invite'; readonly expiresInMs: number }
  | { readonly kind: 'join'; readonly code: string; readonly alias: string | null }
  | { readonly kind: 'verify'; readonly name: string }
  | { readonly kind: 'contacts' }
  /** OLD and NEW are split later, against the contact names (`splitRename`). */
  | { readonly kind: 'rename'; readonly args: string }
  | { readonly kind: 'remove'; readonly name: string }
  /** `/nat` shows reachability; `/nat on|off` allows or forbids port mapping (remembered). */
  | { readonly kind: 'nat'; readonly set: boolean | null }
  /** `/relay on|off`: relay onion circuits for others (remembered, as `pvt relay on|off`). */
  | { readonly kind: 'relay'; readonly set: boolean }
  /** `/mailbox` lists the mailboxes the user could add; `/mailbox add N` adds the N-th (1-based). */
  | { readonly kind: 'mailbox'; readonly add: number | null }
  /** `/search TEXT`: the newest message above the view containing TEXT. */
  | { readonly kind: 'search'; readonly text: string }
  /** `/set` lists the settings; `/set KEY VALUE` changes one (stored in the profile). */
  | { readonly kind: 'set'; readonly key: string | null; readonly value: string | null }
  /** A known command used wrongly: the message says how to use it. */
  | { readonly kind: 'usage'; readonly message: string }
  | { readonly kind: 'unknown'; readonly name: string };

export interface CommandHelp {
  readonly usage: string;
  readonly action: string;
}

/** Default lifetime of an invite made with `/invite` (as `pvt invite`). */
export const DEFAULT_INVITE_EXPIRY = '24h';

/** Listed by the help overlay; only commands that exist. Short, so two columns fit 80 cells. */
export const COMMANDS: readonly CommandHelp[] = [
  { usage: '/invite [24h]', action: 'show an invite' },
  { usage: '/join CODE [as NAME]', action: 'join with a code' },
  { usage: '/verify NAME', action: 'safety number' },
  { usage: '/contacts', action: 'list contacts' },
  { usage: '/rename OLD NEW', action: 'rename a contact' },
  { usage: '/remove NAME', action: 'remove a contact' },
  { usage: '/nat [on|off]', action: 'reachability' },
  { usage: '/relay on|off', action: 'relay circuits' },
  { usage: '/search TEXT', action: 'find in the chat' },
  { usage: '/set [KEY VALUE]', action: 'settings:' },
  { usage: '/help', action: 'this help' },
  { usage: '/quit', action: 'quit (also /exit)' },
  { usage: '//text', action: 'send "/text"' },
  { usage: '/mailbox [add N]', action: 'mailboxes' },
  // The settings /set (and pvt config set) takes; stored in the profile.
  { usage: 'bell on|off', action: '/set: the bell' },
  { usage: 'notifications on|off', action: '/set: desktop' },
  { usage: 'notify-text on|off', action: '/set: text in it' },
  { usage: 'theme dark|light', action: '/set (no-colour)' },
  { usage: 'time 24h|12h', action: '/set: the clock' },
];

const USAGE: Readonly<Record<string, string>> = {
  join: '/join CODE [as NAME]',
  verify: '/verify NAME',
  rename: '/rename OLD NEW',
  remove: '/remove NAME',
  nat: '/nat [on|off]',
  relay: '/relay on|off',
  mailbox: '/mailbox [add N]',
  search: '/search TEXT',
  set: '/set KEY VALUE',
};

const usage = (name: string, problem: string): Submission => ({
  kind: 'usage',
  message: `${problem} — usage: ${USAGE[name] ?? `/${name}`}`,
});

/** A name argument: the rest of the line, without surrounding quotes. */
function nameArg(args: string): string {
  const t = args.trim();
  const quoted = /^"(.*)"$/su.exec(t) ?? /^'(.*)'$/su.exec(t);
  return (quoted ? quoted[1]! : t).trim();
}

function parseJoin(args: string): Submission {
  const flat = args.replace(/\s+/gu, ' ').trim();
  if (flat === '') return usage('join', 'missing the invite code');
  const alias = /(?:^| )as (.+)$/iu.exec(flat);
  const code = alias ? flat.slice(0, alias.index).trim() : flat;
  if (code === '') return usage('join', 'missing the invite code');
  const name = alias ? nameArg(alias[1]!) : null;
  if (name === '') return usage('join', 'missing the name after "as"');
  return { kind: 'join', code, alias: name };
}

export function parseSubmission(raw: string): Submission {
  if (raw.trim() === '') return { kind: 'blank' };
  const text = raw.replace(/\s+$/u, '');
  const first = text.trimStart();
  if (first.startsWith('//')) return { kind: 'text', text: text.replace('//', '/') };
  if (!first.startsWith('/')) return { kind: 'text', text };
  const name = (first.slice(1).split(/\s+/u)[0] ?? '').toLowerCase();
  const args = first.slice(1 + name.length);
  // A pasted invite code may span lines; any other multi-line entry is text (e.g. "/etc/hosts\n…").
  if (first.includes('\n') && name !== 'join') return { kind: 'text', text };
  switch (name) {
    case 'help':
    case '?':
      return { kind: 'help' };
    case 'quit':
    case 'exit':
    case 'q':
      return { kind: 'quit' };
    case 'invite': {
      const arg = args.trim();
      const parsed = parseDuration(arg === '' ? DEFAULT_INVITE_EXPIRY : arg);
      if (parsed.ok) return { kind: 'invite', expiresInMs: parsed.ms };
      return { kind: 'usage', message: `/invite takes a duration like 30m, 24h or 7d, not "${arg}"` };
    }
    case 'join':
      return parseJoin(args);
    case 'contacts':
      return { kind: 'contacts' };
    case 'verify':
    case 'remove': {
      const n = nameArg(args);
      return n === '' ? usage(name, 'missing the contact name') : { kind: name, name: n };
    }
    case 'nat': {
      const arg = args.trim().toLowerCase();
      if (arg === '') return { kind: 'nat', set: null };
      if (arg === 'on' || arg === 'off') return { kind: 'nat', set: arg === 'on' };
      return usage('nat', `"${args.trim()}" is neither on nor off`);
    }
    case 'relay': {
      const arg = args.trim().toLowerCase();
      if (arg === 'on' || arg === 'off') return { kind: 'relay', set: arg === 'on' };
      return usage('relay', arg === '' ? 'say on or off' : `"${args.trim()}" is neither on nor off`);
    }
    case 'mailbox':
    case 'mailboxes': {
      const parts = args
        .trim()
        .toLowerCase()
        .split(/\s+/u)
        .filter((p) => p !== '');
      if (parts.length === 0) return { kind: 'mailbox', add: null };
      if (parts[0] === 'add' && parts.length === 2 && /^[1-9]$/u.test(parts[1]!)) {
        return { kind: 'mailbox', add: Number(parts[1]) };
      }
      return usage('mailbox', parts[0] === 'add' ? 'say which suggestion (1–9)' : `unknown "${args.trim()}"`);
    }
    case 'search':
    case 'find': {
      const t = args.trim();
      return t === '' ? usage('search', 'missing the text to find') : { kind: 'search', text: t };
    }
    case 'set': {
      const parts = args
        .trim()
        .split(/\s+/u)
        .filter((p) => p !== '');
      if (parts.length === 0) return { kind: 'set', key: null, value: null };
      if (parts.length !== 2) return usage('set', 'expected a setting and its value (/set lists them)');
      return { kind: 'set', key: parts[0]!.toLowerCase(), value: parts[1]! };
    }
    case 'rename':
      return args.trim() === ''
        ? usage('rename', 'missing the names')
        : { kind: 'rename', args: args.trim() };
    default:
      return { kind: 'unknown', name };
  }
}

/**
 * Splits `/rename` arguments into OLD and NEW. Quoted names are taken as given (`"Ada (2)" Ada`);
 * otherwise OLD is the longest known contact name the arguments start with (names may contain spaces),
 * else the first word.
 */
export function splitRename(
  args: string,
  names: readonly string[],
): { oldName: string; newName: string } | { message: string } {
  const quoted = /^(?:"([^"]+)"|'([^']+)')\s+(.+)$/su.exec(args);
  if (quoted) return { oldName: (quoted[1] ?? quoted[2]!).trim(), newName: nameArg(quoted[3]!) };
  const lower = args.toLowerCase();
  const known = names
    .filter((n) => lower.startsWith(`${n.toLowerCase()} `))
    .sort((a, b) => b.length - a.length)[0];
  const oldName = known ?? args.split(/\s+/u)[0]!;
  const newName = nameArg(args.slice(oldName.length));
  if (newName === '') return { message: `missing the new name — usage: ${USAGE.rename}` };
  return { oldName, newName };
}

export function unknownCommandMessage(name: string): string {
  return `unknown command /${name} — /help lists commands`;
}

/**
 * `pvt invite`: creates a single-use invite and shows it as a QR code and a text code. Without a daemon
 * it keeps the node up with a live "waiting" line until someone joins (then shows the SAS), the invite
 * expires, or Ctrl+C; with a daemon running, the daemon waits for the join.
 */

import type { PvtApi, PvtEvent } from '../../app/api.ts';
import { connectDaemon } from '../../daemon/client.ts';
import { INVITE_MAX_TTL_SECONDS } from '../../protocol/constants.ts';
import { sanitizeLine } from '../../text/sanitize.ts';
import { qrCells, qrMatrix, renderQr } from '../../ui/qr.ts';
import { type CommandContext, type CommandSpec, UsageError } from '../command.ts';
import { launcherFor, openInProcess } from '../session.ts';
import { formatDuration, parseDuration } from '../util/duration.ts';
import { EXIT_INTERRUPTED } from '../util/exit-codes.ts';

const DEFAULT_EXPIRY = '24h';

function printCode(
  ctx: CommandContext,
  qrText: string,
  code: string,
  expiresAt: number,
  showQr: boolean,
): void {
  if (showQr) {
    const need = qrCells(qrMatrix(qrText));
    const columns = ctx.stdout.columns ?? 80;
    const rows = ctx.stdout.rows ?? 24;
    if (ctx.stdout.isTTY && (columns < need.columns || rows < need.rows + 6)) {
      ctx.stdout.write(
        `(terminal too small for the QR code: it needs ${need.columns}×${need.rows + 6}, this one is ${columns}×${rows}; the text code works too)\n\n`,
      );
    } else {
      for (const line of renderQr(qrText, { color: ctx.color })) ctx.stdout.write(`${line}\n`);
      ctx.stdout.write('\n');
    }
  }
  ctx.stdout.write(
    `Invite code (single use, expires ${new Date(expiresAt).toLocaleString()}):\n\n${code}\n\n`,
  );
  ctx.stdout.write('The other person runs:  pvt join CODE\n');
}

function waitForJoin(ctx: CommandContext, api: PvtApi, expiresAt: number): Promise<number> {
  return new Promise((resolve) => {
    const live = ctx.stdout.isTTY && !ctx.json;
    const line = () =>
      `waiting for someone to join… (expires in ${formatDuration(expiresAt - Date.now())}; Ctrl+C cancels)`;
    if (!ctx.json) ctx.stderr.write(live ? line() : `${line()}\n`);
    const tick = setInterval(() => {
      if (Date.now() >= expiresAt) finish(1, 'the invite expired; nobody joined');
      else if (live) ctx.stderr.write(`\r\u001b[2K${line()}`);
    }, 1000);
    const unsubscribe = api.subscribe((event: PvtEvent) => {
      if (event.type !== 'contact-added') return;
      const c = { ...event.contact, name: sanitizeLine(event.contact.name) };
      if (ctx.json) ctx.stdout.write(`${JSON.stringify({ joined: c, sas: event.sas })}\n`);
      else {
        ctx.stdout.write(
          [
            '',
            `${c.name} joined (${c.fingerprint})`,
            '',
            `  SAS: ${event.sas}`,
            '',
            `Compare this code with ${c.name}. If it matches: pvt verify ${c.name} --confirm`,
            `If it does not match, someone may be intercepting: pvt verify ${c.name} --reject`,
            '',
          ].join('\n'),
        );
      }
      finish(0);
    });
    const onSigint = () =>
      finish(EXIT_INTERRUPTED, 'cancelled; the invite can still be used until it expires');
    process.once('SIGINT', onSigint);
    process.once('SIGTERM', onSigint);
    function finish(code: number, message?: string) {
      clearInterval(tick);
      unsubscribe();
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
      if (live) ctx.stderr.write('\r\u001b[2K');
      if (message) ctx.stderr.write(`${message}\n`);
      resolve(code);
    }
  });
}

export const inviteCommand: CommandSpec = {
  name: 'invite',
  summary: 'create a single-use invite (QR code + text code) and wait for someone to join',
  usage: ['pvt invite [--expires 24h] [--name ALIAS] [--no-qr] [--json]'],
  details: [
    'Shows a QR code (scan it with a phone camera to copy the code) and the text code to send over any',
    'channel. Without a daemon, pvt keeps running until someone joins, the invite expires or Ctrl+C;',
    'with "pvt daemon" running, the daemon waits and this command returns at once.',
  ].join('\n'),
  flags: {
    expires: { type: 'string', default: DEFAULT_EXPIRY },
    name: { type: 'string' },
    qr: { type: 'boolean', default: true },
  },
  flagHelp: [
    [
      '--expires DURATION',
      `how long the invite is valid: 30m, 24h, 7d… (default ${DEFAULT_EXPIRY}, at most 30d)`,
    ],
    ['--name ALIAS', 'your local name for whoever joins (default: the name they announce)'],
    ['--no-qr', 'print only the text code'],
  ],
  async run(ctx, input, flags) {
    if (input.length > 0) throw new UsageError(`unexpected argument "${input[0]}"`);
    const expiresInMs = parseDuration('--expires', String(flags.expires));
    if (expiresInMs < 1000 || expiresInMs > INVITE_MAX_TTL_SECONDS * 1000) {
      throw new UsageError(`--expires expects 1s .. 30d, got ${String(flags.expires)}`);
    }
    const alias = typeof flags.name === 'string' ? flags.name : undefined;
    const daemon = await connectDaemon({ profileDir: launcherFor(ctx).dataDir });
    const api = daemon ?? (await openInProcess(ctx, { network: true }));
    try {
      const invite = await api.createInvite(alias === undefined ? { expiresInMs } : { expiresInMs, alias });
      if (ctx.json) ctx.stdout.write(`${JSON.stringify(invite)}\n`);
      else printCode(ctx, invite.qrText, invite.code, invite.expiresAt, flags.qr !== false);
      if (daemon) {
        if (!ctx.json)
          ctx.stdout.write('The daemon waits for the join; pvt contacts (or pvt chat) shows it.\n');
        return 0;
      }
      return await waitForJoin(ctx, api, invite.expiresAt);
    } finally {
      await api.close();
    }
  },
};

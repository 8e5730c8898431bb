/**
 * Reads all of stdin as UTF-8 (message text, an invite code), with a size cap so a runaway pipe can't
 * exhaust memory. Invalid UTF-8 is refused (it would be replaced by U+FFFD and sent altered). The text
 * is kept byte-exact except for one final line break ("\n" or "\r\n"), which `echo`, here-strings and
 * editors add: `printf 'a\n\n' | pvt send NAME` sends "a\n".
 */
import { UsageError } from '../command.ts';

const MAX_STDIN_BYTES = 1024 * 1024;

export async function readStdin(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    total += buf.length;
    if (total > MAX_STDIN_BYTES) throw new UsageError(`stdin larger than ${MAX_STDIN_BYTES} bytes`);
    chunks.push(buf);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new UsageError('stdin is not valid UTF-8; nothing was sent');
  }
  return text.replace(/\r?\n$/u, '');
}

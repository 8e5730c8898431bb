/**
 * Reads all of stdin as UTF-8 (for "-" arguments), with a size cap so a runaway pipe can't exhaust memory.
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
  return Buffer.concat(chunks).toString('utf8');
}

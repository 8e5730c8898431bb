/**
 * How to start this same pvt again (a detached daemon, a service unit): the executable and the
 * arguments that come before pvt's own. Under Node that is `node [node flags] path/to/bin/pvt.js`; in
 * the single executable it is the executable alone (Node SEA repeats it as argv[1], which must not be
 * passed again). Knows nothing about what the new process is asked to do.
 */
import { isSea } from 'node:sea';

export interface SelfInvocation {
  readonly command: string;
  readonly args: readonly string[];
}

export function selfInvocation(): SelfInvocation {
  if (isSea()) return { command: process.execPath, args: [] };
  const script = process.argv[1];
  return { command: process.execPath, args: [...process.execArgv, ...(script ? [script] : [])] };
}

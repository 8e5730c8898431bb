/**
 * Child process for long-history tests and benches: opens a profile through the app launcher and
 * appends COUNT notes "seed note N" (N from 1) as fast as the store allows, printing "seeded COUNT".
 * An optional "N=WORD" argument appends WORD to note N (a word to search for).
 * Run with the project's Node (type stripping). argv: dataDir profile passphrase count [N=WORD]
 */
import { createLauncher } from '../../src/app/launcher.ts';

const [dataDir, profile, passphrase, countText] = process.argv.slice(2);
if (!dataDir || !profile || !passphrase || !countText)
  throw new Error('usage: seed-notes dataDir profile passphrase count');
const api = await createLauncher({ dataDir, profile, logLevel: 'warn' }).open({ passphrase });
const count = Number(countText);
const [markAt, markWord] = (process.argv[6] ?? '').split('=');
for (let i = 1; i <= count; i++) {
  await api.sendNote(`seed note ${i}${String(i) === markAt ? ` ${markWord}` : ''}`);
}
await api.close();
process.stdout.write(`seeded ${count}\n`);

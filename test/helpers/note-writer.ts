/**
 * Child process for the crash test: opens a profile through the app launcher and appends COUNT notes,
 * printing "stored N" after each one is durable. Run with the project's Node (type stripping).
 * argv: dataDir profile passphrase count
 */
import { createLauncher } from '../../src/app/launcher.ts';

const [dataDir, profile, passphrase, countText] = process.argv.slice(2);
if (!dataDir || !profile || !passphrase || !countText)
  throw new Error('usage: note-writer dataDir profile passphrase count');
const api = await createLauncher({ dataDir, profile, logLevel: 'warn' }).open({ passphrase });
process.stdout.write('ready\n');
for (let i = 0; i < Number(countText); i++) {
  await api.sendNote(`crash-note-${i}`);
  process.stdout.write(`stored ${i}\n`);
}
await api.close();
process.stdout.write('done\n');

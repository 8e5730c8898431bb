/**
 * Issue 10 item 6 — one damaged message row must not hide a conversation. Attack reproduced: a byte of
 * one message's sealed body is flipped in pvt.db (a bad sector, a torn backup, tampering); before the fix
 * `pvt log` failed as a whole. Now it exits 0, shows that row as damaged and every other message.
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, expect, test } from 'vitest';
import { DAMAGED_MESSAGE_BODY } from '../../src/store/sealing.ts';
import { runPvt, tempHome } from '../helpers/cli.ts';

const home = tempHome();
afterAll(() => home.cleanup());

test('a damaged message is shown as damaged; the rest of the conversation is listed', async () => {
  expect((await runPvt(['init', '--name', 'Dana'], { env: home.env })).code).toBe(0);
  for (const text of ['first note', 'second note', 'third note']) {
    expect((await runPvt(['note', text], { env: home.env })).code).toBe(0);
  }
  const db = new DatabaseSync(join(home.dir, 'profiles', 'default', 'pvt.db'));
  const row = db.prepare('SELECT id, sealed_body FROM messages ORDER BY seq LIMIT 1 OFFSET 1').get() as {
    id: string;
    sealed_body: Uint8Array;
  };
  const damaged = Uint8Array.from(row.sealed_body);
  damaged[damaged.length - 1] = (damaged[damaged.length - 1] as number) ^ 0x01;
  db.prepare('UPDATE messages SET sealed_body = ? WHERE id = ?').run(damaged, row.id);
  db.close();

  const text = await runPvt(['log', '--self'], { env: home.env });
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toContain('first note');
  expect(text.stdout).toContain('third note');
  expect(text.stdout).toContain(DAMAGED_MESSAGE_BODY);
  expect(text.stdout).not.toContain('second note');
  const json = await runPvt(['log', '--self', '--json'], { env: home.env });
  expect(json.code).toBe(0);
  expect((JSON.parse(json.stdout) as { body: string }[]).map((m) => m.body)).toEqual([
    'first note',
    DAMAGED_MESSAGE_BODY,
    'third note',
  ]);
});

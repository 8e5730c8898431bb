/**
 * Issue 10 item 7 — names that are partly invisible or pass for another. Attacks reproduced: a display
 * name with zero-width, tag, BOM, line-separator or Arabic-letter-mark characters (the name shows as
 * something it is not), a 200-character name from a peer (the CLI allows 64), and Mallory announcing
 * Cyrillic "Вob" to someone whose contact "Bob" already exists. Invisible characters are refused on the
 * wire and locally; names are bounded at 64 characters; a mixed-script name is flagged and can never
 * take a look-alike of an existing contact's name.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { displayNameProblem } from '../../src/protocol/identity.ts';
import { MAX_NAME_CHARS, mixesScripts, nameProblem, nameSkeleton } from '../../src/text/names.ts';
import { runPvt, tempHome } from '../helpers/cli.ts';
import { cleanupDirs, createPeer, pair } from '../messaging/helpers.ts';

afterAll(() => cleanupDirs());

describe('the name rules', () => {
  test.each([
    ['zero-width space', 'Bo\u200bb'],
    ['zero-width non-joiner', 'Bo\u200cb'],
    ['word joiner', 'Bo\u2060b'],
    ['BOM', '\ufeffBob'],
    ['line separator', 'Bob\u2028Alice'],
    ['paragraph separator', 'Bob\u2029'],
    ['Arabic letter mark', 'Bob\u061c'],
    ['tag characters', 'Bob\u{e0041}\u{e007f}'],
    ['soft hyphen', 'Bo\u00adb'],
    ['Hangul filler', 'Bob\u3164'],
    ['a lone zero-width joiner', 'Bo\u200db'],
    ['right-to-left override', 'abc\u202egpj.exe'],
  ])('%s is refused (locally and on the wire)', (_what, name) => {
    expect(nameProblem(name)).toBeDefined();
    expect(displayNameProblem(name)).toBeDefined();
  });

  test('emoji sequences with joiners, accents and CJK are fine; 65 characters are not', () => {
    for (const ok of ['👩\u200d💻 Ada', 'Zoë Ørsted-Müller', '李小龙 🐉', 'x'.repeat(MAX_NAME_CHARS)]) {
      expect([ok, nameProblem(ok)]).toEqual([ok, undefined]);
    }
    expect(displayNameProblem('I'.repeat(MAX_NAME_CHARS + 1))).toBe('longer than 64 characters');
  });

  test('look-alikes share a skeleton; mixed scripts are detected', () => {
    expect(nameSkeleton('\u0412ob')).toBe(nameSkeleton('Bob'));
    expect(nameSkeleton('\u0410lice')).toBe(nameSkeleton('alice'));
    expect(mixesScripts('\u0412ob')).toBe(true);
    expect(mixesScripts('Bob')).toBe(false);
    expect(mixesScripts('Борис')).toBe(false);
  });
});

test('pvt init refuses an invisible character in the name with a clear error', async () => {
  const home = tempHome();
  try {
    const r = await runPvt(['init', '--name', 'Bo\u200bb'], { env: home.env });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('invisible');
  } finally {
    home.cleanup();
  }
});

test('Mallory announcing Cyrillic "Вob" next to Bob is flagged and cannot take Bob’s name', async () => {
  const alice = await createPeer('Alice');
  const bob = await createPeer('Bob');
  const mallory = await createPeer('\u0412ob');
  try {
    const withBob = await pair(alice, bob);
    expect(withBob.bName).toBe('Bob');
    const withMallory = await pair(alice, mallory);
    expect(withMallory.bName).toBe('\u0412ob (mixed scripts)');
    const id = (await alice.api.contacts()).find((c) => c.name === withMallory.bName)?.id as string;
    await expect(alice.api.renameContact(id, '\u0412ob')).rejects.toThrow(/taken|already/i);
    await expect(alice.api.renameContact(id, 'bob')).rejects.toThrow(/taken|already/i);
  } finally {
    await Promise.all([alice.close(), bob.close(), mallory.close()]);
  }
});

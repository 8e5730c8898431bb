/**
 * Pure pieces of the UI: width-aware wrapping (property-tested), sanitising, the line editor, burst
 * splitting, slash commands and the passphrase estimate.
 */
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, test } from 'vitest';
import { parseSubmission } from '../../src/ui/commands.ts';
import { editorRows } from '../../src/ui/editor/editor-rows.ts';
import { apply, commit, type EditorState, editorWith, emptyEditor } from '../../src/ui/editor/line-editor.ts';
import { estimateStrength } from '../../src/ui/format/strength.ts';
import { sanitize, truncate, wrapSegments, wrapText } from '../../src/ui/format/text.ts';
import { type Command, commandsFor, plainKey, splitBurst } from '../../src/ui/keys.ts';

const PIECES = [
  'a',
  'bc',
  ' ',
  'word',
  '中',
  '文字',
  '🙂',
  '👍🏽',
  '🇳🇿',
  '👨‍👩‍👧',
  'é',
  'e\u0301',
  '　',
  '—',
  'x'.repeat(30),
];

describe('wrapText', () => {
  test('no row is wider than the width, and nothing but break spaces is lost', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...PIECES), { maxLength: 60 }),
        fc.integer({ min: 2, max: 50 }),
        (parts, width) => {
          const text = parts.join('');
          const rows = wrapText(text, width);
          for (const row of rows) expect(stringWidth(row)).toBeLessThanOrEqual(width);
          expect(rows.join('').replace(/ /gu, '')).toBe(text.replace(/ /gu, ''));
        },
      ),
      { numRuns: 300 },
    );
  });

  test('breaks at spaces, between CJK characters, and hard-breaks long words', () => {
    expect(wrapText('hello wide world', 10)).toEqual(['hello wide', 'world']);
    expect(wrapText('ab 中文字符测试', 8)).toEqual(['ab 中文', '字符测试']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('one\n\ntwo', 10)).toEqual(['one', '', 'two']);
  });

  test('segments cover the line so the editor can place its cursor', () => {
    const segs = wrapSegments('hello world', 6);
    expect(segs).toEqual([
      { start: 0, end: 5, next: 6 },
      { start: 6, end: 11, next: 11 },
    ]);
  });

  test('truncate measures in cells', () => {
    expect(truncate('中文字符', 5)).toBe('中文…');
    expect(stringWidth(truncate('🙂🙂🙂🙂', 6))).toBeLessThanOrEqual(6);
  });
});

describe('sanitize', () => {
  test('removes escape sequences, control and bidi override characters, keeps newlines', () => {
    expect(sanitize('a\u001b[31mred\u001b[0m\u0007b\r\nc\u202ed\te')).toBe('aredb\ncd    e');
    expect(sanitize('x\u001b]8;;http://evil\u0007link\u001b]8;;\u0007y')).toBe('xlinky');
  });
});

describe('line editor', () => {
  const ml = { multiline: true };
  const run = (s: EditorState, ...commands: Command[]): EditorState =>
    commands.reduce((acc, c) => apply(acc, c, ml).state, s);

  test('moves by grapheme and deletes whole graphemes', () => {
    const s = run(editorWith('a👨‍👩‍👧b'), { type: 'left' }, { type: 'backspace' });
    expect(s.text).toBe('ab');
    expect(s.cursor).toBe(1);
  });

  test('history: up recalls, down returns to the draft, commit skips repeats', () => {
    let s = commit(commit(emptyEditor, 'one'), 'two');
    s = commit(s, 'two');
    expect(s.history).toEqual(['one', 'two']);
    s = run({ ...s, text: 'dr', cursor: 2 }, { type: 'up' });
    expect(s.text).toBe('two');
    s = run(s, { type: 'up' }, { type: 'up' });
    expect(s.text).toBe('one');
    s = run(s, { type: 'down' }, { type: 'down' });
    expect(s.text).toBe('dr');
  });

  test('Ctrl+D: unhandled on empty (quit), delete-forward otherwise', () => {
    expect(apply(emptyEditor, { type: 'eof' }, ml).outcome.kind).toBe('unhandled');
    const s = run({ ...editorWith('ab'), cursor: 0 }, { type: 'eof' });
    expect(s.text).toBe('b');
  });

  test('single-line fields turn pasted newlines into spaces', () => {
    expect(apply(emptyEditor, { type: 'insert', text: 'a\nb' }, { multiline: false }).state.text).toBe('a b');
  });

  test('editor rows place the cursor on the right row, also on a wrapped space', () => {
    const { rows, cursorRow } = editorRows('hello world', 6, 7);
    expect(cursorRow).toBe(1);
    expect(rows[1]).toMatchObject({ before: '', at: 'w', after: 'orld' });
    const atSpace = editorRows('hello world', 5, 7);
    expect(atSpace.cursorRow).toBe(0);
    expect(atSpace.rows[0]).toMatchObject({ before: 'hello', at: ' ' });
  });
});

describe('keys', () => {
  test('a burst is split into inserts, submits, new lines and control keys', () => {
    expect(splitBurst('hello\rworld\r\n')).toEqual([
      { type: 'insert', text: 'hello' },
      { type: 'submit' },
      { type: 'insert', text: 'world' },
      { type: 'submit' },
    ]);
    expect(splitBurst('a\nb\u0015c\u007f')).toEqual([
      { type: 'insert', text: 'a' },
      { type: 'newline' },
      { type: 'insert', text: 'b' },
      { type: 'killLineStart' },
      { type: 'insert', text: 'c' },
      { type: 'backspace' },
    ]);
  });

  test('Enter submits, Alt/Shift+Enter are new lines, Ctrl/Alt letters map to bindings', () => {
    expect(commandsFor('', plainKey({ return: true }))).toEqual([{ type: 'submit' }]);
    expect(commandsFor('', plainKey({ return: true, meta: true }))).toEqual([{ type: 'newline' }]);
    expect(commandsFor('\r', plainKey({ return: true, shift: true }))).toEqual([{ type: 'newline' }]);
    expect(commandsFor('w', plainKey({ ctrl: true }))).toEqual([{ type: 'killWordBack' }]);
    expect(commandsFor('b', plainKey({ meta: true }))).toEqual([{ type: 'wordLeft' }]);
    expect(commandsFor('j', plainKey({ ctrl: true }))).toEqual([{ type: 'newline' }]);
    expect(commandsFor('\n', plainKey())).toEqual([{ type: 'newline' }]);
    expect(commandsFor('x', plainKey({ ctrl: true }))).toEqual([]);
  });
});

describe('slash commands', () => {
  test('commands, unknown commands, escaped slashes and notes', () => {
    expect(parseSubmission('  ')).toEqual({ kind: 'blank' });
    expect(parseSubmission('/help')).toEqual({ kind: 'help' });
    expect(parseSubmission('/QUIT ')).toEqual({ kind: 'quit' });
    expect(parseSubmission('/x y')).toEqual({ kind: 'unknown', name: 'x' });
    expect(parseSubmission('//x')).toEqual({ kind: 'text', text: '/x' });
    expect(parseSubmission('/etc/hosts\nline two')).toEqual({ kind: 'text', text: '/etc/hosts\nline two' });
    expect(parseSubmission('hi  \n')).toEqual({ kind: 'text', text: 'hi' });
  });
});

describe('passphrase strength', () => {
  test('too short under 8 characters, then weak/fair/strong by length and variety', () => {
    expect(estimateStrength('1234567').strength).toBe('too-short');
    expect(estimateStrength('password').strength).toBe('weak');
    expect(estimateStrength('aaaaaaaaaaaaaaaa').strength).toBe('weak');
    expect(estimateStrength('sunset42horse').strength).toBe('fair');
    expect(estimateStrength('correct horse battery staple').strength).toBe('strong');
  });
});

describe('no row starts with closing punctuation', () => {
  test('CJK full stop and comma, Latin parenthesis: the grapheme before them moves along', () => {
    expect(wrapText('一二三四五六。七八', 12)).toEqual(['一二三四五', '六。七八']);
    expect(wrapText('中文字符测试，这是一条很长的中文消息，用来测试。', 12)).toEqual([
      '中文字符测',
      '试，这是一条',
      '很长的中文消',
      '息，用来测',
      '试。',
    ]);
    expect(wrapText('abcdefghij)', 10)).toEqual(['abcdefghi', 'j)']);
  });

  test('across widths, every row fits and none starts with 。、，）) or .', () => {
    const text = '这是一条很长的中文消息（带括号）。然后、还有：更多！文字？结束。 And (Latin) text, too.';
    // From 8 cells (a run of three closing marks after a wide character needs that much).
    for (let w = 8; w <= 30; w++) {
      for (const row of wrapText(text, w)) {
        expect(stringWidth(row)).toBeLessThanOrEqual(w);
        expect(row).not.toMatch(/^[。、，）)．.,！？：]/u);
      }
    }
  });
});

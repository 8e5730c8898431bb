/**
 * The socket framing and parameter checks in isolation: frames survive any chunking, any byte string
 * gives frames or a typed error (never a crash or a buffer past the cap), params are checked against
 * the method table, and errors round-trip with their code and class.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AppError } from '../../src/app/errors.ts';
import { BadFrameError, FrameTooLargeError, RemoteError } from '../../src/daemon/errors.ts';
import { cookieMatches, socketPathFits } from '../../src/daemon/files.ts';
import {
  encodeFrame,
  FrameDecoder,
  fromWireError,
  parseClientFrame,
  parseServerFrame,
  toWireError,
} from '../../src/daemon/frames.ts';
import { API_METHODS, checkParams } from '../../src/daemon/methods.ts';

const json = fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 });

describe('FrameDecoder', () => {
  test('frames come out whole and in order however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(json, { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 10 }), (frames, cuts) => {
        const bytes = Buffer.concat(frames.map((f) => encodeFrame(f, 1 << 20)));
        const points = [...new Set(cuts.map((c) => (bytes.length === 0 ? 0 : c % bytes.length)))].sort(
          (a, b) => a - b,
        );
        const decoder = new FrameDecoder(1 << 20);
        const out: unknown[] = [];
        let last = 0;
        for (const p of [...points, bytes.length]) {
          out.push(...decoder.push(bytes.subarray(last, p)));
          last = p;
        }
        expect(out.map((f) => JSON.stringify(f))).toEqual(frames.map((f) => JSON.stringify(f)));
      }),
    );
  });

  test('any bytes give objects or a typed error, never more buffered than the cap', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 6 }), (chunks) => {
        const decoder = new FrameDecoder(256);
        try {
          for (const c of chunks) {
            for (const frame of decoder.push(Buffer.from(c))) expect(typeof frame).toBe('object');
          }
        } catch (error) {
          expect(error instanceof BadFrameError || error instanceof FrameTooLargeError).toBe(true);
        }
      }),
    );
  });

  test('an oversize frame is refused before its newline arrives', () => {
    const decoder = new FrameDecoder(16);
    expect(decoder.push(Buffer.from('{"a":'))).toEqual([]);
    expect(() => decoder.push(Buffer.from('"0123456789abcdef"'))).toThrow(FrameTooLargeError);
  });

  test('non-objects and broken JSON are BadFrame', () => {
    for (const line of ['[1]', '"x"', 'null', '{', '']) {
      expect(() => new FrameDecoder(64).push(Buffer.from(`${line}\n`))).toThrow(BadFrameError);
    }
  });
});

describe('frame shapes', () => {
  test('client frames: auth, request; anything else is BadFrame', () => {
    expect(parseClientFrame({ auth: 'ab', v: 1 })).toEqual({ kind: 'auth', cookie: 'ab', v: 1 });
    expect(parseClientFrame({ id: 3, method: 'profile' })).toEqual({
      kind: 'request',
      id: 3,
      method: 'profile',
      params: [],
    });
    for (const bad of [
      {},
      { id: -1, method: 'x' },
      { id: 1.5, method: 'x' },
      { id: 1, method: '' },
      { auth: 1 },
    ]) {
      expect(() => parseClientFrame(bad)).toThrow(BadFrameError);
    }
  });

  test('server frames: result, error, event, auth answer', () => {
    expect(parseServerFrame({ id: 1, result: null })).toEqual({ kind: 'result', id: 1, result: null });
    expect(parseServerFrame({ error: { code: 'X', message: 'm' } })).toMatchObject({
      kind: 'error',
      id: undefined,
    });
    expect(parseServerFrame({ event: { type: 'status', text: 't' } })).toMatchObject({ kind: 'event' });
    expect(() => parseServerFrame({ id: 1 })).toThrow(BadFrameError);
    expect(() => parseServerFrame({ event: 5 })).toThrow(BadFrameError);
  });
});

describe('method table and params', () => {
  test('params are checked by kind; null stands for an omitted optional parameter', () => {
    expect(checkParams('sendNote', ['hi'])).toEqual(['hi']);
    expect(checkParams('messages', ['self'])).toEqual(['self', undefined]);
    expect(checkParams('messages', ['self', null])).toEqual(['self', undefined]);
    expect(checkParams('messages', ['self', { limit: 2 }])).toEqual(['self', { limit: 2 }]);
    expect(() => checkParams('sendNote', [])).toThrow('parameter 1 is required');
    expect(() => checkParams('sendNote', ['a', 'b'])).toThrow('at most 1 parameters');
    expect(() => checkParams('messages', ['self', []])).toThrow('parameter 2 expected object');
    expect(() => checkParams('profile', {})).toThrow('params must be an array');
  });

  test('the table names only own methods', () => {
    expect(Object.hasOwn(API_METHODS, 'toString')).toBe(false);
    expect(Object.keys(API_METHODS)).not.toContain('subscribe');
    expect(Object.keys(API_METHODS)).not.toContain('close');
  });
});

describe('errors and cookies', () => {
  test('errors round-trip with their code, or their class when they have none', () => {
    const coded = fromWireError(toWireError(new AppError('EmptyMessage', 'message is empty')));
    expect(coded).toBeInstanceOf(RemoteError);
    expect(coded).toMatchObject({ code: 'EmptyMessage', message: 'message is empty' });
    const range = fromWireError(toWireError(new RangeError('"limit" out of range')));
    expect(range).toBeInstanceOf(RangeError);
    expect((range as { code?: unknown }).code).toBeUndefined();
    expect(fromWireError(toWireError(new TypeError('t')))).toBeInstanceOf(TypeError);
  });

  test('cookies compare only when well formed and equal', () => {
    const a = 'ab'.repeat(32);
    expect(cookieMatches(a, a)).toBe(true);
    expect(cookieMatches(a, `${'ab'.repeat(31)}ac`)).toBe(false);
    expect(cookieMatches(a, 'ab'.repeat(16))).toBe(false);
    expect(cookieMatches(a, 'AB'.repeat(32))).toBe(false);
  });

  test('the socket path limit is sun_path minus the NUL', () => {
    expect(socketPathFits(`/${'a'.repeat(106)}`, 'linux')).toBe(true);
    expect(socketPathFits(`/${'a'.repeat(107)}`, 'linux')).toBe(false);
    expect(socketPathFits(`/${'a'.repeat(102)}`, 'darwin')).toBe(true);
    expect(socketPathFits(`/${'a'.repeat(103)}`, 'darwin')).toBe(false);
  });
});

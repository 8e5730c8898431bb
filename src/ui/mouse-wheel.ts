/**
 * Mouse wheel reports for the message pane. Ink 8 drops SGR mouse reports (`ESC[<64;x;yM` up,
 * `ESC[<65;x;yM` down) in its input parser, so runTui lets this module take them out of what stdin
 * reads before Ink sees it and hands the notches to the screen through an emitter. The screen asks the
 * terminal for reports (`ESC[?1000h ESC[?1006h`) only while no panel is open, so a panel's text (an
 * invite code) can be selected with the mouse. Knows nothing about React.
 */
import { EventEmitter } from 'node:events';

export const MOUSE_ON = '\u001b[?1000h\u001b[?1006h';
export const MOUSE_OFF = '\u001b[?1006l\u001b[?1000l';
// biome-ignore lint/suspicious/noControlCharactersInRegex: the report starts with ESC.
const REPORT = /\u001b\[<(\d+);\d+;\d+[Mm]/gu;

/** Emits 'wheel' with -1 (up) or 1 (down). */
export type WheelEvents = EventEmitter<{ wheel: [direction: -1 | 1] }>;

/** Patches `stdin.read` to remove mouse reports; `restore()` puts the original back. */
export function interceptWheel(stdin: NodeJS.ReadStream): { wheel: WheelEvents; restore: () => void } {
  const wheel: WheelEvents = new EventEmitter();
  const original = stdin.read;
  const read = (size?: number): string | Buffer | null => {
    const chunk: unknown = original.call(stdin, size);
    if (chunk === null || chunk === undefined) return null;
    const text = typeof chunk === 'string' ? chunk : String(chunk);
    if (!text.includes('\u001b[<')) return chunk as string | Buffer;
    return text.replace(REPORT, (_m, button: string) => {
      if (button === '64') wheel.emit('wheel', -1);
      else if (button === '65') wheel.emit('wheel', 1);
      return '';
    });
  };
  stdin.read = read as typeof stdin.read;
  return {
    wheel,
    restore: () => {
      if (stdin.read === (read as typeof stdin.read)) stdin.read = original;
    },
  };
}

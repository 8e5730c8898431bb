/**
 * Asks the terminal for mouse reports (button events in SGR form, `ESC[?1000h ESC[?1006h`) while
 * `active`, so the wheel can scroll the message pane; turns them off again when inactive (a panel is
 * open: its text, such as an invite code, can then be selected with the mouse) and on unmount. runTui
 * also turns them off on every exit path. The wheel reports themselves are read by the screen's input.
 */
import { useStdout } from 'ink';
import { useEffect } from 'react';

export const MOUSE_ON = '\u001b[?1000h\u001b[?1006h';
export const MOUSE_OFF = '\u001b[?1006l\u001b[?1000l';

export function useMouseWheel(active: boolean): void {
  const { stdout } = useStdout();
  useEffect(() => {
    if (!active || (stdout as { isTTY?: boolean }).isTTY !== true) return;
    stdout.write(MOUSE_ON);
    return () => {
      stdout.write(MOUSE_OFF);
    };
  }, [active, stdout]);
}

/**
 * The mouse wheel over the message pane: while `active` (no panel open), asks the terminal for mouse
 * reports and scrolls three rows per notch; turns reports off when a panel opens (so its text can be
 * selected) and on unmount. The notches come from runTui's stdin filter (mouse-wheel.ts).
 */
import { useStdout } from 'ink';
import { useEffect, useRef } from 'react';
import { MOUSE_OFF, MOUSE_ON, type WheelEvents } from '../mouse-wheel.ts';

const WHEEL_ROWS = 3;

export function useWheel(
  wheel: WheelEvents | undefined,
  active: boolean,
  scroll: (rows: number) => void,
): void {
  const { stdout } = useStdout();
  const scrollRef = useRef(scroll);
  scrollRef.current = scroll;
  useEffect(() => {
    if (!wheel || !active) return;
    const tty = (stdout as { isTTY?: boolean }).isTTY === true;
    if (tty) stdout.write(MOUSE_ON);
    const onWheel = (direction: -1 | 1): void => scrollRef.current(direction * WHEEL_ROWS);
    wheel.on('wheel', onWheel);
    return () => {
      wheel.off('wheel', onWheel);
      if (tty) stdout.write(MOUSE_OFF);
    };
  }, [wheel, active, stdout]);
}

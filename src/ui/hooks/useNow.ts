/**
 * The wall clock as state, ticking every `intervalMs` while `active` (a countdown such as "expires in
 * 23h 59m" on the invite panel). Knows nothing about what is drawn.
 */
import { useEffect, useState } from 'react';

export function useNow(intervalMs: number, active: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, active]);
  return now;
}

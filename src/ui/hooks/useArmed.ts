/**
 * False for `delayMs` after `key` changes (a new question appeared), then true: a question that can be
 * answered with a single letter ignores keys typed before the person could have read it. Knows nothing
 * about what is asked.
 */
import { useEffect, useState } from 'react';

/** How long a code comparison ignores its answer keys after it appears. */
export const ARM_DELAY_MS = 600;

export function useArmed(key: string | null, delayMs = ARM_DELAY_MS): boolean {
  const [armedFor, setArmedFor] = useState<string | null>(null);
  useEffect(() => {
    if (key === null) return;
    const timer = setTimeout(() => setArmedFor(key), delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);
  return key !== null && armedFor === key;
}

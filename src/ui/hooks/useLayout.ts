/**
 * The current screen geometry; re-renders on terminal resize (Ink's useWindowSize listens to the
 * stdout 'resize' event). Knows nothing about what is drawn.
 */
import { useWindowSize } from 'ink';
import { useMemo } from 'react';
import { computeLayout, type Layout } from '../layout.ts';

export function useLayout(): Layout {
  const { columns, rows } = useWindowSize();
  return useMemo(() => computeLayout(columns, rows), [columns, rows]);
}

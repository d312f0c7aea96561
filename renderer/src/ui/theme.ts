/**
 * The one place for design tokens: colours, spacing, radius, type. Components take their look
 * from here through Mantine's theme; no page-specific CSS.
 */
import { createTheme, type MantineColorsTuple } from '@mantine/core';

const plazaBlue: MantineColorsTuple = [
  '#edf2ff', '#dbe4ff', '#bac8ff', '#91a7ff', '#748ffc', '#5c7cfa', '#4c6ef5', '#4263eb', '#3b5bdb', '#364fc7',
];

export const theme = createTheme({
  primaryColor: 'plaza',
  primaryShade: { light: 7, dark: 5 },
  colors: { plaza: plazaBlue },
  fontFamily: 'Inter, ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontFamilyMonospace: 'ui-monospace, "JetBrains Mono", Menlo, Consolas, monospace',
  defaultRadius: 'md',
  headings: { fontWeight: '650' },
  focusRing: 'always',
  cursorType: 'pointer',
});

/** Layout tokens shared by the shell and the areas. */
export const layout = {
  headerHeight: 56,
  navbarWidth: 220,
  contentMaxWidth: 1200,
} as const;
